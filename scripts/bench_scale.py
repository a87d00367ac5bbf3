#!/usr/bin/env python3
"""How the whole chain's cost grows with corpus size and with skew: wall time, memory and Spark's own metrics.

    python scripts/bench_scale.py [--data ../shared/data] [--sizes 0.25 1 2 4] [--skew-sizes 1 4]
                                  [--config configs/korean_web.yaml] [--work /tmp/dps_bench_scale] [--out results]
                                  [--cluster-size 1] [--archive dist/dps-env.tar.gz]

Corpora (generated into --work, never into the repository, reused between runs):
- plain: copies of the documents in --data, each copy under its own substitution cipher on Hangul syllables,
  Latin letters and digits (scripts/bench_dedup.py e2e): the data's structure and duplicate rate, and copies that are
  not duplicates of each other. A size of G GB reads the first copies up to G GB.
- skew: the plain corpus, with part of it replaced by what real crawls hold: one near-duplicate family of 200,000
  members (a templated news page with small edits: numbers, a word or two), 1,000,000 exact copies of a few short
  texts (잘 봤습니다, ㅋㅋㅋ, ...), three documents of 10, 25 and 50 MB, and one source ("wire") holding half of all
  documents.

Each corpus runs the config's whole chain (text stages, exact_dedup, minhash_dedup, writer, report) as `dps run` in a
fresh process, local[2] with a 1 GB driver heap, with Spark's event log on. Recorded per run: wall time, peak RSS of
the process tree (driver JVM + Python workers), and per Spark stage, from the event log: tasks, failed tasks, input,
shuffle read and write, spill (memory and disk), the longest task and the largest task input. Prints a markdown
table and the targets (met / not met); writes everything to --out/scale.json and --out/scale.md.

The plain corpus of --cluster-size GB (one of --sizes; 0: none) also runs with spark-submit on a loopback standalone
cluster (dps.devcluster: 2 workers x 1 core, 1.5 GB executors, the environment shipped as an archive built by
scripts/package_env.sh unless --archive names one); its shards must equal local mode's, byte for byte.

On a shared machine, `--lock /tmp/dps-spark.lock` holds that lock for each run only (not while corpora are made and
not between runs), so other jobs can go between runs without disturbing one. Each finished run is kept in
--work/results/NAME.json with the commit it measured; `--reuse` takes a kept run of the same commit, corpus and config
instead of running it again, so a long benchmark can be resumed after it was stopped. 4 GB runs take a while (see
docs/scaling.md).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (DATA_DIR, ROOT, link_folder, read_records, scratch_folder, targets_table,  # noqa: E402
                     write_jsonl_once)
from bench_dedup import cipher  # noqa: E402
from bench_text import TreeMonitor  # noqa: E402

sys.path.insert(0, ROOT)

FAMILY_MEMBERS = 200_000
SHORT_COPIES = 1_000_000
SHORT_TEXTS = ("잘 봤습니다", "ㅋㅋㅋ", "좋아요", "감사합니다 잘 보고 갑니다")
BIG_DOCS_MB = (10, 25, 50)
SKEW_SOURCE = "wire"


# ---------------------------------------------------------------------------------------------------- corpora

# The most frequent Hangul syllables (particles, endings, common words) keep their place in every copy: under a
# cipher of every syllable, no copy has a Korean particle left, and the Korean filters reject 99.9 % of it.
FIXED_SYLLABLES = 150


def korean_cipher(copy: int, fixed: set[int]):
    """bench_dedup's per-copy cipher, but the `fixed` syllables stay: the copy still reads as Korean to the filters
    (particles and endings in place), and copies are not near-duplicates of each other."""
    table = cipher(copy)
    free = sorted(c for c in range(0xAC00, 0xD7A4) if c not in fixed)
    shuffled = free[:]
    random.Random(5000 + copy).shuffle(shuffled)
    table.update(zip(free, shuffled))
    table.update({c: c for c in fixed})
    return table


def frequent_syllables(records: list[dict], n: int = FIXED_SYLLABLES) -> set[int]:
    counts: dict[int, int] = {}
    for r in records:
        for ch in r["text"]:
            if "\uac00" <= ch <= "\ud7a3":
                counts[ord(ch)] = counts.get(ord(ch), 0) + 1
    return set(sorted(counts, key=lambda c: (-counts[c], c))[:n])


def plain_copies(records: list[dict], work: str, total_bytes: float) -> list[str]:
    """Cipher copies of the records, one file each, enough to reach `total_bytes` (made once, then reused)."""
    folder = os.path.join(work, "copies")
    os.makedirs(folder, exist_ok=True)
    fixed = frequent_syllables(records)
    files, size, c = [], 0, 0
    while size < total_bytes:
        path = os.path.join(folder, f"copy-{c:04d}.jsonl")
        table = korean_cipher(c, fixed)
        write_jsonl_once(path, ({"id": f"{r.get('id')}-c{c:04d}", "source": r.get("source"),
                       "text": r["text"].translate(table)} for r in records))
        files.append(path)
        size += os.path.getsize(path)
        c += 1
    return files


def _text_chain(config_path: str) -> list:
    """The config's map and filter stages, bound once."""
    from dps.config import load_config
    from dps.plan import plan

    return [s for s in plan(load_config(config_path)).stages if s.kind in ("map", "filter")]


def _kept_by_chain(text: str, stages: list) -> bool:
    """Does the text chain (run in plain Python) keep `text`?"""
    from dps.spark.arrow import run_chain

    _, status, _, _, _ = run_chain([text], ["kept"], [None], stages, None)
    return status == ["kept"]


def family_member(base: str, rng: random.Random, words: list[str]) -> str:
    """The templated page with small edits, as mirrored wire copies differ: one number changed and one or two words
    replaced (character 5-gram Jaccard to the template about 0.9)."""
    numbers = list(re.finditer(r"\d+", base))
    if numbers:
        m = rng.choice(numbers)
        base = base[:m.start()] + str(rng.randrange(10 ** len(m.group()))) + base[m.end():]
    text = base.split(" ")
    for _ in range(rng.randint(1, 2)):
        text[rng.randrange(len(text))] = rng.choice(words)
    return " ".join(text)


def skew_files(records: list[dict], work: str, config_path: str, members: int = FAMILY_MEMBERS,
               short_copies: int = SHORT_COPIES, big_mb: tuple[int, ...] = BIG_DOCS_MB) -> tuple[list[str], int]:
    """The skew additions (made once per shape): family, short copies, big documents. Returns (files, bytes)."""
    folder = os.path.join(work, f"skew-{members}-{short_copies}-{'-'.join(map(str, big_mb))}")
    os.makedirs(folder, exist_ok=True)
    news = [r["text"] for r in records if r.get("source") == "news" and len(r["text"]) >= 400]
    rng = random.Random(7)
    stages = _text_chain(config_path)
    base = next((t for t in rng.sample(news, min(len(news), 200)) if _kept_by_chain(t, stages)), None)
    if base is None:
        sys.exit("no news document of 400+ characters that the config's text chain keeps, to template the family")
    words = [w for t in news[:500] for w in t.split() if len(w) >= 2][:20_000]
    family = os.path.join(folder, "family.jsonl")
    write_jsonl_once(family, ({"id": f"fam-{i:06d}", "source": SKEW_SOURCE, "text": family_member(base, rng, words)}
                    for i in range(members)))
    short = os.path.join(folder, "short.jsonl")
    write_jsonl_once(short, ({"id": f"short-{i:07d}", "source": SKEW_SOURCE, "text": SHORT_TEXTS[i % len(SHORT_TEXTS)]}
                   for i in range(short_copies)))
    big = os.path.join(folder, "big.jsonl")
    pool = [r["text"] for r in records]

    def big_doc(mb: int) -> str:
        parts, size = [], 0
        while size < mb * 1_000_000:
            parts.append(pool[rng.randrange(len(pool))])
            size += len(parts[-1].encode("utf-8")) + 2
        return "\n\n".join(parts)

    write_jsonl_once(big, ({"id": f"big-{mb}mb", "source": SKEW_SOURCE, "text": big_doc(mb)} for mb in big_mb))
    files = [family, short, big]
    return files, sum(os.path.getsize(f) for f in files)


def take(files: list[str], total_bytes: float) -> list[str]:
    out, size = [], 0
    for f in files:
        if size >= total_bytes:
            break
        out.append(f)
        size += os.path.getsize(f)
    return out


# --------------------------------------------------------------------------------------------------- one run

def stage_metrics(event_dir: str) -> list[dict]:
    """Per Spark stage (attempts merged), from the event log: tasks, failures, input, shuffle, spill, longest task,
    largest task input."""
    logs = [p for p in glob.glob(os.path.join(event_dir, "*")) if os.path.isfile(p) and not p.endswith(".inprogress")]
    stages: dict[int, dict] = {}
    for path in logs:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                event = json.loads(line)
                kind = event.get("Event")
                if kind == "SparkListenerStageSubmitted":
                    info = event["Stage Info"]
                    stages.setdefault(info["Stage ID"], _empty_stage(info))
                elif kind == "SparkListenerTaskEnd":
                    s = stages.setdefault(event["Stage ID"], _empty_stage({"Stage ID": event["Stage ID"]}))
                    m, info = event.get("Task Metrics") or {}, event["Task Info"]
                    s["tasks"] += 1
                    s["failed_tasks"] += event.get("Task End Reason", {}).get("Reason") != "Success"
                    read = m.get("Input Metrics", {}).get("Bytes Read", 0)
                    sr = m.get("Shuffle Read Metrics", {})
                    s["input_bytes"] += read
                    s["shuffle_read_bytes"] += sr.get("Remote Bytes Read", 0) + sr.get("Local Bytes Read", 0)
                    s["shuffle_write_bytes"] += m.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
                    s["spill_memory_bytes"] += m.get("Memory Bytes Spilled", 0)
                    s["spill_disk_bytes"] += m.get("Disk Bytes Spilled", 0)
                    s["longest_task_s"] = max(s["longest_task_s"], (info["Finish Time"] - info["Launch Time"]) / 1e3)
                    s["largest_task_input_bytes"] = max(s["largest_task_input_bytes"],
                                                        read + sr.get("Remote Bytes Read", 0)
                                                        + sr.get("Local Bytes Read", 0))
    return [stages[k] for k in sorted(stages)]


def _empty_stage(info: dict) -> dict:
    return {"stage": info["Stage ID"], "name": info.get("Stage Name", ""), "tasks": 0, "failed_tasks": 0,
            "input_bytes": 0, "shuffle_read_bytes": 0, "shuffle_write_bytes": 0, "spill_memory_bytes": 0,
            "spill_disk_bytes": 0, "longest_task_s": 0.0, "largest_task_input_bytes": 0}


def commit() -> str:
    """The commit measured (with `+changes` when the tree differs from it)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True)
    return (head.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


def run_key(name: str, folder: str, config_path: str) -> str:
    """What a kept run must match to be reused: the commit, the corpus files and the config's text."""
    files = sorted(os.path.realpath(f) for f in glob.glob(os.path.join(folder, "*")))
    digest = hashlib.sha256("\n".join([name, commit(), *files, open(config_path, encoding="utf-8").read()])
                            .encode()).hexdigest()
    return digest[:16]


@contextlib.contextmanager
def held(lock_path: str | None):
    """Hold an exclusive flock on `lock_path` (nothing when None)."""
    if not lock_path:
        yield
        return
    with open(lock_path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_kept(name: str, folder: str, work: str, config_path: str, reuse: bool, lock: str | None, runner=None,
             **kwargs) -> dict:
    """A run's figures: a kept run of the same commit, corpus and config when `reuse`, else a new run (under
    `lock`), kept in --work/results."""
    key = run_key(name, folder, config_path)
    kept = os.path.join(work, "results", f"{name}.json")
    if reuse and os.path.exists(kept):
        result = json.load(open(kept, encoding="utf-8"))
        if result.get("key") == key:
            print(f"{name}: reusing the run of {result.get('commit')} kept in {kept}", flush=True)
            return result
    with held(lock):
        result = (runner or run_one)(name, folder, work, config_path, **kwargs)
    result.update(key=key, commit=commit())
    os.makedirs(os.path.dirname(kept), exist_ok=True)
    with open(kept + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    os.replace(kept + ".tmp", kept)
    return result


def run_one(name: str, folder: str, work: str, config_path: str) -> dict:
    """`dps run` on one corpus in a fresh process; its figures."""
    out = os.path.join(work, "out", name)
    events = os.path.join(work, "events", name)
    for path in (out, out + "_rejected", events):
        subprocess.run(["rm", "-rf", path], check=True)
    os.makedirs(events)
    command = [sys.executable, "-m", "dps.cli", "run", config_path,
               "--set", f"input.paths=[{json.dumps(folder)}]", "--set", f"output.path={json.dumps(out)}",
               "--set", f"output.rejected_path={json.dumps(out + '_rejected')}",
               "--set", "spark.master=local[2]", "--set", "spark.driver_memory=1g",
               "--set", "spark.settings.spark.eventLog.enabled=true",
               # one plain JSON file per run (Spark 4's default is a folder of zstd-compressed rolling files)
               "--set", "spark.settings.spark.eventLog.rolling.enabled=false",
               "--set", "spark.settings.spark.eventLog.compress=false",
               "--set", f"spark.settings.spark.eventLog.dir={json.dumps('file://' + events)}"]
    monitor = TreeMonitor()
    monitor.start()
    started = time.time()
    log = os.path.join(work, f"{name}.log")
    with open(log, "w") as fh:
        proc = subprocess.run(command, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    wall = time.time() - started
    monitor.stop()
    mb = sum(os.path.getsize(os.path.realpath(f)) for f in glob.glob(os.path.join(folder, "*"))) / 1e6
    result = {"name": name, "mb": round(mb, 1), "exit": proc.returncode, "wall_s": round(wall, 1),
              "s_per_mb": round(wall / mb, 4), "peak_rss_mb": round(monitor.peak / 2**20), "log": log}
    report_path = os.path.join(out, "_dps_report.json")
    if proc.returncode == 0 and os.path.exists(report_path):
        report = json.load(open(report_path, encoding="utf-8"))
        result.update(input_records=report["input_records"], totals=report["totals"],
                      invariant=report["invariant"]["holds"], steps=report.get("run", {}).get("steps", []))
        if name.startswith("skew"):
            import pyarrow.dataset as ds

            kept = ds.dataset(out, format="parquet").to_table(columns=["id"]).column("id").to_pylist()
            result["family_survivors"] = sum(1 for i in kept if str(i).startswith("fam-"))
    stages = stage_metrics(events)
    result["stages"] = stages
    result["failed_tasks"] = sum(s["failed_tasks"] for s in stages)
    result["spill_disk_mb"] = round(sum(s["spill_disk_bytes"] for s in stages) / 1e6, 1)
    result["shuffle_write_mb"] = round(sum(s["shuffle_write_bytes"] for s in stages) / 1e6, 1)
    result["longest_task_s"] = max((s["longest_task_s"] for s in stages), default=0.0)
    return result


def run_cluster(name: str, folder: str, work: str, config_path: str, archive: str | None) -> dict:
    """The same job with spark-submit on a loopback standalone cluster (2 workers x 1 core, 1.5 GB executors),
    with the environment shipped as an archive (scripts/package_env.sh); its wall time and whether its shards equal
    local mode's (the plain run of the same corpus)."""
    from dps.devcluster import StandaloneCluster, compare_outputs

    if archive is None:
        archive = os.path.join(work, "dps-env.tar.gz")
        if not os.path.exists(archive):
            subprocess.run(["bash", os.path.join(ROOT, "scripts", "package_env.sh"), "--output", archive,
                            "--build-dir", os.path.join(work, "build", "dps-env")], check=True)
    out = os.path.join(work, "out", f"cluster-{name}")
    subprocess.run(["rm", "-rf", out, out + "_rejected"], check=True)
    cluster = StandaloneCluster(os.path.join(work, "cluster"), workers=2, cores=1, memory="2g")
    cluster.start()
    try:
        submit_args = [
            "--deploy-mode", "client", "--driver-memory", "1g", "--executor-memory", "1500m",
            "--archives", f"{os.path.abspath(archive)}#environment",
            "--conf", "spark.pyspark.python=./environment/bin/python",
            "--conf", f"spark.pyspark.driver.python={sys.executable}",
            "jobs/run_pipeline.py", "--config", config_path, "--set", f"input.paths=[{json.dumps(folder)}]",
            "--set", f"output.path={json.dumps(out)}", "--set", f"output.rejected_path={json.dumps(out + '_rejected')}"]
        result = cluster.submit(submit_args, name=f"cluster-{name}", cwd=ROOT, timeout=4 * 3600)
    finally:
        cluster.stop()
    local = os.path.join(work, "out", name)
    same = None
    if result.returncode == 0 and os.path.exists(local):
        same = all(compare_outputs(local + s, out + s, config_may_differ=("spark",)) == []
                   for s in ("", "_rejected"))
    return {"name": f"cluster-{name}", "exit": result.returncode, "wall_s": round(result.seconds, 1),
            "same_shards_as_local": same, "log": result.log}


# ---------------------------------------------------------------------------------------------------- targets

def targets(plain: list[dict], skew: list[dict], members: int) -> list[tuple[str, bool | None, str]]:
    """(target, met (None: not measured), figures)."""
    out = []
    ok = sorted((r for r in plain if r["exit"] == 0), key=lambda r: r["mb"])
    if len(ok) >= 3:
        marginal = [(b["wall_s"] - a["wall_s"]) / (b["mb"] - a["mb"]) for a, b in zip(ok, ok[1:])]
        mean = sum(marginal) / len(marginal)
        met = all(abs(m / mean - 1) <= 0.2 for m in marginal)
        out.append(("marginal cost per MB within +-20 % across sizes", met,
                    ", ".join(f"{a['mb']:.0f}->{b['mb']:.0f} MB {m:.3f} s/MB" for (a, b), m in
                              zip(zip(ok, ok[1:]), marginal))))
    else:
        out.append(("marginal cost per MB within +-20 % across sizes", None, "needs 3 plain sizes"))
    by_size = {round(r["mb"] / 1000, 1): r for r in ok}
    for s in skew:
        twin = min(ok, key=lambda r: abs(r["mb"] - s["mb"]), default=None)
        if s["exit"] != 0 or twin is None:
            out.append((f"skew {s['mb']:.0f} MB completes", s["exit"] == 0, f"exit {s['exit']}"))
            continue
        ratio = s["s_per_mb"] / twin["s_per_mb"]
        out.append((f"skew {s['mb']:.0f} MB costs <= 1.5x plain per MB, no failed task, invariant holds",
                    ratio <= 1.5 and s["failed_tasks"] == 0 and s.get("invariant") is True,
                    f"{ratio:.2f}x, {s['failed_tasks']} failed tasks, invariant {s.get('invariant')}"))
        out.append((f"skew {s['mb']:.0f} MB: the {members:,}-member family ends as one survivor",
                    s.get("family_survivors") == 1, f"{s.get('family_survivors')} survivors"))
    largest = [r for r in plain + skew if r["mb"] >= 3500]
    out.append(("4 GB runs (plain and skew) complete with a 1 GB driver heap",
                all(r["exit"] == 0 for r in largest) if largest else None,
                ", ".join(f"{r['name']} exit {r['exit']}" for r in largest) or "no 4 GB run"))
    one, four = by_size.get(1.0), by_size.get(4.0)
    if one and four:
        ratio = four["peak_rss_mb"] / one["peak_rss_mb"]
        out.append(("peak process-tree RSS within +-20 % from 1 to 4 GB", abs(ratio - 1) <= 0.2,
                    f"{one['peak_rss_mb']} -> {four['peak_rss_mb']} MB ({ratio:.2f}x)"))
    else:
        out.append(("peak process-tree RSS within +-20 % from 1 to 4 GB", None, "needs the 1 and 4 GB runs"))
    return out


def markdown(results: list[dict], checks) -> str:
    lines = ["| run | MB | exit | wall s | s/MB | peak RSS MB | shuffle write MB | disk spill MB | longest task s |"
             " failed tasks |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['name']} | {r['mb']:,.0f} | {r['exit']} | {r['wall_s']:,.1f} | {r['s_per_mb']:.3f} | "
                     f"{r['peak_rss_mb']:,} | {r['shuffle_write_mb']:,.0f} | {r['spill_disk_mb']:,.0f} | "
                     f"{r['longest_task_s']:,.1f} | {r['failed_tasks']} |")
    return "\n".join(lines + ["", targets_table(checks)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--sizes", type=float, nargs="*", default=[0.25, 1, 2, 4], help="plain corpus sizes, GB")
    parser.add_argument("--skew-sizes", type=float, nargs="*", default=[1, 4], help="skew corpus sizes, GB")
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    parser.add_argument("--work", default="/tmp/dps_bench_scale")
    parser.add_argument("--out", default=None, help="where scale.json and scale.md go (default: --work)")
    parser.add_argument("--family-members", type=int, default=FAMILY_MEMBERS, help="smaller for a quick check")
    parser.add_argument("--short-copies", type=int, default=SHORT_COPIES)
    parser.add_argument("--big-docs-mb", type=int, nargs="*", default=list(BIG_DOCS_MB))
    parser.add_argument("--cluster-size", type=float, default=1,
                        help="plain size (GB, one of --sizes) also run on a standalone cluster; 0: none")
    parser.add_argument("--archive", help="the environment archive for the cluster run (default: built in --work)")
    parser.add_argument("--lock", help="a flock file held for each run only (e.g. /tmp/dps-spark.lock)")
    parser.add_argument("--reuse", action="store_true",
                        help="take runs kept in --work/results for the same commit, corpus and config")
    args = parser.parse_args()
    work = scratch_folder(args.work, fresh=False)
    records = [r for f in sorted(glob.glob(os.path.join(args.data, "*.jsonl"))) for r in read_records(f)]
    if not records:
        sys.exit(f"no records in {args.data}/*.jsonl")
    gb = 1e9
    largest = max([*args.sizes, *args.skew_sizes, 0])
    copies = plain_copies(records, work, largest * gb)
    extra, extra_bytes = skew_files(records, work, args.config, args.family_members, args.short_copies,
                                    tuple(args.big_docs_mb)) if args.skew_sizes else ([], 0)
    results = []
    for size in args.sizes:
        folder = link_folder(work, f"plain-{size:g}gb", take(copies, size * gb))
        results.append(run_kept(f"plain-{size:g}gb", folder, work, args.config, args.reuse, args.lock))
        print(json.dumps({k: v for k, v in results[-1].items() if k not in ("stages", "steps")}), flush=True)
    skew = []
    for size in args.skew_sizes:
        folder = link_folder(work, f"skew-{size:g}gb", extra + take(copies, max(size * gb - extra_bytes, 0)))
        skew.append(run_kept(f"skew-{size:g}gb", folder, work, args.config, args.reuse, args.lock))
        print(json.dumps({k: v for k, v in skew[-1].items() if k not in ("stages", "steps")}), flush=True)
    cluster = None
    if args.cluster_size and args.cluster_size in args.sizes:
        name = f"plain-{args.cluster_size:g}gb"
        cluster = run_kept(f"cluster-{name}", os.path.join(work, "corpora", name), work, args.config, args.reuse,
                           args.lock, runner=lambda _n, *a, **k: run_cluster(name, *a, **k), archive=args.archive)
        print(json.dumps(cluster), flush=True)
    checks = targets(results, skew, args.family_members)
    if cluster is not None:
        local = next(r for r in results if r["name"] == cluster["name"].removeprefix("cluster-"))
        checks.append((f"{cluster['name']}: spark-submit on 2 workers x 1 core gives the same shards as local mode",
                       cluster["same_shards_as_local"] is True,
                       f"exit {cluster['exit']}, {cluster['wall_s']} s (local {local['wall_s']} s)"))
    out = args.out or work
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "scale.json"), "w", encoding="utf-8") as fh:
        json.dump({"runs": results + skew, "cluster": cluster, "targets": checks}, fh, ensure_ascii=False, indent=1)
    table = markdown(results + skew, checks)
    with open(os.path.join(out, "scale.md"), "w", encoding="utf-8") as fh:
        fh.write(table)
    print(table)


if __name__ == "__main__":
    main()
