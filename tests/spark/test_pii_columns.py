"""tag_pii on chosen columns besides the text (`tag_pii: {columns: [title, url]}`): same seeded surrogates, checked
against the input before any stage runs, applied per Arrow batch in the same fused pass."""

import json
from types import SimpleNamespace

import pyarrow.parquet as pq
import pytest

from dps.config import ConfigError, StageSpec, load_config
from dps.registry import bind
from dps.spark.arrow import run_chain, stage_columns
from dps.text.pii import tag_pii

SEED = 9
TITLE = "[긴급] 담당자 010-2345-6789 / hong.gildong@naver.com 연락 바랍니다"
URL = "https://example.co.kr/board?writer=kim_sj77@daum.net&tel=02-3147-8562"
TEXT = "본문에는 개인정보가 없습니다. 행사는 다음 주 월요일에 열립니다."


def tagger(**params):
    return bind(StageSpec("tag_pii", params, "stages[0]"), SEED, "job.yaml")


def test_the_stage_runs_on_other_columns_with_the_same_seeded_surrogates():
    stage = tagger(columns=["title", "url"])
    titles, urls = [TITLE, None, TITLE, "평범한 제목"], [URL, URL, URL, None]
    texts, status, reason, _, _ = run_chain([TEXT, TEXT, TEXT, TEXT], ["kept", "kept", "filtered", "kept"],
                                            [None, None, "x:y", None], [stage], other={0: [titles, urls]})
    assert status == ["kept", "kept", "filtered", "kept"] and texts[0] == TEXT
    expected = tag_pii(TITLE, seed=SEED)
    assert titles == [expected, None, TITLE, "평범한 제목"]  # a filtered row is not processed, None stays None
    assert "<|tel_start|>010-" in expected and "<|email_start|>" in expected and "2345-6789" not in expected
    assert urls[:2] == [tag_pii(URL, seed=SEED)] * 2 and urls[2] == URL
    assert "kim_sj77@" not in urls[0] and "3147-8562" not in urls[0]


def test_a_failure_on_a_column_quarantines_the_record():
    from dps.registry import BoundStage, Stage

    def fragile(text: str, *, columns: tuple[str, ...] = ()) -> str:
        if "BOOM" in text:
            raise ValueError("bad value")
        return text

    stage = BoundStage(Stage("fragile", "map", fragile), {"columns": ("title",)})
    titles = ["ok", "BOOM"]
    _, status, reason, _, _ = run_chain(["a", "b"], ["kept", "kept"], [None, None], [stage], other={0: [titles]})
    assert status == ["kept", "quarantined"] and reason == [None, "fragile:error:ValueError"]


def frame(**types):
    from pyspark.sql import types as T

    fields = [T.StructField(n, t, True) for n, t in {"text": T.StringType(), "id": T.StringType(), **types}.items()]
    return SimpleNamespace(schema=T.StructType(fields))


def job(tmp_path):
    cfg = tmp_path / "job.yaml"
    cfg.write_text(f"input: {{paths: {tmp_path / 'in.jsonl'}, id_column: id}}\noutput: {{path: {tmp_path / 'o'}}}\n"
                   "stages: [normalize]\n", encoding="utf-8")
    return load_config(str(cfg), check_paths=False)


@pytest.mark.parametrize("columns, message", [
    (["headline"], "stages.tag_pii.columns: the data has no field 'headline' (fields: id, title, og.title, n)"),
    (["text"], "stages.tag_pii.columns: 'text' is the text column, which tag_pii always runs on"),
    (["id"], "stages.tag_pii.columns: 'id' is input.id_column"),
    (["dps_raw"], "stages.tag_pii.columns: 'dps_raw' is a column dps writes"),
    (["n"], "stages.tag_pii.columns: column 'n' holds bigint, not strings"),
])
def test_columns_are_checked_against_the_input_in_one_line(tmp_path, columns, message):
    from pyspark.sql import types as T

    (tmp_path / "in.jsonl").write_text("{}\n")
    config = job(tmp_path)
    df = frame(title=T.StringType(), _dps_col3=T.StringType(), n=T.LongType())
    originals = ["text", "id", "title", "og.title", "n"]
    with pytest.raises(ConfigError) as failure:
        stage_columns([tagger(columns=columns)], config, df, originals, {"og.title": "_dps_col3"})
    assert str(failure.value).startswith(f"{config.source}: {message}") and "\n" not in str(failure.value)
    found = stage_columns([tagger(columns=["og.title", "title", "title"]), tagger()], config, df, originals,
                          {"og.title": "_dps_col3"})
    assert found == (("_dps_col3", "title"), ())  # dotted names travel under their plain names; listed once


def test_columns_must_be_a_list_of_strings():
    with pytest.raises(ConfigError, match=r"job.yaml: stages\[0\].tag_pii.columns: expected a list of strings"):
        tagger(columns="title")


@pytest.mark.spark
def test_a_run_tags_the_chosen_columns_of_kept_rows_only(spark, tmp_path):
    from dps.pipeline import run

    rows = [{"id": "a", "title": TITLE, "url": URL, "author": "010-9876-5432", "text": TEXT},
            {"id": "b", "title": TITLE, "url": None, "author": "x", "text": "짧음"}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    cfg = tmp_path / "job.yaml"
    cfg.write_text(f"input: {{paths: {tmp_path / 'in.jsonl'}, id_column: id}}\n"
                   f"output: {{path: {tmp_path / 'out'}, rejected_path: {tmp_path / 'rej'}}}\n"
                   f"seed: {SEED}\nstages: [normalize, {{gopher_quality: {{min_words: 3}}}}, "
                   "{tag_pii: {columns: [title, url]}}]\n", encoding="utf-8")
    report = run(load_config(str(cfg)), spark, echo=lambda _m: None)
    assert report.invariant()[0]
    kept = pq.read_table(str(tmp_path / "out")).to_pylist()
    assert [(r["id"], r["title"], r["url"], r["author"]) for r in kept] == [
        ("a", tag_pii(TITLE, seed=SEED), tag_pii(URL, seed=SEED), "010-9876-5432")]  # author was not chosen
    rejected = pq.read_table(str(tmp_path / "rej")).to_pylist()
    assert [(r["id"], r["title"]) for r in rejected] == [("b", TITLE)]  # rejected rows are not tagged
    cfg.write_text(cfg.read_text().replace("[title, url]", "[title, headline]"))
    with pytest.raises(ConfigError, match="stages.tag_pii.columns: the data has no field 'headline'"):
        run(load_config(str(cfg)), spark, echo=lambda _m: None)


def test_a_row_s_values_are_tagged_with_its_source_s_parameters():
    stage = tagger(columns=["title"], by_source={"review": {"mode": "mask"}})
    titles = [TITLE, TITLE]
    run_chain([TEXT, TEXT], ["kept", "kept"], [None, None], [stage], sources=["news", "review"], other={0: [titles]})
    assert titles == [tag_pii(TITLE, seed=SEED), tag_pii(TITLE, seed=SEED, mode="mask")]
    assert "<|tel|>" in titles[1] and "010-" not in titles[1]
