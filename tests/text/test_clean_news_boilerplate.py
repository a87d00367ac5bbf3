import time

import pytest

from dps.text.news_boilerplate import (
    clean_news_boilerplate,
    clean_news_boilerplate_with_stats,
    news_boilerplate_rules,
)

RULES = ["related_articles", "copyright", "reporter_signature", "photo_caption", "byline", "dateline"]


def cut(text, **params):
    out, stats = clean_news_boilerplate_with_stats(text, **params)
    return out, {k: v for k, v in stats.items() if v}


# --- every rule, with invented examples ----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("(서울=연합뉴스) 김민수 기자 = 한국은행이 기준금리를 올렸다.", "한국은행이 기준금리를 올렸다."),
        # news chunks: the headline precedes the byline on the same line
        ("[경제] 금리 또 오른다 (서울=연합뉴스) 김민수 기자 = 한국은행이 금리를 올렸다.",
         "[경제] 금리 또 오른다 한국은행이 금리를 올렸다."),
        ("(세종=뉴스1) 박지현 이정우 기자 = 정부가 예산안을 발표했다.", "정부가 예산안을 발표했다."),
        ("(세종=뉴스1) 박지현·이정우 기자 = 정부가 예산안을 발표했다.", "정부가 예산안을 발표했다."),
        ("[서울=뉴시스]최유리 기자 = 아파트값이 하락했다.", "아파트값이 하락했다."),
        ("【서울=뉴시스】 아파트값이 하락했다.", "아파트값이 하락했다."),
        ("(워싱턴=연합뉴스) 이승민 특파원 = 연준이 금리를 동결했다.", "연준이 금리를 동결했다."),
        ("[아시아경제 한지수 기자] 코스피가 올랐다.", "코스피가 올랐다."),
        ("[헤럴드경제=오세진 기자] 코스피가 올랐다.", "코스피가 올랐다."),
        ("송민호 기자 = 날씨가 맑겠다.", "날씨가 맑겠다."),
    ],
)
def test_byline(text, expected):
    assert cut(text, rules=["byline"]) == (expected, {"byline": 1})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("비가 오겠다. 강수량은 10mm 안팎이다. 김하늘 기자 sky@example.co.kr", "비가 오겠다. 강수량은 10mm 안팎이다."),
        ("비가 오겠다. 김하늘 기자(sky@example.co.kr)", "비가 오겠다."),
        ("비가 오겠다./김하늘 기자", "비가 오겠다."),
        ("비가 오겠다. [김하늘 기자 sky@example.co.kr]", "비가 오겠다."),
        ("비가 오겠다. 글·사진=김하늘 기자", "비가 오겠다."),
        ("비가 오겠다. 김하늘·이바다 기자", "비가 오겠다."),
        ("시장이 인사말을 하고 있다. 2023.3.2 photo@example.co.kr", "시장이 인사말을 하고 있다."),
        ("대책을 발표했다. (끝)", "대책을 발표했다."),
        ("본문 첫 줄이다.\n김하늘 기자 sky@example.co.kr\n", "본문 첫 줄이다.\n"),
    ],
)
def test_reporter_signature(text, expected):
    assert cut(text, rules=["reporter_signature"]) == (expected, {"reporter_signature": 1})


@pytest.mark.parametrize(
    "text",
    [
        "기준금리를 동결했다. <저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>",
        "기준금리를 동결했다. <저작권자(c) 연합뉴스, 무단 전재-재배포 금지>",
        "기준금리를 동결했다. ⓒ 한국경제 & hankyung.com, 무단전재 및 재배포 금지",
        "기준금리를 동결했다. Copyright ⓒ 매일경제 & mk.co.kr. All rights reserved.",
        "기준금리를 동결했다. 무단전재 및 재배포 금지",
        "기준금리를 동결했다. 무단 전재, 재배포 및 AI학습 이용 금지",
        "기준금리를 동결했다. [ⓒ 가나일보]",
        "기준금리를 동결했다. ⓒ 가나일보",
        "기준금리를 동결했다. 이 기사의 저작권은 가나일보에 있습니다.",
    ],
)
def test_copyright(text):
    assert cut(text, rules=["copyright"]) == ("기준금리를 동결했다.", {"copyright": 1})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("축사를 하고 있다. [사진=연합뉴스] 시는 행사를 열었다.", "축사를 하고 있다. 시는 행사를 열었다."),
        ("축사를 하고 있다. (사진=가나시 제공) 시는 행사를 열었다.", "축사를 하고 있다. 시는 행사를 열었다."),
        ("축사를 하고 있다. [그래픽=김하늘 기자] 시는 행사를 열었다.", "축사를 하고 있다. 시는 행사를 열었다."),
        ("축사를 하고 있다. [사진 제공: 가나시] 시는 행사를 열었다.", "축사를 하고 있다. 시는 행사를 열었다."),
        ("축사를 하고 있다. /사진=연합뉴스 시는 행사를 열었다.", "축사를 하고 있다. 시는 행사를 열었다."),
        ("축사를 하고 있다. /사진=가나시 제공 시는 행사를 열었다.", "축사를 하고 있다. 시는 행사를 열었다."),
        ("은행 창구 모습. [연합뉴스 자료사진]", "은행 창구 모습."),
        ("은행 창구 모습. [가나은행 제공]", "은행 창구 모습."),
        ("사진=홍보팀 제공\n본문이 여기에 있다.", "본문이 여기에 있다."),
    ],
)
def test_photo_caption(text, expected):
    assert cut(text, rules=["photo_caption"]) == (expected, {"photo_caption": 1})


@pytest.mark.parametrize(
    "text, expected, spans",
    [
        ("본문이다. ▶ 네이버에서 가나일보 구독하기 ▶ 기사 제보는 카카오톡 okjebo", "본문이다.", 2),
        ("본문이다.\n[관련기사]\n금리 또 올라\n주택시장 한파", "본문이다.", 1),
        ("본문이다. ▶ 관련기사 ◀ 금리 또 올라 주택시장 한파", "본문이다.", 1),
        ("본문이다. 네이버에서 가나일보를 구독하세요!", "본문이다.", 1),
        ("본문이다. ☞ 가나일보 다른 기사 보러 가기", "본문이다.", 1),
    ],
)
def test_related_articles(text, expected, spans):
    assert cut(text, rules=["related_articles"]) == (expected, {"related_articles": spans})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[주말] 포근한 날씨 입력 2023. 3. 2. 10:15 토요일은 맑겠다.", "[주말] 포근한 날씨 토요일은 맑겠다."),
        ("입력 2020.08.10 14:00 수정 2020.08.10 15:30\n본문이다.", "본문이다."),
        ("기사입력 2020-08-10 오후 2:00 본문이다.", "본문이다."),
    ],
)
def test_dateline(text, expected):
    assert cut(text, rules=["dateline"])[0] == expected


def test_rules_combine_on_a_whole_article():
    article = (
        "가나시, 청년 일자리 500개 만든다\n"
        "입력 2023.03.02 10:15\n"
        "(가나=연합뉴스) 김하늘 기자 = 가나시가 올해 청년 일자리 500개를 만든다고 2일 밝혔다.\n"
        "시장이 계획을 발표하고 있다. [가나시 제공]\n"
        "시는 이를 위해 예산 30억원을 편성했다.\n"
        "sky@example.co.kr\n"
        "<저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>\n"
        "▶ 네이버에서 연합뉴스 구독하기"
    )
    out, stats = cut(article)
    assert out == (
        "가나시, 청년 일자리 500개 만든다\n"
        "가나시가 올해 청년 일자리 500개를 만든다고 2일 밝혔다.\n"
        "시장이 계획을 발표하고 있다.\n"
        "시는 이를 위해 예산 30억원을 편성했다.\n"
        "sky@example.co.kr"  # a bare address is content (a contact); PII tagging handles it
    )
    assert stats == {"related_articles": 1, "copyright": 1, "photo_caption": 1, "byline": 1, "dateline": 1}


def test_signature_before_copyright_is_cut_after_the_footer():
    text = "동결했다. 김민수 기자 kim@example.com <저작권자 ⓒ 가나일보, 무단 전재 및 재배포 금지>"
    assert cut(text) == ("동결했다.", {"copyright": 1, "reporter_signature": 1})


# --- ordinary text is never removed -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "그는 “기자와 취재원의 통화는 흔한 일”이라고 반박했다.",
        "관련 기사에 “주차장이 너무 좁다”는 의견이 여럿 붙었다.",
        "가나천 정비구간(L=3.2㎞) 공사를 내년에 시작한다.",
        "◆평생학습센터=주민 누구나 강좌를 무료로 들을 수 있다.",
        "가나구기자 가공 단지는 2025년까지 조성된다.",  # 구기자 is a berry, not a reporter
        "작곡가는 저작권자의 동의 없이 곡을 무단으로 쓴 업체를 고소했다.",
        "무단 복제를 금지하는 조항이 새로 생겼다.",
        "접수는 이메일 apply@example.net로 받는다.",
        "궁금한 점은 전자메일(info@example.kr)로 물으면 된다.",
        "수정 2024년 계획안을 의회에 냈다.",
        "피해 지역은 ▲동구 ▲북구 ▲남구 등 세 곳이다.",
        "평가 항목은 △안전성 △편의성 등 네 가지다.",
        "참가 신청은 ▶일시: 3월 2일 ▶장소: 시청 대강당",
        "그 가수는 영상 채널 구독자 50만명을 넘겼다.",
        "웹툰 <푸른 골목>의 표지를 그대로 따라 그렸다.",
        "법원은 최모 기자 측의 요청을 기각했다.",
        "다음 날 방송기자",  # a chunk cut mid-sentence: no sentence end before the title
        "사진을 찍으며 축제를 즐겼다.",
        "결말만 조금 늘어졌다 ⓒⓛⓐⓢⓢ",  # circled-letter decoration, not a copyright sign
        "그가 쓴 책은 ‘나는 기자다’이다.",
    ],
)
def test_ordinary_sentences_are_kept(text):
    assert cut(text) == (text, {})


def test_lines_without_boilerplate_keep_their_layout():
    text = "첫 문단 첫 줄.\n\n둘째 문단.  공백 두 칸.\n\t들여쓴 줄\n"
    assert clean_news_boilerplate(text) == text


def test_cut_in_the_middle_of_a_line_leaves_one_space():
    assert clean_news_boilerplate("앞 문장.[사진=연합뉴스]뒤 문장.") == "앞 문장. 뒤 문장."


def test_removed_line_takes_its_line_break_but_not_the_neighbours():
    text = "첫 줄.\n[사진=연합뉴스]\n\n셋째 줄."
    assert clean_news_boilerplate(text) == "첫 줄.\n\n셋째 줄."


# --- parameters ------------------------------------------------------------------------------------------

def test_rule_list_and_order():
    assert list(news_boilerplate_rules()) == RULES
    text = "(서울=연합뉴스) 김민수 기자 = 금리를 올렸다. <저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>"
    assert clean_news_boilerplate(text, rules=["copyright"]) == "(서울=연합뉴스) 김민수 기자 = 금리를 올렸다."
    assert clean_news_boilerplate(text, rules=[]) == text


def test_unknown_rule_is_a_config_error():
    with pytest.raises(ValueError, match="bylines"):
        clean_news_boilerplate("본문", rules=["bylines"])


def test_max_span_chars_guards_long_matches():
    text = "본문이다. ▶ 관련기사 ◀ " + "가" * 100
    assert clean_news_boilerplate(text, max_span_chars=50) == text
    assert clean_news_boilerplate(text) == "본문이다."


def test_user_patterns_extend_the_shipped_rules(tmp_path):
    user = tmp_path / "extra.yaml"
    user.write_text(
        "definitions:\n"
        "  PROMO: '(?:오늘의|이번 주)'\n"
        "rules:\n"
        "  - name: newsletter\n"
        "    requires: ['뉴스레터']\n"
        "    patterns:\n"
        "      - '{PROMO}[ \\t]*뉴스레터[ \\t]*신청하기[ \\t]*$'\n"
        "  - name: copyright\n"
        "    patterns:\n"
        "      - '판권[ \\t]*소유[ \\t]*$'\n",
        encoding="utf-8",
    )
    text = "본문이다. 오늘의 뉴스레터 신청하기\n둘째 줄이다. 판권 소유"
    out, stats = cut(text, patterns_path=str(user))
    assert out == "본문이다.\n둘째 줄이다."
    assert stats == {"copyright": 1, "newsletter": 1}
    assert list(news_boilerplate_rules(patterns_path=str(user))) == RULES + ["newsletter"]
    # replace: the shipped rules are gone
    replaced = news_boilerplate_rules(patterns_path=str(user), patterns_mode="replace")
    assert list(replaced) == ["newsletter", "copyright"]
    assert clean_news_boilerplate("(서울=연합뉴스) 본문", patterns_path=str(user), patterns_mode="replace") == (
        "(서울=연합뉴스) 본문"
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ("rules:\n  - name: bad\n    patterns: ['(unclosed']\n", "bad pattern"),
        ("rules:\n  - name: bad\n    patterns: ['{NOPE}']\n", "unknown placeholder"),
        ("rules:\n  - name: Bad-Name\n    patterns: ['x']\n", "snake_case"),
        ("rulez: []\n", "expected a mapping"),
    ],
)
def test_broken_user_file_is_a_clear_error(tmp_path, content, message):
    user = tmp_path / "broken.yaml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        clean_news_boilerplate("본문", patterns_path=str(user))


def test_bad_mode_is_an_error():
    with pytest.raises(ValueError, match="patterns_mode"):
        clean_news_boilerplate("본문", patterns_mode="merge")


# --- contract ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\n", "한국어 English 中文 日本語 😀👍", "ⓒ", "=", "@", "[", "기자 ="])
def test_edge_inputs(text):
    out, stats = clean_news_boilerplate_with_stats(text)
    assert isinstance(out, str)
    assert set(stats) == set(RULES)
    assert clean_news_boilerplate(text) == out


def test_plain_and_stats_versions_agree_and_are_deterministic():
    text = "(서울=연합뉴스) 김민수 기자 = 금리를 올렸다. 김민수 기자 kim@example.com"
    first = clean_news_boilerplate_with_stats(text)
    assert first == clean_news_boilerplate_with_stats(text)
    assert clean_news_boilerplate(text) == first[0] == "금리를 올렸다."


@pytest.mark.parametrize(
    "unit",
    ["가", "가 ", " ", "홍길동 기자 =", "다. 홍길동 기자", "▶ 구독", "(서울=", "ⓒ 가나", "입력 2020.1.1 ",
     "[관련기사]\n", "a@", "다. 2020.1.1 a@b.co "],
)
def test_one_megabyte_adversarial_input_is_fast(unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    start = time.perf_counter()
    out = clean_news_boilerplate(text)
    assert isinstance(out, str)
    assert time.perf_counter() - start < 5.0
