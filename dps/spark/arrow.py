"""The one adapter between text functions and Spark: apply a chain of bound stages to Arrow record batches.

Consecutive map/filter stages run fused in ONE mapInArrow pass (each extra pass is a JVM<->Python round trip).
A stage raising on a record quarantines that record with the stage and exception named; the job goes on.
A stage raising dps.text.quarantine.Quarantine(reason) quarantines it as STAGE:reason; a map stage raising
dps.text.quarantine.Reject(reason, detail) filters it as STAGE:reason (segment_filter's page verdict).
A record that outlives its time budget (RecordBudget) is quarantined as STAGE:error:timeout; the job goes on.
A map stage with a `columns` parameter (tag_pii) is also applied to the values of those columns (stage_columns).
"""

from __future__ import annotations

import json
import math
import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from dps.config import ConfigError
from dps.marks import DETAIL, REASON, STATUS
from dps.text.quarantine import Quarantine, Reject

if TYPE_CHECKING:  # the adapter runs whatever the registry bound; it needs no stage by name
    from dps.registry import BoundStage

# Fault injection for testing task retries: `--conf spark.dps.injectFault=STAGE[:PARTITION]` makes the first attempt
# of task PARTITION (default 0) of the Arrow pass that runs STAGE fail after emitting its first batch. Off (and
# free) unless set.
FAULT_CONF = "spark.dps.injectFault"
# Per-record time budget: `--conf spark.dps.recordTimeoutSeconds=N` sets its base (0 turns the budget off),
# `spark.dps.recordTimeoutSecondsPerMB=M` the allowance per million characters of the record's text.
TIMEOUT_CONF = "spark.dps.recordTimeoutSeconds"
TIMEOUT_PER_MB_CONF = "spark.dps.recordTimeoutSecondsPerMB"
# A map stage with this parameter is applied to the listed columns too, in the rows that reach it.
COLUMNS_PARAM = "columns"


@dataclass(frozen=True)
class RecordBudget:
    """How long the whole chain may take on one record: base_seconds + seconds_per_mb per million characters.

    Measured against the default chain with every stage run on 1M characters of each pathological shape in
    tests/test_stage_linearity.py: at most 1 s (3 s for 1M characters of "▶ 관련기사" items, a slow but linear
    news pattern), so 10 s per 1M characters leaves 3x or more even on a slower, busy core, and the 10 s base
    absorbs GC pauses and one-time loads (a tokenizer model). A record past it is stuck in a superlinear path,
    not merely big.
    """

    base_seconds: float = 10.0
    seconds_per_mb: float = 10.0

    def __post_init__(self):
        if not (self.base_seconds > 0 and self.seconds_per_mb >= 0):
            raise ValueError(f"record budget: base must be > 0 and per-MB >= 0 seconds, got {self.base_seconds!r} "
                             f"and {self.seconds_per_mb!r} (no budget: None)")

    def seconds(self, chars: int) -> float:
        return self.base_seconds + self.seconds_per_mb * chars / 1_000_000


DEFAULT_BUDGET = RecordBudget()


class _Timeout(BaseException):
    """Raised by the SIGALRM handler inside a stage. A BaseException, so a stage's own `except Exception`
    cannot swallow it."""


class _Alarm:
    """SIGALRM armed for a whole batch, not per record: the loop only stores each record's deadline (a clock
    read and a store, ~0.1 us), and the handler, when the timer fires, raises if the current record is past its
    deadline or else re-arms the timer for that deadline. So the handler runs about once per base budget, and a
    setitimer per record (~0.75 us, a syscall) is avoided. Only in the main thread (where signal handlers
    run; Spark's Python workers run mapInArrow bodies there); elsewhere `armed` is False and the caller checks
    after each record instead. The previous handler and timer are restored on exit."""

    __slots__ = ("deadline", "fires_at", "armed", "_first", "_old_handler", "_old_timer", "_entered")

    def __init__(self, first_seconds: float):
        self.deadline = math.inf  # the current record's; inf between records, when nothing may raise
        self.fires_at = math.inf  # when the timer goes off
        self.armed = threading.current_thread() is threading.main_thread()
        self._first = first_seconds

    def __enter__(self) -> "_Alarm":
        if self.armed:
            try:
                self._old_handler = signal.signal(signal.SIGALRM, self._fire)
            except ValueError:  # an embedding interpreter that owns its signals: judge after the fact
                self.armed = False
                return self
            self._entered = time.monotonic()
            self._old_timer = signal.setitimer(signal.ITIMER_REAL, self._first)
            self.fires_at = self._entered + self._first
        return self

    def arm(self, seconds: float) -> None:
        self.fires_at = time.monotonic() + seconds
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def _fire(self, signum, frame) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.deadline = math.inf  # raise once; the loop sets the next record's deadline
            self.arm(self._first)  # the timer is spent: keep it running for the records after this one
            raise _Timeout()
        self.arm(left if left < math.inf else self._first)

    def __exit__(self, *exc) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            # None: the old handler was not set from Python; the default is the closest we can restore.
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self._old_handler is None else self._old_handler)
            delay, interval = self._old_timer
            if delay > 0 or interval > 0:  # someone else's timer: give it back, less the time we held it
                left = delay - (time.monotonic() - self._entered) if delay > 0 else interval
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), interval)


def run_chain(texts: Sequence[str | None], statuses: Sequence[str], reasons: Sequence[str | None],
              chain: Sequence[BoundStage], budget: RecordBudget | None = DEFAULT_BUDGET,
              details: list | None = None, sources: Sequence[str | None] | None = None,
              other: dict[int, list[list]] | None = None
              ) -> tuple[list, list, list, list[list[int | None]], list[list]]:
    """Pure-Python core (testable without Spark): returns new texts, statuses, reasons, and per map stage of the
    chain a list of edits: for each row, the characters the stage removed (negative: added), or None where it
    left the text unchanged or did not run; and per map stage with a stats twin, each row's nonzero counters as
    (name, count) pairs, or None.

    A record whose chain runs past `budget` (None: no budget) is quarantined as STAGE:error:timeout, STAGE the
    stage that was running; in the main thread a SIGALRM interrupts the stage (also inside a long regex match),
    elsewhere the record is judged when the stage returns.

    `details` (a list as long as `texts`, optional) receives, for each record this chain rejects, its evidence as
    a JSON string (dps_detail): the filter's measured values and thresholds, or the error that quarantined it.
    `sources` (each record's source) selects a stage's per-source parameters (BoundStage.by_source).

    `other` maps a map stage's position in the chain to value lists of other columns (one list per column, one
    value per row): where the stage runs on a row's text, it also runs on that row's non-null values, in place
    (with the row's per-source parameters). A failure on one of them quarantines the record like a failure on its
    text."""
    if budget is None:
        return _run_chain(texts, statuses, reasons, chain, None, None, details, sources, other or {})
    with _Alarm(budget.base_seconds) as alarm:
        return _run_chain(texts, statuses, reasons, chain, budget, alarm, details, sources,
                          other or {})


def _detail(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def _evidence(stage: BoundStage, text: str, reason: str) -> str | None:
    """A filter's evidence for its verdict; computing it never changes the verdict."""
    try:
        found = stage.evidence(text, reason)
    except _Timeout:
        return _detail({"evidence": "timeout"})
    except Exception as exc:  # noqa: BLE001 - the document stays rejected, with what went wrong here
        return _detail({"evidence": f"error:{type(exc).__name__}"})
    return None if found is None else _detail(found)


def _run_chain(texts, statuses, reasons, chain, budget: RecordBudget | None, alarm: _Alarm | None,
               details: list | None, sources: Sequence[str | None] | None, other: dict[int, list[list]]):
    out_texts, out_status, out_reason = list(texts), list(statuses), list(reasons)
    maps = [j for j, stage in enumerate(chain) if stage.kind == "map"]
    edits: list[list[int | None]] = [[None] * len(out_texts) for _ in maps]
    with_stats = [j for j in maps if chain[j].stage.stats_fn is not None]
    stats: list[list] = [[None] * len(out_texts) for _ in with_stats]
    # Per stage, bound once per batch (this loop runs for every document and stage): its name, the function with
    # its parameters, the row list that receives its edits (map stages), the one that receives its counters, and
    # the value lists of other columns it also runs on (with the plain function), if any.
    steps = []
    for j, stage in enumerate(chain):
        with_counters = j in with_stats
        # The stage bound for other sources: {source: (function, bound stage)}, None for most stages.
        alternatives = {src: (alt.bound(with_counters), alt) for src, alt in stage.by_source.items()} \
            if stage.by_source and sources is not None else None
        # Other columns it also runs on: (their value lists, the plain function, and one per other source).
        targets = (other[j], stage.bound(), {src: alt.bound() for src, alt in (stage.by_source or {}).items()}) \
            if other.get(j) and stage.kind == "map" else None
        steps.append((stage.name, stage.bound(with_counters), edits[maps.index(j)] if j in maps else None,
                      stats[with_stats.index(j)] if with_counters else None, stage, alternatives, targets))
    # The budget costs ~0.1 us a record: a clock read, two stores and a compare (all locals here, on purpose).
    budgeted = budget is not None
    base, per_char = (budget.base_seconds, budget.seconds_per_mb / 1_000_000) if budgeted else (0.0, 0.0)
    signalled = alarm is not None and alarm.armed
    judge_after = budgeted and not signalled
    clock, inf = time.monotonic, math.inf
    first_name = steps[0][0] if steps else ""
    for i, text in enumerate(out_texts):
        if out_status[i] != "kept":
            continue
        name = first_name
        try:
            if budgeted:
                # (A kept record without text is the first stage's to reject, as without a budget.)
                deadline = clock() + base + (per_char * len(text) if text is not None else 0.0)
                if signalled:
                    alarm.deadline = deadline
                    if deadline < alarm.fires_at:  # rare: the timer was set for a bigger record's deadline
                        alarm.arm(deadline - clock())
            for name, fn, edit_row, stats_row, stage, alternatives, targets in steps:
                if alternatives is not None and sources[i] in alternatives:
                    fn, stage = alternatives[sources[i]]
                try:
                    result = fn(text)
                    if targets is not None:
                        plain = targets[2].get(sources[i], targets[1]) if sources is not None else targets[1]
                        for values in targets[0]:
                            if values[i] is not None:
                                values[i] = plain(values[i])
                    if judge_after and clock() > deadline:
                        raise _Timeout()  # no signal here (not the main thread): judged once the stage returned
                    if stats_row is not None:
                        result, counters = result
                        stats_row[i] = [(k, n) for k, n in counters.items() if n] or None
                except Reject as exc:  # a map stage's verdict on the whole document: bad text, named
                    out_status[i], out_reason[i] = "filtered", f"{name}:{exc.reason}"
                    if details is not None and exc.detail:
                        details[i] = _detail(exc.detail)
                    break
                except Quarantine as exc:  # the stage's own verdict: broken input, named
                    out_status[i], out_reason[i] = "quarantined", f"{name}:{exc.reason}"
                    break
                except Exception as exc:  # one bad record must never kill the job or vanish
                    out_status[i], out_reason[i] = "quarantined", f"{name}:error:{type(exc).__name__}"
                    if details is not None:
                        details[i] = _detail({"error": f"{type(exc).__name__}: {str(exc)[:300]}"})
                    break
                if edit_row is not None:
                    if not isinstance(result, str):
                        out_status[i], out_reason[i] = "quarantined", f"{name}:error:returned_{type(result).__name__}"
                        break
                    if result != text:
                        edit_row[i] = len(text) - len(result)
                    text = result
                elif result is not None:
                    out_status[i], out_reason[i] = "filtered", f"{name}:{result}"
                    if details is not None:
                        details[i] = _evidence(stage, text, result)
                    break
            out_texts[i] = text
            if signalled:
                alarm.deadline = inf  # between records nothing may raise
        except _Timeout:
            if signalled:
                alarm.deadline = inf
            out_status[i], out_reason[i] = "quarantined", f"{name}:error:timeout"
            if details is not None:
                details[i] = _detail({"budget_seconds": round(base + per_char * len(text or ""), 1)})
    return out_texts, out_status, out_reason, edits, stats


def chain_batches(batches: Iterable, chain: Sequence[BoundStage], text_column: str,
                  edit_columns: Sequence[str] = (), stats_columns: Sequence[str] = (),
                  budget: RecordBudget | None = DEFAULT_BUDGET, source_column: str | None = None,
                  other_columns: Sequence[Sequence[str]] = (), prepare: tuple | None = None,
                  first: Callable | None = None) -> Iterator:
    """mapInArrow body: same schema out as in; the text, status and reason columns change, the edit columns
    (one per map stage of the chain, in order) receive each row's edit, and the stats columns (one per map stage
    with a stats twin) each row's counters. `source_column` is read when a stage has per-source parameters.
    other_columns: per stage of the chain, the string columns it also runs on (see stage_columns).
    prepare: (column, Spark type, fn) of the frame stage after the pass (Stage.prepare): the column gets fn(text)
    for every row left kept with a text, null for the others. first: a batch function (same schema) applied to
    every batch before the chain: the last pass of the frame stage before this one (frames.deferred_pass)."""
    import pyarrow as pa

    by_source = source_column is not None and any(stage.by_source for stage in chain)

    for batch in batches:
        if first is not None:
            batch = first(batch)
        names = batch.schema.names
        ti, si, ri = names.index(text_column), names.index(STATUS), names.index(REASON)
        di = names.index(DETAIL) if DETAIL in names else None
        details = batch.column(di).to_pylist() if di is not None else None
        sources = batch.column(names.index(source_column)).to_pylist() if by_source else None
        values = {c: batch.column(names.index(c)).to_pylist() for cols in other_columns for c in cols}
        other = {j: [values[c] for c in cols] for j, cols in enumerate(other_columns) if cols}
        in_statuses = batch.column(si).to_pylist()
        texts, statuses, reasons, edits, stats = run_chain(
            batch.column(ti).to_pylist(), in_statuses, batch.column(ri).to_pylist(), chain, budget,
            details, sources, other)
        columns = list(batch.columns)
        for name, column_values in values.items():
            k = names.index(name)
            columns[k] = pa.array(column_values, type=batch.schema.field(k).type)
        # The text column: only the rows a map stage changed are converted back (a row's edit is None where no
        # stage changed its text); a chain of filters, and a batch without a change, keep the column as it is.
        changed = sorted({i for edit_row in edits for i in _not_none(edit_row)})
        if changed:
            columns[ti] = _replace_rows(columns[ti], changed, texts)
        # The status, reason and detail columns change only in the rows the chain rejected.
        left = [i for i, (a, b) in enumerate(zip(statuses, in_statuses)) if a != b]
        if left:
            columns[si] = _replace_rows(columns[si], left, statuses)
            columns[ri] = _replace_rows(columns[ri], left, reasons)
            if di is not None:
                columns[di] = _replace_rows(columns[di], left, details)
        for name, values in [*zip(edit_columns, edits), *zip(stats_columns, stats)]:
            k = names.index(name)
            if values.count(None) < len(values) or columns[k].null_count < len(values):  # else: all null already
                columns[k] = pa.array(values, type=batch.schema.field(k).type)
        if prepare is not None:
            k, fn = names.index(prepare[0]), prepare[2]
            prepared = [fn(t) if s == "kept" and t is not None else None for t, s in zip(texts, statuses)]
            columns[k] = pa.array(prepared, type=batch.schema.field(k).type)
        yield pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _not_none(values: list) -> list[int]:
    """Indexes of the values that are not None."""
    if values.count(None) == len(values):
        return []
    return [i for i, v in enumerate(values) if v is not None]


def _replace_rows(column, rows: list[int], values: list):
    """`column` (an Arrow array) with the values at `rows` (sorted indexes) replaced by values[row]: only those
    rows are converted from Python, the others are copied by Arrow."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(rows) == len(column):
        return pa.array(values, type=column.type)
    mask = np.zeros(len(column), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(column, pa.array(mask), pa.array([values[i] for i in rows], type=column.type))


def as_step(chain: Sequence[BoundStage], text_column: str, edit_columns: Sequence[str] = (),
            stats_columns: Sequence[str] = (), source_column: str | None = None,
            other_columns: Sequence[Sequence[str]] = (), prepare: tuple | None = None, first: Callable | None = None):
    """A marked-frame -> marked-frame step applying the fused chain with mapInArrow.

    `edit_columns` name one long column per map stage of the chain, `stats_columns` one map<string, long> column
    per map stage with a stats twin; they are added (null) before the pass. `other_columns`: per stage, the
    columns it also runs on (stage_columns). `prepare`: (column, Spark type, fn) the frame stage after the pass
    wants computed from each kept row's final text (Stage.prepare); the column is added (null) before the pass.
    `first`: a batch function run on every batch before the chain (chain_batches)."""
    from pyspark.sql import functions as F

    chain, edit_columns, stats_columns = tuple(chain), tuple(edit_columns), tuple(stats_columns)
    other_columns = tuple(tuple(c) for c in other_columns)

    def step(df):
        if DETAIL not in df.columns:  # the first text pass adds it; later ones keep what earlier ones wrote
            df = df.withColumn(DETAIL, F.lit(None).cast("string"))
        for name in edit_columns:
            df = df.withColumn(name, F.lit(None).cast("long"))
        for name in stats_columns:
            df = df.withColumn(name, F.lit(None).cast("map<string,bigint>"))
        if prepare is not None:
            df = df.withColumn(prepare[0], F.lit(None).cast(prepare[1]))
        conf = df.sparkSession.conf
        fail = fault_partition(conf.get(FAULT_CONF, None), chain)
        budget = record_budget(conf.get(TIMEOUT_CONF, None), conf.get(TIMEOUT_PER_MB_CONF, None))
        if fail is None:
            return df.mapInArrow(lambda batches: chain_batches(batches, chain, text_column, edit_columns,
                                                               stats_columns, budget, source_column, other_columns,
                                                               prepare, first),
                                 df.schema)
        return df.mapInArrow(lambda batches: fail_first_attempt(
            chain_batches(batches, chain, text_column, edit_columns, stats_columns, budget, source_column,
                          other_columns, prepare, first), fail),
            df.schema)

    return step


def stage_columns(chain: Sequence[BoundStage], config, df, originals: Sequence[str],
                  plain: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """Per stage of the chain, the frame columns its `columns` parameter names (empty for other stages), checked
    against the input on the driver before any stage runs: a column the input lacks, the text or id column, a
    dps column or one that does not hold strings is a ConfigError naming the key. `originals`: the input's
    column names; `plain`: input name -> the name it travels under in the frame (names with a dot)."""
    from pyspark.sql import types as T

    out = []
    for stage in chain:
        listed = stage.params.get(COLUMNS_PARAM) if stage.kind == "map" else None
        found: list[str] = []
        for name in dict.fromkeys(listed or ()):
            where = f"{config.source}: stages.{stage.name}.{COLUMNS_PARAM}"
            if name == config.input.text_column:
                raise ConfigError(f"{where}: '{name}' is the text column, which {stage.name} always runs on")
            if name == config.input.id_column:
                raise ConfigError(f"{where}: '{name}' is input.id_column; ids must stay as read (dedup, dup_of "
                                  f"and the index refer to them)")
            if name.lower().startswith(("dps_", "_dps")):
                raise ConfigError(f"{where}: '{name}' is a column dps writes, not an input column")
            if name not in originals:
                shown = ", ".join(c for c in originals if c != config.input.text_column) or "(none)"
                raise ConfigError(f"{where}: the data has no field '{name}' (fields: {shown})")
            column = plain.get(name, name)
            dtype = df.schema[column].dataType
            if not isinstance(dtype, T.StringType):
                raise ConfigError(f"{where}: column '{name}' holds {dtype.simpleString()}, not strings; only "
                                  f"string columns can be tagged")
            found.append(column)
        out.append(tuple(found))
    return tuple(out)


def record_budget(base: str | None, per_mb: str | None) -> RecordBudget | None:
    """The budget for `spark.dps.recordTimeoutSeconds` / `...PerMB` values (unset: the defaults; base 0: none).
    Read on the driver, so a bad value fails the job before any task starts."""
    try:
        base_seconds = DEFAULT_BUDGET.base_seconds if base in (None, "") else float(base)
        seconds_per_mb = DEFAULT_BUDGET.seconds_per_mb if per_mb in (None, "") else float(per_mb)
    except ValueError:
        raise ValueError(f"{TIMEOUT_CONF}={base!r}, {TIMEOUT_PER_MB_CONF}={per_mb!r}: expected numbers of "
                         "seconds") from None
    if base_seconds == 0:
        return None
    if not (math.isfinite(base_seconds) and math.isfinite(seconds_per_mb)):
        raise ValueError(f"{TIMEOUT_CONF}={base!r}, {TIMEOUT_PER_MB_CONF}={per_mb!r}: expected finite seconds")
    try:
        return RecordBudget(base_seconds, seconds_per_mb)
    except ValueError as exc:
        raise ValueError(f"{TIMEOUT_CONF}={base!r}, {TIMEOUT_PER_MB_CONF}={per_mb!r}: {exc}") from None


def fault_partition(spec: str | None, chain: Sequence[BoundStage]) -> int | None:
    """The partition to fail for a `spark.dps.injectFault` value, if it names a stage of this chain."""
    if not spec:
        return None
    stage, _, partition = spec.partition(":")
    if stage not in {s.name for s in chain}:
        return None
    try:
        return int(partition or 0)
    except ValueError:
        raise ValueError(f"{FAULT_CONF}={spec}: expected STAGE or STAGE:PARTITION") from None


def fail_first_attempt(batches: Iterator, partition: int) -> Iterator:
    """Pass batches through; in the first attempt of task `partition`, raise once the first batch is out (so the
    retry must replace output that Spark already received)."""
    from pyspark import TaskContext

    ctx = TaskContext.get()
    for batch in batches:
        yield batch
        if ctx is not None and ctx.partitionId() == partition and ctx.attemptNumber() == 0:
            raise RuntimeError(f"dps: injected fault ({FAULT_CONF}): first attempt of task {partition}")
