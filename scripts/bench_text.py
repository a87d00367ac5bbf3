#!/usr/bin/env python3
"""Benchmark the full text chain through Spark local mode and print throughput figures.

    python scripts/bench_text.py [--data ../shared/data/*.jsonl] [--config configs/korean_web.yaml] [--cores 2]

Runs the config's text stages (frame stages such as dedup are dropped) on the same data in two modes: as
configured, with gopher_quality in its fast lexicon mode, and with `function_word_mode: kiwi`. Each mode starts
one Spark session and runs the job --runs times in it: the first run pays the JVM's JIT warm-up (a fixed cost of
several CPU seconds that a multi-terabyte job amortizes), later runs show the steady state. Then one fresh JVM runs
the lexicon chain on the data --big-scale times over (default 8, ~220 MB) as a single job. Prints docs/s, MB/s
and MB/s per core (UTF-8 input bytes), wall time with and without Spark start-up, CPU seconds of the JVM and of
the Python workers, and the peak resident memory of the process tree (driver JVM + Python workers + script).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class TreeMonitor(threading.Thread):
    """Samples this process and all its descendants (driver JVM, Python workers) every 0.2 s: the peak summed RSS,
    and the CPU seconds each process used, split into JVM and Python."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.cpu: dict[int, tuple[str, float]] = {}
        self._done = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        parents: dict[int, int] = {}
        stats: dict[int, tuple[str, int, float]] = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    head, tail = fh.read().rsplit(")", 1)
                fields = tail.split()
                parents[int(pid)] = int(fields[1])
                cpu = (int(fields[11]) + int(fields[12])) / self._tick
                stats[int(pid)] = (head.split("(", 1)[1], int(fields[21]) * self._page, cpu)
            except (OSError, IndexError, ValueError):
                continue
        total, frontier, seen = 0, [os.getpid()], {os.getpid()}
        while frontier:
            pid = frontier.pop()
            if pid in stats:
                name, rss, cpu = stats[pid]
                total += rss
                self.cpu[pid] = (name, cpu)
            for child, parent in parents.items():
                if parent == pid and child not in seen:
                    seen.add(child)
                    frontier.append(child)
        self.peak = max(self.peak, total)

    def run(self):
        while not self._done.is_set():
            self._sample()
            time.sleep(0.2)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def cpu_split(self, baseline: dict[int, tuple[str, float]]) -> tuple[float, float]:
        jvm = py = 0.0
        for pid, (name, cpu) in self.cpu.items():
            used = cpu - baseline.get(pid, (name, 0.0))[1]
            if name == "java":
                jvm += used
            elif pid != os.getpid():
                py += used
        return jvm, py


def bench(label: str, config_path: str, data: list[str], cores: int, overrides: list[str], runs: int) -> None:
    from dps.config import load_config
    from dps.pipeline import run
    from dps.plan import Plan, plan
    from dps.spark.session import build_session

    out = tempfile.mkdtemp(prefix="dps_bench_")
    try:
        config = load_config(config_path, [
            "input.paths=" + json.dumps(data), f"output.path={out}/kept", "output.rejected_path=null",
            f"spark.master=local[{cores}]", "spark.driver_memory=4g", *overrides])
        job_plan = plan(config)
        text_only = Plan(config, tuple(s for s in job_plan.stages if s.kind in ("map", "filter")))
        n_bytes = sum(os.path.getsize(p) for p in data)
        mb = n_bytes / 1e6
        monitor = TreeMonitor()
        monitor.start()
        from pyspark import SparkContext

        fresh = SparkContext._gateway is None  # a second session in this process reuses the JVM, warm
        t0 = time.time()
        spark = build_session(config)
        spark.range(1).count()  # the JVM and one task are really up
        startup = time.time() - t0
        print(f"\n== {label}: {' -> '.join(s.name for s in text_only.stages)}")
        print(f"input            {mb:.1f} MB in {len(data)} files, {cores} cores (local[{cores}]); "
              f"Spark start-up {startup:.1f} s")
        for i in range(runs):
            monitor._sample()
            baseline = dict(monitor.cpu)
            t1 = time.time()
            report = run(config, spark, job_plan=text_only, echo=lambda m: None)
            work = time.time() - t1
            monitor._sample()
            jvm_cpu, py_cpu = monitor.cpu_split(baseline)
            docs = report.input_records
            kind = ("first job, fresh JVM" if fresh else "first job of a new session, JVM already warm") if i == 0 \
                else "warm JVM (same session)"
            print(f"run {i + 1}, {kind}:")
            kept = report.totals()["kept"]
            print(f"  kept           {kept:,} of {docs:,} docs ({kept / docs:.1%})")
            print(f"  wall           {work:.1f} s without start-up -> {docs / work:,.0f} docs/s, {mb / work:.2f} MB/s, "
                  f"{mb / work / cores:.2f} MB/s per core")
            if i == 0:
                print(f"  wall           {work + startup:.1f} s with start-up -> "
                      f"{mb / (work + startup) / cores:.2f} MB/s per core")
            print(f"  CPU seconds    JVM {jvm_cpu:.1f} s, Python {py_cpu:.1f} s")
            holds, equation = report.invariant()
            print(f"  invariant      {'OK' if holds else 'BROKEN'}: {equation}")
        spark.stop()
        monitor.stop()
        print(f"peak memory      {monitor.peak / 2**20:,.0f} MiB (process tree: driver JVM + Python workers + script)")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def bench_python(config_path: str, data: list[str]) -> None:
    """The same text stages without Spark: one process, one core, per stage and fused, CPU seconds."""
    from dps.config import load_config
    from dps.plan import plan
    from dps.spark.arrow import run_chain

    texts = []
    for path in dict.fromkeys(data):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line) if line.strip() else None
                if isinstance(record, dict) and isinstance(record.get("text"), str):
                    texts.append(record["text"])
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    stages = [s for s in plan(load_config(config_path)).stages if s.kind in ("map", "filter")]
    print(f"\n== pure Python, one core, {len(texts):,} docs, {mb:.1f} MB (every stage on every document)")
    for stage in stages:
        t = time.process_time()
        for text in texts:
            stage.apply(text)
        print(f"  {stage.name:<24} {mb / (time.process_time() - t):8.1f} MB/s")
    t = time.process_time()
    run_chain(texts, ["kept"] * len(texts), [None] * len(texts), stages)
    print(f"  {'fused chain':<24} {mb / (time.process_time() - t):8.1f} MB/s (filtered documents skip later stages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data",
                                                                                    "*.jsonl"))))
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-kiwi", action="store_true", help="only the fast (lexicon) run")
    parser.add_argument("--runs", type=int, default=2, help="jobs per mode in one Spark session (1st = cold JVM)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                        help="config override, as for dps run (repeatable)")
    parser.add_argument("--python-only", action="store_true", help="only the pure-Python per-stage figures")
    parser.add_argument("--skip-python", dest="skip_spark_python", action="store_true",
                        help="skip the pure-Python per-stage figures")
    parser.add_argument("--scale", type=int, default=1, help="read each input file this many times")
    parser.add_argument("--big-scale", type=int, default=8,
                        help="then one fresh-JVM job on the data this many times over, where per-job and JIT "
                             "warm-up costs weigh as little as in a real corpus (0: skip)")
    args = parser.parse_args()
    data = [os.path.abspath(p) for p in args.data] * args.scale
    if not data:
        sys.exit("no input: pass --data FILE ... (default ../shared/data/*.jsonl)")
    if args.python_only or not args.skip_spark_python:
        bench_python(args.config, data)
    if args.python_only:
        return
    bench("text chain, lexicon function words", args.config, data, args.cores, args.overrides, args.runs)
    if args.big_scale > 1:
        # A new process: a second session in this one would reuse this process's JVM, warm.
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.abspath(__file__), "--data", *data, "--config", args.config,
                        "--cores", str(args.cores), "--runs", "1", "--scale", str(args.big_scale), "--big-scale", "0",
                        "--skip-kiwi", "--skip-python", *[f"--set={o}" for o in args.overrides]], check=True)
    if not args.skip_kiwi:
        bench("text chain, kiwipiepy function words", args.config, data, args.cores,
              ["stages.gopher_quality.function_word_mode=kiwi", *args.overrides], args.runs)


if __name__ == "__main__":
    main()
