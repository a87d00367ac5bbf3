"""The marked frame's column names and an atomic, deterministic Parquet shard writer (readers: dps.spark.read).

Marked DataFrame = the input columns + `dps_status` (kept | filtered | duplicate | quarantined) + `dps_reason`
+ `dps_raw` (the raw input line of a record that could not be read, else null). No row ever leaves it.
"""

from __future__ import annotations

import math
import os
import uuid

from dps.spark.parquet_footer import canonicalize_file

STATUS, REASON, RAW = "dps_status", "dps_reason", "dps_raw"
MARK_COLUMNS = (STATUS, REASON, RAW)
STATUSES = ("kept", "filtered", "duplicate", "quarantined")

# Parquet row groups: the writer buffers one per open file on the JVM heap, outside Spark's memory manager;
# parquet-java's 128 MB default made a 256 MB shard run out of a 1 GB heap. Readers still get large groups.
ROW_GROUP_BYTES = 32 << 20
# Parquet (zstd) file bytes per byte of UTF-8 text, measured on Korean news; used to size shards.
PARQUET_BYTES_PER_TEXT_BYTE = 0.45

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
