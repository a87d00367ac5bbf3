"""Segment mode: judge each comment of a comment or review page, drop the bad ones, keep the rest.

A review or comment page is a list of independent short texts. The page filters judge the whole page, so one
spam comment, widget lines repeated on every comment (신고, star scores, author and date) or a few comments
ending in '...' drop the page, or a spam comment stays in the kept text. `segment_filter` cuts the page into
segments (its lines, or the pieces between a separator), judges each with the Gopher rules and the spam lexicon,
removes the offending segments and keeps the rest; it rejects the page (segment_filter:too_few_segments_left)
only when too little is left. Pure text, no Spark: the stage is a map stage (it changes the text and reports
per-reason counters); its one page-level verdict is raised as dps.text.quarantine.Reject.
"""

from __future__ import annotations

import inspect

from dps.text import gopher_quality as gq, gopher_repetition as gr, spam as spam_lexicon
from dps.text.quarantine import Reject
from dps.text.twins import stats_twin
from dps.text.words import count_letterless_words

__all__ = ["segment_filter", "segment_filter_with_stats", "segment_verdicts", "split_segments", "SEGMENT_MODES"]

SEGMENT_MODES = ("lines", "separator")


def _defaults(fn) -> dict:
    return {n: p.default for n, p in inspect.signature(fn).parameters.items() if p.kind is p.KEYWORD_ONLY}


# The page filters' thresholds, read from their signatures (one declaration per fact): a segment is held to
# the same limits as a page for every rule that means something on one short text.
_GQ = _defaults(gq.gopher_quality)
_GR = _defaults(gr.gopher_repetition)
# The repetition rules a segment is held to: the n-gram rules (the line and paragraph rules judge lines of a page;
# within a segment they apply in separator mode, where a segment can have lines).
_GR_LIMITS = tuple(_GR[f"max_{name}"] for name in gr.METRIC_NAMES)


def split_segments(text: str, segment_mode: str = "lines", segment_separator: str = "\n\n") -> list[str]:
    """The pieces of `text`: its lines ("lines") or the pieces between `segment_separator` ("separator"),
    unstripped and blank ones included, so that joining them back with the separator gives `text`."""
    _check(segment_mode, segment_separator)
    return text.split("\n" if segment_mode == "lines" else segment_separator)


def _check(segment_mode: str, segment_separator: str) -> None:
    if segment_mode not in SEGMENT_MODES:
        raise ValueError(f"segment_mode must be one of {SEGMENT_MODES}, got {segment_mode!r}")
    if segment_mode == "separator" and not segment_separator:
        raise ValueError("segment_separator must not be empty in segment_mode 'separator'")


def _quality_reason(segment: str, min_words_for_ratio_rules: int) -> str | None:
    """The gopher_quality rules that mean something on one short text, at the page defaults.

    Not applied: min_words/max_words (a comment is short by nature: the page decision counts what is left),
    the bullet and ellipsis-line rules (a share of lines: on one line it is 0 or 1), the function-word count (a
    minimum of 5 is a page's; a short comment has fewer). The word ratios need a few words
    (min_words_for_ratio_rules): on one or two words the mean length is a word's length (glued Korean,
    최고의영화였다, is not gibberish) and a score after a short comment (재밌다 10) is a third of its words. A
    shorter segment is removed by the letter rule only when no word has a letter (a star score, a date, a bare
    number), and by the '#' rule (a line of hashtags). Ellipses: one '...' in a comment is punctuation, so the
    rule counts the ellipses after the first.
    """
    words = segment.split()
    n = len(words)
    if not n:
        return None
    letterless = count_letterless_words(segment)
    long_enough = n >= min_words_for_ratio_rules
    if _GQ["min_alpha_word_ratio"] is not None and (
            letterless == n or long_enough and (n - letterless) / n < _GQ["min_alpha_word_ratio"]):
        return "alpha_words_low"
    if _GQ["max_hash_word_ratio"] is not None and segment.count("#") / n > _GQ["max_hash_word_ratio"]:
        return "hash_ratio_high"
    if long_enough:
        mean = sum(map(len, words)) / n
        if _GQ["min_mean_word_chars"] is not None and mean < _GQ["min_mean_word_chars"]:
            return "mean_word_too_short"
        if _GQ["max_mean_word_chars"] is not None and mean > _GQ["max_mean_word_chars"]:
            return "mean_word_too_long"
        if _GQ["max_ellipsis_word_ratio"] is not None and \
                (gq._count_ellipses(segment) - 1) / n > _GQ["max_ellipsis_word_ratio"]:
            return "ellipsis_ratio_high"
    return None


def _repetition_reason(segment: str, min_words_for_ngram_rules: int) -> str | None:
    """gopher_repetition's rules within one segment of at least min_words_for_ngram_rules words (on fewer words
    one repeated pair is already a large share)."""
    if len(segment.split()) < min_words_for_ngram_rules:
        return None
    for value, limit, reason in zip(gr._metrics(segment, _GR_LIMITS).values(), _GR_LIMITS, gr._REASONS):
        if limit is not None and value > limit:
            return reason
    return None


def _verdicts(pieces: list[str], params: dict) -> list[str | None]:
    """Per piece, the rule that removes it (family:reason) or None (kept, or blank)."""
    out: list[str | None] = [None] * len(pieces)
    seen: set[str] = set()
    check_spam = params["spam"]
    spam_args = {k: params[k] for k in ("categories", "lexicon_path", "lexicon_mode", "normalize_dodges")}
    if check_spam:
        # Most pages have no lexicon term at all: one scan of the page spares a scan per segment.
        check_spam = sum(spam_lexicon.spam_scores("\n".join(pieces), **spam_args).values()) > 0
    for i, piece in enumerate(pieces):
        segment = piece.strip()
        if not segment:
            continue
        reason = None
        if params["repetition"]:
            if segment in seen:
                reason = "gopher_repetition:dup_segment"
            seen.add(segment)
        if reason is None and params["quality"]:
            found = _quality_reason(segment, params["min_words_for_ratio_rules"])
            reason = found and f"gopher_quality:{found}"
        if reason is None and check_spam:
            scores = spam_lexicon.spam_scores(segment, **spam_args)
            total = sum(scores.values())
            if total >= params["min_segment_spam_weight"] and \
                    total * 1000.0 / len(segment) >= params["min_segment_spam_density"]:
                reason = f"spam_filter:spam_{max(scores, key=scores.__getitem__)}"
        if reason is None and params["repetition"]:
            found = _repetition_reason(segment, params["min_words_for_ngram_rules"])
            reason = found and f"gopher_repetition:{found}"
        out[i] = reason
    return out


def _join(pieces: list[str], keep: list[bool], separator: str) -> str:
    """The kept pieces joined back; blank pieces that a removal left side by side count once, and none is left
    at either end where the removal exposed it."""
    out: list[str] = []
    blank_run = False
    for piece, kept in zip(pieces, keep):
        if not kept:
            continue
        blank = not piece.strip()
        if blank and (blank_run or not out):
            continue
        out.append(piece)
        blank_run = blank
    while out and not out[-1].strip():
        out.pop()
    return separator.join(out)


def segment_filter(
    text: str,
    *,
    segment_mode: str = "lines",
    segment_separator: str = "\n\n",
    quality: bool = True,
    repetition: bool = True,
    spam: bool = True,
    min_words_for_ratio_rules: int = 10,
    min_words_for_ngram_rules: int = 10,
    min_segment_spam_weight: float = 3.0,
    min_segment_spam_density: float = 25.0,
    categories: list[str] | None = None,
    lexicon_path: str | None = None,
    lexicon_mode: str = "extend",
    normalize_dodges: bool = True,
    min_segments: int = 2,
    min_kept_segments: int = 1,
    min_kept_chars_ratio: float = 0.2,
) -> str:
    """Judge each comment of a comment or review page: drop the bad segments, keep the rest.

    For pages that are lists of independent short texts (reviews, comments). The page is cut into segments:
    its lines (segment_mode "lines") or the pieces between segment_separator ("separator"); blank segments are
    layout. Each segment is judged in turn, and the first rule it fails removes it (the report counts removed
    segments per rule):

    - gopher_repetition:dup_segment: equal (stripped) to an earlier segment of the page: widget lines (신고,
      답글, star scores) and comments posted twice; the first copy stays. Then gopher_repetition's n-gram rules
      (top_2..4, dup_5..10 at its default thresholds) within a segment of at least min_words_for_ngram_rules
      words (on fewer, one repeated pair is already a large share).
    - gopher_quality: at its default thresholds, the rules that mean something on one short text. On a segment
      of at least min_words_for_ratio_rules words: the share of words with a letter, the mean word length, and
      the ellipses per word (counting those after the first: one '...' in a comment is punctuation). On a
      shorter one only a segment without any letter (a star score, a date, a number) and '#' per word (a line
      of hashtags): the word ratios of one or two words are those words' lengths (glued Korean is not
      gibberish). The word count, bullet-line, ellipsis-line and function-word rules are page rules (a share
      of lines is 0 or 1 on one line; a comment is short by nature) and are left to the page filters.
    - spam_filter:spam_<category>: the spam lexicon (dodge-normalized, see spam_filter) weighs at least
      min_segment_spam_weight in the segment, at least min_segment_spam_density per 1,000 characters.

    A page of fewer than min_segments segments is not a list and is returned unchanged (the page filters judge
    it). The page is rejected as too_few_segments_left when fewer than min_kept_segments segments or less than
    min_kept_chars_ratio of the segment characters would be left; its dps_detail lists what was removed.
    Otherwise the removed segments are cut out (a blank line their removal leaves doubled counts once) and the
    rest is returned unchanged. Follow it with the page filters for what is left (gopher_quality's min_words
    on the kept comments), with their line-based rules loosened for comment pages (configs/korean_web.yaml).
    Measured on the review sample: docs/cleaners.md (scripts/bench_segments.py).

    Parameters:
        segment_mode: "lines" (one segment per line) or "separator" (pieces between segment_separator).
        segment_separator: the separator between segments in segment_mode "separator" (a blank line by default).
        quality: judge segments with gopher_quality's per-segment rules.
        repetition: remove duplicate segments and judge segments with gopher_repetition's n-gram rules.
        spam: judge segments with the spam lexicon.
        min_words_for_ratio_rules: the mean-word-length and ellipsis rules apply to segments of at least this
            many words.
        min_words_for_ngram_rules: the n-gram repetition rules apply to segments of at least this many words.
        min_segment_spam_weight: a segment whose summed spam term weight reaches this (and the density) is removed.
        min_segment_spam_density: ... and whose weight per 1,000 characters reaches this.
        categories: spam lexicon categories to use; None uses all.
        lexicon_path: a YAML spam lexicon in the shipped file's format; None uses the shipped one.
        lexicon_mode: "extend" adds the user lexicon to the shipped one; "replace" uses it alone.
        normalize_dodges: match the spam lexicon in the dodge-normalized view (as spam_filter).
        min_segments: pages with fewer segments are not lists: returned unchanged, for the page filters.
        min_kept_segments: reject the page when fewer segments than this are left.
        min_kept_chars_ratio: reject the page when less than this share of its segment characters is left.
    Reasons:
        too_few_segments_left: removing the bad segments would leave fewer than min_kept_segments segments or
            less than min_kept_chars_ratio of the characters.
    """
    return _segment_filter(**locals())[0]


@stats_twin(segment_filter)
def segment_filter_with_stats(
    text: str,
    *,
    segment_mode: str,
    segment_separator: str,
    quality: bool,
    repetition: bool,
    spam: bool,
    min_words_for_ratio_rules: int,
    min_words_for_ngram_rules: int,
    min_segment_spam_weight: float,
    min_segment_spam_density: float,
    categories: list[str] | None,
    lexicon_path: str | None,
    lexicon_mode: str,
    normalize_dodges: bool,
    min_segments: int,
    min_kept_segments: int,
    min_kept_chars_ratio: float,
) -> tuple[str, dict[str, int]]:
    """segment_filter, also returning its counters: segments judged, segments_removed, and per rule the
    segments it removed (gopher_quality:alpha_words_low, gopher_repetition:dup_segment, spam_filter:spam_ad...)."""
    return _segment_filter(**locals())


def segment_verdicts(text: str, **params) -> list[tuple[str, str | None]]:
    """For inspection (scripts/bench_segments.py): each non-blank segment of `text`, stripped, with the rule that
    removes it or None, under segment_filter's parameters (defaults for those not given)."""
    params = {**_defaults(segment_filter), **params}
    _check(params["segment_mode"], params["segment_separator"])
    pieces = text.split("\n" if params["segment_mode"] == "lines" else params["segment_separator"])
    return [(p.strip(), r) for p, r in zip(pieces, _verdicts(pieces, params)) if p.strip()]


def _segment_filter(text: str, *, segment_mode: str, segment_separator: str, min_segments: int,
                    min_kept_segments: int, min_kept_chars_ratio: float, **params) -> tuple[str, dict[str, int]]:
    _check(segment_mode, segment_separator)
    if not 0.0 <= min_kept_chars_ratio <= 1.0:
        raise ValueError(f"min_kept_chars_ratio must be in [0, 1], got {min_kept_chars_ratio}")
    separator = "\n" if segment_mode == "lines" else segment_separator
    if separator not in text:  # one segment: not a list; the page filters judge it
        return text, {}
    pieces = text.split(separator)
    stripped = [p.strip() for p in pieces]
    n_segments = sum(1 for p in stripped if p)
    if n_segments < min_segments:
        return text, {}
    verdicts = _verdicts(pieces, params)
    counters: dict[str, int] = {}
    for reason in verdicts:
        if reason is not None:
            counters[reason] = counters.get(reason, 0) + 1
    n_removed = sum(counters.values())
    stats = {"segments": n_segments, "segments_removed": n_removed, **counters}
    if not n_removed:
        return text, stats
    n_chars = sum(map(len, stripped))
    kept_chars = sum(len(p) for p, r in zip(stripped, verdicts) if r is None)
    if n_segments - n_removed < min_kept_segments or kept_chars < min_kept_chars_ratio * n_chars:
        raise Reject("too_few_segments_left", {
            "segments": n_segments, "kept": n_segments - n_removed, "kept_chars_ratio": round(kept_chars / n_chars, 3),
            "min_kept_segments": min_kept_segments, "min_kept_chars_ratio": min_kept_chars_ratio,
            "removed": dict(sorted(counters.items()))})
    return _join(pieces, [r is None for r in verdicts], separator), stats
