"""What exact_dedup and minhash_dedup share: stable ids, the survivor rule and marking duplicates.

Survivor rule (the same on every run and for any partitioning): within a group of duplicates the row that
sorts first by (priority column [ascending, or descending if asked; nulls last], stable id, a 64-bit hash
of the whole row) is kept; every other row becomes `duplicate` with `dup_of` = the kept row's stable id.
The row hash only separates rows that share a stable id; rows equal in every column are interchangeable.

The survivor window runs on narrow rows (a row id, the group, the order's values, the count), not on the
documents: only the rows it changes (the members of groups of two or more) are joined back to the documents,
by broadcast when they are few, so a corpus with few duplicates is never shuffled with its text.
"""

from __future__ import annotations

import weakref

from dps.config import ConfigError, JobConfig
from dps.marks import REASON, STATUS

# Columns the dedup stages add to their working frames in nightly mode (the index stores what they describe).
OLD = "_dps_old"  # the row is a document of an earlier run (never marked, never output)
RUN = "_dps_run"  # the row's run id
DUP_OF_RUN = "dup_of_run"  # run id of the document a duplicate matched

RID = "_dps_rid"  # a row id, unique within one evaluation of the kept rows (see with_row_ids)
HASH = "_dps_row_hash"  # the survivor rule's last tie-break
ELIGIBLE = "_dps_eligible"  # false: the row is never marked (a group of its own in practice)
# Up to this many rows (16-byte nodes, or a survivor window's changes), a frame joined against the documents is
# broadcast, so the documents are not shuffled for the join (~10-20 MB, well inside a 1 GB driver).
BROADCAST_ROWS = 250_000

DUP_OF = "dup_of"
# On every kept row once a dedup stage ran: how many input rows of this run it stands for (itself and its exact and
# near duplicates), for upsampling by cluster size ("rehydration"). Written with the kept rows only.
DUP_COUNT = "dup_count"
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


def check_dup_count(df, config: JobConfig, stage: str) -> None:
    """An input column named dup_count must hold integers: dedup adds its values up (so deduplicating dps's own
    output again keeps the counts right); any other type is refused before Spark does the work."""
    from pyspark.sql import types as T

    if DUP_COUNT in df.columns:
        dtype = df.schema[DUP_COUNT].dataType
        if not isinstance(dtype, (T.IntegerType, T.LongType, T.ShortType, T.ByteType)):
            raise ConfigError(f"{config.source}: stages.{stage}: the input column '{DUP_COUNT}' holds "
                              f"{dtype.simpleString()}, not integers; dedup stages write each kept document's "
                              f"duplicate count there: rename the column")


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
    stage added them, and dup_count (a long: 1 on kept rows, null on the others) unless it is there (then a kept
    row's null counts as 1 and other rows keep theirs)."""
    from pyspark.sql import functions as F

    for name in (DUP_OF, DUP_OF_RUN) if cross_run else (DUP_OF,):
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast("string"))
    if DUP_COUNT not in df.columns:
        df = df.withColumn(DUP_COUNT, F.when(F.col(STATUS).eqNullSafe("kept"), F.lit(1)).cast("long"))
    else:  # dps's own output read again (or an earlier dedup stage): counts add up, null counts as 1
        dtype = df.schema[DUP_COUNT].dataType
        df = df.withColumn(DUP_COUNT, F.when(F.col(STATUS).eqNullSafe("kept"),
                                             F.coalesce(F.col(DUP_COUNT), F.lit(1).cast(dtype)))
                           .otherwise(F.col(DUP_COUNT)))
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


def _row_hash(fields):
    """xxhash64 over every column of `fields` (a schema's fields) Spark can hash (maps cannot be hashed; they never
    decide a tie here)."""
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

    return F.xxhash64(*[F.col(f.name) for f in fields if hashable(f.dataType)])


def with_row_ids(kept):
    """`kept` with RID: Spark's monotonically increasing id (partition index and position), the same on every
    evaluation of the same plan over the same (cached) input, which is how the survivor window's narrow rows and
    the documents they came from meet again."""
    from pyspark.sql import functions as F

    return kept.withColumn(RID, F.monotonically_increasing_id())


def survivor_values(frame_fields: list, priority_column: str | None) -> list:
    """What the survivor rule orders by, as narrow columns: the priority column (by its name) and HASH, a 64-bit
    hash over the frame's columns."""
    from pyspark.sql import functions as F

    values = [F.col(priority_column)] if priority_column is not None else []
    return values + [_row_hash(frame_fields).alias(HASH)]


def small_side(df):
    """`df` with a broadcast hint when it has at most BROADCAST_ROWS rows (counted, never collected)."""
    from pyspark.sql import functions as F

    return F.broadcast(df) if df.count() <= BROADCAST_ROWS else df


def survivor_order(priority_column: str | None, priority_descending: bool, cross_run: bool = False) -> list:
    """The survivor rule as a window order over narrow rows (see survivor_values)."""
    from pyspark.sql import functions as F

    order = [F.col(OLD).desc()] if cross_run else []  # documents of earlier runs always survive
    if priority_column is not None:
        p = F.col(priority_column)
        order.append(p.desc_nulls_last() if priority_descending else p.asc_nulls_last())
    return order + [F.col(SID).asc(), F.col(HASH).asc()]


def partition_bytes(spark) -> int:
    """Text bytes per partition of the survivor window and of a dedup stage's output: the input split size
    (spark.sql.files.maxPartitionBytes; dps sets it from the heap, dps.spark.session.PARTITION_KEY). The pipeline
    caches a frame stage's output, and Spark neither coalesces nor splits the shuffle partitions of a cached plan:
    200 would stay 200 tiny tasks on small data, and partitions of ~120 MB overflowed a 1 GB heap when cached."""
    from dps.spark.read import byte_size
    from dps.spark.session import PARTITION_KEY

    return byte_size(spark.conf.get(PARTITION_KEY, "128m") or "128m")


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


def small_partitions(df, text_col: str) -> bool:
    """Whether `df`'s partitions hold at most partition_bytes of kept text on average: a dedup stage's output may
    then keep them (the pipeline caches it). Input-sized partitions (~120 MB) overflowed a 1 GB heap when cached
    (scripts/bench_scale.py, 1 GB): those go through a shuffle into window_partitions."""
    return window_partitions(df, text_col) == df.rdd.getNumPartitions()


def window_partitions(df, text_col: str) -> int:
    """Partitions for the survivor window of a frame stage's input `df`: its kept text size / partition_bytes, at
    least the input's partition count."""
    return max(df.rdd.getNumPartitions(), -(-kept_text_bytes(df, text_col) // partition_bytes(df.sparkSession)))


def mark_groups(documents, narrow, reason: str, order: list, partitions: int, keep_partitions: bool = False):
    """Keep the first row of each GROUP (by `order`); mark the others duplicate of it.

    `narrow`: one row per document (RID, GROUP, SID, the survivor values, DUP_COUNT, ELIGIBLE), plus, with an
    index, rows of earlier runs (OLD true, RUN; see with_old_rows; `order` must put them first). `documents`: the
    kept rows with RID and SID. The window runs over `narrow`, hash-partitioned by GROUP into `partitions` (see
    window_partitions). Rows where ELIGIBLE is false are never marked. A group's old document survives; this run's
    rows in it are marked with reason '<reason>:index' and dup_of_run = the old document's run id. The kept row of
    a group gets the sum of its members' DUP_COUNT (this run's rows only); marked rows keep theirs. Only the
    changed rows are joined back to `documents`: by broadcast up to BROADCAST_ROWS when `keep_partitions` (the
    documents' partitions are small enough to be cached as they are, see small_partitions), else by a shuffle of
    both into `partitions`.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from dps.dedup.components import materialize

    cross_run = OLD in narrow.columns
    w = Window.partitionBy(GROUP).orderBy(*order)
    whole = Window.partitionBy(GROUP)  # the same partitioning: no second shuffle or sort
    count = F.coalesce(F.col(DUP_COUNT), F.lit(1))
    new = ~F.col(OLD) if cross_run else F.lit(True)
    ranked = (narrow.repartition(partitions, GROUP)
              .withColumn("_dps_rank", F.row_number().over(w))
              .withColumn("_dps_first", F.first(SID).over(w))
              .withColumn("_dps_total", F.sum(F.when(new, count)).over(whole)))
    label = F.lit(reason)
    first_run = F.lit(None).cast("string")
    if cross_run:
        ranked = (ranked.withColumn("_dps_first_old", F.first(OLD).over(w))
                  .withColumn("_dps_first_run", F.first(RUN).over(w)))
        label = F.when(F.col("_dps_first_old"), F.lit(f"{reason}:index")).otherwise(label)
        first_run = F.col("_dps_first_run")
    duplicate = (F.col("_dps_rank") > 1) & F.col(ELIGIBLE)
    changes = materialize(
        ranked.where(new & F.col(ELIGIBLE) & ((F.col("_dps_rank") > 1) | (F.col("_dps_total") != count)))
        .select(RID, F.col(SID).alias("_dps_change_sid"), duplicate.alias("_dps_dup"), F.col("_dps_first"),
                label.alias("_dps_label"), first_run.alias("_dps_first_run"), F.col("_dps_total")))
    if keep_partitions and changes.count() <= BROADCAST_ROWS:
        joined = documents.join(F.broadcast(changes), RID, "left")
    else:  # both sides by RID into the window's partition count (small sorts for small heaps)
        joined = documents.repartition(partitions, RID).join(changes.repartition(partitions, RID), RID, "left")
        # With no changes at all Spark's planner replaced both counts by spark.sql.shuffle.partitions (200): every
        # later step then ran 200-420 tiny tasks (1 GB, scripts/bench_scale.py). Coalescing merges them back in
        # the same stage; it is a no-op when the count was kept.
        joined = joined.coalesce(partitions)
    # A row id must find its own document again; if an input were read in another order on the second
    # evaluation, the run fails here rather than marking the wrong documents.
    same = F.col("_dps_change_sid").isNull() | (F.col("_dps_change_sid") == F.col(SID))
    dup = F.when(same, F.coalesce(F.col("_dps_dup"), F.lit(False))).otherwise(
        F.raise_error(F.concat(F.lit(f"{reason}: row id {RID} "), F.col(RID).cast("string"),
                               F.lit(" points at another document on its second reading; input not deterministic"))))
    marked = (joined
              .withColumn(STATUS, F.when(dup, F.lit("duplicate")).otherwise(F.col(STATUS)))
              .withColumn(REASON, F.when(dup, F.col("_dps_label")).otherwise(F.col(REASON)))
              .withColumn(DUP_OF, F.when(dup, F.col("_dps_first")).otherwise(F.col(DUP_OF)))
              # a marked row keeps its own count (it is in the survivor's); on a column dps added it is not output
              .withColumn(DUP_COUNT, F.when(dup | F.col("_dps_total").isNull(), F.col(DUP_COUNT))
                          .otherwise(F.col("_dps_total")).cast(documents.schema[DUP_COUNT].dataType)))
    if cross_run:
        marked = marked.withColumn(DUP_OF_RUN, F.when(dup, F.col("_dps_first_run")).otherwise(F.col(DUP_OF_RUN)))
    return marked.drop(RID, "_dps_change_sid", "_dps_dup", "_dps_first", "_dps_label", "_dps_first_run", "_dps_total")
