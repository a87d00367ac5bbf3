"""An atomic, deterministic Parquet shard writer and the file-system calls it needs (readers: dps.spark.read)."""

from __future__ import annotations

import math
import os
import time

from dps.spark.parquet_footer import canonicalize_file


# Parquet row groups: the writer buffers one per open file on the JVM heap, outside Spark's memory manager;
# parquet-java's 128 MB default made a 256 MB shard run out of a 1 GB heap. Readers still get large groups.
ROW_GROUP_BYTES = 32 << 20
# Parquet (zstd) file bytes per byte of UTF-8 text, measured on Korean news; used to size shards.
PARQUET_BYTES_PER_TEXT_BYTE = 0.45

# ---------------------------------------------------------------------------------------------------- writing

class HadoopFS:
    """Renames and deletes through Hadoop's FileSystem API, so local paths, HDFS and S3 behave the same.

    Local paths use the operating system directly where Hadoop cannot give a guarantee: exclusive creation (lock
    files) and fsync (what a commit point relies on)."""

    def __init__(self, spark, path: str):
        from dps.outputs import LocalFS

        self._jvm = jvm = spark.sparkContext._jvm
        self._gateway = spark.sparkContext._gateway
        self._Path = jvm.org.apache.hadoop.fs.Path
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.fs = self._Path(path).getFileSystem(self._conf)
        self.local = self.fs.getUri().getScheme() == "file"
        self._os = LocalFS() if self.local else None

    def path(self, p: str):
        return self._Path(p)

    def exists(self, p: str) -> bool:
        return self.fs.exists(self._Path(p))

    def is_dir(self, p: str) -> bool:
        return self.fs.getFileStatus(self._Path(p)).isDirectory()

    def rename(self, src: str, dst: str) -> None:
        if not self.fs.rename(self._Path(src), self._Path(dst)):
            raise OSError(f"could not rename {src} to {dst}")

    def replace(self, src: str, dst: str) -> None:
        """Rename a file over an existing one: os.replace locally; elsewhere FileContext's rename with OVERWRITE (atomic
        on HDFS; object stores copy, so there the file is briefly absent)."""
        if self.local:
            return self._os.replace(self.local_path(src), self.local_path(dst))
        jvm, conf = self._jvm, self._conf
        context = jvm.org.apache.hadoop.fs.FileContext.getFileContext(self.fs.getUri(), conf)
        rename_options = jvm.org.apache.hadoop.fs.Options.Rename
        overwrite = self._gateway.new_array(rename_options, 1)
        overwrite[0] = rename_options.OVERWRITE
        context.rename(self._Path(src), self._Path(dst), overwrite)

    def exchange(self, a: str, b: str) -> bool:
        """Atomic swap of two folders where the file system has one (local Linux); HDFS and S3 have none."""
        return self.local and self._os.exchange(self.local_path(a), self.local_path(b))

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
        if self.local:
            return self._os.write_text(self.local_path(p), text)  # fsynced
        out = self.fs.create(self._Path(p), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
            out.hsync()
        finally:
            out.close()

    def create_exclusive(self, p: str, text: str) -> bool:
        """Create a file only if it does not exist (atomic locally and on HDFS); False if it exists."""
        if self.local:
            return self._os.create_exclusive(self.local_path(p), text)
        if self.exists(p):
            return False
        try:
            out = self.fs.create(self._Path(p), False)
        except Exception as exc:  # noqa: BLE001 - py4j wraps FileAlreadyExistsException
            if "FileAlreadyExists" in str(exc) or self.exists(p):
                return False
            raise
        try:
            out.write(bytearray(text.encode("utf-8")))
            out.hsync()
        finally:
            out.close()
        return True

    def touch(self, p: str) -> None:
        if self.local:
            return self._os.touch(self.local_path(p))
        self.fs.setTimes(self._Path(p), int(time.time() * 1000), -1)

    def mtime(self, p: str) -> float:
        try:
            return self.fs.getFileStatus(self._Path(p)).getModificationTime() / 1000.0
        except Exception as exc:  # noqa: BLE001 - py4j wraps FileNotFoundException
            raise FileNotFoundError(p) from exc

    def sync_tree(self, p: str) -> None:
        """Local files written by Spark are not fsynced; HDFS and S3 make a closed file durable themselves."""
        if self.local:
            self._os.sync_tree(self.local_path(p))

    def sync_parent(self, p: str) -> None:
        if self.local:
            self._os.sync_parent(self.local_path(p))

    def read_text(self, p: str) -> str:
        stream = self.fs.open(self._Path(p))
        try:
            return self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()

    def parquet_rows(self, folder: str, names: list[str]) -> int | None:
        """Rows in the named Parquet files of `folder`, from their footers (local only; None elsewhere)."""
        if not self.local:
            return None
        import pyarrow.parquet as pq

        return sum(pq.read_metadata(self.local_path(f"{folder}/{n}")).num_rows for n in names)


def shard_count(text_bytes: int, target_shard_mb: float) -> int:
    return max(1, math.ceil(text_bytes * PARQUET_BYTES_PER_TEXT_BYTE / (target_shard_mb * 1024 * 1024)))


class StagedOutput:
    """Parquet shards written to a hidden staging folder beside their final path, waiting for `commit`.

    The caller holds the path's lock (dps.outputs): no other run writes or cleans beside it meanwhile."""

    def __init__(self, fs: HadoopFS, path: str, staging: str, run_token: str, rows: int, files: list[str]):
        self.fs, self.path, self.staging, self.run_token = fs, path, staging, run_token
        self.rows, self.files = rows, files

    def verify(self) -> None:
        """The staged folder still holds the shards written and counted (never swap in an empty or foreign one)."""
        fs = self.fs
        if not fs.exists(self.staging):
            raise RuntimeError(f"the staged output {self.staging} is gone; nothing was committed")
        present = set(fs.list_names(self.staging))
        missing = [n for n in self.files if n not in present]
        if missing:
            raise RuntimeError(f"the staged output {self.staging} lost {', '.join(missing[:3])}; nothing was committed")
        rows = fs.parquet_rows(self.staging, self.files)
        if rows is not None and rows != self.rows:
            raise RuntimeError(f"the staged output {self.staging} holds {rows:,} rows, {self.rows:,} were written; "
                               f"nothing was committed")

    def commit(self, extra_files: dict[str, str] | None = None, crash_point=lambda _name: None,
               label: str = "output") -> None:
        """Verify, sync and swap the staged folder in by renames: a crash leaves the previous output or the new one
        at the final path, never a half-written folder, and hidden leftovers that the next run resolves."""
        from dps.outputs import commit_folder

        fs = self.fs
        self.verify()
        for file_name, text in (extra_files or {}).items():
            fs.write_text(f"{self.staging}/{file_name}", text)
        fs.drop_checksums(self.staging)
        fs.sync_tree(self.staging)
        crash_point(f"{label}:staged")
        commit_folder(fs, self.path, self.staging, self.run_token, crash_point=crash_point, label=label)

    def replace_report(self, file_name: str, text: str, crash_point=lambda _name: None, label: str = "output") -> None:
        """After the commit: put the final report (with the commit's own time) in place of the committed one."""
        from dps.outputs import replace_file

        replace_file(self.fs, self.path, file_name, text, self.run_token, crash_point=crash_point, label=label)

    def discard(self) -> None:
        """Remove this run's own staging folder (after a failure)."""
        if self.fs.exists(self.staging):
            self.fs.delete(self.staging)


def stage_shards(df, path: str, *, run_token: str, shards: int, sort_columns: list[str],
                 compression: str) -> StagedOutput:
    """Write `df` into a hidden staging folder beside `path` as `shards` Parquet files, waiting for commit."""
    from dps.outputs import staging_path

    fs = HadoopFS(df.sparkSession, path)
    staging = staging_path(path, run_token)
    rows, files = write_shards(df, staging, shards=shards, sort_columns=sort_columns, compression=compression,
                               with_files=True)
    return StagedOutput(fs, path, staging, run_token, rows, files)


def write_shards(df, folder: str, *, shards: int, sort_columns: list[str], compression: str,
                 with_files: bool = False):
    """Write `df` into `folder` as `shards` Parquet files part-00000.<codec>.parquet; returns the row count.

    Rows go to shards by a hash of their content and are sorted inside a shard, so the files are byte-identical
    whatever the input partitioning. The row count comes back from the written files' Parquet footers (a check,
    not a guess): read directly on a local file system, by Spark elsewhere. With `with_files`, returns
    (rows, file names).
    """
    from pyspark.sql import functions as F

    spark = df.sparkSession
    fs = HadoopFS(spark, folder)
    key = F.xxhash64(*[F.col("`" + c.replace("`", "``") + "`") for c in df.columns])  # "og.title" literally
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
    files = [name.rsplit("/", 1)[-1] for name in names]
    rows = fs.parquet_rows(folder, files)  # the footers of the files as written (no Spark job)
    if rows is None:
        rows = spark.read.parquet(folder).count() if parts else 0
    return (rows, files) if with_files else rows
