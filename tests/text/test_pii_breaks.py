"""Values tag_pii used to miss: split across line breaks, other separators, bare representative numbers,
passport labels with punctuation, Mastercard 2-series; and surrogates that could equal the original."""

import random
import re
import time

import pytest
import yaml

from dps.config import StageSpec
from dps.registry import STAGES, bind
from dps.text.pii import ALL_KINDS, find_pii, tag_pii
from dps.text.pii_detect import luhn_sum
from dps.text.pii_surrogate import span_rng, surrogate

TAG = re.compile(r"<\|(\w+)_start\|>(.*?)<\|\1_end\|>", re.S)


def spans(text):
    return [(s.kind, s.value) for s in find_pii(text, kinds=ALL_KINDS)]


def digits(s):
    return re.sub(r"\D", "", s.translate({0xFF10 + i: str(i) for i in range(10)}))


# --- split across a line break -------------------------------------------------------------------------------

SPLIT = [
    # (text, kind, value as written)
    ("연락처 010-\n2345-6789 입니다", "tel", "010-\n2345-6789"),
    ("연락처 010\n2345\n6789 입니다", "tel", "010\n2345\n6789"),
    ("연락처 010-2345-\n6789", "tel", "010-2345-\n6789"),
    ("연락처 010\n-2345-6789", "tel", "010\n-2345-6789"),
    ("연락처 010 -\n  2345-6789", "tel", "010 -\n  2345-6789"),
    ("연락처 010-\r\n2345-6789", "tel", "010-\r\n2345-6789"),
    ("연락처 010-\r2345-6789", "tel", "010-\r2345-6789"),
    ("연락처 010-\u20282345-6789", "tel", "010-\u20282345-6789"),
    ("연락처 010-\n\n2345-6789", "tel", "010-\n\n2345-6789"),
    ("연락처 010-<br>2345-6789", "tel", "010-<br>2345-6789"),
    ("연락처 010-<br/>2345-6789", "tel", "010-<br/>2345-6789"),
    ("연락처 010-<BR />2345-6789", "tel", "010-<BR />2345-6789"),
    ("연락처 010-</p><p>2345-6789", "tel", "010-</p><p>2345-6789"),
    ("연락처 010.\n2345.6789", "tel", "010.\n2345.6789"),
    ("연락처 010 2345\n6789", "tel", "010 2345\n6789"),
    ("서울 사무실 02-\n345-6789", "tel", "02-\n345-6789"),
    ("대표전화 (02)\n345-6789", "tel", "(02)\n345-6789"),
    ("주민등록번호 900101-\n1234567", "rrn", "900101-\n1234567"),
    ("주민등록번호 900101\n-1234567", "rrn", "900101\n-1234567"),
    ("주민등록번호 900101\n1234567", "rrn", "900101\n1234567"),
    ("카드 4111-1111-\n1111-1111 결제", "crd", "4111-1111-\n1111-1111"),
    ("카드 4111 1111\n1111 1111 결제", "crd", "4111 1111\n1111 1111"),
    ("카드 4111\n1111\n1111\n1111 결제", "crd", "4111\n1111\n1111\n1111"),
    ("카드 4111-11\n11-1111-1111 결제", "crd", "4111-11\n11-1111-1111"),  # a group split in two
    ("사업자등록번호 220-81-\n62517", "biz", "220-81-\n62517"),
    ("입금 계좌 신한은행 110-234-\n567890", "acc", "110-234-\n567890"),
    ("운전면허 11-22-\n333333-44", "dl", "11-22-\n333333-44"),
    ("접속 IP 211.234.\n10.20", "ip", "211.234.\n10.20"),
    ("메일 hong@\nnaver.com 으로", "email", "hong@\nnaver.com"),
    ("메일 hong\n@naver.com 으로", "email", "hong\n@naver.com"),
    ("메일 hong@<br>naver.com 으로", "email", "hong@<br>naver.com"),
    ("메일 hong@naver.\ncom 으로", "email", "hong@naver.\ncom"),
    ("메일 hong@mail.\nnaver.com 으로", "email", "hong@mail.\nnaver.com"),
]


@pytest.mark.parametrize("text, kind, value", SPLIT)
def test_value_split_by_a_break_is_found_as_written(text, kind, value):
    assert spans(text) == [(kind, value)]


@pytest.mark.parametrize("text, kind, value", SPLIT)
def test_split_value_is_replaced_and_the_break_stays(text, kind, value):
    out = tag_pii(text, kinds=ALL_KINDS)
    [(k, new)] = TAG.findall(out)
    assert k == kind and new != value
    # The same shape as written: digits and letters change, separators and the break stay where they were.
    assert re.sub(r"[0-9A-Za-z]", "x", new) == re.sub(r"[0-9A-Za-z]", "x", value)
    # The original is not left anywhere, joined or as written: its digits, or the e-mail's user name.
    if kind == "email":
        assert "hong" not in out
    else:
        assert digits(value) not in digits(out) and value not in out
    # Everything outside the tags is untouched.
    assert TAG.sub("", out) == text.replace(value, "")


@pytest.mark.parametrize(
    "raw",
    [
        "연락처 010-<br>2345-6789 입니다",
        "연락처 010-<br/>2345-6789 입니다",
        "연락처 010-<p>2345-6789</p>",
        "연락처 010-\r\n2345-6789 입니다",
        "연락처 010<br>2345<br>6789 입니다",
        "주민등록번호 900101-<br>1234567",
        "카드 4111-1111-<br>1111-1111",
        "메일 hong@<br>naver.com 으로",
        "메일 hong@<br />\nnaver.com 으로",
    ],
)
def test_default_chain_map_stages_leave_no_split_value(raw):
    # strip_html turns <br> into a line break and normalize cleans it before tag_pii sees the text.
    with open("configs/korean_web.yaml", encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    text = raw
    for st in cfg["stages"]:
        name, params = (st, {}) if isinstance(st, str) else next(iter(st.items()))
        if STAGES[name].kind == "map":
            text = bind(StageSpec(name, params or {}, "x"), seed=cfg["seed"]).apply(text)
    assert len(TAG.findall(text)) == 1, text
    assert "2345" not in text and "6789" not in text and "hong" not in text and "1234567" not in text
    assert "1111-1111" not in text.replace("\n", "")


@pytest.mark.parametrize(
    "text",
    [
        "2019\n2020\n2021 시즌",  # years one per line
        "0\n2\n3\n4\n5\n6\n7\n8\n9",  # single digits one per line: never joined
        "순위\n1\n2\n3\n4",
        "문장이 끝났다.\n2023년에는",
        "메일 a@b.co.kr.\nThe next line",  # a complete address ends the sentence
        "가격은 12,000원\n010 이라는 숫자",
        "1-\n2-\n3-",
    ],
)
def test_breaks_that_do_not_split_a_value_change_nothing(text):
    found = spans(text)
    assert all("\n" not in v for _, v in found)
    if "a@b.co.kr" in text:
        assert found == [("email", "a@b.co.kr")]
    else:
        assert found == []


# --- other separators -------------------------------------------------------------------------------------------

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


@pytest.mark.parametrize("dash", list(DASHES))
def test_dash_like_separators(dash):
    for value, kind in [(f"010{dash}2345{dash}6789", "tel"), (f"02{dash}345{dash}6789", "tel"),
                        (f"900101{dash}1234567", "rrn"), (f"4111{dash}1111{dash}1111{dash}1111", "crd"),
                        (f"220{dash}81{dash}62517", "biz"), (f"1588{dash}1234", "tel")]:
        text = f"문의 {value} 입니다"
        assert spans(text) == [(kind, value)]
        out = tag_pii(text)
        [(_, new)] = TAG.findall(out)
        assert new != value and new.count(dash) == value.count(dash) and len(new) == len(value)


def test_fullwidth_digits_are_found_and_stay_fullwidth():
    text = "연락처 ０１０－２３４５－６７８９ 로"
    assert spans(text) == [("tel", "０１０－２３４５－６７８９")]
    [(_, new)] = TAG.findall(tag_pii(text))
    assert new.startswith("０１０－") and all("\uff10" <= c <= "\uff19" or c == "－" for c in new)
    assert new != "０１０－２３４５－６７８９"


@pytest.mark.parametrize(
    "text, value",
    [
        ("연락처 (010) 2345-6789", "(010) 2345-6789"),
        ("연락처 (010)2345-6789", "(010)2345-6789"),
        ("연락처 010)2345-6789", "010)2345-6789"),
        ("인터넷전화 (070) 4567-8901", "(070) 4567-8901"),
        ("안심번호 (0505) 123-4567", "(0505) 123-4567"),
    ],
)
def test_parenthesized_prefixes(text, value):
    assert spans(text) == [("tel", value)]
    [(_, new)] = TAG.findall(tag_pii(text))
    assert new[: value.index(")") + 1] == value[: value.index(")") + 1] and new != value


@pytest.mark.parametrize(
    "text, value",
    [
        ("대표번호 15771234 로 전화", "15771234"),
        ("콜센터 16885678", "16885678"),
        ("고객센터: 15881234", "15881234"),
        ("문의 1644 0123", "1644 0123"),
        ("전화번호는 18001234입니다", "18001234"),
        ("15991234 (고객센터)", "15991234"),
    ],
)
def test_representative_numbers_without_separator_need_a_phone_word(text, value):
    assert spans(text) == [("tel", value)]
    bare = text.replace("대표번호", "상품").replace("콜센터", "모델").replace("고객센터", "코드").replace(
        "문의", "수량").replace("전화번호는", "값은").replace("(고객센터)", "")
    assert spans(bare) == []


@pytest.mark.parametrize("text", ["문의 15771234원", "가격 15881234", "조회수 16885678회", "전화 1588123"])
def test_bare_representative_number_near_a_unit_or_without_phone_word_is_not_a_phone(text):
    assert spans(text) == []


# --- passports ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("여권(번호 M71234567) 사본", "M71234567"),
        ("여권 번호: M905K2214", "M905K2214"),
        ("여권번호는 S12345678", "S12345678"),
        ("여권 (번호: M12345678)", "M12345678"),
        ("여권[번호] M12345678", "M12345678"),
        ("여권 #M12345678", "M12345678"),
        ("여권 No: M123A4567", "M123A4567"),
        ("passport(no. S87654321)", "S87654321"),
    ],
)
def test_passport_with_punctuation_between_word_and_number(text, value):
    assert spans(text) == [("pass", value)]


def test_passport_label_does_not_reach_across_another_number():
    assert spans("여권 발급 2회, 제품코드 M12345678") == []


# --- Mastercard 2-series -----------------------------------------------------------------------------------------


def _luhn(body):
    return body + str((10 - luhn_sum(body + "0")) % 10)


@pytest.mark.parametrize("prefix", [2221, 2222, 2300, 2500, 2699, 2710, 2720])
def test_mastercard_two_series_in_every_grouping(prefix):
    rng = random.Random(prefix)
    d = _luhn(str(prefix) + "".join(rng.choice("0123456789") for _ in range(11)))
    groups = [d[i : i + 4] for i in range(0, 16, 4)]
    for value in [d, "-".join(groups), " ".join(groups), ".".join(groups), "\u2013".join(groups)]:
        assert spans(f"카드 {value} 결제") == [("crd", value)]
        [(_, new)] = TAG.findall(tag_pii(f"카드 {value} 결제"))
        assert new[:4] == value[:4] and new != value


@pytest.mark.parametrize("prefix", [2220, 2721])
def test_numbers_just_outside_the_two_series_are_not_cards(prefix):
    d = _luhn(str(prefix) + "12345678901")
    assert spans(f"번호 {'-'.join(d[i:i + 4] for i in range(0, 16, 4))}") == []


# --- a surrogate never equals the original --------------------------------------------------------------------

DEGENERATE = [
    ("email", "_@naver.com"), ("email", "__@naver.com"), ("email", "._-@daum.net"), ("email", "%+@x.co.kr"),
    ("email", "____@네이버"), ("email", "a@b.kr"), ("email", "1@b.kr"), ("tel", "1588-1234"), ("tel", "15881234"),
    ("tel", "02-234-5678"), ("ip", "1.2.3.9"), ("ip", "10.0.0.1"), ("ip", "2001:db8:a::1"), ("pass", "M123A4567"),
    ("dl", "서울 12-345678-90"), ("biz", "220-81-62517"), ("crd", "4111111111111"), ("acc", "1234567890"),
    ("rrn", "900101-1234567"),
]


@pytest.mark.parametrize("kind, value", DEGENERATE)
def test_surrogate_never_equals_the_original(kind, value):
    for i in range(300):
        assert surrogate(kind, value, span_rng(3, "doc", i)) != value


@pytest.mark.parametrize("text", ["_@naver.com", "메일 __@naver.com 으로", "주소 ._@daum.net"])
def test_separator_only_email_is_replaced(text):
    out = tag_pii(text)
    [(_, new)] = TAG.findall(out)
    assert new.split("@")[0].isalpha() and new.split("@")[1] == text.split("@")[1].split()[0]


def test_surrogates_of_split_values_are_deterministic():
    text = "연락처 010-\n2345-6789, 주민등록번호 900101-\n1234567, hong@\nnaver.com"
    assert tag_pii(text, seed=4) == tag_pii(text, seed=4)
    assert tag_pii(text, seed=4) != tag_pii(text, seed=5)


# --- linear time on the joining logic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit",
    ["010-\n", "010\n", "0\n", "12\n34\n", "hong@\n", "a@b.\n", "010-<br>", "\u2013\n", "010 -\n \n ", "@\n@"],
)
def test_megabyte_of_breaks_is_fast(unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    t0 = time.process_time()
    tag_pii(text, kinds=ALL_KINDS)
    assert time.process_time() - t0 < 2.0


# --- the cheap tests before the break judgement --------------------------------------------------------------

PIECES = list("0123456789.-)@_%+ \ta가") + ["\n", "\r\n", "\r", "<br>", "<BR/>", "</p>", "<p class=x>", "\u2028",
                                              "        ", "naver", "com", "kr", "(02)"]


@pytest.mark.parametrize("at", [True, False])
def test_pre_checks_never_skip_a_joinable_break(at):
    # Each cheap test before _joinable must hold for every text with a joinable break: random texts from the
    # characters the rule reads, with and without '@' (the tighter tests apply without one).
    from dps.text import pii_detect as D

    rng = random.Random(15)
    pieces = PIECES if at else [p for p in PIECES if p != "@"]
    joined = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(2, 12)))
        if not any(D._joinable(text, m.start(), m.end()) for m in D._BREAK.finditer(text)):
            continue
        joined += 1
        left = D._LEFT_OF_BREAK if "@" in text else D._DIGIT_LEFT_OF_BREAK
        assert any(c in text and left[c].search(text) for c in D._BREAK_CHARS), text
        assert (D._JOIN_HINT if "@" in text else D._DIGIT_JOIN_HINT).search(text), text
    assert joined > 500
