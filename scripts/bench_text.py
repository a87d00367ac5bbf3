#!/usr/bin/env python3
"""Benchmark the full text chain through Spark local mode and print throughput figures.

    python scripts/bench_text.py [--data ../shared/data/*.jsonl] [--config configs/korean_web.yaml] [--cores 2]

Runs the config's text stages (frame stages such as dedup are dropped) twice on the same data: once as
configured with gopher_quality in its fast lexicon mode, once with `function_word_mode: kiwi`. Prints docs/s,
MB/s and MB/s per core (UTF-8 input bytes), wall time with and without Spark start-up, and the peak resident
memory of the whole process tree (driver JVM + Python workers + this script).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class PeakTreeRSS(threading.Thread):
    """Samples the summed RSS of this process and all its descendants (JVM, Python workers) every 0.2 s."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self._done = threading.Event()

    @staticmethod
    def _tree_rss() -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                parents[int(pid)] = int(fields[1])
                rss[int(pid)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        me, total, frontier = os.getpid(), 0, [os.getpid()]
        seen = {me}
        while frontier:
            pid = frontier.pop()
            total += rss.get(pid, 0)
            for child, parent in parents.items():
                if parent == pid and child not in seen:
                    seen.add(child)
                    frontier.append(child)
        return total

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.2)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def bench(label: str, config_path: str, data: list[str], cores: int, overrides: list[str]) -> None:
    from dps.config import load_config
    from dps.pipeline import Plan, plan, run
    from dps.spark.session import build_session

    out = tempfile.mkdtemp(prefix="dps_bench_")
    try:
        config = load_config(config_path, [
            f"input.paths={data!r}".replace("'", '"'), f"output.path={out}/kept", "output.rejected_path=null",
            f"spark.master=local[{cores}]", "spark.driver_memory=4g", *overrides])
        job_plan = plan(config)
        text_only = Plan(config, tuple(s for s in job_plan.stages if s.kind in ("map", "filter")))
        n_bytes = sum(os.path.getsize(p) for p in data)
        monitor = PeakTreeRSS()
        monitor.start()
        t0 = time.time()
        spark = build_session(config)
        spark.range(1).count()  # the JVM and one task are really up
        t1 = time.time()
        report = run(config, spark, job_plan=text_only, echo=lambda m: None)
        t2 = time.time()
        spark.stop()
        peak = monitor.stop()
        docs = report.input_records
        work = t2 - t1
        mb = n_bytes / 1e6
        print(f"\n== {label}: {' -> '.join(s.name for s in text_only.stages)}")
        print(f"input            {docs:,} docs, {mb:.1f} MB ({len(data)} files), {cores} cores (local[{cores}])")
        print(f"kept             {report.totals()['kept']:,} docs ({report.totals()['kept'] / docs:.1%})")
        print(f"wall (no start)  {work:.1f} s   -> {docs / work:,.0f} docs/s, {mb / work:.2f} MB/s, "
              f"{mb / work / cores:.2f} MB/s per core")
        print(f"wall (with start){t2 - t0:.1f} s   (Spark start-up {t1 - t0:.1f} s) -> "
              f"{mb / (t2 - t0) / cores:.2f} MB/s per core")
        print(f"peak memory      {peak / 2**20:,.0f} MiB (process tree: driver JVM + Python workers + this script)")
        holds, equation = report.invariant()
        print(f"invariant        {'OK' if holds else 'BROKEN'}: {equation}")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data",
                                                                                    "*.jsonl"))))
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-kiwi", action="store_true", help="only the fast (lexicon) run")
    args = parser.parse_args()
    data = [os.path.abspath(p) for p in args.data]
    if not data:
        sys.exit("no input: pass --data FILE ... (default ../shared/data/*.jsonl)")
    bench("text chain, lexicon function words", args.config, data, args.cores, [])
    if not args.skip_kiwi:
        bench("text chain, kiwipiepy function words", args.config, data, args.cores,
              ["stages.gopher_quality.function_word_mode=kiwi"])


if __name__ == "__main__":
    main()
