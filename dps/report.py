"""The run report: counts per status and reason (and per source), the invariant, the effective config.

Counts come from one small groupBy over the marked frame (a few hundred rows at most, safe to collect), not
from accumulators, which Spark may apply twice when a task is retried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from dps import __version__
from dps.spark.io import STATUSES


@dataclass
class ReasonCount:
    status: str
    reason: str | None
    source: str | None
    docs: int
    chars: int


@dataclass
class Report:
    input_records: int
    rows: list[ReasonCount]
    config: dict
    written: dict = field(default_factory=dict)
    edits: list[dict] = field(default_factory=list)  # per map stage: docs_changed, chars_removed
    index: dict | None = None  # nightly runs: the index seen and what this run added to it

    def totals(self) -> dict[str, int]:
        totals = {s: 0 for s in STATUSES}
        for r in self.rows:
            totals[r.status] = totals.get(r.status, 0) + r.docs
        return totals

    def invariant(self) -> tuple[bool, str]:
        t = self.totals()
        total = sum(t.values())
        equation = (f"input {self.input_records:,} = kept {t['kept']:,} + filtered {t['filtered']:,} + "
                    f"duplicate {t['duplicate']:,} + quarantined {t['quarantined']:,}")
        holds = total == self.input_records and set(t) == set(STATUSES)
        if "kept_rows" in self.written:
            holds = holds and self.written["kept_rows"] == t["kept"]
        if "rejected_rows" in self.written:
            holds = holds and self.written["rejected_rows"] == total - t["kept"]
        if "index_rows" in self.written:  # every kept document, and only those, enters the index
            holds = holds and self.written["index_rows"] == t["kept"]
        return holds, equation

    def by_reason(self) -> list[tuple[str, str | None, int, int]]:
        merged: dict[tuple[str, str | None], list[int]] = {}
        for r in self.rows:
            acc = merged.setdefault((r.status, r.reason), [0, 0])
            acc[0] += r.docs
            acc[1] += r.chars
        order = {s: i for i, s in enumerate(STATUSES)}
        return sorted(((s, rs, d, c) for (s, rs), (d, c) in merged.items()),
                      key=lambda x: (order.get(x[0], 9), -x[2], x[1] or ""))

    def by_source(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        if all(r.source is None for r in self.rows):  # no source column: no per-source breakdown
            return out
        for r in self.rows:
            src = out.setdefault(r.source if r.source is not None else "(none)", {s: 0 for s in STATUSES})
            src[r.status] = src.get(r.status, 0) + r.docs
        return dict(sorted(out.items()))

    def to_json(self) -> str:
        holds, equation = self.invariant()
        doc = {
            "dps_version": __version__,
            "input_records": self.input_records,
            "totals": self.totals(),
            "invariant": {"holds": holds, "equation": equation},
            "written": self.written,
            "reasons": [{"status": s, "reason": r, "docs": d, "chars": c} for s, r, d, c in self.by_reason()],
            "by_source": self.by_source(),
            "map_stage_edits": self.edits,
            **({"index": self.index} if self.index is not None else {}),
            "config": self.config,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def table(self) -> str:
        n = max(self.input_records, 1)
        lines = [f"{'status':<12} {'reason':<50} {'docs':>10} {'share':>7} {'chars':>14}"]
        lines.append("-" * len(lines[0]))
        for status, reason, docs, chars in self.by_reason():
            lines.append(f"{status:<12} {reason or '':<50} {docs:>10,} {docs / n:>7.1%} {chars:>14,}")
        if self.edits:
            lines += ["", f"{'map stage':<24} {'docs changed':>14} {'chars removed':>15}"]
            for e in self.edits:
                lines.append(f"{e['stage']:<24} {e['docs_changed']:>14,} {e['chars_removed']:>15,}")
                for counter, n in e.get("counters", {}).items():
                    lines.append(f"  {counter:<22} {n:>14,}")
        sources = self.by_source()
        if len(sources) > 1 or (sources and "(none)" not in sources):
            lines += ["", f"{'source':<20} " + " ".join(f"{s:>12}" for s in STATUSES)]
            for src, counts in sources.items():
                lines.append(f"{src[:20]:<20} " + " ".join(f"{counts.get(s, 0):>12,}" for s in STATUSES))
        if self.index is not None:
            ix = self.index
            lines += ["", f"index {ix['path']}: run {ix['run_id']} checked against {ix['docs_seen']:,} documents of "
                          f"{len(ix['runs_seen'])} earlier run(s); adds {self.written.get('index_rows', 0):,}"]
        holds, equation = self.invariant()
        lines += ["", f"{'OK' if holds else 'BROKEN'}: {equation}"]
        return "\n".join(lines)
