"""What exact_dedup and minhash_dedup share: stable ids, the survivor rule and marking duplicates.

Survivor rule (the same on every run and for any partitioning): within a group of duplicates the row that
sorts first by (priority column [ascending, or descending if asked; nulls last], stable id, a 64-bit hash
of the whole row) is kept; every other row becomes `duplicate` with `dup_of` = the kept row's stable id.
The row hash only separates rows that share a stable id; rows equal in every column are interchangeable.
"""

from __future__ import annotations

import weakref

from dps.config import ConfigError, JobConfig
from dps.marks import REASON, STATUS

# Columns the dedup stages add to their working frames in nightly mode (the index stores what they describe).
OLD = "_dps_old"  # the row is a document of an earlier run (never marked, never output)
RUN = "_dps_run"  # the row's run id
DUP_OF_RUN = "dup_of_run"  # run id of the document a duplicate matched

DUP_OF = "dup_of"
SID = "_dps_sid"  # the stable id, as a string
GROUP = "_dps_group"


def check_columns(df, config: JobConfig, stage: str, priority_column: str | None) -> None:
    """Columns a dedup stage reads must exist; say which one is missing, and where it is configured."""
    wanted = [("input.text_column", config.input.text_column), ("input.id_column", config.input.id_column),
              (f"stages.{stage}.priority_column", priority_column)]
    for where, name in wanted:
        if name is not None and name not in df.columns:
            raise ConfigError(f"{config.source}: {where}: the data has no column '{name}' "
                              f"(columns: {', '.join(c for c in df.columns if not c.startswith('dps_'))})")


def check(condition: bool, config: JobConfig, stage: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"{config.source}: stages.{stage}: {message}")


def stable_id(config: JobConfig, text_column: str | None = None):
    """input.id_column as a string; without one (or where it is null), the hex MD5 of the text's UTF-8 bytes."""
    from pyspark.sql import functions as F

    derived = F.md5(F.col(text_column or config.input.text_column))
    if config.input.id_column is None:
        return derived
    return F.coalesce(F.col(config.input.id_column).cast("string"), derived)


def with_dup_of(df, cross_run: bool = False):
    """The dup_of column (and, deduplicating against an index, dup_of_run), added all null if no earlier dedup
    stage added them."""
    from pyspark.sql import functions as F

    for name in (DUP_OF, DUP_OF_RUN) if cross_run else (DUP_OF,):
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast("string"))
    return df


def with_old_rows(rows, old, run_id: str):
    """`rows` (this run's documents) plus `old` (documents of earlier runs: GROUP, SID and RUN, any other
    column of `rows` null; None before the first committed run), flagged by OLD, for a survivor window that
    deduplicates across runs."""
    from pyspark.sql import functions as F

    new = rows.withColumn(OLD, F.lit(False)).withColumn(RUN, F.lit(run_id))
    if old is None:
        return new
    return new.unionByName(old.withColumn(OLD, F.lit(True)), allowMissingColumns=True)


def split_kept(df):
    """(rows that take part: status kept, every other row: passes through untouched)."""
    from pyspark.sql import functions as F

    kept = F.col(STATUS).eqNullSafe("kept")
    return df.where(kept), df.where(~kept)


def _row_hash(df):
    """xxhash64 over every column Spark can hash (maps cannot be hashed; they never decide a tie here)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    def hashable(dtype) -> bool:
        if isinstance(dtype, T.MapType):
            return False
        if isinstance(dtype, T.ArrayType):
            return hashable(dtype.elementType)
        if isinstance(dtype, T.StructType):
            return all(hashable(f.dataType) for f in dtype.fields)
        return True

    return F.xxhash64(*[F.col(f.name) for f in df.schema.fields if hashable(f.dataType)])


def survivor_order(df, priority_column: str | None, priority_descending: bool, cross_run: bool = False) -> list:
    """The survivor rule as a window order. `df` names the columns the tie-breaking row hash covers."""
    from pyspark.sql import functions as F

    order = [F.col(OLD).desc()] if cross_run else []  # documents of earlier runs always survive
    if priority_column is not None:
        p = F.col(priority_column)
        order.append(p.desc_nulls_last() if priority_descending else p.asc_nulls_last())
    return order + [F.col(SID).asc(), _row_hash(df).asc()]


# Text bytes per partition of the survivor window. The pipeline caches a frame stage's output, and Spark
# neither coalesces nor splits the shuffle partitions of a cached plan: 200 would stay 200 tiny tasks on
# small data, and partitions of ~120 MB (the input's) overflowed a 1 GB heap when sorted and cached.
PARTITION_BYTES = 32 << 20


# Per frame (by identity): its kept rows' text bytes and number. The pipeline computes them as the job that
# materializes a frame stage's cached input, so the stage's own call costs nothing (a separate count scanned the
# cache once more: ~5 % of a dedup run once the cache spills to disk).
_KEPT_TEXT_BYTES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Per frame a frame stage returned (by identity): the same result as (frame before its last Arrow pass, that pass's
# batch function (RecordBatch -> RecordBatch of the same schema), columns to drop after it). The pipeline runs the
# batch function first in the fused text pass that follows the stage instead of a pass of its own (one JVM <->
# Python round trip less); any other caller uses the returned frame as it is.
_DEFERRED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def defer_last_pass(result, frame, batch_fn, drop: tuple[str, ...] = ()):
    """Remember that `result` is `frame` with `batch_fn` applied to every Arrow batch, then `drop` dropped."""
    _DEFERRED[result] = (frame, batch_fn, tuple(drop))
    return result


def deferred_pass(result):
    """(frame, batch function, columns to drop) if `result` was returned with defer_last_pass, else None."""
    return _DEFERRED.get(result)


def kept_text_bytes(df, text_col: str) -> int:
    """UTF-8 bytes of the text of `df`'s kept rows: one small job (a sum and a count; only two numbers reach the
    driver), once per frame."""
    return _kept_figures(df, text_col)[0]


def kept_rows(df, text_col: str) -> int:
    """The number of `df`'s kept rows, from the same job as kept_text_bytes."""
    return _kept_figures(df, text_col)[1]


def _kept_figures(df, text_col: str) -> tuple[int, int]:
    from pyspark.sql import functions as F

    if df not in _KEPT_TEXT_BYTES:
        kept, _ = split_kept(df)
        row = kept.agg(F.sum(F.octet_length(text_col)), F.count(F.lit(1))).first()
        _KEPT_TEXT_BYTES[df] = (row[0] or 0, row[1] or 0)
    return _KEPT_TEXT_BYTES[df]


def window_partitions(df, text_col: str) -> int:
    """Partitions for the survivor window of a frame stage's input `df`: its kept text size / PARTITION_BYTES, at
    least the input's partition count."""
    return max(df.rdd.getNumPartitions(), -(-kept_text_bytes(df, text_col) // PARTITION_BYTES))


def mark_groups(rows, reason: str, order: list, partitions: int, eligible=None):
    """Keep the first row of each GROUP (by `order`); mark the others duplicate of it.

    Rows are hash-partitioned by GROUP into `partitions` (see window_partitions). Rows where `eligible` is
    false are never marked (they sit in a group of their own in practice). With rows of earlier runs (an OLD
    column, see with_old_rows; `order` must put them first): a group's old document survives, this run's rows
    in it are marked with reason '<reason>:index' and dup_of_run = the old document's run id, and the old rows
    are dropped again.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cross_run = OLD in rows.columns
    w = Window.partitionBy(GROUP).orderBy(*order)
    ranked = (rows.repartition(partitions, GROUP)
              .withColumn("_dps_rank", F.row_number().over(w))
              .withColumn("_dps_first", F.first(SID).over(w)))
    duplicate = F.col("_dps_rank") > 1
    if eligible is not None:
        duplicate = duplicate & eligible
    label = F.lit(reason)
    if cross_run:
        ranked = (ranked.withColumn("_dps_first_old", F.first(OLD).over(w))
                  .withColumn("_dps_first_run", F.first(RUN).over(w)))
        duplicate = duplicate & ~F.col(OLD)
        label = F.when(F.col("_dps_first_old"), F.lit(f"{reason}:index")).otherwise(label)
    marked = (ranked
              .withColumn(STATUS, F.when(duplicate, F.lit("duplicate")).otherwise(F.col(STATUS)))
              .withColumn(REASON, F.when(duplicate, label).otherwise(F.col(REASON)))
              .withColumn(DUP_OF, F.when(duplicate, F.col("_dps_first")).otherwise(F.col(DUP_OF))))
    if cross_run:
        marked = (marked.withColumn(DUP_OF_RUN, F.when(duplicate, F.col("_dps_first_run"))
                                    .otherwise(F.col(DUP_OF_RUN)))
                  .where(~F.col(OLD)).drop("_dps_first_old", "_dps_first_run", OLD, RUN))
    return marked.drop("_dps_rank", "_dps_first")
