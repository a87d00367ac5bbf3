"""Readers that turn any input into a marked DataFrame, and an atomic, deterministic Parquet shard writer.

Marked DataFrame = the input columns + `dps_status` (kept | filtered | duplicate | quarantined) + `dps_reason`
+ `dps_raw` (the raw input line of a record that could not be read, else null). No row ever leaves it.
"""

from __future__ import annotations

import glob
import json
import math
import os
import re
import uuid

from dps.config import ConfigError, InputConfig, is_remote
from dps.spark.parquet_footer import canonicalize_file

STATUS, REASON, RAW = "dps_status", "dps_reason", "dps_raw"
MARK_COLUMNS = (STATUS, REASON, RAW)
STATUSES = ("kept", "filtered", "duplicate", "quarantined")

# Parquet row groups: the writer buffers one per open file on the JVM heap, outside Spark's memory manager;
# parquet-java's 128 MB default made a 256 MB shard run out of a 1 GB heap. Readers still get large groups.
ROW_GROUP_BYTES = 32 << 20
# Parquet (zstd) file bytes per byte of UTF-8 text, measured on Korean news; used to size shards.
PARQUET_BYTES_PER_TEXT_BYTE = 0.45

# How Spark's JSON reader writes a non-string value it reads into a string field: a number, true/false, NaN or
# Infinity as its token, an object or array as JSON. Only texts starting like that need the costlier checks.
_STRINGIFIED_STARTS = ("-", *"0123456789", "t", "f", "N", "I", "{", "[")

_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".json.zst", ".gz", ".zst")


def detect_format(cfg: InputConfig) -> str:
    if cfg.format != "auto":
        return cfg.format
    files = []
    for p in cfg.paths:
        if is_remote(p):
            files.append(p)
            continue
        for match in glob.glob(p):
            if os.path.isdir(match):
                files += [os.path.join(r, f) for r, _, fs in os.walk(match) for f in fs if not f.startswith(("_", "."))]
            else:
                files.append(match)
    kinds = {"parquet" if f.endswith(".parquet") else "jsonl" if f.endswith(_JSONL_SUFFIXES) else "?" for f in files}
    if kinds == {"parquet"}:
        return "parquet"
    if kinds == {"jsonl"}:
        return "jsonl"
    raise ConfigError(f"input.format: cannot tell the format of {', '.join(cfg.paths)} from file names "
                      f"(found {', '.join(sorted(kinds))}); set input.format to jsonl or parquet")


def read_marked(spark, cfg: InputConfig):
    """Returns (marked DataFrame, input-count DataFrame, input columns)."""
    fmt = detect_format(cfg)
    return _read_parquet(spark, cfg) if fmt == "parquet" else _read_jsonl(spark, cfg)


def _json_path(name: str) -> str:
    return "$." + name if name.replace("_", "").isalnum() else "$['" + name.replace("'", "\\'") + "']"


def _read_jsonl(spark, cfg: InputConfig):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    lines = spark.read.text(list(cfg.paths)).where(F.trim("value") != "")  # a blank line is not a record
    if cfg.schema:
        try:
            schema = T._parse_datatype_string(cfg.schema)
        except Exception as exc:  # Spark's parser error names the bad token
            raise ConfigError(f"input.schema: not a valid Spark DDL schema: {str(exc).splitlines()[0]}") from None
    else:
        schema = (spark.read.option("samplingRatio", cfg.schema_sampling_ratio)
                  .option("mode", "DROPMALFORMED").json(list(cfg.paths)).schema)
    fields = [f for f in schema.fields if f.name != "_corrupt_record"]
    names = [f.name for f in fields]
    if not names:
        raise ConfigError(f"input.paths: no readable JSON record in {', '.join(cfg.paths)}")
    if cfg.text_column not in names:
        raise ConfigError(f"input.text_column: the input has no field '{cfg.text_column}' "
                          f"(fields: {', '.join(names) or 'none'})")
    # The text field is read as a string whatever was inferred; records whose text is not a JSON string are
    # quarantined below rather than silently stringified.
    fields = [T.StructField(f.name, T.StringType(), True) if f.name == cfg.text_column else f for f in fields]
    schema = T.StructType(fields)

    # One JSON parse per line (from_json). The costlier variant parse runs only on the rare lines that need it:
    # corrupt records (to tell malformed JSON from valid non-objects) and lines where the text key is followed by
    # something other than a string (Spark would silently stringify a number or an object): the regex looks for
    # those only in lines whose parsed text starts like a stringified value.
    corrupt = "_dps_corrupt"
    with_corrupt = T.StructType(fields + [T.StructField(corrupt, T.StringType(), True)])
    parsed_row = F.from_json("value", with_corrupt, {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": corrupt})
    key = re.escape(json.dumps(cfg.text_column))
    text_type = F.expr(f"schema_of_variant(variant_get(try_parse_json(value), '{_json_path(cfg.text_column)}'))")
    is_valid_json = F.expr("try_parse_json(value) IS NOT NULL")
    r = F.col("r")
    reason = (F.when(r[corrupt].isNotNull() & (F.substring(F.ltrim("value"), 1, 1) == "{"),
                     F.lit("read:malformed_json"))
              .when(r[corrupt].isNotNull() & is_valid_json, F.lit("read:not_an_object"))
              .when(r[corrupt].isNotNull(), F.lit("read:malformed_json"))
              .when(r[cfg.text_column].isNull(), F.lit("read:missing_text"))
              .when(F.substring(r[cfg.text_column], 1, 1).isin(*_STRINGIFIED_STARTS)
                    & F.col("value").rlike(key + r'\s*:\s*[^"\s]') & (text_type != "STRING"),
                    F.lit("read:text_not_string")))
    parsed = lines.select(parsed_row.alias("r"), "value").select("r", reason.alias(REASON), "value")
    marked = parsed.select(
        *[F.when(F.col(REASON).isNull(), F.col("r")[n]).alias(n) for n in names],
        F.when(F.col(REASON).isNull(), F.lit("kept")).otherwise(F.lit("quarantined")).alias(STATUS),
        F.col(REASON),
        F.when(F.col(REASON).isNotNull(), F.col("value")).alias(RAW),
    )
    return marked, lines, names


def _read_parquet(spark, cfg: InputConfig):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    df = spark.read.parquet(*cfg.paths)
    names = df.columns
    if cfg.text_column not in names:
        raise ConfigError(f"input.text_column: the input has no column '{cfg.text_column}' "
                          f"(columns: {', '.join(names)})")
    if not isinstance(df.schema[cfg.text_column].dataType, T.StringType):
        raise ConfigError(f"input.text_column: column '{cfg.text_column}' has type "
                          f"{df.schema[cfg.text_column].dataType.simpleString()}, expected string")
    clash = [n for n in names if n in MARK_COLUMNS]
    if clash:
        raise ConfigError(f"input: columns {', '.join(clash)} are reserved for dps's own marks")
    missing = F.col(cfg.text_column).isNull()
    marked = df.select(
        *names,
        F.when(missing, F.lit("quarantined")).otherwise(F.lit("kept")).alias(STATUS),
        F.when(missing, F.lit("read:missing_text")).otherwise(F.lit(None).cast("string")).alias(REASON),
        F.lit(None).cast("string").alias(RAW),
    )
    return marked, df, names


# ---------------------------------------------------------------------------------------------------- writing

class HadoopFS:
    """Renames and deletes through Hadoop's FileSystem API, so local paths, HDFS and S3 behave the same."""

    def __init__(self, spark, path: str):
        self._jvm = jvm = spark.sparkContext._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        self.fs = self._Path(path).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        self.local = self.fs.getUri().getScheme() == "file"

    def path(self, p: str):
        return self._Path(p)

    def exists(self, p: str) -> bool:
        return self.fs.exists(self._Path(p))

    def rename(self, src: str, dst: str) -> None:
        if not self.fs.rename(self._Path(src), self._Path(dst)):
            raise OSError(f"could not rename {src} to {dst}")

    def delete(self, p: str) -> None:
        self.fs.delete(self._Path(p), True)

    def list_names(self, p: str) -> list[str]:
        return sorted(s.getPath().getName() for s in self.fs.listStatus(self._Path(p)))

    def local_path(self, p: str) -> str:
        return self.fs.makeQualified(self._Path(p)).toUri().getPath()

    def drop_checksums(self, p: str) -> None:
        """Hadoop's local .crc side files (hidden from its own listings) are clutter in a dataset folder."""
        if self.local:
            folder = self.local_path(p)
            for name in os.listdir(folder):
                if name.startswith(".") and name.endswith(".crc"):
                    os.remove(os.path.join(folder, name))

    def write_text(self, p: str, text: str) -> None:
        out = self.fs.create(self._Path(p), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def read_text(self, p: str) -> str:
        stream = self.fs.open(self._Path(p))
        try:
            return self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()

    def siblings(self, p: str, prefix: str) -> list[str]:
        parent = self._Path(p).getParent()
        if parent is None or not self.fs.exists(parent):
            return []
        return [str(s.getPath()) for s in self.fs.listStatus(parent) if s.getPath().getName().startswith(prefix)]


def shard_count(text_bytes: int, target_shard_mb: float) -> int:
    return max(1, math.ceil(text_bytes * PARQUET_BYTES_PER_TEXT_BYTE / (target_shard_mb * 1024 * 1024)))


class StagedOutput:
    """Parquet shards written beside their final path, waiting for `commit`."""

    def __init__(self, fs: HadoopFS, path: str, staging: str, rows: int):
        self.fs, self.path, self.staging, self.rows = fs, path, staging, rows

    def commit(self, extra_files: dict[str, str] | None = None) -> None:
        """Swap the staged folder in by renames: a crash leaves the previous output intact, and no half-written
        folder ever sits at the final path."""
        fs = self.fs
        for file_name, text in (extra_files or {}).items():
            fs.write_text(f"{self.staging}/{file_name}", text)
        fs.drop_checksums(self.staging)
        old = f"{self.path.rstrip('/')}.dps-old-{uuid.uuid4().hex[:12]}"
        if fs.exists(self.path):
            fs.rename(self.path, old)
        fs.rename(self.staging, self.path)
        if fs.exists(old):
            fs.delete(old)


def stage_shards(df, path: str, *, shards: int, sort_columns: list[str], compression: str) -> StagedOutput:
    """Write `df` beside `path` as `shards` Parquet files named part-00000.<codec>.parquet, waiting for commit."""
    fs = HadoopFS(df.sparkSession, path)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    for stale in fs.siblings(path, f"{name}.dps-staging-"):
        fs.delete(stale)  # left by a crashed run
    staging = f"{path.rstrip('/')}.dps-staging-{uuid.uuid4().hex[:12]}"
    rows = write_shards(df, staging, shards=shards, sort_columns=sort_columns, compression=compression)
    return StagedOutput(fs, path, staging, rows)


def write_shards(df, folder: str, *, shards: int, sort_columns: list[str], compression: str) -> int:
    """Write `df` into `folder` as `shards` Parquet files part-00000.<codec>.parquet; returns the row count.

    Rows go to shards by a hash of their content and are sorted inside a shard, so the files are byte-identical
    whatever the input partitioning. The row count comes back from the written files' Parquet footers (a check,
    not a guess): read directly on a local file system, by Spark elsewhere.
    """
    from pyspark.sql import functions as F

    spark = df.sparkSession
    fs = HadoopFS(spark, folder)
    key = F.xxhash64(*[F.col(c) for c in df.columns])
    ordered = (df.withColumn("_dps_key", key)
               .repartition(shards, "_dps_key")
               .sortWithinPartitions("_dps_key", *sort_columns)
               .drop("_dps_key"))
    codec = "uncompressed" if compression == "none" else compression
    (ordered.write.option("compression", codec).option("parquet.block.size", ROW_GROUP_BYTES)
     .mode("overwrite").parquet(folder))

    suffix = "" if codec == "uncompressed" else f".{codec}"
    parts = [n for n in fs.list_names(folder) if n.startswith("part-") and n.endswith(".parquet")]
    names = [f"{folder}/part-{i:05d}{suffix}.parquet" for i in range(len(parts))]
    for part, name in zip(parts, names):
        fs.rename(f"{folder}/{part}", name)
        if fs.local:  # same rows, same bytes: see parquet_footer (remote files cannot be patched in place)
            canonicalize_file(fs.local_path(name))
    fs.drop_checksums(folder)  # Hadoop would check the patched files against their old .crc
    if fs.local:  # the footers of the files as written (no Spark job)
        import pyarrow.parquet as pq

        return sum(pq.read_metadata(fs.local_path(name)).num_rows for name in names)
    return spark.read.parquet(folder).count() if parts else 0
