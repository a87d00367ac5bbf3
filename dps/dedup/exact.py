"""exact_dedup: one document per normalized-text key survives; the rest are marked duplicates of it."""

from __future__ import annotations

from functools import partial

from dps.config import JobConfig
from dps.dedup.frames import (DUP_COUNT, ELIGIBLE, GROUP, RID, RUN, SID, check_columns, check_dup_count, mark_groups,
                              small_partitions, split_kept, stable_id, survivor_order, survivor_values,
                              window_partitions, with_dup_of, with_old_rows, with_row_ids)
from dps.dedup.index import IndexView
from dps.dedup.signatures import exact_keys

KEY = "_dps_exact_key"


def exact_dedup(df, *, config: JobConfig, index: IndexView | None = None, lowercase: bool = False,
                strip_punctuation: bool = False,
                priority_column: str | None = None, priority_descending: bool = False):
    """Mark documents whose normalized text is identical to another's as duplicates (reason exact_dedup).

    Key: 128-bit BLAKE2b of the text after NFC, removal of invisible characters (controls, zero-width,
    BOM), whitespace runs (newlines included) collapsed to one space and trimmed, then optionally lowercased
    and with punctuation and symbols (emoji included) removed. One document per key survives: the one
    with the lowest stable id (input.id_column as a string; without one, the hex MD5 of the text), or, with
    priority_column, the lowest (or highest) priority first and the stable id to break ties. The others get
    dps_status 'duplicate', dps_reason 'exact_dedup' and dup_of = the survivor's stable id; the survivor's
    dup_count counts the group (docs/dedup.md#dup_count-how-many-documents-a-kept-one-stands-for). Only kept rows
    take part; documents that normalize to nothing are left alone. Costs one Arrow pass over the kept rows
    and one shuffle of their keys and ids (not their text). With an index (nightly runs), a document whose
    key matches one kept by an earlier run is marked with reason exact_dedup:index, dup_of = that document's
    id and dup_of_run = its run id; earlier documents always survive.

    Parameters:
        lowercase: compare texts case-insensitively.
        strip_punctuation: ignore punctuation and symbols (Unicode P* and S*, emoji included).
        priority_column: column deciding which copy survives (e.g. crawl date, source rank); None: stable id only.
        priority_descending: keep the highest priority_column value instead of the lowest.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    check_columns(df, config, "exact_dedup", priority_column)
    check_dup_count(df, config, "exact_dedup")
    text_col = config.input.text_column
    cross_run = index is not None
    kept, rest = split_kept(with_dup_of(df, cross_run))
    kept = with_row_ids(kept).withColumn(SID, stable_id(config))
    # The keys are computed on narrow rows (the text goes into the Arrow pass and stays there).
    narrow = kept.select(RID, SID, *survivor_values(rest.schema.fields, priority_column), DUP_COUNT, text_col)
    schema = T.StructType(narrow.schema.fields + [T.StructField(KEY, T.BinaryType(), True)])
    keyed = narrow.mapInArrow(partial(_add_keys, text_col=text_col, lowercase=lowercase,
                                      strip_punctuation=strip_punctuation), schema).drop(text_col)
    # Rows without a key are grouped by their own id (never marked), so they do not pile into one task.
    keyed = (keyed.withColumn(GROUP, F.coalesce(F.col(KEY), F.unhex(F.md5(F.col(SID)))))
             .withColumn(ELIGIBLE, F.col(KEY).isNotNull()))
    if cross_run:
        keyed = with_old_rows(keyed, _old_rows(df.sparkSession, index, keyed), index.run_id)
    order = survivor_order(priority_column, priority_descending, cross_run)
    partitions = window_partitions(df, text_col)
    marked = mark_groups(kept, keyed, "exact_dedup", order, partitions, small_partitions(df, text_col))
    return marked.select(*rest.columns).unionByName(rest)


def _old_rows(spark, index: IndexView, keyed):
    """Earlier runs' documents whose key occurs in this run (GROUP, KEY, SID, RUN); only those can matter.
    None before the first committed run."""
    from pyspark.sql import functions as F

    old = index.frame(spark)
    if old is None:
        return None
    old = old.where(F.col("exact_key").isNotNull()).select(
        F.col("exact_key").alias(GROUP), F.col("exact_key").alias(KEY), F.col("id").alias(SID),
        F.col("run_id").alias(RUN))
    return old.join(keyed.select(F.col(KEY).alias(GROUP)).where(F.col(GROUP).isNotNull()).distinct(), GROUP,
                    "left_semi")


def _add_keys(batches, *, text_col: str, lowercase: bool, strip_punctuation: bool):
    """mapInArrow body: the batch plus its exact keys."""
    import pyarrow as pa

    for batch in batches:
        texts = batch.column(batch.schema.get_field_index(text_col)).to_pylist()
        keys = exact_keys(texts, lowercase=lowercase, strip_punctuation=strip_punctuation)
        yield pa.RecordBatch.from_arrays(list(batch.columns) + [pa.array(keys, type=pa.binary())],
                                         names=batch.schema.names + [KEY])


def exact_fingerprint(config: JobConfig, params: dict) -> dict:
    """What runs sharing an index must agree on (declared in the registry): how the key is normalized."""
    return {"lowercase": params["lowercase"], "strip_punctuation": params["strip_punctuation"]}
