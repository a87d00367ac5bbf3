"""Detection rules of tag_pii: every kind in its formats, and hard negatives that must stay untagged."""

import pytest

from dps.text.pii import ALL_KINDS, Span, find_pii


def spans(text, **kw):
    return [(s.kind, s.value) for s in find_pii(text, kinds=ALL_KINDS, **kw)]


@pytest.mark.parametrize(
    "text, kind, value",
    [
        # tel: mobile in every separator style, +82, landlines, 070/050x/080, representative numbers
        ("연락처 010-2345-6789로 문자 주세요", "tel", "010-2345-6789"),
        ("휴대폰 010.2345.6789 입니다", "tel", "010.2345.6789"),
        ("번호는 010 2345 6789 이에요", "tel", "010 2345 6789"),
        ("연락주세요01023456789", "tel", "01023456789"),
        ("예전 번호 011-345-6789 는 해지", "tel", "011-345-6789"),
        ("해외에서는 +82 10-2345-6789 로", "tel", "+82 10-2345-6789"),
        ("해외에서는 +82-10-2345-6789 로", "tel", "+82-10-2345-6789"),
        ("해외에서는 +821023456789 로", "tel", "+821023456789"),
        ("본사 +82 (0)2-345-6789", "tel", "+82 (0)2-345-6789"),
        ("서울 사무실 02-345-6789", "tel", "02-345-6789"),
        ("서울 사무실 02-3456-7890", "tel", "02-3456-7890"),
        ("대표전화 (031) 234-5678", "tel", "(031) 234-5678"),
        ("☎031)234-5678 로 문의", "tel", "031)234-5678"),
        ("제주 064-712-3456", "tel", "064-712-3456"),
        ("인터넷전화 070-4567-8901", "tel", "070-4567-8901"),
        ("안심번호 0505-123-4567", "tel", "0505-123-4567"),
        ("수신자부담 080-234-5678", "tel", "080-234-5678"),
        ("고객센터 1588-1234 로 문의", "tel", "1588-1234"),
        ("상담 1644-0123", "tel", "1644-0123"),
        ("콜센터 1577-3000 운영", "tel", "1577-3000"),
        # rrn: dash form (date + gender digit), foreigner, post-2020 random tail, no dash with context
        ("주민등록번호 900101-1234568", "rrn", "900101-1234568"),
        ("신청인 홍길동 (900101-1234560)", "rrn", "900101-1234560"),
        ("외국인등록번호 850505-5123456", "rrn", "850505-5123456"),
        ("2002년생 020315-3456782", "rrn", "020315-3456782"),
        ("주민번호 9001011234561", "rrn", "9001011234561"),
        ("생일 적힌 9001011234568 그대로", "rrn", "9001011234568"),
        # crd: Luhn-valid, known issuer prefix, usual groupings
        ("카드 4111-1111-1111-1111 결제", "crd", "4111-1111-1111-1111"),
        ("카드 5555 5555 5555 4444 승인", "crd", "5555 5555 5555 4444"),
        ("아멕스 3782-822463-10005 사용", "crd", "3782-822463-10005"),
        ("카드번호 6011111111111117", "crd", "6011111111111117"),
        ("JCB 3530111333300000 결제", "crd", "3530111333300000"),
        # acc: only with bank or 계좌 context
        ("입금계좌 신한은행 110-234-567890 (예금주 홍길동)", "acc", "110-234-567890"),
        ("국민은행 123456-01-234567 으로 입금", "acc", "123456-01-234567"),
        ("계좌번호: 3333-01-2345678", "acc", "3333-01-2345678"),
        ("환불은 1002-345-678901 (우리은행) 로", "acc", "1002-345-678901"),
        ("카카오뱅크 3333012345678 로 보내주세요", "acc", "3333012345678"),
        ("환불 계좌는 수협 199909103063 입니다", "acc", "199909103063"),  # starts like a date, is not one
        ("농협 8911275404398 으로 입금", "acc", "8911275404398"),  # RRN checksum, but labelled an account
        # email
        ("제보 hong.gildong@naver.com 으로", "email", "hong.gildong@naver.com"),
        ("메일:kim_01+news@mail.example.co.kr으로", "email", "kim_01+news@mail.example.co.kr"),
        ("아이디 abc123@네이버 로 쪽지", "email", "abc123@네이버"),
        # ip
        ("접속 IP 211.234.10.20 차단", "ip", "211.234.10.20"),
        ("서버 211.48.7.9:53", "ip", "211.48.7.9"),
        ("주소 2001:4860:4860::8888 응답", "ip", "2001:4860:4860::8888"),
        ("[2400:CB00:2048:1:0:0:6CA2:C665]:443", "ip", "2400:CB00:2048:1:0:0:6CA2:C665"),
        # biz
        ("사업자등록번호 220-81-62517", "biz", "220-81-62517"),
        ("사업자번호: 123-45-67891 대표 홍길동", "biz", "123-45-67891"),
        # pass: with context only, old and 2021 formats
        ("여권번호 M12345678 만료", "pass", "M12345678"),
        ("여권 번호: M123A4567", "pass", "M123A4567"),
        ("Passport No. S87654321", "pass", "S87654321"),
        # dl: region-code form and region-name form
        ("운전면허 11-22-333333-44", "dl", "11-22-333333-44"),
        ("면허번호 서울 12-345678-90", "dl", "12-345678-90"),
    ],
)
def test_detects_kind_and_exact_span(text, kind, value):
    assert spans(text) == [(kind, value)]


def test_span_offsets_index_the_text():
    text = "문의 010-2345-6789, 메일 a@b.co.kr"
    for sp in find_pii(text):
        assert isinstance(sp, Span)
        assert text[sp.start : sp.end] == sp.value
    assert [s.kind for s in find_pii(text)] == ["tel", "email"]


def test_url_is_opt_in_and_trims_sentence_punctuation():
    text = "신청은 홈페이지(https://www.example.go.kr/apply?id=3)에서, 또는 www.example.or.kr를 참고."
    assert find_pii(text) == []
    assert spans(text) == [("url", "https://www.example.go.kr/apply?id=3"), ("url", "www.example.or.kr")]


def test_private_ips_are_kept_unless_asked():
    text = "공유기 192.168.0.1, 루프백 127.0.0.1, 사설 10.20.30.40, 링크로컬 fe80::1ff:fe23:4567:890a"
    assert spans(text) == []
    assert [k for k, _ in spans(text, keep_private_ip=False)] == ["ip"] * 4


@pytest.mark.parametrize(
    "text",
    [
        # dates, times, ranges
        "입력 2022. 11. 19. 20:00 수정 2022.11.20 08:30",
        "기간은 2022-11-19부터 2022-12-31까지",
        "2019-2022 시즌 기록, 1592-1598년 전쟁, 1800-1900년대",
        "관람객 1500-1600명 예상",
        "오후 3시 30분, 12:30:45 기준",
        "근무시간 09:00-18:00",
        # prices, scores, statistics
        "가격은 1,234,000원이고 할인가 987,000원",
        "3-1로 승리했고 98-87 접전",
        "코스피 2,412.35 마감, 12.5% 상승",
        # ISBN, barcodes, ids, order and tracking numbers
        "ISBN 978-89-6626-123-9 도서",
        "ISBN 9788966261239",
        "바코드 8801234567893",
        "바코드 8803151234568",
        "기사번호 20221119000123, 주문번호 20221119123",
        "주문번호 12345678901 배송 완료",
        "운송장번호 512345678901",
        "타임스탬프 1668844800000",
        "No. 2022-11-0042 문서, 제2022-1234호",
        "사건번호 2022가합123456",
        # version numbers and coordinates
        "v1.2.3.4 배포, 버전 10.0.19041.1, Android 13.0.0.1 업데이트",
        "1.2.3.4항 참조",
        "좌표 37.5665, 126.9780 / 위도 35.179554 경도 129.075642",
        # near misses: bad checksums, bad dates, invalid prefixes, no context
        "카드 4111-1111-1111-1112 거절",
        "번호 1234-5678-9012-3456",
        "등록번호 123-45-67890",
        "901332-1234567 오류, 000000-0000000",
        "012-345-6789 없는 번호",
        "제품코드 M12345678",
        "관리번호 12-345678-90",
        "27-22-333333-44 또는 99-22-333333-44",
        # bank context next to numbers that are not accounts
        "입금 기한 2022-11-30, 이체 수수료 500원",
        "신한은행 2022년 순이익 1조2345억원",
        "운송장번호 905023431655 입금 계좌는 추후 안내",
        "입금 확인 20221119-0012345, 이체 202211191230 처리",
        "은행 영업시간 09:00~16:00",
        # not email, not IPv6
        "icon@2x.png 파일, @mention, user@localhost, ㅋㅋ@_@",
        "std::vector<int> 와 a::b::c",
        "해상도 1920x1080",
    ],
)
def test_hard_negatives_are_not_tagged(text):
    assert spans(text) == []


def test_order_number_is_not_a_phone_but_phone_next_to_it_is():
    text = "주문번호 20221119123 / 연락처 010-2345-6789"
    assert spans(text) == [("tel", "010-2345-6789")]


def test_phone_with_bank_context_stays_a_phone():
    assert spans("입금 확인 후 010-2345-6789로 연락") == [("tel", "010-2345-6789")]


def test_disabled_kind_still_claims_its_text():
    # A phone number must not be re-labelled as an account when tel is off.
    text = "계좌 문의 010-2345-6789"
    assert find_pii(text, kinds=("acc",)) == []
    assert find_pii(text, kinds=("tel",))[0].kind == "tel"


def test_numbers_glued_to_longer_numbers_are_not_tagged():
    assert spans("010-2345-6789-1234") == []
    assert spans("1.010.2345.6789") == []
    assert spans("ab01023456789") == []


def test_kinds_filter_and_validation():
    text = "010-2345-6789 a@b.co.kr"
    assert [s.kind for s in find_pii(text, kinds=("email",))] == ["email"]
    with pytest.raises(ValueError, match="valid kinds: tel, rrn"):
        find_pii(text, kinds=("phone",))
    with pytest.raises(ValueError, match="list of kind names"):
        find_pii(text, kinds="tel")
