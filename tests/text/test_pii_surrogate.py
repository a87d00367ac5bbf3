"""Surrogates keep the kind and format of the original, pass the kind's checks, and never equal it."""

import ipaddress
import re

import pytest

from dps.text.pii import ALL_KINDS, find_pii
from dps.text.pii_detect import biz_checksum, ipv4_private, luhn_ok, rrn_checksum
from dps.text.pii_surrogate import Rng, span_rng, surrogate

RNGS = [span_rng(7, "doc", i) for i in range(200)]


def shape(value):
    """Digits -> 9, other characters kept: the format a surrogate must preserve."""
    return re.sub(r"[0-9]", "9", value)


def test_rng_is_deterministic_and_keyed():
    a, b, c = Rng(b"k"), Rng(b"k"), Rng(b"other")
    draws = [a.below(10**6) for _ in range(50)]
    assert draws == [b.below(10**6) for _ in range(50)]
    assert draws != [c.below(10**6) for _ in range(50)]
    assert all(0 <= x < 10**6 for x in draws)
    assert Rng(b"k").digits(6, first_low=2)[0] in "23456789"


def test_span_rng_depends_on_seed_document_and_index():
    first = span_rng(0, "h", 0).below(10**9)
    assert first == span_rng(0, "h", 0).below(10**9)
    assert first != span_rng(1, "h", 0).below(10**9)
    assert first != span_rng(0, "g", 0).below(10**9)
    assert first != span_rng(0, "h", 1).below(10**9)


@pytest.mark.parametrize(
    "value, kept_prefix",
    [
        ("010-2345-6789", "010-"),
        ("010.2345.6789", "010."),
        ("01023456789", "010"),
        ("011-345-6789", "011-"),
        ("+82 10-2345-6789", "+82 10-"),
        ("+82 (0)2-345-6789", "+82 (0)2-"),
        ("02-345-6789", "02-"),
        ("(031) 234-5678", "(031) "),
        ("070-4567-8901", "070-"),
        ("0505-123-4567", "0505-"),
        ("1588-1234", "1588-"),
    ],
)
def test_tel_keeps_prefix_and_format(value, kept_prefix):
    for rng in RNGS[:50]:
        new = surrogate("tel", value, rng)
        assert new != value
        assert shape(new) == shape(value)
        assert new.startswith(kept_prefix)
        assert [(s.kind, s.value) for s in find_pii(f"연락처 {new}")] == [("tel", new)]


@pytest.mark.parametrize("value", ["900101-1234568", "850505-5123456", "9001011234568", "900101 - 1234568"])
def test_rrn_has_valid_date_checksum_and_category(value):
    foreign = re.sub(r"\D", "", value)[6] in "5678"
    for rng in RNGS:
        new = surrogate("rrn", value, rng)
        assert new != value and shape(new) == shape(value)
        d = re.sub(r"\D", "", new)
        assert (d[6] in "5678") == foreign
        assert int(d[12]) == rrn_checksum(d[:12], foreign)
        assert [s.kind for s in find_pii(f"주민등록번호 {new}")] == ["rrn"]  # valid date and gender digit


@pytest.mark.parametrize(
    "value", ["4111-1111-1111-1111", "5555 5555 5555 4444", "3782-822463-10005", "6011111111111117"]
)
def test_card_passes_luhn_and_keeps_issuer_and_grouping(value):
    for rng in RNGS:
        new = surrogate("crd", value, rng)
        assert new != value and shape(new) == shape(value)
        assert new[:4] == value[:4]
        assert luhn_ok(re.sub(r"\D", "", new))


def test_biz_has_valid_checksum():
    for rng in RNGS:
        new = surrogate("biz", "220-81-62517", rng)
        d = re.sub(r"\D", "", new)
        assert new != "220-81-62517" and shape(new) == "999-99-99999"
        assert d[0] != "0" and int(d[9]) == biz_checksum(d[:9])


@pytest.mark.parametrize(
    "kind, value",
    [("acc", "110-234-567890"), ("acc", "3333012345678"), ("dl", "11-22-333333-44"), ("dl", "12-345678-90"),
     ("pass", "M12345678"), ("pass", "M123A4567")],
)
def test_plain_digit_kinds_keep_format(kind, value):
    for rng in RNGS[:50]:
        new = surrogate(kind, value, rng)
        assert new != value and shape(new) == shape(value)
    assert surrogate("dl", "11-22-333333-44", RNGS[0]).startswith("11-")  # region code kept


def test_passport_letters_stay():
    new = surrogate("pass", "M123A4567", RNGS[0])
    assert new[0] == "M" and new[4] == "A" and new != "M123A4567"


@pytest.mark.parametrize(
    "value", ["hong.gildong@naver.com", "Kim_01+news@mail.example.co.kr", "a@b.co.kr", "abc123@네이버"]
)
def test_email_keeps_domain_and_local_shape(value):
    local, domain = value.rsplit("@", 1)
    for rng in RNGS:
        new = surrogate("email", value, rng)
        new_local, new_domain = new.rsplit("@", 1)
        assert new != value and new_domain == domain and len(new_local) == len(local)
        for a, b in zip(local, new_local):
            assert (a.islower(), a.isupper(), a.isdigit()) == (b.islower(), b.isupper(), b.isdigit())
            if not a.isalnum():
                assert a == b


def test_ipv4_public_stays_public_private_keeps_block():
    for rng in RNGS:
        new = surrogate("ip", "211.234.10.20", rng)
        octets = [int(p) for p in new.split(".")]
        assert new != "211.234.10.20" and [len(p) for p in new.split(".")] == [3, 3, 2, 2]
        assert max(octets) <= 255 and not ipv4_private(octets)
        private = surrogate("ip", "192.168.0.10", rng)
        assert private.startswith("192.168.") and private != "192.168.0.10"


def test_ipv6_keeps_first_group_and_structure():
    value = "2001:4860:4860::8888"
    for rng in RNGS:
        new = surrogate("ip", value, rng)
        assert new != value and new.startswith("2001:") and new.count(":") == value.count(":")
        assert "::" in new and [len(g) for g in new.split(":")] == [len(g) for g in value.split(":")]
        ipaddress.IPv6Address(new)
    upper = surrogate("ip", "2400:CB00::6CA2", span_rng(0, "doc", 0))
    assert upper == upper.upper() and upper.startswith("2400:")


def test_url_is_returned_unchanged():
    assert surrogate("url", "https://example.com/a", RNGS[0]) == "https://example.com/a"


def test_every_kind_has_a_surrogate():
    samples = {"tel": "010-2345-6789", "rrn": "900101-1234568", "crd": "4111111111111111", "acc": "110-234-567890",
               "email": "a@b.co.kr", "ip": "211.234.10.20", "biz": "220-81-62517", "pass": "M12345678",
               "dl": "11-22-333333-44", "url": "www.example.com"}
    assert set(samples) == set(ALL_KINDS)
    for kind, value in samples.items():
        assert isinstance(surrogate(kind, value, RNGS[0]), str)
