"""line_dedup: remove lines repeated across the corpus (site menus, login bars, footers, notices, widget text).

Steps (nothing corpus-sized reaches the driver):
1. The text MD5 and distinct unit hashes of every kept document (dps.text.lines), as a column (HASHES): the fused
   text pass right before the stage computes them (Stage.prepare), so the stage needs no Arrow pass of its own and
   the count reads no text; without such a pass (the stage first in the chain, or called on a frame directly) one
   pass of its own adds it.
2. One shuffle of compact (unit hash, 16-byte text MD5[, source]) pairs on the hash: per unit the number of
   distinct documents (exact copies count once: a document is its text's MD5) and, with min_sources, of distinct
   sources holding it, and the smallest document key (the first occurrence). With a nightly index, the counts
   of the earlier committed runs are added (their stored unit hash -> documents tables, see COUNTS) and this
   run's own counts are handed to the index to be stored beside its rows (IndexView.extra).
3. The units at or above the thresholds (the frequent units) come to the driver as three arrays (hash, documents,
   first document: 32 bytes a unit), at most MAX_FREQUENT of them, and travel to the removal pass as a broadcast
   variable. Their number is bounded by the data: at most (units counted) / min_docs, in
   practice the templates of the sites (tens of units per site); above MAX_FREQUENT the removals are joined back to
   the documents instead (a shuffle of the documents: slower, with no bound).
4. One Arrow pass over the kept rows removes the units: a document none of whose hashes is frequent (a numpy
   lookup per batch) is passed through untouched; the others get the counters the report sums (LINES, CHARS) and,
   once per distinct removed unit (in the document holding its first occurrence), its text and count (EXAMPLES)
   for the report's list of the most frequent removed lines.
"""

from __future__ import annotations

import hashlib
from functools import partial

from dps.config import JobConfig
from dps.dedup.frames import (check, check_columns, defer_last_pass, kept_rows, kept_text_bytes,
                               partition_bytes, split_kept, window_partitions)
from dps.dedup.index import IX_TEXT
from dps.marks import STATUS
from dps.text.lines import remove_units, unit_hashes

STAGE = "line_dedup"
KEY = "_dps_line_doc"  # 16-byte MD5 of the document's text
HASHES = "_dps_line_hashes"  # struct<key: the text's MD5, hashes: its distinct unit hashes> (step 1)
CHANGES = "_dps_line_changes"
# Columns the stage adds (null where it changed nothing); the report sums them (dps.report).
LINES = "_dps_line_dedup_lines"  # lines removed from the row
CHARS = "_dps_line_dedup_chars"  # characters removed from the row
EXAMPLES = "_dps_line_dedup_examples"  # [(hash, docs, unit text)] of units whose first occurrence this row holds
EXAMPLES_TYPE = "array<struct<hash:bigint,docs:bigint,line:string>>"
# The stages that deduplicate against the nightly index (they and the index must see the same text).
INDEX_STAGES = ("exact_dedup", "minhash_dedup")
# Frequent units brought to the driver and shipped with the removal pass: 32 bytes each there (24 MB at the most
# in a broadcast variable the removal pass reads). More than this: the removals are joined back instead.
MAX_FREQUENT = 750_000
# With a nightly index: each committed run attempt's folder holds, beside its index rows, the units this run saw in
# at least COUNT_AT_LEAST documents as unit hash -> documents (Parquet: hash bigint, docs bigint; never the lines),
# in the subfolder COUNTS + "_" + min_chars (the units depend on min_chars; a leading "_" keeps Spark's reader of
# the index rows out of it).
COUNTS = "_line_counts"
COUNTS_SCHEMA = "hash bigint, docs bigint"
COUNT_AT_LEAST = 2


def line_hashes(text: str, *, min_chars: int = 10, **_params) -> dict:
    """What the text pass before the stage computes for it (Stage.prepare): the text's MD5 (the document's key: the
    count then reads no text) and its distinct unit hashes."""
    return {"key": hashlib.md5(text.encode("utf-8")).digest(), "hashes": unit_hashes(text, min_chars)}


HASHES_TYPE = "struct<key:binary,hashes:array<bigint>>"
PREPARE = (HASHES, HASHES_TYPE, line_hashes)


def counts_folder(min_chars: int) -> str:
    return f"{COUNTS}_{min_chars}"


def line_dedup(df, *, config: JobConfig, index=None, min_docs: int = 10, min_sources: int = 1, min_chars: int = 10,
               keep_first: bool = False, min_run_docs: int = 1000):
    """Remove line units that occur in many documents across the corpus (menus, login bars, footers, notices).

    Each line gets a key: NFC, case-folded, whitespace and invisible characters removed, every number (with the
    separators inside it: 1,234 or 2026.12.07) collapsed to one "0". A line whose key has at least min_chars
    characters is a unit. Shorter lines are never counted on their own: within a run of consecutive short lines (a
    blank or a long line ends it) each line starts a window of it and the next short lines until their keys reach
    min_chars together, and the windows are units (a one-item-per-line menu repeats window by window); a run too
    short for any window goes with the lines it touches (no blank line between) when they are all removed, or,
    touching none, with its neighbours on both sides (a list heading goes with its list, a greeting glued to a kept
    paragraph stays). One shuffle of (unit hash, document hash) pairs counts in how many distinct documents (exact
    copies of a text count once) each unit occurs; units in at least min_docs documents (and, with min_sources > 1,
    in at least that many distinct values of input.source_column) are removed from every document holding them, or
    from all but the first (the lowest text hash) with keep_first. Runs of blank lines left behind are collapsed to
    one. Only kept rows take part; no row changes status here: documents left too short are rejected by the filters
    after this stage. A run counting fewer than min_run_docs documents removes nothing (frequency over a few hundred
    documents cannot tell a template from a popular line). Linear in the corpus; per document, memory bounded by its
    number of lines. The report counts lines and characters removed and documents changed, and the HTML report
    lists the most frequent removed lines. With a nightly index it must come before exact_dedup and minhash_dedup
    (they and the index then see the text without its repeated lines), and the earlier runs' counts count too: each
    committed run stores, beside its index rows, the units it saw in at least 2 documents with their document
    counts (never the lines), and a unit's count is tonight's plus theirs (min_run_docs counts their documents
    too). Measured in docs/cleaners.md.

    Parameters:
        min_docs: a unit occurring in at least this many distinct documents is removed (at least 2).
        min_sources: also require this many distinct input.source_column values (1: no source condition; with an
            index, tonight's sources only).
        min_chars: characters (of the key: no spaces) a line needs to count on its own; shorter lines count
            only in windows of consecutive short lines reaching it together.
        keep_first: keep each repeated unit in the document holding its first occurrence (lowest text hash).
        min_run_docs: remove nothing when the run's kept documents (with an index, plus those of the earlier runs)
            are fewer (0: always count).
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    check_columns(df, config, STAGE, None)
    check(min_docs >= 2, config, STAGE, f"min_docs must be at least 2, got {min_docs}")
    check(min_sources >= 1, config, STAGE, f"min_sources must be at least 1, got {min_sources}")
    check(min_chars >= 1, config, STAGE, f"min_chars must be at least 1, got {min_chars}")
    check(min_run_docs >= 0, config, STAGE, f"min_run_docs must be at least 0, got {min_run_docs}")
    source_col = config.input.source_column if min_sources > 1 else None
    if min_sources > 1:
        check(source_col is not None, config, STAGE, "min_sources > 1 needs input.source_column (set it, or set "
              "min_sources: 1)")
        check(source_col in df.columns, config, STAGE, f"min_sources > 1 counts input.source_column, but the data "
              f"has no column '{source_col}'")
    text_col = config.input.text_column
    names = [spec.name for spec in config.stages]
    if config.index is not None and STAGE in names:
        before = [n for n in names[:names.index(STAGE)] if n in INDEX_STAGES]
        check(not before, config, STAGE, f"with an index, line_dedup must come before {' and '.join(before)} "
              "(the dedup stages and the index must see the same text)")
    # On the frame as given (the pipeline knows both figures already: the job that materialized its cache).
    partitions = window_partitions(df, text_col)  # for the documents (the join below)
    # The (unit hash, document) pairs: 24 bytes a unit (0.4 of the text's bytes on the templated pages of
    # docs/cleaners.md), so a partition per 4 of the documents'.
    pair_partitions = max(1, -(-kept_text_bytes(df, text_col) // (4 * partition_bytes(df.sparkSession))))
    run_docs = kept_rows(df, text_col) if min_run_docs else 0
    # The text the index keeps (dps.dedup.index.IX_TEXT) is taken again before the next frame stage: the dedup
    # stages after this one see the text without its repeated lines.
    df = df.drop(IX_TEXT)

    if HASHES not in df.columns:  # no text pass computed them: a pass of the stage's own
        schema = T.StructType(df.schema.fields + [T.StructField(HASHES, T.StructType([
            T.StructField("key", T.BinaryType()), T.StructField("hashes", T.ArrayType(T.LongType()))]))])
        df = df.mapInArrow(partial(_add_hashes, text_col=text_col, min_chars=min_chars), schema)
    # The frame the removal pass runs on: every row, with the stage's columns (null until a row changes). Rows that
    # do not take part have no hashes (Stage.prepare and _add_hashes fill them for kept rows only).
    frame = (df.withColumn(LINES, F.lit(None).cast("bigint")).withColumn(CHARS, F.lit(None).cast("bigint"))
             .withColumn(EXAMPLES, F.lit(None).cast(EXAMPLES_TYPE)))
    kept, _ = split_kept(df)

    # 2. One shuffle on the hash: every later step keeps this partitioning (hash, then (hash, key) groups).
    src = F.col(source_col).cast("string") if source_col else F.lit(None).cast("string")
    pairs = kept.where(F.col(HASHES).isNotNull()).select(
        F.col(HASHES)["key"].alias(KEY), F.explode(F.col(HASHES)["hashes"]).alias("hash"), src.alias("src"))
    pairs = pairs.repartition(pair_partitions, "hash").groupBy("hash", KEY).agg(F.min("src").alias("src"))
    stats = [F.count(F.lit(1)).alias("docs"), F.min(KEY).alias("first")]
    if source_col:
        stats.append(F.countDistinct("src").alias("sources"))
    counts = pairs.groupBy("hash").agg(*stats)
    if index is not None:
        counts = counts.persist(StorageLevel.MEMORY_AND_DISK)  # read again when the index rows are written
        index.extra.append((counts_folder(min_chars), counts.where(F.col("docs") >= COUNT_AT_LEAST)
                            .select("hash", "docs"), counts))
    earlier, earlier_docs = _earlier_counts(df.sparkSession, index, min_chars)
    if run_docs + earlier_docs < min_run_docs:  # too few documents to judge by frequency (counted all the same)
        if index is not None:
            counts.count()  # cached now, while the frame it is counted from still is
        return frame.drop(HASHES)
    if earlier is not None:
        counts = (counts.join(earlier, "hash", "left")
                  .withColumn("docs", F.col("docs") + F.coalesce(F.col("earlier_docs"), F.lit(0))))
    frequent = counts.where(F.col("docs") >= min_docs)
    if source_col:
        frequent = frequent.where(F.col("sources") >= min_sources)
    frequent = frequent.select("hash", "docs", "first")

    # 3. The frequent units to the driver (at most MAX_FREQUENT + 1 of them: one job, the counting), shipped with
    # the removal pass.
    table = frequent.limit(MAX_FREQUENT + 1).toArrow()
    if table.num_rows <= MAX_FREQUENT:
        # A broadcast variable, not the pass's closure: up to 24 MB in every task made Spark warn of large tasks.
        shipped = df.sparkSession.sparkContext.broadcast(_frequent_arrays(table))
        # 4. The removal pass; in a pipeline it runs first in the fused text pass after the stage (defer_last_pass).
        batch_fn = partial(_remove_frequent, text_col=text_col, min_chars=min_chars, frequent=shipped,
                           keep_first=keep_first)
        out = frame.mapInArrow(partial(_each, batch_fn), frame.schema).drop(HASHES)
        return defer_last_pass(out, frame, batch_fn, (HASHES,))

    # Too many frequent units to ship: the removals grouped per document and joined back to the documents.
    del table
    kept, rest = split_kept(frame.drop(HASHES))
    hits = pairs.select("hash", KEY).join(frequent, "hash")
    remove = F.when(F.lit(not keep_first) | (F.col(KEY) != F.col("first")), F.col("hash"))
    example = F.when(F.col(KEY) == F.col("first"), F.struct("hash", "docs"))
    changes = hits.repartition(partitions, KEY).groupBy(KEY).agg(F.collect_list(remove).alias("remove"),
                                                                  F.collect_list(example).alias("examples"))
    changes = changes.select(KEY, F.struct("remove", "examples").alias(CHANGES))
    joined = (kept.withColumn(KEY, F.unhex(F.md5(F.col(text_col)))).repartition(partitions, KEY)
              .join(changes, KEY, "left"))
    out = joined.mapInArrow(partial(_remove_joined, text_col=text_col, min_chars=min_chars), kept.schema)
    return out.select(*rest.columns).unionByName(rest)


def _each(batch_fn, batches):
    for batch in batches:
        yield batch_fn(batch)


def _earlier_counts(spark, index, min_chars: int):
    """(hash -> earlier_docs summed over the earlier runs' stored counts, or None; the earlier runs' documents)."""
    if index is None or not index.runs:
        return None, 0
    from pyspark.sql import functions as F

    runs_docs = sum(r.docs for r in index.runs)
    folders = [f"{index.store.path}/{r.folder}/{counts_folder(min_chars)}" for r in index.runs]
    present = [f for f in folders if index.store.fs.exists(f)]
    if not present:
        return None, runs_docs
    earlier = spark.read.schema(COUNTS_SCHEMA).parquet(*present)
    return earlier.groupBy("hash").agg(F.sum("docs").alias("earlier_docs")), runs_docs


def _frequent_arrays(table):
    """(hashes sorted, their document counts, their first documents' keys as one bytes object of 16 per unit)."""
    import numpy as np

    hashes = table.column("hash").to_numpy().astype(np.int64)
    order = np.argsort(hashes, kind="stable")
    docs = table.column("docs").to_numpy().astype(np.int64)[order]
    firsts = table.column("first").to_pylist()
    return hashes[order], docs, b"".join(firsts[i] for i in order)


def _add_hashes(batches, *, text_col: str, min_chars: int):
    """mapInArrow body: the rows with the HASHES column added, for kept rows (what Stage.prepare computes in a text
    pass)."""
    import pyarrow as pa

    for batch in batches:
        texts = batch.column(batch.schema.names.index(text_col)).to_pylist()
        statuses = batch.column(batch.schema.names.index(STATUS)).to_pylist()
        hashes = [line_hashes(t, min_chars=min_chars) if t is not None and s == "kept" else None
                  for t, s in zip(texts, statuses)]
        hashes_type = pa.struct([("key", pa.binary()), ("hashes", pa.list_(pa.int64()))])
        yield pa.RecordBatch.from_arrays(list(batch.columns) + [pa.array(hashes, type=hashes_type)],
                                         names=batch.schema.names + [HASHES])


def _remove_frequent(batch, *, text_col: str, min_chars: int, frequent, keep_first: bool):
    """One Arrow batch of the stage's frame (with HASHES, LINES, CHARS, EXAMPLES) -> the same schema: the text of
    each row holding a frequent unit without its frequent units, the LINES, CHARS and EXAMPLES of those rows filled
    in, HASHES null (dropped next). `frequent`: a broadcast of the frequent units as _frequent_arrays gives them
    (hashes sorted, their documents, their first documents' keys)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    hashes, docs, firsts = frequent.value

    names = batch.schema.names
    ti, hi = names.index(text_col), names.index(HASHES)
    n = batch.num_rows
    prepared = batch.column(hi)
    keys, lists = prepared.flatten()  # the parent's nulls applied
    columns = list(batch.columns)
    columns[hi] = pa.nulls(n, type=prepared.type)
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = lists.flatten().to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    if not len(hashes) or not len(flat):
        return pa.RecordBatch.from_arrays(columns, schema=batch.schema)
    pos = np.searchsorted(hashes, flat)
    pos[pos == len(hashes)] = 0
    hit = hashes[pos] == flat
    seen = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum(hit, out=seen[1:])
    changed = np.flatnonzero(seen[offsets[1:]] - seen[offsets[:-1]])
    if not len(changed):
        return pa.RecordBatch.from_arrays(columns, schema=batch.schema)
    li, ci, ei = names.index(LINES), names.index(CHARS), names.index(EXAMPLES)
    texts = batch.column(ti).to_pylist()
    lines, chars, examples = (batch.column(k).to_pylist() for k in (li, ci, ei))
    for i in changed.tolist():
        text = texts[i]
        at = pos[offsets[i]:offsets[i + 1]][hit[offsets[i]:offsets[i + 1]]]
        key = keys[i].as_py()
        remove, counts = [], {}
        for p in at.tolist():
            h = int(hashes[p])
            mine = firsts[16 * p:16 * p + 16] == key
            if mine:
                counts[h] = int(docs[p])
            if not (keep_first and mine):
                remove.append(h)
        texts[i], lines[i], chars[i], examples[i] = _removed(text, remove, min_chars, counts)
    for k, values in ((ti, texts), (li, lines), (ci, chars), (ei, examples)):
        columns[k] = pa.array(values, type=batch.schema.field(k).type)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _removed(text: str, remove: list[int], min_chars: int, counts: dict[int, int]):
    """(text without the units `remove`, LINES, CHARS, EXAMPLES) of one row, as both removal paths fill them."""
    new, removed, shown = remove_units(text, remove, min_chars, counts)
    examples = [{"hash": h, "docs": counts[h], "line": line} for h, line in sorted(shown)] or None
    return new, removed or None, len(text) - len(new) if removed else None, examples


def _remove_joined(batches, *, text_col: str, min_chars: int):
    """mapInArrow body: the joined rows -> the same columns without KEY and CHANGES: the text without its removed
    units, and the LINES, CHARS and EXAMPLES columns filled in."""
    import pyarrow as pa

    for batch in batches:
        names = batch.schema.names
        ti, ki, ci = names.index(text_col), names.index(KEY), names.index(CHANGES)
        li, xi, ei = names.index(LINES), names.index(CHARS), names.index(EXAMPLES)
        texts = batch.column(ti).to_pylist()
        changes = batch.column(ci).to_pylist()
        lines, chars, examples = (batch.column(k).to_pylist() for k in (li, xi, ei))
        for i, (text, change) in enumerate(zip(texts, changes)):
            if change is None or text is None:
                continue
            remove = [h for h in change["remove"] if h is not None]
            counts = {e["hash"]: e["docs"] for e in change["examples"] if e is not None}
            texts[i], lines[i], chars[i], examples[i] = _removed(text, remove, min_chars, counts)
        columns = list(batch.columns)
        for k, values in ((ti, texts), (li, lines), (xi, chars), (ei, examples)):
            columns[k] = pa.array(values, type=batch.schema.field(k).type)
        keep = [k for k in range(len(names)) if k not in (ki, ci)]
        yield pa.RecordBatch.from_arrays([columns[k] for k in keep], names=[names[k] for k in keep])
