import pytest

from dps.config import ConfigError, StageSpec
from dps.registry import STAGES, StageDoc, bind, explain, list_stages

SAMPLES = ["", "   ", "\n\n", "한국어 문장입니다. 오늘은 날씨가 좋네요.", "mixed 한국어 English 中文 日本語 😀🎉",
           "ㅋㅋㅋㅋㅋㅋ ㅠㅠㅠㅠ", "가" * 1_000_000, ("한국어 문장과 English words 123 " * 40000)[:1_000_000],
           "<|tel_start|>010-1234-5678<|tel_end|>", "\x00\x01 제어 문자"]


def test_every_stage_is_documented_and_has_valid_defaults():
    for name, stage in STAGES.items():
        doc = stage.doc()
        assert doc.summary, name
        for param in stage.params:
            assert param in doc.params, f"{name}: parameter {param} missing from the docstring"
        bind(StageSpec(name, {}, "stages[0]"), seed=1)


@pytest.mark.parametrize("name", sorted(n for n, s in STAGES.items() if s.kind in ("map", "filter")))
def test_contract_every_text_stage_on_edge_cases(name):
    """Maps return str, filters None or a snake_case reason, nothing raises, on hostile inputs."""
    import re

    bound = bind(StageSpec(name, {}, "stages[0]"), seed=7)
    for text in SAMPLES:
        result = bound.apply(text)
        if bound.kind == "map":
            assert isinstance(result, str)
        else:
            assert result is None or re.fullmatch(r"[a-z][a-z0-9_]*", result), (name, result)


def test_unknown_stage_suggests_nearest():
    with pytest.raises(ConfigError, match="unknown stage 'gopher_qualty' \\(did you mean 'gopher_quality'\\?\\)"):
        bind(StageSpec("gopher_qualty", {}, "stages[2]"), seed=0, source="job.yaml")


def test_unknown_parameter_suggests_nearest():
    with pytest.raises(ConfigError) as err:
        bind(StageSpec("gopher_quality", {"min_word": 10}, "stages[1]"), seed=0, source="job.yaml")
    assert "job.yaml: stages[1].gopher_quality: unknown parameter 'min_word' (did you mean 'min_words'?)" \
        in str(err.value)


def test_wrong_parameter_type():
    with pytest.raises(ConfigError, match="stages\\[0\\].gopher_quality.min_words: expected an integer or null"):
        bind(StageSpec("gopher_quality", {"min_words": "many"}, "stages[0]"), seed=0)


def test_none_disables_and_int_is_accepted_for_float():
    bound = bind(StageSpec("gopher_quality", {"min_words": None, "min_alpha_word_ratio": 1}, "s"), seed=0)
    assert bound.params["min_words"] is None
    assert bound.params["min_alpha_word_ratio"] == 1.0 and isinstance(bound.params["min_alpha_word_ratio"], float)


def test_bad_value_found_by_dry_run():
    with pytest.raises(ConfigError, match="stages\\[0\\].normalize"):
        bind(StageSpec("normalize", {"form": "NFX"}, "stages[0]"), seed=0)


def test_seed_is_injected_not_configurable():
    with pytest.raises(ConfigError, match="set by the pipeline"):
        bind(StageSpec("normalize", {"seed": 3}, "stages[0]"), seed=0)


def test_explain_lists_parameters_with_defaults_and_reasons():
    text = explain("gopher_quality")
    assert "gopher_quality  (filter stage)" in text
    assert "min_words = " in text
    assert "too_few_words:" in text
    assert "gopher_quality" in list_stages() and "normalize" in list_stages()


def test_docstring_parser_sections():
    doc = StageDoc.parse('''Summary line.

    Body text.

    Parameters:
        alpha: first parameter,
            continued here.
        beta: second.
    Reasons:
        too_short: shorter than alpha.
    ''')
    assert doc.summary == "Summary line."
    assert doc.body == "Body text."
    assert doc.params == {"alpha": "first parameter, continued here.", "beta": "second."}
    assert doc.reasons == {"too_short": "shorter than alpha."}
