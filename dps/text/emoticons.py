"""Shorten Korean jamo emoticons (ㅋㅋㅋㅋ, ㅠㅠㅠ), laughter syllable runs and, optionally, repeated punctuation."""

from __future__ import annotations

import functools
import re

_SYLLABLE_BASE = 0xAC00
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"  # compatibility jamo for the 19 initials, in syllable order
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"  # the 21 vowels (U+314F-U+3163), in syllable order
_CODA_KIEUK = 24  # index of the final ㅋ among the 28 finals

_JAMO = "\u3131-\u3163"  # modern compatibility jamo; the old ones (ㆍ as a middle dot, ...) are not emoticons
_CONSONANTS = "\u3131-\u314e"
_VOWELS = "\u314f-\u3163"

# Runs of these syllables are laughter or crying (하하하하, 크크크, 흑흑흑, 낄낄낄), never an ordinary word when
# repeated past max_repeats. The set is deliberately small: 다다, 소소, 나나 are words.
LAUGHTER_SYLLABLES = "하히호후흐헤허햐크키큭킥킼캬흑엉낄깔껄"

# soynlp-style splitting: an emoticon jamo typed through a syllable, ㅋㅋ쿠ㅜㅜ or ㅋㅋㅋ큐ㅠㅠ, where the
# syllable is exactly the preceding consonant + the following vowel (and has no final).
_JAMO_THROUGH_SYLLABLE = re.compile(f"([{_CONSONANTS}])([\uac00-\ud7a3])(?=([{_VOWELS}]))")


def _split_jamo_syllable(m: re.Match[str]) -> str:
    consonant, syllable, vowel = m.group(1, 2, 3)
    offset = ord(syllable) - _SYLLABLE_BASE
    if offset % 28 == 0 and _CHO[offset // 588] == consonant and _JUNG[offset % 588 // 28] == vowel:
        return consonant + consonant + vowel
    return consonant + syllable


# A final ㅋ glued onto the syllable before ㅋㅋ (웃곀ㅋㅋ, 아닠ㅋㅋ, 킄ㅋㅋ): 곀ㅋ -> 겨ㅋㅋ. 엌, 녘, 읔 are excluded
# because they end real words (부엌, 동녘, 키읔). A final ㅎ before ㅎ is split only off a syllable that itself
# starts with ㅎ or ㅋ (핳ㅎㅎ, 헿ㅎㅎ, 킇ㅎ): 좋, 놓, 넣, 그렇, 노랗 end ordinary words.
_CODA_HIEUH = 27  # index of the final ㅎ
_KIEUK_CODA_SYLLABLES = "".join(
    ch for ch in (chr(_SYLLABLE_BASE + 28 * i + _CODA_KIEUK) for i in range(19 * 21)) if ch not in "엌녘읔"
)
_HIEUH_CODA_SYLLABLES = "".join(
    chr(_SYLLABLE_BASE + 28 * (cho * 21 + jung) + _CODA_HIEUH) for cho in (_CHO.index("ㅋ"), _CHO.index("ㅎ"))
    for jung in range(21)
)
_CODA_BEFORE_JAMO = re.compile(f"[{_KIEUK_CODA_SYLLABLES}](?=ㅋ)|[{_HIEUH_CODA_SYLLABLES}](?=ㅎ)")


def _split_coda(m: re.Match[str]) -> str:
    offset = ord(m.group()) - _SYLLABLE_BASE
    return chr(_SYLLABLE_BASE + offset - offset % 28) + ("ㅋ" if offset % 28 == _CODA_KIEUK else "ㅎ")


_ANY_JAMO = re.compile(f"[{_JAMO}]")
# A URL runs to the next whitespace and is never changed: cutting a repeat inside one corrupts the address.
_URL = re.compile(r"((?:[Hh][Tt][Tt][Pp][Ss]?://|www\.|WWW\.)\S+)")
_GLUED_JAMO = re.compile(f"(?<=[^/{_JAMO}])[{_JAMO}]")
_DOT_RUN = re.compile(r"\.{4,}")
_PUNCTUATION = "!?~^！？～"


@functools.lru_cache(maxsize=16)
def _patterns(max_repeats: int, max_laughter: int) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Run patterns that match only when a unit repeats more than max_repeats (one jamo) or max_laughter (a jamo
    pair, a laughter syllable) times."""
    # Every run pattern ends in a possessive repeat: the match is the same (nothing follows the repeat), and re
    # keeps no backtracking state per repetition (5x faster on long runs).
    jamo_run = re.compile(f"([{_JAMO}])\\1{{{max_repeats},}}+")
    # Two alternating jamo, ㅋㅎㅋㅎㅋㅎㅋㅎ or ㅠㅜㅠㅜㅠㅜㅠㅜ; the (?!\1) leaves single-jamo runs to jamo_run.
    # (Greedy, this group repeat kept state per repetition: megabytes of stack and a 4x slower scan on a 1 MB run.)
    pair_run = re.compile(f"([{_JAMO}])((?!\\1)[{_JAMO}])(?:\\1\\2){{{max_laughter},}}+")
    laughter_run = re.compile(f"([{LAUGHTER_SYLLABLES}])\\1{{{max_laughter},}}+")
    return jamo_run, pair_run, laughter_run


@functools.lru_cache(maxsize=16)
def _punctuation_run(max_repeats: int) -> re.Pattern[str]:
    return re.compile(f"([{re.escape(_PUNCTUATION)}])\\1{{{max_repeats},}}+")  # possessive: see _patterns


def _reduce(text: str, max_repeats: int, max_laughter: int, reduce_punctuation: bool,
            max_punctuation_repeats: int) -> str:
    jamo_run, pair_run, laughter_run = _patterns(max_repeats, max_laughter)
    has_jamo = _ANY_JAMO.search(text) is not None
    # Order matters for idempotence: splitting 핰ㅋ can lengthen a 하 run, and cutting a 하 run can leave a
    # single 하 between ㅎ and ㅏ to be split, so the syllable runs sit between the two splits; jamo runs are
    # cut only after the splits have added their jamo.
    if has_jamo:
        text = _CODA_BEFORE_JAMO.sub(_split_coda, text)
    text = laughter_run.sub("\\1" * max_laughter, text)
    if has_jamo:
        text = _JAMO_THROUGH_SYLLABLE.sub(_split_jamo_syllable, text)
        text = jamo_run.sub("\\1" * max_repeats, text)
        text = pair_run.sub("\\1\\2" * max_laughter, text)
    if reduce_punctuation:
        text = _punctuation_run(max_punctuation_repeats).sub("\\1" * max_punctuation_repeats, text)
        text = _DOT_RUN.sub("...", text)
    return text


def reduce_emoticons(
    text: str,
    *,
    max_repeats: int = 2,
    max_laughter_repeats: int = 3,
    reduce_punctuation: bool = False,
    max_punctuation_repeats: int = 2,
) -> str:
    """Cut Korean emoticon and laughter repeats (ㅋㅋㅋㅋ -> ㅋㅋ) without touching digits, Latin or URLs.

    Only Hangul compatibility jamo (ㄱ-ㅣ), a small set of laughter/crying syllables and, when asked, a few
    punctuation marks are ever shortened, so 1000000원, aaaa and www.naver.com stay intact (the predecessor
    collapsed any repeated character and broke all three).

    - A run of one jamo longer than max_repeats is cut to max_repeats: ㅋㅋㅋㅋ -> ㅋㅋ, ㅠㅠㅠ -> ㅠㅠ,
      ㄷㄷㄷㄷ -> ㄷㄷ.
    - A run of two alternating jamo repeated more than max_laughter_repeats times is cut to that many repeats:
      ㅎㅋㅎㅋㅎㅋ stays, ㅋㅎㅋㅎㅋㅎㅋㅎㅋㅎ -> ㅋㅎㅋㅎㅋㅎ. Longer cycles (ㅋㅋㅎㅎㅋㅋㅎㅎ) are left alone.
    - A run of one laughter/crying syllable (LAUGHTER_SYLLABLES: 하 히 호 후 흐 헤 허 햐 크 키 큭 킥 킼 캬 흑 엉
      낄 깔 껄) longer than max_laughter_repeats is cut to it: 크크크 and 으히히히 stay (reviews laugh in
      threes), 하하하하하 -> 하하하; syllables outside the set (다다익선, 소소하다) are never touched.
    - As soynlp's emoticon_normalize does, a syllable typed between an emoticon consonant and vowel is split
      when it is exactly that consonant + vowel: ㅋㅋ쿠ㅜㅜ -> ㅋㅋㅋㅜㅜㅜ -> ㅋㅋㅜㅜ, ㅋㅋㅋ큐ㅠㅠ -> ㅋㅋㅠㅠ.
      Unlike soynlp, a syllable after a consonant with no vowel jamo after it is never split (ㅋㅋ큐브 stays), and no
      character is ever dropped.
    - A final ㅋ glued to the syllable before a ㅋ is split off: 웃곀ㅋㅋㅋ -> 웃겨ㅋㅋ, 킄ㅋㅋ -> 크ㅋㅋ. 엌, 녘
      and 읔 are exempt (부엌, 동녘, 키읔). A final ㅎ before a ㅎ is split off only a syllable starting with ㅎ or
      ㅋ (핳ㅎㅎ -> 하ㅎㅎ, 헿ㅎㅎ -> 헤ㅎㅎ): 좋ㅎㅎ, 그렇ㅎ stay, because 좋, 놓, 그렇 are ordinary words.
    - A URL (http://, https://, www. or WWW. up to the next whitespace) is copied unchanged, so
      http://a.com/ㅋㅋㅋㅋ keeps its path; jamo glued to its end (http://blog.daum.net/abcㅎㅎㅎㅎㅎ) are laughter,
      not path, and are reduced, as they are after an address without a scheme or an e-mail.
    - With reduce_punctuation, runs of ! ? ~ ^ (and fullwidth ！ ？ ～) longer than max_punctuation_repeats
      are cut, and runs of four or more dots become the ellipsis "..."; "..", "..." and "…" are kept.

    Applying the function twice gives the same text as applying it once.

    Parameters:
        max_repeats: longest run of the same jamo that is kept (>= 1).
        max_laughter_repeats: longest run of the same laughter syllable or alternating jamo pair that is kept (>= 1).
        reduce_punctuation: also shorten runs of ! ? ~ ^ and of dots.
        max_punctuation_repeats: longest run of the same punctuation mark kept when reduce_punctuation (>= 1).
    """
    for name, value in (("max_repeats", max_repeats), ("max_laughter_repeats", max_laughter_repeats),
                        ("max_punctuation_repeats", max_punctuation_repeats)):
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value!r}")
    args = (max_repeats, max_laughter_repeats, reduce_punctuation, max_punctuation_repeats)
    # Substring tests are ~10x faster than the URL regex, and most documents have no URL.
    if ("://" not in text and "www." not in text and "WWW." not in text) or _URL.search(text) is None:
        return _reduce(text, *args)
    out, pos = [], 0
    for m in _URL.finditer(text):
        start, end = m.span()
        # Jamo glued to the URL after a character that is neither '/' nor a jamo end it: "abcㅎㅎㅎ" is laughter,
        # "/ㅋㅋㅋ" a path segment.
        glued = _GLUED_JAMO.search(text, start, end)
        if glued:
            end = glued.start()
        out.append(_reduce(text[pos:start], *args))
        out.append(text[start:end])
        pos = end
    out.append(_reduce(text[pos:], *args))
    return "".join(out)
