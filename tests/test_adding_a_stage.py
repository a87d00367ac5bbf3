"""The README's "Adding a stage" recipe, followed for a toy stage of each kind: each passes the stage contract,
binds from a config, and runs where the pipeline runs it. If the recipe and the contract drift apart, this fails."""

from __future__ import annotations

import json

import pytest

from dps.config import load_config
from dps.registry import Stage
from dps.spark.arrow import run_chain
from dps.stage_check import check_stage
from dps.text.profiling import Metric, Rule


# Step 1 of the recipe: the functions (in a real stage, in dps/text/<module>.py or dps/dedup/<module>.py).
def squeeze_spaces(text: str, *, keep_newlines: bool = True) -> str:
    """Collapse runs of spaces to one.

    Parameters:
        keep_newlines: leave line breaks alone (only spaces and tabs are collapsed).
    """
    parts = text.split("\n") if keep_newlines else [text.replace("\n", " ")]
    return "\n".join(" ".join(p.split()) for p in parts)


def too_short(text: str, *, min_chars: int | None = 5) -> str | None:
    """Drop documents shorter than min_chars characters.

    Parameters:
        min_chars: the least number of non-space characters a kept document has; None turns the rule off.

    Reasons:
        below_min_chars: fewer than min_chars non-space characters (reported as too_short:below_min_chars).
    """
    return "below_min_chars" if min_chars is not None and too_short_profile(text)["chars"] < min_chars else None


def too_short_profile(text: str, **_params) -> dict[str, float]:
    """The number too_short thresholds, from the same code."""
    return {"chars": sum(1 for c in text if not c.isspace())}


TOO_SHORT_METRICS = (Metric("chars", "count", (Rule("min_chars", "below", "below_min_chars"),),
                            "non-space characters"),)


def keep_first_per_source(df, *, config, source_column: str = "source"):
    """Mark every document after the first of its source as a duplicate (a toy frame stage).

    Parameters:
        source_column: the column that names a document's source.
    """
    return df


# Step 2: one line each in _stages() of dps/registry.py.
RECIPE = [Stage("squeeze_spaces", "map", squeeze_spaces),
          Stage("too_short", "filter", too_short, metrics_fn=too_short_profile, metrics=TOO_SHORT_METRICS),
          Stage("keep_first_per_source", "frame", keep_first_per_source)]


@pytest.mark.parametrize("stage", RECIPE, ids=lambda s: s.kind)
def test_a_stage_written_by_the_recipe_meets_the_contract(stage):
    assert check_stage(stage) == []


def test_recipe_stages_bind_from_a_config_and_the_text_ones_run(tmp_path, monkeypatch):
    import dps.registry

    monkeypatch.setattr(dps.registry, "STAGES", {**dps.registry.STAGES, **{s.name: s for s in RECIPE}})
    from dps.plan import plan

    doc = {"input": {"paths": str(tmp_path / "in.jsonl")}, "output": {"path": str(tmp_path / "out")},
           "stages": ["squeeze_spaces", {"too_short": {"min_chars": 4}},
                      {"keep_first_per_source": {"source_column": "site"}}]}
    (tmp_path / "in.jsonl").write_text('{"text": "가"}\n', encoding="utf-8")
    (tmp_path / "job.yaml").write_text(json.dumps(doc), encoding="utf-8")
    job_plan = plan(load_config(str(tmp_path / "job.yaml")))
    assert [(k, [s.name for s in g]) for k, g in job_plan.groups()] == [
        ("text", ["squeeze_spaces", "too_short"]), ("frame", ["keep_first_per_source"])]
    texts, statuses, reasons = run_chain(["가  나   다라", "가 나", None], ["kept", "kept", "quarantined"],
                                         [None, None, "read:missing_text"], job_plan.groups()[0][1])[:3]
    assert texts[0] == "가 나 다라" and statuses[:2] == ["kept", "filtered"]
    assert reasons[1] == "too_short:below_min_chars"


def test_the_contract_catches_what_the_recipe_warns_about():
    def undocumented(text: str, *, n: int = 1) -> str:
        return text

    def no_default(text: str, *, n: int) -> str:
        """Docs.

        Parameters:
            n: a number.
        """
        return text

    def bad_reason(text: str) -> str | None:
        """Says no in words."""
        return "Too Short!"

    def raising(text: str) -> str:
        """Fails on the empty text."""
        return text[0]

    assert any("docstring" in p for p in check_stage(Stage("undocumented", "map", undocumented)))
    assert any("default" in p for p in check_stage(Stage("no_default", "map", no_default)))
    assert any("metrics function" in p for p in check_stage(Stage("bad_reason", "filter", bad_reason)))
    assert any("snake_case reason" in p for p in check_stage(
        Stage("bad_reason", "filter", bad_reason, metrics_fn=too_short_profile, metrics=TOO_SHORT_METRICS)))
    assert any("raised IndexError" in p for p in check_stage(Stage("raising", "map", raising)))
    assert any("config" in p for p in check_stage(Stage("frame_without_config", "frame", lambda df, *, n=1: df)))
