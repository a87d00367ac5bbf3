"""Stages from outside the package (docs/extending.md): the page's example module, written into a temporary folder
and put on sys.path, is validated, explained, checked by `dps check-stage` and run through the pipeline like a
built-in stage; every way of naming it wrongly is one line naming the file and key, exit 2."""

from __future__ import annotations

import json
import pathlib
import re
import sys
import zipfile

import pytest

from dps.cli import main
from dps.config import ConfigError, load_config
from dps.plan import plan
from dps.registry import explain, get_stage, list_stages
from dps.spark.arrow import run_chain

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _example_module() -> str:
    """The module of docs/extending.md's worked example, as the page shows it."""
    page = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(# my_team/filters\.py\n.*?)```", page, re.S)
    assert block, "docs/extending.md lost its example module"
    return block.group(1)


# Stages written wrong on purpose, beside the page's module.
BROKEN = '''
def no_kind(text, *, n: int = 1):
    return text


def no_default(text: str, *, n: int) -> str:
    """Needs n."""
    return text


def undocumented(text: str, *, n: int = 1) -> str:
    return text


LIMIT = 3
'''


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """A folder holding the package my_team (the page's module and a few broken stages), on sys.path; the
    package zipped as `--py-files` would ship it. Returns (folder, zip path)."""
    folder = tmp_path_factory.mktemp("team")
    package = folder / "my_team"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "filters.py").write_text(_example_module(), encoding="utf-8")
    (package / "broken.py").write_text(BROKEN, encoding="utf-8")
    # An installed distribution's metadata, as pip writes it: one dps.stages entry point.
    dist = folder / "my_team-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-team\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[dps.stages]\ntoxicity = my_team.filters:toxicity\n"
                                           "listed_broken = my_team.broken:missing\n", encoding="utf-8")
    archive = folder / "my_team.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(package.glob("*.py")):
            zf.write(f, f"my_team/{f.name}")
    sys.path.insert(0, str(folder))
    yield folder, archive
    sys.path.remove(str(folder))
    for name in [m for m in sys.modules if m == "my_team" or m.startswith("my_team.")]:
        del sys.modules[name]


def _config(tmp_path, stages, **extra) -> pathlib.Path:
    (tmp_path / "in.jsonl").write_text('{"id": "a", "text": "가"}\n', encoding="utf-8")
    doc = {"input": {"paths": str(tmp_path / "in.jsonl"), "id_column": "id"},
           "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rejected")},
           "stages": stages, **extra}
    path = tmp_path / "job.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_outside_stages_validate_bind_and_run_with_namespaced_reasons(team, tmp_path):
    job = _config(tmp_path, ["normalize", "my_team.filters:strip_signature",
                             {"my_team.filters:toxicity": {"max_share": 0.2}}])
    job_plan = plan(load_config(str(job)))
    assert [s.kind for s in job_plan.stages] == ["map", "map", "filter"]
    assert job_plan.stages[2].effective_params == {"max_share": 0.2}
    texts, statuses, reasons = run_chain(
        ["좋은 하루 되세요\n-- 홍길동 드림", "바보 바보 쓰레기 같은 글", "괜찮은 글입니다"], ["kept"] * 3,
        [None] * 3, job_plan.groups()[0][1])[:3]
    assert texts[0] == "좋은 하루 되세요" and statuses == ["kept", "filtered", "kept"]
    assert reasons[1] == "my_team.filters:toxicity:too_toxic"


def test_set_addresses_an_outside_stage_by_its_dotted_name(team, tmp_path):
    job = _config(tmp_path, ["my_team.filters:toxicity"])
    config = load_config(str(job), ["stages.my_team.filters:toxicity.max_share=0.5"])
    assert config.stages[0].params == {"max_share": 0.5}
    with pytest.raises(ConfigError, match=r"stages\[0\]\.my_team\.filters:toxicity\.max_share: expected a number"):
        plan(load_config(str(job), ["stages.my_team.filters:toxicity.max_share=high"]))


@pytest.mark.parametrize("name, message", [
    ("my_team.filtrs:toxicity", "no module named 'my_team.filtrs'; install the package"),
    ("not_a_team.filters:toxicity", "no module named 'not_a_team'"),
    ("my_team.filters:toxicty", "has no attribute 'toxicty' (did you mean 'toxicity'?)"),
    ("my_team.broken:LIMIT", "'LIMIT' in 'my_team.broken' is not a function (its type: int)"),
    ("my_team.broken:no_kind", "declare its kind: decorate it with @dps.extend.filter_stage"),
    ("my_team.broken:no_default", "my_team.broken:no_default.n: every parameter needs a default"),
    ("my team:toxicity", "is not a stage reference: write module.path:function"),
    ("listed_broken", "entry point 'listed_broken' (my_team.broken:missing, group dps.stages) cannot be loaded"),
    ("toxicityy", "unknown stage 'toxicityy' (did you mean 'toxicity'?)"),
])
def test_a_wrong_outside_stage_is_one_line_naming_file_and_key_exit_2(team, tmp_path, capsys, name, message):
    job = _config(tmp_path, ["normalize", name])
    with pytest.raises(ConfigError) as err:
        plan(load_config(str(job)))
    text = str(err.value)
    assert text.startswith(f"{job}: stages[1]: ") and message in text and "\n" not in text
    assert main(["validate", str(job)]) == 2
    assert capsys.readouterr().err.strip() == f"dps: error: {text}"


def test_an_entry_point_names_a_stage_and_its_reasons(team, tmp_path):
    stage = get_stage("toxicity")
    assert stage.kind == "filter" and "entry point toxicity = my_team.filters:toxicity" in stage.origin
    job_plan = plan(load_config(str(_config(tmp_path, [{"toxicity": {"max_share": 0.3}}]))))
    reasons = run_chain(["바보 멍청이"], ["kept"], [None], job_plan.stages)[2]
    assert reasons == ["toxicity:too_toxic"]
    assert "toxicity" in list_stages() and "my_team.filters:toxicity" in list_stages()
    # A built-in name always means the built-in stage.
    assert get_stage("gopher_quality").origin == ""


def test_explain_describes_an_outside_stage_like_a_built_in_one(team):
    text = explain("my_team.filters:toxicity")
    assert text.startswith("my_team.filters:toxicity  (filter stage, from module my_team.filters (")
    assert "max_share = 0.1" in text and "too_toxic" in text and "listed_word_share" in text


def test_check_stage_runs_the_contract_and_says_so(team, capsys):
    assert main(["check-stage", "my_team.filters:toxicity"]) == 0
    out = capsys.readouterr().out
    assert "filter stage, from module my_team.filters" in out and "10 hostile inputs" in out
    assert out.rstrip().endswith("meets the stage contract; a config names it as `- my_team.filters:toxicity`")
    assert main(["check-stage", "my_team.filters:strip_signature"]) == 0
    capsys.readouterr()
    assert main(["check-stage", "my_team.broken:undocumented"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: 2 problems" in out and "no docstring summary" in out and "missing from the docstring" in out
    assert main(["check-stage", "my_team.filters:nope"]) == 2
    assert "check-stage: stage my_team.filters:nope: 'my_team.filters' has no attribute 'nope'" in \
        capsys.readouterr().err


@pytest.mark.spark
def test_outside_stages_run_in_the_pipeline(team, spark, tmp_path, capsys):
    from dps.pipeline import run

    _, archive = team
    # As `spark-submit --py-files my_team.zip` would: the Python workers import the module from the archive.
    spark.sparkContext.addPyFile(str(archive))
    lines = [{"id": "1", "text": "좋은 하루 되세요. 날씨가 맑습니다.\n-- 홍길동 드림"},
             {"id": "2", "text": "바보 바보 쓰레기 같은 글"},
             {"id": "3", "text": "오늘 회의는 세 시에 시작합니다."}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                                       encoding="utf-8")
    job = tmp_path / "job.yaml"
    job.write_text(json.dumps({"input": {"paths": str(tmp_path / "in.jsonl"), "id_column": "id"},
                               "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rej")},
                               "stages": ["my_team.filters:strip_signature",
                                          {"my_team.filters:toxicity": {"max_share": 0.2}}]}), encoding="utf-8")
    report = run(load_config(str(job)), spark, echo=lambda _m: None)
    assert report.invariant()[0]
    assert [(s, r, d) for s, r, d, _ in report.by_reason()] == [
        ("kept", None, 2), ("filtered", "my_team.filters:toxicity:too_toxic", 1)]
    kept = {r["id"]: r["text"] for r in spark.read.parquet(str(tmp_path / "out")).collect()}
    assert kept == {"1": "좋은 하루 되세요. 날씨가 맑습니다.", "3": "오늘 회의는 세 시에 시작합니다."}
    assert report.stages[1] == {"stage": "my_team.filters:toxicity", "kind": "filter", "params": {"max_share": 0.2}}
    # dps show reads the real run's rejected output by the outside stage's reason.
    assert main(["show", str(tmp_path / "out"), "--reason", "my_team.filters:toxicity"]) == 0
    shown = capsys.readouterr().out
    assert "[1] filtered my_team.filters:toxicity:too_toxic · id 2 · 14 chars\n" \
           '    evidence: {"rules": [{"max": 0.2, "rule": "listed_word_share", "value": 0.6}]}\n' \
           "    바보 바보 쓰레기 같은 글" in shown
