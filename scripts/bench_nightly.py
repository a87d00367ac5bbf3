#!/usr/bin/env python3
"""Benchmark nightly runs: N simulated nightly crawls, each deduplicated against the index of the earlier ones.

    flock /tmp/spark.lock python scripts/bench_nightly.py [--data ../shared/data] [--nights 5] [--work DIR]

The real documents in --data are shuffled (seeded) and split into N nights. Every night after the first also
carries, under new ids, exact repeats and near-duplicates (realistic edits, as in bench_dedup.py) of documents of
earlier nights, and a few copies of its own documents: all known by construction. Each night runs the production
chain (configs/korean_web.yaml) with --run-id n<k> against one index, in one Spark session (local[2]).

Prints per night: documents in, kept, duplicates against the index and within the night, recall of the
cross-night duplicates (share of the constructed repeats that reached dedup, i.e. were not filtered, marked
duplicate; exact repeats, near ones with true 5-gram Jaccard >= 0.85 to their original, and more heavily edited
ones), wall time and index size. Then runs the same chain once over all nights together (no index) and prints its
recall on the same documents: nightly recall should match it. Then reruns one night and checks that its output
and the index are unchanged, and prints the index's bytes per column.

    python scripts/bench_nightly.py --hash-check [--data ../shared/data]    # no Spark

compares the Jaccard similarity verification computes (32-bit shingle hash sets, as the index stores them) with
the Jaccard of the shingle strings (Python sets) on document/edited-copy pairs and random pairs of --data.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

from _common import DATA_DIR, scratch_folder  # noqa: E402
from bench_dedup import bench_session, jaccard, load_docs, make_variant, ngram_set  # noqa: E402


def build_nights(docs: list[dict], nights: int, seed: int = 7) -> tuple[list[list[dict]], dict[str, tuple]]:
    """Night files' records and, per constructed cross-night repeat, (kind, original id, true 5-gram Jaccard)."""
    rng = random.Random(seed)
    docs = list(docs)
    rng.shuffle(docs)
    per_night = len(docs) // nights
    out, cross, earlier = [], {}, []
    for k in range(1, nights + 1):
        base = [{"id": f"n{k}-{i:05d}", "source": d.get("source") or "news", "text": d["text"]}
                for i, d in enumerate(docs[(k - 1) * per_night:k * per_night])]
        records = list(base)
        if earlier:
            donors = [d["text"] for d in base[:200]]
            for j, old in enumerate(rng.sample(earlier, min(len(earlier), per_night // 12))):
                records.append({"id": f"n{k}-x{j:05d}", "source": old["source"], "text": old["text"]})
                cross[records[-1]["id"]] = ("exact", old["id"], 1.0)
            for j, old in enumerate(rng.sample(earlier, min(len(earlier), per_night // 12))):
                records.append({"id": f"n{k}-y{j:05d}", "source": old["source"],
                                "text": make_variant(old["text"], rng, donors)})
                similarity = jaccard(ngram_set(old["text"], 5), ngram_set(records[-1]["text"], 5))
                cross[records[-1]["id"]] = ("near" if similarity >= 0.85 else "edited", old["id"], similarity)
        for j, own in enumerate(rng.sample(base, per_night // 40)):
            records.append({"id": f"n{k}-w{j:05d}", "source": own["source"], "text": own["text"]})
        rng.shuffle(records)
        out.append(records)
        earlier += base
    return out, cross


def write_jsonl(path: str, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def statuses(rejected_folder: str) -> dict[str, str]:
    import pyarrow.parquet as pq

    table = pq.read_table(rejected_folder, columns=["id", "dps_status", "dps_reason"])
    return {i: f"{s}:{r}" for i, s, r in zip(*(table.column(c).to_pylist() for c in ("id", "dps_status",
                                                                                   "dps_reason")))}


def recall(cross: dict[str, tuple], marks: dict[str, str], kind: str | None = None) -> tuple[int, int]:
    """(marked duplicate, candidates) over the cross-night repeats (optionally of one kind) that reached dedup:
    neither the repeat nor its original was filtered or quarantined (a filter removes an exact repeat of a
    removed document too, and a near repeat may be filtered for its edits)."""
    def reached(doc_id):
        return marks.get(doc_id, "kept").split(":")[0] in ("kept", "duplicate")

    ids = [i for i, (k, orig, _) in cross.items() if (kind is None or k == kind) and reached(i) and reached(orig)]
    return sum(marks.get(i, "kept").startswith("duplicate") for i in ids), len(ids)


def digest(folder: str) -> str:
    h = hashlib.sha256()
    for path in sorted(glob.glob(os.path.join(folder, "*.parquet"))):
        h.update(open(path, "rb").read())
    return h.hexdigest()[:16]


def index_column_bytes(index_path: str) -> dict[str, int]:
    """Compressed bytes per top-level column over every Parquet file under the index (from the footers)."""
    import pyarrow.parquet as pq

    sizes: dict[str, int] = {}
    for path in glob.glob(os.path.join(index_path, "runs", "*", "*", "*.parquet")):
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            for c in range(meta.num_columns):
                column = meta.row_group(g).column(c)
                top = column.path_in_schema.split(".")[0]
                sizes[top] = sizes.get(top, 0) + column.total_compressed_size
    return sizes


def hash_check(data: str, pairs: int = 6000, random_pairs: int = 3000, seed: int = 7) -> None:
    """Jaccard from 32-bit shingle hash sets (what verification and the index use) against shingle strings."""
    import numpy as np

    from dps.dedup.signatures import pair_jaccard, shingle_sets

    rng = random.Random(seed)
    texts = [d["text"] for d in load_docs(data)]
    rng.shuffle(texts)
    donors = texts[:200]
    chosen = [(t, make_variant(t, rng, donors)) for t in texts[:pairs]]
    chosen += [(rng.choice(texts), rng.choice(texts)) for _ in range(random_pairs)]
    exact = np.array([jaccard(ngram_set(a, 5), ngram_set(b, 5)) for a, b in chosen])
    values, offsets = shingle_sets([t for pair in chosen for t in pair], seed=1234)
    n = len(chosen)
    hashed = pair_jaccard(values, offsets, np.arange(0, 2 * n, 2), np.arange(1, 2 * n, 2))
    diff = np.abs(hashed - exact)
    sizes = np.diff(offsets)
    print(f"{n:,} pairs ({int((exact >= 0.8).sum()):,} with Jaccard >= 0.8); distinct shingles per document: median "
          f"{int(np.median(sizes))}, max {int(sizes.max())}")
    print(f"|Jaccard(32-bit hash sets) - Jaccard(shingle strings)|: max {diff.max():.2e}, mean {diff.mean():.2e}, "
          f"pairs differing {int((diff > 0).sum())}; decisions at 0.8 that differ: "
          f"{int(np.sum((hashed >= 0.8) != (exact >= 0.8)))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--nights", type=int, default=5)
    parser.add_argument("--work", default="/tmp/dps_bench_nightly")
    parser.add_argument("--hash-check", action="store_true", help="only compare hash-set and string-set Jaccard")
    args = parser.parse_args()
    if args.hash_check:
        hash_check(args.data)
        return

    from dps.config import load_config
    from dps.dedup.index import index_stats
    from dps.pipeline import run

    scratch_folder(args.work)
    os.makedirs(os.path.join(args.work, "crawl"))
    nights, cross = build_nights(load_docs(args.data), args.nights)
    for k, records in enumerate(nights, 1):
        write_jsonl(os.path.join(args.work, "crawl", f"n{k}.jsonl"), records)
    mb = sum(os.path.getsize(p) for p in glob.glob(os.path.join(args.work, "crawl", "*.jsonl"))) / 1e6
    print(f"{args.nights} nights, {sum(map(len, nights)):,} documents, {mb:.1f} MB; constructed cross-night "
          f"repeats: {sum(k == 'exact' for k, _, _ in cross.values()):,} exact, "
          f"{sum(k == 'near' for k, _, _ in cross.values()):,} near (true Jaccard of 5-grams >= 0.85), "
          f"{sum(k == 'edited' for k, _, _ in cross.values()):,} more heavily edited", flush=True)

    spark, _ = bench_session("2g")
    spark.sparkContext.setLogLevel("ERROR")
    work = args.work

    def config(run_id: str | None, paths: str, nightly: bool = True):
        overrides = [f"input.paths={paths}", f"output.path={work}/out{'' if nightly else '_all'}",
                     f"output.rejected_path={work}/rejected{'' if nightly else '_all'}", "output.target_shard_mb=64"]
        if nightly:
            overrides += [f"index.path={work}/index", f"run_id={json.dumps(run_id)}"]
        return load_config(os.path.join(ROOT, "configs", "korean_web.yaml"), overrides)

    header = (f"{'night':<6} {'docs in':>8} {'kept':>7} {'dup idx':>8} {'dup own':>8} {'recall':>7} "
              f"{'exact':>7} {'near':>7} {'wall s':>7} {'index docs':>11} {'index MB':>9}")
    print(header + "\n" + "-" * len(header), flush=True)
    quiet = lambda _m: None  # noqa: E731
    # A throw-away run of night 1 first, so the JIT warm-up of a fresh JVM does not land on the first nights.
    warm = time.time()
    run(load_config(os.path.join(ROOT, "configs", "korean_web.yaml"),
                    [f"input.paths={work}/crawl/n1.jsonl", f"output.path={work}/warmup", "index.path="
                     f"{work}/warmup_index", "run_id=warmup"]), spark, echo=quiet)
    print(f"(warm-up run of night 1 into a scratch index: {time.time() - warm:.1f}s)", flush=True)
    rows, all_marks = [], {}
    for k in range(1, args.nights + 1):
        run_id = f"n{k}"
        started = time.time()
        report = run(config(run_id, f"{work}/crawl/{run_id}.jsonl"), spark, echo=quiet)
        wall = time.time() - started
        marks = statuses(f"{work}/rejected/run_id={run_id}")
        all_marks.update(marks)
        night_cross = {i: c for i, c in cross.items() if i.startswith(run_id + "-")}
        reasons = {r: d for _, r, d, _ in report.by_reason() if r}
        dup_index = sum(d for r, d in reasons.items() if r.endswith(":index"))
        dup_own = sum(d for r, d in reasons.items() if r in ("exact_dedup", "minhash_dedup"))
        stats = json.loads(index_stats(f"{work}/index", as_json=True))

        def share(kind=None):
            hit, n = recall(night_cross, all_marks, kind)  # originals: marked on their own night
            return f"{hit / n:.4f}" if n else "-"

        print(f"{run_id:<6} {report.input_records:>8,} {report.totals()['kept']:>7,} {dup_index:>8,} {dup_own:>8,} "
              f"{share():>7} {share('exact'):>7} {share('near'):>7} {wall:>7.1f} {stats['documents']:>11,} "
              f"{stats['bytes'] / 1e6:>9.1f}", flush=True)
        rows.append((k, wall, stats["documents"] - report.totals()["kept"]))

    started = time.time()
    run(config(None, f"{work}/crawl/*.jsonl", nightly=False), spark, echo=quiet)
    wall_all = time.time() - started
    at_once = statuses(f"{work}/rejected_all")
    hit_n, n = recall(cross, all_marks)
    hit_a, _ = recall(cross, at_once)
    print(f"\ncross-night duplicate recall: nightly {hit_n / n:.4f} ({hit_n:,}/{n:,}), all nights in one run "
          f"{hit_a / n:.4f} ({hit_a:,}/{n:,}); difference {100 * (hit_n - hit_a) / max(hit_a, 1):+.2f}%")
    for kind in ("exact", "near", "edited"):
        a, m = recall(cross, all_marks, kind)
        b, _ = recall(cross, at_once, kind)
        print(f"  {kind:<6}: nightly {a / m:.4f}, one run {b / m:.4f} ({m:,} repeats that reached dedup)")
    print(f"one run over all nights: {wall_all:.1f}s")

    # Growth of a night's wall time with the index it is checked against (night 1 pays the JVM warm-up).
    if len(rows) >= 3:
        (k2, w2, i2), (kn, wn, i_n) = rows[1], rows[-1]
        print(f"wall time night {kn} / night {k2}: {wn / w2:.2f}x while the index it checked against grew "
              f"{i_n / max(i2, 1):.2f}x ({i2:,} -> {i_n:,} documents)")

    # Rerun a middle night: same output, same index.
    k = min(3, args.nights)
    run_id = f"n{k}"
    before = (digest(f"{work}/out/run_id={run_id}"), digest(f"{work}/rejected/run_id={run_id}"),
              json.loads(index_stats(f"{work}/index", as_json=True))["per_run"])
    started = time.time()
    run(config(run_id, f"{work}/crawl/{run_id}.jsonl"), spark, echo=quiet)
    after = (digest(f"{work}/out/run_id={run_id}"), digest(f"{work}/rejected/run_id={run_id}"),
             json.loads(index_stats(f"{work}/index", as_json=True))["per_run"])
    same_index = [(r["run_id"], r["docs"], r["seq"]) for r in before[2]] == \
                 [(r["run_id"], r["docs"], r["seq"]) for r in after[2]]
    print(f"rerun of {run_id} ({time.time() - started:.1f}s): kept shards identical {before[0] == after[0]}, "
          f"rejected shards identical {before[1] == after[1]}, index runs and counts unchanged {same_index}")
    sizes = index_column_bytes(f"{work}/index")
    print("index bytes per column: " + ", ".join(f"{c} {b / 1e6:.1f} MB" for c, b in
                                                 sorted(sizes.items(), key=lambda kv: -kv[1])))
    spark.stop()


if __name__ == "__main__":
    main()
