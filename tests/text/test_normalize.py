import time
import unicodedata

import pytest

from dps.text.normalize import normalize

# --- Unicode normalization and stray jamo ---------------------------------------------------------------


def test_nfd_korean_is_composed_and_kept():
    decomposed = unicodedata.normalize("NFD", "한국어")
    assert len(decomposed) > 3  # really conjoining jamo
    assert normalize(decomposed) == "한국어"


def test_nfd_sentence_with_finals_is_composed():
    text = "맥에서 저장한 파일 이름이 깨졌어요."
    assert normalize(unicodedata.normalize("NFD", text)) == text


def test_modern_syllables_are_never_deleted():
    text = "가각갂힣 뷁 똠방각하"
    assert normalize(text) == text


def test_old_hangul_clusters_are_removed():
    # ᄀᆞ: initial + arae-a does not compose into a modern syllable.
    assert normalize("옛 글자 \u1100\u119e\u1105\u119e\u11b7 표기") == "옛 글자 표기"


def test_old_final_after_modern_syllable_leaves_the_syllable():
    assert normalize("\u1100\u1161\u11eb") == "가"


def test_jamo_fillers_are_removed():
    assert normalize("\u115f\u1160안녕") == "안녕"
    assert normalize("앞\u115f뒤") == "앞뒤"


def test_extended_jamo_and_tone_marks_are_removed():
    assert normalize("말\ua960\ud7b0\ud7cb씀\u302e") == "말씀"


def test_compatibility_jamo_are_kept():
    text = "ㅋㅋㅋ 진짜 웃기다 ㅠㅠ ㄱㄱ"
    assert normalize(text) == text


def test_arae_a_compatibility_jamo_used_as_middle_dot_is_kept():
    assert normalize("경제ㆍ사회ㆍ문화") == "경제ㆍ사회ㆍ문화"


def test_cjk_compatibility_ideograph_becomes_unified():
    assert normalize("\uf91b") == "\u4e82"


def test_nfc_keeps_fullwidth_and_circled_characters():
    assert normalize("Ｆｕｌｌ ① ㉠") == "Ｆｕｌｌ ① ㉠"


def test_nfkc_folds_compatibility_characters():
    assert normalize("Ｆｕｌｌ ① ㈜한빛", form="NFKC") == "Full 1 (주)한빛"


def test_nfkc_keeps_compatibility_jamo():
    # Plain NFKC turns ㅋ into a conjoining jamo, which the stray-jamo step would then delete.
    assert normalize("웃겨 ㅋㅋㅋ ㅠㅠ ㆍ", form="NFKC") == "웃겨 ㅋㅋㅋ ㅠㅠ ㆍ"


def test_nfkc_turns_halfwidth_circled_and_parenthesized_jamo_into_compatibility_jamo():
    assert normalize("\uffa1 ㉠ ㈀ ㉮", form="NFKC") == "ㄱ ㄱ (ㄱ) 가"


def test_form_is_case_insensitive():
    assert normalize("Ａ", form="nfkc") == "A"


def test_unknown_form_is_an_error():
    with pytest.raises(ValueError, match="NFC"):
        normalize("가", form="NFD")


def test_max_consecutive_newlines_below_one_is_an_error():
    with pytest.raises(ValueError, match="max_consecutive_newlines"):
        normalize("가", max_consecutive_newlines=0)


def test_stray_jamo_removal_can_be_disabled():
    assert normalize("옛\u1100\u119e글", remove_stray_jamo=False) == "옛\u1100\u119e글"


# --- whitespace ---------------------------------------------------------------------------------------------


def test_unicode_spaces_and_tabs_become_one_space():
    assert normalize("서울\u00a0\u00a0시청\t앞\u3000광장\u2003분수\u202f옆") == "서울 시청 앞 광장 분수 옆"


def test_hangul_filler_is_a_space():
    assert normalize("세번째\u3164문장") == "세번째 문장"
    assert normalize("\u3164ㅎㅎ 좋아요") == "ㅎㅎ 좋아요"
    assert normalize("반각\uffa0채움") == "반각 채움"


def test_zero_width_characters_are_removed():
    assert normalize("안\u200b녕\ufeff하\u2060세\u200c요\u200d") == "안녕하세요"


def test_zero_width_space_between_words_next_to_a_space_leaves_one_space():
    assert normalize("오늘\u200b \u200b날씨") == "오늘 날씨"


def test_control_characters_are_removed():
    assert normalize("가\x00나\x07다\x1b라\x7f마\x9f바") == "가나다라마바"


def test_bidi_controls_and_soft_hyphen_are_removed():
    assert normalize("\u202e보고 싶다\u202c \u200f끝\u00ad말") == "보고 싶다 끝말"


def test_line_breaks_are_unified():
    text = "일\r\n이\r삼\u2028사\u2029오\x85육\x0b칠\x0c팔"
    assert normalize(text) == "일\n이\n삼\n사\n오\n육\n칠\n팔"


def test_space_runs_collapse():
    assert normalize("띄어쓰기가     너무   많다") == "띄어쓰기가 너무 많다"


def test_lines_are_stripped():
    assert normalize("  첫 줄입니다  \n\t둘째 줄입니다 \u3000\n 셋째 ") == "첫 줄입니다\n둘째 줄입니다\n셋째"


def test_three_or_more_newlines_become_a_paragraph_break():
    assert normalize("첫 문단.\n\n\n\n\n둘째 문단.\n셋째 줄.") == "첫 문단.\n\n둘째 문단.\n셋째 줄."


def test_blank_lines_made_of_spaces_count_as_empty():
    assert normalize("가\n   \n \t \n\u3000\n나") == "가\n\n나"


def test_paragraph_break_is_kept():
    assert normalize("가\n\n나") == "가\n\n나"


def test_document_is_stripped():
    assert normalize("\n\n  \u3000본문\u00a0 \n\n") == "본문"


def test_crlf_paragraphs():
    assert normalize("제목\r\n\r\n\r\n본문 첫 줄 \r\n 본문 둘째 줄\r\n") == "제목\n\n본문 첫 줄\n본문 둘째 줄"


# --- switches -----------------------------------------------------------------------------------------------


def test_normalize_whitespace_off_keeps_unicode_spaces_and_line_breaks():
    assert normalize("가\u00a0나\r\n다\t라", normalize_whitespace=False) == "가\u00a0나\r\n다\t라"


def test_remove_invisible_chars_off_keeps_zero_width():
    assert normalize("가\u200b나", remove_invisible_chars=False) == "가\u200b나"


def test_collapse_spaces_off_keeps_inner_runs_but_strips_lines():
    assert normalize("  가   나  \n   다  ", collapse_spaces=False) == "가   나\n다"


def test_strip_lines_off_keeps_spaces_around_newlines():
    assert normalize("가 \n 나", strip_lines=False) == "가 \n 나"


def test_max_consecutive_newlines_none_keeps_all_newlines():
    assert normalize("가\n\n\n\n나", max_consecutive_newlines=None) == "가\n\n\n\n나"


def test_max_consecutive_newlines_one_joins_paragraphs_into_lines():
    assert normalize("가\n\n\n나\n\n다", max_consecutive_newlines=1) == "가\n나\n다"


def test_strip_document_off_keeps_outer_newlines():
    assert normalize("\n\n가\n\n", strip_document=False) == "\n\n가\n\n"


def test_everything_off_only_applies_nfc():
    text = unicodedata.normalize("NFD", " 한\u200b  \r\n\n\n\u1100\u119e ")
    out = normalize(
        text,
        remove_stray_jamo=False,
        normalize_whitespace=False,
        remove_invisible_chars=False,
        collapse_spaces=False,
        strip_lines=False,
        max_consecutive_newlines=None,
        strip_document=False,
    )
    assert out == " 한\u200b  \r\n\n\n\u1100\u119e "


# --- idempotence and contract edge cases --------------------------------------------------------------------

MESSY = [
    "",
    " ",
    unicodedata.normalize("NFD", "  가나다 \r\n\r\n\r\n라마\u200b바  "),
    "e\u200b\u0301 카페",  # a removed zero-width space must not leave an uncomposed accent behind
    "e\u1160\u0301",  # same for a removed filler
    "\u3164\u3164ㅋㅋ\u00a0\n \n \n\t끝",
    "\u1100\u119e\u1100\u1161\u11eb 옛말",
    "문단\n\n\n\n\n문단\u2029\u2029\u2029문단",
    "Ｆｕｌｌ ① ㉠ ﾡ ㅋㅋ",
]


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
@pytest.mark.parametrize("collapse_spaces", [True, False])
@pytest.mark.parametrize("text", MESSY)
def test_idempotent(text, form, collapse_spaces):
    once = normalize(text, form=form, collapse_spaces=collapse_spaces)
    assert normalize(once, form=form, collapse_spaces=collapse_spaces) == once


def test_removed_zero_width_space_does_not_block_composition():
    assert normalize("e\u200b\u0301") == "\u00e9"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\t\r\n\u3000\u200b"])
def test_blank_inputs_become_empty(text):
    assert normalize(text) == ""


def test_mixed_scripts_and_emoji_are_unchanged():
    text = "한국어 English 中文 日本語 カタカナ Ελληνικά 😀👍🏽"
    assert normalize(text) == text


def test_emoji_zwj_sequence_loses_its_joiner():
    # Zero-width joiners are removed everywhere, so a family emoji becomes its members.
    assert normalize("👩\u200d💻") == "👩💻"


@pytest.mark.parametrize(
    "text, kwargs",
    [
        ("가나다라 마바사 " * 100_000, {}),
        (" " * 1_000_000 + "가", {"collapse_spaces": False, "strip_document": False}),
        (" " * 1_000_000 + "가", {}),
        ("\u1100" * 1_000_000, {}),
        ("\u200b" * 1_000_000, {}),
        ("\n" * 1_000_000, {"strip_document": False}),
        ("\u1100\u1161" * 500_000, {"form": "NFKC"}),
    ],
)
def test_one_megabyte_adversarial_inputs_are_fast(text, kwargs):
    start = time.perf_counter()
    out = normalize(text, **kwargs)
    assert isinstance(out, str)
    assert time.perf_counter() - start < 2.0


def test_one_megabyte_space_run_without_collapse_keeps_inner_spaces_only():
    assert normalize(" " * 1_000_000 + "가" + " " * 10 + "나", collapse_spaces=False) == "가" + " " * 10 + "나"
