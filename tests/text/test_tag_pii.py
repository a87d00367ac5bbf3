"""tag_pii as a pipeline map: modes, determinism, token neutralization, parameters, robustness."""

import inspect
import random
import re
import time

import pytest

from dps.text.pii import ALL_KINDS, DEFAULT_KINDS, find_pii, tag_pii

TAG = re.compile(r"<\|(\w+)_start\|>(.*?)<\|\1_end\|>")

DOC = (
    "행사 문의는 담당자 홍길동(010-2345-6789) 또는 대표전화 02-345-6789로 하시면 됩니다. "
    "참가비는 신한은행 110-234-567890 (예금주 홍길동)으로 입금해 주세요. "
    "신청서는 hong.gildong@naver.com 으로 보내 주시고, 주민등록번호 900101-1234568 와 "
    "카드 4111-1111-1111-1111, 사업자등록번호 220-81-62517, 여권번호 M12345678, "
    "운전면허 11-22-333333-44, 접속 IP 211.234.10.20 기록이 남습니다. 2022. 11. 19. 20:00 입력."
)
ORIGINALS = ["010-2345-6789", "02-345-6789", "110-234-567890", "hong.gildong@naver.com", "900101-1234568",
             "4111-1111-1111-1111", "220-81-62517", "M12345678", "11-22-333333-44", "211.234.10.20"]


def test_exact_output_for_seed_0_and_1():
    # Pins the whole chain (detector, blake2b-derived random source, surrogate format) byte for byte.
    text = "문의: 010-2345-6789, 메일 hong@naver.com"
    assert tag_pii(text) == (
        "문의: <|tel_start|>010-2492-1471<|tel_end|>, 메일 <|email_start|>uuts@naver.com<|email_end|>"
    )
    assert tag_pii(text, seed=1) == (
        "문의: <|tel_start|>010-6503-1744<|tel_end|>, 메일 <|email_start|>pwdj@naver.com<|email_end|>"
    )


def test_surrogate_mode_tags_every_kind_and_leaks_nothing():
    out = tag_pii(DOC)
    tags = TAG.findall(out)
    assert [kind for kind, _ in tags] == ["tel", "tel", "acc", "email", "rrn", "crd", "biz", "pass", "dl", "ip"]
    for original in ORIGINALS:
        assert original not in out
    for (kind, new), original in zip(tags, ORIGINALS):
        assert re.sub(r"[0-9]", "9", new) == re.sub(r"[0-9]", "9", original) or kind == "email"
    # Everything outside the tags is untouched.
    assert TAG.sub("X", out) == TAG.sub("X", tag_pii(DOC, mode="keep"))
    assert "2022. 11. 19. 20:00 입력." in out


def test_two_spans_get_independent_values():
    out = tag_pii("같은 번호 010-2345-6789 / 010-2345-6789")
    assert out == "같은 번호 <|tel_start|>010-4336-9717<|tel_end|> / <|tel_start|>010-6585-2438<|tel_end|>"


def test_deterministic_and_seed_dependent():
    assert tag_pii(DOC, seed=5) == tag_pii(DOC, seed=5)
    assert tag_pii(DOC, seed=5) != tag_pii(DOC, seed=6)
    # The same value in another document gets another surrogate (the document hash is part of the key).
    assert TAG.findall(tag_pii("전화 010-2345-6789"))[0] != TAG.findall(tag_pii("폰 010-2345-6789"))[0]


def test_mask_mode_writes_bare_tokens():
    text = "연락처 010-2345-6789, 메일 a@b.co.kr, 링크 https://example.com/x"
    assert tag_pii(text, mode="mask") == "연락처 <|tel|>, 메일 <|email|>, 링크 https://example.com/x"
    # url is tag-only: its value and tags stay in every mode.
    assert tag_pii(text, mode="mask", kinds=ALL_KINDS) == (
        "연락처 <|tel|>, 메일 <|email|>, 링크 <|url_start|>https://example.com/x<|url_end|>"
    )


def test_keep_mode_wraps_originals():
    assert tag_pii("연락처 010-2345-6789", mode="keep") == "연락처 <|tel_start|>010-2345-6789<|tel_end|>"


def test_kinds_can_be_disabled():
    text = "연락처 010-2345-6789, 메일 a@b.co.kr"
    out = tag_pii(text, kinds=["email"], mode="keep")
    assert out == "연락처 010-2345-6789, 메일 <|email_start|>a@b.co.kr<|email_end|>"
    assert tag_pii(text, kinds=[]) == text


def test_custom_token_templates():
    out = tag_pii("연락처 010-2345-6789", mode="keep", start_token="[{kind}]", end_token="[/{kind}]")
    assert out == "연락처 [tel]010-2345-6789[/tel]"
    assert tag_pii("연락처 010-2345-6789", mode="mask", mask_token="<{kind}>") == "연락처 <tel>"


def test_input_tokens_cannot_fake_or_break_tags():
    text = "<|tel_start|>010-2345-6789<|tel_end|> 그리고 <|email_end|> <|url_start|> <|tel|>"
    out = tag_pii(text)
    assert out.startswith("‹¦tel_start¦›<|tel_start|>010-")
    assert "<|tel_end|>‹¦tel_end¦› 그리고 ‹¦email_end¦› ‹¦url_start¦› ‹¦tel¦›" in out
    # Exactly the tags the stage inserted, balanced.
    assert out.count("<|") == 2 and out.count("|>") == 2
    assert len(TAG.findall(out)) == 1
    # Custom templates are neutralized the same way.
    assert tag_pii("[tel] 본문 [/tel]", start_token="[{kind}]", end_token="[/{kind}]") == "⁅tel⁆ 본문 ⁅⁄tel⁆"


def test_parameter_validation_names_valid_values():
    with pytest.raises(ValueError, match="valid modes: surrogate, mask, keep"):
        tag_pii("x", mode="redact")
    with pytest.raises(ValueError, match="valid kinds: tel, rrn, crd, acc, email, ip, biz, pass, dl, url"):
        tag_pii("x", kinds=["tel", "phone"])
    with pytest.raises(ValueError, match="must contain '{kind}'"):
        tag_pii("x", start_token="<|start|>")
    with pytest.raises(ValueError, match="must differ"):
        tag_pii("x", start_token="<|{kind}|>", end_token="<|{kind}|>")
    with pytest.raises(ValueError, match="list of kind names"):
        tag_pii("x", kinds="tel")
    with pytest.raises(ValueError, match="punctuation"):
        tag_pii("x", start_token="{kind}start")


def test_signature_is_a_config_schema():
    sig = inspect.signature(tag_pii)
    params = list(sig.parameters.values())[1:]
    assert all(p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in params)
    assert sig.parameters["seed"].default == 0
    assert sig.parameters["kinds"].default == DEFAULT_KINDS and "url" not in DEFAULT_KINDS
    doc = tag_pii.__doc__.split("Parameters:")[1]
    for p in params:
        assert f"\n        {p.name}: " in doc


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\n", "한국어 English 中文 日本語 テキスト 😀👍🏻", "ㅋㅋㅋㅋ ㅠㅠ 진짜 좋아요!!", "<|", "|>", "@", "::", "+82"],
)
def test_contract_edge_cases_return_text_unchanged(text):
    assert tag_pii(text) == text
    assert find_pii(text) == []


def test_one_megabyte_document():
    text = ("평범한 문장입니다. 가격은 12,000원. " * 40000)[:1_000_000] + " 010-2345-6789"
    out = tag_pii(text)
    assert out.startswith(text[:1000]) and out.endswith("<|tel_end|>") and "010-2345-6789" not in out


@pytest.mark.parametrize(
    "alphabet",
    ["0123456789-.", "0123456789-. ", "0123456789@.:-", "0123456789abcdef:.", "0123456789()+ -"],
)
def test_adversarial_megabyte_is_linear(alphabet):
    rng = random.Random(0)
    text = "".join(rng.choices(alphabet, k=1_000_000))
    t0 = time.process_time()  # CPU time: other jobs on a shared machine do not count
    out = tag_pii(text, kinds=ALL_KINDS)
    assert time.process_time() - t0 < 1.0
    assert isinstance(out, str)


@pytest.mark.parametrize("text", ["7" * 1_000_000, "0-" * 500_000, "1." * 500_000, "a" * 999_990 + "@naver.com"])
def test_pathological_runs_are_fast(text):
    t0 = time.process_time()
    tag_pii(text, kinds=ALL_KINDS)
    assert time.process_time() - t0 < 1.0
