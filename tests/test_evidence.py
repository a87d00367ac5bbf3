"""dps_detail: a rejected record's evidence (measured values beside thresholds, matched spam terms, errors)."""

import json

from dps.registry import STAGES, BoundStage, bind
from dps.config import StageSpec
from dps.spark.arrow import run_chain
from tests.test_profile import corpus_texts



def _texts():
    return corpus_texts()  # the bundled sample's texts and a few literal edge cases


def _chain_details(stage: BoundStage, texts):
    details = [None] * len(texts)
    _, status, reason, _, _ = run_chain(texts, ["kept"] * len(texts), [None] * len(texts), [stage], None, details)
    return status, reason, details


def test_every_rejection_by_a_thresholded_rule_carries_its_value_and_threshold():
    texts = _texts()
    checked = 0
    for name, stage in STAGES.items():
        if stage.kind != "filter" or not stage.metrics:
            continue
        bound = BoundStage(stage, {})
        status, reason, details = _chain_details(bound, texts)
        for s, r, d in zip(status, reason, details):
            if s != "filtered":
                assert d is None
                continue
            own = r.split(":", 1)[1]
            ruled = [rule for m in bound.metric_specs() for rule in m.rules if rule.gives(own)]
            if not ruled:
                continue
            detail = json.loads(d)
            assert detail["rules"], (r, detail)
            for fired in detail["rules"]:
                limit = next(v for k, v in fired.items() if k in ("min", "max", "reject_at"))
                assert limit is not None
                if "max" in fired:
                    assert fired["value"] > fired["max"] or round(fired["value"], 4) >= fired["max"]
                if "min" in fired:
                    assert fired["value"] < fired["min"]
            checked += 1
    assert checked >= 50  # the sample's filtered documents, across the stages


def test_repetition_evidence_names_the_rule_with_value_and_max():
    text = "\n".join(["같은 줄이 계속 반복됩니다 여기에"] * 8 + ["다른 줄 하나만 있습니다"])
    stage = bind(StageSpec("gopher_repetition", {}, "stages[0]"), 0)
    status, reason, details = _chain_details(stage, [text])
    assert status == ["filtered"] and reason[0].startswith("gopher_repetition:dup_line")
    rules = json.loads(details[0])["rules"]
    first = rules[0]
    assert first["rule"].startswith("dup_line") and first["value"] > first["max"]


def test_spam_evidence_lists_the_matched_terms_as_written():
    text = ("오늘 경기 결과 보러 오세요. 안전놀이터 추천, 토토사이트 가입 첫충 이벤트! "
            "카톡 문의. 먹튀 없는 메이저놀이터 ") * 2
    stage = bind(StageSpec("spam_filter", {}, "stages[0]"), 0)
    status, reason, details = _chain_details(stage, [text])
    assert status == ["filtered"], reason
    detail = json.loads(details[0])
    assert "안전놀이터" in detail["matched"] and "토토사이트" in detail["matched"]
    assert detail["weights"] and detail["rules"]


def test_a_stage_error_is_the_evidence_of_its_quarantine():
    def broken(text: str) -> str:
        raise ValueError("잘못된 입력 at 3")

    from dps.registry import Stage

    stage = BoundStage(Stage("broken", "map", broken), {})
    details = [None]
    _, status, reason, _, _ = run_chain(["x"], ["kept"], [None], [stage], None, details)
    assert status == ["quarantined"] and reason == ["broken:error:ValueError"]
    assert json.loads(details[0]) == {"error": "ValueError: 잘못된 입력 at 3"}


def test_records_not_rejected_here_keep_their_earlier_detail():
    stage = bind(StageSpec("hangul_ratio", {}, "stages[0]"), 0)
    details = ['{"earlier": 1}', None]
    texts = ["abc", "한국어 문장입니다 정말로"]
    _, status, _, _, _ = run_chain(texts, ["filtered", "kept"], ["x:y", None], [stage], None, details)
    assert details == ['{"earlier": 1}', None] and status == ["filtered", "kept"]
