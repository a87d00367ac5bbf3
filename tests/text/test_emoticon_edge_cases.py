"""Issue 15's emoticon edge cases in one place (each is also covered, with neighbours, in test_reduce_emoticons.py)."""

import pytest

from dps.text.emoticons import reduce_emoticons


@pytest.mark.parametrize("text, expected", [
    ("ㅎㅋㅎㅋㅎㅋ", "ㅎㅋㅎㅋㅎㅋ"),  # alternating jamo, three repeats: left as it is
    ("크크크", "크크크"),  # exactly three laughing syllables: left
    ("으히히히", "으히히히"),  # keeps its 히히히
    ("으히히히히히 좋다", "으히히히 좋다"),  # longer runs are cut to three
    ("blog.daum.net/abcㅎㅎㅎㅎㅎ", "blog.daum.net/abcㅎㅎ"),  # the address stays, the laughter after it is cut
    ("https://blog.daum.net/abcㅎㅎㅎㅎㅎ 재밌다", "https://blog.daum.net/abcㅎㅎ 재밌다"),
    ("킄ㅋㅋ", "크ㅋㅋ"),  # a ㅋ coda before ㅋ splits off, as ㅋㅋ쿠ㅜㅜ splits
    ("ㅋㅋ쿠ㅜㅜ", "ㅋㅋㅜㅜ"),
])
def test_issue_15_edge_cases(text, expected):
    assert reduce_emoticons(text) == expected
