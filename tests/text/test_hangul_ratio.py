import time
import unicodedata

import pytest

from dps.text.hangul import hangul_char_ratio, hangul_ratio

# --- hangul_char_ratio --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("한국어", 1.0),
        ("한국 abc", 2 / 5),
        ("한국!!!", 1.0),  # punctuation is not counted
        ("  한국  \n", 1.0),  # nor whitespace
        ("2024년", 1 / 5),  # digits count against Hangul
        ("ㅋㅋ ok", 2 / 4),  # compatibility jamo are Hangul
        ("좋아😀", 2 / 3),  # emoji are symbols, and count
        ("가격은 $100+", 3 / 8),  # $ and + are symbols (S*), not punctuation
        ("大韓民國 대한민국", 4 / 8),  # Hanja count against Hangul
        ("한국어 English 中文 日本語 😀", 3 / 16),
        ("「인용」·《책》…", 1.0),  # CJK brackets, middle dot and ellipsis are punctuation
        ("경제ㆍ사회", 1.0),
        ("", 0.0),
        ("   ", 0.0),
        ("!!! ...", 0.0),
    ],
)
def test_ratio_ignoring_whitespace_and_punctuation(text, expected):
    assert hangul_char_ratio(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("한국!!!", 2 / 5),
        ("한 국", 2 / 3),
        ("!!!", 0.0),
        ("", 0.0),
    ],
)
def test_ratio_counting_everything(text, expected):
    assert hangul_char_ratio(text, ignore_whitespace_and_punct=False) == pytest.approx(expected)


def test_conjoining_and_halfwidth_jamo_are_hangul():
    assert hangul_char_ratio(unicodedata.normalize("NFD", "한글")) == 1.0
    assert hangul_char_ratio("\uffa1\uffa2a") == pytest.approx(2 / 3)


# --- hangul_ratio filter ------------------------------------------------------------------------------------


def test_korean_sentence_is_kept():
    assert hangul_ratio("오늘 서울의 낮 기온은 25도까지 오르겠습니다.") is None


def test_korean_with_english_terms_and_numbers_is_kept():
    assert hangul_ratio("삼성전자 Galaxy S24 출시, 가격은 115만원부터") is None


@pytest.mark.parametrize(
    "text",
    [
        "This movie was great, highly recommended.",
        "12345678910",
        "dddddddddddddddd",
        "東京は今日も晴れです",
        "^^;",
        "https://example.com/watch?v=abcdefg 영상",
    ],
)
def test_non_korean_documents_are_rejected(text):
    assert hangul_ratio(text) == "hangul_ratio_low"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\t\u3000\n"])
def test_blank_documents_are_empty(text):
    assert hangul_ratio(text) == "empty"


def test_punctuation_only_document_is_empty_when_punctuation_is_ignored():
    assert hangul_ratio("!!! ... ???") == "empty"
    assert hangul_ratio("!!! ... ???", ignore_whitespace_and_punct=False) == "hangul_ratio_low"


def test_threshold_is_inclusive():
    assert hangul_ratio("한국 abc", min_hangul_char_ratio=0.4) is None
    assert hangul_ratio("한국 abc", min_hangul_char_ratio=0.41) == "hangul_ratio_low"


def test_threshold_extremes():
    assert hangul_ratio("abc", min_hangul_char_ratio=0.0) is None
    assert hangul_ratio("한국a", min_hangul_char_ratio=1.0) == "hangul_ratio_low"
    assert hangul_ratio("한국", min_hangul_char_ratio=1.0) is None


def test_whitespace_and_punctuation_flag_changes_the_decision():
    text = "좋다!!!!!!!!!!"
    assert hangul_ratio(text, min_hangul_char_ratio=0.5) is None
    assert hangul_ratio(text, min_hangul_char_ratio=0.5, ignore_whitespace_and_punct=False) == (
        "hangul_ratio_low"
    )


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_out_of_range_threshold_is_an_error(value):
    with pytest.raises(ValueError, match="min_hangul_char_ratio"):
        hangul_ratio("한국어", min_hangul_char_ratio=value)


def test_mixed_scripts_and_emoji():
    assert hangul_ratio("한국어 English 中文 日本語 😀") == "hangul_ratio_low"
    assert hangul_ratio("한국어 문장에 English 한 단어 😀") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("한국어 문장입니다. " * 100_000, None),
        ("a" * 1_000_000, "hangul_ratio_low"),
        ("!" * 1_000_000, "empty"),
        (" " * 1_000_000, "empty"),
    ],
)
def test_one_megabyte_documents_are_fast(text, expected):
    start = time.perf_counter()
    assert hangul_ratio(text) == expected
    assert time.perf_counter() - start < 1.0


def test_lone_surrogate_does_not_raise():
    assert hangul_char_ratio("가\ud800") == pytest.approx(1 / 2)
