"""JVM options of the local-mode JVM (no Spark started)."""

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
