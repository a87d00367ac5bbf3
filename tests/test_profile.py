"""The profile's metrics and thresholds agree with the filters; the per-row core and the histogram binning."""

import fnmatch
import json
import os
import subprocess
import sys

import pytest

from dps.config import ConfigError, StageSpec, load_config
from dps.plan import plan
from dps.profile import (
    LENGTH_CHARS,
    bin_edges,
    bucket,
    check_out_dir,
    check_sample_fraction,
    pct,
    profile_plan,
    profile_rows,
)
from dps.registry import STAGES, BoundStage, Stage, bind

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LITERALS = [
    "오늘 서울에서 열린 회의에서 정부는 새로운 정책을 발표했다. "
    "전문가들은 이번 조치가 시장에 긍정적인 영향을 줄 것이라고 내다봤다. "
    "다만 일부에서는 부작용을 걱정하는 목소리도 나왔으며 정부는 보완책을 마련하겠다고 밝혔다.",
    "사진 잘 봤어요 ㅎㅎ",
    "#맛집 #서울 #카페 #데이트 오늘 다녀온 곳 #추천 #주말",
    "좋다... 정말... 최고... 영화... 다시... 보고... 싶다... 그런데... 너무... 길다...",
    "• 첫째 항목입니다\n• 둘째 항목입니다\n• 셋째 항목입니다\n- 넷째 항목입니다",
    "• 첫째 항목\n• 둘째 항목",  # bullets, but too few lines for the bullet rule
    "This page is written in English only, with a number 2024 and nothing Korean at all.",
    "123 456 789 2024 10 20 30 40 50 60 70 80 90 100 가격 표",
    "같은 줄입니다\n같은 줄입니다\n같은 줄입니다\n다른 줄입니다",
    "나는 오늘 학교에 갔다 " * 6,
    "가나다라마바사아자차카타파하 " * 5,
    "신규 가입 즉시 꽁머니 지급! 안전 놀이터 메이저 사이트 추천 먹튀 검증 완료 토토 사이트 가입 코드 입력",
    "카지노 관련 법안이 국회를 통과했다. 정부는 불법 도박을 막겠다고 밝혔다.",
    "문단 하나입니다.\n\n문단 둘입니다.\n\n문단 하나입니다.",
    "",
    "   ",
    "...!!!",
    "ㅋㅋㅋㅋ ㅠㅠ",
]


def corpus_texts():
    texts = list(LITERALS)
    with open(os.path.join(ROOT, "sample", "corpus.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                texts.append(record["text"])
    return texts


def rule_params(stage: Stage) -> set[str]:
    return {rule.param for metric in stage.metrics for rule in metric.rules}


def isolated(stage: Stage, param: str, limit) -> dict:
    """Every other rule of the stage off where it can be turned off, this rule at `limit`. A control that scales
    other rules' thresholds (gopher_repetition.ngram_scale) keeps those rules on: they are its family."""
    family = {r.param for m in stage.metrics for r in m.rules if r.scale_param == param}
    params = {p: None for p in rule_params(stage) if p != param and _optional(stage, p) and p not in family}
    params[param] = limit
    return params


def _optional(stage: Stage, param: str) -> bool:
    return "None" in str(stage.params[param].annotation)


FILTERS = [name for name, s in STAGES.items() if s.kind == "filter"]
# min_/max_ parameters that shape how a metric is computed or when a rule applies, not a threshold of their own.
SETTINGS = {"min_lines_for_bullet_rule", "max_term_repeats", "min_lines_for_line_rules"}


@pytest.mark.parametrize("name", FILTERS)
def test_every_filter_exposes_metrics_for_all_its_threshold_parameters(name):
    stage = STAGES[name]
    assert stage.metrics_fn is not None and stage.metrics, name
    thresholded = rule_params(stage)
    for param in stage.params:
        if param.startswith(("min_", "max_")) and param not in SETTINGS:
            assert param in thresholded, f"{name}.{param} has no profile metric"
    for param in thresholded:
        assert param in stage.params, f"{name}: rule names unknown parameter {param}"


@pytest.mark.parametrize("name", FILTERS)
def test_metric_beyond_threshold_iff_the_filter_rejects_for_that_reason(name):
    """For every rule alone, at the default and at observed values (boundaries included): the profile says
    'removed' exactly when the filter rejects with the rule's reason."""
    stage = STAGES[name]
    texts = corpus_texts()
    if name == "hangul_ratio":  # no counted character: the filter says 'empty', the ratio is 0.0
        empties = [t for t in texts if hangul_empty(t)]
        assert empties and all(stage.metrics_fn(t)["hangul_char_ratio"] == 0.0 for t in empties)
        texts = [t for t in texts if not hangul_empty(t)]
    for metric in stage.metrics:
        for rule in metric.rules:
            default = stage.params[rule.param].default
            defaults = {n: p.default for n, p in stage.params.items()}
            observed = sorted({stage.metrics_fn(t, **defaults)[metric.name] for t in texts})
            limits = {default, *[observed[int(q * (len(observed) - 1))] for q in (0.1, 0.5, 0.9)]}
            fired = 0
            for limit in sorted(x for x in limits if x is not None):
                bound = bind(StageSpec(name, isolated(stage, rule.param, limit), "stages[0]"), seed=0)
                params = bound.effective_params
                for text in texts:
                    measured = bound.metrics(text)
                    says = rule.rejects(metric.name, measured, params)
                    got = bound.apply(text)
                    does = got is not None and fnmatch.fnmatchcase(got, rule.reason)
                    assert says == does, (name, rule.param, limit, text[:80], measured[metric.name], got)
                    fired += says
            assert fired, f"{name}.{rule.param}: no text beyond any tested limit; the test proves nothing"


def hangul_empty(text):
    from dps.text.hangul import _counts

    return not text or text.isspace() or _counts(text, True)[1] == 0


def config_for(tmp_path, stages, name="job.yaml"):
    text = {"input": {"paths": os.path.join(ROOT, "sample", "corpus.jsonl")},
            "output": {"path": str(tmp_path / "out")}, "seed": 3, "stages": stages}
    path = tmp_path / name
    path.write_text(json.dumps(text, ensure_ascii=False), encoding="utf-8")
    return load_config(str(path))


def test_profile_plan_covers_every_configured_filter_metric():
    config = load_config(os.path.join(ROOT, "configs", "korean_web.yaml"))
    metrics, steps = profile_plan(plan(config).stages)
    names = [m.name for m in metrics]
    assert names[0] == "input.length_chars" and len(set(names)) == len(names)
    for stage in plan(config).stages:
        for spec in stage.metric_specs():
            assert f"{stage.name}.{spec.name}" in names
    assert {"gopher_quality.words", "gopher_quality.mean_word_chars", "gopher_quality.hash_word_ratio",
            "gopher_quality.ellipsis_word_ratio", "gopher_quality.bullet_line_ratio",
            "gopher_quality.ellipsis_line_ratio", "gopher_quality.alpha_word_ratio", "gopher_quality.function_words",
            "hangul_ratio.hangul_char_ratio", "spam_filter.spam_weight", "spam_filter.spam_density",
            "tag_pii.pii_spans"} <= set(names)
    assert sum(n.startswith("gopher_repetition.") for n in names) == 14  # 13 rules and the n-gram family
    words = metrics[names.index("gopher_quality.words")]
    assert words.limits == (20, 100_000) and words.active_rules == (0, 1)
    # Nothing is measured after tag_pii, so no step applies it; maps before the last measurement do apply.
    assert [s.stage.name for s in steps if s.apply] == ["fix_encoding", "strip_html", "normalize",
                                                      "reduce_emoticons", "clean_news_boilerplate"]


def test_function_words_only_when_their_rule_is_on_and_pii_only_with_tag_pii(tmp_path):
    config = config_for(tmp_path, [{"gopher_quality": {"min_function_words": None, "max_words": None}}])
    metrics, _ = profile_plan(plan(config).stages)
    names = [m.name for m in metrics]
    assert "gopher_quality.function_words" not in names and "gopher_quality.words" in names
    assert not any(n.startswith("tag_pii") for n in names)
    words = metrics[names.index("gopher_quality.words")]
    assert words.limits == (20, None) and words.active_rules == (0,)


def test_a_stage_twice_gets_two_metric_names(tmp_path):
    config = config_for(tmp_path, ["hangul_ratio", "normalize", {"hangul_ratio": {"min_hangul_char_ratio": 0.5}}])
    metrics, _ = profile_plan(plan(config).stages)
    assert [m.name for m in metrics] == ["input.length_chars", "hangul_ratio.hangul_char_ratio",
                                         "hangul_ratio#2.hangul_char_ratio"]
    assert metrics[2].file_name == "hangul_ratio_2.hangul_char_ratio.png"


def test_metrics_are_measured_on_the_text_each_filter_sees(tmp_path):
    config = config_for(tmp_path, ["strip_html", {"gopher_quality": {"min_lines_for_bullet_rule": 1}},
                                   "reduce_emoticons", "gopher_repetition"])
    metrics, steps = profile_plan(plan(config).stages)
    names = [m.name for m in metrics]
    html = "<p>• 첫 항목입니다</p><p>• 둘째 항목</p><p>ㅋㅋㅋㅋㅋㅋ 웃긴 글</p><p>ㅋㅋ 웃긴 글</p>"
    statuses, reasons, values, flags = profile_rows([html, None], ["kept", "quarantined"], [None, "read:x"],
                                                    metrics, steps)
    value = {n: values[k][0] for k, n in enumerate(names)}
    assert value["input.length_chars"] == len(html)
    assert value["gopher_quality.lines"] == 4  # strip_html ran first: one line per <p>
    assert value["gopher_quality.bullet_line_ratio"] == 0.5
    # reduce_emoticons ran before gopher_repetition: ㅋㅋㅋㅋㅋㅋ became ㅋㅋ, so the last two lines are equal.
    assert value["gopher_repetition.dup_line_fraction"] == 0.25
    assert all(column[1] is None for column in values) and statuses[1] == "quarantined"
    k = names.index("gopher_quality.words")
    assert flags[(k, 0)] == [True, None]  # 9 words < min_words 20
    assert statuses == ["kept", "quarantined"] and reasons == [None, "read:x"]


def test_a_raising_stage_quarantines_the_row_in_the_profile():
    def fragile(text: str) -> str:
        if "폭탄" in text:
            raise ValueError("boom")
        return text

    hangul = bind(StageSpec("hangul_ratio", {}, "stages[1]"), seed=0)
    metrics, steps = profile_plan([BoundStage(Stage("fragile", "map", fragile)), hangul])
    statuses, reasons, values, flags = profile_rows(["좋은 글", "폭탄 글"], ["kept", "kept"], [None, None],
                                                    metrics, steps)
    assert statuses == ["kept", "quarantined"] and reasons == [None, "fragile:error:ValueError"]
    assert values[1] == [1.0, None] and values[0] == [4.0, None]
    assert flags[(1, 0)] == [False, None]


def test_kiwi_mode_is_not_loaded_to_plan_a_profile(tmp_path):
    """Planning happens on the driver: Kiwi (seconds to load, hundreds of MB) must load only where texts are
    measured."""
    config_for(tmp_path, [{"gopher_quality": {"function_word_mode": "kiwi"}}])
    code = ("import sys; from dps.config import load_config; from dps.plan import plan; "
            "from dps.profile import profile_plan; from dps.text import words; "
            f"m, s = profile_plan(plan(load_config({str(tmp_path / 'job.yaml')!r})).stages); "
            "assert words._kiwi.cache_info().currsize == 0; "
            "assert 'gopher_quality.function_words' in [x.name for x in m]")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_kiwi_mode_metric_is_the_filters_count():
    pytest.importorskip("kiwipiepy")
    from dps.text.gopher_quality import gopher_quality, gopher_quality_profile
    from dps.text.words import count_function_words

    text = LITERALS[0]
    measured = gopher_quality_profile(text, function_word_mode="kiwi")
    assert measured["function_words"] == count_function_words(text, "kiwi", 2000) > 5
    limit = measured["function_words"] + 1
    assert gopher_quality(text, function_word_mode="kiwi", min_function_words=limit) == "too_few_function_words"
    assert gopher_quality(text, function_word_mode="kiwi", min_function_words=limit - 1) is None


def test_pii_spans_counts_what_tag_pii_tags():
    from dps.text.pii import pii_profile, tag_pii

    text = "연락처 010-1234-5678, 메일 hong@example.com 으로 주세요. 가짜 토큰 <|tel_start|>"
    assert pii_profile(text) == {"pii_spans": 2}
    assert tag_pii(text, seed=1).count("_start|>") == 2  # the fake token in the input was neutralized
    assert pii_profile(text, kinds=["email"]) == {"pii_spans": 1}
    assert pii_profile("개인정보 없는 문장") == {"pii_spans": 0}


@pytest.mark.parametrize("scale", ["ratio", "count", "positive", "value"])
def test_bin_edges_increase_and_every_value_falls_in_a_bin(scale):
    from dps.text.profiling import Metric

    values = {"ratio": [0.0, 0.013, 0.5, 1.0], "count": [0, 1, 7, 18, 20, 513, 98_000],
              "positive": [0.0, 0.4, 2.5, 3.3333, 8.0, 41.7], "value": [-3.0, -1.0, 0.0, 2.5, 7.0]}[scale]
    lows, highs = [min(values)], [max(values)]
    edges = bin_edges(Metric("m", scale), lows, highs, [values[1]], [values[-2]], [None])
    assert all(a < b for a, b in zip(edges, edges[1:]))
    nbins = len(edges) - 1
    for v in values:
        b = bucket(edges, v)
        if scale != "value":  # value bins span p1..p99; the rest span the whole range
            assert 0 <= b < nbins, (v, edges)
        if 0 <= b < nbins:
            assert edges[b] <= v <= edges[b + 1]
            assert v < edges[b + 1] or b == nbins - 1
    if scale == "count":
        assert all(e == int(e) for e in edges) and edges[0] == 0
    if scale == "value":
        assert bucket(edges, -3.0) == -1 and bucket(edges, 7.0) == nbins  # beyond p1/p99: below / above


def test_value_edges_widen_to_a_threshold_inside_the_data():
    from dps.text.profiling import Metric

    edges = bin_edges(Metric("m", "value"), [0.0], [100.0], [10.0], [20.0], [50.0, 1000.0])
    assert edges[0] == 10.0 and edges[-1] == 50.0  # 50 is inside the data; 1000 is not


def test_user_errors_are_config_errors(tmp_path):
    for bad in ("0", "-0.5", "1.5", "nan", "half"):
        with pytest.raises(ConfigError, match="--sample-fraction"):
            check_sample_fraction(bad)
    assert check_sample_fraction("0.25") == 0.25
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.txt").write_text("x")
    with pytest.raises(ConfigError, match="is not a dps profile"):
        check_out_dir(str(tmp_path / "data"))
    with pytest.raises(ConfigError, match="local folder"):
        check_out_dir("s3a://bucket/profile")
    assert check_out_dir(str(tmp_path / "new")) == str(tmp_path / "new")


def test_pct_never_rounds_a_removal_to_zero():
    assert pct(0) == "0%" and pct(0.00004) == "<0.01%" and pct(0.1889) == "18.89%" and pct(None) == "-"


def test_length_chars_is_always_the_first_metric():
    metrics, _ = profile_plan([])
    assert [m.spec for m in metrics] == [LENGTH_CHARS]
