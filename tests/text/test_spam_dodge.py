"""spam_filter reads dodged spellings through a matching view (dps/text/spam_dodge.py); literal examples."""

import pytest

from dps.text.spam import spam_evidence, spam_filter, spam_scores
from dps.text.spam_dodge import compose_jamo, dodge_view, dodge_view_map

ABBREVIATIONS = {"ㅌㅌ": "토토", "ㅋㅈㄴ": "카지노"}


@pytest.mark.parametrize("written, view", [
    ("안.전.놀.이.터 추천", "안전놀이터 추천"),
    ("안 전 놀 이 터", "안전놀이터"),
    ("안-전 놀이터", "안전 놀이터"),
    ("꽁★머★니 지급", "꽁머니 지급"),
    ("출 . 장 . 안 . 마", "출장안마"),
    ("ㅅㅏㅇㅣㅌㅡ", "사이트"),
    ("사ㅇㅣ트", "사이트"),
    ("ㄱㅘㄴ리", "관리"),
    ("ㅌㅌ 사 이 트", "토토 사이트"),
    ("ㅋㅈㄴ사이트", "카지노사이트"),
    ("먹\u200b튀\u200b검\u200b증", "먹튀검증"),
])
def test_dodged_spellings_read_as_the_plain_word(written, view):
    assert dodge_view(written, ABBREVIATIONS) == view


@pytest.mark.parametrize("text", [
    "ㅋㅋㅋ 진짜 웃기다 ㅎㅎ ㅠㅠ ㅇㅇ",  # consonant-only and vowel-only runs are not spellings
    "ㅌㅌ 하자 이제",  # an abbreviation only joins the view: 토토 alone is no term
    "안 전놀이터",  # a syllable glued to a word ends the run: 전놀이터 is not single syllables
    "오늘 날씨가 좋네요.",
])
def test_ordinary_text_matches_nothing_new(text):
    assert spam_scores(text) == spam_scores(text, normalize_dodges=False)


def test_a_spaced_single_syllable_run_in_ordinary_text_is_joined_but_matches_no_term():
    text = "그 때 나 는 정말 몰랐다. 한·미·일 정상이 만났다."
    assert dodge_view(text) == "그때나는 정말 몰랐다. 한미일 정상이 만났다."
    assert sum(spam_scores(text).values()) == 0


def test_separators_are_bounded_and_never_a_line_break():
    assert dodge_view("안\n전\n놀\n이\n터") == "안\n전\n놀\n이\n터"
    assert dodge_view("안    전") == "안    전"  # four spaces: a layout gap, not a dodge


def test_compose_jamo_follows_the_keyboard_rule():
    assert compose_jamo("ㅎㅏㄴㄱㅡㄹ")[0] == "한글"
    assert compose_jamo("ㅅㅏㅇㅣ")[0] == "사이"  # a consonant before a vowel starts the next syllable
    assert compose_jamo("ㅋㅋㅋ")[0] == "ㅋㅋㅋ"
    text, spans = compose_jamo("ㄷㅐㅊㅜㄹ")
    assert text == "대출" and spans == [(0, 2), (2, 5)]


def test_view_positions_map_back_to_the_text():
    text = "좋은 글 감사합니다 안.전.놀.이.터 주소는 여기"
    view, where = dodge_view_map(text)
    start = view.index("안전놀이터")
    assert text[slice(*where(start, start + 5))] == "안.전.놀.이.터"
    assert dodge_view_map("변한 것 없음")[1](0, 2) == (0, 2)


# An invented spam comment written to dodge the lexicon: today's matching finds nothing in it.
DODGED_COMMENT = "영화 잘 봤어요 ㅎㅎ 안.전.놀.이.터 ㅌㅌ 사 이 트 꽁-머-니 지급 ㄱㅏㅇㅣㅂ 코드 777"


def test_a_dodged_spam_comment_is_rejected_and_its_evidence_is_as_written():
    assert spam_filter(DODGED_COMMENT, normalize_dodges=False) is None
    assert spam_filter(DODGED_COMMENT) == "spam_gambling"
    matched = spam_evidence(DODGED_COMMENT)["matched"]
    assert "안.전.놀.이.터" in matched and "ㅌㅌ 사 이 트" in matched and "꽁-머-니" in matched


def test_word_start_terms_still_need_a_word_start_in_the_view():
    # ^야동 must not match inside 가야동 (a place name), spaced or not.
    assert sum(spam_scores("가 야 동 주민센터 가야동 주민센터").values()) == 0


def test_normalization_costs_nothing_on_text_without_candidates():
    text = "평범한 문장입니다. " * 1000
    assert dodge_view(text) is text
