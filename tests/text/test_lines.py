"""Line units and hashes for line_dedup (dps.text.lines), on literal Korean pages."""

import time

from dps.text.lines import line_keys, remove_units, unit_hash, unit_hashes, units

PAGE = ("홈\n뉴스\n로그인\n회원가입\n\n"
        "서울시는 20일 새 버스 노선을 발표했다.\n"
        "안녕하세요.\n\n"
        "시민 1,234명이 의견을 냈다고 밝혔다.\n"
        "ⓒ 한빛일보 무단전재 및 재배포 금지")


def test_keys_ignore_spacing_case_digits_and_invisible_characters():
    assert line_keys("무단전재 및  재배포\t금지") == line_keys("무단전재및재배포금지")
    assert line_keys("조회수 1,234 | 2026.12.07") == line_keys("조회수 98 | 2025.1.1") == ["조회수0|0"]
    assert line_keys("Copyright ⓒ 2024 HANBIT") == ["copyrightⓒ0hanbit"]
    assert line_keys("로그인\u200b 회원가입\ufeff") == ["로그인회원가입"]
    # NFD input (decomposed jamo) hashes like its NFC form
    assert line_keys("\u1112\u1161\u11ab\u1100\u1173\u11af") == line_keys("한글")
    assert line_keys("첫 줄\n\n셋째 줄") == ["첫줄", "", "셋째줄"]


def test_units_join_short_lines_and_never_count_a_short_line_alone():
    found = units(PAGE, 10)
    assert [lines for _, lines in found] == [[0, 1, 2, 3], [5], [8], [9]]  # the menu is one unit
    assert found[0][0] == unit_hash("홈\n뉴스\n로그인\n회원가입")
    # "안녕하세요." (6 characters) between two long lines is a run of its own, too short to count.
    assert all(7 not in lines for _, lines in found)
    assert units("안녕하세요.\n감사합니다.", 10) == [(unit_hash("안녕하세요.\n감사합니다."), [0, 1])]
    assert units("안녕하세요.", 10) == [] and units("", 10) == [] and units("\n\n", 10) == []


def test_unit_hashes_are_distinct_and_stable():
    page = "같은 문장이 두 번 나옵니다 정말로.\n같은 문장이  두 번 나옵니다 정말로."
    assert unit_hashes(page, 10) == [unit_hash("같은문장이두번나옵니다정말로.")]
    assert unit_hash("무단전재및재배포금지") == unit_hash("무단전재및재배포금지")
    assert unit_hash("무단전재및재배포금지") != unit_hash("무단전재및배포금지")
    assert -(2 ** 63) <= unit_hash("가") < 2 ** 63


def test_remove_units_drops_lines_collapses_blanks_and_reports_examples():
    menu, footer = units(PAGE, 10)[0][0], units(PAGE, 10)[-1][0]
    new, removed, shown = remove_units(PAGE, [menu, footer], 10, examples=[footer])
    assert new == "서울시는 20일 새 버스 노선을 발표했다.\n안녕하세요.\n\n시민 1,234명이 의견을 냈다고 밝혔다."
    assert removed == 5
    assert shown == [(footer, "ⓒ 한빛일보 무단전재 및 재배포 금지")]
    # Nothing to remove: the very same string back.
    assert remove_units(PAGE, [], 10)[0] is PAGE
    assert remove_units(PAGE, [unit_hash("없는 줄")], 10) == (PAGE, 0, [])
    # A page that was only boilerplate becomes empty (the filters after the stage reject it).
    assert remove_units("로그인\n회원가입\n아이디 찾기", [unit_hash("로그인\n회원가입\n아이디찾기")], 10)[0] == ""


def test_linear_on_pathological_shapes():
    for text in ("가\n" * 500_000, "\n" * 1_000_000, "가" * 1_000_000, ("짧은 줄\n\n" * 200_000)):
        started = time.perf_counter()
        found = units(text, 10)
        remove_units(text, [h for h, _ in found[:1]], 10)
        assert time.perf_counter() - started < 10


def test_a_menu_repeats_window_by_window_when_the_line_beside_it_changes():
    a = "로그인\n회원가입\n정치\n경제\n사회\n홈 > 정치"
    b = "로그인\n회원가입\n정치\n경제\n사회\n홈 > 문화"
    shared = set(unit_hashes(a, 10)) & set(unit_hashes(b, 10))
    assert unit_hash("로그인\n회원가입\n정치\n경제") in shared  # 3 + 4 + 2 + 2 = 11 characters
    new, removed, _ = remove_units(b, shared, 10)
    assert new == "홈 > 문화" and removed == 5  # the window "정치 경제 사회 홈 > 문화" is not shared
    # Overlapping windows of one run make one example (under the first window's hash).
    assert remove_units(b, shared, 10, examples=shared)[2] == [(unit_hash("로그인\n회원가입\n정치\n경제"),
                                                                 "로그인\n회원가입\n정치\n경제\n사회")]


def test_short_runs_follow_the_lines_they_touch():
    page = ("오늘 서울에서 큰 행사가 열렸다고 합니다.\n안녕하세요.\n내일도 비가 온다고 기상청이 밝혔다.\n감사합니다.\n\n"
            "관련 기사\n▶ 서울시 새 버스 노선 발표 논란\n\n댓글 0\n로그인 후 댓글을 작성하실 수 있습니다.")
    boiler = [unit_hash("▶서울시새버스노선발표논란"), unit_hash("로그인후댓글을작성하실수있습니다.")]
    new, removed, _ = remove_units(page, boiler, 10)
    # The list heading and the comment count go with the removed lines they touch; the greeting and the
    # sign-off touch kept paragraphs and stay.
    assert new == "오늘 서울에서 큰 행사가 열렸다고 합니다.\n안녕하세요.\n내일도 비가 온다고 기상청이 밝혔다.\n감사합니다."
    assert removed == 4
    # A short line set off by blank lines on both sides goes only when both neighbours go.
    alone = "긴 문장으로 된 첫 번째 문단입니다.\n\n안녕하세요\n\n긴 문장으로 된 두 번째 문단입니다."
    first, second = unit_hash("긴문장으로된첫번째문단입니다."), unit_hash("긴문장으로된두번째문단입니다.")
    assert "안녕하세요" in remove_units(alone, [first], 10)[0]
    assert remove_units(alone, [first, second], 10)[0] == ""
    # A text that is one short run is never removed by this rule (nothing on either side).
    assert remove_units("안녕하세요", [first], 10)[0] == "안녕하세요"



def test_a_short_run_is_decided_in_order():
    """A short run is decided before the short runs after it: a widget ahead of a list heading stays even when
    the heading goes with its list (measured so in docs/cleaners.md; a backward pass would take it too)."""
    page = ("오늘 서울에서 큰 행사가 열렸다고 합니다.\n\n관련 기사\n▶ 서울시 새 버스 노선 발표 논란\n\n전체 댓글 3개\n더보기\n\n"
            "많이 본 뉴스\n1. 부산 앞바다에서 고래 떼가 발견됐다")
    boiler = [unit_hash("▶서울시새버스노선발표논란"), unit_hash("0.부산앞바다에서고래떼가발견됐다")]
    assert remove_units(page, boiler, 10)[0] == "오늘 서울에서 큰 행사가 열렸다고 합니다.\n\n전체 댓글 3개\n더보기"


def test_the_whitespace_removed_is_what_str_isspace_accepts_but_the_newline():
    import sys

    from dps.text.lines import _WHITESPACE

    expected = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} - {"\n"}
    assert set(_WHITESPACE) == expected
    assert line_keys("가\u00a0나\u3000다\r\n라\u2028마\x85바") == ["가나다", "라마바"]
