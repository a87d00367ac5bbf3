import pytest

from dps.config import ConfigError, StageSpec
from dps.registry import STAGES, StageDoc, bind, explain, list_stages
from dps.stage_check import check_stage

@pytest.mark.parametrize("name", list(STAGES))
def test_every_registered_stage_meets_the_contract(name):
    """Documented, defaults that bind, maps return str and filters None or a snake_case reason on hostile inputs,
    filters expose profile metrics (dps.stage_check, also run on the README recipe's toy stages)."""
    assert check_stage(STAGES[name]) == []


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


def test_stats_twins_declare_no_default_of_their_own():
    """A map stage's stats twin takes its defaults from the stage's signature (dps.text.twins): one declaration."""
    import inspect

    twins = [s for s in STAGES.values() if s.stats_fn is not None]
    assert twins
    for stage in twins:
        own = inspect.signature(getattr(stage.stats_fn, "__wrapped__", stage.stats_fn)).parameters.values()
        assert not [p.name for p in own if p.kind is p.KEYWORD_ONLY and p.default is not p.empty], stage.name
        assert stage.stats_fn("가나다 abc")[0] == stage.fn("가나다 abc"), stage.name


def test_a_stats_twin_with_a_parameter_the_stage_lacks_is_refused():
    from dps.text.twins import stats_twin

    def stage(text: str, *, a: int = 1) -> str:
        return text

    with pytest.raises(TypeError, match="not parameters of stage"):
        @stats_twin(stage)
        def stage_with_stats(text: str, *, a: int, b: int):
            return text, {}

    @stats_twin(stage)
    def twin(text: str, *, a: int):
        return text, {"a": a}

    assert twin("x") == ("x", {"a": 1}) and twin("x", a=5) == ("x", {"a": 5})
