"""Korean PII tagging: validated detectors, tags around each span, seeded same-format surrogates.

Output of the default mode for "연락처 010-1234-5678":
    연락처 <|tel_start|>010-7294-0531<|tel_end|>
The model learns what a phone number looks like and where one is, without learning anyone's number.
Detectors live in pii_detect.py, replacement values in pii_surrogate.py; docs/pii.md is the user guide.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import NamedTuple

from dps.text.pii_detect import (
    ALL_KINDS, FOLD_CHARS, VIEW_CHARS, Span, View, cuts_in, detect, detect_in_view, detect_plain, make_view,
)
from dps.text.profiling import Metric
from dps.text.pii_surrogate import span_rng, surrogate
from dps.text.pii_tokens import TWINS, Neutralizer, neutralizer

__all__ = ["ALL_KINDS", "DEFAULT_KINDS", "MODES", "PROFILE_METRICS", "Span", "find_pii", "pii_profile", "tag_pii"]

DEFAULT_KINDS = ("tel", "rrn", "crd", "acc", "email", "ip", "biz", "pass", "dl")  # url is opt-in
MODES = ("surrogate", "mask", "keep")


class _Config(NamedTuple):
    kinds: frozenset[str]
    mode: str
    start: dict[str, str]
    end: dict[str, str]
    mask: dict[str, str]
    neutralize: Neutralizer  # input look-alikes of every token -> their twin form
    # Any character neutralization or the detection view acts on (a look-alike's lead, a dash-like, a fullwidth
    # digit, a line break): one class scan in C that most documents pass without a hit.
    gate: re.Pattern
    marks: re.Pattern  # the same without line breaks, for the many documents whose only hit is a line break


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
        if not any(ch in TWINS for ch in template.replace("{kind}", "")):
            raise ValueError(
                f"{name} {template!r} needs a punctuation character such as '<' or '|' "
                f"(one of {''.join(TWINS)}): neutralization rewrites it"
            )
    if len(set(templates.values())) < 3:
        raise ValueError("start_token, end_token and mask_token must differ")
    tables = [{k: t.replace("{kind}", k) for k in ALL_KINDS} for t in templates.values()]
    # Neutralize the tokens of every kind, enabled or not: all of them are the pipeline's own tokens.
    tokens = tuple(sorted({tok for table in tables for tok in table.values()}))
    neutralize = neutralizer(tokens)
    gate = re.compile("[" + re.escape("".join(sorted(set(neutralize.leads + VIEW_CHARS)))) + "]")
    marks = re.compile("[" + re.escape("".join(sorted(set(neutralize.leads + FOLD_CHARS)))) + "]")
    return _Config(_kind_set(kinds), mode, *tables, neutralize, gate, marks)


def _prepare(cfg: _Config, text: str) -> tuple[str, View | None]:
    """The text with look-alike tokens neutralized, and the view the detectors read (None: the text itself)."""
    if cfg.gate.search(text) is None:  # nothing to neutralize, fold or join: skip both scans
        return text, None
    if cfg.marks.search(text) is None:  # only line breaks
        return text, make_view(text, fold=False)
    text = cfg.neutralize(text)
    return text, make_view(text)


def _spans(cfg: _Config, text: str, view: View | None, keep_private_ip: bool) -> list[tuple[Span, Span]]:
    """(span in text, span in the view) for each span tag_pii tags."""
    if view is None:
        return [(sp, sp) for sp in detect_plain(text, cfg.kinds, keep_private_ip)]
    return detect_in_view(text, cfg.kinds, keep_private_ip, view)[1]


def _restore(written: str, folded: str, new: str, cuts: list[tuple[int, int]]) -> str:
    """The replacement for a value as written, from the replacement `new` of its folded form (the view's value:
    line breaks cut out, dash-likes as '-', fullwidth digits as ASCII): the breaks go back where they were, a
    dash-like separator stays as written and a fullwidth digit stays fullwidth. Surrogates keep length and
    separators, so position j of `folded` is position j of `new`."""
    if not cuts and written == folded:
        return new
    if len(new) != len(folded):  # not a surrogate of the same shape: write it as it is
        return new
    out, j, k = [], 0, 0
    i = 0
    while i < len(written):
        if k < len(cuts) and i == cuts[k][0]:
            out.append(written[i : cuts[k][1]])
            i = cuts[k][1]
            k += 1
            continue
        ch, was = new[j], written[i]
        if was != folded[j]:
            ch = chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" and "\uff10" <= was <= "\uff19" else was
        out.append(ch)
        i += 1
        j += 1
    return "".join(out)


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
    columns: tuple[str, ...] = (),
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

    A value split across two lines ("010-" ending one line, "2345-6789" starting the next; "hong@" and
    "naver.com"), by a raw or an HTML line break (br, p, div tags), is tagged when the break comes right
    after a separator, between two digit groups or inside an e-mail address; the break stays in place
    inside the tags. Dash-like separators (010–2345–6789) and fullwidth digits are read as ASCII and are
    kept as written.

    Before tagging, the pipeline's special tokens in the input (every kind, the three templates) and every
    look-alike that NFC/NFKC/NFKD, HTML unescaping or dropping invisible characters and tags would turn into
    one (＜｜tel_start｜＞, &lt;|tel_start|&gt;, <|tel<b></b>_start|>) are rewritten with characters no
    normalization folds back ("<|tel_start|>" -> "‹¦tel_start¦›"), so input can neither fake nor unbalance a
    tag pair, now or after a tokenizer's normalization.

    Parameters:
        seed: job random seed (injected by the pipeline); changes every surrogate.
        mode: surrogate (tags around a random same-format value), mask (bare mask token) or keep (original).
        kinds: kinds to tag, any of tel, rrn, crd, acc, email, ip, biz, pass, dl, url (url is not a default).
        keep_private_ip: leave IPs that are not globally routable (10.x, 192.168.x, 127.x, fe80::) untagged.
        start_token: opening tag template; '{kind}' is replaced by the kind name.
        end_token: closing tag template; '{kind}' is replaced by the kind name.
        mask_token: what mode mask writes instead of a span (url spans keep value and tags in every mode).
        columns: other string columns tagged the same way, e.g. [title, author]: each value as a text of its
            own (its surrogates seeded by the job seed and that value), in the rows that reach the stage. Not
            the text column, input.id_column or dps_* columns; a column the input lacks is a config error.
    """
    cfg = _config(mode, _kind_tuple(kinds), start_token, end_token, mask_token)
    original = text
    text, view = _prepare(cfg, text)
    spans = _spans(cfg, text, view, keep_private_ip)
    if not spans:
        return text
    doc_hash = hashlib.blake2b(original.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    out = []
    pos = 0
    for index, (sp, folded) in enumerate(spans):
        out.append(text[pos : sp.start])
        if cfg.mode == "mask" and sp.kind != "url":
            out.append(cfg.mask[sp.kind])
        else:
            value = sp.value
            if cfg.mode == "surrogate":
                new = surrogate(sp.kind, folded.value, span_rng(seed, doc_hash, index))
                cuts = cuts_in(view, sp.start, sp.end) if view is not None else []
                value = _restore(sp.value, folded.value, new, cuts)
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
    text, view = _prepare(cfg, text)  # as tag_pii does: the spans it tags are found after this
    return {"pii_spans": len(_spans(cfg, text, view, keep_private_ip))}


PROFILE_METRICS: tuple[Metric, ...] = (Metric("pii_spans", "count", (), "PII spans tag_pii would tag"),)
