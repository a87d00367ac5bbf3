"""`dps show OUTPUT --reason R`: the rejected (or kept) documents of a finished run, with their evidence.

Reads the run's Parquet with pyarrow, batch by batch, and stops after `limit` documents: memory stays at a batch
whatever the output's size, and the time is that of reading up to the documents shown (row groups of other
reasons are skipped by their statistics). Documents come in the output's order: shard by shard, and within a
shard sorted by status, reason and text, the same on every call.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from dps.config import ConfigError
from dps.marks import DETAIL, RAW, REASON, STATUS
from dps.run_output import FinishedRun, batches, columns, match_reasons, reason_total


def show(run: FinishedRun, *, reason: str | None = None, source: str | None = None, limit: int = 20,
         kept: bool = False, jsonl: bool = False, chars: int = 600, out: TextIO | None = None,
         note: TextIO | None = None) -> int:
    """Print (or, with jsonl, export) up to `limit` documents (0: all) to `out` (stdout), the summary to `note`
    (stderr) when exporting; returns how many were written."""
    import pyarrow.dataset as ds

    out, note = sys.stdout if out is None else out, sys.stderr if note is None else note  # per call: redirectable

    if kept and reason is not None:
        raise ConfigError("--kept and --reason: kept documents have no reason; use one of them")
    if limit < 0:
        raise ConfigError(f"-n: expected a number of documents >= 0 (0: all), got {limit}")
    folder = run.folder(kept)
    names = columns(folder)
    where = None
    reasons: list[str] = []
    if reason is not None:
        reasons = match_reasons(run, reason)
        where = ds.field(REASON).isin(reasons)
    if source is not None:
        column = run.source_column
        if not column or column not in names:
            raise ConfigError(f"--source: the output of {run.given} has no source column "
                              f"({'input.source_column is not set' if not column else repr(column) + ' is absent'})")
        known = sorted(run.report.get("by_source", {}))
        if known and source not in known:
            raise ConfigError(f"--source {source!r}: no such source in {run.given}; sources: {', '.join(known)}")
        match = ds.field(column).cast("string") == source
        where = match if where is None else where & match
    header = _header(run, kept, reasons, source, limit)
    print(header, file=note if jsonl else out)
    shown = 0
    for batch in batches(folder, where=where, batch_size=256):
        for row in batch.to_pylist():
            if limit and shown >= limit:
                break
            shown += 1
            if jsonl:
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            else:
                out.write(_render(shown, row, run, chars) + "\n")
        if limit and shown >= limit:
            break
    total = _total(run, kept, reasons, source)
    ending = f"{shown:,} document{'s' if shown != 1 else ''} shown"
    if total is not None and shown < total:
        ending += f" of {total:,}; -n {min(total, max(shown * 5, 100))} for more, -n 0 for all"
    print(ending, file=note if jsonl else out)
    return shown


def _header(run: FinishedRun, kept: bool, reasons: list[str], source: str | None, limit: int) -> str:
    what = "kept documents" if kept else ("rejected documents" if not reasons else
                                          ", ".join(f"{r} ({reason_total(run, [r]):,})" for r in reasons[:8])
                                          + (f" and {len(reasons) - 8} more reasons" if len(reasons) > 8 else ""))
    where = f" of source {source}" if source is not None else ""
    first = f"the first {limit:,}" if limit else "all"
    return f"{run.given}: {what}{where}; {first}, in output order"


def _total(run: FinishedRun, kept: bool, reasons: list[str], source: str | None) -> int | None:
    """How many documents match, from the report (None when the report cannot say: a reason of one source)."""
    if source is not None:
        if kept:
            return run.report.get("by_source", {}).get(source, {}).get("kept")
        return None
    if kept:
        return run.report.get("totals", {}).get("kept")
    if reasons:
        return reason_total(run, reasons)
    return sum(d for s, _, d in run.reasons() if s != "kept")


def _render(n: int, row: dict, run: FinishedRun, chars: int) -> str:
    """One document: a line of status, reason, id, source and every other column set, its evidence (dps_detail)
    whole, then its text."""
    text_column = run.text_column
    text = row.get(text_column)
    body = text if text is not None else row.get(RAW)
    meta = [f"{row[STATUS]} {row.get(REASON) or ''}".strip()] if STATUS in row else []
    for key, value in row.items():
        if key in (text_column, STATUS, REASON, RAW, DETAIL) or value is None:
            continue
        shown = str(value)
        meta.append(f"{key} {shown if len(shown) <= 80 else shown[:77] + '...'}")
    if body is None:
        meta.append("no text")
    else:
        meta.append(f"{len(body):,} chars" + (" (the raw input line: the record could not be read)"
                                              if text is None else ""))
    lines = [f"[{n}] " + " · ".join(meta)]
    if row.get(DETAIL) is not None:
        lines.append(f"    evidence: {row[DETAIL]}")
    if body is not None:
        cut = body if chars <= 0 or len(body) <= chars else body[:chars] + f" … ({len(body) - chars:,} more)"
        lines += ["    " + line for line in cut.splitlines() or [""]]
    return "\n".join(lines) + "\n"
