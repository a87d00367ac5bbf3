"""The one adapter between text functions and Spark: apply a chain of bound stages to Arrow record batches.

Consecutive map/filter stages run fused in ONE mapInArrow pass (each extra pass is a JVM<->Python round trip).
A stage raising on a record quarantines that record with the stage and exception named; the job goes on.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from dps.registry import BoundStage
from dps.spark.io import REASON, STATUS

# Fault injection for testing task retries: `--conf spark.dps.injectFault=STAGE[:PARTITION]` makes the first attempt
# of task PARTITION (default 0) of the Arrow pass that runs STAGE fail after emitting its first batch. Off (and
# free) unless set.
FAULT_CONF = "spark.dps.injectFault"


def run_chain(texts: Sequence[str | None], statuses: Sequence[str], reasons: Sequence[str | None],
              chain: Sequence[BoundStage]) -> tuple[list, list, list, list[list[int | None]], list[list]]:
    """Pure-Python core (testable without Spark): returns new texts, statuses, reasons, and per map stage of the
    chain a list of edits: for each row, the characters the stage removed (negative: added), or None where it
    left the text unchanged or did not run; and per map stage with a stats twin, each row's nonzero counters as
    (name, count) pairs, or None."""
    out_texts, out_status, out_reason = list(texts), list(statuses), list(reasons)
    maps = [j for j, stage in enumerate(chain) if stage.kind == "map"]
    edits: list[list[int | None]] = [[None] * len(out_texts) for _ in maps]
    with_stats = [j for j in maps if chain[j].stage.stats_fn is not None]
    stats: list[list] = [[None] * len(out_texts) for _ in with_stats]
    # Per stage, bound once per batch (this loop runs for every document and stage): its name, the function with
    # its parameters, the row list that receives its edits (map stages) and the one that receives its counters.
    steps = []
    for j, stage in enumerate(chain):
        with_counters = j in with_stats
        steps.append((stage.name, stage.bound(with_counters), edits[maps.index(j)] if j in maps else None,
                      stats[with_stats.index(j)] if with_counters else None))
    for i, text in enumerate(out_texts):
        if out_status[i] != "kept":
            continue
        for name, fn, edit_row, stats_row in steps:
            try:
                result = fn(text)
                if stats_row is not None:
                    result, counters = result
                    stats_row[i] = [(k, n) for k, n in counters.items() if n] or None
            except Exception as exc:  # one bad record must never kill the job or vanish
                out_status[i], out_reason[i] = "quarantined", f"{name}:error:{type(exc).__name__}"
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
                break
        out_texts[i] = text
    return out_texts, out_status, out_reason, edits, stats


def chain_batches(batches: Iterable, chain: Sequence[BoundStage], text_column: str,
                  edit_columns: Sequence[str] = (), stats_columns: Sequence[str] = ()) -> Iterator:
    """mapInArrow body: same schema out as in; the text, status and reason columns change, the edit columns
    (one per map stage of the chain, in order) receive each row's edit, and the stats columns (one per map stage
    with a stats twin) each row's counters."""
    import pyarrow as pa

    for batch in batches:
        names = batch.schema.names
        ti, si, ri = names.index(text_column), names.index(STATUS), names.index(REASON)
        texts, statuses, reasons, edits, stats = run_chain(
            batch.column(ti).to_pylist(), batch.column(si).to_pylist(), batch.column(ri).to_pylist(), chain)
        columns = list(batch.columns)
        columns[ti] = pa.array(texts, type=batch.schema.field(ti).type)
        columns[si] = pa.array(statuses, type=batch.schema.field(si).type)
        columns[ri] = pa.array(reasons, type=batch.schema.field(ri).type)
        for name, values in [*zip(edit_columns, edits), *zip(stats_columns, stats)]:
            k = names.index(name)
            columns[k] = pa.array(values, type=batch.schema.field(k).type)
        yield pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def as_step(chain: Sequence[BoundStage], text_column: str, edit_columns: Sequence[str] = (),
            stats_columns: Sequence[str] = ()):
    """A marked-frame -> marked-frame step applying the fused chain with mapInArrow.

    `edit_columns` name one long column per map stage of the chain, `stats_columns` one map<string, long> column
    per map stage with a stats twin; they are added (null) before the pass."""
    from pyspark.sql import functions as F

    chain, edit_columns, stats_columns = tuple(chain), tuple(edit_columns), tuple(stats_columns)

    def step(df):
        for name in edit_columns:
            df = df.withColumn(name, F.lit(None).cast("long"))
        for name in stats_columns:
            df = df.withColumn(name, F.lit(None).cast("map<string,bigint>"))
        fail = fault_partition(df.sparkSession.conf.get(FAULT_CONF, None), chain)
        if fail is None:
            return df.mapInArrow(lambda batches: chain_batches(batches, chain, text_column, edit_columns,
                                                               stats_columns), df.schema)
        return df.mapInArrow(lambda batches: fail_first_attempt(
            chain_batches(batches, chain, text_column, edit_columns, stats_columns), fail), df.schema)

    return step


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
