"""Word, line and paragraph splitting, the alphabetic-word test, Korean function-morpheme counting.

Shared by the Gopher filters. A "word" is a whitespace-separated token: for Korean an eojeol
(어절), so 학교에서 is one word. Pure Python (stdlib + `regex`); kiwipiepy is imported lazily, and
only when the accurate function-word mode is used.
"""

from __future__ import annotations

import functools
import re
import warnings
from itertools import filterfalse, islice

import regex

__all__ = [
    "split_words",
    "split_lines",
    "split_paragraphs",
    "count_word_chars",
    "is_alphabetic_word",
    "count_alphabetic_words",
    "count_letterless_words",
    "PARTICLES",
    "ENDINGS",
    "FUNCTION_WORDS",
    "FUNCTION_WORD_MODES",
    "count_function_words",
    "count_function_words_lexicon",
    "count_function_words_kiwi",
]

# --- splitting ------------------------------------------------------------------------------

# A blank line: newline, optional horizontal space, newline (plus any further blank lines).
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


# One-entry memos keyed on the identity of the text: the filters of a fused chain receive the very same str
# object (filters do not change it), so gopher_quality and gopher_repetition split each document once between
# them (splitting was ~40 % of gopher_repetition's time). The lists are shared: callers must not modify them.
_last_words: tuple = (None, None)
_last_lines: tuple = (None, None)
_last_word_chars: tuple = (None, 0)


def split_words(text: str) -> list[str]:
    """Whitespace-separated words (Korean eojeol); never contains empty strings. Do not modify the result."""
    global _last_words
    last, words = _last_words
    if text is not last:
        words = text.split()
        _last_words = (text, words)
    return words


def count_word_chars(text: str) -> int:
    """Characters of the words of `text` (split_words), whitespace excluded; memoized like split_words."""
    global _last_word_chars
    last, chars = _last_word_chars
    if text is not last:
        chars = sum(map(len, split_words(text)))
        _last_word_chars = (text, chars)
    return chars


def split_lines(text: str) -> list[str]:
    """Non-blank lines (str.splitlines), each stripped of surrounding whitespace. Do not modify the result.

    Blank lines are dropped so layout never counts as a duplicate line or dilutes a line ratio;
    stripping makes an indented copy of a line a duplicate of it.
    """
    global _last_lines
    last, lines = _last_lines
    if text is not last:
        lines = [s for s in map(str.strip, text.splitlines()) if s]
        _last_lines = (text, lines)
    return lines


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each its stripped non-blank lines joined by newlines.

    Normalizing each line like split_lines makes a re-indented copy of a paragraph equal to it.
    Without any blank line the paragraphs are the lines (split_lines): comment pages and chat
    logs rarely contain blank lines, and one paragraph holding the whole page would hide the
    units their authors wrote.
    """
    parts = _PARAGRAPH_BREAK.split(text)
    if len(parts) == 1:
        return split_lines(text)
    paragraphs = ["\n".join(lines) for lines in map(split_lines, parts) if lines]
    return paragraphs if len(paragraphs) > 1 else split_lines(text)


# --- alphabetic words -----------------------------------------------------------------------

# \p{L} is str.isalpha() (Hangul syllables and jamo, Latin, Han, kana, ...), and a superset of it
# where `regex` has a newer Unicode than Python (letters added since); Python's re cannot express
# it, hence `regex`.
_LETTER = regex.compile(r"\p{L}")


def is_alphabetic_word(word: str) -> bool:
    """True if `word` contains at least one Unicode letter: Hangul, Latin, Han, kana all count."""
    return _LETTER.search(word) is not None


def count_letterless_words(text: str) -> int:
    """Number of words of `text` (split_words) without any letter.

    Only the words str.isalpha rejects are looked at (a fifth of Korean words: digits, trailing punctuation), and
    of those only the ones without a single str.isalpha character (every str.isalpha character is \\p{L}) are
    searched by the regex (`regex` knows letters newer than Python's Unicode): most rejected words are a letter
    run with punctuation, settled at their first letter by a C loop (~35 % faster than one regex over them all,
    measured; same count).
    """
    n = 0
    for word in filterfalse(str.isalpha, split_words(text)):
        if not any(map(str.isalpha, word)) and _LETTER.search(word) is None:
            n += 1
    return n


def count_alphabetic_words(text: str) -> int:
    """Number of words of `text` (split_words) for which is_alphabetic_word is True."""
    return len(split_words(text)) - count_letterless_words(text)


# --- Korean function morphemes: fast lexicon mode -------------------------------------------

# Lexicon mode counts eojeol that END with a common particle (조사) or verbal ending (어미),
# plus standalone function words. It is a cheap stand-in for the English stop-word rule: prose
# is full of 학교에서 / 했다 / 그리고, while keyword lists, menus, tables and tag spam are not.
# Nouns that happen to end in the same syllable (국가, 바다, 광고) are counted too: the rule only
# asks for a handful per document, so that error is harmless and the lexicon stays small.
# Trailing punctuation and laughter jamo after the ending are allowed (했다. / 좋아요ㅋㅋ).

PARTICLES: tuple[str, ...] = (
    # case and topic particles
    "은", "는", "이", "가", "을", "를", "에", "에서", "의", "로", "으로", "와", "과", "도", "만",
    "까지", "부터", "에게", "한테", "께서", "께", "처럼", "보다", "에게서", "한테서", "로서",
    "으로서", "로써", "으로써", "마다", "조차", "마저", "밖에", "이나", "나", "이라도", "라도",
    "이랑", "랑", "만큼", "대로", "뿐", "이며", "며", "이란", "란", "이라는", "라는", "이다",
)
ENDINGS: tuple[str, ...] = (
    # sentence-final
    "다", "요", "습니다", "니다", "었다", "았다", "했다", "였다", "한다", "된다", "있다", "없다",
    "겠다", "어요", "아요", "해요", "예요", "에요", "네요", "죠", "지요", "까", "니까", "까요",
    "세요", "십시오", "자", "라",
    # connective and adnominal
    "고", "며", "면", "서", "지", "지만", "는데", "은데", "인데", "면서", "거나", "든지", "도록",
    "려고", "러", "게", "니", "던", "듯",
)
# Whole words that are function words but end in no listed particle or ending.
FUNCTION_WORDS: tuple[str, ...] = (
    "그리고", "하지만", "그러나", "그런데", "그래서", "따라서", "또한", "또는", "혹은", "및",
    "즉", "또", "더", "등", "수", "것", "때", "중", "이런", "그런", "저런", "어떤", "모든",
    "아주", "매우", "너무", "잘", "못", "안", "왜", "어떻게",
)


def _minimal_suffixes(suffixes: tuple[str, ...]) -> list[str]:
    """Drop suffixes that end with another suffix (에서 ends with 서): same matches, smaller regex."""
    unique = set(suffixes)
    kept = [s for s in unique if not any(s != t and s.endswith(t) for t in unique)]
    return sorted(kept, key=lambda s: (-len(s), s))


def _build_function_word_regex() -> re.Pattern[str]:
    trailing = r"(?:[^\w\s]|[ㄱ-ㅣ])*+(?!\S)"  # punctuation / emoji / ㅋㅋ, then end of word
    suffixes = _minimal_suffixes(PARTICLES + ENDINGS)
    # Words already ending in a suffix are counted by the suffix branch. A standalone word must
    # start its eojeol: checked by a lookbehind AFTER it (no run of len+1 non-spaces ends here).
    standalone_words = sorted(
        (w for w in set(FUNCTION_WORDS) if not w.endswith(tuple(suffixes))), key=lambda w: (-len(w), w)
    )
    standalone = [f"{word}(?<!\\S{{{len(word) + 1}}})" for word in standalone_words]
    # Every alternative starts with a literal, so re's first-character prefilter skips most
    # positions; a leading (?<!\S) or a nested group would disable it (measured 2x slower).
    return re.compile(f"(?:{'|'.join(suffixes + standalone)}){trailing}")


_FUNCTION_WORD = _build_function_word_regex()


def count_function_words_lexicon(text: str, stop_at: int | None = None) -> int:
    """Number of eojeol ending in a lexicon particle/ending or equal to a lexicon function word.

    Counting stops at `stop_at` (a rule that needs N function words can stop at N).
    """
    return _count_lexicon(text, len(text), stop_at)


def _count_lexicon(text: str, end: int, stop_at: int | None) -> int:
    # endpos, not a slice (no copy): the pattern's end-of-word lookahead sees endpos as the end of the text.
    # A list of at most stop_at matches, not a generator resumed per match.
    return len(list(islice(_FUNCTION_WORD.finditer(text, 0, end), stop_at)))


# --- Korean function morphemes: accurate kiwipiepy mode -------------------------------------

# With stop_at, Kiwi analyzes growing chunks (64, 128, 256, ... chars, cut at whitespace) until
# enough are found. Kiwi's cost is linear in length (~0.2 MB/s per core measured, no large
# per-call overhead), and on real prose the first ~15 eojeol already hold a few particles, so a
# filter pays for about 64 characters per kept document and at most 2x the prefix for the others.
_KIWI_FIRST_CHUNK_CHARS = 64


@functools.lru_cache(maxsize=1)
def _kiwi():
    """One Kiwi per process (loading takes seconds); default `cong` model, single-threaded."""
    from kiwipiepy import Kiwi

    with warnings.catch_warnings():
        # num_workers=0 now means "single thread", which is what a Spark worker core wants;
        # kiwipiepy still warns that its meaning changed in 0.21.
        warnings.simplefilter("ignore", DeprecationWarning)
        return Kiwi(num_workers=0)


def _chunks(text: str, first: int):
    """Consecutive pieces of `text` of doubling size (first, 2*first, ...), cut after whitespace."""
    start, size = 0, first
    while start < len(text):
        end = start + size
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start else end
        yield text[start:end]
        start, size = end, size * 2


def count_function_words_kiwi(text: str, stop_at: int | None = None) -> int:
    """Number of morphemes Kiwi tags as particles (J*) or endings (E*); about 0.2 MB/s per core.

    With `stop_at`, growing chunks are analyzed until that many are found (a lower bound then).
    """
    if not text.strip():
        return 0
    kiwi = _kiwi()
    if stop_at is None:
        return sum(1 for token in kiwi.tokenize(text) if token.tag[0] in "JE")
    found = 0
    for chunk in _chunks(text, _KIWI_FIRST_CHUNK_CHARS):
        found += sum(1 for token in kiwi.tokenize(chunk) if token.tag[0] in "JE")
        if found >= stop_at:
            break
    return found


FUNCTION_WORD_MODES = ("lexicon", "kiwi")


def count_function_words(
    text: str, mode: str = "lexicon", max_chars: int | None = None, stop_at: int | None = None
) -> int:
    """Count function morphemes with `mode` ("lexicon" or "kiwi") in the first `max_chars` chars.

    The prefix is cut back to the last whitespace so no word is split (an unbroken prefix is cut
    at max_chars); None analyzes the whole text. With `stop_at` counting may stop once that many
    are found, so the result is exact below stop_at and at least stop_at otherwise. An unknown
    mode raises ValueError: that is a configuration error, not a property of the document.
    """
    end = len(text)
    if max_chars is not None and end > max_chars:
        cut = max(text.rfind(" ", 0, max_chars + 1), text.rfind("\n", 0, max_chars + 1))
        end = cut if cut > 0 else max_chars
    if mode == "lexicon":
        return _count_lexicon(text, end, stop_at)
    text = text[:end]
    if mode == "kiwi":
        return count_function_words_kiwi(text, stop_at)
    raise ValueError(f"function_word_mode must be one of {FUNCTION_WORD_MODES}, got {mode!r}")
