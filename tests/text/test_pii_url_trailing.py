"""URL trailing punctuation is trimmed in time linear in the URL (it was quadratic in a run of ')')."""

import time

from dps.text.pii import find_pii


def test_long_run_of_closing_parens_is_trimmed_fast():
    text = ("http://a.bc/" + ")" * 2000 + " ") * 500  # 1 MB of URLs, each followed by 2,000 ")"
    t = time.process_time()
    spans = find_pii(text, kinds=("url",))
    seconds = time.process_time() - t
    assert [s.value for s in spans] == ["http://a.bc/"] * 500
    assert seconds < 0.3  # ~1 s before, 0.04 s after


def test_a_paren_closing_one_inside_the_url_is_kept():
    spans = find_pii("see http://a.bc/x_(y))).", kinds=("url",))
    assert [s.value for s in spans] == ["http://a.bc/x_(y)"]
