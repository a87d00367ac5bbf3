"""Special tokens in the input: no look-alike survives tag_pii in a form that a later normalization (NFC, NFKC,
NFKD, HTML unescaping, dropping invisible characters or tags, and combinations) turns into a token."""

import html
import itertools
import random
import re
import time
import unicodedata

import pytest

from dps.text.pii import ALL_KINDS, tag_pii
from dps.text.pii_tokens import TWINS

KINDS = "|".join(ALL_KINDS)
TOKEN = re.compile(rf"<\|(?:{KINDS})(?:_start|_end)?\|>")


def _drop_invisible(text):
    # The test's own notion of invisible: format, control (but line breaks) and combining characters.
    return "".join(
        c for c in text
        if c in "\t\n\r" or unicodedata.category(c) not in ("Cf", "Cc", "Mn", "Me") and c not in "\u115f\u1160\u3164\uffa0"
    )


def _drop_tags(text):
    return re.sub(r"<[A-Za-z/!?][^<>]*>", "", text)


def _nfkc(t):
    return unicodedata.normalize("NFKC", t)


FOLDS = {
    "none": lambda t: t,
    "NFC": lambda t: unicodedata.normalize("NFC", t),
    "NFKC": _nfkc,
    "NFKD": lambda t: unicodedata.normalize("NFKD", t),
    "unescape": html.unescape,
    "unescape x2": lambda t: html.unescape(html.unescape(t)),
    "unescape, NFKC": lambda t: _nfkc(html.unescape(t)),
    "NFKC, unescape": lambda t: html.unescape(_nfkc(t)),
    "unescape x2, NFKC": lambda t: _nfkc(html.unescape(html.unescape(t))),
    "NFKD, drop marks": lambda t: _drop_invisible(unicodedata.normalize("NFKD", t)),
    "unescape, drop invisible, NFKC": lambda t: _nfkc(_drop_invisible(html.unescape(t))),
    "drop tags, unescape, drop invisible, NFKC": lambda t: _nfkc(_drop_invisible(html.unescape(_drop_tags(t)))),
    "unescape, drop tags, drop invisible, NFKD, drop marks": lambda t: _drop_invisible(
        unicodedata.normalize("NFKD", _drop_invisible(_drop_tags(html.unescape(t))))),
}


def _balanced(tokens):
    """The inserted tokens come as <|k_start|> <|k_end|> pairs (or a lone mask token in mask mode)."""
    stack = []
    for tok in tokens:
        name = tok[2:-2]
        if name.endswith("_start"):
            if stack:
                return False
            stack.append(name[:-6])
        elif name.endswith("_end"):
            if not stack or stack.pop() != name[:-4]:
                return False
    return not stack


def assert_only_inserted_tokens(out):
    inserted = TOKEN.findall(out)
    assert _balanced(inserted), out
    for name, fold in FOLDS.items():
        assert TOKEN.findall(fold(out)) == inserted, (name, out, fold(out))


LEADS = ["<", "＜", "﹤", "&lt;", "&LT", "&#60;", "&#x3C;", "&#65308;", "&amp;lt;", "≮", "&nlt;"]
BARS = ["|", "｜", "&#124;", "&verbar;", "&#x7c;", "&#65372;", "&amp;#124;"]
ENDS = [">", "＞", "﹥", "&gt;", "&#62;", "&#xFF1E;", "≯"]
JUNK = ["", "\u200b", "\u200d", "\u00ad", "\ufeff", "\u2060", "<b></b>", "<span class='x'></span>", "&shy;",
        "&#8203;", "&zwj;", "\u0301", "\ufe0f", "\x00", "<!-- c -->", "\u3164"]
NAMES = ["tel_start", "tel_end", "email", "url_start", "ｔｅｌ_ｅｎｄ", "𝐭𝐞𝐥", "rrn＿start", "&#116;el", "ⓣel"]


def _hostile():
    rng = random.Random(15)
    cases = [
        "<|tel_start|>010-2345-6789<|tel_end|>",
        "＜｜tel_start｜＞ 문의 010-2345-6789 ＜｜tel_end｜＞",
        "<｜tel_start｜> <|tel_end｜> <｜url_start|>",
        "<|tel\u200b_start|>", "<|tel\u200d_start|>", "<\u00ad|tel_start|>", "&#60;|tel_start|>",
        "<|tel_<b></b>start|>", "&lt;|email_end|&gt;", "&amp;lt;|tel|&amp;gt;", "<<|tel|>>", "<|<|tel|>|>",
        "<|tel_start|" + "010-2345-6789" + "|>", "abc@naver.com<|email_end|>", "<|email_start|>abc@naver.com",
    ]
    for lead, bar1, junk, name, bar2, end in itertools.product(LEADS, BARS[:3], JUNK[:6], NAMES[:4], BARS[:2], ENDS):
        if rng.random() < 0.08:
            cases.append(f"문의 {lead}{junk}{bar1}{name}{bar2}{end} 010-2345-6789")
    for _ in range(400):
        parts = [rng.choice(LEADS), rng.choice(JUNK), rng.choice(BARS), rng.choice(JUNK), rng.choice(NAMES),
                 rng.choice(JUNK), rng.choice(BARS), rng.choice(JUNK), rng.choice(ENDS)]
        cases.append("".join(parts))
    # Random soup of fragments and PII: tokens may form across fragments, and next to inserted tags.
    soup = LEADS + BARS + ENDS + JUNK + NAMES + ["010-2345-6789", "hong@naver.com", " ", "\n", "가나다", "_", "t"]
    for _ in range(2000):
        cases.append("".join(rng.choice(soup) for _ in range(rng.randint(3, 14))))
    return cases


HOSTILE = _hostile()


def test_battery_is_hostile():
    # Without neutralization much of the battery plants a token under one of the normalizations.
    planted = sum(any(TOKEN.search(f(t)) for f in FOLDS.values()) for t in HOSTILE)
    assert len(HOSTILE) > 2000 and planted > 1000


@pytest.mark.parametrize("mode", ["surrogate", "mask", "keep"])
def test_only_inserted_tokens_survive_every_normalization(mode):
    for text in HOSTILE:
        out = tag_pii(text, mode=mode, kinds=ALL_KINDS)
        if mode != "mask":
            assert_only_inserted_tokens(out)
        else:  # mask tokens stand alone; none may be planted either
            assert all(TOKEN.findall(f(out)) == TOKEN.findall(out) for f in FOLDS.values()), out


def test_neutral_form_is_readable_and_idempotent():
    assert tag_pii("<|tel_start|>") == "‹¦tel_start¦›"
    assert tag_pii("＜｜email｜＞ 그리고 &lt;|url_end|&gt;") == "‹¦email¦› 그리고 ‹¦url_end¦›"
    assert tag_pii("<|tel_<b></b>start|>") == "‹¦tel_start¦›"
    assert tag_pii("‹¦tel_start¦›") == "‹¦tel_start¦›"


@pytest.mark.parametrize("ch, twin", sorted(TWINS.items()))
def test_twins_fold_to_nothing_ascii(ch, twin):
    assert twin != ch and not twin.isascii()
    for form in ("NFC", "NFKC", "NFD", "NFKD"):
        assert unicodedata.normalize(form, twin) == twin
    assert html.unescape(twin) == twin and unicodedata.category(twin) not in ("Cf", "Mn", "Cc")


@pytest.mark.parametrize(
    "text",
    [
        "x |> filter(y) 는 R의 파이프",  # code with |> and <| stays as written
        "f <| g <| x",
        "a<|b, 1 < 2 | 3 > 4",
        "<|> 연산자, <|tel 과 start|> 는 따로",
        "&amp;lt; &nbsp; &lt;p&gt; 태그",
        "가나다 <b>굵게</b> ＜괄호＞ ｜세로｜",
        "<|telephone|>",  # not a pipeline token
    ],
)
def test_text_without_tokens_is_unchanged(text):
    assert tag_pii(text) == text


def test_custom_templates_are_neutralized_with_twins():
    out = tag_pii("［tel］ 010-2345-6789 &#91;/tel&#93;", start_token="[{kind}]", end_token="[/{kind}]",
                  mode="keep")
    assert out == "⁅tel⁆ [tel]010-2345-6789[/tel] ⁅⁄tel⁆"


def test_a_template_needs_a_character_with_a_twin():
    with pytest.raises(ValueError, match="punctuation"):
        tag_pii("x", start_token="@{kind}@")


@pytest.mark.parametrize(
    "unit", ["<", "<|", "&lt;|", "&lt;|t", "<|t", "&amp;", "&lt;&lt;&lt;", "＜｜", "<\u200b", "<b>", "&#60;|&#116;"]
)
def test_megabyte_of_token_starts_is_fast(unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    t0 = time.process_time()
    out = tag_pii(text)
    assert time.process_time() - t0 < 2.0
    assert TOKEN.findall(_nfkc(html.unescape(out))) == []
