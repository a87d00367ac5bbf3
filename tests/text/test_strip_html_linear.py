"""strip_html on the shapes that used to take quadratic time (issue case 7): fast, and with the right output."""

import time

from dps.text.html import strip_html


def _timed(text: str) -> tuple[str, float]:
    t = time.perf_counter()
    out = strip_html(text)
    return out, time.perf_counter() - t


def test_block_tag_then_long_space_run_is_fast_and_correct():
    # Was 7-15 s for 80k spaces: every space of the run restarted the block-mark pattern.
    text = "<div>제목</div>본문" + " " * 80_000 + "끝"
    out, seconds = _timed(text)
    assert out == "제목\n본문" + " " * 80_000 + "끝"
    assert seconds < 0.5


def test_megabyte_of_spaces_and_tabs_after_a_block_tag():
    text = "<p>a</p>x" + " \t" * 500_000 + "b<br>c"
    out, seconds = _timed(text)
    assert out == "a\nx" + " \t" * 500_000 + "b\nc"
    assert seconds < 1.0


def test_blanks_around_block_marks_still_collapse():
    assert strip_html("a   <div>  \n\t <p>  b") == "a\nb"
    assert strip_html("x  </p>" + " " * 1000 + "<p> y") == "x\ny"
