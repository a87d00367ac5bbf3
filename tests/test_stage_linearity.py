"""Registry contract: every text stage runs in time linear in the size of the record, on pathological shapes.

A regex or loop that is quadratic on some input (issue "Output safety and record isolation", case 7: a block
tag plus a long space run took strip_html minutes on 1 MB) stalls a whole Spark task. Each registered map and
filter stage, with its default parameters, runs on ~1 MB of each shape below and on half of it: doubling the
input must not much more than double the time, and no call may come near the per-record budget.
"""

from __future__ import annotations

import gc
import time

import pytest

from dps.config import StageSpec
from dps.registry import STAGES, bind
from dps.spark.arrow import RecordBudget, run_chain

SMALL, LARGE = 500_000, 1_000_000  # characters
MAX_RATIO = 3.0  # linear gives ~2; quadratic 4
NOISE_SECONDS = 0.05  # below this on 1 MB a ratio is cache and scheduling noise (quadratic is seconds)
CAP_SECONDS = 5.0  # per call on 1 MB: a quarter of the default budget for 1M characters (20 s)
ATTEMPTS = 3


def _fill(unit: str, n: int, head: str = "", tail: str = "") -> str:
    body = n - len(head) - len(tail)
    return head + (unit * (body // len(unit) + 1))[:body] + tail


# Shape name -> text of n characters. Each targets a way a scan can go quadratic: a run that a pattern enters
# at every position and fails at its end (blanks, one character, a digit run), many starts of a construct that
# never closes (<, &, @), one token with no break, very many short or blank lines.
SHAPES = {
    "block_tag_space_run": lambda n: _fill(" ", n, "<div>제목</div>본문", "끝"),
    "block_tag_blank_mix": lambda n: _fill(" \t\n", n, "<p>제목</p>본문", "끝"),
    "one_line_no_spaces": lambda n: _fill("abcdefghij가나다라마0123", n),
    "one_syllable": lambda n: _fill("가", n),
    "laughter_jamo": lambda n: _fill("ㅋ", n),
    "crying_jamo": lambda n: _fill("ㅠ", n),
    "alternating_jamo": lambda n: _fill("ㅋㅎ", n),
    "many_lt": lambda n: _fill("<", n),
    "many_lt_names": lambda n: _fill("<a", n),
    "many_amp": lambda n: _fill("&", n),
    "many_at": lambda n: _fill("a@", n),
    "many_dots": lambda n: _fill(".", n),
    "digit_run": lambda n: _fill("7", n),
    "digit_dash_mix": lambda n: _fill("010-1234-", n),
    "digit_space_mix": lambda n: _fill("12 ", n),
    "huge_url_token": lambda n: _fill("ab.c/", n, "https://www."),
    "short_lines": lambda n: _fill("가나다 라마\n", n),
    "blank_lines": lambda n: _fill("\n \n", n),
    "nested_tags": lambda n: _fill("<div><span>", n),
    "mixed_scripts": lambda n: _fill("한글 English 漢字 ١٢٣ ^^ ㅋㅋ :) !!! 😀 ", n),
    # News markers before a long blank run: patterns with two blank runs in a row ([ \t]*X?[ \t]*) try every
    # way to split the run between them.
    "byline_then_blank_run": lambda n: _fill(" ", n, "기사 본문이다. 홍길동 기자"),
    "dateline_then_tab_run": lambda n: _fill("\t", n, "입력 2023.3.2", ":"),
    # Mojibake (fix_encoding): UTF-8 read as CP1252 with no space to cut at, CP949 read as Latin-1, pairs that
    # decode as CP949 but also as UTF-8 (Ã©), and U+FFFD.
    "utf8_mojibake_run": lambda n: _fill("ì•ˆë…•í•˜ì„¸ìš”", n),
    "cp949_mojibake_words": lambda n: _fill("¾È³çÇÏ¼¼¿ä ", n),
    "latin1_pairs": lambda n: _fill("Ã©", n),
    "replacement_chars": lambda n: _fill("\ufffd가 ", n),
    # tag_pii joins values split by line breaks and reads look-alike tokens through entities and invisibles.
    "phone_split_by_breaks": lambda n: _fill("010-\n", n),
    "digit_groups_on_lines": lambda n: _fill("12\n", n),
    "html_breaks_in_numbers": lambda n: _fill("010-<br>", n),
    "email_split_by_breaks": lambda n: _fill("a@\nb.\n", n),
    "lookalike_token_starts": lambda n: _fill("＜｜t\u200b", n),
    "entity_token_starts": lambda n: _fill("&lt;|&#116;", n),
    "laughter_glued_to_url": lambda n: _fill("ㅋ", n, "http://a.com/b"),
    # spam_filter's dodge view joins runs of single syllables and composes jamo spellings; segment_filter judges
    # every line of a comment page.
    "dotted_syllables": lambda n: _fill("가.", n),
    "spaced_syllables": lambda n: _fill("안 ", n),
    "starred_syllables_glued": lambda n: _fill("가★나다", n),
    "jamo_spelling": lambda n: _fill("ㅅㅏㅇㅣㅌㅡ", n),
    "jamo_consonant_vowel_pairs": lambda n: _fill("ㄱㅘ", n),
    "invisible_between_syllables": lambda n: _fill("먹\u200b", n),
    "comment_widget_lines": lambda n: _fill("좋은 영화 잘 봤어요\n신고\n★★★★★ 10\n", n),
    "spam_comment_lines": lambda n: _fill("안.전.놀.이.터 추천\n좋아요\n", n),
}

@pytest.fixture(scope="module", autouse=True)
def _frozen_heap():
    """Every timed call starts with gc.collect(). Late in the whole suite the heap holds ~10^6 long-lived objects
    (Spark, pandas, earlier modules) and each collect walked them all: ~80 ms, 800+ times here (70 s of the
    module's 100). Frozen, they are left out of every collection, and a collect costs what this module made."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def _text_stages() -> list[str]:
    return sorted(name for name, stage in STAGES.items() if stage.kind in ("map", "filter"))


def _texts(shape: str) -> tuple[str, str]:  # built per use (~1 ms), not cached: ~70 MB for all shapes
    small, large = SHAPES[shape](SMALL), SHAPES[shape](LARGE)
    assert (len(small), len(large)) == (SMALL, LARGE)
    return small, large


def _timed(bound, text: str) -> float:
    """CPU seconds for one call (other jobs on a shared machine do not count), through run_chain with a budget
    of CAP_SECONDS, so a regression fails this test (as a timeout) instead of hanging CI; GC is paused so its
    pauses do not pass for the stage's own time."""
    gc.collect()
    gc.disable()
    try:
        t = time.process_time()
        _, status, reason, _, _ = run_chain([text], ["kept"], [None], [bound], RecordBudget(CAP_SECONDS, 0.0))
        seconds = time.process_time() - t
    finally:
        gc.enable()
    # A stage's own Quarantine verdict (fix_encoding:unrepairable) is a result; errors and timeouts are not.
    assert status != ["quarantined"] or ":error:" not in reason[0], f"{reason[0]} on {len(text):,} characters"
    return seconds


def test_shapes_cover_the_named_cases():
    assert len(SHAPES) >= 12


def _verdict(bound, small_text: str, large_text: str) -> str | None:
    """None if the stage is linear and fast enough on this pair of texts, else what was measured."""
    small, large = [], []
    for _ in range(ATTEMPTS):
        # Alternate the sizes: the one-entry split memos of dps.text.words then never serve a repeat.
        small.append(_timed(bound, small_text))
        large.append(_timed(bound, large_text))
        t_small, t_large = min(small), min(large)
        if t_large < NOISE_SECONDS or t_large < MAX_RATIO * t_small:
            break
    if t_large >= CAP_SECONDS or (t_large >= NOISE_SECONDS and t_large >= MAX_RATIO * t_small):
        return f"{t_small:.3f} s on {len(small_text):,} characters, {t_large:.3f} s on {len(large_text):,}"
    return None


@pytest.mark.parametrize("name", _text_stages())
def test_stage_time_is_linear_on_pathological_shapes(name):
    bound = bind(StageSpec(name, {}, "stages[0]"), seed=7)
    bad = [f"{shape}: {v}" for shape in SHAPES if (v := _verdict(bound, *_texts(shape)))]
    assert not bad, f"{name} is superlinear or too slow on: " + "; ".join(bad)


# Modes other than a stage's defaults, with their own code paths.
MODES = {
    "segment_filter separator": ("segment_filter", {"segment_mode": "separator", "segment_separator": "\n"}),
    "segment_filter blank-line separator": ("segment_filter", {"segment_mode": "separator"}),
    "spam_filter without dodge normalization": ("spam_filter", {"normalize_dodges": False}),
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_modes_are_linear_on_pathological_shapes(mode):
    name, params = MODES[mode]
    bound = bind(StageSpec(name, params, "stages[0]"), seed=7)
    bad = [f"{shape}: {v}" for shape in SHAPES if (v := _verdict(bound, *_texts(shape)))]
    assert not bad, f"{mode} is superlinear or too slow on: " + "; ".join(bad)


def test_the_harness_catches_a_quadratic_stage_and_passes_a_linear_one():
    from dps.registry import BoundStage, Stage

    def rescan(text: str):
        for i in range(0, len(text), 1000):
            text.count("\n", i)  # rescans the rest of the text every 1000 characters: quadratic
        return None

    def scan(text: str):
        for i in range(0, len(text), 1000):
            text.count("\n", i, i + 1000)
        return None

    texts = "x\n" * (SMALL // 2), "x\n" * (LARGE // 2)
    assert _verdict(BoundStage(Stage("rescan", "filter", rescan)), *texts) is not None
    assert _verdict(BoundStage(Stage("scan", "filter", scan)), *texts) is None
