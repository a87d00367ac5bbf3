"""fix_encoding: Korean mojibake repaired, correct text never touched, text lost to U+FFFD quarantined."""

import pytest

from dps.config import StageSpec
from dps.registry import bind
from dps.spark.arrow import run_chain
from dps.text.fix_encoding import fix_encoding, fix_encoding_with_stats
from dps.text.quarantine import Quarantine

SENTENCES = [
    "안녕하세요. 오늘은 날씨가 정말 좋네요!",
    "서울시는 내년부터 버스와 지하철 요금을 150원 올린다고 3일 발표했다.",
    "이 영화 진짜 재밌어요 ㅋㅋ 배우들 연기가 최고였습니다 ♥",
    "회의는 오후 3시에 본관 2층 대회의실에서 열립니다. 참석 바랍니다.",
]


def browser_cp1252(data: bytes) -> str:
    """CP1252 as browsers decode it: the five undefined bytes stay as C1 controls."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


# Literal mojibake, as it is pasted in bug reports.
def test_literal_utf8_read_as_cp1252():
    assert fix_encoding("ì•ˆë…•í•˜ì„¸ìš”") == "안녕하세요"


def test_literal_cp949_read_as_latin1():
    assert fix_encoding("¾È³çÇÏ¼¼¿ä") == "안녕하세요"


@pytest.mark.parametrize("sentence", SENTENCES)
def test_utf8_read_as_cp1252_or_latin1_is_restored(sentence):
    for broken in (browser_cp1252(sentence.encode("utf-8")), sentence.encode("utf-8").decode("latin-1")):
        assert broken != sentence
        text, counts = fix_encoding_with_stats(broken)
        assert text == sentence
        assert counts == {"utf8_as_cp1252": 1, "cp949_as_latin1": 0}


@pytest.mark.parametrize("sentence", SENTENCES)
def test_cp949_or_euckr_read_as_latin1_is_restored(sentence):
    for codec in ("cp949", "euc-kr"):
        broken = sentence.encode(codec).decode("latin-1")
        text, counts = fix_encoding_with_stats(broken)
        assert text == sentence, (codec, broken)
        assert counts["cp949_as_latin1"] >= 1 and counts["utf8_as_cp1252"] == 0


def test_uhc_syllables_with_ascii_trail_bytes():
    sentence = "똠방각하 햏자 뷁 진짜 웃겨요"  # 똠 햏 뷁 are CP949 extension syllables: trail bytes are ASCII letters
    broken = sentence.encode("cp949").decode("latin-1")
    assert any("a" <= c <= "z" or "A" <= c <= "Z" for c in broken)
    assert fix_encoding(broken) == sentence


def test_a_mojibake_line_inside_correct_text_is_repaired_alone():
    good_1, bad, good_2 = "첫 줄은 멀쩡합니다.", "둘째 줄이 깨졌습니다.", "셋째 줄도 멀쩡하죠 “인용” … 끝."
    for broken in (browser_cp1252(bad.encode("utf-8")), bad.encode("cp949").decode("latin-1")):
        assert fix_encoding(f"{good_1}\n{broken}\n{good_2}") == f"{good_1}\n{bad}\n{good_2}"


def test_a_mojibake_span_inside_a_correct_line_is_repaired():
    span = "깨진 부분입니다"
    for broken in (browser_cp1252(span.encode("utf-8")), span.encode("cp949").decode("latin-1")):
        assert fix_encoding(f"정상적인 문장 다음에 {broken} 그리고 다시 정상.") == \
            f"정상적인 문장 다음에 {span} 그리고 다시 정상."


def test_one_syllable_is_repaired_only_in_a_document_known_to_be_broken():
    # 짱 is C2 AF in CP949, which is also valid UTF-8 (¯): alone it is ambiguous and stays.
    alone = "짱".encode("cp949").decode("latin-1")
    assert fix_encoding(f"완전 {alone}") == f"완전 {alone}"
    broken = "이 영화 완전 짱".encode("cp949").decode("latin-1")
    assert fix_encoding(broken) == "이 영화 완전 짱"
    lines = ["오늘 본 영화 정말 좋았어요", "찜", "다음에 또 볼게요"]  # 찜 alone: ftfy leaves one syllable
    broken = "\n".join(browser_cp1252(line.encode("utf-8")) for line in lines)
    assert fix_encoding(broken) == "\n".join(lines)


@pytest.mark.parametrize("text", [
    "“큰따옴표”와 ‘작은따옴표’ … 그리고 가운데점 · 과 ㆍ",
    "기온은 25°C, 오차 ±3%, 면적 10㎡ × 2, ½ 할인 ©2024 ® ™ §3",
    "Ça a été très bien. Où êtes-vous? À bientôt! Ñandú, Æsir, Müller, naïve",
    "파리의 카페(café)에서 résumé를 썼다 ·· ÷÷ ¡Hola!",
    "ÀÌ 두 글자만으로는 판단할 수 없다",  # one ambiguous pair, no other evidence
    "CV: rÃ©sumÃ© and cafÃ©",  # French mojibake: not Korean, and CP949 would invent 챕
    "",
    "순수한 한국어 문장입니다.",
])
def test_correct_text_is_never_changed(text):
    assert fix_encoding_with_stats(text) == (text, {"utf8_as_cp1252": 0, "cp949_as_latin1": 0})


def test_mostly_replacement_characters_is_quarantined():
    lost = "서울시는 내년부터 요금을 올린다고 발표했다.".encode("cp949").decode("utf-8", errors="replace")
    assert lost.count("\ufffd") > len(lost) / 2
    with pytest.raises(Quarantine) as err:
        fix_encoding(lost)
    assert err.value.reason == "unrepairable"
    with pytest.raises(Quarantine):
        fix_encoding_with_stats(lost)
    assert fix_encoding(lost, max_replacement_ratio=None) == lost


def test_a_few_replacement_characters_are_kept():
    text = "이모지가 깨졌어요 \ufffd 그래도 나머지 문장은 멀쩡합니다."
    assert fix_encoding(text) == text


def test_quarantine_reaches_the_report_as_a_named_quarantine_reason():
    bound = bind(StageSpec("fix_encoding", {}, "stages[0]"), seed=0)
    lost = "회의는 오후 세시에 열립니다".encode("euc-kr").decode("utf-8", errors="replace")
    broken = "회의는 오후 세시에 열립니다".encode("euc-kr").decode("latin-1")
    texts, status, reason, edits, stats = run_chain([lost, broken, "멀쩡한 문장"], ["kept"] * 3, [None] * 3, [bound])
    assert status == ["quarantined", "kept", "kept"]
    assert reason == ["fix_encoding:unrepairable", None, None]
    assert texts[1] == "회의는 오후 세시에 열립니다"
    assert stats[0][1] == [("cp949_as_latin1", 1)] and stats[0][2] is None


def test_switches():
    cp949 = "¾È³çÇÏ¼¼¿ä"
    utf8 = "ì•ˆë…•í•˜ì„¸ìš”"
    assert fix_encoding(cp949, repair_cp949=False) != "안녕하세요"
    assert fix_encoding(utf8, repair_utf8=False) == utf8
    assert fix_encoding(cp949, repair_utf8=False) == "안녕하세요"


def test_bad_parameters_are_config_errors():
    from dps.config import ConfigError

    with pytest.raises(ConfigError, match="min_cp949_hangul_ratio"):
        bind(StageSpec("fix_encoding", {"min_cp949_hangul_ratio": 0}, "stages[0]"), seed=0)
    with pytest.raises(ConfigError, match="max_replacement_ratio"):
        bind(StageSpec("fix_encoding", {"max_replacement_ratio": 1.5}, "stages[0]"), seed=0)


def test_long_single_line_is_repaired_in_chunks():
    sentence = "긴 한 줄짜리 문서도 고쳐야 합니다 "
    text = sentence * 2000  # ~38,000 characters, one line
    broken = browser_cp1252(text.encode("utf-8"))
    assert fix_encoding(broken) == text
    assert fix_encoding(text.encode("cp949").decode("latin-1")) == text


def test_profile_names_the_quarantine_like_a_run():
    from dps.profile import profile_plan, profile_rows

    stages = [bind(StageSpec(name, {}, "stages[0]"), seed=0) for name in ("fix_encoding", "hangul_ratio")]
    metrics, steps = profile_plan(stages)
    lost = "오늘 회의는 취소되었습니다".encode("cp949").decode("utf-8", errors="replace")
    statuses, reasons, values, _ = profile_rows([lost, "멀쩡한 문장입니다"], ["kept"] * 2, [None] * 2, metrics, steps)
    assert statuses == ["quarantined", "kept"] and reasons == ["fix_encoding:unrepairable", None]
    assert values[1] == [None, 1.0]  # the quarantined row is not profiled
