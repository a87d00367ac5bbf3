"""End-to-end runs of the pipeline in Spark local mode on the bundled sample (and small inputs made here)."""

import dataclasses
import gzip
import hashlib
import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
import zstandard

from dps.config import load_config
from dps.pipeline import REPORT_FILE, REPORT_HTML_FILE, run
from dps.plan import Plan
from dps.registry import BoundStage, Stage

pytestmark = pytest.mark.spark

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "sample", "corpus.jsonl")
STAGES = ["strip_html", "normalize", "reduce_emoticons", "clean_news_boilerplate", "spam_filter", "hangul_ratio",
          "gopher_quality", "gopher_repetition", "tag_pii"]


def quiet(_message):
    pass


def make_config(tmp_path, paths, *, name="job.yaml", extra_output="", stages=STAGES, fmt=None):
    text = {
        "input": {"paths": paths, "id_column": "id", **({"format": fmt} if fmt else {})},
        "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rejected"),
                   "target_shard_mb": 0.04},
        "seed": 11,
        "stages": stages,
    }
    path = tmp_path / name
    path.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return load_config(str(path))


def digest(folder):
    return {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest()
            for n in sorted(os.listdir(folder))}


@pytest.fixture(scope="module")
def sample_run(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sample")
    config = make_config(tmp, SAMPLE)
    report = run(config, spark, echo=quiet)
    return config, report


def test_invariant_holds_and_nothing_is_lost(sample_run):
    config, report = sample_run
    holds, equation = report.invariant()
    assert holds, equation
    n_lines = sum(1 for line in open(SAMPLE, encoding="utf-8") if line.strip())
    assert report.input_records == n_lines
    kept = pq.read_table(config.output.path)
    rejected = pq.read_table(config.output.rejected_path)
    assert kept.num_rows + rejected.num_rows == n_lines
    assert kept.num_rows == report.totals()["kept"] > 0
    assert set(kept.column_names) == {"id", "source", "text"}  # all input columns, no dps marks
    assert {"dps_status", "dps_reason", "dps_raw", "dps_detail"} <= set(rejected.column_names)


def test_filtered_records_carry_their_evidence(sample_run):
    config, _ = sample_run
    rejected = pq.read_table(config.output.rejected_path).to_pylist()
    filtered = [r for r in rejected if r["dps_status"] == "filtered"]
    assert filtered and all(r["dps_detail"] for r in filtered if not r["dps_reason"].startswith("hangul_ratio:"))
    for r in filtered:
        detail = json.loads(r["dps_detail"])
        if r["dps_reason"].startswith("spam_filter:"):
            assert detail["matched"], r
        elif r["dps_reason"] != "gopher_quality:too_few_function_words":
            assert all({"rule", "value"} <= set(f) for f in detail["rules"]), r
    assert all(r["dps_detail"] is None for r in rejected if r["dps_status"] != "filtered")


def test_malformed_records_are_quarantined_with_reasons(sample_run):
    config, _ = sample_run
    rejected = pq.read_table(config.output.rejected_path).to_pylist()
    quarantined = sorted(r["dps_reason"] for r in rejected if r["dps_status"] == "quarantined")
    assert quarantined == ["read:malformed_json", "read:malformed_json", "read:missing_text", "read:missing_text",
                           "read:not_an_object", "read:text_not_string"]
    raw = [r["dps_raw"] for r in rejected if r["dps_reason"] == "read:text_not_string"]
    assert raw == ['{"id": "broken-2", "source": "blog", "text": 12345}']


def test_every_rejection_names_a_stage_and_reason(sample_run):
    config, report = sample_run
    for status, reason, docs, _ in report.by_reason():
        if status == "kept":
            assert reason is None
        else:
            stage, _, why = reason.partition(":")
            assert stage in STAGES + ["read"] and why, reason
    reasons = {r for _, r, _, _ in report.by_reason()}
    # The sample carries the noise each stage exists for.
    assert {"hangul_ratio:hangul_ratio_low", "gopher_quality:too_few_words", "gopher_quality:hash_ratio_high",
            "gopher_quality:bullet_lines_high", "gopher_repetition:dup_line_fraction_high"} <= reasons


def test_text_stages_were_applied_to_kept_documents(sample_run):
    config, _ = sample_run
    texts = pq.read_table(config.output.path).column("text").to_pylist()
    assert not any("ㅋㅋㅋ" in t or "ㅠㅠㅠ" in t for t in texts)
    assert any("ㅋㅋ" in t for t in texts)


def test_pii_is_tagged_with_surrogates_and_no_original_survives(sample_run):
    import re

    config, _ = sample_run
    originals = {json.loads(line)["id"]: re.findall(r"010-\d{4}-\d{4}", json.loads(line)["text"])
                 for line in open(SAMPLE, encoding="utf-8") if line.startswith('{"id"') and "010-" in line}
    kept = {r["id"]: r["text"] for r in pq.read_table(config.output.path).to_pylist()}
    checked = 0
    for doc_id, phones in originals.items():
        if doc_id in kept and phones:
            checked += 1
            assert "<|tel_start|>010-" in kept[doc_id]
            assert not any(p in kept[doc_id] for p in phones)
    assert checked >= 5


def test_report_file_is_written_with_config_and_version(sample_run):
    config, report = sample_run
    with open(os.path.join(config.output.path, REPORT_FILE), encoding="utf-8") as fh:
        doc = json.load(fh)
    assert doc["invariant"]["holds"] is True
    assert doc["input_records"] == report.input_records
    assert doc["config"]["stages"] == [{s: {}} for s in STAGES]
    # The config names no parameter; the report still records every one as it ran (the signature's defaults).
    from dps.registry import STAGES as REGISTRY

    effective = {e["stage"]: e["params"] for e in doc["effective_stages"]}
    assert list(effective) == list(STAGES)
    for name in STAGES:
        declared = REGISTRY[name].params  # plus the job seed where the stage takes one
        assert set(effective[name]) - {"seed"} == set(declared), name
        assert all(effective[name][p] == json.loads(json.dumps(declared[p].default)) for p in declared), name
    assert doc["by_source"]["news"]["kept"] > 0
    assert doc["dps_version"]


def test_same_input_gives_byte_identical_output_whatever_the_partitioning(spark, tmp_path, sample_run):
    config, _ = sample_run
    expected = digest(config.output.path)
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")  # many more input partitions
    try:
        run(make_config(tmp_path, SAMPLE), spark, echo=quiet)
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    got = digest(str(tmp_path / "out"))
    shards = [n for n in expected if n.endswith(".parquet")]
    assert len(shards) > 1
    assert {n: got[n] for n in shards} == {n: expected[n] for n in shards} and set(got) == set(expected)
    # The report differs only in the config's paths (another folder here) and the run's times.
    first, second = (json.load(open(os.path.join(p, REPORT_FILE), encoding="utf-8"))
                     for p in (config.output.path, str(tmp_path / "out")))
    assert {k: v for k, v in first.items() if k not in ("config", "run")} == \
        {k: v for k, v in second.items() if k not in ("config", "run")}
    # The HTML report shows the same example documents.
    first, second = (open(os.path.join(p, REPORT_HTML_FILE), encoding="utf-8").read()
                     for p in (config.output.path, str(tmp_path / "out")))
    examples = first.index("<h2>Examples per reason</h2>")
    assert first.count('<pre class="doc">') >= 10 and first[examples:] == second[second.index("<h2>Examples"):]


def test_compressed_and_parquet_inputs_match_plain_jsonl(spark, tmp_path, sample_run):
    config, report = sample_run
    data = open(SAMPLE, "rb").read()
    (tmp_path / "gz").mkdir()
    (tmp_path / "gz" / "part.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp_path / "zst").mkdir()
    half = len(data.splitlines()) // 2
    lines = data.splitlines(keepends=True)
    (tmp_path / "zst" / "a.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(b"".join(lines[:half])))
    (tmp_path / "zst" / "b.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(b"".join(lines[half:])))
    expected = pq.read_table(config.output.path).sort_by("id").to_pylist()
    for name, paths in [("gz", str(tmp_path / "gz")), ("zst", str(tmp_path / "zst" / "*.jsonl.zst"))]:
        sub = tmp_path / f"run_{name}"
        sub.mkdir()
        got = run(make_config(sub, paths), spark, echo=quiet)
        assert got.totals() == report.totals(), name
        assert pq.read_table(str(sub / "out")).sort_by("id").to_pylist() == expected, name
    # Parquet input: the kept output of the first run goes through again and is kept whole.
    sub = tmp_path / "run_parquet"
    sub.mkdir()
    again = run(make_config(sub, config.output.path), spark, echo=quiet)
    assert again.totals()["kept"] == report.totals()["kept"]


def test_rerun_replaces_output_cleanly(spark, tmp_path):
    config = make_config(tmp_path, SAMPLE)
    run(config, spark, echo=quiet)
    first = sorted(os.listdir(config.output.path))
    assert len([n for n in first if n.endswith(".parquet")]) > 1
    config2 = load_config(str(tmp_path / "job.yaml"), ["output.target_shard_mb=100"])
    run(config2, spark, echo=quiet)
    assert sorted(os.listdir(config.output.path)) == ["_SUCCESS", REPORT_HTML_FILE, REPORT_FILE,
                                                      "part-00000.zstd.parquet"]
    leftovers = [n for n in os.listdir(tmp_path) if ".dps-" in n]
    assert leftovers == []


def test_a_stage_raising_quarantines_only_that_record(spark, tmp_path):
    def fragile(text: str) -> str:
        if "재배포" in text:
            raise ValueError("cannot handle this one")
        return text

    config = make_config(tmp_path, SAMPLE, stages=["normalize"])
    job_plan = Plan(config, (BoundStage(Stage("fragile", "map", fragile)),))
    report = run(config, spark, job_plan=job_plan, echo=quiet)
    n_bad = sum(1 for line in open(SAMPLE, encoding="utf-8") if "재배포" in line)
    assert n_bad > 0
    counts = {r: d for _, r, d, _ in report.by_reason()}
    assert counts["fragile:error:ValueError"] == n_bad
    assert report.invariant()[0]


def test_missing_text_column_is_one_clear_error(spark, tmp_path):
    from dps.config import ConfigError

    path = tmp_path / "in.jsonl"
    path.write_text('{"body": "본문만 있는 문서"}\n', encoding="utf-8")
    config = make_config(tmp_path, str(path))
    with pytest.raises(ConfigError, match="input.text_column: the input has no field 'text' \\(fields: body\\)"):
        run(config, spark, echo=quiet)


def dps_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "dps.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_cli_config_errors_exit_2_with_one_line_and_no_java_stack(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"input: {{paths: {SAMPLE}}}\noutput: {{path: {tmp_path / 'o'}}}\n"
                   "stages: [normalize, gopher_qualty]\n", encoding="utf-8")
    for command in ("validate", "run"):
        result = dps_cli(command, str(bad))
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"dps: error: {bad}: stages[1]: unknown stage 'gopher_qualty' (did you mean 'gopher_quality'?); "
            "known stages: " + ", ".join(__import__("dps.registry", fromlist=["STAGES"]).STAGES)]
    missing = dps_cli("run", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "config file not found" in missing.stderr


def test_cli_validate_and_explain():
    ok = dps_cli("validate", "configs/sample.yaml")
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout and "one Arrow pass" in ok.stdout
    explained = dps_cli("explain", "gopher_repetition")
    assert explained.returncode == 0 and "max_dup_line_fraction" in explained.stdout


def test_tricky_json_lines_are_classified_exactly(spark, tmp_path):
    lines = [
        '{"id": "a", "meta": {"text": 5}, "text": "중첩된 키는 문제가 되지 않는다"}',  # nested non-string "text": kept
        '{"id": "b", "text": {"body": "객체"}}',
        '{"id": "c", "text": 3.5}',
        '{"id": "d", "text": "정상 문서", "extra": [1, 2]}',
        '"a bare string"',
        "null",
        '{"id": "e", "text": "닫히지 않은',
        "",
        "   ",
        '{"id": "f", "text": true}',
        '{"id": "g", "text": [1, "둘"]}',
        '{"id": "h", "text": -7}',
        '{"id": "i", "text": "[속보] 대괄호로 시작하는 문서"}',  # starts like a stringified array: still a string
        '{"id": "j", "text":"2026년 숫자로 시작하는 문서"}',
    ]
    path = tmp_path / "tricky.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = make_config(tmp_path, str(path), stages=["normalize"])
    report = run(config, spark, echo=quiet)
    assert report.input_records == 12  # blank lines are not records
    rejected = {r["dps_raw"]: r["dps_reason"] for r in pq.read_table(config.output.rejected_path).to_pylist()}
    assert rejected == {lines[1]: "read:text_not_string", lines[2]: "read:text_not_string",
                        lines[4]: "read:not_an_object", lines[5]: "read:not_an_object",
                        lines[6]: "read:malformed_json", lines[9]: "read:text_not_string",
                        lines[10]: "read:text_not_string", lines[11]: "read:text_not_string"}
    kept = pq.read_table(config.output.path).sort_by("id").to_pylist()
    assert [r["id"] for r in kept] == ["a", "d", "i", "j"]
    assert kept[1]["extra"] == [1, 2] and kept[2]["text"].startswith("[속보]")


def test_report_counts_what_each_map_stage_changed(sample_run):
    config, report = sample_run
    edits = {e["stage"]: e for e in report.edits}
    assert list(edits) == ["strip_html", "normalize", "reduce_emoticons", "clean_news_boilerplate", "tag_pii"]
    assert edits["reduce_emoticons"]["docs_changed"] > 0 and edits["reduce_emoticons"]["chars_removed"] > 0
    assert edits["clean_news_boilerplate"]["docs_changed"] > 0
    counters = edits["clean_news_boilerplate"]["counters"]
    assert {"byline", "copyright", "reporter_signature"} <= set(counters) and all(n > 0 for n in counters.values())
    assert edits["tag_pii"]["chars_removed"] < 0  # tags add characters
    rejected = pq.read_table(config.output.rejected_path)
    assert not any(c.startswith("_dps") for c in rejected.column_names)


def test_input_without_any_record_is_one_clear_error(spark, tmp_path):
    from dps.config import ConfigError

    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n\nnot json\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="input.paths: no readable JSON record in"):
        run(make_config(tmp_path, str(folder)), spark, echo=quiet)


def test_a_failing_writer_surfaces_its_error_and_commits_nothing(spark, tmp_path, monkeypatch):
    import dps.pipeline

    def failing_writer(*_args, **_kwargs):
        raise OSError("disk full")

    config = make_config(tmp_path, SAMPLE, stages=["normalize"])
    monkeypatch.setattr(dps.pipeline, "stage_shards", failing_writer)
    with pytest.raises(OSError, match="disk full"):
        run(config, spark, echo=quiet)
    assert not os.path.exists(config.output.path)
    # The side jobs (input count, examples) were cancelled or finished: the session runs the next job normally.
    monkeypatch.undo()
    assert run(config, spark, echo=quiet).invariant()[0]


def test_by_source_thresholds_apply_to_that_source_only(spark, tmp_path, sample_run):
    _, report = sample_run
    tuned_stage = {"gopher_quality": {"by_source": {"comments": {"min_words": 1, "min_function_words": None}}}}
    stages = [tuned_stage if s == "gopher_quality" else s for s in STAGES]
    config = make_config(tmp_path, SAMPLE, stages=stages)
    tuned = run(config, spark, echo=quiet)
    before, after = report.by_source(), tuned.by_source()
    assert before["comments"]["kept"] == 0 < after["comments"]["kept"]
    assert {s: v for s, v in after.items() if s != "comments"} == {s: v for s, v in before.items() if s != "comments"}
    doc = json.load(open(os.path.join(config.output.path, REPORT_FILE), encoding="utf-8"))
    [gq] = [s for s in doc["effective_stages"] if s["stage"] == "gopher_quality"]
    assert gq["params"]["min_words"] == 20 and gq["by_source"]["comments"]["min_words"] == 1


def test_report_examples_show_evidence_and_duplicates_beside_their_survivor(spark, tmp_path):
    config = make_config(tmp_path, SAMPLE, stages=["normalize", "gopher_quality", "exact_dedup"])
    run(config, spark, echo=quiet)
    html = open(os.path.join(config.output.path, REPORT_HTML_FILE), encoding="utf-8").read()
    quality = html[html.index('id="m-filtered-gopher-quality'):]
    quality = quality[:quality.index("<h3", 10)]
    assert "evidence: <code>{&quot;rules&quot;: [{&quot;" in quality and "&quot;value&quot;" in quality
    dups = html[html.index('id="m-duplicate-exact-dedup"'):]
    pairs = dups.count('<div class="pair">')
    assert pairs >= 1 and dups.count("<div class=\"meta\">duplicates ") >= pairs
    kept = {r["id"]: r["text"] for r in pq.read_table(config.output.path).to_pylist()}
    survivor_id = dups.split('<div class="meta">duplicates ', 1)[1].split("<", 1)[0]
    assert survivor_id in kept


def test_a_source_column_with_many_values_is_summed_past_report_max_sources(spark, tmp_path):
    """A source column holding URLs must not send a report row per value to the driver: the largest
    report.max_sources sources are listed, the others summed as one; the counts still add up."""
    docs = [{"id": f"d{i}", "source": f"https://site{i % 40}.example/{i}" if i % 7 else "wire",
             "text": f"{i}번째 문서입니다. 오늘 서울에서 주민들이 모여 축제 일정을 논의했다." * (1 + i % 3)}
            for i in range(300)]
    docs.append({"id": "n1", "text": "출처가 없는 문서입니다. 오늘 부산에서 회의가 열렸다."})
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    config = make_config(tmp_path, str(path), stages=["normalize", {"gopher_quality": {"min_words": 12}}])
    config = dataclasses.replace(config, report=dataclasses.replace(config.report, max_sources=3))
    report = run(config, spark, echo=quiet)
    assert report.invariant()[0]
    by_source = report.by_source()
    assert list(by_source) == ["(none)", "(other sources)", *sorted(by_source)[2:]] and len(by_source) == 5
    assert "wire" in by_source  # the largest source (43 documents) is named
    assert sum(sum(c.values()) for c in by_source.values()) == report.input_records == 301
    assert sum(by_source["(none)"].values()) == 1  # a record without a source is never folded
    assert "more sources" not in report.table()  # 5 lines fit the console table


def test_a_bad_spark_sql_setting_is_one_line_naming_its_key_before_any_work(tmp_path):
    """Spark's refusal of a runtime setting's value, and a split size dps cannot size its dedup windows by, are one
    line naming the config key (exit 2), not a Java stack trace from the read."""
    good = tmp_path / "good.yaml"
    good.write_text(f"input: {{paths: {SAMPLE}}}\noutput: {{path: {tmp_path / 'o'}}}\nstages: [normalize]\n",
                    encoding="utf-8")
    key = "spark.settings.spark.sql.files.maxPartitionBytes"
    for value, says in (("lots", "INVALID_CONF_VALUE"), ("0", "expected a positive byte size")):
        result = dps_cli("run", str(good), "--set", f"{key}={value}")
        assert result.returncode == 2, result.stderr
        lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("WARNING: Using incubator")]
        assert len(lines) == 1 and lines[0].startswith(f"dps: error: {good}: {key}: ") and says in lines[0], lines
    assert not (tmp_path / "o").exists()
