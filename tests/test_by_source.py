"""Per-source parameters (`by_source`): validated like every other key, applied per record by its source."""

import json

import pytest

from dps.config import ConfigError, StageSpec
from dps.registry import bind
from dps.spark.arrow import run_chain

SHORT = "배우들의 연기가 정말 좋았고 음악도 최고였어요"  # 6 words: a fine comment, too short for a web page


def _bind(params):
    return bind(StageSpec("gopher_quality", params, "stages[2]"), 7, "job.yaml")


def test_a_source_gets_its_own_thresholds_and_the_rest_the_stage_ones():
    stage = _bind({"min_words": 20, "by_source": {"comments": {"min_words": 5}}})
    assert stage.params["min_words"] == 20 and stage.by_source["comments"].params["min_words"] == 5
    texts = [SHORT, SHORT, SHORT]
    details = [None] * 3
    _, status, reason, _, _ = run_chain(texts, ["kept"] * 3, [None] * 3, [stage], None, details,
                                        ["comments", "news", None])
    assert status == ["kept", "filtered", "filtered"]
    assert reason[1] == reason[2] == "gopher_quality:too_few_words"
    assert json.loads(details[1])["rules"] == [{"rule": "words", "value": 6, "min": 20}]


def test_a_source_override_keeps_the_stage_parameters_it_does_not_change():
    stage = _bind({"min_words": 3, "max_hash_word_ratio": 0.5, "by_source": {"comments": {"min_words": 1}}})
    assert stage.by_source["comments"].params == {**stage.params, "min_words": 1}


@pytest.mark.parametrize("by_source, message", [
    ([1], "stages[2].gopher_quality.by_source: expected a mapping of source name -> parameters, got a list"),
    ({}, "stages[2].gopher_quality.by_source: expected a mapping of source name -> parameters"),
    ({"comments": 5}, "gopher_quality.by_source.comments: expected a mapping of parameters, got the integer 5"),
    ({"comments": {"min_word": 5}}, "stages[2].gopher_quality.by_source.comments: unknown parameter 'min_word' "
                                    "(did you mean 'min_words'?)"),
    ({"comments": {"min_words": "5"}}, "stages[2].gopher_quality.by_source.comments.min_words: expected"),
    ({"comments": {"by_source": {}}}, "by_source does not nest"),
    ({"comments": {"seed": 3}}, "stages[2].gopher_quality.by_source.comments.seed: set by the pipeline"),
])
def test_mistakes_in_by_source_are_one_line_naming_the_key(by_source, message):
    with pytest.raises(ConfigError) as err:
        _bind({"by_source": by_source})
    assert str(err.value).startswith("job.yaml: ") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_frame_stages_take_no_by_source():
    with pytest.raises(ConfigError, match="unknown parameter 'by_source'"):
        bind(StageSpec("exact_dedup", {"by_source": {"a": {}}}, "stages[0]"), 7, "job.yaml")


def test_by_source_needs_a_source_column(tmp_path):
    from dps.config import load_config
    from dps.plan import plan

    path = tmp_path / "job.yaml"
    path.write_text(json.dumps({
        "input": {"paths": str(path), "source_column": None},
        "output": {"path": str(tmp_path / "out")},
        "stages": [{"gopher_quality": {"by_source": {"comments": {"min_words": 1}}}}]}))
    with pytest.raises(ConfigError, match=r"by_source of gopher_quality needs input.source_column"):
        plan(load_config(str(path)))
