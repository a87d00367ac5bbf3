"""`dps diff RUN_A RUN_B`: the documents one run kept and the other did not, by the reason the other run gave them
and by source, with examples: the loop a user runs after changing a threshold.

Documents are matched by the id column when both runs name the same one (`input.id_column`), else by a hash of
the kept text. Both kept outputs are read once (the key column only) into sorted arrays of 64-bit key hashes,
8 bytes per kept document; then each run's rejected output is read once, batch by batch, looking up the
documents the other run kept. Nothing else is held: memory is 16 bytes per document of the larger run plus one
batch. `sample` keeps the documents whose key hash falls below a fraction of the hash range: the same documents
on both sides, so the counts scale.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from typing import TextIO

from dps.config import ConfigError
from dps.marks import DETAIL, RAW, REASON, STATUS
from dps.run_output import FinishedRun, batches, columns, shard_files

# Past this many kept documents (both runs together) the key arrays would take over 2 GB: sample instead.
MAX_KEYS = 250_000_000
_HASH_RANGE = 1 << 64


@dataclass
class Side:
    """The documents one run kept and the other did not, found in the other run's rejected output."""

    label: str  # "kept in A, not in B"
    other: str  # "B"
    docs: int = 0
    by_reason: dict[tuple[str, str], int] = field(default_factory=dict)
    by_reason_source: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    examples: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    text_column: str = "text"  # the other run's, for its examples

    @property
    def found(self) -> int:
        return sum(self.by_reason.values())


def diff(a: FinishedRun, b: FinishedRun, *, examples: int = 3, sample: float = 1.0, chars: int = 300,
         out: TextIO | None = None) -> tuple[Side, Side]:
    """Compare two finished runs and print the comparison (to stdout unless `out`); returns (kept in A only, kept
    in B only)."""
    import numpy as np

    out = sys.stdout if out is None else out  # looked up per call: a caller may have redirected it

    if not 0 < sample <= 1:
        raise ConfigError(f"--sample: expected a fraction in (0, 1], got {sample}")
    if examples < 0:
        raise ConfigError(f"--examples: expected a number >= 0, got {examples}")
    kept_a, kept_b = a.folder(kept=True), b.folder(kept=True)
    key_a, key_b, by_id = _key_columns(a, b, kept_a, kept_b)
    rows = _rows(kept_a) + _rows(kept_b)
    if rows * sample > MAX_KEYS:
        raise ConfigError(f"the two runs kept {rows:,} documents; comparing them all needs about "
                          f"{rows * sample * 8 / 1e9:.1f} GB: pass --sample {MAX_KEYS / rows:.2g} (or less) to "
                          f"compare that share of them, or compare with Spark")
    limit = None if sample >= 1 else int(sample * _HASH_RANGE)
    keys_a = _key_set(kept_a, key_a, limit)
    keys_b = _key_set(kept_b, key_b, limit)
    only_a = np.setdiff1d(keys_a, keys_b, assume_unique=True)
    only_b = np.setdiff1d(keys_b, keys_a, assume_unique=True)
    lost = _explain(Side("kept in A, not in B", "B", len(only_a)), only_a, b, key_b, examples, limit)
    gained = _explain(Side("kept in B, not in A", "A", len(only_b)), only_b, a, key_a, examples, limit)
    both = len(keys_a) - len(only_a)
    match = f"the id column '{key_a}'" if by_id else "a hash of the text (no id column common to both runs)"
    lines = [f"A {a.given}", f"B {b.given}",
             f"documents matched by {match}" + (f"; a sample of {sample:g} of them (by key hash)" if limit else ""),
             "", f"{'':<12} {'A':>12} {'B':>12}", f"{'kept':<12} {len(keys_a):>12,} {len(keys_b):>12,}",
             f"{'in both':<12} {both:>12,} {both:>12,}", f"{'only here':<12} {len(only_a):>12,} {len(only_b):>12,}"]
    for side in (lost, gained):
        lines += _describe(side, chars)
    out.write("\n".join(lines) + "\n")
    return lost, gained


def _key_columns(a: FinishedRun, b: FinishedRun, kept_a: str, kept_b: str) -> tuple[str, str, bool]:
    id_a, id_b = a.id_column, b.id_column
    if id_a and id_a == id_b and id_a in columns(kept_a) and id_b in columns(kept_b):
        return id_a, id_b, True
    return a.text_column, b.text_column, False


def _rows(folder: str) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in shard_files(folder))


def _hash(value) -> int:
    return int.from_bytes(hashlib.blake2b(str(value).encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little")


def _key_set(folder: str, key: str, limit: int | None):
    """The sorted, distinct key hashes of a kept output (below `limit` when sampling)."""
    import numpy as np

    from dps.dedup.signatures import sorted_distinct

    parts = []
    for batch in batches(folder, columns=[key], batch_size=8192):
        hashes = np.fromiter((_hash(v) for v in batch.column(0).to_pylist() if v is not None), dtype=np.uint64)
        parts.append(hashes if limit is None else hashes[hashes < np.uint64(limit)])
    return sorted_distinct(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)


def _explain(side: Side, wanted, other: FinishedRun, key: str, examples: int, limit: int | None) -> Side:
    """Finds the wanted keys in the other run's rejected output: their reason there, source, a few examples."""
    import numpy as np

    side.text_column = other.text_column
    if not len(wanted) or other.rejected is None:
        return side
    source = other.source_column
    names = columns(other.rejected)
    if key not in names:
        return side
    wanted_columns = [c for c in dict.fromkeys([key, STATUS, REASON, other.text_column, other.id_column, source,
                                                RAW, DETAIL, "dup_of", "dup_of_run"]) if c and c in names]
    for batch in batches(other.rejected, columns=wanted_columns, batch_size=4096):
        values = batch.column(key).to_pylist()
        hashes = np.fromiter((_hash(v) if v is not None else 0 for v in values), dtype=np.uint64)
        at = np.searchsorted(wanted, hashes)
        hit = np.flatnonzero((at < len(wanted)) & (wanted[np.minimum(at, len(wanted) - 1)] == hashes)
                             & np.array([v is not None for v in values], dtype=bool))
        if not len(hit):
            continue
        statuses, reasons = batch.column(STATUS).to_pylist(), batch.column(REASON).to_pylist()
        sources = batch.column(source).to_pylist() if source in wanted_columns else [None] * len(values)
        for i in hit.tolist():
            group = (statuses[i], reasons[i] or "")
            side.by_reason[group] = side.by_reason.get(group, 0) + 1
            per_source = side.by_reason_source.setdefault(group, {})
            src = "(none)" if sources[i] is None else str(sources[i])
            per_source[src] = per_source.get(src, 0) + 1
            shown = side.examples.setdefault(group, [])
            if len(shown) < examples:
                shown.append({c: batch.column(c)[i].as_py() for c in wanted_columns})
    return side


def _describe(side: Side, chars: int) -> list[str]:
    lines = ["", f"{side.label}: {side.docs:,} document{'s' if side.docs != 1 else ''}"]
    if not side.docs:
        return lines
    lines.append(f"  by the reason {side.other} gave them (and source):")
    order = sorted(side.by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    for (status, reason), n in order:
        sources = sorted(side.by_reason_source[(status, reason)].items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append(f"    {status:<12} {reason:<48} {n:>10,}   " + ", ".join(f"{s} {c:,}" for s, c in sources))
    missing = side.docs - side.found
    if missing:
        lines.append(f"    {'':<12} {f'(not in the rejected output of {side.other})':<48} {missing:>10,}   "
                     f"another input, a text a later map stage changed, or no rejected output")
    for (status, reason), _ in order:
        for ex in side.examples.get((status, reason), []):
            lines.append(_example(ex, status, reason, side, chars))
    return lines


def _example(ex: dict, status: str, reason: str, side: Side, chars: int) -> str:
    text = ex.get(side.text_column)
    body = text if text is not None else ex.get(RAW) or ""
    meta = [f"{status} {reason}".strip()]
    meta += [f"{k} {v}" for k, v in ex.items() if k not in (side.text_column, STATUS, REASON, RAW) and v is not None]
    cut = body if len(body) <= chars else body[:chars] + " …"
    return "\n".join(["", "    " + " · ".join(meta), *["      " + line for line in cut.splitlines() or [""]]])
