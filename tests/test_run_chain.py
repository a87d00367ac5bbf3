from dps.registry import BoundStage, Stage
from dps.spark.arrow import chain_batches, run_chain


def upper(text: str) -> str:
    return text.upper()


def reject_short(text: str, *, min_chars: int = 3):
    return "too_short" if len(text) < min_chars else None


def explode(text: str) -> str:
    if "BOOM" in text:
        raise RuntimeError("bad record")
    return text


CHAIN = [BoundStage(Stage("upper", "map", upper)), BoundStage(Stage("explode", "map", explode)),
         BoundStage(Stage("short", "filter", reject_short), {"min_chars": 3})]


def test_chain_maps_filters_and_quarantines_each_record_once():
    texts = ["abcd", "ab", "xx boom", None, "done"]
    statuses = ["kept", "kept", "kept", "quarantined", "kept"]
    reasons = [None, None, None, "read:missing_text", None]
    out_t, out_s, out_r, edits, _ = run_chain(texts, statuses, reasons, CHAIN)
    assert out_t == ["ABCD", "AB", "XX BOOM", None, "DONE"]
    # upper changed every processed row (0 characters removed); explode never changed one.
    assert edits == [[0, 0, 0, None, 0], [None] * 5]
    assert out_s == ["kept", "filtered", "quarantined", "quarantined", "kept"]
    assert out_r == [None, "short:too_short", "explode:error:RuntimeError", "read:missing_text", None]


def test_filtered_rows_are_not_processed_again():
    out_t, out_s, out_r, edits, _ = run_chain(["ab"], ["filtered"], ["earlier:reason"], CHAIN)
    assert (out_t, out_s, out_r, edits) == (["ab"], ["filtered"], ["earlier:reason"], [[None], [None]])


def test_edits_count_characters_removed_or_added():
    shorten = BoundStage(Stage("shorten", "map", lambda text: text[:2]))
    wrap = BoundStage(Stage("wrap", "map", lambda text: f"<{text}>"))
    _, _, _, edits, _ = run_chain(["abcdef", "ab"], ["kept", "kept"], [None, None], [shorten, wrap])
    assert edits == [[4, None], [-2, -2]]


def test_map_returning_non_string_is_quarantined():
    bad = BoundStage(Stage("bad", "map", lambda text: None))
    _, status, reason, _, _ = run_chain(["x"], ["kept"], [None], [bad])
    assert status == ["quarantined"] and reason == ["bad:error:returned_NoneType"]


def test_chain_batches_keeps_schema_and_other_columns():
    import pyarrow as pa

    batch = pa.RecordBatch.from_pydict({
        "id": ["a", "b"], "text": ["hello", "x"], "dps_status": ["kept", "kept"],
        "dps_reason": pa.array([None, None], type=pa.string()),
        "dps_raw": pa.array([None, None], type=pa.string())})
    batch = batch.append_column("e0", pa.array([None, None], type=pa.int64())).append_column(
        "e1", pa.array([None, None], type=pa.int64()))
    out = list(chain_batches([batch], CHAIN, "text", ["e0", "e1"]))[0]
    assert out.schema == batch.schema
    assert out.to_pydict() == {"id": ["a", "b"], "text": ["HELLO", "X"], "dps_status": ["kept", "filtered"],
                               "dps_reason": [None, "short:too_short"], "dps_raw": [None, None],
                               "e0": [0, 0], "e1": [None, None]}


def test_stats_twin_counters_are_collected_per_row():
    def drop_x(text: str) -> str:
        return text.replace("x", "")

    def drop_x_with_stats(text: str) -> tuple[str, dict[str, int]]:
        return text.replace("x", ""), {"x": text.count("x"), "never": 0}

    stage = BoundStage(Stage("drop_x", "map", drop_x, drop_x_with_stats))
    texts, _, _, edits, stats = run_chain(["axxb", "ab"], ["kept", "kept"], [None, None], [stage])
    assert texts == ["ab", "ab"]
    assert edits == [[2, None]]
    assert stats == [[[("x", 2)], None]]


# --- the per-record time budget ------------------------------------------------------------------------------

import re  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from dps.spark.arrow import RecordBudget  # noqa: E402

TINY = RecordBudget(base_seconds=0.2, seconds_per_mb=0.0)


def stall(text: str) -> str:
    if "STALL" in text:
        time.sleep(30)  # interrupted by the alarm, or judged after the fact off the main thread
    return text


def spin(text: str) -> str:
    """A pure-Python busy loop (no sleep, no C call to interrupt) on records holding SPIN."""
    if "SPIN" in text:
        while True:
            pass
    return text


def swallow(text: str) -> str:
    """A stage whose own catch-all must not swallow the timeout."""
    try:
        return stall(text)
    except Exception:
        return "swallowed"


def _toy(name, fn, kind="map"):
    return BoundStage(Stage(name, kind, fn))


@pytest.mark.parametrize("fn", [stall, spin, swallow])
def test_record_past_its_budget_is_quarantined_and_the_batch_goes_on(fn):
    chain = [_toy("upper", upper), _toy("toy", fn), BoundStage(Stage("short", "filter", reject_short))]
    texts = ["abcd", "x STALL SPIN", "ab", "done"]
    t = time.monotonic()
    out_t, out_s, out_r, edits, _ = run_chain(texts, ["kept"] * 4, [None] * 4, chain, TINY)
    assert time.monotonic() - t < 5
    assert out_s == ["kept", "quarantined", "filtered", "kept"]
    assert out_r == [None, "toy:error:timeout", "short:too_short", None]
    assert out_t == ["ABCD", "x STALL SPIN", "AB", "DONE"]  # a quarantined record keeps its input text
    assert edits[0] == [0, 0, 0, 0]


def test_catastrophic_regex_is_interrupted():
    # (a+)+b on a run of a's with no b backtracks 2^n times: ~forever at n=40. re checks for signals while
    # it matches, so the alarm stops it.
    evil = re.compile(r"(a+)+b")

    def backtrack(text: str):
        return "matched" if evil.match(text) else None

    chain = [BoundStage(Stage("evil", "filter", backtrack))]
    t = time.monotonic()
    _, out_s, out_r, _, _ = run_chain(["a" * 40, "aab"], ["kept", "kept"], [None, None], chain, TINY)
    assert time.monotonic() - t < 5
    assert out_s == ["quarantined", "filtered"] and out_r == ["evil:error:timeout", "evil:matched"]


def test_budget_grows_with_the_record():
    budget = RecordBudget(base_seconds=0.2, seconds_per_mb=100.0)  # 1 s more for 10k characters

    def slow_per_char(text: str) -> str:
        time.sleep(len(text) / 20_000)  # 0.5 s for 10k characters: over the base, under the budget
        return text

    chain = [_toy("slow", slow_per_char)]
    _, out_s, _, _, _ = run_chain(["x" * 10_000], ["kept"], [None], chain, budget)
    assert out_s == ["kept"]
    assert budget.seconds(10_000) == pytest.approx(1.2)


def test_handler_and_timer_are_restored():
    seen = []

    def mine(signum, frame):
        seen.append(signum)

    old = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100.0)
        run_chain(["a STALL", "b"], ["kept", "kept"], [None, None], [_toy("toy", stall)], TINY)
        assert signal.getsignal(signal.SIGALRM) is mine
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < left <= 100  # our timer is back, less the time run_chain held it
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not seen
    # Without a timer before, none is left behind.
    run_chain(["b"], ["kept"], [None], [_toy("toy", stall)], TINY)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_off_the_main_thread_the_record_is_judged_after_the_stage_returns():
    def slow(text: str) -> str:
        if "SLOW" in text:
            time.sleep(0.4)
        return text

    result = {}
    worker = threading.Thread(target=lambda: result.update(out=run_chain(
        ["a", "b SLOW", "c"], ["kept"] * 3, [None] * 3, [_toy("toy", slow)], TINY)))
    worker.start()
    worker.join(10)
    _, out_s, out_r, _, _ = result["out"]
    assert out_s == ["kept", "quarantined", "kept"] and out_r == [None, "toy:error:timeout", None]


def test_no_budget_runs_to_completion():
    def slow(text: str) -> str:
        time.sleep(0.3)
        return text

    _, out_s, _, _, _ = run_chain(["a"], ["kept"], [None], [_toy("toy", slow)], None)
    assert out_s == ["kept"]


def test_a_short_record_after_a_big_one_gets_its_own_deadline():
    # The timer may be set for a big record's long deadline; the next, small record must not inherit it.
    budget = RecordBudget(base_seconds=0.3, seconds_per_mb=1000.0)

    def work(text: str) -> str:
        time.sleep(0.35 if text.startswith("big") else 0)
        if "STALL" in text:
            time.sleep(30)
        return text

    texts = ["big" + "x" * 10_000, "STALL"]  # the big one has 10.3 s, the small one 0.3 s
    t = time.monotonic()
    _, out_s, out_r, _, _ = run_chain(texts, ["kept", "kept"], [None, None], [_toy("toy", work)], budget)
    assert out_s == ["kept", "quarantined"] and out_r == [None, "toy:error:timeout"]
    assert time.monotonic() - t < 3


def test_budget_conf_values():
    from dps.spark.arrow import DEFAULT_BUDGET, record_budget

    assert record_budget(None, None) == DEFAULT_BUDGET == RecordBudget(10.0, 10.0)
    assert record_budget("30", None) == RecordBudget(30.0, 10.0)
    assert record_budget("5", "2.5") == RecordBudget(5.0, 2.5)
    assert record_budget("0", None) is None  # off
    for base, per_mb in [("soon", None), ("-1", None), ("5", "-1"), ("inf", None)]:
        with pytest.raises(ValueError, match="recordTimeoutSeconds"):
            record_budget(base, per_mb)


def test_a_kept_record_without_text_fails_in_its_first_stage_as_without_a_budget():
    for budget in (None, TINY):
        _, out_s, out_r, _, _ = run_chain([None, "okay"], ["kept", "kept"], [None, None], CHAIN, budget)
        assert out_s == ["quarantined", "kept"] and out_r == ["upper:error:AttributeError", None]


def test_every_stalled_record_of_a_batch_is_stopped():
    # After a timeout the alarm must keep running: the second and third stalls are stopped too.
    chain = [_toy("toy", stall), _toy("spin", spin)]
    texts = ["a", "b STALL", "c", "d STALL", "e", "f SPIN", "g"]
    t = time.monotonic()
    _, out_s, out_r, _, _ = run_chain(texts, ["kept"] * 7, [None] * 7, chain, TINY)
    assert time.monotonic() - t < 5
    assert out_s == ["kept", "quarantined", "kept", "quarantined", "kept", "quarantined", "kept"]
    assert out_r == [None, "toy:error:timeout", None, "toy:error:timeout", None, "spin:error:timeout", None]
