"""Config safety: outputs kept apart from inputs and from each other, values checked for range and finiteness,
YAML without aliases, and messages that never print a value whole. Pure: no Spark."""

import json
import re
import textwrap
import time
import tracemalloc

import pytest

from dps.config import (ConfigError, StageSpec, check_not_overlapping, describe_value, load_config, parse_config,
                        path_conflict, render)
from dps.registry import bind
from tests.test_config import write


@pytest.fixture
def crawl(tmp_path):
    """An input folder holding one JSONL file."""
    folder = tmp_path / "data" / "crawl"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_text('{"text": "안녕하세요"}\n', encoding="utf-8")
    return folder


def job(tmp_path, inputs, out, rejected=None, index=None, extra=""):
    """A config file with these paths (JSON strings, so any character survives), loaded."""
    lines = [f"input: {{paths: {json.dumps(inputs)}}}",
             f"output: {{path: {json.dumps(str(out))}"
             + (f", rejected_path: {json.dumps(str(rejected))}" if rejected is not None else "") + "}",
             "stages: [normalize]"]
    if index is not None:
        lines += [f"index: {{path: {json.dumps(str(index))}}}", "run_id: d1"]
    path = tmp_path / "job.yaml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return load_config(str(path))


def refused(match, *args, **kwargs):
    with pytest.raises(ConfigError, match=match) as err:
        job(*args, **kwargs)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(args[0] / "job.yaml") + ": "), message
    return message


# ---------------------------------------------------------------------------------------- outputs vs inputs

def test_rejected_path_equal_to_the_input_folder_is_refused(tmp_path, crawl):
    message = refused(r"output.rejected_path: must not be the input folder .*crawl \(input.paths\[0\]\)",
                      tmp_path, str(crawl), tmp_path / "out", rejected=crawl)
    assert "replaces its output folders whole" in message


@pytest.mark.parametrize("key", ["output.path", "output.rejected_path", "index.path"])
def test_every_output_key_is_checked_inside_and_containing_an_input(tmp_path, crawl, key):
    outside = tmp_path / "results"

    def paths(bad):
        out = {"output.path": outside / "out", "output.rejected_path": outside / "rej", "index.path": outside / "ix"}
        out[key] = bad
        return dict(out=out["output.path"], rejected=out["output.rejected_path"], index=out["index.path"])

    inside = refused(rf"{key}: must not lie inside the input folder .*crawl \(input.paths\[0\]\): it is .*crawl/sub",
                     tmp_path, str(crawl), **paths(crawl / "sub"))
    assert str(crawl) in inside and str(crawl / "sub") in inside  # both paths named
    refused(rf"{key}: must not contain the input folder .*crawl \(input.paths\[0\]\): it is {tmp_path}/data",
            tmp_path, str(crawl), **paths(tmp_path / "data"))
    refused(rf"{key}: must not be the input folder", tmp_path, str(crawl), **paths(crawl))


def test_an_output_containing_an_input_file_is_refused_and_a_sibling_is_not(tmp_path, crawl):
    refused(r"output.path: must not contain the input file .*a.jsonl", tmp_path, str(crawl / "a.jsonl"), crawl)
    refused(r"output.rejected_path: must not be the input file", tmp_path, str(crawl / "a.jsonl"), tmp_path / "o",
            rejected=crawl / "a.jsonl")
    # Siblings and name prefixes are fine: crawl_out is not inside crawl.
    data = crawl.parent
    cfg = job(tmp_path, str(crawl / "a.jsonl"), data / "crawl_out", rejected=data / "crawl_rejected",
              index=data / "crawl_ix")
    assert cfg.output.path == str(data / "crawl_out")


def test_an_input_reached_through_a_symlink_is_resolved(tmp_path, crawl):
    link = tmp_path / "link"
    link.symlink_to(crawl)
    message = refused(r"output.rejected_path: must not be the input folder .*link \(input.paths\[0\]\)",
                      tmp_path, str(link), tmp_path / "out", rejected=crawl)
    assert f"{link} resolves to {crawl}" in message
    # The other way round, and an output that does not exist yet below a symlinked ancestor.
    refused(r"output.path: must not lie inside the input folder .*crawl", tmp_path, str(crawl),
            link / "new" / "deeper")


def test_glob_inputs_compare_the_fixed_folder_and_every_match(tmp_path, crawl):
    pattern = str(crawl / "*.jsonl")
    refused(r"output.rejected_path: must not lie inside the input folder .*crawl \(input.paths\[0\]: .*\*.jsonl\)",
            tmp_path, pattern, tmp_path / "out", rejected=crawl / "rejected")
    refused(r"output.path: must not be the input folder .*crawl", tmp_path, pattern, crawl)
    # A match that is a symlink into another folder: that folder is an input too.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    (crawl / "b.jsonl").symlink_to(elsewhere / "b.jsonl")
    refused(r"index.path: must not contain the input file .*crawl/b.jsonl \(matched by input.paths\[0\]\)",
            tmp_path, pattern, tmp_path / "out", index=elsewhere)
    # Hadoop's {a,b} is a glob too: its fixed folder is the input.
    with pytest.raises(ConfigError, match=r"output.path: must not lie inside the input folder .*crawl \(input"):
        parse_config({"input": {"paths": [str(crawl) + "/{a,b}.jsonl"]}, "output": {"path": str(crawl / "out")},
                      "stages": []}, "job.yaml", check_paths=False)


def test_file_urls_trailing_slashes_dotdot_and_relative_paths(tmp_path, crawl, monkeypatch):
    refused(r"output.rejected_path: must not be the input folder", tmp_path, f"file://{crawl}/", tmp_path / "o",
            rejected=f"{crawl}/")
    refused(r"output.rejected_path: must not be the input folder", tmp_path, str(crawl), tmp_path / "o",
            rejected=f"file:{crawl.parent}/x/../crawl")
    monkeypatch.chdir(crawl.parent)
    refused(r"output.path: must not lie inside the input folder", tmp_path, "crawl", "./crawl/out")
    refused(r"index.path: must not be the input folder", tmp_path, "crawl/", "out", index="crawl")


def test_remote_paths_compare_scheme_authority_and_path(tmp_path):
    refused(r"output.rejected_path: must not lie inside the input folder hdfs://nn:8020/crawl",
            tmp_path, "hdfs://nn:8020/crawl/*.jsonl.gz", "hdfs://nn:8020/out", rejected="hdfs://nn:8020/crawl/rej")
    refused(r"output.path: must not be the input path", tmp_path, "hdfs://NN:8020/crawl/", "hdfs://nn:8020//crawl")
    # hdfs:///x is the default file system, which may be the named one.
    refused(r"output.path: must not contain the input path", tmp_path, "hdfs://nn/crawl/2026", "hdfs:///crawl")
    refused(r"output.path: must not lie inside the input path", tmp_path, "s3a://bucket/crawl",
            "s3://bucket/crawl/a/../b")
    cfg = job(tmp_path, "s3a://bucket/crawl/*.gz", "s3a://other/crawl/out", rejected="s3a://bucket/crawl_rejected",
              index="hdfs://nn/crawl/ix")
    assert cfg.output.path == "s3a://other/crawl/out"
    # A glob at the bucket's root covers the bucket, not the store; a glob in the bucket name covers the store.
    assert job(tmp_path, "s3a://bucket/*.gz", "s3a://other/out").output.path == "s3a://other/out"
    refused(r"output.path: must not lie inside the input folder s3a://bucket \(input.paths\[0\]: s3a://bucket/\*.gz\)",
            tmp_path, "s3a://bucket/*.gz", "s3a://bucket/out")
    refused(r"output.path: must not lie inside the input folder s3a:///", tmp_path, "s3a://crawl-*/x.gz",
            "s3a://other/out")


# ------------------------------------------------------------------------------------ outputs vs outputs

@pytest.mark.parametrize("out, rejected, index, match", [
    ("o", "o/", None, r"output.rejected_path: must not be output.path \(.*/o\)"),
    ("o", "o/rej", None, r"output.rejected_path: must not lie inside output.path \(.*/o\): it is .*/o/rej"),
    ("o/kept", "o", None, r"output.rejected_path: must not contain output.path"),
    ("o", "r", "r/ix", r"index.path: must not lie inside output.rejected_path"),
    ("o", "r", "o/../o", r"index.path: must not be output.path"),
    ("ix/o", "r", "ix", r"index.path: must not contain output.path"),
])
def test_outputs_are_apart_from_each_other(tmp_path, out, rejected, index, match):
    (tmp_path / "in.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    refused(match, tmp_path, str(tmp_path / "in.jsonl"), tmp_path / out, rejected=tmp_path / rejected,
            index=tmp_path / index if index else None, extra="")


def test_outputs_through_a_symlink_are_resolved(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    message = refused(r"output.rejected_path: must not be output.path", tmp_path, str(tmp_path / "in.jsonl"),
                      tmp_path / "real" / "o", rejected=tmp_path / "alias" / "o")
    assert "resolves to" in message


def test_path_conflict_and_check_not_overlapping_for_other_commands(tmp_path, crawl, monkeypatch):
    assert path_conflict(str(crawl / "x"), str(crawl)) == "inside"
    assert path_conflict(str(crawl), str(crawl / "x") + "/") == "contains"
    assert path_conflict(f"file://{crawl}", str(crawl)) == "same"
    assert path_conflict("s3a://b/x", "s3a://b/xy") is None
    assert path_conflict(str(crawl), "hdfs:///" + str(crawl)) is None
    cfg = job(tmp_path, str(crawl / "*.jsonl"), tmp_path / "out", rejected=tmp_path / "rej")
    check_not_overlapping(cfg, str(tmp_path / "out_profile"), "--out")
    with pytest.raises(ConfigError, match=r"^--out: must not lie inside the input folder .*crawl "
                                          r"\(input.paths\[0\] of .*job.yaml: .*\): it is .*crawl/profile;"):
        check_not_overlapping(cfg, str(crawl / "profile"), "--out")
    with pytest.raises(ConfigError, match=r"^--out: must not be output.rejected_path \(.*rej\) of .*job.yaml"):
        check_not_overlapping(cfg, str(tmp_path / "rej"), "--out")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=rf"^--out: must not contain the input folder .*: it is {tmp_path}/data;"):
        check_not_overlapping(cfg, "data", "--out")


def test_a_nul_in_a_path_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"output.path: a path cannot contain a NUL character"):
        job(tmp_path, str(tmp_path), "o\x00ut")


# ------------------------------------------------------------------------------------------------- values

def minimal(tmp_path, extra=""):
    (tmp_path / "in.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    return write(tmp_path, textwrap.dedent(f"""
    input:
      paths: {tmp_path / 'in.jsonl'}
    output:
      path: {tmp_path / 'out'}
    stages:
      - normalize
    """) + extra)


def test_seed_is_a_64_bit_non_negative_integer(tmp_path):
    assert load_config(minimal(tmp_path, f"seed: {2**63 - 1}")).seed == 2**63 - 1
    with pytest.raises(ConfigError, match=r"seed: must be an integer in \[0, 2\^63-1\], got 9223372036854775808"):
        load_config(minimal(tmp_path, f"seed: {2**63}"))
    with pytest.raises(ConfigError, match=r"seed: must be an integer in \[0, 2\^63-1\], got -1"):
        load_config(minimal(tmp_path), ["seed=-1"])
    with pytest.raises(ConfigError, match=r"seed: must be .*got <an integer of about \d+ digits>$"):
        parse_config({"input": {"paths": "x"}, "output": {"path": "o"}, "stages": [], "seed": 10**40},
                     "job.yaml", check_paths=False)


@pytest.mark.parametrize("key, section", [("target_shard_mb", "output"), ("schema_sampling_ratio", "input"),
                                          ("max_record_mb", "input")])
@pytest.mark.parametrize("value, shown", [(".nan", ".nan"), (".inf", ".inf"), ("-.inf", "-.inf")])
def test_float_keys_must_be_finite_in_the_file_and_in_overrides(tmp_path, key, section, value, shown):
    with pytest.raises(ConfigError, match=rf"job.yaml: {section}.{key}: must be a finite number, got {shown}$"):
        load_config(minimal(tmp_path), [f"{section}.{key}={value}"])


def test_float_keys_have_ranges(tmp_path):
    for override, match in [("input.max_record_mb=0", r"input.max_record_mb: must be in \[0.001, 2048\], got 0"),
                            ("input.max_record_mb=-5", r"input.max_record_mb: must be in"),
                            ("input.max_record_mb=1e9", r"input.max_record_mb: expected a number, got the string"),
                            ("output.target_shard_mb=" + "9" * 400, r"output.target_shard_mb: must be in "
                                                                     r"\[0.001, 1048576\], got <an integer"),
                            ("input.max_record_mb=4096", r"input.max_record_mb: must be in \[0.001, 2048\], got 4096"),
                            ("input.schema_sampling_ratio=1.5", r"input.schema_sampling_ratio: must be in")]:
        with pytest.raises(ConfigError, match=match):
            load_config(minimal(tmp_path), [override])
    assert load_config(minimal(tmp_path), ["input.max_record_mb=0.5"]).input.max_record_mb == 0.5
    # null (the default): derived from the heap when Spark starts (dps.spark.read.record_limit_mb)
    assert load_config(minimal(tmp_path), ["input.max_record_mb=null"]).input.max_record_mb is None
    assert load_config(minimal(tmp_path)).input.max_record_mb is None


@pytest.mark.parametrize("value, got", [
    ("null", "nothing \\(null\\)"), ("[1, 2]", "a list"), ("{a: 1}", "a mapping"), ("2026-11-23", "date"),
])
def test_spark_settings_are_scalars(tmp_path, value, got):
    match = rf"job.yaml: spark.settings.spark.sql.shuffle.partitions: expected a string, number or true/false, " \
            rf"got {got}"
    with pytest.raises(ConfigError, match=match):
        load_config(minimal(tmp_path, f"spark:\n  settings:\n    spark.sql.shuffle.partitions: {value}\n"))
    with pytest.raises(ConfigError, match=match):
        load_config(minimal(tmp_path), [f"spark.settings.spark.sql.shuffle.partitions={value}"])


def test_spark_settings_numbers_are_finite_and_plain_values_pass(tmp_path):
    with pytest.raises(ConfigError, match=r"spark.settings.spark.x: expected a finite number within 64 bits, got .nan"):
        load_config(minimal(tmp_path), ["spark.settings.spark.x=.nan"])
    with pytest.raises(ConfigError, match=r"spark.settings.spark.x: expected a finite number"):
        load_config(minimal(tmp_path), [f"spark.settings.spark.x={2**64}"])
    cfg = load_config(minimal(tmp_path), ["spark.settings.spark.a=8", "spark.settings.spark.b=true",
                                          "spark.settings.spark.c=0.5", "spark.settings.spark.d=x"])
    assert cfg.spark.settings == {"spark.a": "8", "spark.b": "true", "spark.c": "0.5", "spark.d": "x"}
    for empty in ("spark: []", "spark: {settings: []}"):  # falsy, yet not a mapping
        with pytest.raises(ConfigError, match=r"spark(.settings)?: expected a mapping"):
            load_config(minimal(tmp_path, empty))


def test_driver_memory_is_a_jvm_size(tmp_path):
    for good in ("512m", "4g", "4G", "2gb", "'4096'"):
        assert load_config(minimal(tmp_path), [f"spark.driver_memory={good}"]).spark.driver_memory == good.strip("'")
    for bad in ("4 GB", "lots", "0g", "1.5g", "-4g"):
        with pytest.raises(ConfigError, match=r"spark.driver_memory: expected a JVM memory size such as 512m or 4g"):
            load_config(minimal(tmp_path), [f"spark.driver_memory={bad}"])


def test_stage_parameters_are_finite_and_64_bit():
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ConfigError, match=r"job.yaml: stages\[0\].gopher_quality.min_alpha_word_ratio: "
                                              r"expected a number or null, got the non-finite number -?.(nan|inf)$"):
            bind(StageSpec("gopher_quality", {"min_alpha_word_ratio": value}, "stages[0]"), seed=0, source="job.yaml")
    with pytest.raises(ConfigError, match=r"min_words: expected an integer or null, got the integer "
                                          r"9223372036854775808, outside the 64-bit range"):
        bind(StageSpec("gopher_quality", {"min_words": 2**63}, "stages[0]"), seed=0)
    with pytest.raises(ConfigError, match=r"min_alpha_word_ratio: expected a number or null, got an integer of "
                                          r"about 401 digits, outside the 64-bit range$"):
        bind(StageSpec("gopher_quality", {"min_alpha_word_ratio": 10**400}, "stages[0]"), seed=0)
    assert bind(StageSpec("gopher_quality", {"min_words": 2**63 - 1}, "s"), seed=0).params["min_words"] == 2**63 - 1
    # Frame stages get no dry run on the driver: the type check alone must refuse a NaN threshold.
    with pytest.raises(ConfigError, match=r"stages\[2\].minhash_dedup.threshold: expected a number, got the "
                                          r"non-finite number .nan$"):
        bind(StageSpec("minhash_dedup", {"threshold": float("nan")}, "stages[2]"), seed=0)


def test_a_nan_stage_threshold_from_the_file_and_from_set_is_refused(tmp_path):
    from dps.plan import plan

    path = minimal(tmp_path)
    text = open(path, encoding="utf-8").read().replace("- normalize", "- gopher_quality: {min_alpha_word_ratio: .nan}")
    open(path, "w", encoding="utf-8").write(text)
    with pytest.raises(ConfigError, match=r"min_alpha_word_ratio: expected a number or null, got the non-finite "
                                          r"number .nan"):
        plan(load_config(path))
    with pytest.raises(ConfigError, match=r"min_alpha_word_ratio: expected a number or null, got the non-finite "
                                          r"number .inf"):
        plan(load_config(path, ["stages.gopher_quality.min_alpha_word_ratio=.inf"]))


# --------------------------------------------------------------------------------------------------- YAML

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_quickly_in_little_memory(tmp_path):
    assert len(BILLION_LAUGHS) < 700
    path = write(tmp_path, BILLION_LAUGHS)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ConfigError) as err:
            load_config(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2 and peak < 5 * 2**20
    assert str(err.value) == f"{path}: line 1, column 4: YAML anchors (&a) are not supported in dps configs; " \
                             f"write the value out"


def test_aliases_and_anchors_are_refused_in_the_file_and_in_overrides(tmp_path):
    path = minimal(tmp_path, "seed: *s\n")
    with pytest.raises(ConfigError, match=rf"^{path}: line \d+, column 7: YAML aliases \(\*s\) are not supported "
                                          r"in dps configs"):
        load_config(path)
    with pytest.raises(ConfigError, match=r"^--set seed=\*x: line 1, column 1: YAML aliases \(\*x\) are not supported"):
        load_config(minimal(tmp_path), ["seed=*x"])
    with pytest.raises(ConfigError, match=r"^--set input.paths=\[&p x, \*p\]: line 1, column 2: YAML anchors \(&p\)"):
        load_config(minimal(tmp_path), ["input.paths=[&p x, *p]"])
    with pytest.raises(ConfigError, match=r"YAML anchors \(&base\)"):  # merge keys need anchors too
        load_config(minimal(tmp_path, "spark: &base {master: local}\n"))


def test_invalid_yaml_in_an_override_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"^--set seed=\[1,: not valid YAML"):
        load_config(minimal(tmp_path), ["seed=[1,"])


def test_oversized_deep_or_unreadable_files_are_config_errors(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 110_000, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"big.yaml: larger than 1 MB"):
        load_config(str(big))
    deep = write(tmp_path, "seed: " + "[" * 5000 + "]" * 5000, "deep.yaml")
    with pytest.raises(ConfigError, match=r"deep.yaml: line 1, column \d+: nested deeper than 32 levels"):
        load_config(deep)
    with pytest.raises(ConfigError, match=r"cannot read the config file"):
        load_config(str(tmp_path))  # a folder
    (tmp_path / "latin1.yaml").write_bytes("seed: 1 # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1.yaml: not UTF-8 text"):
        load_config(str(tmp_path / "latin1.yaml"))


def test_values_yaml_cannot_build_are_config_errors_with_a_line(tmp_path):
    with pytest.raises(ConfigError, match=r"not valid YAML \(line \d+, column 9\): cannot read the value "
                                          r"'2026-13-45'"):
        load_config(minimal(tmp_path, "run_id: 2026-13-45\n"))
    with pytest.raises(ConfigError, match=r"not valid YAML .*cannot read the value") as err:
        load_config(minimal(tmp_path, "seed: " + "9" * 5000 + "\n"))
    assert len(str(err.value)) < 500


# ---------------------------------------------------------------------------------------- bounded messages

def bomb():
    """A Python value like the billion laughs: 9^9 strings by reference, petabytes if printed whole."""
    value = ["lol"] * 9
    for _ in range(8):
        value = [value] * 9
    return value


def test_rendering_is_short_whatever_the_value():
    start = time.perf_counter()
    for value in (bomb(), "x" * 10_000_000, 10**100_000, {i: i for i in range(100_000)}, b"\0" * 10**7,
                  float("nan"), "line\nbreak"):
        text = render(value)
        assert len(text) <= 120 and "\n" not in text, text
        assert len(describe_value(value)) <= 140
    assert time.perf_counter() - start < 2
    assert render(float("-inf")) == "-.inf" and render(None) == "null" and render(True) == "true"
    assert describe_value("abc") == "the string 'abc'" and describe_value(2**63) == "the integer 9223372036854775808"


def giant_docs(giant):
    """(dotted key, raw config) with `giant` where a checked value goes."""
    def doc(**parts):
        return {"input": {"paths": "x"}, "output": {"path": "o"}, "stages": ["normalize"], **parts}

    return [("seed", doc(seed=giant)), ("input.format", doc(input={"paths": "x", "format": giant})),
            ("output.path", doc(output={"path": giant})), ("stages[0].normalize", doc(stages=[{"normalize": giant}])),
            ("run_id", doc(run_id=giant)), ("spark.driver_memory", doc(spark={"driver_memory": giant}))]


def test_a_giant_value_gives_a_short_message():
    for giant in (bomb(), "x" * 1_000_000, 10**5000, {"k": bomb()}):
        for where, doc in giant_docs(giant):
            if isinstance(giant, str) and where in ("output.path", "run_id"):
                continue  # a long string is a fine path, and run_id's check is below
            if isinstance(giant, dict) and where.startswith("stages"):
                continue  # a mapping of parameters: the registry checks those (below)
            start = time.perf_counter()
            with pytest.raises(ConfigError, match="^" + re.escape(f"job.yaml: {where}: ")) as err:
                parse_config(doc, "job.yaml", check_paths=False)
            assert len(str(err.value)) < 400 and time.perf_counter() - start < 1, (where, str(err.value)[:500])
    with pytest.raises(ConfigError, match=r"run_id: 'xxxxx.*' is not a valid run id") as err:
        parse_config(giant_docs("x" * 1_000_000)[4][1], "job.yaml", check_paths=False)
    assert len(str(err.value)) < 400
    with pytest.raises(ConfigError, match=r"spark.settings.spark.x: expected a string, number or true/false, "
                                          r"got a list"):
        parse_config({**giant_docs(1)[0][1], "spark": {"settings": {"spark.x": bomb()}}}, "job.yaml",
                     check_paths=False)


def test_giant_keys_and_stage_values_give_short_messages():
    doc = {"input": {"paths": "x"}, "output": {"path": "o"}, "stages": ["normalize"], "k" * 1_000_000: 1}
    with pytest.raises(ConfigError) as err:
        parse_config(doc, "job.yaml", check_paths=False)
    assert "unknown key" in str(err.value) and len(str(err.value)) < 400
    for params in ({"form": bomb()}, {"form": "N" * 1_000_000}, {"f" * 1_000_000: 1}):
        with pytest.raises(ConfigError) as err:
            bind(StageSpec("normalize", params, "stages[0]"), seed=0, source="job.yaml")
        assert str(err.value).startswith("job.yaml: stages[0].normalize") and len(str(err.value)) < 500
    with pytest.raises(ConfigError) as err:
        bind(StageSpec("n" * 1_000_000, {}, "stages[0]"), seed=0, source="job.yaml")
    assert "unknown stage" in str(err.value) and len(str(err.value)) < 500
