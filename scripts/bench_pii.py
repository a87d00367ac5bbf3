"""Benchmark for dps.text.pii: recall/precision per kind, hard-negative false positives, leaks, throughput.

Builds its own labeled set: invented Korean sentences with PII inserted (Faker ko_KR plus the generators
below, in the formats people actually write) and hard negatives (dates, times, prices, scores, ISBNs, ids,
version numbers, coordinates, barcodes, private IPs, year ranges, near-miss checksums). Then it runs the
stage on the news sample and prints how many spans it tags there, with 20 examples to judge by eye.

    python scripts/bench_pii.py [--docs 2000] [--negatives 600] [--hardening 250] [--seed 1] [--news PATH]

Not a test: the figures are printed, nothing is asserted. Throughput is single-process (one core).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import re
import html
import unicodedata
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from faker import Faker  # noqa: E402

from dps.text.pii import ALL_KINDS, find_pii, tag_pii  # noqa: E402
from dps.text.pii_detect import biz_checksum, card_brand_ok, luhn_ok, luhn_sum, rrn_checksum  # noqa: E402

# ---------------------------------------------------------------------------------------------------------
# Invented filler text (no PII, few numbers)
# ---------------------------------------------------------------------------------------------------------

FILLER = [
    "오늘 오후부터 전국에 비가 내리겠습니다.",
    "행사는 시청 앞 광장에서 열릴 예정이다.",
    "주최 측은 많은 시민의 참여를 당부했다.",
    "자세한 일정은 추후 공지할 계획입니다.",
    "이번 조치로 대기 시간이 크게 줄어들 것으로 보인다.",
    "관계자는 재발 방지 대책을 마련하겠다고 밝혔다.",
    "배송은 영업일 기준으로 사흘 정도 걸립니다.",
    "상품 상태가 생각보다 훨씬 좋아서 만족합니다.",
    "신청 서류는 방문 또는 우편으로 제출할 수 있다.",
    "아이들과 함께 가기 좋은 장소로 추천합니다.",
    "지역 주민들은 이번 결정을 환영하는 분위기다.",
    "회의에서는 예산 집행 방안이 주로 논의됐다.",
    "기온이 떨어지면서 감기 환자가 늘고 있다.",
    "신규 서비스는 다음 달부터 순차적으로 도입된다.",
    "전문가들은 장기적인 관점이 필요하다고 조언했다.",
    "현장에는 안전 요원이 배치될 예정입니다.",
    "참가를 원하는 사람은 미리 신청해야 한다.",
    "이번 공연은 전석 매진을 기록했다.",
    "교육 과정은 초급과 중급으로 나뉘어 운영된다.",
    "문의가 많아 답변이 다소 늦어질 수 있습니다.",
]

BANKS = [  # name as written, digit groups of its account format
    ("국민은행", (6, 2, 6)), ("KB국민", (6, 2, 6)), ("신한은행", (3, 3, 6)), ("신한", (3, 2, 6)),
    ("우리은행", (4, 3, 6)), ("하나은행", (3, 6, 5)), ("농협", (3, 4, 4, 2)), ("NH농협", (6, 2, 6)),
    ("기업은행", (3, 6, 2, 3)), ("IBK기업은행", (3, 6, 2, 3)), ("카카오뱅크", (4, 2, 7)), ("토스뱅크", (4, 4, 4)),
    ("케이뱅크", (3, 3, 6)), ("우체국", (6, 2, 6)), ("SC제일은행", (3, 2, 6)), ("새마을금고", (4, 4, 4, 1)),
    ("부산은행", (3, 4, 4, 2)), ("수협", (4, 4, 4)),
]
DL_REGIONS = ["서울", "부산", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주", "대구", "인천"]
EMAIL_DOMAINS = ["naver.com", "daum.net", "hanmail.net", "gmail.com", "kakao.com", "nate.com", "korea.kr",
                 "example.co.kr", "snu.ac.kr", "company.com"]

# ---------------------------------------------------------------------------------------------------------
# PII generators: (value) in realistic formats
# ---------------------------------------------------------------------------------------------------------


def digits(rng: random.Random, n: int, first_low: int = 0) -> str:
    return str(rng.randint(first_low, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def gen_tel(rng: random.Random, fake: Faker) -> str:
    r = rng.random()
    if r < 0.35:
        return fake.phone_number()
    sep = rng.choice(["-", "-", ".", " ", ""])
    if r < 0.65:
        return sep.join(["010", digits(rng, 4, 2), digits(rng, 4)])
    if r < 0.72:
        return rng.choice(["+82 10-", "+82-10-", "+8210", "+82 (0)10-"]) + digits(rng, 4, 2) + "-" + digits(rng, 4)
    if r < 0.85:
        area = rng.choice(["02", "031", "032", "042", "051", "053", "062", "064"])
        local = digits(rng, rng.choice([3, 4]), 2)
        head = rng.choice([f"{area}-{local}-", f"({area}) {local}-", f"{area}){local}-", f"{area}.{local}."])
        return head + digits(rng, 4)
    if r < 0.92:
        return rng.choice(["070-", "0505-"]) + digits(rng, 4, 2) + "-" + digits(rng, 4)
    return rng.choice(["1588", "1577", "1644", "1599", "1566", "1800"]) + "-" + digits(rng, 4)


def gen_rrn(rng: random.Random, fake: Faker) -> str:
    year = rng.randint(1940, 2023)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    foreign = rng.random() < 0.15
    gender = (1 if year < 2000 else 3) + rng.randint(0, 1) + (4 if foreign else 0)
    first12 = f"{year % 100:02d}{month:02d}{day:02d}{gender}" + digits(rng, 5)
    # Since October 2020 the tail is random: a third of the set has no valid checksum.
    last = str(rrn_checksum(first12, foreign)) if rng.random() < 0.66 else str(rng.randint(0, 9))
    return first12[:6] + "-" + first12[6:] + last


def gen_crd(rng: random.Random, fake: Faker) -> str:
    while True:
        d = fake.credit_card_number()
        if 13 <= len(d) <= 19 and card_brand_ok(d) and luhn_ok(d):
            break
    sep = rng.choice(["-", " ", ""])
    if len(d) == 16 and sep:
        return sep.join(d[i : i + 4] for i in range(0, 16, 4))
    if len(d) in (14, 15) and sep:
        return sep.join([d[:4], d[4:10], d[10:]])
    return d


def gen_acc(rng: random.Random, fake: Faker) -> tuple[str, str]:
    bank, groups = rng.choice(BANKS)
    sep = "-" if rng.random() < 0.85 else ""
    return bank + rng.choice([" ", " ", ""]), sep.join(digits(rng, g, 1 if i == 0 else 0) for i, g in enumerate(groups))


def gen_email(rng: random.Random, fake: Faker) -> str:
    if rng.random() < 0.5:
        return fake.free_email()
    local = fake.user_name() + rng.choice(["", ".kr", "_01", "+news", str(rng.randint(1, 99))])
    email = local + "@" + rng.choice(EMAIL_DOMAINS + ["mail." + d for d in EMAIL_DOMAINS[:3]])
    return email.title() if rng.random() < 0.1 else email


def gen_ip(rng: random.Random, fake: Faker) -> str:
    if rng.random() < 0.7:
        return fake.ipv4_public()
    while True:
        groups = [f"{rng.randint(0x2001, 0x2c0f):x}"] + [f"{rng.randint(0, 0xffff):x}" for _ in range(7)]
        if rng.random() < 0.5:  # compressed form
            groups = groups[:3] + [""] + groups[-1:]
        addr = ":".join(groups)
        addr = addr.upper() if rng.random() < 0.2 else addr
        try:
            if ipaddress.IPv6Address(addr).is_global:
                return addr
        except ValueError:
            continue


def gen_biz(rng: random.Random, fake: Faker) -> str:
    first9 = digits(rng, 9, 1)
    d = first9 + str(biz_checksum(first9))
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


def gen_pass(rng: random.Random, fake: Faker) -> str:
    if rng.random() < 0.5:
        return rng.choice("MMMS") + digits(rng, 8)
    return "M" + digits(rng, 3) + rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + digits(rng, 4)


def gen_dl(rng: random.Random, fake: Faker) -> tuple[str, str]:
    tail = f"{digits(rng, 2)}-{digits(rng, 6)}-{digits(rng, 2)}"
    if rng.random() < 0.6:
        return "", f"{rng.choice(list(range(11, 27)) + [28])}-{tail}"
    return rng.choice(DL_REGIONS) + " ", tail


def gen_url(rng: random.Random, fake: Faker) -> str:
    url = fake.url()
    return url + rng.choice(["", "board/view?id=" + digits(rng, 5), "notice/" + digits(rng, 3)])


# Templates: {v} is the PII value, {name}/{prefix} are filled around it (not PII).
TEMPLATES = {
    "tel": ["연락처: {v}", "문의는 {name} 담당자({v})에게 하시면 됩니다.", "휴대폰 {v}로 연락 바랍니다.",
            "전화 {v} / 팩스 없음", "{name} 010 아니고 {v} 입니다", "예약 문의 ☎{v}", "고객센터 {v} 로 접수하세요.",
            "Tel.{v}", "H.P:{v}", "{name} {v}", "번호 남겨요 {v}~"],
    "rrn": ["주민등록번호 {v}", "신청인 {name} ({v})", "본인 확인: {v} 입력 완료", "외국인등록번호는 {v}입니다.",
            "주민번호 {nodash}", "주민등록번호: {nodash}"],
    "crd": ["결제 카드 {v} 승인", "카드번호 {v} 로 결제되었습니다.", "{name}님 카드({v}) 정기결제 안내"],
    "acc": ["입금 계좌: {prefix}{v} (예금주 {name})", "{prefix}{v} 으로 입금 부탁드립니다.",
            "환불 계좌는 {prefix}{v} 입니다.", "계좌번호 {prefix}{v}, 예금주 {name}"],
    "email": ["기사 제보는 {v}로 보내주세요.", "이메일: {v}", "{name} 기자 {v}", "문의 메일({v})", "메일:{v}으로",
              "<{v}>"],
    "ip": ["접속 IP {v} 에서 로그인 시도가 있었습니다.", "서버 주소는 {v} 입니다.", "{v} 에서 접근 차단",
           "접속 기록: {v}:8080"],
    "biz": ["사업자등록번호 {v}", "상호 {name}상회 | 사업자번호 {v} | 대표 {name}", "사업자 등록번호: {v}"],
    "pass": ["여권번호 {v}", "여권 번호: {v} (만료 예정)", "Passport No. {v}", "{name}님의 여권({v}) 사본"],
    "dl": ["운전면허번호 {prefix}{v}", "면허번호: {prefix}{v}", "운전면허증 {prefix}{v} 확인"],
    "url": ["자세한 내용은 {v} 참고", "홈페이지({v})에서 신청", "링크: {v}", "{v}에서 확인"],
}
GENERATORS = {
    "tel": gen_tel, "rrn": gen_rrn, "crd": gen_crd, "acc": gen_acc, "email": gen_email, "ip": gen_ip,
    "biz": gen_biz, "pass": gen_pass, "dl": gen_dl, "url": gen_url,
}

# ---------------------------------------------------------------------------------------------------------
# Hard negatives: look numeric or identifier-like, are not PII
# ---------------------------------------------------------------------------------------------------------


def _isbn13(rng: random.Random) -> str:
    body = "97889" + digits(rng, 7)
    check = (10 - sum(int(c) * (3 if i & 1 else 1) for i, c in enumerate(body)) % 10) % 10
    d = body + str(check)
    return f"ISBN {d[:3]}-{d[3:5]}-{d[5:9]}-{d[9:12]}-{d[12]}" if rng.random() < 0.5 else f"ISBN {d}"


def _ean13(rng: random.Random) -> str:
    body = "880" + digits(rng, 9)
    check = (10 - sum(int(c) * (3 if i & 1 else 1) for i, c in enumerate(body)) % 10) % 10
    return f"바코드 {body}{check}"


def _bad_luhn(rng: random.Random) -> str:
    while True:
        d = "4" + digits(rng, 15)
        if not luhn_ok(d):
            return "-".join(d[i : i + 4] for i in range(0, 16, 4))


def _bad_biz(rng: random.Random) -> str:
    first9 = digits(rng, 9, 1)
    d = first9 + str((biz_checksum(first9) + rng.randint(1, 9)) % 10)
    return f"등록번호 {d[:3]}-{d[3:5]}-{d[5:]}"


def _year_range(rng: random.Random) -> str:
    a = rng.randint(1500, 1899)
    return f"{a}-{a + rng.randint(1, 60)}{rng.choice(['년', '년까지', ' 년대', '년 사이'])}"


HARD_NEGATIVES = [
    lambda r: f"{r.randint(2000, 2024)}. {r.randint(1, 12)}. {r.randint(1, 28)}. {r.randint(0, 23):02d}:00",
    lambda r: f"{r.randint(2000, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    lambda r: f"{r.randint(2000, 2024)}.{r.randint(1, 12):02d}.{r.randint(1, 28):02d}",
    lambda r: f"{r.randint(2010, 2019)}-{r.randint(2020, 2024)} 시즌",
    lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
    lambda r: f"오후 {r.randint(1, 11)}시 {r.randint(0, 59)}분",
    lambda r: f"{r.randint(1, 999):,},{r.randint(0, 999):03d},000원",
    lambda r: f"{r.randint(1000, 99999):,}원",
    lambda r: f"{r.randint(0, 5)}-{r.randint(0, 5)}으로 승리",
    lambda r: f"{r.randint(60, 120)}-{r.randint(60, 120)} 접전",
    _isbn13,
    lambda r: f"기사번호 {r.randint(2015, 2024)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{digits(r, 6)}",
    lambda r: f"주문번호 {digits(r, 11, 1)}",
    lambda r: f"주문번호 {r.randint(2015, 2024)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{digits(r, 7)}",
    lambda r: f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 30)}",
    lambda r: f"버전 {r.randint(1, 20)}.{r.randint(0, 9)}.{r.randint(10000, 22000)}.{r.randint(1, 999)}",
    lambda r: f"v{r.randint(1, 9)}.{r.randint(10, 99)}.{r.randint(0, 30)}.{r.randint(10, 200)} 업데이트",
    lambda r: f"{r.randint(33, 38)}.{digits(r, 4)}, {r.randint(126, 129)}.{digits(r, 4)}",
    lambda r: f"위도 {r.randint(33, 38)}.{digits(r, 6)} 경도 {r.randint(126, 129)}.{digits(r, 6)}",
    _ean13,
    lambda r: r.choice(["192.168.", "10.0.", "172.16.", "127.0."]) + f"{r.randint(0, 255)}.{r.randint(1, 254)}",
    _year_range,
    lambda r: f"{r.randint(15, 18)}00-{r.randint(19, 25)}00명",
    _bad_luhn,
    _bad_biz,
    lambda r: f"{r.randint(50, 99)}{r.randint(13, 19)}{r.randint(10, 28)}-{r.randint(1, 4)}{digits(r, 6)}",
    lambda r: f"입금 기한 {r.randint(2020, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    lambda r: f"은행 영업시간 {r.randint(9, 10)}:00~{r.randint(15, 16)}:30, 이체 수수료 {r.randint(5, 9)}00원",
    lambda r: f"{r.choice(['신한은행', '국민은행', '농협'])} {r.randint(2020, 2024)}년 순이익 {r.randint(1, 9)}조원",
    lambda r: f"계좌 개설 {r.randint(2020, 2024)}.{r.randint(1, 12):02d}.{r.randint(1, 28):02d} 기준",
    lambda r: f"운송장번호 {digits(r, 12, 1)}",
    lambda r: f"우편번호 {digits(r, 5)}",
    lambda r: f"{r.randint(10, 99)}{r.choice('가나다라마바사')} {digits(r, 4, 1)} 차량",
    lambda r: f"제품코드 M{digits(r, 8)}",
    lambda r: f"사건번호 {r.randint(2015, 2024)}가합{digits(r, 6, 1)}",
    lambda r: "icon@2x.png 파일",
    lambda r: "std::vector<int> 예제",
    lambda r: f"원주율 3.{digits(r, 10)}",
    lambda r: f"{r.randint(10, 99)}.{r.randint(1, 9)}%",
    lambda r: f"관리번호 {digits(r, 2, 1)}-{digits(r, 6)}-{digits(r, 2)}",
    lambda r: f"법률 제{digits(r, 5, 1)}호",
    lambda r: f"제{r.randint(2015, 2024)}-{digits(r, 4, 1)}호",
    lambda r: f"타임스탬프 {r.randint(1500000000000, 1700000000000)}",
    lambda r: f"종목코드 {digits(r, 6)} 종가 {r.randint(10, 99)},{digits(r, 3)}원",
    lambda r: f"코스피 {r.randint(1, 3)},{digits(r, 3)}.{digits(r, 2)}",
    lambda r: f"해상도 {r.choice(['1920x1080', '2560x1440', '3840x2160'])}",
    lambda r: f"No. {r.randint(2015, 2024)}-{r.randint(1, 12):02d}-{digits(r, 4)}",
    lambda r: f"시리얼 {digits(r, 4)}-{digits(r, 4)}-{digits(r, 4)}",
    lambda r: f"근무시간 {r.randint(8, 10):02d}:00-{r.randint(17, 19)}:00",
    lambda r: f"{r.randint(2015, 2024)}-{r.randint(2015, 2024) % 100 + 1:02d}학년도",
    lambda r: f"은행 지점 {r.randint(1, 9)},{digits(r, 3)}개, 이체 한도 {r.randint(1, 9)},000,000원",
    lambda r: f"ARS {r.choice(['1577', '1588', '1600'])}번 안내",
    lambda r: f"{r.choice(['012', '013', '014'])}-{digits(r, 3, 2)}-{digits(r, 4)}",
    lambda r: f"{r.randint(1, 9)}.{r.randint(1, 9)}.{r.randint(1, 9)}.{r.randint(1, 9)}항 참조",
    lambda r: f"좌석 {r.randint(1, 40)}{r.choice('ABCDEF')}, KTX {r.randint(100, 199)}호",
]


# ---------------------------------------------------------------------------------------------------------
# Hardening categories (issue 15): values split by breaks, other separators, bare representative numbers,
# parenthesized prefixes, Mastercard 2-series, passports with punctuation, fullwidth digits, separator-only
# e-mails. Each generator returns (text before, value as written, text after, kind).
# ---------------------------------------------------------------------------------------------------------

BREAKS = ["\n", "\r\n", "<br>", "<br/>", "<br />", "</p><p>", "\n\n", " \n ", "\u2028"]
DASH_LIKES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


def _split_value(rng: random.Random, value: str) -> str:
    """Put a break right after a separator, or between two digit groups in place of the separator."""
    seps = [i for i, c in enumerate(value) if c in "-.@" and 0 < i < len(value) - 1]
    i = rng.choice(seps)
    brk = rng.choice(BREAKS)
    if value[i] == "-" and value[i - 1].isdigit() and value[i + 1].isdigit() and rng.random() < 0.3:
        return value[:i] + brk + value[i + 1 :]  # 010\n2345\n6789: the break replaces the separator
    return value[: i + 1] + brk + value[i + 1 :]


def h_split(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    kind = rng.choice(["tel", "rrn", "crd", "email", "biz", "dl"])
    if kind == "tel":
        value = "010-" + digits(rng, 4, 2) + "-" + digits(rng, 4)
        before = rng.choice(["연락처 ", "문의: ", "휴대폰 "])
    elif kind == "rrn":
        value = gen_rrn(rng, fake)
        before = "주민등록번호 "
    elif kind == "crd":
        d = card_number(rng)
        value = "-".join(d[i : i + 4] for i in range(0, 16, 4))
        before = "카드번호 "
    elif kind == "email":
        value = fake.user_name() + "@" + rng.choice(EMAIL_DOMAINS)
        before = "메일 "
    elif kind == "biz":
        value = gen_biz(rng, fake)
        before = "사업자등록번호 "
    else:
        value = gen_dl(rng, fake)[1] if rng.random() < 2 else ""
        while value.count("-") != 3:
            value = gen_dl(rng, fake)[1]
        before = "운전면허 "
    return before, _split_value(rng, value), rng.choice([" 입니다.", " 으로 연락", ""]), kind


def card_number(rng: random.Random, prefix: str | None = None) -> str:
    while True:
        body = (prefix or rng.choice(["4", "51", "55", "2221", "2720", "2" + str(rng.randint(222, 719))]))
        body += digits(rng, 15 - len(body))
        d = body + str((10 - luhn_sum(body + "0")) % 10)
        if card_brand_ok(d) and luhn_ok(d):
            return d


def h_dash(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    dash = rng.choice(DASH_LIKES)
    card = card_number(rng)
    kind, value = rng.choice([
        ("tel", f"010{dash}{digits(rng, 4, 2)}{dash}{digits(rng, 4)}"),
        ("tel", f"02{dash}{digits(rng, 3, 2)}{dash}{digits(rng, 4)}"),
        ("tel", f"1588{dash}{digits(rng, 4)}"),
        ("crd", dash.join(card[i : i + 4] for i in range(0, 16, 4))),
        ("biz", gen_biz(rng, fake).replace("-", dash)),
    ])
    return rng.choice(["연락처 ", "번호: ", "카드 "]) if kind != "biz" else "사업자번호 ", value, " 입니다", kind


def h_paren(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    prefix = rng.choice(["010", "011", "070", "0505", "02", "031", "051"])
    return "연락처 ", f"({prefix}){rng.choice([' ', ''])}{digits(rng, 4 if prefix[:2] in ('01', '07') else 3, 2)}-{digits(rng, 4)}", " 로", "tel"


def h_bare_rep(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    word = rng.choice(["대표번호 ", "콜센터 ", "고객센터: ", "문의 ", "전화 ", "☎"])
    return word, rng.choice(["1577", "1588", "1644", "1688", "1899", "1566"]) + rng.choice(["", " "]) + digits(rng, 4), rng.choice([" 로 연락", "", " (평일)"]), "tel"


def h_mc2(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    d = card_number(rng, str(rng.randint(2221, 2720)))
    sep = rng.choice(["-", " ", "", ".", "\u2013"])
    value = sep.join(d[i : i + 4] for i in range(0, 16, 4)) if sep else d
    return rng.choice(["카드 ", "결제 카드번호: ", "마스터카드 "]), value, " 승인", "crd"


def h_passport(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    before = rng.choice(["여권(번호 ", "여권 번호: ", "여권번호는 ", "여권 (번호: ", "여권 #", "여권 No: ", "passport(no. "])
    return before, gen_pass(rng, fake), rng.choice([")", " 입니다", ") 사본"]), "pass"


def h_fullwidth(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    value = "010-" + digits(rng, 4, 2) + "-" + digits(rng, 4)
    value = value.translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    return "연락처 ", value.replace("-", rng.choice(["-", "－"])), " 입니다", "tel"


def h_sep_email(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    local = rng.choice(["_", "__", "___", "_-", "_-_", "_._", "_%_", "_+_"])  # nothing but separators
    return "메일 ", local + "@" + rng.choice(EMAIL_DOMAINS), " 으로", "email"


def h_title(rng: random.Random, fake: Faker) -> tuple[str, str, str, str]:
    """A title column (`tag_pii: {columns: [title]}`): a short line with no sentence around the value."""
    kind = rng.choice(["tel", "tel", "email", "crd", "rrn"])
    value = {"tel": lambda: gen_tel(rng, fake), "email": lambda: gen_email(rng, fake),
             "crd": lambda: "-".join((lambda d: [d[i : i + 4] for i in range(0, 16, 4)])(card_number(rng))),
             "rrn": lambda: gen_rrn(rng, fake)}[kind]()
    before = rng.choice(["[공지] 문의 ", "담당자 ", "【급구】 연락처 ", "제목: ", "Re: 메일 ", ""])
    before = {"crd": "카드번호 ", "rrn": "주민번호 "}.get(kind, before)
    return before, value, rng.choice(["", " (마감)", " 로 연락주세요", "!!"]), kind


HARDENING = {
    "split_break": h_split, "dash_like": h_dash, "paren_prefix": h_paren, "bare_rep": h_bare_rep,
    "mc_2series": h_mc2, "passport_punct": h_passport, "fullwidth_digits": h_fullwidth, "sep_email": h_sep_email,
    "title_column": h_title,
}
COLUMN_CATEGORIES = ("title_column",)  # tagged as a column beside a text, through the pipeline's Arrow adapter


def column_tagger(seed: int):
    """tag_pii bound as a config `tag_pii: {kinds: [...], columns: [title]}` would bind it, and a function running
    it on one title beside a document through dps.spark.arrow.run_chain (what each Arrow batch runs)."""
    from dps.config import StageSpec
    from dps.registry import bind
    from dps.spark.arrow import run_chain

    stage = bind(StageSpec("tag_pii", {"kinds": list(ALL_KINDS), "columns": ["title"]}, "stages[0]"), seed, "bench")

    def tag(title: str) -> str:
        titles = [title]
        run_chain(["본문입니다."], ["kept"], [None], [stage], None, other={0: [titles]})
        return titles[0]

    return tag

# Near misses of the new rules: numbers on separate lines, bare 8-digit numbers without a phone word, a complete
# retina file name split after its dot, cards just outside the 2-series.
HARDENING_NEGATIVES = [
    lambda r: f"{r.randint(2015, 2020)}\n{r.randint(2021, 2024)}\n{r.randint(1, 9)}위",
    lambda r: "\n".join(str(r.randint(0, 9)) for _ in range(9)),
    lambda r: f"가격 {r.choice(['1577', '1588', '1644'])}{digits(r, 4)}원",
    lambda r: f"조회수 {r.choice(['1577', '1588', '1644'])}{digits(r, 4)}",
    lambda r: f"파일 icon@2x.\n{r.choice(['png', 'jpg', 'gif'])} 첨부",
    lambda r: "번호 " + "-".join((lambda d: [d[i : i + 4] for i in range(0, 16, 4)])(
        (lambda b: b + str((10 - luhn_sum(b + "0")) % 10))(r.choice(["2220", "2721"]) + digits(r, 11)))),
    lambda r: f"순위\n{r.randint(1, 9)}\n{r.randint(10, 99)}\n{r.randint(1, 9)}",
    lambda r: f"1-\n2-\n{r.randint(3, 9)}-",
    lambda r: f"제품코드(번호 M{digits(r, 8)})",
]


def build_hardening(rng: random.Random, fake: Faker, category: str) -> tuple[str, list[tuple[str, int, int, str]]]:
    before, value, after, kind = HARDENING[category](rng, fake)
    if category in COLUMN_CATEGORIES:
        return before + value + after, [(kind, len(before), len(before) + len(value), value)]
    head = rng.choice(FILLER) + " " + before
    return head + value + after + " " + rng.choice(FILLER), [(kind, len(head), len(head) + len(value), value)]


def _joined(value: str) -> str:
    """The value with its breaks removed and its separators and digits read as ASCII: what must not leak."""
    for brk in sorted(BREAKS, key=len, reverse=True):
        value = value.replace(brk, "")
    return value.translate({**{ord(c): "-" for c in DASH_LIKES}, **{0xFF10 + i: str(i) for i in range(10)}})


TOKEN_RE = re.compile(r"<\|(?:" + "|".join(ALL_KINDS) + r")(?:_start|_end)?\|>")


def hostile_token_docs(rng: random.Random, n: int) -> list[str]:
    leads = ["<", "＜", "﹤", "&lt;", "&#60;", "&#65308;", "&amp;lt;", "≮"]
    bars = ["|", "｜", "&#124;", "&verbar;"]
    ends = [">", "＞", "&gt;", "&#62;", "≯"]
    junk = ["", "\u200b", "\u200d", "\u00ad", "<b></b>", "&shy;", "&#8203;", "\u0301"]
    names = ["tel_start", "tel_end", "email", "url_start", "ｔｅｌ_end", "𝐭𝐞𝐥", "&#116;el"]
    docs = []
    for _ in range(n):
        token = (rng.choice(leads) + rng.choice(junk) + rng.choice(bars) + rng.choice(names) + rng.choice(junk)
                 + rng.choice(bars) + rng.choice(ends))
        docs.append(rng.choice(FILLER) + " " + token + " 연락처 010-" + digits(rng, 4, 2) + "-" + digits(rng, 4))
    return docs


# ---------------------------------------------------------------------------------------------------------


def build_positive(rng: random.Random, fake: Faker) -> tuple[str, list[tuple[str, int, int, str]]]:
    parts, gold = [], []
    pos = 0

    def add(s: str) -> None:
        nonlocal pos
        parts.append(s)
        pos += len(s)

    for j in range(rng.randint(1, 3)):
        add(rng.choice(FILLER) + " ")
        if rng.random() < 0.3:
            add(rng.choice(HARD_NEGATIVES)(rng) + " ")
        kind = rng.choice(ALL_KINDS)
        value = GENERATORS[kind](rng, fake)
        prefix = ""
        if isinstance(value, tuple):
            prefix, value = value
        template = rng.choice(TEMPLATES[kind])
        while "({v}" in template and ")" in value:  # "(02)123-4567)" has no single right answer
            value = GENERATORS[kind](rng, fake)
        if kind == "ip" and ":" in value and template.endswith(":8080"):
            template = template.replace("{v}:8080", "[{v}]:8080")  # an IPv6 address takes its port in brackets
        if "{nodash}" in template:
            template, value = template.replace("{nodash}", "{v}"), value.replace("-", "")
        before, after = template.split("{v}")
        add(before.format(name=fake.name(), prefix=prefix))
        gold.append((kind, pos, pos + len(value), value))
        add(value)
        add(after.format(name=fake.name(), prefix=prefix) + " ")
    add(rng.choice(FILLER))
    return "".join(parts), gold


def build_negative(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        parts.append(rng.choice(FILLER))
        parts.append(rng.choice(HARD_NEGATIVES)(rng))
    return " ".join(parts)


def throughput(texts: list[str], repeats: int = 2) -> float:
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            tag_pii(t)
        best = min(best, time.perf_counter() - t0)
    return size / best / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000, help="documents with inserted PII")
    ap.add_argument("--negatives", type=int, default=600, help="documents with hard negatives only")
    ap.add_argument("--hardening", type=int, default=250, help="documents per hardening category (issue 15)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--news", default=str(REPO.parent / "shared" / "data" / "ko_news_sample.jsonl"))
    args = ap.parse_args()

    rng = random.Random(args.seed)
    Faker.seed(args.seed)
    fake = Faker("ko_KR")
    positives = [build_positive(rng, fake) for _ in range(args.docs)]
    negatives = [build_negative(rng) for _ in range(args.negatives)]

    tp, fp, fn = Counter(), Counter(), Counter()
    misses, false_pos = [], []
    leaks = 0
    for text, gold in positives:
        found = {(s.kind, s.start, s.end) for s in find_pii(text, kinds=ALL_KINDS)}
        want = {(k, s, e) for k, s, e, _ in gold}
        for k, s, e in found & want:
            tp[k] += 1
        for k, s, e in found - want:
            fp[k] += 1
            false_pos.append((k, text[max(0, s - 15) : e + 15]))
        for k, s, e in want - found:
            fn[k] += 1
            misses.append((k, text[s:e], text[max(0, s - 15) : e + 15]))
        out = tag_pii(text, kinds=ALL_KINDS, seed=args.seed)
        leaks += sum(1 for k, _, _, v in gold if k != "url" and v in out)  # url values are kept by design

    # Hardening categories: the same per-kind counts, and per category.
    cat_tp, cat_fn, cat_fp = Counter(), Counter(), Counter()
    tag_column = column_tagger(args.seed)
    for category in HARDENING:
        for _ in range(args.hardening):
            text, gold = build_hardening(rng, fake, category)
            found = {(s.kind, s.start, s.end) for s in find_pii(text, kinds=ALL_KINDS)}
            want = {(k, s, e) for k, s, e, _ in gold}
            for k, s, e in found & want:
                tp[k] += 1
                cat_tp[category] += 1
            for k, s, e in found - want:
                fp[k] += 1
                cat_fp[category] += 1
                false_pos.append((k, text[max(0, s - 15) : e + 15]))
            for k, s, e in want - found:
                fn[k] += 1
                cat_fn[category] += 1
                misses.append((k, text[s:e], text[max(0, s - 15) : e + 15]))
            out = tag_column(text) if category in COLUMN_CATEGORIES else tag_pii(text, kinds=ALL_KINDS, seed=args.seed)
            for k, _, _, v in gold:
                joined = _joined(v)
                leaked = v in out or joined in _joined(out) if k != "email" else v.split("@")[0] + "@" in out
                leaks += leaked
                cat_fp["leak:" + category] += leaked
    negatives += [rng.choice(HARDENING_NEGATIVES)(rng) + " " + rng.choice(FILLER) for _ in range(args.negatives // 3)]

    neg_docs_hit = 0
    neg_spans = []
    for text in negatives:
        spans = find_pii(text, kinds=ALL_KINDS)
        neg_docs_hit += bool(spans)
        neg_spans += [(s.kind, text[max(0, s.start - 15) : s.end + 15]) for s in spans]

    print(f"labeled set: {len(positives)} documents with {sum(len(g) for _, g in positives)} PII spans, "
          f"{len(negatives)} hard-negative documents (seed {args.seed})")
    print(f"{'kind':6s} {'gold':>5s} {'recall':>7s} {'precision':>9s}")
    for k in ALL_KINDS:
        gold_n = tp[k] + fn[k]
        rec = tp[k] / gold_n if gold_n else float("nan")
        prec = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else float("nan")
        print(f"{k:6s} {gold_n:5d} {rec:7.4f} {prec:9.4f}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'all':6s} {all_tp + all_fn:5d} {all_tp / (all_tp + all_fn):7.4f} {all_tp / (all_tp + all_fp):9.4f}")
    print(f"{'category':17s} {'gold':>5s} {'recall':>7s} {'precision':>9s} {'leaks':>5s}")
    for c in HARDENING:
        n_gold = cat_tp[c] + cat_fn[c]
        print(f"{c:17s} {n_gold:5d} {cat_tp[c] / n_gold:7.4f} {cat_tp[c] / max(1, cat_tp[c] + cat_fp[c]):9.4f} "
              f"{cat_fp['leak:' + c]:5d}")
    hostile = hostile_token_docs(rng, args.hardening)
    folds = [lambda t: unicodedata.normalize("NFKC", html.unescape(html.unescape(t))),
             lambda t: unicodedata.normalize("NFKC", "".join(
                 c for c in html.unescape(re.sub(r"<[A-Za-z/][^<>]*>", "", t))
                 if unicodedata.category(c) not in ("Cf", "Mn", "Cc"))),
             lambda t: unicodedata.normalize("NFKD", t), lambda t: html.unescape(unicodedata.normalize("NFKC", t))]
    planted_before = sum(any(TOKEN_RE.search(f(t)) for f in folds) for t in hostile)
    planted_after = 0
    for t in hostile:
        out = tag_pii(t, seed=args.seed)
        planted_after += any(TOKEN_RE.findall(f(out)) != TOKEN_RE.findall(out) for f in folds)
    print(f"planted tokens (look-alikes that NFKC/NFKD/unescape turn into a token): {planted_before}/{len(hostile)} "
          f"documents before tag_pii, {planted_after} after")
    print(f"hard negatives: {neg_docs_hit}/{len(negatives)} documents with a false positive "
          f"({100 * neg_docs_hit / len(negatives):.2f} %), {len(neg_spans)} spans")
    print(f"leaks (original value still in the surrogate output): {leaks}")
    for k, v, ctx in misses[:15]:
        print(f"  missed {k}: {v!r} in {ctx!r}")
    for k, ctx in (false_pos + neg_spans)[:15]:
        print(f"  false positive {k}: {ctx!r}")

    synthetic = [t for t, _ in positives] + negatives
    print(f"throughput, synthetic set (PII-dense): {throughput(synthetic):.1f} MB/s")

    news_path = Path(args.news)
    if not news_path.exists():
        print(f"news sample not found at {news_path}; pass --news")
        return
    news = [json.loads(line)["text"] for line in news_path.open(encoding="utf-8")]
    size = sum(len(t.encode("utf-8")) for t in news)
    print(f"throughput, news sample ({len(news)} docs, {size / 1e6:.1f} MB): {throughput(news):.1f} MB/s per core")
    kinds, examples, docs_hit = Counter(), [], 0
    for doc_id, text in enumerate(news):
        spans = find_pii(text)
        docs_hit += bool(spans)
        for s in spans:
            kinds[s.kind] += 1
            examples.append((doc_id, s.kind, text[max(0, s.start - 25) : s.end + 25].replace("\n", " ")))
    print(f"news: {sum(kinds.values())} spans in {docs_hit} documents: {dict(kinds.most_common())}")
    step = max(1, len(examples) // 20)
    for doc_id, kind, ctx in examples[::step][:20]:
        print(f"  [{doc_id}] {kind}: {ctx}")


if __name__ == "__main__":
    main()
