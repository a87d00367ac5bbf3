import time

import pytest

from dps.text.html import strip_html


# --- entities -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("가격 &lt; 1만원 &amp; 무료배송", "가격 < 1만원 & 무료배송"),
        ("창고(20m&times;30m)", "창고(20m×30m)"),
        ("불량률 1.5&permil;", "불량률 1.5‰"),
        ("&#54620;&#44544; &#xD55C;", "한글 한"),
        ("오늘도&nbsp;맑음", "오늘도 맑음"),  # a layout space becomes a plain space, not U+00A0
        ("Night&shy;Walker", "NightWalker"),  # an invisible hyphenation hint disappears
        ("&quot;인용&quot;", '"인용"'),
        ("&nbsp안녕", " 안녕"),  # the common entities also work without their semicolon
    ],
)
def test_entities_are_decoded(text, expected):
    assert strip_html(text) == expected


@pytest.mark.parametrize("text", ["AT&T와 R&D 투자", "주소는 ?a=1&copy=2 입니다", "P&G", "A & B", "&없는엔티티;"])
def test_ampersands_that_are_not_entities_stay(text):
    assert strip_html(text) == text


def test_double_escaped_entities_are_decoded_twice_by_default():
    assert strip_html("맛집&amp;nbsp;추천") == "맛집 추천"
    assert strip_html("맛집&amp;nbsp;추천", max_unescape_passes=1) == "맛집&nbsp;추천"


def test_entities_can_be_kept():
    assert strip_html("가&nbsp;나<br>다", unescape_entities=False) == "가&nbsp;나\n다"


# --- tags -----------------------------------------------------------------------------------------------

def test_br_becomes_a_line_break_and_blocks_one_line_each():
    assert strip_html("첫 줄<br>둘째 줄<br/>셋째 줄<br />") == "첫 줄\n둘째 줄\n셋째 줄"
    assert strip_html("<p>첫 문단입니다.</p><p>둘째 문단입니다.</p>") == "첫 문단입니다.\n둘째 문단입니다."
    assert strip_html("<div>\n  <p>안쪽 문단</p>\n</div>\n<div>다음 상자</div>") == "안쪽 문단\n다음 상자"


def test_two_br_make_a_blank_line_and_runs_collapse():
    assert strip_html("위<br><br>아래") == "위\n\n아래"
    assert strip_html("위<br><br><br><br><br>아래") == "위\n\n아래"


def test_inline_tags_vanish_without_a_trace():
    html = '<span style="color:red">빨간</span> <b>굵은</b> <a href="https://example.com/?q=1">링크</a>입니다'
    assert strip_html(html) == "빨간 굵은 링크입니다"


def test_uppercase_tags_and_list_items():
    assert strip_html("<P>하나</P><UL><LI>둘</LI><LI>셋</LI></UL>") == "하나\n둘\n셋"


def test_table_cells_are_separated_by_a_space():
    assert strip_html("<table><tr><td>이름</td><td>점수</td></tr><tr><td>민수</td><td>90</td></tr></table>") == (
        "이름 점수\n민수 90"
    )


def test_office_paste_debris_is_removed():
    assert strip_html("<p>회의록<o:p></o:p></p>") == "회의록"


def test_script_style_and_comments_are_removed_with_their_content():
    html = "<style>p { color: red; }</style>본문<script>if (a < b) { x = 1; }</script>이다<!-- 광고 영역 -->."
    assert strip_html(html) == "본문\n이다."


def test_script_content_kept_when_asked():
    assert strip_html("<script>var a = 1;</script>본문", drop_script_style=False) == "var a = 1;본문"


def test_unclosed_comment_or_script_never_swallows_the_rest():
    assert strip_html("본문<!-- 닫히지 않은 주석") == "본문<!-- 닫히지 않은 주석"
    assert strip_html("본문<script>나머지 글") == "본문나머지 글"


def test_doctype_is_removed():
    assert strip_html("<!DOCTYPE html><html><body><p>안녕</p></body></html>") == "안녕"


def test_block_tags_can_become_spaces():
    assert strip_html("<p>하나</p><p>둘</p>", block_tags_to_newlines=False).split() == ["하나", "둘"]


def test_escaped_markup_is_treated_as_markup():
    assert strip_html("첫째&lt;br&gt;둘째") == "첫째\n둘째"


# --- judgement calls: text that merely contains < or > ---------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "a < b 이고 c > d 이다",
        "1<2 그리고 3>2",
        "영화 <기생충>을 봤다",
        "<사진> 설명은 아래에",
        "삽입곡 <Blue Night>이 좋다",
        "<Big>은 1988년 영화다",  # titlecase element name: a title, not markup
        "너무 귀여워 >_< 최고 <3",
        "화살표 <- 와 -> 를 쓴다",
        "<< 이전 | 다음 >>",
        "<2021.05.04> 개봉",
    ],
)
def test_angle_brackets_that_are_not_markup_stay(text):
    assert strip_html(text) == text


def test_unpaired_inline_tag_is_text_but_paired_or_attributed_is_markup():
    assert strip_html("최고 >ㅅ<b>") == "최고 >ㅅ<b>"  # emoticon: no </b> anywhere
    assert strip_html("보기 <a> 또는 <b> 중 고르시오") == "보기 <a> 또는 <b> 중 고르시오"
    assert strip_html("<b>굵게</b> 그리고 >ㅅ<b>") == "굵게 그리고 >ㅅ"  # the document uses </b>: markup
    assert strip_html('<a href="https://example.com">링크') == "링크"  # attributes make it markup
    assert strip_html("<B>") == "<B>"


# --- contract ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\n", "한국어 English 中文 日本語 😀👍", "플레인 텍스트.\n둘째 줄"])
def test_text_without_markup_is_returned_unchanged(text):
    assert strip_html(text) == text


def test_nul_is_dropped():
    assert strip_html("가\x00나<br>다") == "가나\n다"


def test_mixed_scripts_and_emoji_survive():
    assert strip_html("<p>한국어 English 中文 日本語 😀</p>") == "한국어 English 中文 日本語 😀"


@pytest.mark.parametrize(
    "unit", ["<", "<a ", "&", "&amp;", "<!--", "<script>", "<p>", "</", "<a href=\"", "&#", "<b>가</b>"]
)
def test_one_megabyte_adversarial_input_is_fast(unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    start = time.perf_counter()
    out = strip_html(text)
    assert isinstance(out, str)
    assert time.perf_counter() - start < 3.0
