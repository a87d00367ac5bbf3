"""Measure segment mode (segment_filter) against page mode on review pages.

Runs, on the review sample (one comment per line) and on the same pages with comment-widget lines added after
every comment the way pages crawled as HTML carry them (generated at run time: 신고 / 답글, a star score, an
author and date line), three chains of text stages at their defaults:

    page      spam_filter -> gopher_quality -> gopher_repetition (the page filters of configs/korean_web.yaml)
    segments  segment_filter -> the same page filters (segment_filter simply put in front)
    comments  segment_filter -> the page filters as the comment-page preset sets them (COMMENT_PAGE below)

and prints the share of pages each drops and why, the segments segment_filter removes per rule, what happens to
the pages the page chain drops, examples of removed segments, and segment_filter's single-core throughput.

    python scripts/bench_segments.py                 # ../shared/data/ko_reviews_sample.jsonl
    python scripts/bench_segments.py --data FILE.jsonl --examples 3
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from _common import DATA_DIR, read_texts  # noqa: E402

from dps.text.gopher_quality import gopher_quality  # noqa: E402
from dps.text.gopher_repetition import gopher_repetition  # noqa: E402
from dps.text.quarantine import Reject  # noqa: E402
from dps.text.segments import segment_filter_with_stats, segment_verdicts  # noqa: E402
from dps.text.spam import spam_filter  # noqa: E402

DEFAULT_DATA = Path(DATA_DIR) / "ko_reviews_sample.jsonl"
# The page filters' settings after segment_filter on comment pages (configs/korean_web.yaml, comment preset): the
# rules that judge a page by shares of its lines are what segment_filter judged per comment already.
COMMENT_PAGE = {
    "gopher_quality": {"max_ellipsis_line_ratio": None, "max_bullet_line_ratio": None},
    "gopher_repetition": {"max_dup_line_fraction": None, "max_dup_paragraph_fraction": None,
                          "max_dup_line_char_fraction": None, "max_dup_paragraph_char_fraction": None},
}


def page_filters(text: str, overrides: dict | None = None) -> str | None:
    overrides = overrides or {}
    for name, fn in (("spam_filter", spam_filter), ("gopher_quality", gopher_quality),
                     ("gopher_repetition", gopher_repetition)):
        reason = fn(text, **overrides.get(name, {}))
        if reason is not None:
            return f"{name}:{reason}"
    return None


def with_widgets(page: str, rng: random.Random) -> str:
    """The page as an HTML crawl flattens it: widget lines after each comment."""
    out = []
    for line in page.splitlines():
        if not line.strip():
            continue
        stars = rng.randint(1, 5)
        out += [line, "★" * stars + "☆" * (5 - stars) + f" {stars * 2}", f"user{rng.randint(1, 999):03d} "
                f"2024.{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}", "신고", "답글 0"]
    return "\n".join(out)


def run(pages: list[str], label: str, examples: int, rng: random.Random) -> None:
    n = len(pages)
    print(f"\n## {label}: {n:,} pages, {sum(map(len, pages)) / 1e6:.2f} M characters")
    results = {"page": Counter(), "segments": Counter(), "comments": Counter()}
    removed = Counter()
    seen_examples: dict[str, list[str]] = {}
    page_dropped_then = Counter()
    other_rules = Counter()  # pages the page chain drops by a rule other than the word count
    segments_total = 0
    chars_in = chars_out = 0
    for page in pages:
        page_reason = page_filters(page)
        results["page"][page_reason] += 1
        try:
            kept, stats = segment_filter_with_stats(page)
        except Reject as exc:
            for chain in ("segments", "comments"):
                results[chain]["segment_filter:" + exc.reason] += 1
            segments_total += exc.detail["segments"]
            removed.update(exc.detail["removed"])
            if page_reason:
                page_dropped_then["segment_filter:" + exc.reason] += 1
                if page_reason != "gopher_quality:too_few_words":
                    other_rules["segment_filter:" + exc.reason] += 1
            continue
        segments_total += stats.get("segments", 0)
        removed.update({k: v for k, v in stats.items() if ":" in k})
        chars_in += len(page)
        chars_out += len(kept)
        if examples and stats.get("segments_removed"):
            for segment, reason in segment_verdicts(page):
                if reason and len(seen_examples.setdefault(reason, [])) < examples and rng.random() < 0.1:
                    seen_examples[reason].append(segment)
        results["segments"][page_filters(kept)] += 1
        comments = page_filters(kept, COMMENT_PAGE)
        results["comments"][comments] += 1
        if page_reason:
            page_dropped_then[comments or "kept"] += 1
            if page_reason != "gopher_quality:too_few_words":
                other_rules[comments or "kept"] += 1
    print("\n| chain | pages dropped | share |\n| --- | --- | --- |")
    for chain, counts in results.items():
        dropped = n - counts[None]
        print(f"| {chain} | {dropped:,} | {dropped / n:.1%} |")
    print("\n| reason | page | segments | comments |\n| --- | --- | --- | --- |")
    reasons = sorted({r for c in results.values() for r in c if r}, key=lambda r: -max(c[r] for c in results.values()))
    for reason in reasons:
        print(f"| `{reason}` | " + " | ".join(f"{results[c][reason]:,}" for c in results) + " |")
    print(f"\nsegments judged: {segments_total:,}; removed by segment_filter, per rule:")
    print("\n| rule | segments removed | share of segments |\n| --- | --- | --- |")
    for rule, k in removed.most_common():
        print(f"| `{rule}` | {k:,} | {k / max(segments_total, 1):.2%} |")
    print(f"\ncharacters of the pages segment_filter keeps: {chars_out / max(chars_in, 1):.1%} kept")
    dropped = n - results["page"][None]
    print(f"\nthe {dropped:,} pages the page chain drops, under the comments chain: "
          + ", ".join(f"{k} {v:,}" for k, v in page_dropped_then.most_common()))
    print(f"of them, the {sum(other_rules.values()):,} dropped by a rule other than the word count (repetition, "
          "ellipsis, '#', letters, word length): " + ", ".join(f"{k} {v:,}" for k, v in other_rules.most_common()))
    for reason, lines in seen_examples.items():
        print(f"\n{reason}:")
        for line in lines:
            print("   ", line[:150])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--examples", type=int, default=3, help="removed segments printed per rule")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pages = read_texts(args.data)
    run(pages, "review pages as crawled (one comment per line)", args.examples, rng)
    widgets = random.Random(args.seed + 1)  # its own stream: the pages do not depend on --examples
    widget_pages = [with_widgets(p, widgets) for p in pages]
    run(widget_pages, "the same pages with widget lines after each comment", args.examples, rng)
    for label, docs in (("review pages", pages), ("with widget lines", widget_pages)):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            for page in docs:
                try:
                    segment_filter_with_stats(page)
                except Reject:
                    pass
            best = min(best, time.perf_counter() - t)
        mb = sum(len(p.encode()) for p in docs) / 1e6
        print(f"\nsegment_filter throughput, {label}: {mb / best:.1f} MB/s (one core, best of 3)")


if __name__ == "__main__":
    main()
