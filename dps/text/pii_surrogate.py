"""Same-format random replacements for tag_pii, drawn from a deterministic per-span random source.

A surrogate keeps the original's length, separators and grouping, keeps the non-identifying prefix that
makes it plausible (mobile prefix 010, area code, card issuer prefix, licence region code, email domain,
first IPv6 group), randomizes everything else, fixes up check digits, and is never equal to the original.
"""

from __future__ import annotations

import hashlib

from dps.text.pii_detect import biz_checksum, days_in_month, ipv4_private, luhn_sum, rrn_checksum

_HEX_LOWER = "0123456789abcdef"
_HEX_UPPER = "0123456789ABCDEF"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Rng:
    """Deterministic random integers from blake2b(key) in counter mode.

    Cheaper to set up than random.Random (one hash, no Mersenne Twister seeding), which matters for documents
    with thousands of spans, and fully specified: the same key gives the same draws on any platform.
    """

    __slots__ = ("_key", "_counter", "_pool", "_room")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._counter = 0
        self._pool = 0  # uniform in [0, _room)
        self._room = 1

    def below(self, n: int) -> int:
        """An integer in [0, n); modulo bias below 2**-64."""
        if self._room < n << 64:
            block = hashlib.blake2b(self._key + self._counter.to_bytes(4, "big"), digest_size=64).digest()
            self._counter += 1
            self._pool = (self._pool << 512) | int.from_bytes(block, "big")
            self._room <<= 512
        self._pool, r = divmod(self._pool, n)
        self._room //= n
        return r

    def digits(self, n: int, first_low: int = 0) -> str:
        """n random decimal digits, the first one >= first_low."""
        if n <= 0:
            return ""
        first = chr(48 + first_low + self.below(10 - first_low))
        return first + (f"{self.below(10 ** (n - 1)):0{n - 1}d}" if n > 1 else "")

    def choice(self, seq: str) -> str:
        return seq[self.below(len(seq))]


def span_rng(seed: int, doc_hash: str, index: int) -> Rng:
    """The random source of the index-th span of a document: independent across spans, seeds and documents."""
    return Rng(f"{seed}|{doc_hash}|{index}".encode())


def _digit_positions(value: str) -> list[int]:
    return [i for i, ch in enumerate(value) if "0" <= ch <= "9"]


def _refill(value: str, positions: list[int], digits: str) -> str:
    chars = list(value)
    for i, d in zip(positions, digits):
        chars[i] = d
    return "".join(chars)


def _tel(value: str, rng: Rng) -> str:
    pos = _digit_positions(value)
    d = "".join(value[i] for i in pos)
    if value[0] not in "0(+":  # 1588-xxxx: keep the service prefix
        keep, low = 4, 0
    else:
        keep = 2 if value[0] == "+" else 0  # country code 82
        if d[keep] == "0":
            keep += 1
        body = d[keep:]
        if body.startswith("50"):
            keep += 3  # 050x
        elif body.startswith(("1", "70", "80")) or body[0] in "3456":
            keep += 2  # mobile 01x, 070, 080, regional 0xx
        else:
            keep += 1  # Seoul 02
        low = 2  # Korean subscriber numbers do not start with 0 or 1
    return _refill(value, pos, d[:keep] + rng.digits(len(d) - keep, low))


def _rrn(value: str, rng: Rng) -> str:
    pos = _digit_positions(value)
    foreign = value[pos[6]] in "5678"
    year = 1940 + rng.below(80)
    month = 1 + rng.below(12)
    day = 1 + rng.below(days_in_month(year, month))
    gender = (1 if year < 2000 else 3) + rng.below(2) + (4 if foreign else 0)
    first12 = f"{year % 100:02d}{month:02d}{day:02d}{gender}" + rng.digits(5)
    return _refill(value, pos, first12 + str(rrn_checksum(first12, foreign)))


def _crd(value: str, rng: Rng) -> str:
    pos = _digit_positions(value)
    d = "".join(value[i] for i in pos)
    body = d[:4] + rng.digits(len(d) - 5)  # keep the issuer prefix, so the brand stays the same
    check = (10 - luhn_sum(body + "0")) % 10
    return _refill(value, pos, body + str(check))


def _biz(value: str, rng: Rng) -> str:
    pos = _digit_positions(value)
    first9 = rng.digits(9, 1)
    return _refill(value, pos, first9 + str(biz_checksum(first9)))


def _plain_digits(value: str, rng: Rng, keep: int = 0) -> str:
    """Keep the first keep digits (and a leading zero), randomize the rest; other characters stay."""
    pos = _digit_positions(value)
    d = "".join(value[i] for i in pos)
    if keep == 0 and d[0] == "0":
        keep = 1
    return _refill(value, pos, d[:keep] + rng.digits(len(d) - keep, 0 if keep else 1))


def _dl(value: str, rng: Rng) -> str:
    return _plain_digits(value, rng, keep=2 if value.count("-") == 3 else 0)  # keep the region code


def _octet(rng: Rng, width: int, first: bool) -> int:
    if width == 1:
        return rng.below(9) + 1 if first else rng.below(10)
    if width == 2:
        return 10 + rng.below(90)
    return 100 + rng.below(156)


def _ip4(value: str, rng: Rng) -> str:
    parts = value.split(".")
    octets = [int(p) for p in parts]
    # A private address keeps its block (10.x, 192.168.x ...), a public one stays public.
    keep = 2 if ipv4_private(octets) else 0
    for _ in range(64):
        new = octets[:keep] + [_octet(rng, len(parts[i]), i == 0) for i in range(keep, 4)]
        if keep or not ipv4_private(new):
            break
    return ".".join(str(o) for o in new)


def _ip6(value: str, rng: Rng) -> str:
    head, sep, tail = value.partition(":")
    chars = list(tail)
    v4_at = tail.rfind(":") + 1 if "." in tail else len(tail)  # ::ffff:1.2.3.4 keeps an IPv4 tail
    hex_digits = _HEX_UPPER if any("A" <= ch <= "F" for ch in value) else _HEX_LOWER
    for i in range(v4_at):
        if chars[i] != ":":
            chars[i] = rng.choice(hex_digits)
    out = head + sep + "".join(chars[:v4_at])
    return out + (_ip4(tail[v4_at:], rng) if v4_at < len(tail) else "")


def _email(value: str, rng: Rng) -> str:
    at = value.rindex("@")
    if not any(ch.isalnum() for ch in value[:at]):
        # Only separators ("_@naver.com"): keeping them in place would give the original back.
        return "".join(rng.choice(_LOWER) for _ in range(at)) + value[at:]
    local = []
    for ch in value[:at]:
        if "a" <= ch <= "z":
            local.append(rng.choice(_LOWER))
        elif "A" <= ch <= "Z":
            local.append(rng.choice(_UPPER))
        elif "0" <= ch <= "9":
            local.append(rng.digits(1))
        else:
            local.append(ch)  # . _ - + % keep their places
    return "".join(local) + value[at:]


_MAKERS = {
    "tel": _tel,
    "rrn": _rrn,
    "crd": _crd,
    "acc": _plain_digits,
    "biz": _biz,
    "dl": _dl,
    "pass": _plain_digits,  # the letters (passport type) stay
    "email": _email,
}


def surrogate(kind: str, value: str, rng: Rng) -> str:
    """A random value of the same kind and format as value, never equal to it (url is returned as is)."""
    if kind == "url":
        return value
    if kind == "ip":
        maker = _ip6 if ":" in value else _ip4
    else:
        maker = _MAKERS[kind]
    # Every maker randomizes at least two digits or one letter (an e-mail of separators only gets letters), so a
    # try equals the original with probability <= 1/10 and 64 tries never all do. If they did, the span would
    # leak: fail loudly instead (the record is quarantined, never written).
    for _ in range(64):
        new = maker(value, rng)
        if new != value:
            return new
    raise RuntimeError(f"no {kind} surrogate differs from the original")
