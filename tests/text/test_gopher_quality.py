import time

import pytest

from dps.text.gopher_quality import gopher_quality, gopher_quality_metrics

# 31 eojeol of ordinary prose (written for this test).
GOOD = (
    "오늘 아침 시청 앞 광장에서 작은 음악회가 열렸다. 시민들은 출근길에 잠시 멈춰 서서 연주를 들었고, "
    "아이들은 악기 소리에 맞춰 손뼉을 쳤다. 주최 측은 다음 달에도 같은 자리에서 공연을 이어갈 계획이라고 밝혔다."
)
GOOD_LINES = [
    "오늘 아침 시청 앞 광장에서 작은 음악회가 열렸다.",
    "시민들은 출근길에 잠시 멈춰 서서 연주를 들었다.",
    "아이들은 악기 소리에 맞춰 손뼉을 쳤다.",
    "주최 측은 다음 달에도 공연을 이어갈 계획이라고 밝혔다.",
]
CITIES = "서울 부산 대구 인천 광주 대전 울산 세종 수원 창원 고양 용인 성남 청주 전주 천안 안산 안양 김해 포항 제주"


def test_good_prose_is_kept():
    assert len(GOOD.split()) == 31
    assert gopher_quality(GOOD) is None
    assert gopher_quality("\n".join(GOOD_LINES)) is None


def test_exact_metrics_on_a_small_text():
    text = "• 사과를 샀다...\n• 배 2개\n#태그 …"
    # words: • / 사과를 / 샀다... / • / 배 / 2개 / #태그 / …            -> 8
    # chars: 1 + 3 + 5 + 1 + 1 + 2 + 3 + 1 = 17                          -> mean 17/8
    # '#': 1 -> 1/8; ellipses: "..." and "…" -> 2/8
    # lines: 3; bullets: 2 -> 2/3; ending in an ellipsis: lines 1 and 3 -> 2/3
    # words with a letter: 사과를 샀다... 배 2개 #태그 -> 5/8
    # function words: 사과를 (를), 샀다... (다) -> 2
    assert gopher_quality_metrics(text) == {
        "words": 8,
        "lines": 3,
        "mean_word_chars": 17 / 8,
        "hash_word_ratio": 1 / 8,
        "ellipsis_word_ratio": 2 / 8,
        "bullet_line_ratio": 2 / 3,
        "ellipsis_line_ratio": 2 / 3,
        "alpha_word_ratio": 5 / 8,
        "function_words": 2,
    }


def test_an_ellipsis_run_counts_once_and_two_periods_are_not_one():
    # "......" is one run, "…………" is one run, ".." is none: 2 ellipses over 4 words
    assert gopher_quality_metrics("좋다...... 정말.. 최고………… 영화")["ellipsis_word_ratio"] == 2 / 4


def test_hangul_counts_as_alphabetic():
    # 한국어, 3월, 漢字, カナ have letters; 123 and 😀 do not -> 4/6
    assert gopher_quality_metrics("한국어 3월 漢字 カナ 123 😀")["alpha_word_ratio"] == 4 / 6


# (parameter that disables the rule, text, extra params, expected reason)
CASES = [
    ("min_words", "짧은 글입니다.", {}, "too_few_words"),
    ("max_words", GOOD, {"max_words": 30}, "too_many_words"),
    ("min_mean_word_chars", "가 " * 25, {}, "mean_word_too_short"),
    ("max_mean_word_chars", "띄어쓰기없이길게붙여쓴문장입니다 " * 21, {}, "mean_word_too_long"),
    ("max_hash_word_ratio", GOOD + " #태그 #태그 #태그 #태그", {}, "hash_ratio_high"),  # 4/35
    ("max_ellipsis_word_ratio", "좋았다... " * 10 + GOOD, {}, "ellipsis_ratio_high"),  # 10/41
    ("max_bullet_line_ratio", "\n".join("• " + line for line in GOOD_LINES), {}, "bullet_lines_high"),
    ("max_ellipsis_line_ratio", "\n".join(line + "…" for line in GOOD_LINES[:3]) + "\n" + GOOD_LINES[3], {},
     "ellipsis_lines_high"),  # 3 of 4 lines
    ("min_alpha_word_ratio", GOOD + " 2024 12:30 3.5 100 - % 7 8 9 10", {}, "alpha_words_low"),  # 31/41
    ("min_function_words", CITIES, {}, "too_few_function_words"),
]


@pytest.mark.parametrize(("param", "text", "extra", "reason"), CASES, ids=[c[3] for c in CASES])
def test_each_rule_rejects_with_its_reason(param, text, extra, reason):
    assert gopher_quality(text, **extra) == reason


@pytest.mark.parametrize(("param", "text", "extra", "reason"), CASES, ids=[c[3] for c in CASES])
def test_each_rule_is_disabled_by_none(param, text, extra, reason):
    assert gopher_quality(text, **{**extra, param: None}) != reason


def test_rules_report_in_cheap_first_order():
    # too few words AND no function words: the word count is reported
    assert gopher_quality("서울 부산") == "too_few_words"
    # with the ellipsis word rule off, the ellipsis line rule reports the same text
    assert gopher_quality("좋았다... " * 10 + GOOD, max_ellipsis_word_ratio=None) is None  # one line, no end ellipsis
    assert gopher_quality(GOOD + " 좋았다..." * 10, max_ellipsis_word_ratio=None) == "ellipsis_lines_high"


def test_bullet_rule_needs_min_lines():
    two_bullets = "• " + GOOD_LINES[0] + " " + GOOD_LINES[1] + "\n• " + GOOD_LINES[2] + " " + GOOD_LINES[3]
    assert gopher_quality(two_bullets) is None
    assert gopher_quality(two_bullets, min_lines_for_bullet_rule=2) == "bullet_lines_high"
    # a single line starting with a bullet (a chunk cut inside a list) is not a list
    assert gopher_quality("△" + GOOD) is None


def test_jamo_bullets_need_a_space():
    bulleted = "\n".join("ㅇ " + line for line in GOOD_LINES)
    assert gopher_quality(bulleted) == "bullet_lines_high"
    chat = "\n".join("ㅇㅇ" + line for line in GOOD_LINES)
    assert gopher_quality(chat) is None


def test_function_word_prefix_limit():
    # the cities fill the first 200 characters; prose follows
    text = (CITIES + " ") * 3 + GOOD
    assert gopher_quality(text, function_word_max_chars=200) == "too_few_function_words"
    assert gopher_quality(text, function_word_max_chars=None) is None


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_text_gets_a_reason(text):
    assert gopher_quality(text) == "too_few_words"
    assert gopher_quality_metrics(text)["alpha_word_ratio"] == 0.0


def test_mixed_scripts_and_emoji_do_not_raise():
    text = "한국어 English 中文 日本語 😀😀 ㅋㅋㅋ …… ### • \n" * 5
    assert isinstance(gopher_quality(text), str)
    assert set(gopher_quality_metrics(text)) >= {"words", "function_words"}


@pytest.mark.parametrize(
    "text",
    ["가" * 1_000_000, "다!" * 500_000, ". " * 500_000, "가나다\n" * 250_000, "다" + "!" * 999_998 + "a"],
    ids=["one_word", "ending_punct", "dot_words", "lines", "long_trailer"],
)
def test_one_megabyte_adversarial_inputs_are_fast(text):
    start = time.perf_counter()
    assert isinstance(gopher_quality(text), str)
    gopher_quality_metrics(text)
    assert time.perf_counter() - start < 5  # linear: ~0.3 s; backtracking would take minutes


def test_unknown_function_word_mode_is_an_error():
    with pytest.raises(ValueError, match="function_word_mode"):
        gopher_quality(GOOD, function_word_mode="knlm")


def test_deterministic():
    assert [gopher_quality_metrics(GOOD) for _ in range(3)] == [gopher_quality_metrics(GOOD)] * 3


def test_kiwi_mode_on_two_documents():
    # The only test that loads Kiwi (a few seconds, once per process).
    pytest.importorskip("kiwipiepy")
    assert gopher_quality(GOOD, function_word_mode="kiwi") is None
    assert gopher_quality(CITIES, function_word_mode="kiwi") == "too_few_function_words"
