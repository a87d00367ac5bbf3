#!/usr/bin/env python3
"""Measure fix_encoding: false repairs on clean data, repairs of mojibake made from it, and its cost.

    python scripts/bench_fix_encoding.py                   # ../shared/data/*.jsonl
    python scripts/bench_fix_encoding.py --data a.jsonl --limit 2000

1. False repairs: documents of the (clean) input that fix_encoding changes or quarantines. Must be 0.
2. Repairs: every document is damaged in memory in five ways and run through fix_encoding; printed is the share
   restored exactly (or, for the lossy kinds, quarantined). Kinds: the whole text as UTF-8 read as CP1252 with
   undefined bytes kept as C1 controls (what browsers do), UTF-8 read as Latin-1, CP949 read as Latin-1,
   one line (reviews) or one sentence (news) of the text as CP949 read as Latin-1 inside correct text, and
   CP949 read as UTF-8 with U+FFFD (must be quarantined).
3. Cost: single-core CPU MB/s (UTF-8 input bytes) of fix_encoding on the clean documents, and of the
   korean_web.yaml text chain with and without fix_encoding in front (pure Python, run_chain).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

from _common import data_files, read_texts  # noqa: E402

from dps.text.fix_encoding import _PAIR, fix_encoding  # noqa: E402
from dps.text.quarantine import Quarantine  # noqa: E402

DEFAULT_DATA = data_files()


def run(text: str) -> str | None:
    """fix_encoding's output, or None when it quarantines the text."""
    try:
        return fix_encoding(text)
    except Quarantine:
        return None


def sloppy_cp1252(data: bytes) -> str:
    """CP1252 as browsers decode it: the five undefined bytes become the C1 controls of the same value."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


_SENTENCE = re.compile(r"(?<=[.!?]) ")


def damage_one_part(text: str) -> str | None:
    """One line (or, in a one-line text, one sentence) in the middle as CP949 read as Latin-1."""
    lines = text.split("\n")
    if len(lines) >= 3:
        k = len(lines) // 2
        try:
            lines[k] = lines[k].encode("cp949").decode("latin-1")
        except UnicodeEncodeError:
            return None
        return "\n".join(lines)
    parts = _SENTENCE.split(text)
    if len(parts) < 3:
        return None
    k = len(parts) // 2
    try:
        parts[k] = parts[k].encode("cp949").decode("latin-1")
    except UnicodeEncodeError:
        return None
    return " ".join(parts) if " ".join(_SENTENCE.split(text)) == text else None


KINDS = {
    "utf8_as_cp1252": lambda t: sloppy_cp1252(t.encode("utf-8")),
    "utf8_as_latin1": lambda t: t.encode("utf-8").decode("latin-1"),
    "cp949_as_latin1": lambda t: t.encode("cp949").decode("latin-1"),
    "cp949_part_as_latin1": damage_one_part,
    "cp949_as_utf8_replaced": lambda t: t.encode("cp949").decode("utf-8", errors="replace"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", nargs="+", default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="documents per file (default: all)")
    ap.add_argument("--repair-limit", type=int, default=2000, help="documents per file damaged for part 2")
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    args = ap.parse_args()

    all_texts = []
    print("== 1. false repairs on clean data (documents changed or quarantined by fix_encoding)")
    for path in args.data:
        texts = read_texts(path, args.limit)
        all_texts += texts
        looked = sum(_PAIR.search(t) is not None for t in texts)
        changed = sum(run(t) != t for t in texts)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        seconds = min(_timed(lambda: [run(t) for t in texts]) for _ in range(3))
        print(f"  {os.path.basename(path):<28} {len(texts):>6,} docs   looked at {looked:>3}   "
              f"false repairs {changed}   {mb / seconds:6.1f} MB/s (one core)")

    print("\n== 2. repairs of mojibake made in memory from the same documents (exactly restored / quarantined)")
    for path in args.data:
        texts = read_texts(path, args.repair_limit)
        print(f"  {os.path.basename(path)} (first {len(texts):,} documents)")
        for kind, damage in KINDS.items():
            made = restored = quarantined = 0
            for t in texts:
                try:
                    bad = damage(t)
                except UnicodeEncodeError:  # a character CP949 cannot write (emoji): not a CP949 page
                    bad = None
                if bad is None or bad == t:
                    continue
                made += 1
                out = run(bad)
                restored += out == t
                quarantined += out is None
            share = (quarantined if kind == "cp949_as_utf8_replaced" else restored) / max(1, made)
            what = "quarantined" if kind == "cp949_as_utf8_replaced" else "restored"
            print(f"    {kind:<24} {made:>6,} damaged   {what} {100 * share:6.2f}%   "
                  f"(restored {restored}, quarantined {quarantined})")

    mb = sum(len(t.encode("utf-8")) for t in all_texts) / 1e6
    print(f"\n== 3. cost, one core, CPU time, best of 3 ({len(all_texts):,} clean docs, {mb:.1f} MB)")
    best = min(_timed(lambda: [fix_encoding(t) for t in all_texts]) for _ in range(3))
    print(f"  fix_encoding alone                  {mb / best:8.1f} MB/s")
    from dps.config import StageSpec, load_config
    from dps.plan import plan
    from dps.registry import bind
    from dps.spark.arrow import run_chain

    stages = [s for s in plan(load_config(args.config)).stages
              if s.kind in ("map", "filter") and s.name != "fix_encoding"]
    fix = bind(StageSpec("fix_encoding", {}, "stages[0]"), seed=0)
    for label, chain in (("text chain without fix_encoding", stages), ("text chain with fix_encoding", [fix, *stages])):
        n = len(all_texts)
        t = min(_timed(lambda: run_chain(all_texts, ["kept"] * n, [None] * n, chain)) for _ in range(3))
        print(f"  {label:<35} {mb / t:8.1f} MB/s   ({t:.2f} s)")


def _timed(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


if __name__ == "__main__":
    main()
