"""segment_filter: judge each comment of a comment page, drop the bad ones, keep the rest (literal examples)."""

import pytest

from dps.config import ConfigError, StageSpec
from dps.registry import STAGES, bind
from dps.spark.arrow import run_chain
from dps.text.quarantine import Quarantine, Reject
from dps.text.segments import segment_filter, segment_filter_with_stats, segment_verdicts, split_segments

# An invented review page as an HTML crawl flattens it: comments with widget lines, a hashtag line and one
# spam comment written to dodge word lists.
PAGE = "\n".join([
    "배우들 연기가 정말 좋았어요 다시 보고 싶네요",
    "신고",
    "★★★★★ 10",
    "2024.03.01",
    "신고",
    "결말이 조금 아쉬웠지만 그래도 볼만했습니다...",
    "안.전.놀.이.터 추천 ㅌㅌ 사 이 트 가입코드 777",
    "신고",
    "#영화 #추천 #주말",
    "음악이 너무 좋아서 OST를 계속 듣고 있어요",
])
KEPT = "\n".join([
    "배우들 연기가 정말 좋았어요 다시 보고 싶네요",
    "신고",
    "결말이 조금 아쉬웠지만 그래도 볼만했습니다...",
    "음악이 너무 좋아서 OST를 계속 듣고 있어요",
])


def test_bad_segments_are_removed_and_counted_per_rule():
    text, counters = segment_filter_with_stats(PAGE)
    assert text == KEPT
    assert counters == {"segments": 10, "segments_removed": 6, "gopher_repetition:dup_segment": 2,
                        "gopher_quality:alpha_words_low": 2, "gopher_quality:hash_ratio_high": 1,
                        "spam_filter:spam_gambling": 1}
    assert segment_filter(PAGE) == KEPT


def test_punctuation_a_score_or_a_glued_comment_is_not_a_bad_segment():
    page = ("재밌다...\n최고의영화였습니다강력추천합니다\n그냥 그랬어요.. 별로...\n시간 가는 줄 몰랐다 10\n"
            "보다가 지루해서... 끝까지 보긴 했는데 별로...")
    assert segment_filter_with_stats(page) == (page, {"segments": 5, "segments_removed": 0})


def test_word_ratio_rules_judge_segments_of_enough_words():
    ellipses = "이 영화 정말... 최고... 다시... 볼래요... 친구랑... 같이... 가서... 또... 봐야지..."
    numbers = "10 10 10 10 10 좋아요 정말 재밌는 영화 였어요"
    link = "https://example.com/aaaaaaaa/bbbbbbbb/cccccccc/dddddddd/eeeeeeee 여기 가서 보세요 꼭 지금 바로 확인 하세요 네"
    assert segment_verdicts("\n".join(["좋다", ellipses, numbers, link])) == [
        ("좋다", None), (ellipses, "gopher_quality:ellipsis_ratio_high"), (numbers, "gopher_quality:alpha_words_low"),
        (link, "gopher_quality:mean_word_too_long")]
    # The same rules leave a short segment alone unless it has no letter at all.
    assert segment_verdicts("좋다\n정말... 최고... 볼래요...\n재밌다 10 10\n10 10") == [
        ("좋다", None), ("정말... 최고... 볼래요...", None), ("재밌다 10 10", None),
        ("10 10", "gopher_quality:alpha_words_low")]


def test_a_page_with_too_little_left_is_rejected_with_the_removed_counts():
    with pytest.raises(Reject) as caught:
        segment_filter("신고\n신고\n2024.01.01\n★★★★☆ 8\n2024.01.02\n좋아요")
    assert caught.value.reason == "too_few_segments_left"
    assert caught.value.detail["removed"] == {"gopher_quality:alpha_words_low": 3, "gopher_repetition:dup_segment": 1}
    assert isinstance(caught.value, Quarantine)  # an adapter that does not know Reject quarantines it


def test_the_page_thresholds_decide_how_little_is_too_little():
    page = "좋은 영화\n2024.01.01\n2024.01.02\n2024.01.03"
    assert segment_filter(page, min_kept_chars_ratio=0.0) == "좋은 영화"
    with pytest.raises(Reject):
        segment_filter(page, min_kept_segments=2, min_kept_chars_ratio=0.0)


def test_one_segment_is_not_a_list_and_is_left_to_the_page_filters():
    assert segment_filter_with_stats("2024.01.01") == ("2024.01.01", {})
    assert segment_filter_with_stats("2024.01.01\n\n") == ("2024.01.01\n\n", {})
    assert segment_filter_with_stats("") == ("", {})


def test_separator_mode_and_blank_lines_left_by_a_removal():
    page = "첫 댓글입니다 좋네요\n둘째 줄\n|||\n2024.01.01\n|||\n셋째 댓글 감사합니다"
    text, counters = segment_filter_with_stats(page, segment_mode="separator", segment_separator="\n|||\n")
    assert text == "첫 댓글입니다 좋네요\n둘째 줄\n|||\n셋째 댓글 감사합니다"
    assert counters["gopher_quality:alpha_words_low"] == 1
    assert segment_filter("가나다 라마\n\n12345\n\n바사 아자") == "가나다 라마\n\n바사 아자"
    assert split_segments("a\nb", "lines") == ["a", "b"]


def test_repeated_words_inside_a_long_comment_remove_it():
    spammy = " ".join(["꼭 보세요 강추"] * 6)
    page = f"좋은 영화였어요 감사합니다\n{spammy}\n배우가 멋있다"
    assert segment_filter_with_stats(page)[1]["gopher_repetition:top_2gram_char_fraction_high"] == 1


def test_rule_families_can_be_switched_off():
    assert segment_filter(PAGE, quality=False, repetition=False, spam=False) == PAGE
    assert "안.전.놀.이.터" in segment_filter(PAGE, spam=False)
    dodged = "좋은 영화\n안.전.놀.이.터 ㅌㅌ 사 이 트 ㄲㅗㅇㅁㅓㄴㅣ\n배우가 멋있다"
    assert segment_filter(dodged, normalize_dodges=False) == dodged
    assert segment_filter(dodged) == "좋은 영화\n배우가 멋있다"


def test_bad_parameters_are_config_errors():
    with pytest.raises(ConfigError, match="segment_mode"):
        bind(StageSpec("segment_filter", {"segment_mode": "page"}, "stages[0]"), seed=1)
    with pytest.raises(ConfigError, match="segment_separator"):
        bind(StageSpec("segment_filter", {"segment_mode": "separator", "segment_separator": ""}, "stages[0]"), seed=1)
    with pytest.raises(ConfigError, match="min_kept_chars_ratio"):
        bind(StageSpec("segment_filter", {"min_kept_chars_ratio": 1.5}, "stages[0]"), seed=1)


def test_the_chain_filters_a_rejected_page_and_keeps_the_evidence():
    stage = bind(StageSpec("segment_filter", {}, "stages[0]"), seed=1)
    assert STAGES["segment_filter"].kind == "map"
    details = [None, None]
    texts, statuses, reasons, edits, stats = run_chain(
        [PAGE, "신고\n신고\n2024.01.01"], ["kept", "kept"], [None, None], [stage], details=details)
    assert texts[0] == KEPT and statuses == ["kept", "filtered"]
    assert reasons == [None, "segment_filter:too_few_segments_left"]
    assert '"removed"' in details[1]
    assert edits[0][0] == len(PAGE) - len(KEPT)
    assert dict(stats[0][0])["spam_filter:spam_gambling"] == 1
