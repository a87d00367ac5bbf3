"""report.examples_per_reason: validated like every key, the number of example documents the run report shows per
reason; each reason's section names the `dps show` command that lists more."""

from __future__ import annotations

import json

import pytest

from dps.config import ConfigError, load_config
from dps.render.html import run_report_html
from dps.report import ReasonCount, Report

CONFIG = {"input": {"paths": ["in.jsonl"]}, "output": {"path": "out dir", "rejected_path": "rej"}, "seed": 1,
          "stages": [{"gopher_quality": {}}], "report": {"examples_per_reason": 2}}


def _job(tmp_path, report) -> str:
    (tmp_path / "in.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    doc = {"input": {"paths": str(tmp_path / "in.jsonl")}, "output": {"path": str(tmp_path / "out")},
           "stages": ["normalize"], **({"report": report} if report is not None else {})}
    (tmp_path / "job.yaml").write_text(json.dumps(doc), encoding="utf-8")
    return str(tmp_path / "job.yaml")


def test_examples_per_reason_defaults_to_three_and_is_validated(tmp_path):
    assert load_config(_job(tmp_path, None)).report.examples_per_reason == 3
    assert load_config(_job(tmp_path, {"examples_per_reason": 0})).report.examples_per_reason == 0
    assert load_config(_job(tmp_path, None), ["report.examples_per_reason=20"]).report.examples_per_reason == 20
    for value, message in ((-1, "must be an integer in [0, 50]"), (51, "must be an integer in [0, 50] (dps show "
                                                                        "lists any number), got 51"),
                           (2.5, "expected an integer, got the number 2.5"), ("3", "expected an integer")):
        with pytest.raises(ConfigError) as err:
            load_config(_job(tmp_path, {"examples_per_reason": value}))
        assert str(err.value).startswith(f"{tmp_path}/job.yaml: report.examples_per_reason: ") and message in \
            str(err.value)
    with pytest.raises(ConfigError, match=r"report\.example_per_reason: unknown key \(did you mean "
                                          r"'examples_per_reason'\?\)"):
        load_config(_job(tmp_path, {"example_per_reason": 3}))


def test_each_reason_names_the_dps_show_command_that_lists_more():
    report = Report(9, [ReasonCount("kept", None, None, 1, 10),
                        ReasonCount("filtered", "gopher_quality:too_few_words", None, 5, 20),
                        ReasonCount("duplicate", "exact_dedup", None, 1, 20)], CONFIG)
    examples = [{"status": "filtered", "reason": "gopher_quality:too_few_words", "text": t} for t in ("가", "나")]
    examples.append({"status": "duplicate", "reason": "exact_dedup", "text": "다"})
    html = run_report_html(report, examples)
    assert "Up to 2 documents per reason" in html
    section = html[html.index('id="m-filtered-gopher-quality-too-few-words"'):html.index('id="m-duplicate')]
    assert "2 of 5 shown; more with their evidence: <code>dps show &quot;$OUT&quot; --reason " \
           "gopher_quality:too_few_words -n 50</code>" in section
    assert "<code>OUT=&#x27;out dir&#x27;</code>, then the <code>dps show &quot;$OUT&quot; ...</code>" in html
    assert "all 1 shown" in html[html.index('id="m-duplicate'):]
    nightly = Report(1, report.rows, {**CONFIG, "run_id": "2026-11-23"})
    assert nightly.show_command("exact_dedup") == "dps show 'out dir/run_id=2026-11-23' --reason exact_dedup -n 50"
    no_rejected = Report(1, report.rows, {**CONFIG, "output": {"path": "out", "rejected_path": None}})
    assert "this run kept no rejected documents: set <code>output.rejected_path</code>" in \
        run_report_html(no_rejected, examples)


@pytest.mark.spark
def test_the_report_shows_as_many_examples_as_configured(spark, tmp_path):
    from dps.pipeline import run

    lines = [{"id": str(i), "text": f"짧은 글 {i}"} for i in range(7)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                       encoding="utf-8")
    job = tmp_path / "job.yaml"
    job.write_text(json.dumps({"input": {"paths": str(tmp_path / "in.jsonl"), "id_column": "id"},
                               "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rej")},
                               "stages": ["gopher_quality"], "report": {"examples_per_reason": 5}}),
                   encoding="utf-8")
    report = run(load_config(str(job)), spark, echo=lambda _m: None)
    assert [(s, r, d) for s, r, d, _ in report.by_reason()] == [("filtered", "gopher_quality:too_few_words", 7)]
    html = (tmp_path / "out" / "_dps_report.html").read_text(encoding="utf-8")
    section = html[html.index('id="m-filtered-gopher-quality-too-few-words"'):]
    assert section.count('<pre class="doc">') == 5 and "5 of 7 shown" in section
    assert "dps show &quot;$OUT&quot; --reason gopher_quality:too_few_words -n 50" in section
    assert f"<code>OUT={tmp_path}/out</code>" in html
    assert json.loads((tmp_path / "out" / "_dps_report.json").read_text())["config"]["report"] == \
        {"examples_per_reason": 5, "max_sources": 100}
