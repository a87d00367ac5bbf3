import pytest

from dps.text.words import (
    count_alphabetic_words,
    count_function_words,
    count_function_words_lexicon,
    is_alphabetic_word,
    split_lines,
    split_paragraphs,
    split_words,
)


def test_split_words_on_any_whitespace():
    assert split_words(" 학교에서  공부를\n했다\t그리고\u3000쉬었다 ") == ["학교에서", "공부를", "했다", "그리고", "쉬었다"]
    assert split_words("") == []
    assert split_words(" \n\t ") == []


def test_split_lines_strips_and_drops_blank_lines():
    assert split_lines("  첫 줄 \n\n   \r\n둘째 줄\r\n셋째") == ["첫 줄", "둘째 줄", "셋째"]
    assert split_lines("\n\n") == []


def test_split_paragraphs_on_blank_lines():
    text = "첫 문단 첫 줄\n첫 문단 둘째 줄\n\n  \n둘째 문단\n\n\n셋째 문단\n"
    assert split_paragraphs(text) == ["첫 문단 첫 줄\n첫 문단 둘째 줄", "둘째 문단", "셋째 문단"]


def test_split_paragraphs_falls_back_to_lines_without_blank_line():
    assert split_paragraphs("댓글 하나\n댓글 둘\n 댓글 셋 ") == ["댓글 하나", "댓글 둘", "댓글 셋"]
    assert split_paragraphs("한 줄뿐") == ["한 줄뿐"]
    assert split_paragraphs("") == []


@pytest.mark.parametrize("word", ["한국어", "ㅋㅋㅋ", "abc", "漢字", "カナ", "3월", "(주)", "#태그", "k-pop"])
def test_words_with_any_letter_are_alphabetic(word):
    assert is_alphabetic_word(word)


@pytest.mark.parametrize("word", ["2024", "12:30", "...", "…", "😀", "①", "½", "-", "#", "%"])
def test_words_without_letters_are_not_alphabetic(word):
    assert not is_alphabetic_word(word)


def test_count_alphabetic_words_matches_the_word_test():
    text = "오늘 2024년 12:30 回復 ① ... ok 😀ㅋ 😀 -"
    words = split_words(text)
    # alphabetic: 오늘, 2024년, 回復, ok, 😀ㅋ -> 5 of 10
    assert count_alphabetic_words(text) == 5 == sum(map(is_alphabetic_word, words))
    assert count_alphabetic_words("") == 0


def test_lexicon_counts_eojeol_ending_in_particles_and_endings():
    # 그리고(고) 나는(는) 학교에서(서) 공부를(를) 했습니다.(다, trailing period allowed)
    assert count_function_words_lexicon("그리고 나는 학교에서 공부를 했습니다.") == 5
    # 재밌어요ㅋㅋ: ending 요 followed by laughter jamo still counts
    assert count_function_words_lexicon("재밌어요ㅋㅋ 영화") == 1


def test_lexicon_standalone_function_words_only_as_whole_words():
    # 교수 does not count (수 is standalone-only), 수 and 것 do, 것은 counts once via 은
    assert count_function_words_lexicon("교수 수 것은 것 서울 부산") == 3
    assert count_function_words_lexicon("및, 등") == 2


def test_lexicon_counts_nothing_in_a_keyword_list():
    assert count_function_words_lexicon("서울 부산 대구 인천 맛집 카페 데이트 코스") == 0
    assert count_function_words_lexicon("") == 0


def test_lexicon_stop_at_caps_the_count():
    text = "나는 학교에서 공부를 했다"
    assert count_function_words_lexicon(text) == 4
    assert count_function_words_lexicon(text, stop_at=2) == 2


def test_count_function_words_prefix_cut_at_whitespace():
    # the first 9 chars are "나는 학교에서 공" -> cut back to "나는 학교에서" (2 words)
    assert count_function_words("나는 학교에서 공부를 했다", max_chars=9) == 2
    assert count_function_words("나는 학교에서 공부를 했다", max_chars=None) == 4


def test_count_function_words_rejects_unknown_mode():
    with pytest.raises(ValueError, match="function_word_mode"):
        count_function_words("나는 학생이다", mode="sbg")


def test_split_results_are_shared_between_calls_on_the_same_text_only():
    from dps.text.words import split_lines, split_words

    text = "가 나\n다 라"
    assert split_words(text) is split_words(text) and split_lines(text) is split_lines(text)
    other = "".join(["가 나\n", "다 라"])  # equal, but another object: split anew, same words
    assert other is not text and split_words(other) == ["가", "나", "다", "라"]
    assert split_words(other) is not split_words(text) and split_lines(other) == ["가 나", "다 라"]


def test_letters_of_str_isalpha_are_letters_of_the_regex():
    # count_letterless_words skips the words str.isalpha accepts: that is exact only if every such character is \p{L}.
    import regex

    every_char = "".join(map(chr, range(0x110000)))
    letters = "".join(filter(str.isalpha, every_char))
    assert regex.fullmatch(r"\p{L}*", letters)


def test_count_letterless_words_sees_words_as_split_words():
    # separators str.split knows but regex's \s does not (\x1c-\x1f), and words of letters with punctuation
    text = "가\x1c12\x1f-- 3월. (주) ① 😀ㅋ\u3000...\n回復 ½"
    assert count_alphabetic_words(text) == sum(map(is_alphabetic_word, split_words(text))) == 5


def test_count_word_chars_is_the_characters_of_the_words():
    from dps.text.words import count_word_chars

    assert count_word_chars(" 학교에서  공부를\n했다 ") == 4 + 3 + 2
    assert count_word_chars("") == 0 == count_word_chars(" \n ")
    other = "".join(["가나 ", "다"])
    assert count_word_chars(other) == 3 and count_word_chars("가 나다라") == 4  # the memo is per text object


def test_prefix_cut_counts_as_the_cut_text():
    # The lexicon regex runs up to the cut, not on a copy: a word ending exactly at the cut still ends there.
    text = "나는 학교에서 공부를 했다"
    for max_chars in range(len(text) + 2):
        end = len(text) if max_chars >= len(text) else max(text.rfind(" ", 0, max_chars + 1), 0) or max_chars
        assert count_function_words(text, max_chars=max_chars) == count_function_words_lexicon(text[:end])
