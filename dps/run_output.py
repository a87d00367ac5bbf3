"""A finished run's output, read with pyarrow (no Spark): its report, its kept and rejected folders, and their rows
in batches, so `dps show` and `dps diff` never hold a whole output in memory.

A run writes `_dps_report.json` into both folders; the report's config says where each folder is
(`output.path`, `output.rejected_path`, under `run_id=<id>` for nightly runs), so either folder finds the other.
A folder moved since the run is recognised by its columns (the rejected one has `dps_status`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterator

from dps.config import ConfigError, nearest
from dps.marks import STATUS
from dps.pipeline import REPORT_FILE


@dataclass(frozen=True)
class FinishedRun:
    """What a run wrote: the folder named on the command line, the report, and its two output folders."""

    given: str  # as the user wrote it, for messages
    report: dict
    kept: str | None  # folder of the kept shards, None when it is gone
    rejected: str | None  # folder of the rejected shards, None when the run wrote none (or it is gone)

    @property
    def text_column(self) -> str:
        return self.report["config"]["input"]["text_column"]

    @property
    def id_column(self) -> str | None:
        return self.report["config"]["input"].get("id_column")

    @property
    def source_column(self) -> str | None:
        return self.report["config"]["input"].get("source_column")

    def reasons(self) -> list[tuple[str, str | None, int]]:
        """(status, reason, documents) of every reason in the report, as the report orders them."""
        return [(r["status"], r["reason"], r["docs"]) for r in self.report.get("reasons", [])]

    def folder(self, kept: bool) -> str:
        """The kept or the rejected folder; one line saying why when there is none."""
        if kept:
            if self.kept is None:
                raise ConfigError(f"{self.given}: the kept output of this run is not where its report says "
                                  f"({self.report['config']['output']['path']}): name the kept folder itself")
            return self.kept
        if self.rejected is None:
            recorded = self.report["config"]["output"].get("rejected_path")
            if recorded is None:
                raise ConfigError(f"{self.given}: this run kept no rejected documents (output.rejected_path was "
                                  f"not set); set it and rerun to see them")
            raise ConfigError(f"{self.given}: the rejected output of this run is not where its report says "
                              f"({recorded}): name the rejected folder itself")
        return self.rejected


def open_run(path: str, what: str = "OUTPUT") -> FinishedRun:
    """The finished run whose kept or rejected folder is `path`."""
    if "://" in path and not path.startswith("file:"):
        raise ConfigError(f"{what} {path}: dps show and dps diff read local (or mounted) folders; copy the output, "
                          f"or read it with Spark")
    local = "/" + path[len("file:"):].lstrip("/") if path.startswith("file:") else path
    if not os.path.isdir(local):
        raise ConfigError(f"{what} {path}: no such folder")
    report_file = os.path.join(local, REPORT_FILE)
    try:
        with open(report_file, encoding="utf-8") as fh:
            report = json.load(fh)
    except FileNotFoundError:
        nights = sorted(f for f in os.listdir(local) if f.startswith("run_id="))
        hint = f" (nightly runs: name one night's folder, e.g. {os.path.join(path, nights[-1])})" if nights else ""
        raise ConfigError(f"{what} {path}: no {REPORT_FILE}: not the output folder of a finished dps run{hint}") \
            from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{what} {path}: cannot read {REPORT_FILE} ({exc})") from None
    config = report.get("config", {})
    run_id = config.get("run_id")

    def recorded(key: str) -> str | None:
        value = config.get("output", {}).get(key)
        if value is None:
            return None
        return f"{value.rstrip('/')}/run_id={run_id}" if run_id is not None else value

    here = os.path.realpath(local)
    kept, rejected = recorded("path"), recorded("rejected_path")
    places = {role: p for role, p in (("kept", kept), ("rejected", rejected))
              if p is not None and "://" not in p and os.path.isdir(p)}
    role = next((r for r, p in places.items() if os.path.realpath(p) == here), None)
    if role is None:  # moved or copied since the run: its columns say which folder it is
        role = "rejected" if STATUS in columns(local) else "kept"
    places[role] = local
    return FinishedRun(path, report, places.get("kept"), places.get("rejected"))


def shard_files(folder: str) -> list[str]:
    """The Parquet shards of an output folder, in name order (hidden and `_` files are not data)."""
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder))
            if f.endswith(".parquet") and not f.startswith(("_", "."))]


def columns(folder: str) -> list[str]:
    """The columns of an output folder's shards (all shards of a run share one schema)."""
    import pyarrow.parquet as pq

    files = shard_files(folder)
    return pq.read_schema(files[0]).names if files else []


def batches(folder: str, columns: list[str] | None = None, where=None, batch_size: int = 1024) -> Iterator:
    """The rows of an output folder as Arrow record batches, shard by shard in name order (the same order on every
    call). `where` is a pyarrow.dataset expression; Parquet row groups whose statistics rule it out are skipped
    (rejected shards are sorted by status and reason, so a reason's rows sit together)."""
    import pyarrow.dataset as ds

    for path in shard_files(folder):
        yield from ds.dataset(path, format="parquet").to_batches(columns=columns, filter=where,
                                                                batch_size=batch_size, use_threads=False)


def match_reasons(run: FinishedRun, wanted: str, option: str = "--reason") -> list[str]:
    """The reasons of the run that `wanted` names: a reason, a stage (all its reasons), or a status."""
    rejected = [(s, r, d) for s, r, d in run.reasons() if s != "kept" and r is not None]
    found = [r for s, r, _ in rejected if r == wanted or r.startswith(wanted + ":") or s == wanted]
    if not found:
        listed = ", ".join(f"{r} ({d:,})" for _, r, d in rejected[:30]) or "none (nothing was rejected)"
        more = f", and {len(rejected) - 30} more" if len(rejected) > 30 else ""
        raise ConfigError(f"{option} {wanted!r}: no document of {run.given} has this reason"
                          f"{nearest(wanted, [r for _, r, _ in rejected])}; reasons in this run: {listed}{more}")
    return found


def reason_total(run: FinishedRun, reasons: list[str]) -> int:
    return sum(d for s, r, d in run.reasons() if r in reasons and s != "kept")

