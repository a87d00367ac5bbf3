"""`dps profile` in Spark local mode on a small generated input: numbers against a direct computation, the
written files and the self-contained HTML; the run report's HTML page."""

import base64
import dataclasses
import json
import math
import os
import random
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from dps.config import load_config
from dps.pipeline import REPORT_HTML_FILE, run
from dps.plan import plan
from dps.profile import (PROFILE_HTML, PROFILE_JSON, QUANTILES, bucket, compute_profile, profile, profile_plan,
                         profile_rows, summary_table, write_profile)
from dps.text.html import strip_html
from dps.text.normalize import normalize

pytestmark = pytest.mark.spark

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SENTENCES = [
    "정부는 오늘 새로운 경제 정책을 발표했다.", "전문가들은 시장에 긍정적인 영향을 줄 것으로 내다봤다.",
    "이번 조치는 내년 상반기부터 시행된다.", "시민들은 대체로 환영하는 분위기였다.", "다만 일부에서는 우려도 나왔다.",
    "영화 정말 재밌었어요 ㅋㅋㅋㅋ", "배우들 연기가 최고였습니다...", "다음에 또 보러 갈게요!",
]
ODD = [
    "• 첫째 항목\n• 둘째 항목\n• 셋째 항목\n• 넷째 항목",
    "#맛집 #서울 #카페 #추천 #데이트",
    "This review is written in English and says the film was great.",
    "같은 줄\n같은 줄\n같은 줄\n같은 줄",
    "안전 놀이터 메이저 사이트 추천 먹튀 검증 완료 토토 사이트 가입 코드 꽁머니 지급",
    "<p>문의는 010-2345-6789 로 주세요</p><p>감사합니다</p>",
    "ㅋㅋ",
]
STAGES = ["strip_html", "normalize", "spam_filter", "hangul_ratio", "gopher_quality", "gopher_repetition",
          "tag_pii"]


def make_input(path, n=150, seed=7):
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        source = "news" if i % 3 else "reviews"
        if i % 10 == 0:
            text = ODD[(i // 10) % len(ODD)]
        else:
            k = rng.randint(1, 12)
            text = " ".join(rng.choice(SENTENCES) for _ in range(k))
            if rng.random() < 0.3:
                text = text.replace(". ", ".\n")
        lines.append(json.dumps({"id": f"d{i}", "source": source, "text": text}, ensure_ascii=False))
    lines += ['{"id": "bad", "source": "news", "text": "닫히지 않은', '{"id": "notext", "source": "reviews"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def make_config(tmp_path, input_path, stages=STAGES, extra_input=None, name="job.yaml"):
    text = {"input": {"paths": str(input_path), "id_column": "id", **(extra_input or {})},
            "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rejected")},
            "seed": 5, "stages": stages}
    path = tmp_path / name
    path.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")
    return load_config(str(path))


def quiet(_message):
    pass


@pytest.fixture(scope="module")
def profiled(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("profile")
    lines = make_input(tmp / "in.jsonl")
    config = make_config(tmp, tmp / "in.jsonl")
    doc = compute_profile(config, spark, echo=quiet)
    return config, lines, doc


def expected_values(config, lines):
    """The metrics of every readable record, per source, computed in plain Python without Spark."""
    metrics, steps = profile_plan(plan(config).stages)
    records = []
    for line in lines:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if isinstance(r.get("text"), str):
            records.append(r)
    _, _, values, flags = profile_rows([r["text"] for r in records], ["kept"] * len(records), [None] * len(records),
                                       metrics, steps)
    return metrics, records, values, flags


def nearest_rank(sorted_values, q):
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def test_counts_quantiles_removals_and_histograms_match_a_direct_computation(profiled):
    config, lines, doc = profiled
    metrics, records, values, flags = expected_values(config, lines)
    assert doc["records"] == {"read": len(lines), "profiled": len(records),
                              "quarantined": {"read:malformed_json": 1, "read:missing_text": 1}}
    sources = sorted({r["source"] for r in records})
    # Records quarantined on reading carry no columns: they are counted under "(none)", and profiled nowhere.
    assert doc["sources"]["(none)"] == {"records": 2, "profiled": 0, "quarantined": 2}
    assert [s for s, v in doc["sources"].items() if v["profiled"]] == sources and doc["source_column"] == "source"
    assert [m["name"] for m in doc["metrics"]] == [m.name for m in metrics]
    for k, (pm, entry) in enumerate(zip(metrics, doc["metrics"])):
        edges = entry["histogram"]["edges"]
        for source in sources:
            rows = [i for i, r in enumerate(records) if r["source"] == source]
            vals = sorted(values[k][i] for i in rows)
            got = entry["by_source"][source]
            assert got["docs"] == len(rows)
            assert (got["min"], got["max"]) == (vals[0], vals[-1])
            assert got["mean"] == pytest.approx(sum(vals) / len(vals))
            for name, q in QUANTILES:
                assert got[name] == nearest_rank(vals, q), (pm.name, source, name)
            for j, t in enumerate(entry["thresholds"]):
                if t["value"] is None:
                    assert t["removed"] is None
                    continue
                removed = sum(flags[(k, j)][i] for i in rows)
                assert t["removed"][source] == {"docs": removed, "fraction": removed / len(rows)}, pm.name
            bins = [bucket(edges, values[k][i]) for i in rows]
            nbins = len(edges) - 1
            assert entry["histogram"]["counts"][source] == [bins.count(b) for b in range(nbins)], pm.name
            assert entry["histogram"]["below"][source] == bins.count(-1)
            assert entry["histogram"]["above"][source] == bins.count(nbins)


def test_metrics_are_the_texts_as_the_filters_see_them(profiled):
    config, lines, doc = profiled
    entries = {m["name"]: m for m in doc["metrics"]}
    records = [json.loads(line) for line in lines if line.endswith("}") and '"text"' in line]
    news = sorted(len(r["text"]) for r in records if r["source"] == "news")
    assert entries["input.length_chars"]["by_source"]["news"]["p50"] == nearest_rank(news, 0.5)
    words = sorted(len(normalize(strip_html(r["text"])).split()) for r in records if r["source"] == "reviews")
    assert [entries["gopher_quality.words"]["by_source"]["reviews"][q] for q, _ in QUANTILES] == \
        [nearest_rank(words, p) for _, p in QUANTILES]
    # Something is removed by the rules the input was built to trip, and every configured filter metric is there.
    removed = {t["param"] for m in doc["metrics"] for t in m["thresholds"] if t["value"] is not None
               and t["removed_all"]["docs"] > 0}
    assert {"min_words", "max_hash_word_ratio", "max_bullet_line_ratio", "min_hangul_char_ratio",
            "max_dup_line_fraction", "min_spam_weight"} <= removed
    assert entries["tag_pii.pii_spans"]["by_source"]["news"]["max"] >= 1


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.ids, self.external, self.tags = [], set(), [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("src", "href"):
            value = attrs.get(key)
            if value and not value.startswith(("data:", "#")):
                self.external.append(value)


def test_written_profile_is_json_pngs_and_a_self_contained_page(profiled, tmp_path):
    _, _, doc = profiled
    html_path = write_profile(doc, str(tmp_path / "prof"))
    names = sorted(os.listdir(tmp_path / "prof"))
    assert names == sorted([PROFILE_JSON, PROFILE_HTML, *[m["image"] for m in doc["metrics"]]])
    assert json.loads((tmp_path / "prof" / PROFILE_JSON).read_text(encoding="utf-8")) == doc
    page = Page()
    page.feed(open(html_path, encoding="utf-8").read())
    assert page.external == [] and "script" not in page.tags and "link" not in page.tags
    assert len(page.images) == len(doc["metrics"])
    embedded = [base64.b64decode(src.split(",", 1)[1]) for src in page.images]
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in embedded)
    for entry, png in zip(doc["metrics"], embedded):  # every metric has its picture, the one written beside
        assert (tmp_path / "prof" / entry["image"]).read_bytes() == png
        assert any(i.endswith(re.sub(r"[^0-9A-Za-z]", "-", entry["name"])) for i in page.ids), entry["name"]
    assert len(set(embedded)) == len(embedded)
    # A second profile into the same folder replaces the first as a whole (no stale picture); nothing is left
    # beside it.
    smaller = dict(doc, metrics=doc["metrics"][:2])
    write_profile(smaller, str(tmp_path / "prof"))
    assert sorted(os.listdir(tmp_path / "prof")) == sorted([PROFILE_JSON, PROFILE_HTML,
                                                           *[m["image"] for m in smaller["metrics"]]])
    assert sorted(os.listdir(tmp_path)) == ["prof"]


def test_sampling_is_deterministic_whatever_the_partitioning_and_sources_fall_back_to_all(spark, tmp_path):
    lines = make_input(tmp_path / "in.jsonl", n=120, seed=3)
    config = make_config(tmp_path, tmp_path / "in.jsonl", stages=["normalize", "hangul_ratio"],
                         extra_input={"source_column": "no_such_column"})
    first = compute_profile(config, spark, sample_fraction=0.5, echo=quiet)
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2048")  # many more input partitions
    try:
        second = compute_profile(config, spark, sample_fraction=0.5, echo=quiet)
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    assert first == second
    assert list(first["sources"]) == ["all"] and first["source_column"] is None
    assert 0.3 * len(lines) < first["records"]["read"] < 0.7 * len(lines)


def test_profile_of_the_bundled_sample_and_its_summary(spark, tmp_path):
    config = load_config(os.path.join(ROOT, "configs", "sample.yaml"), [f"output.path={tmp_path / 'out'}"])
    # The picture of docs/profile.md's walkthrough; two stages keep the test short.
    config = dataclasses.replace(config, stages=tuple(s for s in config.stages
                                                      if s.name in ("normalize", "gopher_quality")))
    doc, html = profile(config, spark=spark, out_dir=str(tmp_path / "prof"), echo=quiet)
    assert html == str(tmp_path / "prof" / PROFILE_HTML)
    table = summary_table(doc)
    assert "stages.gopher_quality.min_words=20" in table and "comments" in table
    words = next(m for m in doc["metrics"] if m["name"] == "gopher_quality.words")
    assert words["thresholds"][0]["removed"]["comments"]["fraction"] == 1.0  # the sample's comments are short


def dps_cli(*args):
    return subprocess.run([sys.executable, "-m", "dps.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_profile_user_errors_exit_2_with_one_line(tmp_path):
    bad = dps_cli("profile", "configs/sample.yaml", "--sample-fraction", "0")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "dps: error: --sample-fraction: must be in (0, 1], got 0"]
    # A nightly config's dedup index needs a run id to run, not to profile.
    nightly = tmp_path / "nightly.yaml"
    nightly.write_text(f"input: {{paths: {ROOT}/sample/corpus.jsonl}}\noutput: {{path: {tmp_path / 'o'}}}\n"
                       f"index: {{path: {tmp_path / 'ix'}}}\nstages: [normalize, exact_dedup]\n", encoding="utf-8")
    assert "needs a run id" in dps_cli("validate", str(nightly)).stderr
    fraction = dps_cli("profile", str(nightly), "--sample-fraction", "2")
    assert fraction.returncode == 2 and "--sample-fraction: must be in (0, 1], got 2" in fraction.stderr
    missing = dps_cli("profile", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "config file not found" in missing.stderr
    (tmp_path / "keep.txt").write_text("mine")
    occupied = dps_cli("profile", "configs/sample.yaml", "--out", str(tmp_path))
    assert occupied.returncode == 2 and "is not a dps profile" in occupied.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_run_report_html_shows_reasons_per_source_and_pii_tagged_examples(spark, tmp_path):
    phone = "010-2345-6789"
    docs = [{"id": f"k{i}", "source": "news", "text": " ".join(SENTENCES[:5]) + f" 기사 번호 {i}번입니다."}
            for i in range(4)]
    docs += [{"id": f"s{i}", "source": "reviews", "text": f"짧은 댓글 {i} 연락 {phone}"} for i in range(5)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\nnot json\n", encoding="utf-8")
    config = make_config(tmp_path, path, stages=["normalize", "gopher_quality", "tag_pii"])
    report = run(config, spark, echo=quiet)
    html = (tmp_path / "out" / REPORT_HTML_FILE).read_text(encoding="utf-8")
    assert (tmp_path / "rejected" / REPORT_HTML_FILE).read_text(encoding="utf-8") == html
    page = Page()
    page.feed(html)
    assert page.external == [] and "script" not in page.tags and "svg" in page.tags
    assert phone not in html and "&lt;|tel_start|&gt;010-" in html  # rejected documents tagged for display
    section = html[html.index('id="m-filtered-gopher-quality-too-few-words"'):html.index('id="m-quarantined')]
    assert section.count('<pre class="doc">') == 3  # 5 documents with that reason, 3 shown
    assert "source reviews · id s" in section
    assert "not json" in html[html.index('id="m-quarantined-read-malformed-json"'):]
    for status, reason, docs_, _ in report.by_reason():
        assert escape_text(reason or status) in html
    rows = re.findall(r"<tr><td>filtered</td>.*?</tr>", html)
    assert rows and all(">5<" in r for r in rows)  # the reviews column and the total


def escape_text(text):
    from html import escape

    return escape(text)


def test_stage_totals_are_what_each_filter_rejects_where_it_stands(profiled):
    config, lines, doc = profiled
    job_plan = plan(config)
    records = [r for r in (json.loads(x) for x in lines if _readable(x)) if isinstance(r.get("text"), str)]
    alone: dict = {}
    in_order: dict = {}
    for r in records:
        text, rejected = r["text"], False
        for position, stage in enumerate(job_plan.stages):
            if stage.kind == "map":
                text = stage.apply(text)
            elif stage.kind == "filter" and stage.apply(text) is not None:
                alone.setdefault(position, {}).setdefault(r["source"], 0)
                alone[position][r["source"]] += 1
                if not rejected:
                    in_order.setdefault(position, {}).setdefault(r["source"], 0)
                    in_order[position][r["source"]] += 1
                rejected = True
    entries = {e["position"]: e for e in doc["stages_removed"]}
    assert set(entries) == {p for p, s in enumerate(job_plan.stages) if s.kind == "filter"} and alone
    for position, entry in entries.items():
        assert entry["stage"] == job_plan.stages[position].name
        got = {s: v["docs"] for s, v in entry["removed"].items() if v["docs"]}
        assert got == alone.get(position, {}), entry["stage"]
        got = {s: v["docs"] for s, v in entry["removed_in_order"].items() if v["docs"]}
        assert got == in_order.get(position, {}), entry["stage"]
    assert "all its thresholds" in summary_table(doc) and "after the stages before it" in summary_table(doc)


def _readable(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
