import copy
import os
import textwrap
from dataclasses import MISSING, fields

import pytest

from dps.config import (ConfigError, IndexConfig, InputConfig, JobConfig, OutputConfig, ReportConfig, SparkConfig,
                        load_config, parse_config)


def write(tmp_path, text, name="job.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "안녕하세요"}\n', encoding="utf-8")
    return str(path)


def minimal(corpus, extra=""):
    return f"""
    input:
      paths: {corpus}
    output:
      path: out
    stages:
      - normalize
    {extra}
    """


def test_minimal_config_gets_defaults(tmp_path, corpus):
    cfg = load_config(write(tmp_path, minimal(corpus)))
    assert cfg.input.paths == (corpus,)
    assert cfg.input.text_column == "text"
    assert cfg.input.format == "auto"
    assert cfg.output.compression == "zstd"
    assert cfg.output.path == os.path.abspath("out")
    assert cfg.seed == 0
    assert [s.name for s in cfg.stages] == ["normalize"]


def test_unknown_top_level_key_names_file_key_and_suggestion(tmp_path, corpus):
    path = write(tmp_path, minimal(corpus, "sed: 3"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert path in message and "sed" in message and "did you mean 'seed'" in message
    # The keys in the order of the JobConfig fields, which is also the order of the report's config.
    assert message.endswith("valid keys: input, output, seed, run_id, index, stages, report, spark")


def test_unknown_nested_key(tmp_path, corpus):
    text = minimal(corpus).replace("path: out", "path: out\n      rejected: bad")
    with pytest.raises(ConfigError, match=r"output.rejected: unknown key \(did you mean 'rejected_path'\?\)"):
        load_config(write(tmp_path, text))


def test_missing_input_path_is_a_clear_error(tmp_path):
    missing = str(tmp_path / "nope" / "*.jsonl")
    with pytest.raises(ConfigError, match="input.paths: no file or folder matches"):
        load_config(write(tmp_path, minimal(missing)))


def test_remote_paths_are_left_to_spark(tmp_path):
    cfg = load_config(write(tmp_path, minimal("s3a://bucket/crawl/*.jsonl.gz")))
    assert cfg.input.paths == ("s3a://bucket/crawl/*.jsonl.gz",)


def test_wrong_types(tmp_path, corpus):
    with pytest.raises(ConfigError, match="seed: expected an integer, got the string 'abc'"):
        load_config(write(tmp_path, minimal(corpus, "seed: abc")))
    with pytest.raises(ConfigError, match="stages: expected a list"):
        load_config(write(tmp_path, minimal(corpus).replace("stages:\n      - normalize", "stages: normalize")))
    with pytest.raises(ConfigError, match="input.format: 'csv' is not one of"):
        load_config(write(tmp_path, minimal(corpus).replace(f"paths: {corpus}", f"paths: {corpus}\n      format: csv")))


def test_missing_required_section(tmp_path):
    with pytest.raises(ConfigError, match="output: missing"):
        load_config(write(tmp_path, "input: {paths: x}\nstages: [normalize]\n"))


def test_invalid_yaml_reports_line(tmp_path):
    with pytest.raises(ConfigError, match=r"not valid YAML \(line 3"):
        load_config(write(tmp_path, "input:\n  paths: [a, b\nstages: []\n"))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(str(tmp_path / "none.yaml"))


def test_output_may_not_overwrite_input(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    text = minimal(str(folder)).replace("path: out", f"path: {folder}")
    with pytest.raises(ConfigError, match=r"output.path: must not be the input folder .*data \(input.paths\[0\]\)"):
        load_config(write(tmp_path, text))


def test_overrides_set_nested_keys_and_stage_params(tmp_path, corpus):
    cfg = load_config(write(tmp_path, minimal(corpus)), [
        "seed=42", "output.target_shard_mb=64", "stages.normalize.form=NFKC", "input.id_column=doc_id"])
    assert cfg.seed == 42
    assert cfg.output.target_shard_mb == 64.0
    assert cfg.stages[0].params == {"form": "NFKC"}
    assert cfg.input.id_column == "doc_id"


def test_override_of_a_spark_setting_keeps_its_dotted_key(tmp_path, corpus):
    cfg = load_config(write(tmp_path, minimal(corpus)), ["spark.settings.spark.sql.shuffle.partitions=16"])
    assert cfg.spark.settings == {"spark.sql.shuffle.partitions": "16"}


def test_override_of_unknown_stage_suggests(tmp_path, corpus):
    with pytest.raises(ConfigError, match="no stage 'normalise' in the config \\(did you mean 'normalize'\\?\\)"):
        load_config(write(tmp_path, minimal(corpus)), ["stages.normalise.form=NFC"])


def test_spark_settings_must_be_spark_keys(tmp_path, corpus):
    text = minimal(corpus, "spark:\n      settings:\n        sql.shuffle.partitions: 8")
    with pytest.raises(ConfigError, match="start with 'spark.'"):
        load_config(write(tmp_path, text))


# One value for every key of the file, none of them the default (remote paths: nothing on disk to check).
EVERY_KEY = {
    "input": {"paths": ["s3a://b/crawl/*.jsonl"], "format": "jsonl", "text_column": "body", "id_column": "doc_id",
              "source_column": None, "schema": "body STRING", "schema_sampling_ratio": 0.5, "max_record_mb": 8.0},
    "output": {"path": "s3a://b/out", "rejected_path": "s3a://b/rejected", "target_shard_mb": 64.0,
               "compression": "gzip"},
    "seed": 7,
    "run_id": "2026-11-23",
    "index": {"path": "s3a://b/index"},
    "stages": [{"normalize": {"form": "NFKC"}}],
    "report": {"examples_per_reason": 10, "max_sources": 20},
    "spark": {"master": "local[2]", "app_name": "nightly", "driver_memory": "2g",
              "settings": {"spark.sql.shuffle.partitions": "8"}},
}
SECTIONS = {"input": InputConfig, "output": OutputConfig, "index": IndexConfig, "report": ReportConfig,
            "spark": SparkConfig}


def test_every_dataclass_field_is_read_from_the_file_and_written_by_to_dict():
    # A field added to a config dataclass must be added to EVERY_KEY...
    assert set(EVERY_KEY) == {f.name for f in fields(JobConfig)} - {"source"}
    for name, section in SECTIONS.items():
        assert set(EVERY_KEY[name]) == {f.name for f in fields(section)}, f"add the new {name} key to EVERY_KEY"
        for f in fields(section):
            assert EVERY_KEY[name][f.name] != f.default, f"EVERY_KEY[{name!r}][{f.name!r}] must not be the default"
    # ...and then parse_config must read it (not leave the default) and to_dict must write it, in the file's order.
    cfg = parse_config(copy.deepcopy(EVERY_KEY), "job.yaml")
    assert cfg.to_dict() == EVERY_KEY
    assert list(cfg.to_dict()) == list(EVERY_KEY)
    assert parse_config(cfg.to_dict(), "job.yaml") == cfg


def test_absent_keys_take_the_defaults_of_the_dataclass_fields():
    cfg = parse_config({"input": {"paths": "s3a://b/x"}, "output": {"path": "s3a://b/o"}, "stages": []}, "job.yaml")
    assert cfg == JobConfig(source="job.yaml", input=InputConfig(paths=("s3a://b/x",)),
                            output=OutputConfig(path="s3a://b/o"), stages=())
    assert [f.name for f in fields(JobConfig) if f.default is MISSING and f.default_factory is MISSING] == \
        ["source", "input", "output", "stages"]
