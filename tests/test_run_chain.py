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
        "id": ["a", "b"], "text": ["hello", "x"], "dps_status": ["kept", "kept"], "dps_reason": pa.array([None, None], type=pa.string()),
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
