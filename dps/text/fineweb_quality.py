"""FineWeb's line-level quality rules (Penedo et al. 2024), with Korean sentence endings counted as line ends."""

from __future__ import annotations

from dps.text.profiling import Metric, Rule
from dps.text.words import split_lines, split_words

__all__ = ["fineweb_quality", "fineweb_quality_profile", "is_terminal_line", "PROFILE_METRICS",
           "TERMINAL_PUNCTUATION", "KOREAN_ENDINGS"]

# Sentence-final marks: Latin, CJK and fullwidth full stops and marks, the ellipsis, and closing quotes and
# brackets of quoted speech (news lines end with ...했다” or ...라고 말했다.).
TERMINAL_PUNCTUATION: tuple[str, ...] = (".", "!", "?", "…", "。", "！", "？", "．", "\"", "'", "”", "’", "」", "』")
# Syllables that end a Korean sentence without a full stop, as comments and reviews are written: declarative
# -다, polite -요, -죠, questions -까, exclamatory -네/-군, and the nominal endings of short notes -음/-함/-임/-듯
# (재밌음, 추천함, 명작임, 볼만한듯). A noun that happens to end in one of them (바다) counts too: the price of
# a rule that costs one lookup per line.
KOREAN_ENDINGS = frozenset("다요죠까네군음함임듯")
# Informal marks written after a sentence ending (좋아요~, 재밌다ㅋㅋ, 최고네요^^, 슬프다ㅠㅠ;): skipped before the
# last character is judged when Korean endings count.
_TRAILING_MARKS = " ~^;ㅋㅎㅠㅜㄷ♥♡"


def is_terminal_line(line: str, count_korean_endings: bool = True) -> bool:
    """Does this (stripped) line end a sentence? Without Korean endings: FineWeb's test, terminal punctuation."""
    if not count_korean_endings:
        return line.endswith(TERMINAL_PUNCTUATION)
    core = line.rstrip(_TRAILING_MARKS)
    return bool(core) and (core.endswith(TERMINAL_PUNCTUATION) or core[-1] in KOREAN_ENDINGS)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def fineweb_quality_profile(text: str, *, short_line_chars: int = 10, count_korean_endings: bool = True,
                            **_thresholds) -> dict[str, float]:
    """The fineweb_quality metrics of `text`, computed by the filter's own code.

    Keys: lines, line_punct_ratio, short_line_ratio, dup_line_char_ratio, newline_word_ratio; ratios of an
    empty text are 0.0.
    """
    lines = split_lines(text)
    n = len(lines)
    seen: set[str] = set()
    dup_chars = 0
    for line in lines:
        if line in seen:
            dup_chars += len(line)
        else:
            seen.add(line)
    return {
        "lines": n,
        "line_punct_ratio": _ratio(sum(is_terminal_line(line, count_korean_endings) for line in lines), n),
        "short_line_ratio": _ratio(sum(len(line) <= short_line_chars for line in lines), n),
        # FineWeb divides by the document's characters without newlines.
        "dup_line_char_ratio": _ratio(dup_chars, len(text) - text.count("\n")),
        "newline_word_ratio": _ratio(max(n - 1, 0), len(split_words(text))),
    }


def _enough_lines(metrics, params) -> bool:
    return metrics["lines"] >= params["min_lines_for_line_rules"]


_WHEN = "and lines >= min_lines_for_line_rules"
PROFILE_METRICS: tuple[Metric, ...] = (
    Metric("lines", "count", (), "non-blank lines"),
    Metric("line_punct_ratio", "ratio",
           (Rule("min_line_punct_ratio", "below", "line_punct_low", when=_enough_lines, when_text=_WHEN),),
           "share of lines ending a sentence (terminal punctuation, or a Korean ending when counted)"),
    Metric("short_line_ratio", "ratio",
           (Rule("max_short_line_ratio", "above", "short_lines_high", when=_enough_lines, when_text=_WHEN),),
           "share of lines of at most short_line_chars characters"),
    Metric("dup_line_char_ratio", "ratio", (Rule("max_dup_line_char_ratio", "above", "dup_line_chars_high"),),
           "characters of lines repeating an earlier line, over the characters of the document"),
    Metric("newline_word_ratio", "ratio", (Rule("max_newline_word_ratio", "above", "newline_ratio_high"),),
           "line breaks between non-blank lines per word"),
)


def fineweb_quality(
    text: str,
    *,
    min_line_punct_ratio: float | None = 0.1,
    max_short_line_ratio: float | None = 0.8,
    short_line_chars: int = 10,
    max_dup_line_char_ratio: float | None = 0.1,
    max_newline_word_ratio: float | None = 0.5,
    min_lines_for_line_rules: int = 3,
    count_korean_endings: bool = True,
) -> str | None:
    """Reject documents that fail FineWeb's line-level quality rules, with Korean sentence endings understood.

    FineWeb (Penedo et al. 2024) added three rules to Gopher's for web pages whose lines are menus, lists
    and fragments: too few lines ending in terminal punctuation, too many short lines, too many characters
    in duplicated lines; FineWeb-2 added a line-break-per-word limit (lists). Lines are the non-blank lines,
    stripped; words are whitespace-separated eojeol.

    Korean comments and reviews end sentences without a full stop (재밌다, 좋아요~, 최고네요ㅋㅋ): on the
    shared review pages 42.8% of lines end in terminal punctuation, and counting the endings 다 요 죠 까 네
    군 음 함 임 듯 (after trailing ~ ^ ; ㅋ ㅎ ㅠ ㅜ ㄷ ♥ ♡) as line ends brings that to 68.4%; FineWeb-2's
    0.062 without them removes 2.10% of review pages of 3+ lines, with them 0.30% (docs/fineweb_defaults.md). With
    count_korean_endings false a line ends a sentence only on terminal punctuation, as in FineWeb.
    The punctuation and short-line rules judge line structure and skip documents of fewer than
    min_lines_for_line_rules lines: a one-line chunk cut mid-sentence (every shared news chunk is one line,
    97% of them cut mid-sentence) has no line structure to judge.

    The duplicated-line rule counts the characters of every line equal to an earlier line over the
    characters of the document without newlines (FineWeb's definition; gopher_repetition's
    max_dup_line_char_fraction divides by line characters). The line-break rule counts breaks between
    non-blank lines, so blank lines of paragraph layout do not count. Defaults were measured on Korean news
    and reviews (docs/fineweb_defaults.md, scripts/measure_fineweb.py): alone, each removes 0.00% of the news
    and 0.11-0.30% of the review pages. A Korean line holds about twice the text of an English line of the
    same length, so a short line is at most 10 characters (FineWeb: 30), and only pages where more than 80%
    of the lines are that short (menus, tag lists, one-word comment pages) are removed.

    Parameters:
        min_line_punct_ratio: minimum share of lines ending a sentence; None disables.
        max_short_line_ratio: maximum share of lines of at most short_line_chars characters; None disables.
        short_line_chars: a line of at most this many characters is short.
        max_dup_line_char_ratio: maximum share of the document's characters (newlines excluded) in lines repeating an
            earlier line; None disables.
        max_newline_word_ratio: maximum line breaks (between non-blank lines) per word; None disables.
        min_lines_for_line_rules: the punctuation and short-line rules apply only to documents with at least this many
            non-blank lines.
        count_korean_endings: count a line ending in a Korean sentence-final syllable (다 요 죠 까 네 군 음 함 임 듯,
            before trailing ~ ^ ; ㅋ ㅎ ㅠ ㅜ ㄷ ♥ ♡) as ending a sentence.
    Reasons:
        line_punct_low: fewer than min_line_punct_ratio of lines end a sentence (and at least min_lines_for_line_rules
            lines).
        short_lines_high: more than max_short_line_ratio of lines are short (and at least min_lines_for_line_rules
            lines).
        dup_line_chars_high: more than max_dup_line_char_ratio of the characters are in duplicated lines.
        newline_ratio_high: more than max_newline_word_ratio line breaks per word.
    """
    if short_line_chars < 0 or min_lines_for_line_rules < 1:
        raise ValueError(f"short_line_chars must be >= 0 and min_lines_for_line_rules >= 1, got "
                         f"{short_line_chars!r} and {min_lines_for_line_rules!r}")
    m = fineweb_quality_profile(text, short_line_chars=short_line_chars, count_korean_endings=count_korean_endings)
    enough = m["lines"] >= min_lines_for_line_rules
    if enough and min_line_punct_ratio is not None and m["line_punct_ratio"] < min_line_punct_ratio:
        return "line_punct_low"
    if enough and max_short_line_ratio is not None and m["short_line_ratio"] > max_short_line_ratio:
        return "short_lines_high"
    if max_dup_line_char_ratio is not None and m["dup_line_char_ratio"] > max_dup_line_char_ratio:
        return "dup_line_chars_high"
    if max_newline_word_ratio is not None and m["newline_word_ratio"] > max_newline_word_ratio:
        return "newline_ratio_high"
    return None
