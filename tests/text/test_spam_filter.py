import time

import pytest

from dps.text.spam import spam_filter, spam_scores

# Invented spam pages, one per shipped category.
GAMBLING = (
    "안전놀이터 추천 메이저사이트 모음\n"
    "먹튀검증 완료된 토토사이트만 소개합니다. 가입코드 VIP7 입력시 첫충 20% 매충 10% 꽁머니 지급!\n"
    "실시간배팅 무제재 카지노사이트 바카라사이트 슬롯사이트 24시간 운영\n"
    "카톡 문의 abc777"
)
GAMBLING_SEO = (
    "요즘 많은 분들이 스포츠 경기를 보면서 소소한 재미를 찾고 계신데요. 하지만 검증되지 않은 곳을 이용하다가 "
    "피해를 보는 경우가 많습니다. 그래서 오늘은 먹튀 검증이 끝난 안전 놀이터를 고르는 방법을 정리해 보았습니다. "
    "첫째, 운영 기간이 긴 메이저 사이트를 고르세요. 둘째, 출금 속도가 빠른지 확인하세요. 셋째, 고객센터가 "
    "24시간 운영되는지 보세요. 저희가 추천하는 토토 사이트는 모두 이 조건을 충족합니다. 궁금한 점은 언제든지 "
    "문의해 주세요."
)
ADULT = (
    "강남 출장안마 출장마사지 24시 후불제 100% 실사 보장\n"
    "출장샵 예약 즉시 30분 도착 조건만남 애인대행 문의 환영\n"
    "카톡 문의 love24 텔레그램 문의 @love24"
)
LOAN = (
    "무직자대출 신용불량자대출 당일대출 가능!\n"
    "무서류 무방문 100% 비대면 진행, 신용 조회 없이 누구나 대출\n"
    "급전 필요하신 분 대출 문의 주세요 카톡 상담 money77\n"
    "소액결제 현금화 정보이용료 현금화 최고 비율"
)
AD = (
    "블로그 상위노출 보장! 바이럴 마케팅 대행 전문\n"
    "월 30만원으로 상위노출 보장, 실패시 100% 환불\n"
    "카톡 문의 ad123 / 텔레그램 문의 @ad123\n"
    "재택 부업 고수익 보장 리딩방 무료 입장"
)

# Invented news that talks about the same topics.
NEWS_ONE_LOAN = (
    "한국은행이 기준금리를 0.25%포인트 인상하면서 시중은행의 주택담보대출 금리도 일제히 올랐다. "
    "전문가들은 가계의 이자 부담이 커질 것으로 내다봤다. 정부는 서민 금융 지원을 확대하는 방안을 검토하고 있다."
)
NEWS_LOANS = (
    "금융당국이 가계부채 관리 방안을 발표했다. 신용대출 한도를 연소득 이내로 묶고, 대출 심사 때 상환 능력을 더 "
    "엄격히 따지기로 했다. 은행권 관계자는 대출 수요가 줄어들 것으로 전망했다. 다만 실수요자를 위한 정책 대출은 "
    "예외로 두기로 했다. 당국은 불법 사금융 피해를 막기 위해 무등록 대부업체 단속도 강화한다."
)
NEWS_GAMBLING_CRIME = (
    "경찰이 해외에 서버를 두고 불법 온라인 도박 사이트를 운영한 일당을 검거했다. 이들은 카지노 게임과 스포츠 "
    "경기에 돈을 거는 방식으로 3년간 수백억원을 챙긴 혐의를 받는다. 경찰은 바카라 등 카지노 게임을 흉내 낸 "
    "사이트 12곳을 폐쇄하고, 회원 모집책을 추적하고 있다. 경찰 관계자는 도박 중독 피해가 심각하다고 말했다."
)


@pytest.mark.parametrize(
    "text, reason",
    [(GAMBLING, "spam_gambling"), (GAMBLING_SEO, "spam_gambling"), (ADULT, "spam_adult"), (LOAN, "spam_loan"),
     (AD, "spam_ad")],
)
def test_spam_pages_are_rejected_with_their_category(text, reason):
    assert spam_filter(text) == reason


@pytest.mark.parametrize("text", [NEWS_ONE_LOAN, NEWS_LOANS, NEWS_GAMBLING_CRIME])
def test_news_about_the_same_topics_passes(text):
    assert spam_filter(text) is None


def test_one_mention_of_loan_in_news_counts_little():
    assert spam_scores(NEWS_ONE_LOAN) == {"gambling": 0.0, "adult": 0.0, "loan": 1.0, "ad": 0.0}


def test_weights_add_up_per_category():
    assert spam_scores("먹튀검증 사이트와 카지노")["gambling"] == 3.0 + 1.0


def test_spacing_does_not_escape_the_lexicon():
    assert spam_scores("무직자대출")["loan"] == spam_scores("무직자 대출")["loan"] == 3.0
    assert spam_scores("무직자  대출")["loan"] == 3.0


def test_word_start_terms_skip_longer_words():
    assert spam_scores("가야동 주민센터 앞")["adult"] == 0.0  # place name, not ^야동
    assert spam_scores("무료 야동 보기")["adult"] == 3.0  # 무료 야동 (3), not ^야동 as well


def test_a_short_text_with_one_strong_term_passes():
    assert spam_filter("안전놀이터 추천") is None  # weight 6 < min_spam_weight 9, however dense


def test_density_threshold_keeps_spam_diluted_in_a_long_text():
    filler = "시는 올해 도서관 두 곳을 새로 짓고, 노후한 공원 시설을 정비하는 데 예산을 쓰기로 했다. " * 12
    text = filler + GAMBLING_SEO
    assert spam_filter(GAMBLING_SEO) == "spam_gambling"
    assert spam_filter(text) is None
    assert spam_filter(text, min_spam_density=5.0) == "spam_gambling"


def test_repeating_one_topic_word_is_capped():
    article = "가계 대출이 늘었다. " * 20
    assert spam_scores(article)["loan"] == 5.0
    assert spam_scores(article, max_term_repeats=20)["loan"] == 20.0
    assert spam_filter(article) is None


def test_thresholds_are_parameters():
    assert spam_filter(NEWS_GAMBLING_CRIME, min_spam_weight=1.0, min_spam_density=1.0) == "spam_gambling"
    assert spam_filter(GAMBLING, min_spam_weight=1000.0) is None


def test_categories_can_be_switched_off():
    assert spam_filter(ADULT, categories=["gambling", "loan"]) is None
    assert spam_filter(ADULT, categories=["adult"]) == "spam_adult"
    assert set(spam_scores(ADULT, categories=["ad"])) == {"ad"}
    # with adult off, only the contact-me terms remain: not enough
    assert spam_filter(ADULT, categories=["ad"]) is None


def test_unknown_category_is_a_config_error():
    with pytest.raises(ValueError, match="gamble"):
        spam_filter("본문", categories=["gamble"])


def test_user_lexicon_extends_and_replaces(tmp_path):
    user = tmp_path / "lexicon.yaml"
    user.write_text(
        "categories:\n"
        "  drugs:\n"
        "    terms:\n"
        "      3: [아이스 판매, 떨 팝니다, ^LSD]\n"
        "  loan:\n"
        "    terms:\n"
        "      5: [무직자 대출]\n",
        encoding="utf-8",
    )
    page = "아이스 판매 떨 팝니다 lsd 정품 텔레 문의"
    assert spam_filter(page) is None  # shipped lexicon: only the contact-me term (3) counts
    assert spam_filter(page, lexicon_path=str(user)) == "spam_drugs"
    assert spam_scores("무직자대출", lexicon_path=str(user))["loan"] == 5.0  # re-weighed
    assert spam_scores("XLSD", lexicon_path=str(user))["drugs"] == 0.0  # ^ needs a word start
    replaced = spam_scores(page, lexicon_path=str(user), lexicon_mode="replace")
    assert list(replaced) == ["drugs", "loan"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("categories:\n  Bad-Name:\n    terms:\n      1: [가나]\n", "snake_case"),
        ("categories:\n  ok:\n    terms:\n      -1: [가나]\n", "weight"),
        ("words: []\n", "categories"),
    ],
)
def test_broken_user_lexicon_is_a_clear_error(tmp_path, content, message):
    user = tmp_path / "broken.yaml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        spam_filter("본문", lexicon_path=str(user))


# --- contract ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\n", "한국어 English 中文 日本語 😀👍", "대출", "ㅋㅋㅋㅋ"])
def test_edge_inputs_pass(text):
    assert spam_filter(text) is None


def test_deterministic():
    assert [spam_filter(GAMBLING) for _ in range(3)] == ["spam_gambling"] * 3


def test_one_megabyte_spam_is_rejected_fast():
    text = (LOAN + "\n") * (1_000_000 // (len(LOAN) + 1))
    start = time.perf_counter()
    assert spam_filter(text) == "spam_loan"
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize("unit", ["먹", "먹튀 ", "무직자 ", " ", "가"])
def test_one_megabyte_adversarial_input_is_fast(unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    start = time.perf_counter()
    assert spam_filter(text) in (None, "spam_gambling")
    assert time.perf_counter() - start < 3.0
