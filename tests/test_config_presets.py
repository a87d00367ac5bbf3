"""The shipped configs load and bind; configs/fineweb2_korean.yaml carries FineWeb-2's published Korean values."""

import glob
import os

import pytest

from dps.config import load_config
from dps.plan import plan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# huggingface/fineweb-2 configs/kor_Hang.yml and the filtering step of fineweb-2-pipeline.py, in dps's terms.
FINEWEB2_KOREAN = {
    "gopher_repetition": {
        "max_dup_line_fraction": 0.374, "max_dup_paragraph_fraction": None, "max_dup_line_char_fraction": None,
        "max_dup_paragraph_char_fraction": None,
        "max_top_2gram_char_fraction": 0.282, "max_top_3gram_char_fraction": 0.228,
        "max_top_4gram_char_fraction": 0.185,
        "max_dup_5gram_char_fraction": 0.201, "max_dup_6gram_char_fraction": 0.184,
        "max_dup_7gram_char_fraction": 0.168, "max_dup_8gram_char_fraction": 0.154,
        "max_dup_9gram_char_fraction": 0.14, "max_dup_10gram_char_fraction": 0.127,
    },
    "fineweb_quality": {
        "min_line_punct_ratio": 0.062, "count_korean_endings": False, "min_lines_for_line_rules": 1,
        "max_short_line_ratio": None, "max_dup_line_char_ratio": 0.1, "max_newline_word_ratio": 0.196,
    },
    "gopher_quality": {
        "min_words": 50, "min_mean_word_chars": 1.0, "max_mean_word_chars": 6.0, "min_alpha_word_ratio": 0.791,
        "max_ellipsis_line_ratio": 0.3, "max_bullet_line_ratio": 0.9, "min_lines_for_bullet_rule": 1,
        "min_function_words": 2,
    },
}


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "configs", "*.yaml"))))
def test_every_shipped_config_loads_and_binds(path, monkeypatch):
    monkeypatch.chdir(ROOT)  # their input paths are relative to the repository
    job_plan = plan(load_config(path))
    assert job_plan.stages


def test_fineweb2_korean_preset_has_the_published_values_in_their_order(monkeypatch):
    monkeypatch.chdir(ROOT)
    stages = plan(load_config(os.path.join(ROOT, "configs", "fineweb2_korean.yaml"))).stages
    names = [s.name for s in stages]
    assert names.index("gopher_repetition") < names.index("fineweb_quality") < names.index("gopher_quality")
    for stage in stages:
        for param, value in FINEWEB2_KOREAN.get(stage.name, {}).items():
            assert stage.effective_params[param] == value, (stage.name, param)
    assert set(FINEWEB2_KOREAN) <= set(names)


def test_korean_web_repairs_encodings_first(monkeypatch):
    monkeypatch.chdir(ROOT)
    stages = plan(load_config(os.path.join(ROOT, "configs", "korean_web.yaml"))).stages
    assert stages[0].name == "fix_encoding"
