import inspect
import time

import pytest

from dps.text.gopher_repetition import (METRIC_NAMES, gopher_repetition, gopher_repetition_metrics,
                                        gopher_repetition_profile)

RULES = [name for name in inspect.signature(gopher_repetition).parameters if name.startswith("max_")]

GOOD = (
    "오늘 아침 시청 앞 광장에서 작은 음악회가 열렸다. 시민들은 출근길에 잠시 멈춰 서서 연주를 들었고, "
    "아이들은 악기 소리에 맞춰 손뼉을 쳤다. 주최 측은 다음 달에도 같은 자리에서 공연을 이어갈 계획이라고 밝혔다."
)


def only(rule: str, **overrides) -> dict:
    """Parameters enabling `rule` alone at its default threshold."""
    return {**{name: None for name in RULES if name != rule}, **overrides}


def test_distinct_prose_is_kept_with_zero_metrics():
    assert gopher_repetition(GOOD) is None
    assert gopher_repetition_metrics(GOOD) == dict.fromkeys(METRIC_NAMES, 0.0)


def test_duplicate_lines_exact():
    # lines (blank dropped): 가나다 / 라마바 / 가나다 / 가나다 -> 2 of 4 duplicate, 6 of 12 chars
    # paragraphs: "가나다\n라마바\n가나다" and "가나다" -> no duplicate
    m = gopher_repetition_metrics("가나다\n라마바\n가나다\n\n가나다")
    assert m["dup_line_fraction"] == 2 / 4
    assert m["dup_line_char_fraction"] == 6 / 12
    assert m["dup_paragraph_fraction"] == 0.0
    assert m["dup_paragraph_char_fraction"] == 0.0


def test_duplicate_paragraphs_exact():
    # paragraphs: P1 "첫 문단입니다\n둘째 줄" (7 + 1 + 4 = 12 chars), P2 "다른 문단" (5), P1 again
    # lines: 첫 문단입니다(7) 둘째 줄(4) 다른 문단(5) 첫 문단입니다 둘째 줄 -> 2 of 5, 11 of 27 chars
    m = gopher_repetition_metrics("첫 문단입니다\n둘째 줄\n\n다른 문단\n\n첫 문단입니다\n  둘째 줄")
    assert m["dup_paragraph_fraction"] == 1 / 3
    assert m["dup_paragraph_char_fraction"] == 12 / 29
    assert m["dup_line_fraction"] == 2 / 5
    assert m["dup_line_char_fraction"] == 11 / 27


def test_paragraphs_fall_back_to_lines():
    m = gopher_repetition_metrics("재밌어요\n재밌어요\n최고의 영화")
    assert m["dup_paragraph_fraction"] == m["dup_line_fraction"] == 1 / 3


def test_top_ngram_exact():
    # words 사과 배 사과 배 포도: 8 chars. (사과, 배) occurs twice: 3 chars x 2 = 6 -> 6/8.
    # every 3-gram is distinct -> 0
    m = gopher_repetition_metrics("사과 배 사과 배 포도")
    assert m["top_2gram_char_fraction"] == 6 / 8
    assert m["top_3gram_char_fraction"] == 0.0


def test_top_ngram_tie_goes_to_the_first_seen():
    # 가 나 가 나 다라마 바사아 다라마 바사아: (가,나) and (다라마,바사아) both occur twice;
    # the first seen wins: 2 chars x 2 = 4 of 16 (the other would give 12 of 16)
    assert gopher_repetition_metrics("가 나 가 나 다라마 바사아 다라마 바사아")["top_2gram_char_fraction"] == 4 / 16


def test_overlapping_duplicate_ngrams_are_counted_once():
    # 16 one-char words; 일 이 삼 사 오 육 repeats at positions 0 and 7.
    # Repeated 5-grams: (일..오) at 0, 7 and (이..육) at 1, 8 -> words 0-5 and 7-12 covered = 12.
    # Summing occurrences would give 4 x 5 = 20 > 16.
    m = gopher_repetition_metrics("일 이 삼 사 오 육 칠 일 이 삼 사 오 육 팔 구 십")
    assert m["dup_5gram_char_fraction"] == 12 / 16
    assert m["dup_6gram_char_fraction"] == 12 / 16
    assert m["dup_7gram_char_fraction"] == 0.0
    assert m["top_2gram_char_fraction"] == 2 * 2 / 16
    assert m["top_3gram_char_fraction"] == 3 * 2 / 16
    assert m["top_4gram_char_fraction"] == 4 * 2 / 16


def test_duplicate_ngram_fraction_weights_characters():
    # 가나다라 마 바 사 아 (8 chars) then 가나다라 마 바 사 아 again, then 자차카타파 (5): 21 chars.
    # Both 5-gram occurrences are covered: 16 of 21.
    assert gopher_repetition_metrics("가나다라 마 바 사 아 가나다라 마 바 사 아 자차카타파")[
        "dup_5gram_char_fraction"
    ] == 16 / 21


REPEATED_LINES = "같은 줄입니다\n같은 줄입니다\n같은 줄입니다\n다른 줄입니다"
REPEATED_PARAGRAPHS = "첫 문단의 첫 줄\n첫 문단의 둘째 줄\n\n첫 문단의 첫 줄\n첫 문단의 둘째 줄\n\n마지막 문단"
REPEATED_PHRASE = "정말 좋아요 정말 좋아요 정말 좋아요 그런데 조금 아쉬워요"
REPEATED_10GRAM = (
    "하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열 하나 둘 셋 넷 다섯 여섯 일곱 여덟 아홉 열 "
    "가을 하늘 아래 조용한 마을 길을 따라 천천히 걸었다 끝"
)
TRIGGERS = {
    "max_dup_line_fraction": REPEATED_LINES,
    "max_dup_paragraph_fraction": REPEATED_PARAGRAPHS,
    "max_dup_line_char_fraction": REPEATED_LINES,
    "max_dup_paragraph_char_fraction": REPEATED_PARAGRAPHS,
    "max_top_2gram_char_fraction": REPEATED_PHRASE,
    "max_top_3gram_char_fraction": REPEATED_PHRASE,
    "max_top_4gram_char_fraction": REPEATED_PHRASE,
    **{f"max_dup_{n}gram_char_fraction": REPEATED_10GRAM for n in range(5, 11)},
}


def test_one_rule_per_threshold():
    assert sorted(TRIGGERS) == sorted(RULES) and len(RULES) == 13


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_rejects_with_its_reason_and_none_disables_it(rule):
    text = TRIGGERS[rule]
    reason = rule.removeprefix("max_") + "_high"
    assert gopher_repetition(text, **only(rule)) == reason
    assert gopher_repetition(text, **only(rule), **{rule: None}) is None


def test_default_reasons_follow_rule_order():
    assert gopher_repetition(REPEATED_LINES) == "dup_line_fraction_high"
    # lines of a duplicate paragraph are duplicate lines: the line rule reports first
    assert gopher_repetition(REPEATED_PARAGRAPHS) == "dup_line_fraction_high"
    # 1 of 3 paragraphs is a duplicate, but only 1 of 6 lines and few of the characters
    assert gopher_repetition("짧은 인사\n\n" + GOOD.replace(". ", ".\n") + "\n\n짧은 인사") == "dup_paragraph_fraction_high"
    assert gopher_repetition(REPEATED_PHRASE) == "top_2gram_char_fraction_high"
    # REPEATED_10GRAM: 54 word chars; 하나 둘 셋 (4 chars) x 2 = 8/54 = 0.148 <= 0.18,
    # 하나 둘 셋 넷 (5 chars) x 2 = 10/54 = 0.185 > 0.16
    assert gopher_repetition_metrics(REPEATED_10GRAM)["top_4gram_char_fraction"] == 10 / 54
    assert gopher_repetition(REPEATED_10GRAM) == "top_4gram_char_fraction_high"


def test_filter_agrees_with_metrics_when_larger_ngrams_are_skipped():
    # dup_5 is above 0.15 but the 6..10 values are only computed when they could fail
    text = REPEATED_10GRAM
    m = gopher_repetition_metrics(text)
    assert m["dup_10gram_char_fraction"] > 0.10
    assert gopher_repetition(text, **only("max_dup_10gram_char_fraction")) == "dup_10gram_char_fraction_high"
    params = only("max_dup_10gram_char_fraction", max_dup_5gram_char_fraction=0.99)
    assert gopher_repetition(text, **params) == "dup_10gram_char_fraction_high"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "한 단어"])
def test_texts_without_repetition_are_kept(text):
    # nothing repeats in an empty text; gopher_quality is the stage that rejects it
    assert gopher_repetition(text) is None
    assert gopher_repetition_metrics(text) == dict.fromkeys(METRIC_NAMES, 0.0)


def test_mixed_scripts_and_emoji_do_not_raise():
    text = "한국어 English 中文 日本語 😀😀 ㅋㅋㅋ …… ### • \n" * 5
    assert gopher_repetition(text) == "dup_line_fraction_high"


@pytest.mark.parametrize(
    "text",
    ["a " * 500_000, "가나다\n" * 250_000, "가" * 1_000_000, " ".join(str(i) for i in range(150_000))],
    ids=["one_word_repeated", "one_line_repeated", "one_long_word", "all_distinct"],
)
def test_one_megabyte_inputs_are_fast(text):
    start = time.perf_counter()
    gopher_repetition(text)
    assert time.perf_counter() - start < 5  # ~0.3 s measured


def test_deterministic():
    assert gopher_repetition_metrics(REPEATED_10GRAM) == gopher_repetition_metrics(REPEATED_10GRAM)


def test_ngram_scale_moves_the_nine_ngram_thresholds_together():
    # REPEATED_PHRASE: top_2 = 0.5 (정말 좋아요 x 3 of 30 chars); the n-gram family rejects it at scale 1 and 2,
    # not at 3 (every n-gram threshold x 3 is above every value), and the line rules never see it.
    m = gopher_repetition_profile(REPEATED_PHRASE, **{f"max_{k}": v for k, v in _NGRAM_DEFAULTS.items()})
    assert m["ngram_excess"] == max(m[k] / v for k, v in _NGRAM_DEFAULTS.items())
    for scale in (1.0, 2.0, 3.0):
        expected = m["ngram_excess"] > scale
        assert (gopher_repetition(REPEATED_PHRASE, ngram_scale=scale) is not None) == expected, scale
    assert gopher_repetition(REPEATED_LINES, ngram_scale=100.0) == "dup_line_fraction_high"  # not scaled
    with pytest.raises(ValueError, match="ngram_scale must be > 0"):
        gopher_repetition(GOOD, ngram_scale=0.0)


_NGRAM_DEFAULTS = {name.removeprefix("max_"): p.default for name, p in
                   inspect.signature(gopher_repetition).parameters.items() if name.startswith("max_") and "gram" in name}
