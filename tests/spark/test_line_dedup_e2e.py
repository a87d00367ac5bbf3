"""line_dedup in Spark local mode, on small invented Korean pages built here (site templates around articles)."""

import json
import random

import pyarrow.parquet as pq
import pytest

from dps.config import ConfigError, InputConfig, JobConfig, OutputConfig, load_config
from dps.dedup.lines import CHARS, EXAMPLES, LINES, line_dedup
from dps.pipeline import run

pytestmark = pytest.mark.spark

SCHEMA = "id string, source string, text string, dps_status string, dps_reason string, dps_raw string"
CONFIG = JobConfig(source="test", input=InputConfig(paths=("x",), id_column="id", source_column="source"),
                   output=OutputConfig(path="x"), stages=(), seed=5)

MENU = "홈\n뉴스\n스포츠\n연예\n로그인\n회원가입"
FOOTER = "ⓒ 한빛일보 무단전재 및 재배포 금지"
RELATED = "관련 기사 더보기 | 많이 본 뉴스 {n}건"
PLACES = ["서울", "부산", "대전", "광주", "인천", "수원", "청주", "전주", "강릉", "제주"]
THINGS = ["새 도로 공사를", "물가 대책을", "축제 일정을", "버스 노선을", "안전 점검을", "예산 계획을"]
VERBS = ["발표했다", "검토하고 있다", "연기했다", "요구했다", "마무리했다", "환영했다"]


def body(rng, n=4):
    return "\n".join(f"{rng.choice(PLACES)}시는 {rng.randint(2, 9999)}번째 {rng.choice(THINGS)} "
                     f"{rng.choice(VERBS)}고 {rng.choice(PLACES)} 주민 {rng.randint(2, 999)}명이 밝혔다."
                     for _ in range(n))


def page(rng, i):
    return f"{MENU}\n\n{body(rng)}\n안녕하세요.\n{body(rng, 2)}\n{RELATED.format(n=i)}\n{FOOTER}"


def frame(spark, rows, partitions=None):
    df = spark.createDataFrame([(i, src, text, status, None, None) for i, src, text, status in rows], SCHEMA)
    return df.repartition(partitions) if partitions else df


def by_id(df):
    return {r["id"]: r.asDict() for r in df.collect()}


def test_site_template_lines_go_and_article_lines_stay(spark):
    rng = random.Random(3)
    pages = [(f"p{i:02d}", "site", page(rng, i), "kept") for i in range(12)]
    rows = pages + [("f", "site", page(rng, 99), "filtered"), ("q", "site", "짧은 글 하나", "kept")]
    out = by_id(line_dedup(frame(spark, rows, 3), config=CONFIG, min_run_docs=0, min_docs=10))
    for doc_id, _, text, _ in pages:
        new = out[doc_id]["text"]
        assert "로그인" not in new and "무단전재" not in new and "관련 기사" not in new
        assert "안녕하세요." in new  # a short line never counts on its own
        assert new.split("\n")[0] == text.split("\n")[7]  # the first body line now opens the page
        assert out[doc_id][LINES] == 6 + 2 and out[doc_id][CHARS] == len(text) - len(new)
        assert out[doc_id]["dps_status"] == "kept"
    # Filtered rows pass through untouched (and do not count); an unrepeated page is not changed.
    assert out["f"]["text"] == rows[-2][2] and out["f"][LINES] is None
    assert out["q"]["text"] == "짧은 글 하나" and out["q"][LINES] is None and out["q"][EXAMPLES] is None
    # Each removed unit is reported once, with its count, in the document holding its first occurrence.
    shown = [e for r in out.values() for e in (r[EXAMPLES] or [])]
    assert sorted(e["line"] for e in shown if not e["line"].startswith("관련")) == sorted([MENU, FOOTER])
    assert [e["line"][:6] for e in shown if e["line"].startswith("관련")] == ["관련 기사 "]  # digits collapsed
    assert {e["docs"] for e in shown} == {12}


def test_threshold_keep_first_and_exact_copies(spark):
    rng = random.Random(5)
    pages = [(f"p{i}", "site", page(rng, i), "kept") for i in range(5)]
    copies = [(f"c{i}", "site", pages[0][2], "kept") for i in range(6)]  # exact copies count once
    out = by_id(line_dedup(frame(spark, pages + copies), config=CONFIG, min_run_docs=0, min_docs=6))
    assert all(r[LINES] is None for r in out.values())
    out = by_id(line_dedup(frame(spark, pages + copies), config=CONFIG, min_run_docs=0, min_docs=5, keep_first=True))
    kept_menu = [k for k, r in out.items() if r["text"].startswith("홈\n뉴스")]
    assert len({out[k]["text"] for k in kept_menu}) == 1 and len(kept_menu) in (1, 7)  # one text keeps it
    assert sum(1 for r in out.values() if "무단전재" in r["text"]) == len(kept_menu)


def test_min_sources_and_deterministic_across_partitions(spark):
    rng = random.Random(7)
    rows = [(f"p{i:02d}", f"site{i % 2}", page(rng, i), "kept") for i in range(12)]
    one = by_id(line_dedup(frame(spark, rows, 1), config=CONFIG, min_run_docs=0, min_docs=10, min_sources=3))
    assert all(r[LINES] is None for r in one.values())  # only two sources
    a = by_id(line_dedup(frame(spark, rows, 1), config=CONFIG, min_run_docs=0, min_docs=10, min_sources=2))
    b = by_id(line_dedup(frame(spark, rows, 5), config=CONFIG, min_run_docs=0, min_docs=10, min_sources=2))
    assert a == b and all(r[LINES] == 8 for r in a.values())


def test_bad_parameters_are_one_line_naming_the_key(spark):
    df = frame(spark, [("a", "s", "글", "kept")])
    with pytest.raises(ConfigError, match=r"stages\.line_dedup: min_docs must be at least 2"):
        line_dedup(df, config=CONFIG, min_run_docs=0, min_docs=1)
    no_source = JobConfig(source="test", input=InputConfig(paths=("x",), source_column=None),
                          output=OutputConfig(path="x"), stages=())
    with pytest.raises(ConfigError, match=r"min_sources > 1 needs input\.source_column"):
        line_dedup(df, config=no_source, min_sources=2)
    other = JobConfig(source="test", input=InputConfig(paths=("x",), source_column="domain"),
                      output=OutputConfig(path="x"), stages=())
    with pytest.raises(ConfigError, match=r"^test: stages\.line_dedup: .* has no column 'domain'$"):
        line_dedup(df, config=other, min_sources=2)


def test_pipeline_reports_lines_and_shows_them(spark, tmp_path):
    rng = random.Random(11)
    path = tmp_path / "in.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(12):
            fh.write(json.dumps({"id": f"p{i:02d}", "source": "site", "text": page(rng, i)}, ensure_ascii=False)
                     + "\n")
        fh.write(json.dumps({"id": "menu-only", "source": "site", "text": f"{MENU}\n{FOOTER}"},
                            ensure_ascii=False) + "\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"input: {{paths: [{path}], id_column: id, source_column: source}}\n"
                   f"output: {{path: {tmp_path / 'out'}, rejected_path: {tmp_path / 'rej'}}}\n"
                   "stages: [normalize, {line_dedup: {min_docs: 10, min_run_docs: 0}}, "
                   "{gopher_quality: {min_words: 5}}, exact_dedup]\nspark: {master: 'local[2]'}\n", encoding="utf-8")
    report = run(load_config(str(cfg)), spark, echo=lambda _m: None)
    assert report.invariant()[0]
    edits = {e["stage"]: e for e in report.edits}
    assert list(edits) == ["normalize", "line_dedup"]
    assert edits["line_dedup"]["docs_changed"] == 13 and edits["line_dedup"]["counters"]["lines_removed"] == 12 * 8 + 7
    # The menu-only page is left empty and rejected by the filter after the stage.
    totals = report.totals()
    assert totals["kept"] == 12 and totals["filtered"] == 1
    kept = pq.read_table(str(tmp_path / "out")).to_pylist()
    # exact_dedup ran: each kept page also carries dup_count (how many pages it stands for)
    assert all("회원가입" not in r["text"] and set(r) == {"id", "source", "text", "dup_count"} for r in kept)
    html = (tmp_path / "out" / "_dps_report.html").read_text(encoding="utf-8")
    assert "Most frequent lines removed by line_dedup" in html and "무단전재 및 재배포 금지" in html


def test_nightly_dedup_sees_the_text_without_repeated_lines(spark, tmp_path):
    """With an index and a map stage after the dedup stages (the index then keeps the text dedup saw), the index
    must key the text line_dedup left: night 2 repeats night 1's articles under a new site template, and
    exact_dedup must still find them in the index."""
    rng = random.Random(13)
    articles = [body(rng, 5) for _ in range(12)]
    old_template = f"{MENU}\n\n{{}}\n{FOOTER}"
    new_template = "메인\n속보\n경제\n사회\n마이페이지\n로그아웃\n\n{}\n© 새날신문. 무단 복제 금지입니다"

    def write(night, template):
        path = tmp_path / f"{night}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i, article in enumerate(articles):
                fh.write(json.dumps({"id": f"{night}-{i}", "text": template.format(article)}, ensure_ascii=False)
                         + "\n")
        return path

    cfg = tmp_path / "nightly.yaml"
    cfg.write_text(f"input: {{paths: x, id_column: id}}\n"
                   f"output: {{path: {tmp_path / 'out'}, rejected_path: {tmp_path / 'rej'}}}\n"
                   f"index: {{path: {tmp_path / 'index'}}}\n"
                   "stages: [normalize, {line_dedup: {min_docs: 10, min_run_docs: 0}}, exact_dedup, tag_pii]\n"
                   "spark: {master: 'local[2]'}\n", encoding="utf-8")
    first = run(load_config(str(cfg), [f"input.paths={write('n1', old_template)}", "run_id=n1"]), spark,
                echo=lambda _m: None)
    assert first.totals()["kept"] == 12
    second = run(load_config(str(cfg), [f"input.paths={write('n2', new_template)}", "run_id=n2"]), spark,
                 echo=lambda _m: None)
    assert second.invariant()[0]
    assert {r.reason for r in second.rows} == {"exact_dedup:index"} and second.totals()["duplicate"] == 12
    # line_dedup after a dedup stage would break that, so with an index it is refused.
    bad = tmp_path / "bad.yaml"
    bad.write_text(cfg.read_text(encoding="utf-8").replace(
        "{line_dedup: {min_docs: 10, min_run_docs: 0}}, exact_dedup",
        "exact_dedup, {line_dedup: {min_docs: 10, min_run_docs: 0}}"), encoding="utf-8")
    with pytest.raises(ConfigError, match="line_dedup must come before exact_dedup"):
        run(load_config(str(bad), [f"input.paths={tmp_path / 'n2.jsonl'}", "run_id=n3"]), spark,
            echo=lambda _m: None)


def test_small_runs_remove_nothing_and_the_join_gives_what_the_shipped_units_give(spark, monkeypatch):
    import dps.dedup.lines as stage

    rng = random.Random(17)
    rows = [(f"p{i:02d}", "site", page(rng, i), "kept") for i in range(12)] + [("f", "site", "글", "filtered")]
    df = frame(spark, rows, 3)
    # Fewer kept documents than min_run_docs (default 1000): nothing is counted as frequent.
    small = by_id(line_dedup(df, config=CONFIG, min_docs=10))
    assert all(small[i][LINES] is None and small[i]["text"] == text for i, _, text, _ in rows)
    assert by_id(line_dedup(df, config=CONFIG, min_docs=10, min_run_docs=13))["p00"][LINES] is None
    shipped = by_id(line_dedup(df, config=CONFIG, min_docs=10, min_run_docs=12))
    assert shipped["p00"][LINES] == 8
    # More frequent units than MAX_FREQUENT: the removals are joined back instead, with the same result.
    monkeypatch.setattr(stage, "MAX_FREQUENT", 1)
    assert by_id(line_dedup(df, config=CONFIG, min_docs=10, min_run_docs=12)) == shipped
    for keep_first in (False, True):
        monkeypatch.setattr(stage, "MAX_FREQUENT", 1)
        joined = by_id(line_dedup(df, config=CONFIG, min_docs=5, min_run_docs=0, keep_first=keep_first))
        monkeypatch.setattr(stage, "MAX_FREQUENT", 750_000)
        assert by_id(line_dedup(df, config=CONFIG, min_docs=5, min_run_docs=0, keep_first=keep_first)) == joined


def test_nights_add_up_their_line_counts(spark, tmp_path, monkeypatch):
    """Night 1 has a footer on 4 pages and a promo line on 2, night 2 each on 4 and 3 (min_docs 8): the footer goes
    on night 2 (4 + 4), the promo line stays (2 + 3). A failed run's counts and a rerun's own earlier attempt never
    count (either would take the promo line to 8)."""
    from dps.dedup.index import IndexStore
    from dps.text.lines import line_keys, unit_hash

    rng = random.Random(19)
    promo = "많이 본 뉴스 더보기를 눌러 주세요"

    def night(name, footers, promos):
        path = tmp_path / f"{name}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i in range(6):
                lines = [body(rng, 3)] + ([promo] if i < promos else []) + ([FOOTER] if i < footers else [])
                fh.write(json.dumps({"id": f"{name}-{i}", "text": "\n".join(lines)}, ensure_ascii=False) + "\n")
        return path

    cfg = tmp_path / "nightly.yaml"
    cfg.write_text(f"input: {{paths: x, id_column: id}}\n"
                   f"output: {{path: {tmp_path / 'out'}, rejected_path: null}}\n"
                   f"index: {{path: {tmp_path / 'index'}}}\n"
                   "stages: [normalize, {line_dedup: {min_docs: 8, min_run_docs: 0}}, exact_dedup]\n"
                   "spark: {master: 'local[2]'}\n", encoding="utf-8")

    def go(run_id, path):
        report = run(load_config(str(cfg), [f"input.paths={path}", f"run_id={run_id}"]), spark, echo=lambda _m: None)
        assert report.invariant()[0]
        return {r["id"]: r["text"] for r in pq.read_table(str(tmp_path / "out" / f"run_id={run_id}")).to_pylist()}

    n1 = go("n1", night("n1", 4, 2))
    assert sum(FOOTER in t for t in n1.values()) == 4 and sum(promo in t for t in n1.values()) == 2
    # What night 1 stored beside its index rows: units seen in >= 2 of its documents, hash -> documents only.
    counts = pq.read_table(str(next((tmp_path / "index" / "runs" / "n1").iterdir()) / "_line_counts_10"))
    stored = dict(zip(counts.column("hash").to_pylist(), counts.column("docs").to_pylist()))
    assert counts.schema.names == ["hash", "docs"] and min(stored.values()) >= 2
    assert stored[unit_hash(line_keys(FOOTER)[0])] == 4 and stored[unit_hash(line_keys(promo)[0])] == 2

    def refuse(*_args, **_kwargs):
        raise RuntimeError("injected: the index commit failed")

    with monkeypatch.context() as patch:  # a run that fails before its index commit: its counts are on disk
        patch.setattr(IndexStore, "commit", refuse)
        with pytest.raises(RuntimeError, match="injected"):
            go("failed", night("failed", 0, 3))
    n2_input = night("n2", 4, 3)
    n2 = go("n2", n2_input)
    assert not any(FOOTER in t for t in n2.values()) and sum(promo in t for t in n2.values()) == 3
    assert go("n2", n2_input) == n2  # a rerun: night 1's counts only, not its own first attempt's
    assert len(list((tmp_path / "index" / "runs" / "n2").iterdir())) == 1
