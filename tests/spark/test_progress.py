"""Progress lines and step timings (dps.spark.progress), and the run section of the report."""

import io
import json
import os
import time

import pytest

from dps.spark import progress as P

pytestmark = pytest.mark.spark


def test_plain_lines_carry_the_step_figures_and_no_carriage_return(spark, tmp_path, monkeypatch):
    monkeypatch.setattr(P, "PLAIN_EVERY_S", 0.05)
    (tmp_path / "lines.txt").write_text("".join(f"줄 {i}\n" for i in range(5000)), encoding="utf-8")
    lines = []
    stream = io.StringIO()
    progress = P.Progress(spark, lines.append, live=False, stream=stream)
    with progress.step("counting lines"):
        assert spark.read.text(str(tmp_path / "lines.txt")).count() == 5000
        time.sleep(0.3)  # long enough for periodic lines
    assert lines[0] == "counting lines ..."
    assert any(line.startswith("counting lines: tasks ") for line in lines[1:-1])
    assert lines[-1].startswith("counting lines: done in ") and "5,000 records" in lines[-1]
    assert stream.getvalue() == "" and not any("\r" in line for line in lines)
    [step] = progress.summary()["steps"]
    assert step["step"] == "counting lines" and step["records_read"] == 5000 and step["seconds"] >= 0.3
    assert step["mb_read"] == round(os.path.getsize(tmp_path / "lines.txt") / 1e6, 1)


def test_a_terminal_gets_one_live_line_that_log_lines_clear_first(spark, monkeypatch):
    monkeypatch.setattr(P, "LIVE_EVERY_S", 0.02)
    stream = io.StringIO()
    lines = []

    def echo(message):  # what dps's log does: a line on the same stream
        stream.write(message + "\n")
        lines.append(message)

    progress = P.Progress(spark, echo, live=True, stream=stream)
    with progress.step("summing"):
        spark.range(0, 10_000, numPartitions=4).selectExpr("sum(id)").collect()
        time.sleep(0.2)
        progress.echo("a log line")
    out = stream.getvalue()
    assert "\r\033[K[" in out  # the live bar, redrawn in place
    assert "\r\033[Ka log line\n" in out  # the live line is cleared before a log line
    assert lines[-1].startswith("summing: done in ")
    assert out.endswith("\r\033[Ka log line\n" + lines[-1] + "\n") or out.endswith("\r\033[K" + lines[-1] + "\n")
    assert "tasks 5/5" in lines[-1] or "tasks 4/4" in lines[-1]  # skipped stages are not counted


def test_the_report_records_each_step_and_the_config_it_ran(tmp_path, spark):
    from tests.spark.test_pipeline_e2e import SAMPLE, make_config, quiet

    from dps.pipeline import REPORT_FILE, run

    config = make_config(tmp_path, SAMPLE, stages=["normalize", "exact_dedup", "tag_pii"])
    run(config, spark, echo=quiet)
    doc = json.load(open(os.path.join(config.output.path, REPORT_FILE), encoding="utf-8"))
    names = [s["step"] for s in doc["run"]["steps"]]
    assert names == ["input files and schema", "read + text stages normalize", "exact_dedup",
                     "exact_dedup, continued + text stages tag_pii, counting",
                     "writing (staged) with the input count, counters and examples beside", "report", "commit"]
    assert doc["run"]["steps"][0]["records_read"] >= doc["input_records"]
    assert sum(s["seconds"] for s in doc["run"]["steps"]) <= doc["run"]["seconds"]
    assert doc["run"]["started_at"] <= doc["run"]["finished_at"]
    assert doc["run"]["config_file"] == config.source
    assert doc["run"]["config_git"] is None  # tmp_path is not in a git work tree
    # The committed report is replaced by the final one (with the commit's time) in both folders, atomically.
    rejected = json.load(open(os.path.join(config.output.rejected_path, REPORT_FILE), encoding="utf-8"))
    assert rejected["run"] == doc["run"]
    parent = os.path.dirname(config.output.path)
    assert not [n for n in os.listdir(parent) if "dps-report" in n]
