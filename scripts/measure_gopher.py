"""Measure the Gopher quality/repetition metrics on JSONL corpora; the numbers behind the defaults.

    python scripts/measure_gopher.py [FILE.jsonl ...] [--limit N] [--set PARAM=VALUE ...]
                                     [--bench] [--kiwi-docs N]

For each file (default: the two shared Korean samples) prints, per metric, the quantiles
p1 p5 p25 p50 p75 p95 p99 over documents; the fraction of documents each rule removes on its
own at the filters' defaults (or --set overrides); the fraction each filter removes as a whole
and the breakdown by the reason it reports (its first failing rule). --bench times each filter
(lexicon mode) in MB/s of UTF-8 input per core; --kiwi-docs N compares kiwi and lexicon mode
on N documents spread over each file and times kiwi mode.
Pure Python, one process, no Spark. Prints numbers only, never document text.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dps.text.gopher_quality import gopher_quality, gopher_quality_metrics  # noqa: E402
from dps.text.gopher_repetition import METRIC_NAMES, gopher_repetition, gopher_repetition_metrics  # noqa: E402

DEFAULT_FILES = ["/work/shared/data/ko_news_sample.jsonl", "/work/shared/data/ko_reviews_sample.jsonl"]
QUANTILES = (1, 5, 25, 50, 75, 95, 99)

# The threshold parameters, one per rule, in the filters' order. "Removes alone" runs the filter
# with every other rule disabled, so the script never re-implements a rule.
QUALITY_RULES = {
    "min_words": "too_few_words",
    "max_words": "too_many_words",
    "min_mean_word_chars": "mean_word_too_short",
    "max_mean_word_chars": "mean_word_too_long",
    "max_hash_word_ratio": "hash_ratio_high",
    "max_ellipsis_word_ratio": "ellipsis_ratio_high",
    "max_bullet_line_ratio": "bullet_lines_high",
    "max_ellipsis_line_ratio": "ellipsis_lines_high",
    "min_alpha_word_ratio": "alpha_words_low",
    "min_function_words": "too_few_function_words",
}
REPETITION_RULES = {f"max_{name}": f"{name}_high" for name in METRIC_NAMES}


def defaults(fn) -> dict:
    return {p.name: p.default for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY}


def parse_value(raw: str):
    if raw == "None":
        return None
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


def read_texts(path: str, limit: int | None) -> list[str]:
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(texts) >= limit:
                break
            texts.append(json.loads(line)["text"])
    return texts


def print_stage(title: str, fn, texts: list[str], rows: list[dict], rules: dict[str, str], params: dict) -> None:
    n = len(texts)
    print(f"\n{title}  (n={n})")
    print(f"{'metric':30}" + "".join(f"{'p' + str(q):>9}" for q in QUANTILES))
    for metric in rows[0] if rows else []:
        qs = np.percentile(np.array([row[metric] for row in rows], dtype=float), QUANTILES)
        print(f"{metric:30}" + "".join(f"{q:9.3f}" for q in qs))
    reasons = Counter(fn(t, **params) for t in texts)
    print(f"\n{'rule':36}{'value':>10}{'alone':>9}{'reason':>9}")
    for rule, reason in rules.items():
        only = {**params, **{other: None for other in rules if other != rule}}
        alone = sum(fn(t, **only) is not None for t in texts) if params[rule] is not None else 0
        print(f"{rule:36}{params[rule]!s:>10}{alone / n:9.2%}{reasons.get(reason, 0) / n:9.2%}")
    print(f"{'whole filter':36}{'':>10}{'':>9}{(n - reasons.get(None, 0)) / n:9.2%}")


def bench(name: str, fn, texts: list[str], **params) -> None:
    """Print MB/s of UTF-8 input per core: process CPU time, best of three runs."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    seconds = float("inf")
    for _ in range(3):
        start = time.process_time()
        for text in texts:
            fn(text, **params)
        seconds = min(seconds, time.process_time() - start)
    print(f"  {name:44} {size / seconds / 1e6:7.2f} MB/s  ({len(texts)} docs, {size / 1e6:.2f} MB, {seconds:.2f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", default=DEFAULT_FILES)
    parser.add_argument("--limit", type=int, default=None, help="read at most N documents per file")
    parser.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                        help="override a gopher_quality or gopher_repetition parameter (None disables)")
    parser.add_argument("--bench", action="store_true", help="time each filter (lexicon mode)")
    parser.add_argument("--kiwi-docs", type=int, default=0, help="compare and time kiwi mode on N documents per file")
    args = parser.parse_args(argv)

    quality_params, repetition_params = defaults(gopher_quality), defaults(gopher_repetition)
    for item in args.set:
        key, _, raw = item.partition("=")
        target = quality_params if key in quality_params else repetition_params if key in repetition_params else None
        if target is None:
            parser.error(f"unknown parameter {key!r}")
        target[key] = parse_value(raw)
    fw_options = {k: quality_params[k] for k in ("function_word_mode", "function_word_max_chars")}

    for path in args.files:
        texts = read_texts(path, args.limit)
        n = len(texts)
        print(f"\n=== {path}: {n} documents, {sum(len(t.encode('utf-8')) for t in texts) / 1e6:.2f} MB")
        quality_rows = [gopher_quality_metrics(t, **fw_options) for t in texts]
        print_stage("gopher_quality", gopher_quality, texts, quality_rows, QUALITY_RULES, quality_params)
        repetition_rows = [gopher_repetition_metrics(t) for t in texts]
        print_stage("gopher_repetition", gopher_repetition, texts, repetition_rows, REPETITION_RULES, repetition_params)
        both = sum(
            gopher_quality(t, **quality_params) is None and gopher_repetition(t, **repetition_params) is None
            for t in texts
        )
        print(f"\nremoved by quality or repetition: {(n - both) / n if n else 0:.2%}")

        if args.bench:
            print("\nthroughput (one process, single thread; noisy on a shared machine):")
            bench("gopher_quality (lexicon)", gopher_quality, texts, **quality_params)
            bench("gopher_repetition", gopher_repetition, texts, **repetition_params)
            bench("gopher_quality_metrics", gopher_quality_metrics, texts)
            bench("gopher_repetition_metrics", gopher_repetition_metrics, texts)
        if args.kiwi_docs:
            sample = texts[:: max(1, n // args.kiwi_docs)][: args.kiwi_docs]  # spread over the file
            kiwi_params = {**quality_params, "function_word_mode": "kiwi"}
            kiwi_fw = {**fw_options, "function_word_mode": "kiwi"}
            counts = [gopher_quality_metrics(t, **kiwi_fw)["function_words"] for t in sample]  # loads Kiwi
            print(f"\nkiwi mode on {len(sample)} documents spread over the file:")
            print(f"{'function_words (kiwi)':30}" + "".join(f"{q:9.3f}" for q in np.percentile(counts, QUANTILES)))
            for mode, mode_params in (("lexicon", quality_params), ("kiwi", kiwi_params)):
                removed = Counter(gopher_quality(t, **mode_params) for t in sample)
                print(f"  {mode:8} removes {(len(sample) - removed.get(None, 0)) / len(sample):.2%}, "
                      f"too_few_function_words {removed.get('too_few_function_words', 0) / len(sample):.2%}")
            bench("gopher_quality (kiwi)", gopher_quality, sample, **kiwi_params)
            bench("Kiwi on the whole prefix (metrics)", gopher_quality_metrics, sample, **kiwi_fw)

if __name__ == "__main__":
    main()
