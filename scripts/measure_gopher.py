"""Measure the gopher_quality and gopher_repetition metrics on JSONL files: a thin caller of `dps profile`.

    python scripts/measure_gopher.py [FILE.jsonl ...] [--set PARAM=VALUE ...] [--sample-fraction F] [--out DIR]

Runs `dps profile` with the two filters alone, on FILEs (default: the shared samples in ../shared/data beside the
checkout): per source, the quantiles of every metric and the share of documents each threshold alone would remove
(the numbers behind docs/gopher_defaults.md), printed and written to DIR (default out/measure_gopher) as
profile.json, profile.html and one histogram per metric. --set PARAM=VALUE sets a parameter of either filter
(`--set min_words=50`, `--set function_word_mode=kiwi`); None turns a rule off. Filter throughput per stage:
scripts/bench_text.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

from _common import data_files  # noqa: E402

STAGES = ("gopher_quality", "gopher_repetition")


def main(argv: list[str] | None = None) -> int:
    from dps.cli import main as dps
    from dps.registry import STAGES as REGISTRY

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", default=data_files())
    parser.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                        help="a parameter of gopher_quality or gopher_repetition")
    parser.add_argument("--sample-fraction", default="1.0", metavar="F")
    parser.add_argument("--out", default=os.path.join(ROOT, "out", "measure_gopher"), metavar="DIR")
    args = parser.parse_args(argv)
    if not args.files:
        parser.error("no input: pass FILE.jsonl ... (default ../shared/data/*.jsonl)")
    overrides = []
    for item in args.set:
        key, _, value = item.partition("=")
        stage = next((name for name in STAGES if key in REGISTRY[name].params), None)
        if stage is None:
            parser.error(f"unknown parameter {key!r}")
        overrides.append(f"stages.{stage}.{key}={value}")
    with tempfile.TemporaryDirectory(prefix="dps_measure_gopher_") as tmp:
        config = os.path.join(tmp, "measure_gopher.yaml")
        with open(config, "w", encoding="utf-8") as fh:
            json.dump({"input": {"paths": [os.path.abspath(p) for p in args.files]},
                       "output": {"path": os.path.join(tmp, "out")}, "stages": list(STAGES)}, fh)  # JSON is YAML
        return dps(["profile", config, "--out", args.out, "--sample-fraction", args.sample_fraction,
                    *[arg for o in overrides for arg in ("--set", o)]])


if __name__ == "__main__":
    sys.exit(main())
