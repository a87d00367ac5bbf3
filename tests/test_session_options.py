"""JVM options of the local-mode JVM (no Spark started)."""

import pytest

from dps.spark.session import LOCAL_JIT_GC_OPTS, local_java_options


def test_defaults_carry_the_log4j_config_and_the_jit_and_gc_flags():
    opts = local_java_options(None)
    assert "-Dlog4j.configurationFile=file:" in opts and opts.endswith(LOCAL_JIT_GC_OPTS)


def test_user_options_come_after_ours_so_they_win():
    opts = local_java_options("-XX:TieredStopAtLevel=4 -Dfoo=1")
    assert opts.index("-XX:TieredStopAtLevel=1") < opts.index("-XX:TieredStopAtLevel=4")
    assert opts.endswith("-Dfoo=1") and "-XX:+UseParallelGC" in opts


def test_a_collector_the_user_names_replaces_ours():
    for flag in ("-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseSerialGC"):
        opts = local_java_options(f"-Xss4m {flag}")
        assert "-XX:+UseParallelGC" not in opts and flag in opts and "-XX:TieredStopAtLevel=1" in opts
    # Other -XX:+Use... flags are not collectors.
    assert "-XX:+UseParallelGC" in local_java_options("-XX:+UseCompressedOops -XX:+UseGCOverheadLimit")


def test_the_split_size_follows_a_tasks_share_of_the_heap_within_bounds():
    from dps.spark.session import MAX_PARTITION_MB, MIN_PARTITION_MB, partition_mb

    assert partition_mb(1024, 2) == 32  # the 1 GB heap of scripts/bench_scale.py on 2 cores
    assert partition_mb(4096, 2) == MAX_PARTITION_MB  # dps's default 4g on 2 cores: Spark's own 128 MB
    assert partition_mb(1536, 1) == 96
    assert partition_mb(512, 8) == MIN_PARTITION_MB
    assert partition_mb(1 << 20, 0) == MAX_PARTITION_MB  # no task count: never a division by zero


def test_spark_byte_settings_are_read_with_and_without_units():
    from dps.spark.read import byte_size

    assert byte_size("33554432") == 32 << 20  # Spark's unit for spark.sql.files.maxPartitionBytes: bytes
    assert byte_size("134217728b") == 128 << 20
    assert byte_size("32m") == byte_size("32MB") == 32 << 20
    assert byte_size(" 1g ") == 1 << 30
    with pytest.raises(ValueError):
        byte_size("lots")
