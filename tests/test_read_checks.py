"""The reader's driver-side checks (no Spark): file listing, magic bytes, Parquet footers, error lines, key check."""

import gzip
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dps.config import ConfigError, InputConfig
from dps.spark.read import (check_jsonl_files, check_parquet_files, detect_format, hadoop_escape, jvm_size_mb,
                            key_problem, list_input_files, read_error_message, record_limit_mb, select_name)


def touch(path, data=b'{"text": "a"}\n'):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    return str(path)


def test_listing_is_recursive_and_skips_what_spark_skips(tmp_path):
    touch(tmp_path / "a.jsonl")
    touch(tmp_path / "sub" / "deep" / "b.jsonl.gz", gzip.compress(b"{}\n"))
    touch(tmp_path / "_tmp" / "c.jsonl")
    touch(tmp_path / ".git" / "d.jsonl")
    touch(tmp_path / "_SUCCESS")
    touch(tmp_path / ".a.jsonl.crc")
    touch(tmp_path / "date=2026" / "e.jsonl")
    files = list_input_files(InputConfig(paths=(str(tmp_path),)))
    assert [os.path.relpath(f, tmp_path) for f in files] == ["a.jsonl", "date=2026/e.jsonl", "sub/deep/b.jsonl.gz"]
    assert detect_format(InputConfig(paths=(str(tmp_path),))) == "jsonl"


def test_literal_brackets_win_over_glob_and_globs_still_work(tmp_path):
    literal = touch(tmp_path / "x[1].jsonl")
    touch(tmp_path / "x1.jsonl")
    assert list_input_files(InputConfig(paths=(literal,))) == [literal]
    assert list_input_files(InputConfig(paths=(str(tmp_path / "x?.jsonl"),))) == [str(tmp_path / "x1.jsonl")]
    assert hadoop_escape("/d/x[1]{a,b}*?.jsonl") == "/d/x\\[1\\]\\{a,b\\}\\*\\?.jsonl"


def test_empty_and_hidden_inputs_are_one_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no input file"):
        list_input_files(InputConfig(paths=(str(tmp_path / "empty"),)))
    hidden = touch(tmp_path / "_part.jsonl")
    with pytest.raises(ConfigError, match="starts with '_' or '.': Spark skips"):
        list_input_files(InputConfig(paths=(hidden,)))
    with pytest.raises(ConfigError, match="no file or folder matches"):
        list_input_files(InputConfig(paths=(str(tmp_path / "nope*.jsonl"),)))


def test_mixed_folders_name_an_odd_file(tmp_path):
    touch(tmp_path / "a.jsonl")
    touch(tmp_path / "sub" / "notes.txt")
    with pytest.raises(ConfigError, match="found \\?, jsonl; e.g. .*notes.txt"):
        detect_format(InputConfig(paths=(str(tmp_path),)))


def test_magic_bytes(tmp_path):
    ok = [touch(tmp_path / "a.jsonl.gz", gzip.compress(b"{}\n")),
          touch(tmp_path / "b.jsonl.zst", zstandard.ZstdCompressor().compress(b"{}\n")),
          touch(tmp_path / "c.jsonl"), touch(tmp_path / "empty.jsonl.gz", b"")]
    check_jsonl_files(ok)
    for name, data, message in [("p.jsonl.gz", b"{}\n", "named .gz but not compressed"),
                                ("z.jsonl.gz", zstandard.ZstdCompressor().compress(b"{}\n"),
                                 "named .gz but zst-compressed"),
                                ("g.jsonl", gzip.compress(b"{}\n"), "gz-compressed but not named .gz")]:
        with pytest.raises(ConfigError, match=message):
            check_jsonl_files([touch(tmp_path / name, data)])


def test_parquet_footers(tmp_path):
    a, b = str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")
    pq.write_table(pa.table({"text": ["x"], "n": [1]}), a)
    pq.write_table(pa.table({"text": pa.array(["y"], pa.large_string()), "n": [2]}), b)
    check_parquet_files([a, b], "text")  # string and large_string are one type
    pq.write_table(pa.table({"text": ["y"], "N": [2]}), b)
    with pytest.raises(ConfigError, match="column 'N' differs only in case from 'n'"):
        check_parquet_files([a, b], "text")
    pq.write_table(pa.table({"text": pa.array([b"y"], pa.binary())}), b)
    with pytest.raises(ConfigError, match="column 'text' has type binary, expected string"):
        check_parquet_files([a, b], "text")


def test_read_error_message_is_one_line():
    exc = Exception("An error occurred while calling o176.count.\n: org.apache.spark.SparkException: "
                    "[FAILED_READ_FILE.NO_HINT] Encountered error while reading file file:///d/cut.jsonl.gz.  "
                    "SQLSTATE: KD001\n\tat org.apache...\nCaused by: java.io.EOFException: Unexpected end of "
                    "input stream\n\tat org.apache...")
    assert read_error_message(exc) == ("input file file:///d/cut.jsonl.gz: truncated (the compressed stream ends "
                                       "early); recompress or remove the file (EOFException: Unexpected end of "
                                       "input stream)")
    zst = Exception("[FAILED_READ_FILE.NO_HINT] Encountered error while reading file file:///d/x.jsonl.zst.  "
                    "\nCaused by: com.github.luben.zstd.ZstdIOException: Unknown frame descriptor")
    assert read_error_message(zst).startswith("input file file:///d/x.jsonl.zst: not valid compressed data")
    assert read_error_message(ValueError("something else")) is None


def test_key_problem():
    assert key_problem('{"a": 1, "b": {"c": 1, "c": 2}}', frozenset()) == "read:duplicate_key"
    assert key_problem('{"text": 1, "TEXT": 2}', frozenset()) == "read:duplicate_key"
    assert key_problem('{"Source": "x", "text": "y"}', frozenset({"Source"})) == "read:key_case_clash"
    assert key_problem('{"source": "x", "text": "a\tb"}', frozenset({"Source"})) is None
    assert key_problem("not json", frozenset()) is None and key_problem(None, frozenset()) is None


def test_select_name():
    assert [select_name(n) for n in ("text", "a.b", "a`b", "")] == ["text", "`a.b`", "`a``b`", "``"]


class _Conf:
    def __init__(self, values):
        self.values = values

    def get(self, key, default=None):
        return self.values.get(key, default)


class _Session:
    """Just what record_limit_mb reads: the SparkContext's conf."""

    def __init__(self, values):
        conf = _Conf(values)
        self.sparkContext = type("Context", (), {"getConf": lambda _self: conf})()


def test_jvm_sizes_in_mb():
    # Without a unit Spark reads these settings in MiB (spark.executor.memory=4096 is 4 GiB).
    assert [jvm_size_mb(s) for s in ("4g", "1G", "512m", "2048k", "1gb", "3072", "1t")] == [
        4096, 1024, 512, 2, 1024, 3072, 1024 ** 2]


def test_the_record_limit_follows_the_heap_of_the_jvm_that_reads():
    cfg = InputConfig(paths=("a.jsonl",))
    assert record_limit_mb(_Session({"spark.master": "local[2]", "spark.driver.memory": "1g"}), cfg)[0] == 8
    assert record_limit_mb(_Session({"spark.master": "local[*]", "spark.driver.memory": "4g"}), cfg)[0] == 32
    # On a cluster the executors read: their memory counts, not the driver's (Spark's default: 1g).
    on_yarn = _Session({"spark.master": "yarn", "spark.driver.memory": "16g", "spark.executor.memory": "12g"})
    mb, origin = record_limit_mb(on_yarn, cfg)
    assert mb == 96 and "spark.executor.memory = 12g" in origin
    assert record_limit_mb(_Session({"spark.master": "spark://h:7077"}), cfg)[0] == 8
    assert record_limit_mb(_Session({"spark.master": "local", "spark.driver.memory": "64m"}), cfg)[0] == 1
    # A configured limit wins, whatever the heap.
    set_limit = InputConfig(paths=("a.jsonl",), max_record_mb=100.0)
    assert record_limit_mb(_Session({"spark.master": "local", "spark.driver.memory": "1g"}), set_limit) == (
        100.0, "input.max_record_mb")
