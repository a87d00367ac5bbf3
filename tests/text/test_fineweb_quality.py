"""fineweb_quality: FineWeb's line rules with Korean sentence endings, one reason per rule."""

import pytest

from dps.text.fineweb_quality import fineweb_quality, fineweb_quality_profile, is_terminal_line

PROSE = ("오늘 본 영화는 정말 재밌었다.\n배우들 연기가 좋아요~\n다음 편도 기대됩니다!\n"
         "결말이 조금 아쉬웠죠\n그래도 추천하고 싶은 작품이다")
OFF = {"min_line_punct_ratio": None, "max_short_line_ratio": None, "max_dup_line_char_ratio": None,
       "max_newline_word_ratio": None}


@pytest.mark.parametrize("line", ["재밌었다.", "정말 좋아요~", "최고네요ㅋㅋ", "슬프다ㅠㅠ", "그렇죠?", "가볼까",
                                  "강력 추천함", "볼만한듯 ^^", "“그렇다”", "He left."])
def test_korean_and_punctuated_line_ends(line):
    assert is_terminal_line(line)


@pytest.mark.parametrize("line", ["최고의 영화", "인생 영화ㅋㅋ", "홈 > 뉴스 > 정치", "로그인", "2024년 3월"])
def test_lines_that_end_no_sentence(line):
    assert not is_terminal_line(line)


def test_without_korean_endings_only_punctuation_counts():
    assert not is_terminal_line("재밌었다", count_korean_endings=False)
    assert not is_terminal_line("좋아요~", count_korean_endings=False)
    assert is_terminal_line("재밌었다.", count_korean_endings=False)


def test_korean_prose_passes_and_fails_on_punctuation_alone():
    assert fineweb_quality(PROSE) is None
    # 2 of 5 lines end in punctuation: below 0.5 only when Korean endings do not count.
    assert fineweb_quality(PROSE, count_korean_endings=False, min_line_punct_ratio=0.5) == "line_punct_low"
    assert fineweb_quality(PROSE, count_korean_endings=True, min_line_punct_ratio=0.5) is None


def test_a_list_of_names_fails_the_punctuation_rule():
    assert fineweb_quality("최고의 영화\n인생 영화\n명작 중의 명작\n강력 추천 작품") == "line_punct_low"


def test_one_line_chunks_skip_the_line_rules_unless_asked():
    chunk = "정부는 오늘 새로운 정책을 발표했으며 전문가들은 이번 조치가 시장에"  # cut mid-sentence
    assert fineweb_quality(chunk) is None
    assert fineweb_quality(chunk, min_lines_for_line_rules=1) == "line_punct_low"


def test_menu_page_has_short_lines():
    menu = "홈\n로그인\n회원가입\n고객센터\n공지사항\n이벤트다"  # the last line ends in 다: punctuation passes
    assert fineweb_quality(menu, min_line_punct_ratio=0.1) == "short_lines_high"
    assert fineweb_quality(menu, **{**OFF, "max_short_line_ratio": 0.8}) == "short_lines_high"
    assert fineweb_quality(menu, **{**OFF, "max_short_line_ratio": 0.8}, short_line_chars=1) is None


def test_duplicated_lines_count_their_characters():
    text = "같은 공지 문장이 반복됩니다.\n" * 3 + "본문은 한 줄뿐이다."
    m = fineweb_quality_profile(text)
    repeated = 2 * len("같은 공지 문장이 반복됩니다.")
    assert m["dup_line_char_ratio"] == pytest.approx(repeated / (len(text) - text.count("\n")))
    assert fineweb_quality(text, **{**OFF, "max_dup_line_char_ratio": 0.1}) == "dup_line_chars_high"
    assert fineweb_quality(PROSE, **{**OFF, "max_dup_line_char_ratio": 0.0}) is None


def test_newline_word_ratio_ignores_blank_lines():
    assert fineweb_quality_profile("가 나\n\n\n다 라")["newline_word_ratio"] == pytest.approx(1 / 4)
    one_word_lines = "\n".join(["사과다", "배다", "감이다", "귤이다"])
    assert fineweb_quality(one_word_lines, **{**OFF, "max_newline_word_ratio": 0.5}) == "newline_ratio_high"


def test_empty_text_has_zero_metrics_and_no_line_rule():
    assert fineweb_quality_profile("") == {"lines": 0, "line_punct_ratio": 0.0, "short_line_ratio": 0.0,
                                           "dup_line_char_ratio": 0.0, "newline_word_ratio": 0.0}
    assert fineweb_quality("") is None


def test_bad_settings_raise():
    with pytest.raises(ValueError):
        fineweb_quality("가", min_lines_for_line_rules=0)
