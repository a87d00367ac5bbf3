"""minhash_dedup: MinHash-LSH near-duplicate clustering, entirely in Spark, one survivor per cluster.

Steps (nothing corpus-sized is collected to the driver; no single-machine union-find):
1. One Arrow pass over (node, text) of the kept rows: vectorized numpy signatures (dps.dedup.signatures)
   -> one row per (document, band) with a 64-bit band key. Documents without a shingle emit nothing.
2. Buckets = rows sharing (band, key). Each bucket links its members to ONE hub, its smallest node: a
   bucket of k documents makes k - 1 edges, never k (k - 1) / 2, and since the same members pick the same
   hub in every band, k identical documents cost k - 1 edges in all. (A hub chosen per band by a salted
   hash measured no better recall with verification: 0.9989 against 0.9986 at J >= 0.85.)
3. Optional verification: the true Jaccard of every candidate edge, from the two documents' shingle sets
   (computed once per document with an edge; documents of earlier runs bring theirs from the index); edges
   below the threshold are dropped before clustering.
4. Connected components (large-star / small-star, dps.dedup.components).
5. In every component the survivor rule (dps.dedup.frames) keeps one row; the rest are marked.

A node is a 16-byte MD5 of (stable id, text): rows equal in both are one node, and the survivor rule
still keeps only one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from dps.config import JobConfig
from dps.dedup.components import DST, SRC, connected_components, materialize
from dps.dedup.frames import (DUP_COUNT, ELIGIBLE, GROUP, RID, RUN, SID, check, check_columns, check_dup_count,
                              mark_groups, small_partitions, small_side, split_kept, stable_id, survivor_order,
                              survivor_values, window_partitions, with_dup_of, with_old_rows, with_row_ids)
from dps.dedup.index import IndexView, set_array, set_values
from dps.dedup.signatures import (SHINGLE_KINDS, band_keys, optimal_bands, shingle_sets, signatures, size_bounded,
                                  star_jaccard)

NODE = "_dps_node"
STAGE = "minhash_dedup"
BAND_SCHEMA = f"{NODE} binary, band int, key bigint"
SET_SCHEMA = f"{NODE} binary, shingles array<int>"


def minhash_dedup(df, *, config: JobConfig, index: IndexView | None = None, threshold: float = 0.8,
                  num_perm: int = 128,
                  false_negative_weight: float | None = None, bands: int | None = None, rows: int | None = None,
                  shingle: str = "char", ngram: int = 5, ignore_spaces: bool = True, lowercase: bool = True,
                  strip_punctuation: bool = True, verify: bool = True, priority_column: str | None = None,
                  priority_descending: bool = False):
    """Cluster near-duplicate documents with MinHash-LSH and keep one per cluster (reason minhash_dedup).

    Shingles are taken from the text normalized as in exact_dedup (NFC, invisible characters removed,
    whitespace collapsed; lowercase and punctuation removal on by default here). Signatures: num_perm
    MinHash values per document, computed per Arrow batch with vectorized numpy. LSH: bands x rows taken
    from datasketch's search minimising false_positive_weight x P(false positive) + false_negative_weight x
    P(false negative) around the threshold (false_positive_weight = 1 - false_negative_weight). Candidate
    pairs (a shared band) are linked through one hub per bucket, optionally verified against the true
    Jaccard similarity, and clustered by connected components in Spark. In each cluster the document with
    the lowest stable id (or priority_column first) survives; the others get dps_status 'duplicate',
    dps_reason 'minhash_dedup' and dup_of = the survivor's stable id; the survivor's dup_count adds up the
    cluster's. Clustering is transitive: A~B and
    B~C put A, B and C in one cluster even if A and C differ more. Documents with no shingle (shorter than
    ngram characters/words) are never clustered. Defaults measured in docs/dedup.md. With an index (nightly
    runs), the documents kept by earlier runs take part in the buckets, verification and clusters; a cluster
    holding one of them keeps it (earlier documents always survive), and this run's members are marked with
    reason minhash_dedup:index, dup_of = its id and dup_of_run = its run id.

    Parameters:
        threshold: Jaccard similarity of shingle sets from which two documents count as near-duplicates.
        num_perm: MinHash permutations per document (signature length); more is slower but sharper.
        false_negative_weight: weight (0-1) of missed pairs against false candidates when choosing bands x rows;
            None: 0.9 with verify (verification removes false candidates, so a missed pair is the costlier
            error), 0.5 without.
        bands: LSH bands; set together with rows to override the optimised choice; None: optimised.
        rows: signature values per band; set together with bands; None: optimised.
        shingle: 'char' (character n-grams, see ignore_spaces), 'word' (word n-grams) or 'morpheme' (Kiwi
            morpheme n-grams; Kiwi runs at about 0.2 MB/s per core).
        ngram: n-gram size in characters, words or morphemes.
        ignore_spaces: character n-grams skip spaces, so re-spaced copies (Korean spacing varies) still match.
        lowercase: compare case-insensitively.
        strip_punctuation: ignore punctuation and symbols (Unicode P* and S*, emoji included).
        verify: compute the true Jaccard of every candidate pair and drop pairs below threshold before
            clustering.
        priority_column: column deciding which document of a cluster survives (e.g. crawl date, source
            rank); None: stable id only.
        priority_descending: keep the highest priority_column value instead of the lowest.
    """
    from pyspark.sql import functions as F

    check_columns(df, config, STAGE, priority_column)
    check_dup_count(df, config, STAGE)
    lsh = lsh_settings(config, threshold=threshold, num_perm=num_perm, false_negative_weight=false_negative_weight,
                       bands=bands, rows=rows, shingle=shingle, ngram=ngram, ignore_spaces=ignore_spaces,
                       lowercase=lowercase, strip_punctuation=strip_punctuation, verify=verify)
    num_perm, bands, rows, shingling = lsh.num_perm, lsh.bands, lsh.rows, lsh.shingling
    text_col = config.input.text_column
    cross_run = index is not None
    kept, rest = split_kept(with_dup_of(df, cross_run))
    kept = with_row_ids(kept).withColumn(SID, stable_id(config))
    kept = kept.withColumn(NODE, F.unhex(F.md5(F.concat_ws("\u0000", F.col(SID), F.col(text_col)))))
    docs = kept.select(NODE, F.col(text_col).alias("text"))

    # 1. (node, band, key) rows; 2. candidate edges (and repeated nodes as self-loops).
    partitions = window_partitions(df, text_col)
    bands_df = docs.mapInArrow(partial(_band_rows, num_perm=num_perm, bands=bands, rows=rows,
                                       shingling=shingling), BAND_SCHEMA)
    old = index.frame(df.sparkSession) if cross_run else None
    old_sets = None
    if old is not None:
        # Earlier runs' documents join only the buckets this run's documents fall in.
        bands_df = materialize(bands_df)
        old_bands = (old.where(F.col("bands").isNotNull())
                     .select(F.col("node").alias(NODE), F.posexplode("bands").alias("band", "key"))
                     .join(bands_df.select("band", "key").distinct(), ["band", "key"], "left_semi"))
        bands_df = bands_df.unionByName(old_bands.select(NODE, "band", "key"))
        old_sets = old.select(F.col("node").alias(NODE), "shingles")
    links = materialize(bucket_links(bands_df, partitions))
    edges = links.where(F.col(SRC) != F.col(DST))
    repeated = links.where(F.col(SRC) == F.col(DST)).select(F.col(SRC).alias("node"))
    # 3. Verification against the true Jaccard similarity.
    if verify:
        edges = materialize(verified_edges(edges, docs, threshold, shingling, old_sets, repeated))

    # 4. Components; rows repeated under one node form a group even without edges.
    components = connected_components(edges)
    groups = components.unionByName(
        repeated.join(components, "node", "left_anti").withColumn("root", F.col("node")))
    groups = materialize(groups.select(F.col("node").alias(NODE), F.col("root").alias(GROUP)))

    # 5. Survivors: the window runs over the narrow rows of the components' members (nothing else can change),
    # and only its changes are joined back to the documents.
    members = (kept.select(RID, NODE, SID, *survivor_values(rest.schema.fields, priority_column), DUP_COUNT)
               .join(small_side(groups), NODE).withColumn(ELIGIBLE, F.lit(True)))
    if cross_run:
        old_members = (old.select(F.col("node").alias(NODE), F.col("id").alias(SID), F.col("run_id").alias(RUN))
                       .join(groups, NODE).withColumn(ELIGIBLE, F.lit(True))) if old is not None else None
        members = with_old_rows(members, old_members, index.run_id)
    order = survivor_order(priority_column, priority_descending, cross_run)
    marked = mark_groups(kept, members, STAGE, order, partitions, small_partitions(df, text_col))
    return marked.select(*rest.columns).unionByName(rest)


@dataclass(frozen=True)
class LshSettings:
    """Everything that decides a document's band keys, plus how candidates are checked."""

    threshold: float
    num_perm: int
    bands: int
    rows: int
    shingling: dict  # shingle_hashes / signatures keyword arguments (kind, n, ..., seed)
    verify: bool

    def fingerprint(self) -> dict:
        """What runs sharing a dedup index must agree on (band keys of old and new documents must compare)."""
        return {"num_perm": self.num_perm, "bands": self.bands, "rows": self.rows, "verify": self.verify,
                "shingling": dict(self.shingling)}


def lsh_settings(config: JobConfig, *, threshold: float, num_perm: int, false_negative_weight: float | None,
                 bands: int | None, rows: int | None, shingle: str, ngram: int, ignore_spaces: bool, lowercase: bool,
                 strip_punctuation: bool, verify: bool, **_ignored) -> LshSettings:
    """minhash_dedup's parameters (all of them: the defaults live on minhash_dedup's signature only), checked, with
    bands x rows resolved (ConfigError on a bad value)."""
    check(0.0 < threshold <= 1.0, config, STAGE, f"threshold must be in (0, 1], got {threshold}")
    check(2 <= num_perm <= 1024, config, STAGE, f"num_perm must be in [2, 1024], got {num_perm}")
    if false_negative_weight is None:
        false_negative_weight = 0.9 if verify else 0.5
    check(0.0 < false_negative_weight < 1.0, config, STAGE,
          f"false_negative_weight must be in (0, 1), got {false_negative_weight}")
    check((bands is None) == (rows is None), config, STAGE, "set both bands and rows, or neither")
    if bands is None:
        bands, rows = optimal_bands(threshold, num_perm, false_negative_weight)
    check(bands >= 1 and rows >= 1 and bands * rows <= num_perm, config, STAGE,
          f"bands x rows must be at most num_perm ({num_perm}), got {bands} x {rows}")
    check(shingle in SHINGLE_KINDS, config, STAGE,
          f"shingle must be one of {', '.join(SHINGLE_KINDS)}, got '{shingle}'")
    check(ngram >= 1, config, STAGE, f"ngram must be >= 1, got {ngram}")
    shingling = dict(kind=shingle, n=ngram, lowercase=lowercase, strip_punctuation=strip_punctuation,
                     ignore_spaces=ignore_spaces, seed=config.seed)
    return LshSettings(threshold, num_perm, int(bands), int(rows), shingling, verify)


def minhash_fingerprint(config: JobConfig, params: dict) -> dict:
    """What runs sharing an index must agree on (declared in the registry): the resolved LSH settings."""
    return lsh_settings(config, **params).fingerprint()


def bucket_links(band_rows, partitions: int | None = None):
    """Candidate edges (src < dst) from (node, band, key) rows: each bucket's members linked to its smallest
    node, so a bucket of k nodes gives k - 1 edges. A node appearing twice in a bucket (rows with the same id
    and text) also gives the self-loop (node, node), found on band 0 only. `partitions` fixes the shuffle
    partitions of the bucket sort (as many as the survivor window: small sorts for small heaps).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if partitions:
        band_rows = band_rows.repartition(partitions, "key", "band")
    # One window, one sort: ordered by node, the first row is the hub and a row equal to the one before it is a
    # repeated node. The key goes first: Spark sorts on a prefix of the first column, and the band is the same
    # for a fourteenth of all rows.
    bucket = Window.partitionBy("key", "band").orderBy(NODE)
    hubbed = (band_rows
              .withColumn("hub", F.first(NODE).over(bucket))
              .withColumn("previous", F.lag(NODE).over(bucket)))
    links = hubbed.where((F.col(NODE) != F.col("hub"))
                         | ((F.col("band") == 0) & F.col("previous").eqNullSafe(F.col(NODE))))
    return links.select(F.col("hub").alias(SRC), F.col(NODE).alias(DST)).distinct()


def verified_edges(edges, docs, threshold: float, shingling: dict, old_sets=None, repeated=None):
    """The candidate edges whose two documents' shingle sets have true Jaccard similarity >= threshold.

    docs: (node, text) of this run; old_sets: (node, shingles) of earlier runs' documents (from the index), or
    None; repeated: (node) of the nodes that more than one row of docs holds (bucket_links' self-loops), or None
    when that is not known. Only documents with an edge are shingled, once each (not once per edge); the pairs are
    then scored from the two sets (pair_jaccard gives the same value from a set as from its text).
    """
    from pyspark.sql import functions as F

    ends = small_side(edges.select(F.col(SRC).alias(NODE)).unionByName(edges.select(F.col(DST).alias(NODE)))
                      .distinct())
    texts = docs.join(ends, NODE, "left_semi")
    if repeated is None:
        texts = texts.dropDuplicates([NODE])
    else:
        # Only a repeated node has more than one row: the others are shingled where they are, and only the repeated
        # ones' texts are shuffled to keep one row each (de-duplicating them all shuffled 98 MB of text at 200 MB).
        repeated = small_side(repeated.select(F.col("node").alias(NODE)).distinct())
        texts = texts.join(repeated, NODE, "left_anti").unionByName(
            texts.join(repeated, NODE, "left_semi").dropDuplicates([NODE]))
    sets = texts.mapInArrow(partial(_shingle_sets, shingling=shingling), SET_SCHEMA)
    if old_sets is not None:
        sets = sets.unionByName(old_sets.join(ends, NODE, "left_semi")).dropDuplicates([NODE])
    sets = materialize(sets)  # both ends of the pairs read it: shingle each document once
    # Pairs are scored where their src is: each src's set travels once, in a header row (dst null) sorted before
    # its pairs, not once per pair (the hub of a 200,000-document family has 200,000 pairs).
    headers = sets.select(F.col(NODE).alias(SRC), F.lit(None).cast("binary").alias(DST), "shingles")
    pairs = edges.join(sets.select(F.col(NODE).alias(DST), "shingles"), DST).select(SRC, DST, "shingles")
    rows = (headers.unionByName(pairs).repartition(SRC)
            .sortWithinPartitions(SRC, F.col(DST).asc_nulls_first()))
    scored = rows.mapInArrow(_star_jaccard, f"{SRC} binary, {DST} binary, jaccard double")
    return scored.where(F.col("jaccard") >= threshold).select(SRC, DST)


def _band_rows(batches, *, num_perm: int, bands: int, rows: int, shingling: dict):
    """mapInArrow body: (node, text) batches -> (node, band, key) rows for documents with shingles."""
    import pyarrow as pa

    band_index = np.arange(bands, dtype=np.int32)
    for batch in batches:
        sig, has_shingles = signatures(batch.column(1).to_pylist(), num_perm=num_perm, **shingling)
        docs = np.flatnonzero(has_shingles)
        keys = band_keys(sig[docs], bands, rows, seed=shingling["seed"])
        nodes = batch.column(0).take(pa.array(np.repeat(docs, bands)))
        yield pa.RecordBatch.from_arrays(
            [nodes, pa.array(np.tile(band_index, len(docs))), pa.array(keys.reshape(-1))],
            names=[NODE, "band", "key"])


def _shingle_sets(batches, *, shingling: dict):
    """mapInArrow body: (node, text) -> (node, the text's shingle set) (signatures.shingle_sets)."""
    import pyarrow as pa

    for batch in batches:
        texts = batch.column(1).to_pylist()
        parts = [set_array(*shingle_sets(texts[part], **shingling))
                 for part in size_bounded([len(t or "") for t in texts])]
        sets = pa.concat_arrays(parts) if parts else pa.nulls(0, type=pa.list_(pa.int32()))
        yield pa.RecordBatch.from_arrays([batch.column(0), sets], names=[NODE, "shingles"])


def _star_jaccard(batches):
    """mapInArrow body over rows sorted by src, each src's header (src, null, its set) first, then its pairs (src,
    dst, dst's set) -> (src, dst, true Jaccard of the two sets). A src's rows may span batches: its set is carried."""
    import pyarrow as pa
    import pyarrow.compute as pc

    current, current_set = None, np.zeros(0, dtype=np.uint32)
    for batch in batches:
        n = batch.num_rows
        src = batch.column(0)
        is_pair = batch.column(1).is_valid().to_numpy(zero_copy_only=False)
        values, offsets = set_values(batch.column(2))
        # Runs of one src (a Python step per src, not per row).
        changed = pc.not_equal(src.slice(1), src.slice(0, n - 1)).to_numpy(zero_copy_only=False) if n > 1 else []
        starts = np.concatenate([[0], np.flatnonzero(changed) + 1]) if n else np.zeros(0, dtype=np.int64)
        similarity = [np.zeros(0)]
        for start, end in zip(starts.tolist(), [*starts[1:].tolist(), n]):
            key = src[start].as_py()
            if not is_pair[start]:  # the header: this src's set
                current, current_set = key, values[offsets[start]:offsets[start + 1]]
                start += 1
            if start < end:
                own = current_set if key == current else np.zeros(0, dtype=np.uint32)
                similarity.append(star_jaccard(own, values[offsets[start]:offsets[end]],
                                               np.diff(offsets[start:end + 1])))
        take = pa.array(np.flatnonzero(is_pair))  # the pairs, in row order (as their runs are)
        yield pa.RecordBatch.from_arrays(
            [batch.column(0).take(take), batch.column(1).take(take), pa.array(np.concatenate(similarity))],
            names=[SRC, DST, "jaccard"])
