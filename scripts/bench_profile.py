#!/usr/bin/env python3
"""Time `dps profile` end to end (Spark start-up included), as a user runs it.

    python scripts/bench_profile.py [--data ../shared/data/*.jsonl] [--config configs/korean_web.yaml] [--cores 2]
                                    [--sample-fraction 1.0]

Runs `dps profile CONFIG --sample-fraction F --set input.paths=[DATA] --set spark.master=local[CORES]` in a
subprocess, writing into a temporary folder, and prints the wall time, the input size and the console summary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from _common import data_files  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=data_files())
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--sample-fraction", default="1.0")
    args = parser.parse_args()
    if not args.data:
        parser.error("no data: pass --data FILE ...")
    data = [os.path.abspath(p) for p in args.data]
    mb = sum(os.path.getsize(p) for p in data) / 1e6
    with tempfile.TemporaryDirectory(prefix="dps_bench_profile_") as tmp:
        command = [sys.executable, "-m", "dps.cli", "profile", args.config, "--sample-fraction", args.sample_fraction,
                   "--out", os.path.join(tmp, "profile"), "--set", "input.paths=" + json.dumps(data),
                   "--set", f"output.path={tmp}/out", "--set", f"spark.master=local[{args.cores}]"]
        started = time.time()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.time() - started
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return result.returncode
        size = sum(os.path.getsize(os.path.join(tmp, "profile", n)) for n in os.listdir(os.path.join(tmp, "profile")))
    print(result.stdout)
    print(f"dps profile on {mb:.1f} MB in {len(data)} files, --sample-fraction {args.sample_fraction}, "
          f"local[{args.cores}]: {wall:.1f} s wall (Spark start-up included); output {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
