"""Unicode normalization for Korean text: NFC/NFKC, stray old-Hangul jamo, whitespace."""

from __future__ import annotations

import functools
import re
import unicodedata

_FORMS = ("NFC", "NFKC")

# Conjoining jamo (modern and old), the extended-A/B blocks and the Middle Korean tone marks. After NFC every
# modern L+V(+T) sequence is a precomposed syllable, so whatever of these is left cannot form one: it is an
# old-Hangul cluster (e.g. arae-a), a filler (U+115F/U+1160) or debris.
_STRAY_JAMO_CHARS = "\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u302e\u302f"

# Compatibility jamo (ㅋ, ㅠ, ㆍ ...). NFKC would turn them into conjoining jamo, which the stray-jamo step
# would then delete, wiping out every ㅋㅋ; the NFKC path leaves these runs alone.
_COMPAT_JAMO_RUN = re.compile("([\u3131-\u318e]+)")


def _build_nfkc_jamo_table() -> dict[int, str]:
    """Map halfwidth, circled and parenthesized jamo to what NFKC gives, but with compatibility jamo.

    Plain NFKC maps e.g. U+FFA1 (halfwidth kiyeok) and U+3260 (circled kiyeok) to the conjoining U+1100.
    """
    to_compat = {}
    for cp in range(0x3131, 0x318F):
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if len(nfkc) == 1:
            to_compat[nfkc] = chr(cp)
    table = {}
    for cp in list(range(0x3200, 0x3280)) + list(range(0xFFA0, 0xFFDD)):
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if any("\u1100" <= ch <= "\u11ff" for ch in nfkc):
            table[cp] = "".join(to_compat.get(ch, ch) for ch in nfkc)
    return table


_NFKC_JAMO_TABLE = _build_nfkc_jamo_table()
_NFKC_JAMO_SOURCES = re.compile("[%s]" % "".join(chr(cp) for cp in sorted(_NFKC_JAMO_TABLE)))

# Unicode line breaks besides '\n', including \v and \f (Word writes \v for a manual line break).
_LINE_BREAK_CHARS = "\r\x0b\x0c\x85\u2028\u2029"
# Horizontal spaces. The Hangul fillers U+3164/U+FFA0 render blank and are used as a space (or to dodge word
# filters) in crawled Korean text, so they become a space too.
_SPACE_CHARS = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u3164\uffa0"
# Zero-width and bidi format characters, the soft hyphen, and C0/C1 controls except the whitespace ones
# (\t \n \v \f \r \x85) that the whitespace step turns into ' ' or '\n'.
_INVISIBLE_CHARS = (
    "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
)

_STRAY_JAMO = re.compile(f"[{_STRAY_JAMO_CHARS}]+")
_LINE_BREAKS = re.compile(f"\r\n|[{_LINE_BREAK_CHARS}]")
_SPACES = re.compile(f"[{_SPACE_CHARS}]")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]+")
# Most documents contain none of these characters; one scan for all of them lets the per-class
# substitutions be skipped.
_UNUSUAL = re.compile(f"[{_STRAY_JAMO_CHARS}{_LINE_BREAK_CHARS}{_SPACE_CHARS}{_INVISIBLE_CHARS}]")
_SPACE_RUN = re.compile(" {2,}")
# Spaces after a line start, or before a line end, for text whose space runs were not collapsed. The (?<! )
# guard makes the second branch start only at the beginning of a run, so a long run not followed by '\n'
# costs linear, not quadratic, time.
_LINE_EDGE_SPACES = re.compile(r"(?<![^\n]) +|(?<! ) +(?![^\n])")


@functools.lru_cache(maxsize=16)
def _newline_run(max_newlines: int) -> re.Pattern[str]:
    return re.compile("\n{%d,}" % (max_newlines + 1))


def _unicode_form(text: str, form: str) -> str:
    if unicodedata.is_normalized(form, text):
        return text
    if form == "NFC":
        return unicodedata.normalize("NFC", text)
    text = _NFKC_JAMO_SOURCES.sub(lambda m: _NFKC_JAMO_TABLE[ord(m.group())], text)
    parts = _COMPAT_JAMO_RUN.split(text)
    # split() with a capturing group: even indexes are the text between jamo runs.
    parts[::2] = [unicodedata.normalize("NFKC", part) for part in parts[::2]]
    return "".join(parts)


def normalize(
    text: str,
    *,
    form: str = "NFC",
    remove_stray_jamo: bool = True,
    normalize_whitespace: bool = True,
    remove_invisible_chars: bool = True,
    collapse_spaces: bool = True,
    strip_lines: bool = True,
    max_consecutive_newlines: int | None = 2,
    strip_document: bool = True,
) -> str:
    """Unicode-normalize a document, drop stray old-Hangul jamo and tidy whitespace.

    Steps, in order: invisible character removal; Unicode normalization; stray jamo removal; whitespace
    mapping; space collapsing; line stripping; newline-run capping; document stripping. Every step but the
    Unicode normalization has its own switch.

    Stray jamo are removed only after NFC/NFKC has composed every modern L+V(+T) jamo sequence into a
    syllable, so decomposed (NFD, e.g. macOS) Korean comes back as ordinary syllables instead of being
    deleted, and no precomposed syllable (U+AC00-U+D7A3) is ever touched. What remains in the conjoining jamo
    blocks (U+1100-U+11FF, U+A960-U+A97F, U+D7B0-U+D7FF), plus the Middle Korean tone marks U+302E/U+302F,
    cannot be written as modern Hangul: old-Hangul clusters such as initial + arae-a, and jamo fillers.
    Compatibility jamo (U+3131-U+318E: ㅋ, ㅠ, and ㆍ used as a middle dot) are ordinary text and are kept;
    with NFKC they stay compatibility jamo too (plain NFKC would turn them into conjoining jamo), and
    halfwidth and circled jamo become compatibility jamo.

    Newlines are kept (up to max_consecutive_newlines in a row) because line-based quality rules need them.
    Only the ASCII space is collapsed and stripped by collapse_spaces/strip_lines; with normalize_whitespace
    every other space has been turned into it first.

    Parameters:
        form: Unicode normalization form, "NFC" (canonical composition) or "NFKC" (also folds fullwidth
            letters, circled digits, ligatures and the like); case-insensitive; anything else is an error.
        remove_stray_jamo: delete conjoining Hangul jamo left over after normalization (old Hangul, fillers).
        normalize_whitespace: turn tabs, NBSP, ideographic and other Unicode spaces and the Hangul fillers
            U+3164/U+FFA0 into ' ', and \\r\\n, \\r, \\v, \\f, U+0085, U+2028, U+2029 into '\\n'.
        remove_invisible_chars: delete zero-width characters (U+200B-U+200D, U+2060, U+FEFF), bidi marks and
            overrides, the soft hyphen, and control characters other than whitespace.
        collapse_spaces: replace runs of spaces with one space.
        strip_lines: remove spaces at the start and end of every line.
        max_consecutive_newlines: cap runs of newlines at this many (2 keeps paragraph breaks); at least 1;
            None disables.
        strip_document: strip leading and trailing whitespace from the whole document.
    """
    form_upper = form.upper()
    if form_upper not in _FORMS:
        raise ValueError(f"form must be 'NFC' or 'NFKC', got {form!r}")
    if max_consecutive_newlines is not None and max_consecutive_newlines < 1:
        raise ValueError(f"max_consecutive_newlines must be >= 1 or None, got {max_consecutive_newlines!r}")

    unusual = _UNUSUAL.search(text) is not None
    # Invisible characters go first: a zero-width space between a letter and a combining mark blocks
    # composition, so removing it after normalizing would leave non-normalized text behind.
    if unusual and remove_invisible_chars:
        text = _INVISIBLE.sub("", text)
    normalized = _unicode_form(text, form_upper)
    if normalized is not text:
        text = normalized
        unusual = _UNUSUAL.search(text) is not None
    if unusual:
        if remove_stray_jamo:
            stripped = _STRAY_JAMO.sub("", text)
            if len(stripped) != len(text):
                # Same reason: a removed jamo may have separated a letter from a combining mark.
                text = _unicode_form(stripped, form_upper)
        if normalize_whitespace:
            text = _LINE_BREAKS.sub("\n", text)
            text = _SPACES.sub(" ", text)
    if collapse_spaces and "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if strip_lines:
        if collapse_spaces:
            # Every space run is a single space now, so plain replaces are enough, and much faster.
            text = text.replace(" \n", "\n").replace("\n ", "\n")
            if text.startswith(" "):
                text = text[1:]
            if text.endswith(" "):
                text = text[:-1]
        else:
            text = _LINE_EDGE_SPACES.sub("", text)
    if max_consecutive_newlines is not None and max_consecutive_newlines < len(text):
        if "\n" * (max_consecutive_newlines + 1) in text:
            text = _newline_run(max_consecutive_newlines).sub("\n" * max_consecutive_newlines, text)
    if strip_document:
        text = text.strip()
    return text
