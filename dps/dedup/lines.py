"""line_dedup: remove lines repeated across the corpus (site menus, login bars, footers, notices, widget text).

Steps (nothing corpus-sized reaches the driver):
1. One Arrow pass over the kept rows: per document, the distinct hashes of its line units (dps.text.lines).
2. One shuffle on the hash: per (hash, document) pair, the number of distinct documents (exact copies count once:
   a document is its text's MD5) and, with min_sources, of distinct sources holding the unit, and the smallest
   document key (the first occurrence). The pairs at or above the thresholds are the removals.
3. The removals grouped per document (only documents that lose something) and joined back to the documents.
4. One Arrow pass removes the units; the rows get the counters the report sums (LINES, CHARS) and, once per
   distinct removed unit (in the document holding its first occurrence), its text and count (EXAMPLES) for the
   report's list of the most frequent removed lines.
"""

from __future__ import annotations

from functools import partial

from dps.config import JobConfig
from dps.dedup.frames import check, check_columns, split_kept, window_partitions
from dps.dedup.index import IX_TEXT
from dps.text.lines import remove_units, unit_hashes

STAGE = "line_dedup"
KEY = "_dps_line_doc"  # 16-byte MD5 of the document's text
CHANGES = "_dps_line_changes"
# Columns the stage adds (null where it changed nothing); the report sums them (dps.report).
LINES = "_dps_line_dedup_lines"  # lines removed from the row
CHARS = "_dps_line_dedup_chars"  # characters removed from the row
EXAMPLES = "_dps_line_dedup_examples"  # [(hash, docs, unit text)] of units whose first occurrence this row holds
EXAMPLES_TYPE = "array<struct<hash:bigint,docs:bigint,line:string>>"
PAIR_SCHEMA = f"{KEY} binary, hash bigint, src string"
# The stages that deduplicate against the nightly index (they and the index must see the same text).
INDEX_STAGES = ("exact_dedup", "minhash_dedup")


def line_dedup(df, *, config: JobConfig, min_docs: int = 10, min_sources: int = 1, min_chars: int = 10,
               keep_first: bool = False):
    """Remove line units that occur in many documents across the corpus (menus, login bars, footers, notices).

    Each line gets a key: NFC, case-folded, whitespace and invisible characters removed, every number (with the
    separators inside it: 1,234 or 2026.12.07) collapsed to one "0". A line whose key has at least min_chars
    characters is a unit. Shorter lines are never counted on their own: within a run of consecutive short lines (a
    blank or a long line ends it) each line starts a window of it and the next short lines until their keys reach
    min_chars together, and the windows are units (a one-item-per-line menu repeats window by window); a run too
    short for any window goes with the lines it touches (no blank line between) when they are all removed, or,
    touching none, with its neighbours on both sides (a list heading goes with its list, a greeting glued to a kept
    paragraph stays). One shuffle on the unit hash counts in how many distinct documents (exact copies of a text
    count once) each unit occurs; units in at least min_docs documents (and, with min_sources > 1, in at least that
    many distinct values of input.source_column) are removed from every document holding them, or from all but the
    first (the lowest text hash) with keep_first. Runs of blank lines left behind are collapsed to one. Only kept
    rows take part; no row changes status here: documents left too short are rejected by the filters after this
    stage. Linear in the corpus; per document, memory bounded by its number of lines. The report counts lines and
    characters removed and documents changed, and the HTML report lists the most frequent removed lines. With a
    nightly index it must come before exact_dedup and minhash_dedup (they and the index then see the text without
    its repeated lines); each run counts its own lines only (earlier runs' counts are not kept). Measured in
    docs/cleaners.md.

    Parameters:
        min_docs: a unit occurring in at least this many distinct documents is removed (at least 2).
        min_sources: also require this many distinct input.source_column values (1: no source condition).
        min_chars: characters (of the key: no spaces) a line needs to count on its own; shorter lines count
            only in windows of consecutive short lines reaching it together.
        keep_first: keep each repeated unit in the document holding its first occurrence (lowest text hash).
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    check_columns(df, config, STAGE, None)
    check(min_docs >= 2, config, STAGE, f"min_docs must be at least 2, got {min_docs}")
    check(min_sources >= 1, config, STAGE, f"min_sources must be at least 1, got {min_sources}")
    check(min_chars >= 1, config, STAGE, f"min_chars must be at least 1, got {min_chars}")
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
    partitions = window_partitions(df, text_col)  # on the frame as given (its size is known already)
    # The text the index keeps (dps.dedup.index.IX_TEXT) is taken again before the next frame stage: the dedup
    # stages after this one see the text without its repeated lines.
    df = df.drop(IX_TEXT)

    kept, rest = split_kept(df)
    kept = kept.withColumn(KEY, F.unhex(F.md5(F.col(text_col))))

    # 1. (document, unit hash[, source]) pairs, distinct per document.
    src = F.col(source_col).cast("string") if source_col else F.lit(None).cast("string")
    docs = kept.where(F.col(text_col).isNotNull()).select(KEY, F.col(text_col).alias("text"), src.alias("src"))
    pairs = docs.mapInArrow(partial(_pairs, min_chars=min_chars), PAIR_SCHEMA)
    # 2. One shuffle on the hash: every later step keeps this partitioning (hash, then (hash, key) groups).
    pairs = pairs.repartition(partitions, "hash").groupBy("hash", KEY).agg(F.min("src").alias("src"))
    stats = [F.count(F.lit(1)).alias("docs"), F.min(KEY).alias("first")]
    if source_col:
        stats.append(F.countDistinct("src").alias("sources"))
    counts = pairs.groupBy("hash").agg(*stats).where(F.col("docs") >= min_docs)
    if source_col:
        counts = counts.where(F.col("sources") >= min_sources)
    hits = pairs.select("hash", KEY).join(counts.select("hash", "docs", "first"), "hash")
    # 3. Per document: the units to remove (and the units whose first occurrence it holds, for the report).
    remove = F.when(F.lit(not keep_first) | (F.col(KEY) != F.col("first")), F.col("hash"))
    example = F.when(F.col(KEY) == F.col("first"), F.struct("hash", "docs"))
    changes = hits.repartition(partitions, KEY).groupBy(KEY).agg(F.collect_list(remove).alias("remove"),
                                    F.collect_list(example).alias("examples"))
    changes = changes.select(KEY, F.struct("remove", "examples").alias(CHANGES))
    joined = kept.repartition(partitions, KEY).join(changes, KEY, "left")
    # 4. Remove the units.
    schema = T.StructType(kept.drop(KEY).schema.fields + [
        T.StructField(LINES, T.LongType()), T.StructField(CHARS, T.LongType()),
        T.StructField(EXAMPLES, T.ArrayType(T.StructType([
            T.StructField("hash", T.LongType()), T.StructField("docs", T.LongType()),
            T.StructField("line", T.StringType())])))])
    out = joined.mapInArrow(partial(_remove, text_col=text_col, min_chars=min_chars), schema)
    rest = (rest.withColumn(LINES, F.lit(None).cast("bigint")).withColumn(CHARS, F.lit(None).cast("bigint"))
            .withColumn(EXAMPLES, F.lit(None).cast(EXAMPLES_TYPE)))
    return out.select(*rest.columns).unionByName(rest)


def _pairs(batches, *, min_chars: int):
    """mapInArrow body: (key, text, src) -> one (key, hash, src) row per distinct unit of each document."""
    import pyarrow as pa

    for batch in batches:
        keys, texts, srcs = (batch.column(i).to_pylist() for i in range(3))
        out_keys, out_hashes, out_srcs = [], [], []
        for key, text, src in zip(keys, texts, srcs):
            hashes = unit_hashes(text, min_chars)
            out_keys += [key] * len(hashes)
            out_hashes += hashes
            out_srcs += [src] * len(hashes)
        yield pa.RecordBatch.from_arrays(
            [pa.array(out_keys, type=pa.binary()), pa.array(out_hashes, type=pa.int64()),
             pa.array(out_srcs, type=pa.string())], names=[KEY, "hash", "src"])


def _remove(batches, *, text_col: str, min_chars: int):
    """mapInArrow body: the joined rows -> the same columns without KEY and CHANGES, the text without its removed
    units, and the LINES, CHARS and EXAMPLES columns."""
    import pyarrow as pa

    for batch in batches:
        names = batch.schema.names
        ti, ki, ci = names.index(text_col), names.index(KEY), names.index(CHANGES)
        texts = batch.column(ti).to_pylist()
        changes = batch.column(ci).to_pylist()
        new_texts, lines, chars, examples = [], [], [], []
        for text, change in zip(texts, changes):
            if change is None or text is None:
                new_texts.append(text)
                lines.append(None)
                chars.append(None)
                examples.append(None)
                continue
            remove = [h for h in change["remove"] if h is not None]
            counts = {e["hash"]: e["docs"] for e in change["examples"] if e is not None}
            new, removed, shown = remove_units(text, remove, min_chars, counts)
            new_texts.append(new)
            lines.append(removed or None)
            chars.append(len(text) - len(new) if removed else None)
            examples.append([{"hash": h, "docs": counts[h], "line": line} for h, line in sorted(shown)] or None)
        columns = [c for i, c in enumerate(batch.columns) if i not in (ki, ci)]
        fields = [f for i, f in enumerate(batch.schema) if i not in (ki, ci)]
        out_ti = [f.name for f in fields].index(text_col)
        columns[out_ti] = pa.array(new_texts, type=fields[out_ti].type)
        example_type = pa.list_(pa.struct([("hash", pa.int64()), ("docs", pa.int64()), ("line", pa.string())]))
        yield pa.RecordBatch.from_arrays(
            columns + [pa.array(lines, type=pa.int64()), pa.array(chars, type=pa.int64()),
                       pa.array(examples, type=example_type)],
            names=[f.name for f in fields] + [LINES, CHARS, EXAMPLES])

