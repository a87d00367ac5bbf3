"""Gopher quality rules (Rae et al. 2021, MassiveText, Appendix A), adapted to Korean."""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter

import regex

from dps.text.profiling import Metric, Rule
from dps.text.words import (
    FUNCTION_WORD_MODES,
    count_letterless_words,
    count_function_words,
    count_word_chars,
    split_lines,
    split_words,
)

__all__ = ["gopher_quality", "gopher_quality_metrics", "gopher_quality_profile", "PROFILE_METRICS",
           "BULLET_PREFIXES"]

# Line starts counted as bullets. The paper names only "bullet points"; these are the list
# markers seen on Korean web pages and news: middle dots (· and the look-alike ㆍ, U+318D, that
# Korean IMEs produce), dashes, arrows and pointers (▶ ☞ →), squares, circles, diamonds,
# triangles, stars, the reference mark ※, check marks, and the jamo ㅇ / ㅁ that Korean
# government and office documents use as bullets (only when followed by a space, so a line of
# ㅇㅇ or ㅁㅊ chat is not a list). Numbered items (1. / 1) / ①) are not bullets.
BULLET_PREFIXES: tuple[str, ...] = (
    "•", "·", "ㆍ", "∙", "‧", "◦", "-", "–", "—", "*", "→", "➤", "➔",
    "▶", "▷", "►", "▸", "☞", "■", "□", "▪", "▫", "▣", "●", "○", "◎", "◆", "◇", "◈",
    "▲", "△", "▼", "▽", "★", "☆", "※", "✔", "✓", "✅", "ㅇ ", "ㅁ ",
)
# An ellipsis is a run of three or more periods or of "…"; a run counts once ("......" is one).
# Two periods ("..") are deliberately not an ellipsis: in Korean comments ".." is ordinary
# trailing punctuation, while the paper's rule targets truncated snippets ("...", "…").
_ELLIPSIS = regex.compile(r"\.{3,}|…+")  # `regex` scans this ~2x faster than `re` (measured)
_ELLIPSIS_ENDINGS = ("...", "…")
# A line's first character looked up in a set costs one call, str.startswith over all the prefixes ~40
# comparisons; the longer prefixes (ㅇ / ㅁ plus a space) are tried only on texts that contain one. A longer prefix
# starting with a one-character bullet adds no line, hence dropped.
_BULLET_CHARS = frozenset(p for p in BULLET_PREFIXES if len(p) == 1)
_LONG_BULLETS = tuple(p for p in BULLET_PREFIXES if len(p) > 1 and p[0] not in _BULLET_CHARS)
_first_char = itemgetter(0)


def _count_ellipses(text: str) -> int:
    if "..." not in text and "…" not in text:  # most documents: two C scans instead of a regex
        return 0
    return len(_ELLIPSIS.findall(text))


def _count_bullet_lines(lines: list[str], text: str) -> int:
    """Lines (non-blank, stripped: split_lines of `text`) starting with one of BULLET_PREFIXES."""
    found = sum(map(_BULLET_CHARS.__contains__, map(_first_char, lines)))
    if any(map(text.__contains__, _LONG_BULLETS)):
        found += sum(map(str.startswith, lines, repeat(_LONG_BULLETS)))
    return found


def _ellipsis_line_ratio(lines: list[str], n_ellipses: int) -> float:
    """Share of `lines` ending with an ellipsis; `n_ellipses` (_count_ellipses of their text) 0 means none can."""
    if not n_ellipses:
        return 0.0
    return _ratio(sum(map(str.endswith, lines, repeat(_ELLIPSIS_ENDINGS))), len(lines))


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _cheap_metrics(text: str) -> dict[str, float]:
    """Every metric except the function-word count, from one split into words and lines.

    The filter computes the same values with the same helpers, each only when its rule is reached.
    """
    n_words = len(split_words(text))
    lines = split_lines(text)
    n_ellipses = _count_ellipses(text)
    return {
        "words": n_words,
        "lines": len(lines),
        "mean_word_chars": _ratio(count_word_chars(text), n_words),
        "hash_word_ratio": _ratio(text.count("#"), n_words),
        "ellipsis_word_ratio": _ratio(n_ellipses, n_words),
        "bullet_line_ratio": _ratio(_count_bullet_lines(lines, text), len(lines)),
        "ellipsis_line_ratio": _ellipsis_line_ratio(lines, n_ellipses),
        "alpha_word_ratio": _ratio(n_words - count_letterless_words(text), n_words),
    }


def _check_mode(function_word_mode: str) -> None:
    if function_word_mode not in FUNCTION_WORD_MODES:
        raise ValueError(f"function_word_mode must be one of {FUNCTION_WORD_MODES}, got {function_word_mode!r}")


def gopher_quality_metrics(
    text: str, *, function_word_mode: str = "lexicon", function_word_max_chars: int | None = None
) -> dict[str, float]:
    """All gopher_quality metrics of `text` (for profiling), computed by the filter's own code.

    Keys: words, lines, mean_word_chars, hash_word_ratio, ellipsis_word_ratio, bullet_line_ratio,
    ellipsis_line_ratio, alpha_word_ratio, function_words. Ratios of an empty text are 0.0.
    By default the function words of the whole text are counted (the filter looks at a prefix).
    """
    _check_mode(function_word_mode)
    metrics = _cheap_metrics(text)
    metrics["function_words"] = count_function_words(text, function_word_mode, function_word_max_chars)
    return metrics


def gopher_quality_profile(
    text: str,
    *,
    min_function_words: int | None = 5,
    function_word_mode: str = "lexicon",
    function_word_max_chars: int | None = 2000,
    **_thresholds,
) -> dict[str, float]:
    """The metrics `dps profile` shows for a gopher_quality stage configured with these parameters.

    The filter's own code on the filter's own prefix; the function words are counted only when their rule is
    on (kiwi mode is slow), and without the filter's early stop, so the whole distribution shows.
    """
    _check_mode(function_word_mode)
    metrics = _cheap_metrics(text)
    if min_function_words is not None:
        metrics["function_words"] = count_function_words(text, function_word_mode, function_word_max_chars)
    return metrics


def _enough_lines_for_bullet_rule(metrics, params) -> bool:
    return metrics["lines"] >= params["min_lines_for_bullet_rule"]


PROFILE_METRICS: tuple[Metric, ...] = (
    Metric("words", "count", (Rule("min_words", "below", "too_few_words"),
                              Rule("max_words", "above", "too_many_words")),
           "whitespace-separated words (eojeol)"),
    Metric("lines", "count", (), "non-blank lines"),
    Metric("mean_word_chars", "positive", (Rule("min_mean_word_chars", "below", "mean_word_too_short"),
                                        Rule("max_mean_word_chars", "above", "mean_word_too_long")),
           "mean word length in characters"),
    Metric("hash_word_ratio", "ratio", (Rule("max_hash_word_ratio", "above", "hash_ratio_high"),),
           "'#' characters per word"),
    Metric("ellipsis_word_ratio", "ratio", (Rule("max_ellipsis_word_ratio", "above", "ellipsis_ratio_high"),),
           "ellipses ('...' or '…' runs) per word"),
    Metric("bullet_line_ratio", "ratio",
           (Rule("max_bullet_line_ratio", "above", "bullet_lines_high", when=_enough_lines_for_bullet_rule,
                 when_text="and lines >= min_lines_for_bullet_rule"),),
           "share of lines starting with a bullet"),
    Metric("ellipsis_line_ratio", "ratio", (Rule("max_ellipsis_line_ratio", "above", "ellipsis_lines_high"),),
           "share of lines ending with an ellipsis"),
    Metric("alpha_word_ratio", "ratio", (Rule("min_alpha_word_ratio", "below", "alpha_words_low"),),
           "share of words containing a letter (Hangul counts)"),
    Metric("function_words", "count", (Rule("min_function_words", "below", "too_few_function_words"),),
           "function morphemes (particles, endings) in the analyzed prefix", enabled_by="min_function_words"),
)


def gopher_quality(
    text: str,
    *,
    min_words: int | None = 20,
    max_words: int | None = 100_000,
    min_mean_word_chars: float | None = 2.0,
    max_mean_word_chars: float | None = 8.0,
    max_hash_word_ratio: float | None = 0.1,
    max_ellipsis_word_ratio: float | None = 0.2,
    max_bullet_line_ratio: float | None = 0.9,
    min_lines_for_bullet_rule: int = 3,
    max_ellipsis_line_ratio: float | None = 0.5,
    min_alpha_word_ratio: float | None = 0.8,
    min_function_words: int | None = 5,
    function_word_mode: str = "lexicon",
    function_word_max_chars: int | None = 2000,
) -> str | None:
    """Reject documents that fail one of the Gopher quality heuristics, adapted to Korean.

    The seven rules of Rae et al. 2021 (Appendix A), each disabled by setting its threshold(s)
    to None. Words are whitespace-separated eojeol, so a Korean word is a stem plus its particles
    or endings (학교에서): Korean words are shorter in characters than English ones and a
    document has fewer of them, hence lower word-count and word-length defaults than the paper's
    50 words and 3..10 characters. Defaults come from measured distributions on Korean news and
    review pages (docs/gopher_defaults.md, scripts/measure_gopher.py); the ellipsis limits are
    looser than the paper's because Korean comments use '...' as ordinary punctuation.

    Rules run cheapest first and the first failure is the reason. The '#' and ellipsis ratios are
    separate rules. An ellipsis is a run of three or more periods or of '…' ('..' is not one).
    Lines are the non-blank lines; a bullet line starts with one of BULLET_PREFIXES, and the
    bullet rule skips documents of fewer than min_lines_for_bullet_rule lines (a one-line chunk
    cut inside a list is not a list). The paper's English stop-word rule becomes a Korean
    function-morpheme rule: "lexicon" mode counts eojeol ending in a common particle or ending
    (은/는/에서/했다/습니다, ...) or equal to a function word (그리고, 및, 수, 것, ...); "kiwi" mode
    counts particle (J*) and ending (E*) morphemes found by kiwipiepy. Kiwi analyzes about
    0.2 MB/s per core, so the rule runs last, on a prefix, and stops as soon as it has found
    min_function_words (Kiwi sees growing chunks of 64, 128, ... characters).

    Parameters:
        min_words: minimum number of words (whitespace-separated eojeol); None disables.
        max_words: maximum number of words; None disables.
        min_mean_word_chars: minimum mean word length in characters; None disables.
        max_mean_word_chars: maximum mean word length in characters; None disables.
        max_hash_word_ratio: maximum number of '#' characters per word; None disables.
        max_ellipsis_word_ratio: maximum number of ellipses ('...' runs or '…' runs) per word; None disables.
        max_bullet_line_ratio: maximum fraction of non-blank lines starting with a bullet; None disables.
        min_lines_for_bullet_rule: the bullet rule applies only to documents with at least this many non-blank lines.
        max_ellipsis_line_ratio: maximum fraction of non-blank lines ending with '...' or '…'; None disables.
        min_alpha_word_ratio: minimum fraction of words containing a Unicode letter (Hangul, Latin, Han, kana); None
            disables.
        min_function_words: minimum number of Korean function morphemes (particles, endings, function words); None
            disables.
        function_word_mode: "lexicon" (fast suffix lexicon) or "kiwi" (kiwipiepy morphemes, slow).
        function_word_max_chars: count function morphemes only in this many leading characters (cut at a space); None
            counts the whole text.
    Reasons:
        too_few_words: fewer than min_words words.
        too_many_words: more than max_words words.
        mean_word_too_short: mean word length below min_mean_word_chars.
        mean_word_too_long: mean word length above max_mean_word_chars.
        hash_ratio_high: more than max_hash_word_ratio '#' per word.
        ellipsis_ratio_high: more than max_ellipsis_word_ratio ellipses per word.
        bullet_lines_high: more than max_bullet_line_ratio of lines start with a bullet (and at least
            min_lines_for_bullet_rule lines).
        ellipsis_lines_high: more than max_ellipsis_line_ratio of lines end with an ellipsis.
        alpha_words_low: fewer than min_alpha_word_ratio of words contain a letter.
        too_few_function_words: fewer than min_function_words function morphemes in the analyzed prefix.
    """
    _check_mode(function_word_mode)
    # The values of _cheap_metrics, each computed when its rule is reached: a rejected document and a disabled
    # rule skip the rest.
    n_words = len(split_words(text))
    if min_words is not None and n_words < min_words:
        return "too_few_words"
    if max_words is not None and n_words > max_words:
        return "too_many_words"
    if min_mean_word_chars is not None or max_mean_word_chars is not None:
        mean_word_chars = _ratio(count_word_chars(text), n_words)
        if min_mean_word_chars is not None and mean_word_chars < min_mean_word_chars:
            return "mean_word_too_short"
        if max_mean_word_chars is not None and mean_word_chars > max_mean_word_chars:
            return "mean_word_too_long"
    if max_hash_word_ratio is not None and _ratio(text.count("#"), n_words) > max_hash_word_ratio:
        return "hash_ratio_high"
    if max_ellipsis_word_ratio is not None or max_ellipsis_line_ratio is not None:
        n_ellipses = _count_ellipses(text)
        if max_ellipsis_word_ratio is not None and _ratio(n_ellipses, n_words) > max_ellipsis_word_ratio:
            return "ellipsis_ratio_high"
    if max_bullet_line_ratio is not None or max_ellipsis_line_ratio is not None:
        lines = split_lines(text)
        if (
            max_bullet_line_ratio is not None
            and len(lines) >= min_lines_for_bullet_rule
            and _ratio(_count_bullet_lines(lines, text), len(lines)) > max_bullet_line_ratio
        ):
            return "bullet_lines_high"
        if max_ellipsis_line_ratio is not None and _ellipsis_line_ratio(lines, n_ellipses) > max_ellipsis_line_ratio:
            return "ellipsis_lines_high"
    if min_alpha_word_ratio is not None:
        if _ratio(n_words - count_letterless_words(text), n_words) < min_alpha_word_ratio:
            return "alpha_words_low"
    # Last: in kiwi mode this is the only expensive rule.
    if min_function_words is not None:
        found = count_function_words(text, function_word_mode, function_word_max_chars, min_function_words)
        if found < min_function_words:
            return "too_few_function_words"
    return None
