"""dps.devcluster helpers that need no Spark: comparing output folders, the cluster processes' environment."""

import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from dps.devcluster import clean_env, compare_outputs


def make_output(folder, *, rows=("가", "나"), out_path="/a/out", seed=1):
    folder.mkdir()
    pq.write_table(pa.table({"text": list(rows)}), folder / "part-00000.zstd.parquet")
    (folder / "_SUCCESS").write_bytes(b"")
    report = {"input_records": len(rows), "config": {"output": {"path": out_path, "rejected_path": None},
                                                     "seed": seed, "spark": {"master": "local[2]"}}}
    (folder / "_dps_report.json").write_text(json.dumps(report), encoding="utf-8")
    return str(folder)


def test_outputs_differing_only_in_their_paths_are_the_same(tmp_path):
    assert compare_outputs(make_output(tmp_path / "a"), make_output(tmp_path / "b", out_path="/b/out")) == []


def test_every_kind_of_difference_is_named(tmp_path):
    a = make_output(tmp_path / "a")
    assert compare_outputs(a, make_output(tmp_path / "rows", rows=("가", "다"))) == [
        "part-00000.zstd.parquet: data pages differ"]
    assert compare_outputs(a, make_output(tmp_path / "seed", seed=2)) == ["_dps_report.json: differs in config"]
    footer = make_output(tmp_path / "footer")
    shard = os.path.join(footer, "part-00000.zstd.parquet")
    data = bytearray(open(shard, "rb").read())
    data[-9] ^= 1  # the last byte of the footer
    open(shard, "wb").write(bytes(data))
    assert compare_outputs(a, footer) == ["part-00000.zstd.parquet: footers differ"]
    os.remove(os.path.join(footer, "_SUCCESS"))
    assert compare_outputs(a, footer)[0].startswith("files differ")


def test_config_sections_can_be_allowed_to_differ(tmp_path):
    a = make_output(tmp_path / "a")
    b = make_output(tmp_path / "b")
    doc = json.load(open(os.path.join(b, "_dps_report.json")))
    doc["config"]["spark"]["master"] = "local[2,2]"
    json.dump(doc, open(os.path.join(b, "_dps_report.json"), "w"))
    assert compare_outputs(a, b) == ["_dps_report.json: differs in config"]
    assert compare_outputs(a, b, config_may_differ=("spark",)) == []


def test_cluster_processes_see_neither_this_venv_nor_pythonpath(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.join(sys.prefix, "bin"), "/usr/bin", "/bin"]))
    env = clean_env()
    assert "PYTHONPATH" not in env and env["SPARK_LOCAL_IP"] == "127.0.0.1"
    in_venv = sys.prefix != sys.base_prefix
    assert env["PATH"].split(os.pathsep) == (["/usr/bin", "/bin"] if in_venv else
                                             [os.path.join(sys.prefix, "bin"), "/usr/bin", "/bin"])


def test_the_report_page_may_differ_only_in_the_output_path(tmp_path):
    a = make_output(tmp_path / "a", out_path="/a/out")
    b = make_output(tmp_path / "b", out_path="/b/out")
    (tmp_path / "a" / "_dps_report.html").write_text("<p>output <code>/a/out</code> · seed 1</p>", encoding="utf-8")
    (tmp_path / "b" / "_dps_report.html").write_text("<p>output <code>/b/out</code> · seed 1</p>", encoding="utf-8")
    assert compare_outputs(a, b) == []
    (tmp_path / "b" / "_dps_report.html").write_text("<p>output <code>/b/out</code> · seed 2</p>", encoding="utf-8")
    assert compare_outputs(a, b) == ["_dps_report.html: differs (other than in the output paths)"]
