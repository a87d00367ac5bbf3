"""Gopher repetition rules (Rae et al. 2021, MassiveText, Table A1) on whitespace words (eojeol)."""

from __future__ import annotations

from collections import Counter
from itertools import compress, islice
from operator import indexOf

from dps.text.profiling import Metric, Rule
from dps.text.words import count_word_chars, split_lines, split_paragraphs, split_words

try:
    # The C loop inside Counter(iterable), into a plain dict: Counter's Python-level __init__ and update cost
    # ~1.5 us a call, and a document makes three or more (measured ~6 % of this filter's time).
    from collections import _count_elements
except ImportError:  # a private helper of collections; the public way, slower
    def _count_elements(mapping: dict, iterable) -> None:
        mapping.update(Counter(iterable))

__all__ = ["gopher_repetition", "gopher_repetition_metrics", "gopher_repetition_profile", "METRIC_NAMES",
           "PROFILE_METRICS"]

_TOP_NS = (2, 3, 4)
_DUP_NS = (5, 6, 7, 8, 9, 10)
_TOP_KEYS = {n: f"top_{n}gram_char_fraction" for n in _TOP_NS}
_DUP_KEYS = {n: f"dup_{n}gram_char_fraction" for n in _DUP_NS}
_NGRAM_KEYS = (*_TOP_KEYS.values(), *_DUP_KEYS.values())
# Per n-gram size: n, its metric, whether it is a dup_N, and its position in _NGRAM_KEYS (and in the limits).
_SIZES = tuple((n, key, n in _DUP_KEYS, j) for j, (n, key) in enumerate({**_TOP_KEYS, **_DUP_KEYS}.items()))
METRIC_NAMES: tuple[str, ...] = (
    "dup_line_fraction",
    "dup_paragraph_fraction",
    "dup_line_char_fraction",
    "dup_paragraph_char_fraction",
    *_NGRAM_KEYS,
)
_REASONS = tuple(f"{name}_high" for name in METRIC_NAMES)


def _duplicates(units: list[str]) -> tuple[float, float]:
    """(fraction of units equal to an earlier unit, fraction of unit characters in those units)."""
    if not units:
        return 0.0, 0.0
    counts = {}
    _count_elements(counts, units)
    dup_units = len(units) - len(counts)
    if not dup_units:
        return 0.0, 0.0
    dup_chars = sum(len(unit) * (k - 1) for unit, k in counts.items() if k > 1)
    return dup_units / len(units), dup_chars / sum(map(len, units))


def _exceeds(value: float, limit: float | None) -> bool:
    return limit is not None and value > limit


def _covered(grams: list[tuple[str, ...]], counts: dict, n: int, n_words: int) -> bytes:
    """One byte per word, 1 if some occurrence of a repeated n-gram covers it (overlaps count once).

    A start flag (one byte per n-gram) covers the n words from its position: OR-ing the flags
    shifted by 0..n-1 bytes, done on one big integer, keeps the work in C even for 1 MB inputs.
    """
    starts = int.from_bytes(bytes(map((1).__lt__, map(counts.__getitem__, grams))), "little")
    covered = 0
    for shift in range(n):
        covered |= starts << (8 * shift)
    return covered.to_bytes(n_words, "little")


def _word_ngram_metrics(words: list[str], total_chars: int, limits: tuple[float | None, ...] | None
                        ) -> dict[str, float]:
    """top_N (N=2..4) and dup_N (N=5..10) character fractions of a word list of `total_chars` characters.

    N-grams are tuples of words counted in C (mapping words to integer ids first, as tuples or as
    one integer per n-gram, measured slower: most documents need only N=2 and 3). Sizes stop at the
    first N whose n-grams are all distinct: then no longer n-gram can repeat either, and every later
    metric is 0.
    With `limits` (filter mode: the thresholds in _NGRAM_KEYS order) sizes also stop at the first
    failing rule, and once dup_N is at
    or below every enabled threshold of the larger sizes: the words covered by repeated
    (N+1)-grams are a subset of those covered by repeated N-grams, so dup_(N+1) <= dup_N.
    """
    m = dict.fromkeys(_NGRAM_KEYS, 0.0)
    n_words = len(words)
    lengths = None  # the word lengths, listed only for a dup_N
    for n, key, dup, j in _SIZES:
        grams = zip(words, words[1:]) if n == 2 else zip(*[words[i:] for i in range(n)])
        if dup:  # dup_N walks the n-grams again; top_N needs only their counts
            grams = list(grams)
        counts = {}
        _count_elements(counts, grams)
        if len(counts) >= n_words - n + 1:
            break
        if not dup:
            # The most frequent n-gram, ties to the first seen (dict order): as Counter.most_common(1), in C.
            k = max(counts.values())
            gram = next(islice(counts, indexOf(counts.values(), k), None))
            m[key] = sum(map(len, gram)) * k / total_chars
        else:
            if lengths is None:
                lengths = list(map(len, words))
            m[key] = sum(compress(lengths, _covered(grams, counts, n, n_words))) / total_chars
            if limits is not None and not any(_exceeds(m[key], limit) for limit in limits[j + 1:]):
                break
        if limits is not None and _exceeds(m[key], limits[j]):
            break
    return m


def _metrics(text: str, limits: tuple[float | None, ...] | None = None) -> dict[str, float]:
    """The repetition metrics of `text`, keyed by METRIC_NAMES in that order.

    With `limits` (filter mode: the thresholds in METRIC_NAMES order, None = off) work stops at the
    first metric above its threshold; the metrics not computed are left at 0.0, and the filter
    reads them in order.
    """
    lines = split_lines(text)
    line_fraction, line_char_fraction = _duplicates(lines)
    paragraphs = split_paragraphs(text) if "\n" in text else lines
    if paragraphs == lines:  # no blank line: the paragraphs are the lines
        paragraph_fraction, paragraph_char_fraction = line_fraction, line_char_fraction
    else:
        paragraph_fraction, paragraph_char_fraction = _duplicates(paragraphs)
    m = {
        "dup_line_fraction": line_fraction,
        "dup_paragraph_fraction": paragraph_fraction,
        "dup_line_char_fraction": line_char_fraction,
        "dup_paragraph_char_fraction": paragraph_char_fraction,
    }
    if limits is not None and any(map(_exceeds, m.values(), limits[:4])):
        m.update(dict.fromkeys(_NGRAM_KEYS, 0.0))
    else:
        m.update(_word_ngram_metrics(split_words(text), count_word_chars(text),
                                     None if limits is None else limits[4:]))
    return m


def gopher_repetition_metrics(text: str) -> dict[str, float]:
    """All gopher_repetition metrics of `text` (for profiling), computed by the filter's own code.

    Keys are METRIC_NAMES; a text without lines or words has 0.0 everywhere.
    """
    return _metrics(text)


def gopher_repetition_profile(text: str, **params) -> dict[str, float]:
    """The metrics `dps profile` shows for a gopher_repetition stage: all of them, and `ngram_excess`, the largest
    n-gram fraction relative to its (unscaled) threshold: the family rejects a document when it is above
    ngram_scale."""
    m = _metrics(text)
    m["ngram_excess"] = ngram_excess(m, params)
    return m


# ngram_excess of an n-gram fraction above a threshold of 0 (a finite stand-in, for histograms).
_EXCESS_CAP = 1e6


def ngram_excess(metrics: dict[str, float], params: dict) -> float:
    """max over the enabled n-gram rules of fraction / threshold (0 when none is enabled)."""
    excess = 0.0
    for key in _NGRAM_KEYS:
        limit = params.get(f"max_{key}")
        if limit is None:
            continue
        value = metrics[key]
        ratio = value / limit if limit > 0 else (_EXCESS_CAP if value > 0 else 0.0)
        excess = max(excess, min(ratio, _EXCESS_CAP))
    return excess


_DESCRIPTIONS = {
    "dup_line_fraction": "share of lines equal to an earlier line",
    "dup_paragraph_fraction": "share of paragraphs equal to an earlier paragraph",
    "dup_line_char_fraction": "share of line characters in duplicate lines",
    "dup_paragraph_char_fraction": "share of paragraph characters in duplicate paragraphs",
    **{key: f"share of word characters in the most frequent word {n}-gram" for n, key in _TOP_KEYS.items()},
    **{key: f"share of word characters covered by repeated word {n}-grams" for n, key in _DUP_KEYS.items()},
}
# Every metric is thresholded by max_<metric> (the n-gram ones times ngram_scale) and rejected as <metric>_high;
# ngram_excess shows the nine n-gram rules as the one control ngram_scale.
PROFILE_METRICS: tuple[Metric, ...] = (
    *(Metric(name, "ratio", (Rule(f"max_{name}", "above", f"{name}_high",
                                  scale_param="ngram_scale" if name in _NGRAM_KEYS else None),), _DESCRIPTIONS[name])
      for name in METRIC_NAMES),
    Metric("ngram_excess", "positive", (Rule("ngram_scale", "above", "*gram_char_fraction_high"),),
           "the largest n-gram fraction (top_2..4, dup_5..10) divided by its max_ threshold"),
)


def gopher_repetition(
    text: str,
    *,
    max_dup_line_fraction: float | None = 0.30,
    max_dup_paragraph_fraction: float | None = 0.30,
    max_dup_line_char_fraction: float | None = 0.20,
    max_dup_paragraph_char_fraction: float | None = 0.20,
    max_top_2gram_char_fraction: float | None = 0.20,
    max_top_3gram_char_fraction: float | None = 0.18,
    max_top_4gram_char_fraction: float | None = 0.16,
    max_dup_5gram_char_fraction: float | None = 0.15,
    max_dup_6gram_char_fraction: float | None = 0.14,
    max_dup_7gram_char_fraction: float | None = 0.13,
    max_dup_8gram_char_fraction: float | None = 0.12,
    max_dup_9gram_char_fraction: float | None = 0.11,
    max_dup_10gram_char_fraction: float | None = 0.10,
    ngram_scale: float = 1.0,
) -> str | None:
    """Reject documents that repeat lines, paragraphs or word n-grams too much (Gopher Table A1).

    Lines are the non-blank lines, stripped; paragraphs are separated by blank lines, and are the
    lines when a document has no blank line. A duplicate line/paragraph is one equal to an earlier
    one: the fraction rules divide their number by the number of lines/paragraphs, the char
    fraction rules divide their characters by the characters of all lines/paragraphs.

    Words are whitespace-separated eojeol; n-gram characters are the characters of their words
    (spaces excluded), divided by the characters of all words. top_N: the most frequent N-gram
    (ties: the first seen), its characters times its count; 0 unless it occurs more than once.
    dup_N: the words covered by any occurrence of an N-gram occurring more than once, the first
    occurrence included, overlapping occurrences counted once. The paper's thresholds are kept
    (measured on Korean news and reviews in docs/gopher_defaults.md).

    Parameters:
        max_dup_line_fraction: maximum fraction of lines that duplicate an earlier line; None disables.
        max_dup_paragraph_fraction: maximum fraction of paragraphs that duplicate an earlier paragraph; None disables.
        max_dup_line_char_fraction: maximum fraction of line characters in duplicate lines; None disables.
        max_dup_paragraph_char_fraction: maximum fraction of paragraph characters in duplicate paragraphs; None
            disables.
        max_top_2gram_char_fraction: maximum fraction of word characters covered by the most frequent word 2-gram;
            None disables.
        max_top_3gram_char_fraction: same for the most frequent 3-gram; None disables.
        max_top_4gram_char_fraction: same for the most frequent 4-gram; None disables.
        max_dup_5gram_char_fraction: maximum fraction of word characters covered by repeated word 5-grams; None
            disables.
        max_dup_6gram_char_fraction: same for repeated 6-grams; None disables.
        max_dup_7gram_char_fraction: same for repeated 7-grams; None disables.
        max_dup_8gram_char_fraction: same for repeated 8-grams; None disables.
        max_dup_9gram_char_fraction: same for repeated 9-grams; None disables.
        max_dup_10gram_char_fraction: same for repeated 10-grams; None disables.
        ngram_scale: multiplies the nine n-gram thresholds (top_2..4, dup_5..10): one control for the family
            (1.2: each may be 20 % higher). `dps profile` shows it as the metric ngram_excess.
    Reasons:
        dup_line_fraction_high: too many duplicate lines.
        dup_paragraph_fraction_high: too many duplicate paragraphs.
        dup_line_char_fraction_high: too many characters in duplicate lines.
        dup_paragraph_char_fraction_high: too many characters in duplicate paragraphs.
        top_2gram_char_fraction_high: the most frequent 2-gram covers too many characters.
        top_3gram_char_fraction_high: the most frequent 3-gram covers too many characters.
        top_4gram_char_fraction_high: the most frequent 4-gram covers too many characters.
        dup_5gram_char_fraction_high: repeated 5-grams cover too many characters.
        dup_6gram_char_fraction_high: repeated 6-grams cover too many characters.
        dup_7gram_char_fraction_high: repeated 7-grams cover too many characters.
        dup_8gram_char_fraction_high: repeated 8-grams cover too many characters.
        dup_9gram_char_fraction_high: repeated 9-grams cover too many characters.
        dup_10gram_char_fraction_high: repeated 10-grams cover too many characters.
    """
    if not ngram_scale > 0:
        raise ValueError(f"ngram_scale must be > 0, got {ngram_scale}")
    thresholds = (
        max_dup_line_fraction,
        max_dup_paragraph_fraction,
        max_dup_line_char_fraction,
        max_dup_paragraph_char_fraction,
        max_top_2gram_char_fraction,
        max_top_3gram_char_fraction,
        max_top_4gram_char_fraction,
        max_dup_5gram_char_fraction,
        max_dup_6gram_char_fraction,
        max_dup_7gram_char_fraction,
        max_dup_8gram_char_fraction,
        max_dup_9gram_char_fraction,
        max_dup_10gram_char_fraction,
    )
    if ngram_scale != 1.0:
        thresholds = thresholds[:4] + tuple(None if t is None else t * ngram_scale for t in thresholds[4:])
    for value, limit, reason in zip(_metrics(text, thresholds).values(), thresholds, _REASONS):
        if limit is not None and value > limit:
            return reason
    return None
