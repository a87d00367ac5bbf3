"""The one adapter between text functions and Spark: apply a chain of bound stages to Arrow record batches.

Consecutive map/filter stages run fused in ONE mapInArrow pass (each extra pass is a JVM<->Python round trip).
A stage raising on a record quarantines that record with the stage and exception named; the job goes on.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from dps.registry import BoundStage
from dps.spark.io import REASON, STATUS


def run_chain(texts: Sequence[str | None], statuses: Sequence[str], reasons: Sequence[str | None],
              chain: Sequence[BoundStage]) -> tuple[list, list, list, list[list[int | None]]]:
    """Pure-Python core (testable without Spark): returns new texts, statuses, reasons, and per map stage of the
    chain a list of edits: for each row, the characters the stage removed (negative: added), or None where it
    left the text unchanged or did not run."""
    out_texts, out_status, out_reason = list(texts), list(statuses), list(reasons)
    maps = [j for j, stage in enumerate(chain) if stage.kind == "map"]
    edits: list[list[int | None]] = [[None] * len(out_texts) for _ in maps]
    slot = {j: k for k, j in enumerate(maps)}
    for i, text in enumerate(out_texts):
        if out_status[i] != "kept":
            continue
        for j, stage in enumerate(chain):
            try:
                result = stage.apply(text)
            except Exception as exc:  # one bad record must never kill the job or vanish
                out_status[i], out_reason[i] = "quarantined", f"{stage.name}:error:{type(exc).__name__}"
                break
            if stage.kind == "map":
                if not isinstance(result, str):
                    out_status[i], out_reason[i] = "quarantined", f"{stage.name}:error:returned_{type(result).__name__}"
                    break
                if result != text:
                    edits[slot[j]][i] = len(text) - len(result)
                text = result
            elif result is not None:
                out_status[i], out_reason[i] = "filtered", f"{stage.name}:{result}"
                break
        out_texts[i] = text
    return out_texts, out_status, out_reason, edits


def chain_batches(batches: Iterable, chain: Sequence[BoundStage], text_column: str,
                  edit_columns: Sequence[str] = ()) -> Iterator:
    """mapInArrow body: same schema out as in; the text, status and reason columns change, and the edit columns
    (one per map stage of the chain, in order) receive each row's edit."""
    import pyarrow as pa

    for batch in batches:
        names = batch.schema.names
        ti, si, ri = names.index(text_column), names.index(STATUS), names.index(REASON)
        texts, statuses, reasons, edits = run_chain(batch.column(ti).to_pylist(), batch.column(si).to_pylist(),
                                                    batch.column(ri).to_pylist(), chain)
        columns = list(batch.columns)
        columns[ti] = pa.array(texts, type=batch.schema.field(ti).type)
        columns[si] = pa.array(statuses, type=batch.schema.field(si).type)
        columns[ri] = pa.array(reasons, type=batch.schema.field(ri).type)
        for name, values in zip(edit_columns, edits):
            k = names.index(name)
            columns[k] = pa.array(values, type=batch.schema.field(k).type)
        yield pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def as_step(chain: Sequence[BoundStage], text_column: str, edit_columns: Sequence[str] = ()):
    """A marked-frame -> marked-frame step applying the fused chain with mapInArrow.

    `edit_columns` name one long column per map stage of the chain; they are added (null) before the pass."""
    from pyspark.sql import functions as F

    chain, edit_columns = tuple(chain), tuple(edit_columns)

    def step(df):
        for name in edit_columns:
            df = df.withColumn(name, F.lit(None).cast("long"))
        return df.mapInArrow(lambda batches: chain_batches(batches, chain, text_column, edit_columns), df.schema)

    return step
