"""Measure the Korean source cleaners (strip_html, clean_news_boilerplate, spam_filter) on a JSONL sample.

Prints, for every rule: documents touched, spans cut, characters removed and up to --examples before/after
examples; how often invented boilerplate wrapped around each document is cut exactly; spam_filter's
rejections and score distribution; and single-core throughput in MB/s (UTF-8 bytes of input per second) for
each stage alone and for the three chained, on the documents as they are and wrapped in markup/boilerplate.

    python scripts/bench_cleaners.py                      # ../shared/data/ko_news_sample.jsonl
    python scripts/bench_cleaners.py --data other.jsonl --examples 5 --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from _common import DATA_DIR, read_texts  # noqa: E402

from dps.text.html import strip_html  # noqa: E402
from dps.text.news_boilerplate import (  # noqa: E402
    clean_news_boilerplate,
    clean_news_boilerplate_with_stats,
    news_boilerplate_rules,
)
from dps.text.spam import spam_filter, spam_scores  # noqa: E402

DEFAULT_DATA = Path(DATA_DIR) / "ko_news_sample.jsonl"


def window(before: str, after: str, width: int) -> tuple[str, str]:
    """The region around the first and last difference, so long documents show what changed."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    tail = 0
    while tail < min(len(before), len(after)) - start and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    lo = max(0, start - width)

    def cut(s: str) -> str:
        hi = min(len(s), len(s) - tail + width)
        return ("…" if lo else "") + s[lo:hi] + ("…" if hi < len(s) else "")

    return cut(before), cut(after)


def report_map(name: str, fn, docs: list[str], n_examples: int, width: int) -> None:
    touched, removed, examples = 0, 0, []
    for d in docs:
        out = fn(d)
        if out != d:
            touched += 1
            removed += len(d) - len(out)
            if len(examples) < n_examples:
                examples.append(window(d, out, width))
    print(f"\n## {name}: {touched} documents touched ({100 * touched / max(1, len(docs)):.2f}%), "
          f"{removed} characters removed")
    for i, (b, a) in enumerate(examples, 1):
        print(f"  [{i}] before: {b!r}\n      after:  {a!r}")
    if not examples:
        print("  (no document touched)")


def report_boilerplate(docs: list[str], n_examples: int, width: int) -> None:
    print("\n# clean_news_boilerplate, each rule run alone on the raw documents")
    for rule in news_boilerplate_rules():
        spans = 0

        def run(d: str, rule: str = rule) -> str:
            nonlocal spans
            out, stats = clean_news_boilerplate_with_stats(d, rules=[rule])
            spans += stats[rule]
            return out

        report_map(f"clean_news_boilerplate:{rule}", run, docs, n_examples, width)
        print(f"  spans cut: {spans}")
    totals: dict[str, int] = {}
    touched = removed = 0
    for d in docs:
        out, stats = clean_news_boilerplate_with_stats(d)
        for k, v in stats.items():
            totals[k] = totals.get(k, 0) + v
        if out != d:
            touched += 1
            removed += len(d) - len(out)
    print(f"\n## clean_news_boilerplate, all rules: {touched} documents touched, {removed} characters removed, "
          f"spans cut per rule {totals}")


def report_spam(docs: list[str], n_examples: int, width: int) -> None:
    reasons: dict[str, int] = {}
    examples = []
    densities = []
    for d in docs:
        scores = spam_scores(d)
        total = sum(scores.values())
        densities.append((total * 1000 / max(1, len(d)), total, max(scores, key=scores.get), len(d)))
        reason = spam_filter(d)
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
            if len(examples) < n_examples:
                examples.append((reason, d[: 2 * width]))
    rejected = sum(reasons.values())
    print(f"\n# spam_filter: {rejected} of {len(docs)} documents rejected "
          f"({100 * (len(docs) - rejected) / max(1, len(docs)):.2f}% pass) {reasons}")
    with_terms = sum(1 for x in densities if x[1] > 0)
    dens = sorted(x[0] for x in densities)
    pct = {p: dens[min(len(dens) - 1, int(p / 100 * len(dens)))] for p in (50, 90, 99, 99.9)}
    print(f"  documents with any lexicon term: {with_terms}; weight per 1,000 chars: "
          + ", ".join(f"p{p}={v:.1f}" for p, v in pct.items()) + f", max={dens[-1]:.1f}")
    print("  highest densities (density, weight, top category, length):")
    for x in sorted(densities, reverse=True)[:5]:
        print(f"    {x[0]:.1f}  {x[1]:.0f}  {x[2]}  {x[3]}")
    for i, (reason, text) in enumerate(examples, 1):
        print(f"  [{i}] {reason}: {text!r}")


# Invented boilerplate wrapped around each real document: do the rules cut it exactly, whatever the text?
INJECTIONS = [
    ("byline", "(서울=연합뉴스) 홍길동 기자 = {doc}"),
    ("byline", "[서울=뉴시스]홍길동 기자 = {doc}"),
    ("byline", "[가나일보 홍길동 기자] {doc}"),
    ("dateline", "입력 2023.03.02 10:15 {doc}"),
    ("reporter_signature", "{doc} 홍길동 기자 hong@example.com"),
    ("copyright", "{doc} <저작권자 ⓒ 가나일보, 무단 전재-재배포 금지>"),
    ("copyright", "{doc} ⓒ 가나일보 & example.com, 무단전재 및 재배포 금지"),
    ("photo_caption", "[사진=연합뉴스] {doc}"),
    ("related_articles", "{doc}\n[관련기사]\n가나다 제목 하나\n라마바 제목 둘"),
    ("related_articles", "{doc} ▶ 네이버에서 가나일보 구독하기"),
]


def report_injected(docs: list[str]) -> None:
    print("\n# clean_news_boilerplate on invented boilerplate wrapped around each document "
          "(restored = output equals the original document)")
    for rule, template in INJECTIONS:
        restored = 0
        for d in docs:
            if clean_news_boilerplate(template.format(doc=d)) == d:
                restored += 1
        print(f"  {rule:<20} {template!r:<58} restored {restored}/{len(docs)} ({100 * restored / len(docs):.1f}%)")


def throughput(docs: list[str], repeat: int) -> None:
    n_bytes = sum(len(d.encode("utf-8")) for d in docs)

    def chain(d: str) -> str | None:
        d = clean_news_boilerplate(strip_html(d))
        return spam_filter(d)

    def best_of(fn, texts: list[str]) -> float:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            for d in texts:
                fn(d)
            best = min(best, time.perf_counter() - t0)
        return best

    print(f"\n# throughput, one core, best of {repeat} runs over {len(docs)} documents ({n_bytes / 1e6:.2f} MB)")
    for name, fn in (("strip_html", strip_html), ("clean_news_boilerplate", clean_news_boilerplate),
                     ("spam_filter", spam_filter), ("all three chained", chain)):
        best = best_of(fn, docs)
        print(f"  {name:<36} {n_bytes / 1e6 / best:8.1f} MB/s   ({best:.3f} s)")
    # The sample is nearly markup- and boilerplate-free, so the stages mostly take their fast paths; these
    # rows time the slow paths on the same text wrapped in markup or boilerplate.
    marked = ['<div class="article"><p>' + d.replace(". ", ".</p>\n<p>").replace(" ", "&nbsp;", 3)
              + "</p><br/><!-- ad --></div>" for d in docs]
    wrapped = [f"(서울=연합뉴스) 홍길동 기자 = {d} 홍길동 기자 hong@example.com "
               "<저작권자 ⓒ 가나일보, 무단 전재-재배포 금지>"
               for d in docs]
    for name, fn, texts in (("strip_html, every document marked up", strip_html, marked),
                            ("clean_news_boilerplate, all wrapped", clean_news_boilerplate, wrapped),
                            ("all three chained, marked up", chain, marked)):
        size = sum(len(t.encode("utf-8")) for t in texts)
        best = best_of(fn, texts)
        print(f"  {name:<36} {size / 1e6 / best:8.1f} MB/s   ({best:.3f} s)")


def near_duplicate_pairs(texts: list[str], threshold: float = 0.8) -> int:
    """Pairs with Jaccard >= threshold, with minhash_dedup's default shingles: LSH candidates from shared band
    keys (every pair inside a bucket of up to 50 documents, a star beyond), then the exact Jaccard of each."""
    import numpy as np

    from dps.dedup.signatures import band_keys, optimal_bands, pair_jaccard, shingle_hashes, signatures

    sig, has = signatures(texts, num_perm=128)
    bands, rows = optimal_bands(threshold, 128, 0.9)
    keys = band_keys(sig, bands, rows)
    candidates = set()
    for b in range(bands):
        buckets: dict[int, list[int]] = {}
        for doc in np.flatnonzero(has):
            buckets.setdefault(int(keys[doc, b]), []).append(int(doc))
        for members in buckets.values():
            if len(members) <= 50:
                candidates.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
            else:
                candidates.update((members[0], m) for m in members[1:])
    if not candidates:
        return 0
    left, right = map(np.array, zip(*sorted(candidates)))
    hashes, offsets = shingle_hashes(texts)
    return int((pair_jaccard(hashes, offsets, left, right) >= threshold).sum())


def dedup_effect(docs: list[str]) -> None:
    print("\n# effect on dedup: near-duplicate pairs (Jaccard >= 0.8, minhash_dedup's shingles; LSH candidates,")
    print("#   then exact Jaccard), before and after strip_html + clean_news_boilerplate")
    wrapped = [f"(서울=가나뉴스) 홍길동 기자 = {d}\n\n홍길동 기자 hong@example.co.kr\n"
               "<저작권자 ⓒ 가나뉴스, 무단 전재-재배포 금지>"
               for d in docs]
    for label, texts in (("documents as they are", docs), ("invented byline + sign-off + footer on each", wrapped)):
        cleaned = [clean_news_boilerplate(strip_html(d)) for d in texts]
        print(f"  {label:<45} before: {near_duplicate_pairs(texts)} pairs, after: {near_duplicate_pairs(cleaned)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSONL file with a 'text' field")
    ap.add_argument("--examples", type=int, default=20, help="before/after examples per rule")
    ap.add_argument("--limit", type=int, default=None, help="read at most this many documents")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs per stage (best is reported)")
    ap.add_argument("--width", type=int, default=60, help="context characters around each change")
    args = ap.parse_args()

    docs = read_texts(args.data, args.limit)
    print(f"# {args.data}: {len(docs)} documents")
    report_map("strip_html", strip_html, docs, args.examples, args.width)
    report_map("strip_html:entities (documents without '<')", lambda d: d if "<" in d else strip_html(d), docs, 0,
               args.width)
    report_map("strip_html:markup (entities off)", lambda d: strip_html(d, unescape_entities=False), docs, 0,
               args.width)
    report_boilerplate(docs, args.examples, args.width)
    report_injected(docs)
    report_spam(docs, args.examples, args.width)
    throughput(docs, args.repeat)
    dedup_effect(docs)


if __name__ == "__main__":
    main()
