"""Spark session for local runs and under spark-submit.

Local mode: dps starts the JVM itself, so driver memory, the log4j config and PYSPARK_PYTHON (the running
interpreter, or Python workers start the system Python without dps installed) are set before it starts.
Under spark-submit the submitter owns those settings and dps only adds the job-level ones.
"""

from __future__ import annotations

import os
import re
import sys
from importlib import resources

from dps.config import JobConfig

# Job-level defaults; a config's spark.settings override them.
DEFAULT_SETTINGS = {
    # dps shows its own progress lines (dps.spark.progress); Spark's bar wrote carriage returns into cron logs.
    "spark.ui.showConsoleProgress": "false",
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    # Our text stages emit Arrow batches; 2,048 rows of ~2 KB keep a batch near 4 MB in the Python worker.
    "spark.sql.execution.arrow.maxRecordsPerBatch": "2048",
    "spark.sql.execution.pythonUDF.arrow.enabled": "true",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.shuffle.partitions": "200",
    "spark.sql.adaptive.enabled": "true",
    # Written Parquet should not carry anything run-specific (byte-identical reruns).
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Rows per batch of the cached frames, as the Arrow batches above. At Spark's 10,000 rows of ~1.6 KB, each text
    # column buffer grew by doubling to 32 MB arrays, and 1.5 GB executors under G1 ran out of heap building them
    # (the 1 GB plain corpus of scripts/bench_scale.py on the loopback cluster).
    "spark.sql.inMemoryColumnarStorage.batchSize": "2048",
}

# Executor JVM flag under spark-submit unless the submitter names a collector: the parallel collector, as in local
# mode (LOCAL_JIT_GC_OPTS), places the cache's large arrays where G1 failed to (humongous regions).
EXECUTOR_GC_OPTS = "-XX:+UseParallelGC"


# JVM flags for the JVM that dps starts itself (local mode). C1-only JIT: a fresh JVM spent 6-10 CPU seconds in C2
# compiler threads, competing with the Python workers for the cores, while the steady state of this workload
# (JSON, Arrow, Parquet) ran no faster under C2 (scripts/bench_text.py, docs/performance.md). The parallel
# collector has no concurrent marking threads. A user's own -XX flags go after these and win; a user's choice of
# collector replaces ours (the JVM refuses two). A larger code cache: one long-lived session compiles a new class
# for every query plan, and the test suite's session filled the default ("CodeCache is full. Compiler has been
# disabled"), after which everything ran interpreted; the reservation is address space, used only as it fills.
LOCAL_JIT_GC_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC -XX:ReservedCodeCacheSize=512m"


MIN_PARTITIONS_KEY = "spark.sql.files.minPartitionNum"

# Bytes per input split; dps sets it from the heap unless the config or the submitter does. The same figure sizes
# the survivor windows and the join-back of the dedup stages (dps.dedup.frames.partition_bytes): their frames are
# cached, and a partition must fit a task's share of the heap. Spark's 128 MB splits at a 1 GB heap shared by 2
# cores ran the heap out of memory caching the frame after line_dedup (scripts/bench_scale.py, 1 GB); 32 MB did
# not, at the same speed. A task's heap / HEAP_PER_PARTITION, between MIN_ and MAX_PARTITION_MB.
PARTITION_KEY = "spark.sql.files.maxPartitionBytes"
HEAP_PER_PARTITION = 16
MIN_PARTITION_MB, MAX_PARTITION_MB = 16, 128


def partition_mb(heap_mb: float, tasks: int) -> int:
    """Split size in MB for JVMs of `heap_mb` running `tasks` tasks at a time."""
    return int(min(MAX_PARTITION_MB, max(MIN_PARTITION_MB, heap_mb / max(1, tasks) / HEAP_PER_PARTITION)))


def under_spark_submit() -> bool:
    """spark-submit starts the JVM first and hands Python a gateway port."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def log4j_config_path() -> str:
    return str(resources.files("dps.spark").joinpath("log4j2.properties"))


def local_java_options(user_options: str | None) -> str:
    """JVM options of the JVM dps starts: its log4j config and LOCAL_JIT_GC_OPTS, then the user's own (later flags
    win). A collector the user names replaces ours: the JVM refuses to start with two."""
    ours = f"-Dlog4j.configurationFile=file:{log4j_config_path()} -Dlog4j2.level=WARN {LOCAL_JIT_GC_OPTS}"
    if not user_options:
        return ours
    if re.search(r"-XX:\+Use\w*GC\b", user_options):
        ours = ours.replace(" -XX:+UseParallelGC", "")
    return f"{ours} {user_options}"


def build_session(config: JobConfig):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(config.spark.app_name)
    local = not under_spark_submit()
    if local:
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no "hostname resolves to loopback" warning
        builder = (builder.master(config.spark.master)
                   .config("spark.driver.memory", config.spark.driver_memory))
        settings = dict(DEFAULT_SETTINGS)
        settings.update(config.spark.settings)
        for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
            settings[key] = local_java_options(settings.get(key))
        for key, value in settings.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        try:
            spark.conf.get(PARTITION_KEY)  # Spark checks every runtime setting given to the builder here
        except Exception as exc:
            raise _setting_error(config, exc, re.search(r'config "([^"]+)"', str(exc))) from None
    else:
        # The submitter's --conf wins over our defaults; the config's own spark.settings win over both.
        # Only runtime (spark.sql.*) settings can change once the context exists; executor JVM options are read
        # when the context starts its executors, so they go in before.
        from pyspark import SparkConf, SparkContext

        SparkContext._ensure_initialized()  # connects to spark-submit's JVM: SparkConf() then holds its --conf
        key = "spark.executor.extraJavaOptions"
        options = config.spark.settings.get(key, SparkConf().get(key, ""))
        if not re.search(r"-XX:\+Use\w*GC\b", options):
            builder = builder.config(key, f"{EXECUTOR_GC_OPTS} {options}".strip())
        spark = builder.getOrCreate()
        submitted = dict(spark.sparkContext.getConf().getAll())
        for key, value in DEFAULT_SETTINGS.items():
            if key.startswith("spark.sql.") and key not in submitted:
                spark.conf.set(key, value)
    # The config's runtime settings, set (again, in local mode) so that Spark checks their values now: a bad one is
    # one line naming its key, before any work, not a Java stack trace from the read.
    for key, value in config.spark.settings.items():
        # A static one (spark.sql.warehouse.dir) can only be given at start: the builder did, in local mode.
        if key.startswith("spark.sql.") and not (local and not spark.conf.isModifiable(key)):
            _set_checked(spark, config, key, value)
    if MIN_PARTITIONS_KEY not in config.spark.settings and \
            MIN_PARTITIONS_KEY not in dict(spark.sparkContext.getConf().getAll()):
        # Spark cuts input files into one split per core on small inputs (27 MB on 2 cores: two tasks of unequal
        # cost, one core idle at the end). Four splits per core even that out; from 128 MB per split on (large
        # inputs) spark.sql.files.maxPartitionBytes decides as before.
        spark.conf.set(MIN_PARTITIONS_KEY, str(4 * spark.sparkContext.defaultParallelism))
    if PARTITION_KEY not in config.spark.settings and PARTITION_KEY not in dict(spark.sparkContext.getConf().getAll()):
        spark.conf.set(PARTITION_KEY, f"{task_partition_mb(spark)}m")
    spark.sparkContext.setLogLevel("WARN")
    return spark


def _set_checked(spark, config: JobConfig, key: str, value) -> None:
    """spark.conf.set, with Spark's refusal (and a split size dps cannot use) as a ConfigError naming the key."""
    from dps.config import ConfigError
    from dps.spark.read import byte_size

    where = f"{config.source}: spark.settings.{key}"
    try:
        spark.conf.set(key, value)
    except Exception as exc:  # Spark's IllegalArgumentException: its first line says what it expected
        raise _setting_error(config, exc, key) from None
    if key == PARTITION_KEY:
        try:
            size = byte_size(str(value))
        except ValueError:
            size = 0
        if size <= 0:
            raise ConfigError(f"{where}: expected a positive byte size such as 134217728 or 128m, got {value!r}")


def _setting_error(config: JobConfig, exc: Exception, key):
    """A ConfigError from Spark's refusal of a setting: its first line, after the config key (a str, or a regex
    match whose group 1 is the key; None: not known)."""
    from dps.config import ConfigError

    key = key.group(1) if isinstance(key, re.Match) else key
    where = f"spark.settings.{key}" if key else "spark.settings"
    return ConfigError(f"{config.source}: {where}: {str(exc).strip().splitlines()[0]}")


def task_partition_mb(spark) -> int:
    """partition_mb for this session: the driver's heap over its cores in local mode, else spark.executor.memory
    over spark.executor.cores (1 when unset, as on YARN and Kubernetes)."""
    from dps.spark.read import jvm_size_mb

    conf = spark.sparkContext.getConf()
    if (conf.get("spark.master", "") or "").startswith("local"):
        heap, tasks = conf.get("spark.driver.memory", "1g"), spark.sparkContext.defaultParallelism
    else:
        heap, tasks = conf.get("spark.executor.memory", "1g"), int(conf.get("spark.executor.cores", "1"))
    return partition_mb(jvm_size_mb(heap), tasks)
