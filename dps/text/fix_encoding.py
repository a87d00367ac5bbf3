"""Repair Korean mojibake: UTF-8 or CP949 bytes that were decoded as Latin-1/CP1252 somewhere upstream."""

from __future__ import annotations

import re

import ftfy
import regex

from dps.text.quarantine import Quarantine
from dps.text.twins import stats_twin

__all__ = ["fix_encoding", "fix_encoding_with_stats", "COUNTERS"]

COUNTERS = ("utf8_as_cp1252", "cp949_as_latin1")

# Every character a byte 0x80-0xFF becomes when decoded as Latin-1 (U+0080-U+00FF) or as CP1252 (the 27 letters
# and marks at 0x80-0x9F), mapped back to that byte. Mojibake is written in this alphabet only.
_BYTE_OF: dict[str, int] = {}
for _b in range(0x80, 0x100):
    _BYTE_OF[chr(_b)] = _b
    _cp = bytes([_b]).decode("cp1252", errors="ignore")
    if _cp:
        _BYTE_OF[_cp] = _b
_ALPHABET = "".join(sorted(_BYTE_OF))
_A = "[" + re.escape(_ALPHABET) + "]"

# A mis-decoded multi-byte character starts with a lead byte >= 0xA1 (UTF-8 leads are 0xC2-0xF4, CP949 Hangul
# leads 0xB0-0xC8) followed by another byte >= 0x80. Korean text proper almost never has two such characters in a
# row (the middle dot · is alone, “ ” … are not Latin-1), so a line without this pair is left alone at once.
_PAIR = re.compile("[\u00a1-\u00ff]" + _A)
# A CP949 span: runs of alphabet characters (ASCII letters inside a run: UHC trail bytes 0x41-0x7A), joined by
# ASCII spaces, digits and punctuation, which EUC-KR/CP949 leave as they are.
_RUN = _A + "(?:[A-Za-z]*" + _A + ")*"
_CP949_SPAN = re.compile(_RUN + "(?:[ -@\\[-`{-~]+" + _RUN + ")*")
_CP949_RUN = re.compile(_RUN)
_UTF8_RUN = re.compile(_A + "+")
# Syllables and compatibility jamo (ㅋㅋ, ㅠㅠ: CP949 has them too).
_HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
_LETTER = regex.compile(r"(?![\x00-\x7f])\p{L}")  # non-ASCII letters: Hangul, Hanja, Greek, accented Latin...

# Lines longer than this are repaired in chunks cut at an ASCII space (never inside a UTF-8 or CP949 sequence),
# so ftfy and the span search see bounded inputs and a 1 MB single-line document costs linear time.
_MAX_CHUNK = 4000
_CUT_LOOKBACK = 400


def _as_bytes(span: str) -> bytes:
    return bytes(_BYTE_OF.get(c, ord(c)) for c in span)


def _decode(span: str, codec: str, min_hangul_ratio: float, min_hangul: int, unless_utf8: bool = False
            ) -> str | None:
    """The span's bytes decoded strictly with `codec` when that gives overwhelmingly Hangul, else None; with
    unless_utf8, also None when the bytes are valid UTF-8 (ambiguous: rÃ©sumÃ© is CP949 for r챕sum챕)."""
    try:
        data = _as_bytes(span)
        decoded = data.decode(codec)
    except (UnicodeDecodeError, ValueError):  # ValueError: a character above U+00FF outside the alphabet
        return None
    if unless_utf8:
        try:
            data.decode("utf-8")
            return None
        except UnicodeDecodeError:
            pass
    # A wrong guess shows as Hanja, Greek or Cyrillic letters; symbols (♥ ★ ※) are ordinary in Korean text.
    hangul = len(_HANGUL.findall(decoded))
    if hangul >= min_hangul and hangul >= min_hangul_ratio * len(_LETTER.findall(decoded)):
        return decoded
    return None


def _repair_cp949(chunk: str, min_hangul_ratio: float, min_hangul: int, unless_utf8: bool,
                  counts: dict[str, int]) -> str:
    def run(r: re.Match) -> str:
        fixed = _decode(r.group(), "cp949", min_hangul_ratio, min_hangul, unless_utf8)
        if fixed is None:
            return r.group()
        counts["cp949_as_latin1"] += 1
        return fixed

    def span(m: re.Match) -> str:
        whole = _decode(m.group(), "cp949", min_hangul_ratio, min_hangul, unless_utf8)
        if whole is not None:
            counts["cp949_as_latin1"] += 1
            return whole
        # The whole span failed (a stray é or ± next to real mojibake): try its runs one by one.
        return _CP949_RUN.sub(run, m.group())

    return _CP949_SPAN.sub(span, chunk)


def _repair_utf8_runs(chunk: str, min_hangul_ratio: float, counts: dict[str, int]) -> str:
    """Strict UTF-8 decoding of each alphabet run: for what ftfy leaves alone, such as a one-syllable line."""
    def run(r: re.Match) -> str:
        fixed = _decode(r.group(), "utf-8", min_hangul_ratio, 0)
        if fixed is None:
            return r.group()
        counts["utf8_as_cp1252"] += 1
        return fixed

    return _UTF8_RUN.sub(run, chunk)


def _hangul_count(text: str) -> int:
    return len(_HANGUL.findall(text))


def _repair_utf8(chunk: str, counts: dict[str, int]) -> str:
    fixed = ftfy.fix_encoding(chunk)
    # ftfy's judgement plus ours: the repair must bring Hangul back. CP949 bytes can be valid UTF-8 too (Â¯, the
    # CP949 짱, is UTF-8 for ¯), and ftfy then "repairs" them into Latin-1 or Greek symbols.
    if fixed != chunk and _hangul_count(fixed) > _hangul_count(chunk):
        counts["utf8_as_cp1252"] += 1
        return fixed
    return chunk


def _chunks(line: str):
    start = 0
    while len(line) - start > _MAX_CHUNK:
        cut = line.rfind(" ", start + _MAX_CHUNK - _CUT_LOOKBACK, start + _MAX_CHUNK)
        end = cut + 1 if cut > start else start + _MAX_CHUNK
        yield line[start:end]
        start = end
    yield line[start:]


def _repair(text: str, repair_utf8: bool, repair_cp949: bool, min_cp949_hangul_ratio: float,
            counts: dict[str, int]) -> str:
    if not (repair_utf8 or repair_cp949) or _PAIR.search(text) is None:  # nearly every document stops here
        return text

    def each_chunk(fix) -> str:
        out = []
        for line in text.split("\n"):
            if _PAIR.search(line) is None:
                out.append(line)
            else:
                out.append("".join(fix(c) if _PAIR.search(c) is not None else c for c in _chunks(line)))
        return "\n".join(out)

    def confident(chunk: str) -> str:
        if repair_cp949:
            chunk = _repair_cp949(chunk, min_cp949_hangul_ratio, 2, True, counts)
        if repair_utf8 and _PAIR.search(chunk) is not None:
            chunk = _repair_utf8(chunk, counts)
        return chunk

    def in_context(chunk: str) -> str:
        if repair_cp949 and counts["cp949_as_latin1"]:
            chunk = _repair_cp949(chunk, min_cp949_hangul_ratio, 1, False, counts)
        if repair_utf8 and counts["utf8_as_cp1252"] and _PAIR.search(chunk) is not None:
            chunk = _repair_utf8_runs(chunk, min_cp949_hangul_ratio, counts)
        return chunk

    text = each_chunk(confident)
    # Once a document is known to be mis-decoded one way, what is left of that kind is repaired on weaker
    # evidence: one-syllable spans (10Á¡ -> 10점, a one-word comment ì°œ -> 찜) that alone could be chance.
    if any(counts.values()) and _PAIR.search(text) is not None:
        text = each_chunk(in_context)
    return text


def _check_replacement(text: str, max_replacement_ratio: float | None) -> None:
    if max_replacement_ratio is None:
        return
    replaced = text.count("\ufffd")
    if replaced and replaced >= max_replacement_ratio * len("".join(text.split())):
        raise Quarantine("unrepairable")


def _check_params(min_cp949_hangul_ratio: float, max_replacement_ratio: float | None) -> None:
    if not 0.0 < min_cp949_hangul_ratio <= 1.0:
        raise ValueError(f"min_cp949_hangul_ratio must be in (0, 1], got {min_cp949_hangul_ratio!r}")
    if max_replacement_ratio is not None and not 0.0 < max_replacement_ratio <= 1.0:
        raise ValueError(f"max_replacement_ratio must be in (0, 1] or null, got {max_replacement_ratio!r}")


def fix_encoding(
    text: str,
    *,
    repair_utf8: bool = True,
    repair_cp949: bool = True,
    min_cp949_hangul_ratio: float = 0.9,
    max_replacement_ratio: float | None = 0.3,
) -> str:
    """Repair mojibake (Korean UTF-8 or CP949 bytes read as Latin-1/CP1252); quarantine text lost to U+FFFD.

    Two repairs, line by line, so a broken span inside correct Korean text is repaired and the rest is
    left exactly as it was. A line is looked at only if it has two characters in a row from the
    Latin-1/CP1252 alphabet that mojibake is written in, the first at or above U+00A1 (a byte that
    starts a multi-byte character); lines over 4,000 characters are handled in chunks cut at a space,
    so the cost stays linear on huge one-line documents.

    - CP949/EUC-KR read as Latin-1 (¾È³çÇÏ¼¼¿ä): each run of alphabet characters (ASCII letters may sit
      inside a run, ASCII spaces, digits and punctuation may join runs) is turned back into bytes and
      decoded as CP949, and replaced only when the decoding is strict, gives at least two Hangul syllables
      or jamo, at least min_cp949_hangul_ratio of its non-ASCII letters are Hangul (Hanja or Greek mean a
      wrong guess; symbols such as ♥ do not count), and the bytes are not valid UTF-8 as well (rÃ©sumÃ©
      would otherwise become r챕sum챕). This runs first: Korean UTF-8 mojibake decodes as CP949 to Hanja
      or not at all.
    - UTF-8 read as CP1252 or Latin-1 (ì•ˆë…•): ftfy.fix_encoding on the line (its encoding fixes only:
      quotes, widths and HTML entities are not touched), kept when it brings Hangul back (so CP949 bytes
      that happen to be valid UTF-8 are not turned into Latin symbols); mojibake mixed into correct Korean
      on one line is repaired too.
    - Once a document has had a repair of one kind, what is left of that kind is repaired on weaker
      evidence: one-syllable CP949 spans (10Á¡ -> 10점), and alphabet runs that decode strictly as UTF-8
      (a one-word line ì°œ -> 찜, which ftfy leaves alone).

    Text decoded with replacement characters (CP949 read as UTF-8: �ȳ��ϼ���) cannot be repaired: when at
    least max_replacement_ratio of the non-whitespace characters are U+FFFD (about 0.7-0.85 for a fully
    mis-decoded Korean text, 0 in the measured news and reviews), the record is quarantined with reason
    fix_encoding:unrepairable. Measured on the shared news and reviews samples: 0 documents changed
    (scripts/bench_fix_encoding.py). fix_encoding_with_stats counts repaired chunks (utf8_as_cp1252) and
    decoded spans (cp949_as_latin1) for the report.

    Parameters:
        repair_utf8: repair UTF-8 read as CP1252/Latin-1 with ftfy.
        repair_cp949: decode CP949/EUC-KR spans read as Latin-1 when they come out overwhelmingly Hangul.
        min_cp949_hangul_ratio: share of a decoded span's non-ASCII letters that must be Hangul (0-1]; also applies to
            the in-context UTF-8 runs.
        max_replacement_ratio: quarantine a record when at least this share of its non-whitespace characters is U+FFFD
            after repair; None never quarantines.
    Reasons:
        unrepairable: quarantined (not filtered): at least max_replacement_ratio of the text is U+FFFD.
    """
    return fix_encoding_with_stats(text, repair_utf8=repair_utf8, repair_cp949=repair_cp949,
                                   min_cp949_hangul_ratio=min_cp949_hangul_ratio,
                                   max_replacement_ratio=max_replacement_ratio)[0]


@stats_twin(fix_encoding)
def fix_encoding_with_stats(
    text: str,
    *,
    repair_utf8: bool,
    repair_cp949: bool,
    min_cp949_hangul_ratio: float,
    max_replacement_ratio: float | None,
) -> tuple[str, dict[str, int]]:
    """fix_encoding, also returning how many chunks ftfy repaired and how many CP949 spans were decoded."""
    _check_params(min_cp949_hangul_ratio, max_replacement_ratio)
    counts = dict.fromkeys(COUNTERS, 0)
    text = _repair(text, repair_utf8, repair_cp949, min_cp949_hangul_ratio, counts)
    _check_replacement(text, max_replacement_ratio)
    return text, counts
