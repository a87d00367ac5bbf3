"""PII detectors for tag_pii: candidate regexes, then validation in Python (dates, checksums, context).

Speed: one cheap regex finds "numeric clusters" (at least 5 digits joined by short separators, rare in
prose) and only those few characters are searched by the per-kind numeric patterns (the whole text only
when clusters are dense, as in adversarial input). email, IPv6, passport and URL detection run only when
a literal hint ('@', a colon pair, '여권', '://') is present.

Linear time: every quantifier is bounded or applies to a character class that cannot overlap what
follows it, so no pattern backtracks more than a constant per starting position.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from typing import NamedTuple

ALL_KINDS = ("tel", "rrn", "crd", "acc", "email", "ip", "biz", "pass", "dl", "url")

# When candidates overlap, the kind earlier in this order wins: checksum-validated kinds first, acc
# (context only, no format) and url (tag only) last, so PII inside a URL is still replaced.
_PRIORITY = {k: i for i, k in enumerate(("rrn", "crd", "biz", "dl", "tel", "pass", "email", "ip", "acc", "url"))}

# RRN birth years above this are rejected (an EAN-13 barcode 880... would otherwise read as a 2088 birth).
# A constant, not today's date, so that output never changes with the calendar.
MAX_BIRTH_YEAR = 2029


class Span(NamedTuple):
    """One detected PII span: text[start:end] == value."""

    kind: str
    start: int
    end: int
    value: str


# ---------------------------------------------------------------------------------------------------------
# Numeric kinds
# ---------------------------------------------------------------------------------------------------------

_A = re.ASCII | re.VERBOSE  # \d is [0-9] only

# A cluster starts at a digit followed by 4 more within short separators; the class run then takes the rest
# in one fast loop (a repeated group would cost a regex step per character on long digit runs).
_CLUSTER = re.compile(r"\d(?=(?:[-. ()+]{0,3}\d){4})[\d\-. ()+]*", re.ASCII)

# A number must not be glued to a word or be the tail/head of a longer dotted or dashed number.
_L = r"(?<![0-9A-Za-z_])(?<!\d[-.])"
_R = r"(?![0-9A-Za-z_]|[-.]\d)"
_SEP = r"(?:\ ?[-.]\ ?|\ )?"  # '-', '.', ' - ', ' ' or nothing
_AREA = r"0(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4])"  # Seoul 02, regional 031-064

_PREFIX = rf"(?:01[016789]|{_AREA}|070|050[2-8]|080)"  # mobile, area codes, internet phone, 050x, 080
_TEL = re.compile(
    rf"""{_L}
    (?:
        \+\ ?82[\ -]?(?:\(0\)\ ?|0)?(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70){_SEP}   # +82 10 / +82-2
      | \({_PREFIX}\)\ ?                                                                # (02) 123-4567, (010) 2345-6789
      | {_PREFIX}\)\ ?                                                                  # 02)123-4567
      | {_PREFIX}{_SEP}
    )
    \d{{3,4}}{_SEP}\d{{4}}{_R}
    | {_L}1[568]\d\d(?:\ ?[-.]\ ?|\ )?\d{{4}}{_R}                                       # 1588-1234, 15881234
    """,
    _A,
)
_RRN = re.compile(rf"{_L}\d{{6}}(?:\ ?-\ ?)?[1-8]\d{{6}}{_R}", _A)
_CRD = re.compile(
    rf"""{_L}(?:
        \d{{4}}(?P<s>[\ .-])\d{{4}}(?P=s)\d{{4}}(?P=s)\d{{4}}(?:(?P=s)\d{{3}})?    # 4-4-4-4(-3)
      | \d{{4}}[\ -]\d{{6}}[\ -]\d{{4,5}}                                         # Amex 4-6-5, Diners 4-6-4
      | \d{{13,19}}
    ){_R}""",
    _A,
)
_BIZ = re.compile(rf"{_L}\d{{3}}-\d{{2}}-\d{{5}}{_R}", _A)
_DL = re.compile(rf"{_L}(?:\d{{2}}-)?\d{{2}}-\d{{6}}-\d{{2}}{_R}", _A)
_IP4 = re.compile(r"(?<![0-9A-Za-z_.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z_]|\.\d)", re.ASCII)
_ACC = re.compile(rf"{_L}(?:\d{{2,7}}(?:\ ?-\ ?\d{{1,7}}){{1,4}}|\d{{10,16}}){_R}", _A)

# Context words. A trailing "번호" is part of the label, so that the gap rule below does not see it.
_NO = r"(?:[\s(\[:]{0,3}(?:번호|no\.?|number|\#))?"  # also "여권(번호", "여권 #"
_TEL_CONTEXT = re.compile(
    rf"(?:전화|연락처?|문의|상담|센터|대표|휴대폰|핸드폰|폰|팩스|콜|예약|☎|☏|📞|tel|fax|call|phone){_NO}", re.I
)
_UNIT_AFTER = re.compile(r"(?:년|연|원|만|억|명|개|회|건|세|차|호|%|[kK]?[mgM]|kcal)")  # attached: 1500-1600명
_RRN_CONTEXT = re.compile(rf"(?:주민(?:등록)?|외국인(?:등록)?|등록|생년월일|RRN){_NO}", re.I)
_DL_CONTEXT = re.compile(rf"면허증?{_NO}")
_DL_REGIONS = ("서울", "부산", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주", "대구",
               "인천", "광주", "대전", "울산")
_DL_REGION_CODES = frozenset(range(11, 27)) | {28}
_ACC_CONTEXT = re.compile(
    rf"(?:은행|뱅크|계좌|입금|예금주|무통장|송금|이체|농협|신협|수협|우체국|새마을금고|신한|KB|NH|IBK|SC제일|account){_NO}",
    re.I,
)
_CRD_CONTEXT = re.compile(rf"(?:카드|결제|승인|card){_NO}", re.I)
_PASS_CONTEXT = re.compile(rf"(?:여권|passport){_NO}", re.I)
# Between a context word and its number: no other number and no other label ("운송장번호", "제품코드").
_GAP_BREAK = re.compile(r"[0-9]|번호|코드|No|#")
_OTHER_LABEL = re.compile(r"(?:번호|코드|스탬프|time\w*|ID|No\.?|#)\s*:?\s*$", re.I)
_AFTER_GAP = re.compile(r"\s?[(/]\s?")
_VERSION_BEFORE = re.compile(r"(?:\b(?:ver(?:sion)?|build|v)|버전|빌드)[\s.:]*$", re.I)
# Formats of other kinds (phone, RRN, 사업자번호, licence, 4x4 card) are never accounts, valid or not.
_OTHER_SHAPE = re.compile(
    r"0\d{1,3}[-. ]?\d{3,4}[-. ]?\d{4}|\d{6} ?- ?\d{7}|\d{3}-\d{2}-\d{5}|(?:\d\d-)?\d\d-\d{6}-\d\d"
    r"|\d{4}([ .-])\d{4}\1\d{4}\1\d{4}",
    re.ASCII,
)
# Date-based ids and timestamps: 20221119-0012, 2022-11-19-0012, 202211191230(45).
_YMD = r"(?:19\d\d|20[0-2]\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATED = re.compile(
    rf"{_YMD}(?:-|(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?$)"
    r"|(?:19\d\d|20[0-2]\d) ?- ?(?:0[1-9]|1[0-2]) ?- ?(?:0[1-9]|[12]\d|3[01])(?:\D|$)",
    re.ASCII,
)


_NON_DIGIT = re.compile(r"[^0-9]")


def _digits(s: str) -> str:
    return _NON_DIGIT.sub("", s)


def _near(pattern: re.Pattern, text: str, start: int, end: int, before: int, after: bool = False) -> bool:
    """Whether a context word labels the span: at most `before` chars before it with nothing number- or
    label-like between, or (if after) right after it in parentheses or after a slash, as in
    "110-123-456789 (신한은행)", provided no other label such as "주문번호" comes right before the span."""
    last = None
    for last in pattern.finditer(text, max(0, start - before), start):
        pass
    if last is not None and not _GAP_BREAK.search(text, last.end(), start):
        return True
    if after and not _GAP_BREAK.search(text, max(0, start - 12), start):
        gap = _AFTER_GAP.match(text, end)
        word = gap and pattern.search(text, gap.end(), gap.end() + 10)  # "(우리은행)", "/ 예금주 홍길동"
        return bool(word) and not _GAP_BREAK.search(text, gap.end(), word.start())
    return False


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def rrn_century(gender_digit: str) -> int:
    return 1900 if gender_digit in "1256" else 2000


def rrn_checksum(first12: str, foreign: bool = False) -> int:
    """Check digit of a resident (or, foreign=True, foreigner) registration number."""
    total = sum(int(d) * w for d, w in zip(first12, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)))
    return ((13 if foreign else 11) - total % 11) % 10


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_sum(digits: str) -> int:
    rev = digits[::-1]
    return sum(map(int, rev[0::2])) + sum(map(_LUHN_DOUBLED.__getitem__, map(int, rev[1::2])))


def luhn_ok(digits: str) -> bool:
    return luhn_sum(digits) % 10 == 0


def biz_checksum(first9: str) -> int:
    """Check digit of a 사업자등록번호 (National Tax Service algorithm)."""
    d = [int(c) for c in first9]
    total = sum(x * w for x, w in zip(d, (1, 3, 7, 1, 3, 7, 1, 3, 5))) + d[8] * 5 // 10
    return (10 - total % 10) % 10


def card_brand_ok(d: str) -> bool:
    """Whether the issuer prefix (IIN) and the length fit a known card scheme."""
    n = len(d)
    p2, p3, p4 = int(d[:2]), int(d[:3]), int(d[:4])
    if d[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # Amex
    if p4 in (2131, 1800):
        return n == 15  # JCB 15
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19  # JCB
    if 300 <= p3 <= 305 or p2 in (36, 38, 39):
        return 14 <= n <= 19  # Diners
    if p4 == 6011 or p2 in (62, 65) or 644 <= p3 <= 649:
        return 16 <= n <= 19  # Discover, UnionPay
    if p2 == 50 or 56 <= p2 <= 69:
        return 13 <= n <= 19  # Maestro
    if d[0] == "9":
        return n == 16  # Korean domestic-only cards
    return False


def _ean13_ok(d: str) -> bool:
    return sum(int(c) * (3 if i & 1 else 1) for i, c in enumerate(d)) % 10 == 0


def _isbn_ok(d: str) -> bool:
    if len(d) == 13 and d[:3] in ("978", "979"):
        return _ean13_ok(d)
    if len(d) == 10:
        return sum(int(c) * (10 - i) for i, c in enumerate(d)) % 11 == 0
    return False


def _valid_tel(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    value = m.group()
    d = _digits(value)
    if not value.startswith(("0", "(", "+")):  # 15xx/16xx/18xx representative number
        if _UNIT_AFTER.match(text, m.end()):  # "1500-1600명", "1592-1598년"
            return False
        if not ("-" in value or "." in value):
            # Without a dash, eight digits are any number (a price, an id): only a phone word makes it a phone.
            return _near(_TEL_CONTEXT, text, m.start(), m.end(), 12, after=True)
        first, last = int(d[:4]), int(d[4:])
        # Close ascending pairs and pairs of round numbers are ranges (1592-1598, 1500-1600) unless a phone
        # word comes right before.
        is_range = first < last and (last - first <= 300 or (first % 10 == 0 and last % 10 == 0))
        return not is_range or _near(_TEL_CONTEXT, text, m.start(), m.end(), 12)
    if value.startswith("+"):
        d = d[2:] if d[2] == "0" else "0" + d[2:]
    if d.startswith("010") or d.startswith("070"):
        return len(d) == 11
    return True


def _valid_rrn(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    d = _digits(m.group())
    year = rrn_century(d[6]) + int(d[:2])
    month, day = int(d[2:4]), int(d[4:6])
    if year > MAX_BIRTH_YEAR or not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
        return False
    if "-" in m.group():
        return True
    # Without the dash, 13 digits are too common (barcodes, timestamps, accounts): a context word is needed,
    # or a valid checksum on a number that no other label claims and that is not a Korean EAN-13 barcode.
    # (Numbers issued since October 2020 have a random last digit, hence the context alternative.)
    if _near(_RRN_CONTEXT, text, m.start(), m.end(), 20):
        return True
    if _near(_ACC_CONTEXT, text, m.start(), m.end(), 30, after=True):
        return False
    return (
        int(d[12]) == rrn_checksum(d[:12], foreign=d[6] in "5678")
        and not (d.startswith("880") and _ean13_ok(d))
        and not _OTHER_LABEL.search(text, max(0, m.start() - 12), m.start())
    )


def _valid_crd(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    d = _digits(m.group())
    if not (13 <= len(d) <= 19 and card_brand_ok(d) and luhn_ok(d)):
        return False
    # One number in ten passes Luhn: an ungrouped one labelled as an account is an account.
    return len(d) < len(m.group()) or not _near(_ACC_CONTEXT, text, m.start(), m.end(), 30, after=True) or _near(
        _CRD_CONTEXT, text, m.start(), m.end(), 30
    )


def _valid_biz(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    d = _digits(m.group())
    return d[0] != "0" and biz_checksum(d[:9]) == int(d[9])


def _valid_dl(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    value = m.group()
    if value.count("-") == 3:
        return int(value[:2]) in _DL_REGION_CODES
    # 2-6-2 form: only after a region name ("서울 12-345678-90") or near the word 면허.
    return text[max(0, m.start() - 4) : m.start()].rstrip().endswith(_DL_REGIONS) or _near(
        _DL_CONTEXT, text, m.start(), m.end(), 20
    )


def ipv4_private(octets: list[int]) -> bool:
    """Not globally routable: private, loopback, link-local, CGNAT, documentation, multicast, reserved."""
    a, b, c = octets[0], octets[1], octets[2]
    return (
        a in (0, 10, 127)
        or a >= 224
        or (a == 100 and 64 <= b <= 127)
        or (a == 169 and b == 254)
        or (a == 172 and 16 <= b <= 31)
        or (a == 192 and b == 168)
        or (a == 192 and b == 0 and c in (0, 2))
        or (a == 198 and b in (18, 19))
        or (a == 198 and b == 51 and c == 100)
        or (a == 203 and b == 0 and c == 113)
    )


def _valid_ip4(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    parts = m.group().split(".")
    if any(len(p) > 1 and p[0] == "0" for p in parts):  # leading zeros: a date or an id, not an address
        return False
    octets = [int(p) for p in parts]
    if max(octets) > 255 or octets[0] == 0 or _VERSION_BEFORE.search(text, max(0, m.start() - 12), m.start()):
        return False
    if ipv4_private(octets):
        return not keep_private_ip
    # Three one-digit parts: a version or section number (13.0.0.1, 1.2.3.4); public hosts rarely look so.
    return sum(o < 10 for o in octets) < 3


def _valid_acc(text: str, m: re.Match, keep_private_ip: bool) -> bool:
    value = m.group()
    d = _digits(value)
    if not 10 <= len(d) <= 16 or _OTHER_SHAPE.fullmatch(value):
        return False
    if _DATED.match(value) or _isbn_ok(d) or "ISBN" in text[max(0, m.start() - 12) : m.start()].upper():
        return False
    # Korean accounts have no common format and no check digit: context is the only evidence.
    return _near(_ACC_CONTEXT, text, m.start(), m.end(), 30, after=True)


_NUMERIC = (
    ("tel", _TEL, _valid_tel),
    ("rrn", _RRN, _valid_rrn),
    ("crd", _CRD, _valid_crd),
    ("biz", _BIZ, _valid_biz),
    ("dl", _DL, _valid_dl),
    ("ip", _IP4, _valid_ip4),
    ("acc", _ACC, _valid_acc),
)
NUMERIC_KINDS = frozenset(kind for kind, _, _ in _NUMERIC)


def _numeric_ranges(text: str) -> list[tuple[int, int]]:
    """Where numeric PII can be: the clusters, or the whole text when clusters are dense (one scan per
    pattern, ~35 ns a character, is then cheaper than a Python-level scan of each cluster, ~1 us a
    pattern; both find the same matches)."""
    ranges = []
    for cluster in _CLUSTER.finditer(text):
        start, end = cluster.span()
        while start and text[start - 1] in "(+":  # "(02) ..." and "+82 ..." start before the first digit
            start -= 1
        if end - start >= 8:  # the shortest candidates: 15881234 (after a phone word), 1.2.34.56
            # One more character, so the trailing lookahead sees what follows ("010-2345-6789abc").
            ranges.append((start, end + 1))
    return [(0, len(text))] if len(ranges) * 32 > len(text) else ranges


def _scan_numeric(text: str, out: list[Span], kinds: frozenset[str], keep_private_ip: bool) -> None:
    # Disabled numeric kinds still run and claim their text (a phone number must not become an account
    # when tel is off), except acc: it has the lowest priority, so it could never claim anything.
    detectors = _NUMERIC if "acc" in kinds else _NUMERIC[:-1]
    for start, end in _numeric_ranges(text):
        for kind, pattern, valid in detectors:
            for m in pattern.finditer(text, start, end):
                if valid(text, m, keep_private_ip):
                    out.append(Span(kind, m.start(), m.end(), m.group()))


# ---------------------------------------------------------------------------------------------------------
# email, IPv6, passport, URL
# ---------------------------------------------------------------------------------------------------------

_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])", re.ASCII)
# Comments write the big portals' domains in Hangul to dodge filters: "abc123@네이버", "abc@다음 닷컴".
_EMAIL_SPOKEN_DOMAIN = re.compile(r"(?:네이버|다음|한메일|지메일|네이트|카카오)(?:\s?(?:닷컴|닷넷|\.com|\.net))?")
# "icon@2x.png" is a retina image name, not an address.
_FILE_TLDS = frozenset(("png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js", "pdf"))


def _scan_email(text: str, out: list[Span]) -> None:
    at = text.find("@")
    while at != -1:
        dm = _EMAIL_DOMAIN.match(text, at + 1)
        spoken = False
        if dm is None or dm.group().rsplit(".", 1)[1].lower() in _FILE_TLDS:
            dm = _EMAIL_SPOKEN_DOMAIN.match(text, at + 1)
            spoken = True
        if dm:
            # Walk back over the local part (at most 64 chars); a Python loop, because a regex ending at
            # '@' would be retried from every start position.
            start = at
            while start > 0 and at - start <= 64 and text[start - 1] in _EMAIL_LOCAL_CHARS:
                start -= 1
            while start < at and text[start] in ".+-%":
                start += 1
            local = text[start:at]
            # A spoken domain is also a word ("다음" = next): ask for a longer user name there.
            if (
                (4 if spoken else 1) <= len(local) <= 64
                and not local.endswith(".")
                and ".." not in local
            ):
                out.append(Span("email", start, dm.end(), text[start : dm.end()]))
        at = text.find("@", at + 1)


_V6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
_V6_RUN = re.compile(r"[0-9A-Fa-f:.]{3,}")
_V6_SHAPE = re.compile(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}")  # cheap pre-check
_WORD_CHAR = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _scan_ipv6(text: str, out: list[Span], keep_private_ip: bool) -> None:
    n = len(text)
    for m in _V6_RUN.finditer(text):
        start, end = m.span()
        # Glued to a word: "std::vector", hex inside an identifier.
        if (start and text[start - 1] in _WORD_CHAR) or (end < n and text[end] in _WORD_CHAR):
            continue
        cand = m.group().rstrip(".")
        if cand.endswith(":") and not cand.endswith("::"):  # "주소 2001:db8::1:" ends a clause
            cand = cand[:-1]
        # "12::30", "::1", "fe80::1" are too short to name a host.
        if len(cand) - cand.count(":") - cand.count(".") < 6 or not _V6_SHAPE.fullmatch(cand):
            continue
        try:
            addr = ipaddress.IPv6Address(cand)
        except ValueError:
            continue
        if not (keep_private_ip and not addr.is_global):
            out.append(Span("ip", start, start + len(cand), cand))


_PASS = re.compile(r"(?<![0-9A-Za-z_])[MSRODGT](?:\d{8}|\d{3}[A-Z]\d{4})(?![0-9A-Za-z_])", re.ASCII)


def _scan_passport(text: str, out: list[Span]) -> None:
    for m in _PASS.finditer(text):
        if _near(_PASS_CONTEXT, text, m.start(), m.end(), 30):
            out.append(Span("pass", m.start(), m.end(), m.group()))


_URL = re.compile(
    r"""(?:https?://|www\.)
    (?:[\w-]{1,63}\.){0,8}[A-Za-z0-9-]{1,63}          # host; IDN labels allowed, the last label ASCII
    (?::\d{1,5})?
    (?:[/?#][A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]{0,2000})?""",
    re.VERBOSE,
)


def _url_end(url: str) -> int:
    """Length of the URL without its trailing punctuation, which belongs to the sentence; a ')' belongs to the
    URL only if it closes a '(' inside. The parentheses are counted once (recounting and reslicing per
    trailing character was quadratic in a run of 2,000 ')')."""
    end, opens, closes = len(url), url.count("("), url.count(")")
    while True:
        last = url[end - 1]
        if last == ")" and opens < closes:
            closes -= 1
        elif last not in ".,;:!?'\"]":
            return end
        end -= 1


def _scan_url(text: str, out: list[Span]) -> None:
    for m in _URL.finditer(text):
        url = m.group()
        end = _url_end(url)
        if end < len(url):
            url = url[:end]
        if "." in url[4:]:
            out.append(Span("url", m.start(), m.start() + len(url), url))


# ---------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------
# The detection view: values split across a line break, dash-like separators, fullwidth digits
# ---------------------------------------------------------------------------------------------------------

# Dash-like separators people (and word processors) write between digit groups, read as '-'; fullwidth digits
# and the fullwidth full stop read as ASCII. One character each, so the view keeps every index.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc\u2500"
_FOLD = str.maketrans({**{ch: "-" for ch in _DASHES}, "\uff0e": ".",
                       **{chr(0xFF10 + i): str(i) for i in range(10)}})
_FOLD_HINT = re.compile(f"[{_DASHES}\uff0e\uff10-\uff19]")

# A line break as the default chain leaves it (\n) or as raw text or HTML has it (\r\n, \r, U+2028, <br>, <br/>,
# <p>, </p>, </div> ...): up to three in a row, with up to 8 blanks between and after. It starts at the break
# itself, never at a blank, so a long blank run is not rescanned from each of its positions.
_BRK = (r"(?:\r\n|[\n\r\v\f\x85\u2028\u2029]|<(?:br|p|div|li|tr|td|th|h[1-6])\b[^<>\n]{0,60}>"
        r"|</(?:p|div|li|tr|td|th|h[1-6])\s{0,5}>)")
_BREAK = re.compile(rf"{_BRK}(?:[ \t]{{0,8}}{_BRK}){{0,2}}[ \t]{{0,8}}(?=[0-9A-Za-z@.\-{_DASHES}\uff10-\uff19])", re.I)
# A break after a character that can end part of a value: without one (most documents), nothing is joined.
# It starts with a character class, which re scans for in C, unlike _BREAK's alternation.
_BREAK_HINT = re.compile(
    f"[0-9A-Za-z@.)\\-{_DASHES}\uff10-\uff19][ \\t]{{0,8}}(?:[\\r\\n\\v\\f\\x85\u2028\u2029]|<[/bBpPdDlLtThH])"
)
_BREAK_CHARS = ("\n", "\r", "<", "\v", "\f", "\x85", "\u2028", "\u2029")  # 'in' tests run at memchr speed
# What a break _joinable accepts can have right before it, where a break starts: a blank, or the value's last
# character. Without an '@' in the text only digit groups join (every e-mail rule needs one): a digit, or '.', ')'
# or '-' after a digit or after a blank after a digit. One pattern per first character of a break, so that re
# finds it with a fast literal search (a class scan stops at each digit and '.', many more than breaks).
_LEFT_OF_BREAK = {c: re.compile(re.escape(c) + r"(?<=[0-9A-Za-z@._%+)\- \t].)", re.S) for c in _BREAK_CHARS}
_DIGIT_LEFT = r"(?<=[0-9 \t.)\-].)(?:(?<=[0-9 \t].)|(?<=[0-9][.)\-].)|(?<=[0-9]\ [.)\-].))"  # one test first
_DIGIT_LEFT_OF_BREAK = {c: re.compile(re.escape(c) + _DIGIT_LEFT, re.S) for c in _BREAK_CHARS}
# Then, on the few documents left, each combination of characters around a break that _joinable accepts: the one
# before it, the one after it (blanks and up to three breaks between) and, where _joinable reads them, their
# neighbours. Lookbehinds make a class scan slow (each digit and '.' is tried), hence the literal searches first.
_BREAKS = rf"[ \t]{{0,8}}{_BRK}(?:[ \t]{{0,8}}{_BRK}){{0,2}}[ \t]{{0,8}}"  # what _BREAK matches
_JOIN_HINT = re.compile(
    rf"""[0-9A-Za-z@._%+)\-](?:
        {_BREAKS}@                                        # hong|@naver.com
      | (?<=[0-9]){_BREAKS}[0-9.\-]                       # 010|2345, 010|-2345, 10|.1.2.3
      | (?<=[A-Za-z]){_BREAKS}\.                          # naver|.com
      | (?<=[0-9A-Za-z.@\ \-][.\-]){_BREAKS}[0-9A-Za-z]    # 010-|2345, 010 -|2345, naver.|com
      | (?<=\)){_BREAKS}[0-9]                             # (02)|345
      | (?<=@){_BREAKS}[0-9A-Za-z]                        # hong@|naver.com
    )""",
    re.I | re.X,
)
_DIGIT_JOIN_HINT = re.compile(  # without an '@'
    rf"""[0-9.)\-](?:
        (?<=[0-9][0-9]){_BREAKS}[0-9][0-9]                # 010|2345
      | (?<=[0-9]){_BREAKS}[.\-][0-9]                     # 010|-2345
      | (?<=[0-9][.)\-]){_BREAKS}[0-9]                    # 010-|2345, (02)|345
      | (?<=[0-9]\ [.)\-]){_BREAKS}[0-9]                  # 010 -|2345
    )""",
    re.I | re.X,
)
FOLD_CHARS = _DASHES + "\uff0e" + "".join(chr(0xFF10 + i) for i in range(10))  # what _FOLD changes
VIEW_CHARS = FOLD_CHARS + "".join(_BREAK_CHARS)  # without any, the view of a text is the text itself
_DIGITS = frozenset("0123456789")
_SEPS = frozenset("-.)")
_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HOST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def _in_host(text: str, end: int, complete: bool = False) -> bool:
    """Whether text[:end] ends inside an e-mail domain that is not complete yet ("hong@naver", "hong@mail.", not
    "a@b.co.kr.", which may end a sentence), or that may go on when complete (a TLD follows the break)."""
    i = end
    while i > 0 and end - i < 255 and text[i - 1] in _HOST:
        i -= 1
    found = i < end and i > 1 and text[i - 1] == "@" and text[i - 2] in _LOCAL
    return found and (complete or "." not in text[i:end].rstrip(".-"))


CUT = "cut"  # _joinable's answer for a break that goes; else the separator it reads as (" ", "-", ".")
_TLDS = frozenset(("com", "net", "org", "kr", "co", "go", "ac", "or", "re", "ne", "info", "biz", "io", "me", "jp",
                   "cn", "edu", "gov", "us", "uk", "de"))


def _tld_follows(text: str, start: int) -> bool:
    """Whether text[start:] begins with a domain's last labels ("kr", "co.kr", "com") and then leaves the address."""
    end = start
    while end < len(text) and end - start < 12 and (text[end].isascii() and (text[end].isalpha() or text[end] == ".")):
        end += 1
    if end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] in "-_@"):
        return False
    labels = text[start:end].rstrip(".").split(".")
    return all(label in _TLDS for label in labels)


def _digit_break(text: str, i: int, end: int) -> str:
    """How a break between two digit runs reads: as the separator the number uses next to it ("5526|2175-3187"
    -> '-', "4111 1111|1111 1111" -> ' '), or cut when the number has no other separator (010|2345|6789) or the
    break splits one group (4111-11|11-1111: separators on both sides, runs of four digits together)."""
    k = i - 1
    while k > 0 and i - k < 20 and text[k - 1] in _DIGITS:
        k -= 1
    left_run, left = i - k, text[k - 1] if k > 1 and text[k - 1] in " -." and text[k - 2] in _DIGITS else None
    k = end
    while k < len(text) - 1 and k - end < 20 and text[k] in _DIGITS:
        k += 1
    right_run, right = k - end, text[k] if k < len(text) - 1 and text[k] in " -." and text[k + 1] in _DIGITS else None
    if left and right and left_run + right_run <= 4:
        return CUT
    return left or right or CUT


def _joinable(text: str, start: int, end: int) -> tuple[int, str] | None:
    """Whether the break text[start:end] splits one value, judged from two characters on each side: a break
    right after a separator and before a digit (010-|2345, (02)|345), before a separator (010|-2345), between two
    digit runs of at least two digits (010|2345|6789, 900101|1234567, a group split in two), or inside an e-mail
    address (hong@|naver.com, hong|@naver.com, hong@naver.|com, snu.ac.|kr). Returns where the cut starts (blanks
    before the break go too) and how the break reads (CUT or a separator), or None."""
    i = start
    while i > 0 and start - i < 8 and text[i - 1] in " \t":
        i -= 1
    if i < 2:
        return None
    l1, l2 = text[i - 1], text[i - 2]
    r1, r2 = text[end], text[end + 1] if end + 1 < len(text) else ""
    if l1 in _DIGITS:
        if r1 in _DIGITS:
            return (i, _digit_break(text, i, end)) if l2 in _DIGITS and r2 in _DIGITS else None
        if r1 in "-." and r2 in _DIGITS:
            return i, CUT
        if r1 == "@":
            return (i, CUT) if r2 in _ALNUM else None
    if l1 in _SEPS and r1 in _DIGITS and (l2 in _DIGITS or (l2 == " " and i > 2 and text[i - 3] in _DIGITS)):
        return i, CUT  # "010-|2345", "010 -|2345", "(02)|345"
    if l1 == "@":
        return (i, CUT) if l2 in _LOCAL and r1 in _ALNUM else None
    if r1 == "@":
        return (i, CUT) if l1 in _LOCAL and r2 in _ALNUM else None
    if l1 in ".-" and r1 in _ALNUM and _in_host(text, i, complete=_tld_follows(text, end)):
        return i, CUT
    if r1 == "." and l1 in _ALNUM and r2 in _ALNUM and _in_host(text, i, complete=_tld_follows(text, end + 1)):
        return i, CUT
    return None


class View(NamedTuple):
    """What the detectors read: text with joinable breaks cut out and separators folded (see _FOLD).

    cuts: (start, end) in the original text of each removed break, in order; at: the view index where each cut
    was (the index of the character after it); shift: characters removed up to and including each cut."""

    text: str
    cuts: list[tuple[int, int]]
    at: list[int]
    shift: list[int]


def _may_join(view: str) -> bool:
    """False when no break in view is joinable (cheap tests first); True when _joinable must judge them."""
    at = "@" in view
    left = _LEFT_OF_BREAK if at else _DIGIT_LEFT_OF_BREAK
    for c in _BREAK_CHARS:
        if c in view and left[c].search(view):
            break
    else:
        return False
    if (_JOIN_HINT if at else _DIGIT_JOIN_HINT).search(view) is None:
        return False
    # _BREAK_HINT decided alone before the tests above and still has the last word, so output is unchanged: a
    # break after '_', '%' or '+' (hong_⏎@naver.com) is judged only when some break follows a character it lists.
    return _BREAK_HINT.search(view) is not None


def make_view(text: str, fold: bool = True) -> View:
    """The view of text (fold=False: the caller knows text has none of FOLD_CHARS)."""
    view = text.translate(_FOLD) if fold and _FOLD_HINT.search(text) else text  # same length: indexes unchanged
    if not _may_join(view):
        return View(view, [], [], [])
    joins = [(j[0], m.end(), j[1]) for m in _BREAK.finditer(view) if (j := _joinable(view, m.start(), m.end()))]
    if not joins:
        return View(view, [], [], [])
    parts, cuts, at, shift = [], [], [], []
    pos = removed = 0
    for start, end, how in joins:
        parts.append(view[pos:start])
        if how != CUT:  # all but the last character of the break go; that one reads as the separator
            parts.append(how)
            end -= 1
        if end > start:
            cuts.append((start, end))
            removed += end - start
            at.append(end - removed)
            shift.append(removed)
        pos = end + (how != CUT)
    parts.append(view[pos:])
    return View("".join(parts), cuts, at, shift)


def _to_original(view: View, v: int) -> int:
    """Original index of the character at view index v."""
    k = bisect.bisect_right(view.at, v)
    return v + (view.shift[k - 1] if k else 0)


def detect_in_view(
    text: str, kinds: frozenset[str], keep_private_ip: bool, view: View | None = None
) -> tuple[View, list[tuple[Span, Span]]]:
    """detect() on the view of text (make_view(text) unless given): for each span, (span in text, span in the
    view). The view's value is the one to validate and replace: breaks cut out, dashes as '-', ASCII digits."""
    if view is None:
        view = make_view(text)
    spans = _detect(view.text, kinds, keep_private_ip)
    if not view.cuts and view.text is text:
        return view, [(sp, sp) for sp in spans]
    out = []
    for sp in spans:
        start = _to_original(view, sp.start)
        end = _to_original(view, sp.end - 1) + 1
        out.append((Span(sp.kind, start, end, text[start:end]), sp))
    return view, out


def cuts_in(view: View, start: int, end: int) -> list[tuple[int, int]]:
    """The cuts inside text[start:end], relative to start."""
    k = bisect.bisect_left(view.cuts, (start, start))
    out = []
    while k < len(view.cuts) and view.cuts[k][0] < end:
        out.append((view.cuts[k][0] - start, view.cuts[k][1] - start))
        k += 1
    return out


def detect_plain(text: str, kinds: frozenset[str], keep_private_ip: bool) -> list[Span]:
    """detect() on a text with none of VIEW_CHARS, which is its own view."""
    return _detect(text, kinds, keep_private_ip)


def detect(text: str, kinds: frozenset[str], keep_private_ip: bool) -> list[Span]:
    """All spans of the given kinds, non-overlapping, in text order (parameters already validated). A value
    split by a joinable line break, written with dash-like separators or fullwidth digits is found as well;
    its span covers the break and its value is the text as written."""
    return [sp for sp, _ in detect_in_view(text, kinds, keep_private_ip)[1]]


def _detect(text: str, kinds: frozenset[str], keep_private_ip: bool) -> list[Span]:
    found: list[Span] = []
    if not kinds.isdisjoint(NUMERIC_KINDS):
        _scan_numeric(text, found, kinds, keep_private_ip)
    if "email" in kinds and "@" in text:
        _scan_email(text, found)
    if "ip" in kinds and ":" in text and _V6_HINT.search(text):
        _scan_ipv6(text, found, keep_private_ip)
    # The context regex is case-insensitive, so re cannot scan for a literal: a few 'in' tests first ('p' matches
    # only p and P under re.I).
    if "pass" in kinds and ("여권" in text or "p" in text or "P" in text) and _PASS_CONTEXT.search(text):
        _scan_passport(text, found)
    if "url" in kinds and ("://" in text or "www." in text):
        _scan_url(text, found)
    if not found:
        return found
    found.sort(key=lambda sp: (_PRIORITY[sp.kind], sp.start, -sp.end))
    taken = bytearray(len(text))
    kept = []
    for sp in found:
        if taken.find(1, sp.start, sp.end) == -1:
            taken[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
            kept.append(sp)
    kept.sort(key=lambda sp: sp.start)
    return [sp for sp in kept if sp.kind in kinds]
