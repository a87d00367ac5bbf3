"""The JSONL and Parquet readers on broken input: every record of a file is counted once, and each one that
cannot be read is quarantined with a reason naming what happened (issue "Output safety and record isolation")."""

import gzip
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dps.config import ConfigError, InputConfig, load_config
from dps.pipeline import run
from dps.spark.read import read_error_message, read_marked

pytestmark = pytest.mark.spark

GOOD = [json.dumps({"id": f"g{i}", "source": "news", "text": f"정상 문서 {i}번"}, ensure_ascii=False)
        for i in range(3)]


def write(path, data: bytes, codec: str = ""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if codec == ".gz":
        data = gzip.compress(data)
    elif codec == ".zst":
        data = zstandard.ZstdCompressor().compress(data)
    with open(path, "wb") as fh:
        fh.write(data)
    return str(path)


def lines_file(tmp_path, lines, codec="", name="in.jsonl"):
    return write(os.path.join(tmp_path, name + codec), ("\n".join(lines) + "\n").encode("utf-8"), codec)


def read(spark, paths, **kw):
    """(rows as dicts, input count, output columns)."""
    cfg = InputConfig(paths=tuple(paths) if isinstance(paths, (list, tuple)) else (paths,), **kw)
    marked, raw, columns = read_marked(spark, cfg)
    return [r.asDict() for r in marked.collect()], raw.count(), columns


def reasons(rows):
    return {r["dps_raw"] if r["dps_raw"] is not None else r.get("id"): r["dps_reason"] for r in rows}


CODECS = ["", ".gz", ".zst"]


@pytest.mark.parametrize("codec", CODECS)
def test_duplicate_and_case_variant_keys_are_quarantined_not_fatal(spark, tmp_path, codec):
    bad = ['{"id": "d1", "source": "news", "text": "하나", "text": "둘"}',
           '{"id": "d2", "source": "news", "text": "하나", "TEXT": "둘"}',
           '{"id": "d3", "source": "news", "source": "blog", "text": "출처 두 번"}',
           '{"id": "d4", "source": "news", "text": "중첩", "meta": {"k": 1, "k": 2}}',
           '{"id": "d5", "source": "news", "text": "중첩 대소문자", "meta": {"k": 1, "K": 2}}',
           '{"id": "d6", "Source": "news", "text": "다른 철자의 키"}']
    rows, n, columns = read(spark, lines_file(tmp_path, GOOD + bad, codec))
    assert n == len(rows) == 9
    got = reasons(rows)
    assert {line: got[line] for line in bad} == {
        bad[0]: "read:duplicate_key", bad[1]: "read:duplicate_key", bad[2]: "read:duplicate_key",
        bad[3]: "read:duplicate_key", bad[4]: "read:duplicate_key", bad[5]: "read:key_case_clash"}
    assert sorted(r["id"] for r in rows if r["dps_status"] == "kept") == ["g0", "g1", "g2"]
    # Keys seen only in quarantined records are no columns.
    assert sorted(columns) == ["id", "source", "text"]


def test_duplicate_key_in_a_file_of_its_own_names_no_column_twice(spark, tmp_path):
    path = lines_file(tmp_path, ['{"text": "a", "text": "b"}'])
    rows, n, columns = read(spark, path)
    assert n == 1 and rows[0]["dps_reason"] == "read:duplicate_key" and columns == ["text"]


@pytest.mark.parametrize("codec", CODECS)
def test_an_oversized_record_is_quarantined_with_its_size_and_never_carried_whole(spark, tmp_path, codec):
    big = json.dumps({"id": "big", "source": "news", "text": "가" * 20000}, ensure_ascii=False)
    path = lines_file(tmp_path, GOOD[:2] + [big] + GOOD[2:], codec)
    rows, n, columns = read(spark, path, max_record_mb=0.02)  # 20,971 bytes; the big line is 60 KB
    assert n == len(rows) == 4
    (row,) = [r for r in rows if r["dps_status"] != "kept"]
    assert row["dps_reason"] == "read:too_large" and row["text"] is None and row["id"] is None
    size = len(big.encode("utf-8"))
    assert row["dps_raw"].startswith(f"[dps: record of {size} bytes, over input.max_record_mb = 0.02")
    assert row["dps_raw"].endswith(big[:4096]) and len(row["dps_raw"]) < 4096 + 200
    assert sorted(columns) == ["id", "source", "text"]


def test_oversized_records_alone_still_run(spark, tmp_path):
    big = json.dumps({"text": "나" * 20000}, ensure_ascii=False)
    config = _config(tmp_path, lines_file(tmp_path, [big, big]), max_record_mb=0.02)
    report = run(config, spark, echo=lambda _m: None)
    assert report.input_records == 2 and report.totals()["quarantined"] == 2
    assert {r for _, r, _, _ in report.by_reason()} == {"read:too_large"}


def test_oversized_parquet_text_is_quarantined(spark, tmp_path):
    os.makedirs(tmp_path / "pq")
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["짧은 글", "긴" * 20000]}), tmp_path / "pq" / "a.parquet")
    rows, n, _ = read(spark, str(tmp_path / "pq"), max_record_mb=0.02)
    assert n == 2
    by_id = {r["id"]: r for r in rows}
    assert by_id["a"]["dps_status"] == "kept"
    assert by_id["b"]["dps_reason"] == "read:too_large" and by_id["b"]["text"] is None
    assert by_id["b"]["dps_raw"].startswith("[dps: text of 60000 bytes")


@pytest.mark.parametrize("codec", CODECS)
def test_line_level_problems_get_precise_reasons(spark, tmp_path, codec):
    deep = '{"id": "deep", "text": "x", "a": ' + "[" * 150 + "]" * 150 + "}"
    deeper = '{"id": "deeper", "text": "x", "a": ' + '{"a": ' * 1500 + "1" + "}" * 1500 + "}"
    bad = ['{"id": "two", "text": "하나"}{"id": "three", "text": "둘"}',
           '{"id": "two-nested", "text": "하나", "m": {"a": 1}}{"id": "x", "text": "둘"}',
           '{"id": "garbage", "text": "뒤에 쓰레기"} trailing',
           '{"id": "bracket", "text": "괄호"}]',
           deep, deeper,
           '{"id": "lone", "text": "외톨이 \\ud800 서로게이트"}',
           '{"id": "low", "text": "\\udc00 뒤쪽만"}']
    ok = ['{"id": "pair", "source": "x", "text": "짝 \\ud83d\\ude00 이모지"}',
          '{"id": "escaped", "source": "x", "text": "백슬래시 \\\\ud800 는 글자"}',
          '{"id": "braces", "source": "x", "text": "문자열 속 }{ 와 } { 는 괜찮다"}',
          '{"id": "cr", "source": "x", "text": "캐리지\r리턴"}',
          '{"id": "tab", "source": "x", "text": "탭\t문자"}']
    lines = GOOD + ["   \t ", "\u3000"] + bad + ok  # whitespace-only lines are blank
    rows, n, _ = read(spark, lines_file(tmp_path, lines, codec))
    assert n == len(rows) == len(GOOD) + len(bad) + len(ok)
    got = reasons(rows)
    assert {line: got[line] for line in bad} == {
        bad[0]: "read:malformed_json", bad[1]: "read:malformed_json", bad[2]: "read:malformed_json",
        bad[3]: "read:malformed_json", deep: "read:too_deeply_nested", deeper: "read:too_deeply_nested",
        bad[6]: "read:lone_surrogate", bad[7]: "read:lone_surrogate"}
    kept = {r["id"]: r["text"] for r in rows if r["dps_status"] == "kept"}
    assert kept["pair"] == "짝 😀 이모지" and kept["escaped"] == "백슬래시 \\ud800 는 글자"
    assert kept["cr"] == "캐리지\r리턴" and kept["tab"] == "탭\t문자" and "braces" in kept


@pytest.mark.parametrize("codec", CODECS)
def test_crlf_and_bom_files_read_like_plain_ones(spark, tmp_path, codec):
    data = ("\ufeff" + "\r\n".join(GOOD) + "\r\n\r\n").encode("utf-8")
    rows, n, _ = read(spark, write(str(tmp_path / f"crlf.jsonl{codec}"), data, codec))
    assert n == 3 and sorted(r["id"] for r in rows if r["dps_status"] == "kept") == ["g0", "g1", "g2"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("codec", ["", ".gz"])
def test_utf16_files_count_their_records_and_say_utf16(spark, tmp_path, encoding, codec):
    data = ("\n".join(GOOD) + "\n").encode(encoding)
    rows, n, _ = read(spark, [write(str(tmp_path / f"u16.jsonl{codec}"), data, codec),
                              lines_file(tmp_path, GOOD[:1], name="ok.jsonl")])
    assert n == len(rows) == 4
    assert sorted(r["dps_reason"] or "kept" for r in rows) == ["kept"] + ["read:utf16"] * 3


def test_invalid_utf8_is_a_bad_encoding(spark, tmp_path):
    cp949 = '{"id": "cp", "text": "한국어 문서"}'.encode("cp949")
    data = ("\n".join(GOOD) + "\n").encode("utf-8") + cp949 + b"\n" + b'{"id": "nul", "text": \x00}\n'
    rows, n, _ = read(spark, write(str(tmp_path / "enc.jsonl"), data))
    assert n == 5
    assert sorted(r["dps_reason"] or "kept" for r in rows) == ["kept"] * 3 + ["read:bad_encoding"] * 2


def _config(tmp_path, paths, **input_keys):
    doc = {"input": {"paths": paths, **input_keys},
           "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rejected")},
           "stages": ["normalize"]}
    path = tmp_path / "job.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return load_config(str(path))


def test_columns_come_from_well_formed_records_only(spark, tmp_path):
    lines = GOOD + ['{"id": "m1", "body": "text 없이 본문만"}',
                    '{"id": "m2", "text": 5, "stray_number": 1}',
                    '{"id": "m3", "text": {"nested": "객체"}, "stray_object": 1}',
                    '{"id": "m4", "meta": {"text": "중첩된 text"}, "stray_nested": 1}',
                    '{"id": "m5", "text": "깨진 줄", "stray_broken": 1',
                    '{"id": "m6", "text": "두 객체"}{"stray_second": 1, "text": "x"}',
                    '{"id": "a", "title": "{속보}", "text": "앞에 괄호가 있는 정상 문서", "url": "u"}']
    config = _config(tmp_path, lines_file(tmp_path, lines))
    report = run(config, spark, echo=lambda _m: None)
    assert report.input_records == 10 and report.invariant()[0]
    kept = pq.read_table(config.output.path)
    assert sorted(kept.column_names) == ["id", "source", "text", "title", "url"]
    assert sorted(kept.column("id").to_pylist()) == ["a", "g0", "g1", "g2"]


def test_reserved_keys_are_quarantined_and_no_column(spark, tmp_path):
    lines = GOOD + ['{"id": "r", "source": "news", "text": "표시 열", "dps_status": "kept"}',
                    '{"id": "r2", "source": "news", "text": "내부 열", "_dps_edit_0": 1}']
    config = _config(tmp_path, lines_file(tmp_path, lines))
    report = run(config, spark, echo=lambda _m: None)
    assert report.invariant()[0] and report.input_records == 5
    kept = pq.read_table(config.output.path)
    assert sorted(kept.column_names) == ["id", "source", "text"]
    rejected = pq.read_table(config.output.rejected_path).to_pylist()
    assert sorted(r["dps_reason"] for r in rejected) == ["read:reserved_key"] * 2


def test_dotted_keys_come_back_as_selectable_names(spark, tmp_path):
    lines = GOOD + ['{"id": "dot", "source": "news", "text": "점이 있는 키", "og.title": "제목"}']
    marked, _, columns = read_marked(spark, InputConfig(paths=(lines_file(tmp_path, lines),)))
    assert sorted(columns) == ["`og.title`", "id", "source", "text"]
    assert marked.select(*columns).where("id = 'dot'").collect()[0]["og.title"] == "제목"


# ----------------------------------------------------------------------------------------------- files

def test_subfolders_are_read_and_hidden_names_skipped(spark, tmp_path):
    root = tmp_path / "crawl"
    lines_file(root, GOOD[:1], name="top.jsonl")
    lines_file(root / "2026" / "11", GOOD[1:2], name="deep.jsonl", codec=".gz")
    lines_file(root / "_tmp", GOOD[2:], name="skipped.jsonl")
    lines_file(root / ".hidden", GOOD[2:], name="skipped.jsonl")
    lines_file(root, GOOD[2:], name="_partial.jsonl")
    write(str(root / "_SUCCESS"), b"")
    rows, n, _ = read(spark, str(root))
    assert n == 2 and sorted(r["id"] for r in rows) == ["g0", "g1"]
    only_sub = tmp_path / "only"
    lines_file(only_sub / "a", GOOD, name="x.jsonl", codec=".zst")
    rows, n, _ = read(spark, str(only_sub))
    assert n == 3 and all(r["dps_status"] == "kept" for r in rows)


def test_a_path_with_brackets_is_read_literally(spark, tmp_path):
    path = lines_file(tmp_path / "run[1]", GOOD, name="part[0].jsonl")
    lines_file(tmp_path / "run1", GOOD[:1], name="part0.jsonl")  # what the pattern would match
    rows, n, _ = read(spark, path)
    assert n == 3
    rows, n, _ = read(spark, str(tmp_path / "run[1]"))
    assert n == 3


def test_an_empty_folder_is_one_clear_error(spark, tmp_path):
    (tmp_path / "empty" / "_tmp").mkdir(parents=True)
    write(str(tmp_path / "empty" / "_SUCCESS"), b"")
    with pytest.raises(ConfigError, match=r"input.paths: '.*empty' holds no input file"):
        read(spark, str(tmp_path / "empty"))


@pytest.mark.parametrize("name,data,message", [
    ("plain.jsonl.gz", b'{"text": "a"}\n', r"plain.jsonl.gz: named .gz but not compressed"),
    ("zstd.jsonl.gz", zstandard.ZstdCompressor().compress(b'{"text": "a"}\n'), r"named .gz but zst-compressed"),
    ("gzip.jsonl.zst", gzip.compress(b'{"text": "a"}\n'), r"named .zst but gz-compressed"),
    ("gzip.jsonl", gzip.compress(b'{"text": "a"}\n'), r"gzip.jsonl: gz-compressed but not named .gz"),
])
def test_misnamed_compressed_files_fail_before_spark_with_one_line(spark, tmp_path, name, data, message):
    write(str(tmp_path / "in" / name), data)
    with pytest.raises(ConfigError, match=message):
        read(spark, str(tmp_path / "in"))


@pytest.mark.parametrize("codec", [".gz", ".zst"])
def test_a_truncated_archive_is_one_line_naming_the_file(spark, tmp_path, codec):
    import random

    rnd = random.Random(7)
    data = "".join(json.dumps({"text": "".join(rnd.choice("가나다라마바사abc") for _ in range(300))},
                              ensure_ascii=False) + "\n" for _ in range(2000)).encode("utf-8")
    path = write(str(tmp_path / "in" / f"cut.jsonl{codec}"), data, codec)
    with open(path, "r+b") as fh:
        fh.truncate(os.path.getsize(path) // 2)
    with pytest.raises(ConfigError) as info:
        read(spark, path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"input file file://{path}: truncated") or \
        message.startswith(f"input file file:{path}: truncated"), message
    # Mid-job (no inference: a declared schema) the same line comes from read_error_message.
    cfg = InputConfig(paths=(path,), schema="text STRING")
    marked, _, _ = read_marked(spark, cfg)
    with pytest.raises(Exception) as info:
        marked.count()
    line = read_error_message(info.value)
    assert line is not None and "truncated" in line and path in line and "\n" not in line


def test_parquet_files_with_conflicting_types_fail_before_spark(spark, tmp_path):
    folder = tmp_path / "pq"
    folder.mkdir()
    pq.write_table(pa.table({"id": [1], "text": ["문서"]}), folder / "a.parquet")
    pq.write_table(pa.table({"id": ["x"], "text": ["문서"]}), folder / "b.parquet")
    with pytest.raises(ConfigError, match=r"b.parquet: column 'id' has type string, but int64 in .*a.parquet"):
        read(spark, str(folder))
    pq.write_table(pa.table({"id": [1], "text": [5]}), folder / "b.parquet")
    with pytest.raises(ConfigError, match=r"b.parquet: column 'text' has type int64, expected string"):
        read(spark, str(folder))
    (folder / "b.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ConfigError, match=r"b.parquet: not a readable Parquet file"):
        read(spark, str(folder))


def test_parquet_columns_of_every_file_are_read(spark, tmp_path):
    folder = tmp_path / "pq"
    (folder / "sub").mkdir(parents=True)
    pq.write_table(pa.table({"id": ["a"], "text": ["문서"]}), folder / "a.parquet")
    pq.write_table(pa.table({"id": ["b"], "text": ["문서"], "url": ["u"]}), folder / "sub" / "b.parquet")
    pq.write_table(pa.table({"id": ["c"], "body": ["본문"]}), folder / "c.parquet")
    rows, n, columns = read(spark, str(folder))
    assert n == 3 and sorted(columns) == ["body", "id", "text", "url"]
    assert {r["id"]: r["dps_reason"] for r in rows} == {"a": None, "b": None, "c": "read:missing_text"}


def test_a_whole_run_keeps_a_dotted_key_and_reads_a_literal_bracket_path(spark, tmp_path):
    folder = tmp_path / "crawl[2026]"  # exists literally: not a glob
    path = lines_file(str(folder), GOOD + ['{"id": "dot", "source": "news", "text": "점이 있는 키의 문서입니다", '
                                           '"og.title": "제목"}'])
    cfg = tmp_path / "job.yaml"
    cfg.write_text(json.dumps({"input": {"paths": str(folder), "id_column": "id"},
                               "output": {"path": str(tmp_path / "out")},
                               "stages": ["normalize", "exact_dedup"]}, ensure_ascii=False))
    report = run(load_config(str(cfg)), spark, echo=lambda _m: None)
    assert report.invariant()[0] and report.input_records == 4 and os.path.exists(path)
    kept = pq.read_table(str(tmp_path / "out")).to_pylist()
    assert {r["id"]: r["og.title"] for r in kept}["dot"] == "제목"
