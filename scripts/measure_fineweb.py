#!/usr/bin/env python3
"""Measure fineweb_quality on Korean data, and compare FineWeb-2's Korean preset with dps's defaults.

    python scripts/measure_fineweb.py    # ../shared/data/*.jsonl; the tables of docs/fineweb_defaults.md
    python scripts/measure_fineweb.py --data a.jsonl --limit 2000

1. How lines end: the share of non-blank lines ending in terminal punctuation, and with Korean endings counted.
2. fineweb_quality's metrics (p1 ... p99) per file, over all documents and over documents of >= 3 lines, and the
   share of each file every rule alone removes at a sweep of thresholds.
3. The preset comparison: for configs/fineweb2_korean.yaml ("FineWeb-2") and for configs/korean_web.yaml with
   fineweb_quality at its defaults added before gopher_repetition ("dps"), the share of each file that each
   rule alone removes (the numbers `dps profile` prints, computed by the same code, dps.profile.profile_rows,
   without Spark: the config's map stages run first), and the share the whole chain filters.
"""

from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

from _common import data_files, read_texts  # noqa: E402

from dps.config import StageSpec, load_config  # noqa: E402
from dps.plan import plan  # noqa: E402
from dps.profile import profile_plan, profile_rows  # noqa: E402
from dps.registry import bind  # noqa: E402
from dps.spark.arrow import run_chain  # noqa: E402
from dps.text.fineweb_quality import fineweb_quality, fineweb_quality_profile, is_terminal_line  # noqa: E402
from dps.text.words import split_lines  # noqa: E402

DEFAULT_DATA = data_files()
QS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
SWEEPS = {
    "min_line_punct_ratio": (0.062, 0.1, 0.2, 0.3),
    "max_short_line_ratio": (0.5, 0.67, 0.8, 0.9),
    "max_dup_line_char_ratio": (0.01, 0.05, 0.1, 0.2),
    "max_newline_word_ratio": (0.196, 0.3, 0.4, 0.5),
}
ALL_RULES = {"min_line_punct_ratio": None, "max_short_line_ratio": None, "max_dup_line_char_ratio": None,
             "max_newline_word_ratio": None}


def pct(n: int, d: int) -> str:
    return f"{100 * n / max(d, 1):6.2f}%"


def quantiles(values: list[float]) -> str:
    values = sorted(values)
    return " ".join(f"{values[int(q * (len(values) - 1))]:7.3f}" for q in QS) if values else "(none)"


def line_ends(name: str, texts: list[str]) -> None:
    lines = [line for t in texts for line in split_lines(t)]
    punct = sum(is_terminal_line(line, False) for line in lines)
    korean = sum(is_terminal_line(line, True) for line in lines)
    print(f"  {name:<26} {len(lines):>8,} lines   terminal punctuation {pct(punct, len(lines))}   "
          f"with Korean endings {pct(korean, len(lines))}")


def metrics_and_sweeps(name: str, texts: list[str]) -> None:
    print(f"\n=== {name}: {len(texts):,} documents")
    for endings in (True, False):
        rows = [fineweb_quality_profile(t, count_korean_endings=endings) for t in texts]
        multi = [r for r in rows if r["lines"] >= 3]
        print(f"  count_korean_endings={endings}: {len(multi):,} documents of >= 3 lines")
        print(f"  {'metric':<22} {'docs':<8}" + "".join(f"{'p' + str(int(q * 100)):>8}" for q in QS))
        for metric in ("lines", "line_punct_ratio", "short_line_ratio", "dup_line_char_ratio", "newline_word_ratio"):
            if not endings and metric != "line_punct_ratio":
                continue
            print(f"  {metric:<22} {'all':<8}{quantiles([r[metric] for r in rows])}")
            print(f"  {'':<22} {'>=3 lines':<8}{quantiles([r[metric] for r in multi])}")
    print("\n  removed alone (other rules off)            min_lines_for_line_rules=3   =1")
    for param, limits in SWEEPS.items():
        for limit in limits:
            for endings in ((True, False) if param == "min_line_punct_ratio" else (True,)):
                shares = []
                for min_lines in (3, 1):
                    params = {**ALL_RULES, param: limit, "min_lines_for_line_rules": min_lines,
                              "count_korean_endings": endings}
                    shares.append(pct(sum(fineweb_quality(t, **params) is not None for t in texts), len(texts)))
                label = f"{param}={limit}" + ("" if param != "min_line_punct_ratio" else f" endings={endings}")
                print(f"  {label:<44} {shares[0]:>12} {shares[1]:>12}")


def ours(config_path: str):
    """korean_web.yaml's text stages with fineweb_quality at its defaults before gopher_repetition."""
    stages = [s for s in plan(load_config(config_path)).stages if s.kind in ("map", "filter")]
    at = next(i for i, s in enumerate(stages) if s.name == "gopher_repetition")
    return [*stages[:at], bind(StageSpec("fineweb_quality", {}, "stages[0]"), seed=0), *stages[at:]]


def shares(stages, texts: list[str]) -> tuple[dict[str, tuple[str, float]], float, dict[str, int]]:
    """Per rule (stage.param): (limit, share removed alone); the share the whole chain filters; per reason."""
    metrics, steps = profile_plan(stages)
    n = len(texts)
    _, _, _, flags = profile_rows(texts, ["kept"] * n, [None] * n, metrics, steps)
    out = {}
    for k, pm in enumerate(metrics):
        for j in pm.active_rules:
            rule = pm.spec.rules[j]
            out[f"{pm.stage}.{rule.param}"] = (pm.limits[j], sum(bool(f) for f in flags[(k, j)]) / n)
    _, status, reason, _, _ = run_chain(texts, ["kept"] * n, [None] * n, stages, None)
    reasons: dict[str, int] = {}
    for s, r in zip(status, reason):
        if s != "kept":
            reasons[r] = reasons.get(r, 0) + 1
    return out, sum(s == "filtered" for s in status) / n, reasons


def compare(data: list[tuple[str, list[str]]], fw2_path: str, ours_path: str) -> None:
    fw2 = [s for s in plan(load_config(fw2_path)).stages if s.kind in ("map", "filter")]
    mine = ours(ours_path)
    results = {name: (shares(fw2, texts), shares(mine, texts)) for name, texts in data}
    keys = []
    for name, _ in data:
        for part in results[name]:
            keys += [k for k in part[0] if k not in keys]
    print("\n=== FineWeb-2 preset vs dps defaults: share of each file removed by each rule alone")
    head = "".join(f"{'FW-2 ' + n[:9]:>16}{'dps ' + n[:9]:>16}" for n, _ in data)
    print(f"  {'rule':<52}{'FW-2':>8}{'dps':>8}{head}")
    for key in keys:
        first = results[data[0][0]]
        fw_limit = first[0][0].get(key, ("off", 0))[0]
        our_limit = first[1][0].get(key, ("off", 0))[0]
        row = f"  {key:<52}{str(fw_limit):>8}{str(our_limit):>8}"
        for name, _ in data:
            (fw_rules, _, _), (our_rules, _, _) = results[name]
            row += f"{_cell(fw_rules, key):>16}{_cell(our_rules, key):>16}"
        print(row)
    row = f"  {'whole chain (filtered, first failing rule)':<68}"
    for name, _ in data:
        (_, fw_all, _), (_, our_all, _) = results[name]
        row += f"{100 * fw_all:>15.2f}%{100 * our_all:>15.2f}%"
    print(row)
    for name, _ in data:
        for label, part in zip(("FW-2", "dps"), results[name]):
            top = sorted(part[2].items(), key=lambda kv: -kv[1])[:8]
            print(f"  {name} {label} reasons: " + ", ".join(f"{r} {v}" for r, v in top))


def _cell(rules: dict, key: str) -> str:
    return f"{100 * rules[key][1]:.2f}%" if key in rules else "off"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", nargs="+", default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--fw2-config", default=os.path.join(ROOT, "configs", "fineweb2_korean.yaml"))
    ap.add_argument("--ours-config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    ap.add_argument("--skip-sweeps", action="store_true")
    args = ap.parse_args()
    data = [(os.path.basename(p).replace("_sample.jsonl", ""), read_texts(p, args.limit)) for p in args.data]
    print("=== how lines end")
    for name, texts in data:
        line_ends(name, texts)
    if not args.skip_sweeps:
        for name, texts in data:
            metrics_and_sweeps(name, texts)
    compare(data, args.fw2_config, args.ours_config)


if __name__ == "__main__":
    main()
