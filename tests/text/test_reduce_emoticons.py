import random
import time

import pytest

from dps.text.emoticons import reduce_emoticons

# --- repeated jamo ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ㅋㅋㅋㅋㅋㅋㅋ", "ㅋㅋ"),
        ("ㅎㅎㅎ", "ㅎㅎ"),
        ("ㅠㅠㅠㅠ", "ㅠㅠ"),
        ("ㅜㅜㅜ", "ㅜㅜ"),
        ("ㄷㄷㄷㄷ", "ㄷㄷ"),
        ("ㅇㅇㅇㅇㅇ", "ㅇㅇ"),
        ("진짜 웃기네ㅋㅋㅋㅋㅋ 배아파ㅠㅠㅠㅠ", "진짜 웃기네ㅋㅋ 배아파ㅠㅠ"),
        ("ㅋㅋㅋㅋㅎㅎㅎㅎ", "ㅋㅋㅎㅎ"),
    ],
)
def test_jamo_runs_are_cut_to_max_repeats(text, expected):
    assert reduce_emoticons(text) == expected


@pytest.mark.parametrize("text", ["ㅋ", "ㅋㅋ", "좋아요ㅋ", "ㅠㅠ 슬퍼요", "ㅋㅋ ㅋㅋ ㅋㅋ"])
def test_short_jamo_runs_are_kept(text):
    assert reduce_emoticons(text) == text


def test_max_repeats_one_and_three():
    assert reduce_emoticons("ㅋㅋㅋㅋㅋ ㅠㅠ", max_repeats=1) == "ㅋ ㅠ"
    assert reduce_emoticons("ㅋㅋㅋㅋㅋ ㅋㅋㅋ", max_repeats=3) == "ㅋㅋㅋ ㅋㅋㅋ"


def test_old_compatibility_jamo_are_not_emoticons():
    assert reduce_emoticons("ㆍㆍㆍㆍ") == "ㆍㆍㆍㆍ"


# --- alternating jamo pairs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ㅋㅎㅋㅎㅋㅎㅋㅎ", "ㅋㅎㅋㅎㅋㅎ"),
        ("ㅠㅜㅠㅜㅠㅜㅠㅜㅠㅜ", "ㅠㅜㅠㅜㅠㅜ"),
        ("ㅋㅎㅋㅎㅋㅎㅋㅎㅋ", "ㅋㅎㅋㅎㅋㅎㅋ"),
        ("ㅋㅎㅋㅎ", "ㅋㅎㅋㅎ"),
        ("ㅎㅋㅎㅋㅎㅋ", "ㅎㅋㅎㅋㅎㅋ"),  # three repeats: common laughter, kept
        ("ㅎㅋㅎㅋㅎㅋ 좋다", "ㅎㅋㅎㅋㅎㅋ 좋다"),
        ("ㅋㅋㅎㅎㅋㅋㅎㅎㅋㅋㅎㅎ", "ㅋㅋㅎㅎㅋㅋㅎㅎㅋㅋㅎㅎ"),  # longer cycles are left alone
    ],
)
def test_alternating_pairs(text, expected):
    assert reduce_emoticons(text) == expected


def test_alternating_pairs_follow_max_laughter_repeats():
    assert reduce_emoticons("ㅋㅎㅋㅎㅋㅎ", max_laughter_repeats=1) == "ㅋㅎ"
    assert reduce_emoticons("ㅋㅎㅋㅎㅋㅎ", max_repeats=1) == "ㅋㅎㅋㅎㅋㅎ"
    assert reduce_emoticons("ㅋㅎㅋㅎㅋㅎ", max_laughter_repeats=2) == "ㅋㅎㅋㅎ"


# --- soynlp-style syllable splitting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ㅋㅋ쿠ㅜㅜ", "ㅋㅋㅜㅜ"),
        ("ㅋㅋㅋ큐ㅠㅠ", "ㅋㅋㅠㅠ"),
        ("ㅎㅎ후ㅜ", "ㅎㅎㅜㅜ"),
        ("재밌다ㅋ쿠ㅜ", "재밌다ㅋㅋㅜㅜ"),
    ],
)
def test_syllable_between_its_consonant_and_vowel_is_split(text, expected):
    assert reduce_emoticons(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ㅋㅋ큐브",  # no vowel jamo after the syllable
        "ㅋ쿵ㅜ",  # the syllable has a final
        "ㅋ후ㅜ",  # onset differs from the consonant before it
        "ㅋ쿠ㅠ",  # vowel differs from the vowel after it
        "ㅋ쿠키",  # an ordinary word after ㅋ
    ],
)
def test_other_syllables_next_to_jamo_are_kept(text):
    assert reduce_emoticons(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("웃곀ㅋㅋㅋ", "웃겨ㅋㅋ"),
        ("아닠ㅋ", "아니ㅋㅋ"),
        ("앜ㅋㅋㅋㅋ 진짜", "아ㅋㅋ 진짜"),
        ("킄ㅋㅋ", "크ㅋㅋ"),  # a syllable that is itself laughter
        ("킄ㅋ", "크ㅋㅋ"),
        ("캌ㅋㅋㅋㅋ", "카ㅋㅋ"),
        # A final ㅎ off a syllable that starts with ㅎ or ㅋ
        ("핳ㅎㅎ", "하ㅎㅎ"),
        ("헿ㅎㅎㅎㅎ", "헤ㅎㅎ"),
        ("흫ㅎ", "흐ㅎㅎ"),
        ("킇ㅎㅎ", "크ㅎㅎ"),
        ("하하하핳ㅎ", "하하하ㅎㅎ"),
    ],
)
def test_final_kieuk_or_hieuh_before_the_same_jamo_is_split_off(text, expected):
    assert reduce_emoticons(text) == expected


@pytest.mark.parametrize(
    "text", ["부엌ㅋㅋ", "동녘ㅋ", "키읔ㅋ", "좋ㅎ", "좋ㅎㅎ", "그렇ㅎㅎ", "노랗ㅎ", "놓ㅎㅎ", "아닠 진짜", "핳ㅋ", "킄ㅎ"]
)
def test_final_kieuk_exceptions_and_other_finals_are_kept(text):
    assert reduce_emoticons(text) == text


# --- laughter syllables -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("하하하하", "하하하"),
        ("크크크크크", "크크크"),
        ("흑흑흑흑", "흑흑흑"),
        ("아하하하하하 재밌다", "아하하하 재밌다"),
        ("호호호 허허허허", "호호호 허허허"),
    ],
)
def test_laughter_syllable_runs_longer_than_three_are_cut(text, expected):
    assert reduce_emoticons(text) == expected


@pytest.mark.parametrize("text", ["크크크", "으히히히", "히히히", "낄낄낄 웃었다", "하하하 좋아요", "흑흑흑"])
def test_laughter_runs_of_three_are_kept(text):
    assert reduce_emoticons(text) == text


def test_max_laughter_repeats():
    assert reduce_emoticons("크크크 하하하하", max_laughter_repeats=2) == "크크 하하"
    assert reduce_emoticons("으히히히히히", max_laughter_repeats=1) == "으히"
    with pytest.raises(ValueError, match="max_laughter_repeats"):
        reduce_emoticons("ㅋㅋ", max_laughter_repeats=0)


@pytest.mark.parametrize(
    "text",
    ["하하", "다다익선", "소소하다", "나나", "쿠키", "크크", "다다다다", "소소소소", "가가가가", "우리나라 나라나라"],
)
def test_ordinary_syllables_are_kept(text):
    assert reduce_emoticons(text) == text


# --- things that must never change (the predecessor broke the first three) ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1000000원",
        "www.naver.com",
        "좋아요ㅋ",
        "aaaa",
        "2000000",
        "soooo goooood",
        "AAA 등급 100점 0000-1111",
        "http://a.com/ㅋㅋㅋㅋ",
        "https://example.com/하하하하?q=!!!!",
        "WWW.EXAMPLE.COM/ㅠㅠㅠㅠ",
        "😂😂😂😂 👍👍👍",
        "...... !!!! ???? ~~~~",  # punctuation only changes when asked
    ],
)
def test_never_changed(text):
    assert reduce_emoticons(text) == text


def test_digits_and_latin_survive_punctuation_reduction():
    assert reduce_emoticons("1000000원 aaaa 2000000!!!!", reduce_punctuation=True) == "1000000원 aaaa 2000000!!"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("http://blog.daum.net/abcㅎㅎㅎㅎㅎ", "http://blog.daum.net/abcㅎㅎ"),
        ("blog.daum.net/abcㅎㅎㅎㅎㅎ", "blog.daum.net/abcㅎㅎ"),
        ("https://www.naver.com/ㅋㅋㅋㅋ", "https://www.naver.com/ㅋㅋㅋㅋ"),  # a path segment stays
        ("www.example.com?q=1ㅠㅠㅠㅠ 진짜", "www.example.com?q=1ㅠㅠ 진짜"),
        ("https://a.com/x/ㅋㅋㅋ/yㅋㅋㅋㅋ", "https://a.com/x/ㅋㅋㅋ/yㅋㅋ"),
        ("http://a.com/abcㅋㅋㅋㅋ재밌다ㅋㅋㅋ", "http://a.com/abcㅋㅋ재밌다ㅋㅋ"),
        ("hong@naver.comㅋㅋㅋㅋ", "hong@naver.comㅋㅋ"),
        ("메일 hong@naver.com ㅎㅎㅎㅎ", "메일 hong@naver.com ㅎㅎ"),
    ],
)
def test_jamo_glued_after_a_url_or_email_are_reduced_and_the_address_kept(text, expected):
    assert reduce_emoticons(text) == expected


def test_url_is_kept_while_the_text_around_it_is_reduced():
    text = "여기 보세요ㅋㅋㅋㅋ http://a.com/ㅋㅋㅋㅋ!!!! 대박!!!! ㅋㅋㅋㅋ"
    expected = "여기 보세요ㅋㅋ http://a.com/ㅋㅋㅋㅋ!!!! 대박!! ㅋㅋ"
    assert reduce_emoticons(text, reduce_punctuation=True) == expected


# --- punctuation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("와!!!!!", "와!!"),
        ("진짜????", "진짜??"),
        ("좋아요~~~~", "좋아요~~"),
        ("감사합니다^^^^^", "감사합니다^^"),
        ("대박！！！", "대박！！"),
        ("그래서......", "그래서..."),
        ("음....", "음..."),
        ("음...", "음..."),
        ("음..", "음.."),
        ("그런데……", "그런데……"),
        ("원주율 3.14159", "원주율 3.14159"),
        ("1.....2", "1...2"),
        ("!?!?!?", "!?!?!?"),
    ],
)
def test_punctuation_reduction(text, expected):
    assert reduce_emoticons(text, reduce_punctuation=True) == expected


def test_max_punctuation_repeats():
    assert reduce_emoticons("와!!!~~~", reduce_punctuation=True, max_punctuation_repeats=1) == "와!~"
    assert reduce_emoticons("와!!!!!", reduce_punctuation=True, max_punctuation_repeats=3) == "와!!!"


@pytest.mark.parametrize("kwargs", [{"max_repeats": 0}, {"max_punctuation_repeats": 0}])
def test_invalid_repeats_are_errors(kwargs):
    with pytest.raises(ValueError):
        reduce_emoticons("ㅋㅋ", **kwargs)


# --- idempotence and contract edge cases --------------------------------------------------------------------

_ALPHABET = ["ㅋ", "ㅎ", "ㅠ", "ㅜ", "ㄷ", "쿠", "큐", "후", "캌", "핰", "하", "크", "엌", "가", " ", "!", ".", "a", "1",
             "핳", "헿", "킄", "좋", "히", "/", "http://a.com/"]


@pytest.mark.parametrize("max_repeats, max_laughter", [(1, 1), (2, 3), (3, 2), (2, 1)])
@pytest.mark.parametrize("reduce_punctuation", [False, True])
def test_idempotent_on_random_strings(max_repeats, max_laughter, reduce_punctuation):
    rng = random.Random(20240601 + max_repeats)
    for _ in range(3000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 16)))
        kwargs = {"max_repeats": max_repeats, "max_laughter_repeats": max_laughter,
                  "reduce_punctuation": reduce_punctuation}
        once = reduce_emoticons(text, **kwargs)
        assert reduce_emoticons(once, **kwargs) == once, text


@pytest.mark.parametrize(
    "text",
    ["ㅋㅋ쿠ㅜㅜ", "하하하핰ㅋ", "ㅎ하하하ㅏ", "웃곀ㅋㅋㅋ ㅋㅎㅋㅎㅋㅎ", "와!!!!.....~~~ http://a.com/ㅋㅋㅋ"],
)
def test_idempotent_on_examples(text):
    once = reduce_emoticons(text, max_repeats=1, reduce_punctuation=True)
    assert reduce_emoticons(once, max_repeats=1, reduce_punctuation=True) == once


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_blank_inputs_are_unchanged(text):
    assert reduce_emoticons(text) == text


def test_mixed_scripts_are_unchanged():
    text = "한국어 English 中文 日本語 カタカナ Ελληνικά"
    assert reduce_emoticons(text, reduce_punctuation=True) == text


def test_output_is_deterministic():
    text = "ㅋㅋㅋㅋ쿠ㅜㅜ 하하하하 웃곀ㅋ!!!!"
    assert reduce_emoticons(text) == reduce_emoticons(text) == "ㅋㅋㅜㅜ 하하하 웃겨ㅋㅋ!!!!"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ㅋ" * 1_000_000, "ㅋㅋ"),
        ("ㅋㅎ" * 500_000, "ㅋㅎㅋㅎㅋㅎ"),
        ("하" * 1_000_000, "하하하"),
        ("핳ㅎ" * 500_000, None),
        ("http://a.com/b" + "ㅋ" * 1_000_000, "http://a.com/bㅋㅋ"),
        ("!" * 1_000_000, "!!"),
        ("." * 1_000_000, "..."),
        ("ㅋ쿠ㅜ" * 300_000, None),
        ("핰ㅋ" * 500_000, None),
        ("http://" + "a" * 1_000_000, None),
        ("가나다라 " * 200_000, None),
    ],
)
def test_one_megabyte_adversarial_inputs_are_fast(text, expected):
    start = time.perf_counter()
    out = reduce_emoticons(text, reduce_punctuation=True)
    assert time.perf_counter() - start < 2.0
    if expected is not None:
        assert out == expected
