"""The nightly index holds no raw personal data: only hashes of the text dedup compared (shingle sets, keys).

Two nights; the first carries phone numbers, e-mail addresses and a card number, the second an exact and a near
copy of a first-night document. The near copy must still be found through the index (verification from the
stored shingle sets), and no file under the index may contain any of the values, in any column.
"""

import json
import os

import pyarrow.parquet as pq
import pytest

from dps.config import load_config
from dps.pipeline import run

pytestmark = pytest.mark.spark

PII = ["010-2345-6789", "01023456789", "hong.gildong@naver.com", "hong.gildong", "4111-1111-1111-1111",
       "02-3147-8562", "kim_sj77@daum.net"]
SENTENCES = [
    "서울시는 19일 시청 대회의실에서 내년도 예산안 설명회를 열고 주요 사업을 소개했다.",
    "시는 청년 일자리와 돌봄 사업에 예산을 집중 배정했다고 밝혔다.",
    "문의는 담당자 홍길동 주무관(010-2345-6789, hong.gildong@naver.com)에게 하면 된다.",
    "설명회에는 시민 200여 명이 참석해 질의응답 시간을 가졌다.",
    "결제는 카드 4111-1111-1111-1111 로 처리되었으며 영수증은 별도로 발송된다.",
    "부산 지역 행사 안내는 02-3147-8562 또는 kim_sj77@daum.net 으로 문의하면 된다.",
    "이번 예산안은 다음 달 시의회 본회의에서 최종 확정될 예정이다.",
    "시 관계자는 시민 의견을 최대한 반영하겠다고 말했다.",
]
OTHER = ["대전의 한 연구소는 새로운 배터리 소재를 개발했다고 20일 발표했다.",
         "연구진은 충전 속도가 기존보다 두 배 빠르다고 설명했다.",
         "상용화까지는 3년 정도가 걸릴 것으로 전망된다.",
         "회사는 내년 상반기에 시제품을 공개할 계획이다."]


def write(folder, night, rows):
    path = folder / "crawl" / f"{night}.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows),
                    encoding="utf-8")
    return path


def config(folder, night, path):
    cfg = folder / "pii.yaml"
    cfg.write_text(f"""
input: {{paths: {path}, id_column: id}}
output: {{path: {folder / 'out'}, rejected_path: {folder / 'rejected'}, target_shard_mb: 1}}
index: {{path: {folder / 'index'}}}
seed: 5
stages: [normalize, exact_dedup, minhash_dedup, tag_pii]
spark: {{master: "local[2]", driver_memory: 1g}}
""")
    return load_config(str(cfg), [f"run_id={night}"])


def strings(value):
    """Every string a stored value holds (bytes decoded leniently), recursively."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "ignore")
        yield value.decode("latin-1")
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v)


@pytest.fixture(scope="module")
def nights(spark, tmp_path_factory):
    folder = tmp_path_factory.mktemp("index_pii")
    doc = " ".join(SENTENCES)
    first = [("a1", doc), ("a2", " ".join(OTHER * 2)), ("a3", " ".join(SENTENCES[3:] + SENTENCES[:3]) + " 끝.")]
    near = " ".join(SENTENCES[:-1] + ["시 관계자는 앞으로도 설명회를 계속 열겠다고 말했다."])
    second = [("b1", doc), ("b2", near), ("b3", " ".join(reversed(OTHER)) + " 새 소식입니다.")]
    reports = {}
    for night, rows in (("d1", first), ("d2", second)):
        reports[night] = run(config(folder, night, write(folder, night, rows)), spark, echo=lambda _m: None)
    return folder, reports


def test_cross_night_duplicates_are_still_found_through_the_hashed_index(nights):
    folder, reports = nights
    rejected = {r["id"]: (r["dps_reason"], r["dup_of"], r["dup_of_run"])
                for r in pq.read_table(str(folder / "rejected" / "run_id=d2")).to_pylist()}
    assert rejected == {"b1": ("exact_dedup:index", "a1", "d1"), "b2": ("minhash_dedup:index", "a1", "d1")}
    assert all(r.invariant()[0] for r in reports.values())


def test_no_file_under_the_index_holds_a_raw_value(nights):
    folder, _ = nights
    kept = " ".join(pq.read_table(str(folder / "out" / "run_id=d1")).column("text").to_pylist())
    assert "<|tel_start|>" in kept and not any(v in kept for v in PII)  # the shards are tagged ...
    files = [os.path.join(d, n) for d, _, names in os.walk(folder / "index") for n in names]
    parquet = [f for f in files if f.endswith(".parquet")]
    assert len(parquet) >= 2
    seen = []
    for path in files:
        with open(path, "rb") as fh:
            raw = fh.read()
        seen += [raw.decode("utf-8", "ignore"), raw.decode("latin-1")]
        if path.endswith(".parquet"):  # decompressed: every column of every row
            table = pq.read_table(path)
            seen += [s for row in table.to_pylist() for s in strings(row)]
    for value in PII:  # ... and so is the index: no copy of the text, only hashes of it
        assert not any(value in s for s in seen), value
    assert pq.read_schema(parquet[0]).names == ["id", "run_id", "node", "exact_key", "bands", "shingles"]
