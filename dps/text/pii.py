"""Korean PII tagging: validated detectors, tags around each span, seeded same-format surrogates.

Output of the default mode for "연락처 010-1234-5678":
    연락처 <|tel_start|>010-7294-0531<|tel_end|>
The model learns what a phone number looks like and where one is, without learning anyone's number.
Detectors live in pii_detect.py, replacement values in pii_surrogate.py; docs/pii.md is the user guide.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from typing import NamedTuple

from dps.text.pii_detect import ALL_KINDS, Span, detect
from dps.text.profiling import Metric
from dps.text.pii_surrogate import span_rng, surrogate

__all__ = ["ALL_KINDS", "DEFAULT_KINDS", "MODES", "PROFILE_METRICS", "Span", "find_pii", "pii_profile", "tag_pii"]

DEFAULT_KINDS = ("tel", "rrn", "crd", "acc", "email", "ip", "biz", "pass", "dl")  # url is opt-in
MODES = ("surrogate", "mask", "keep")


class _Config(NamedTuple):
    kinds: frozenset[str]
    mode: str
    start: dict[str, str]
    end: dict[str, str]
    mask: dict[str, str]
    guard: str  # literal every special token starts with ("<|"): a cheap 'in' test before the regex
    specials: re.Pattern


def _kind_tuple(kinds: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    if isinstance(kinds, str):
        raise ValueError(f"kinds must be a list of kind names, got the string {kinds!r}")
    return tuple(kinds)


def _kind_set(kinds: tuple[str, ...]) -> frozenset[str]:
    unknown = [k for k in kinds if k not in ALL_KINDS]
    if unknown:
        raise ValueError(f"unknown PII kind(s) {unknown}; valid kinds: {', '.join(ALL_KINDS)}")
    return frozenset(kinds)


@functools.lru_cache(maxsize=64)
def _config(mode: str, kinds: tuple[str, ...], start_token: str, end_token: str, mask_token: str) -> _Config:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    templates = {"start_token": start_token, "end_token": end_token, "mask_token": mask_token}
    for name, template in templates.items():
        if "{kind}" not in template:
            raise ValueError(f"{name} {template!r} must contain '{{kind}}'")
        if not any(_neutral(ch) != ch for ch in template.replace("{kind}", "")):
            raise ValueError(f"{name} {template!r} needs a punctuation character such as '<' or '|'")
    if len(set(templates.values())) < 3:
        raise ValueError("start_token, end_token and mask_token must differ")
    tables = [{k: t.replace("{kind}", k) for k in ALL_KINDS} for t in templates.values()]
    # Neutralize the tokens of every kind, enabled or not: all of them are the pipeline's own tokens.
    tokens = sorted({tok for table in tables for tok in table.values()}, key=len, reverse=True)
    specials = re.compile("|".join(map(re.escape, tokens)))
    return _Config(_kind_set(kinds), mode, *tables, os.path.commonprefix(tokens), specials)


def _neutral(ch: str) -> str:
    """ASCII punctuation (except '_') -> its fullwidth form (U+FF01..U+FF5E); anything else unchanged."""
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" and not ch.isalnum() and ch != "_" else ch


def _neutralize(match: re.Match) -> str:
    return "".join(map(_neutral, match.group()))


def find_pii(
    text: str, *, kinds: tuple[str, ...] = DEFAULT_KINDS, keep_private_ip: bool = True
) -> list[Span]:
    """PII spans of the given kinds in text: non-overlapping Span(kind, start, end, value), in text order.

    Parameters:
        kinds: which kinds to report (see tag_pii).
        keep_private_ip: leave addresses that are not globally routable (10.x, 192.168.x, 127.x, fe80::...) out.
    """
    return detect(text, _kind_set(_kind_tuple(kinds)), keep_private_ip)


def tag_pii(
    text: str,
    *,
    seed: int = 0,
    mode: str = "surrogate",
    kinds: tuple[str, ...] = DEFAULT_KINDS,
    keep_private_ip: bool = True,
    start_token: str = "<|{kind}_start|>",
    end_token: str = "<|{kind}_end|>",
    mask_token: str = "<|{kind}|>",
) -> str:
    """Wrap personal data in <|kind_start|>...<|kind_end|> tags and replace it with a same-format random value.

    Kinds: tel (mobile, landline, 070/050x/080, 1588-style and +82 forms), rrn (resident/foreigner
    registration number: valid date and gender digit required), crd (payment card: Luhn and issuer prefix),
    acc (bank account: only near a bank name or 계좌/입금/예금주), email, ip (IPv4/IPv6), biz (사업자등록번호,
    checksum), pass (passport, near 여권/passport), dl (driver's licence 11-22-333333-44 or 서울 22-333333-44),
    url (opt-in; tagged, value always kept). Dates, times, prices, scores, ISBNs, ids, version numbers and
    coordinates are not tagged. See docs/pii.md for the exact rules.

    Mode surrogate replaces each value by a random one of the same format (same length, separators and
    grouping, valid checksums, email domain kept), never equal to the original. Each span's random source is
    derived from (seed, blake2b of the document, span index): output is byte-identical across runs and
    clusters, and two spans get independent values even when their originals are equal. Mode mask writes the
    bare mask token instead of the tagged value (v1 behaviour); mode keep tags the original value (audits).

    Before tagging, any of the pipeline's special tokens already present in the text (for every kind, from
    the three templates) is neutralized by turning its ASCII punctuation into the fullwidth forms
    ("<|tel_start|>" -> "＜｜tel_start｜＞"), so input can neither fake nor unbalance a tag pair.

    Parameters:
        seed: job random seed (injected by the pipeline); changes every surrogate.
        mode: surrogate (tags around a random same-format value), mask (bare mask token) or keep (original).
        kinds: kinds to tag, any of tel, rrn, crd, acc, email, ip, biz, pass, dl, url (url is not a default).
        keep_private_ip: leave IPs that are not globally routable (10.x, 192.168.x, 127.x, fe80::) untagged.
        start_token: opening tag template; '{kind}' is replaced by the kind name.
        end_token: closing tag template; '{kind}' is replaced by the kind name.
        mask_token: what mode mask writes instead of a span (url spans keep value and tags in every mode).
    """
    cfg = _config(mode, _kind_tuple(kinds), start_token, end_token, mask_token)
    original = text
    if cfg.guard in text:
        text = cfg.specials.sub(_neutralize, text)  # same length: spans index both texts alike
    spans = detect(text, cfg.kinds, keep_private_ip)
    if not spans:
        return text
    doc_hash = hashlib.blake2b(original.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    out = []
    pos = 0
    for index, sp in enumerate(spans):
        out.append(text[pos : sp.start])
        if cfg.mode == "mask" and sp.kind != "url":
            out.append(cfg.mask[sp.kind])
        else:
            value = sp.value
            if cfg.mode == "surrogate":
                value = surrogate(sp.kind, value, span_rng(seed, doc_hash, index))
            out += (cfg.start[sp.kind], value, cfg.end[sp.kind])
        pos = sp.end
    out.append(text[pos:])
    return "".join(out)


def pii_profile(
    text: str,
    *,
    mode: str = "surrogate",
    kinds: tuple[str, ...] = DEFAULT_KINDS,
    keep_private_ip: bool = True,
    start_token: str = "<|{kind}_start|>",
    end_token: str = "<|{kind}_end|>",
    mask_token: str = "<|{kind}|>",
    **_seed,
) -> dict[str, float]:
    """The metric `dps profile` shows for a tag_pii stage: how many spans tag_pii would tag in `text`."""
    cfg = _config(mode, _kind_tuple(kinds), start_token, end_token, mask_token)
    if cfg.guard in text:
        text = cfg.specials.sub(_neutralize, text)  # as tag_pii does: the spans it tags are found after this
    return {"pii_spans": len(detect(text, cfg.kinds, keep_private_ip))}


PROFILE_METRICS: tuple[Metric, ...] = (Metric("pii_spans", "count", (), "PII spans tag_pii would tag"),)
