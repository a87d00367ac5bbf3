"""exact_dedup and minhash_dedup in Spark local mode, on small invented Korean documents built here."""

import json
import random

import pyarrow.parquet as pq
import pytest

from dps.config import ConfigError, InputConfig, JobConfig, OutputConfig, load_config
from dps.dedup.components import connected_components
from dps.dedup.exact import exact_dedup
from dps.dedup.minhash import BAND_SCHEMA, bucket_links, minhash_dedup
from dps.dedup.signatures import text_jaccard
from dps.pipeline import run
from tests.dedup.test_local_components import union_find_roots

pytestmark = pytest.mark.spark

TIMES = ["오늘", "어제", "지난주", "이번 달", "올해 초", "주말 동안", "새벽에", "오후 늦게"]
PLACES = ["서울", "부산", "대전", "광주", "인천", "수원", "청주", "전주", "강릉", "제주"]
OBJECTS = ["새 도로 공사를", "물가 대책을", "축제 일정을", "버스 노선을", "안전 점검을", "예산 계획을", "공원 조성을"]
VERBS = ["발표했다", "검토하고 있다", "연기했다", "요구했다", "마무리했다", "다시 논의하기로 했다", "환영했다"]

CONFIG = JobConfig(source="test", input=InputConfig(paths=("x",), id_column="id"), output=OutputConfig(path="x"),
                   stages=(), seed=5)
SCHEMA = "id string, source string, text string, dps_status string, dps_reason string, dps_raw string"


SYLLABLES = "김이박최정강조윤장임한오서신권황안송류홍민준서연지훈수아예도하은우진현태경호영미선희"


def sentence(rng):
    """An invented news-like sentence; the random name and count keep unrelated sentences apart."""
    name = "".join(rng.choice(SYLLABLES) for _ in range(3))
    return (f"{rng.choice(TIMES)} {rng.choice(PLACES)}에서 {name} 씨는 {rng.randint(2, 999)}건의 "
            f"{rng.choice(OBJECTS)} {rng.choice(VERBS)}.")


def sentences(rng, n=30):
    return [sentence(rng) for _ in range(n)]


def replaced(parts, positions, rng):
    parts = list(parts)
    for i in positions:
        parts[i] = sentence(rng)
    return parts


def frame(spark, rows, partitions=None):
    df = spark.createDataFrame([(r[0], "news", r[1], *(r[2:] if len(r) > 2 else ("kept", None)), None)
                                for r in rows], SCHEMA)
    return df.repartition(partitions) if partitions else df


def result(df):
    return {r["id"]: (r["dps_status"], r["dps_reason"], r["dup_of"]) for r in df.collect()}


# ------------------------------------------------------------------------------------------------------ exact

def test_exact_dedup_marks_copies_with_dup_of_and_leaves_others(spark):
    rng = random.Random(1)
    a, b = " ".join(sentences(rng, 5)), " ".join(sentences(rng, 5))
    rows = [("e3", a), ("e1", a.replace(" ", "  ").replace(".", ".\n")), ("e2", a),  # whitespace differs only
            ("e4", b), ("e5", b + "!"),  # punctuation differs: not an exact duplicate by default
            ("z1", ""), ("z2", " \n "),  # normalize to nothing: never marked
            ("f1", a, "filtered", "gopher_quality:too_few_words"), ("q1", None, "quarantined", "read:missing_text")]
    got = result(exact_dedup(frame(spark, rows, 3), config=CONFIG))
    assert got == {
        "e1": ("kept", None, None), "e2": ("duplicate", "exact_dedup", "e1"), "e3": ("duplicate", "exact_dedup", "e1"),
        "e4": ("kept", None, None), "e5": ("kept", None, None),
        "z1": ("kept", None, None), "z2": ("kept", None, None),
        "f1": ("filtered", "gopher_quality:too_few_words", None), "q1": ("quarantined", "read:missing_text", None)}
    loose = result(exact_dedup(frame(spark, rows), config=CONFIG, strip_punctuation=True))
    assert loose["e5"] == ("duplicate", "exact_dedup", "e4")


def test_exact_dedup_priority_column_and_derived_ids(spark):
    text = "주말 동안 제주에서 주민들은 축제 일정을 발표했다."
    df = spark.createDataFrame([("p1", text, 3), ("p2", text, 1), ("p3", text, None)],
                               "id string, text string, rank int").selectExpr(
        "*", "'kept' dps_status", "cast(null as string) dps_reason", "cast(null as string) dps_raw")
    by_rank = result(exact_dedup(df, config=CONFIG, priority_column="rank"))
    assert by_rank == {"p2": ("kept", None, None), "p1": ("duplicate", "exact_dedup", "p2"),
                       "p3": ("duplicate", "exact_dedup", "p2")}  # nulls never win
    highest = result(exact_dedup(df, config=CONFIG, priority_column="rank", priority_descending=True))
    assert highest["p1"] == ("kept", None, None) and highest["p2"][2] == "p1"
    # Without an id column the stable id is the MD5 of the text: identical texts, one survivor.
    no_ids = JobConfig(source="test", input=InputConfig(paths=("x",)), output=OutputConfig(path="x"), stages=())
    rows = exact_dedup(df, config=no_ids).collect()
    assert sorted(r["dps_status"] for r in rows) == ["duplicate", "duplicate", "kept"]
    import hashlib
    assert {r["dup_of"] for r in rows if r["dup_of"]} == {hashlib.md5(text.encode()).hexdigest()}


# ---------------------------------------------------------------------------------------------------- minhash

def minhash_rows():
    rng = random.Random(2)
    rows = [(f"u{i:02d}", " ".join(sentences(rng))) for i in range(12)]  # unrelated documents
    near = sentences(rng)
    rows += [("n-a", " ".join(near)), ("n-b", " ".join(replaced(near, [7], rng))),
             ("n-c", "  ".join(near).replace(".", "!!"))]
    chain = sentences(rng)
    b = replaced(chain, [0, 1, 2], rng)
    c = replaced(b, [27, 28, 29], rng)
    rows += [("c-b", " ".join(b)), ("c-a", " ".join(chain)), ("c-c", " ".join(c))]
    half = sentences(rng)
    rows += [("h-a", " ".join(half)), ("h-b", " ".join(half[:15] + sentences(rng, 15)))]
    rows += [("s1", "좋아요"), ("s2", "좋아요"), ("s3", "굿 굿")]  # shorter than a 5-gram
    rows += [("r1", " ".join(near[:20]))] * 2  # the same record twice (same id and text)
    # The same record twice, with a near-duplicate: the repeated node is one end of a verified pair.
    twice = sentences(rng)
    rows += [("t1", " ".join(twice))] * 2 + [("t2", " ".join(replaced(twice, [4], rng)))]
    rows += [("f1", " ".join(near), "filtered", "hangul_ratio:hangul_ratio_low"),
             ("q1", None, "quarantined", "read:malformed_json")]
    return rows


@pytest.fixture(scope="module")
def minhash_run(spark):
    rows = minhash_rows()
    out = minhash_dedup(frame(spark, rows, 2), config=CONFIG).collect()
    return rows, out


def test_minhash_premises_hold():
    texts = {r[0]: r[1] for r in minhash_rows()}
    assert text_jaccard(texts["n-a"], texts["n-b"]) > 0.9
    assert text_jaccard(texts["t1"], texts["t2"]) > 0.85
    assert text_jaccard(texts["n-a"], texts["n-c"]) == 1.0  # spacing and punctuation only
    assert text_jaccard(texts["n-a"], texts["r1"]) < 0.8
    assert text_jaccard(texts["c-a"], texts["c-b"]) > 0.83 and text_jaccard(texts["c-b"], texts["c-c"]) > 0.83
    assert text_jaccard(texts["c-a"], texts["c-c"]) < 0.8  # A and C alone would not be merged
    assert 0.2 < text_jaccard(texts["h-a"], texts["h-b"]) < 0.6
    assert max(text_jaccard(texts["u00"], texts[f"u{i:02d}"]) for i in range(1, 12)) < 0.3


def test_minhash_clusters_near_duplicates_and_chains(minhash_run):
    rows, out = minhash_run
    assert len(out) == len(rows)
    got = {r["id"]: (r["dps_status"], r["dps_reason"], r["dup_of"]) for r in out if r["id"] != "r1"}
    dup = ("duplicate", "minhash_dedup")
    assert got["n-a"] == ("kept", None, None)
    assert got["n-b"] == (*dup, "n-a") and got["n-c"] == (*dup, "n-a")
    # A~B and B~C: one component, one survivor (the lowest id), though A and C are below the threshold.
    assert got["c-a"] == ("kept", None, None)
    assert got["c-b"] == (*dup, "c-a") and got["c-c"] == (*dup, "c-a")
    assert got["h-a"] == got["h-b"] == ("kept", None, None)
    assert all(got[f"u{i:02d}"] == ("kept", None, None) for i in range(12))


def test_minhash_never_clusters_documents_without_shingles(minhash_run):
    _, out = minhash_run
    assert {r["id"]: r["dps_status"] for r in out if r["id"].startswith("s")} == {"s1": "kept", "s2": "kept",
                                                                                   "s3": "kept"}


def test_minhash_same_record_twice_keeps_one(minhash_run):
    _, out = minhash_run
    assert sorted((r["dps_status"], r["dup_of"]) for r in out if r["id"] == "r1") == [
        ("duplicate", "r1"), ("kept", None)]
    # Shingled once and scored once although two rows hold it: its near-duplicate joins its cluster.
    assert sorted((r["id"], r["dps_status"], r["dup_of"]) for r in out if r["id"] in ("t1", "t2")) == [
        ("t1", "duplicate", "t1"), ("t1", "kept", None), ("t2", "duplicate", "t1")]


def test_minhash_kept_documents_count_their_cluster(minhash_run):
    rows, out = minhash_run
    counts = {r["id"]: r["dup_count"] for r in out if r["dps_status"] == "kept"}
    assert counts["n-a"] == counts["c-a"] == counts["t1"] == 3 and counts["r1"] == 2
    assert counts["h-a"] == counts["h-b"] == counts["s1"] == counts["s2"] == counts["u00"] == 1
    assert sum(counts.values()) == sum(1 for r in out if r["dps_status"] in ("kept", "duplicate"))


def test_minhash_leaves_rows_that_are_not_kept_untouched(minhash_run):
    _, out = minhash_run
    got = {r["id"]: (r["dps_status"], r["dps_reason"], r["dup_of"], r["text"]) for r in out}
    texts = {r[0]: r[1] for r in minhash_rows()}
    assert got["f1"] == ("filtered", "hangul_ratio:hangul_ratio_low", None, texts["f1"])
    assert got["q1"] == ("quarantined", "read:malformed_json", None, None)


def test_every_duplicate_points_to_a_kept_document(minhash_run):
    _, out = minhash_run
    kept = {r["id"] for r in out if r["dps_status"] == "kept"}
    assert all(r["dup_of"] in kept for r in out if r["dps_status"] == "duplicate")


def test_same_survivors_for_any_partitioning_and_row_order(spark, minhash_run):
    rows, out = minhash_run
    expected = sorted((r["id"], r["dps_status"], r["dup_of"] or "") for r in out)
    shuffled = list(rows)
    random.Random(9).shuffle(shuffled)
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "7")
    try:
        again = minhash_dedup(frame(spark, shuffled, 5), config=CONFIG).collect()
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous)
    assert sorted((r["id"], r["dps_status"], r["dup_of"] or "") for r in again) == expected


# -------------------------------------------------------------------------------------------- graph building blocks

def test_a_giant_bucket_makes_one_star_not_all_pairs(spark):
    nodes = [bytes([i]) * 16 for i in range(60)]
    rows = [(n, band, 42) for n in nodes for band in (0, 1)] + [(nodes[5], 0, 7), (nodes[9], 0, 7)]
    links = {(r["src"], r["dst"]) for r in bucket_links(spark.createDataFrame(rows, BAND_SCHEMA)).collect()}
    # 59 edges to the smallest node (the same star in both bands), not 60 x 59 / 2 = 1770; plus the pair
    # sharing another bucket.
    assert links == {(nodes[0], n) for n in nodes[1:]} | {(nodes[5], nodes[9])}


@pytest.mark.parametrize("local_edges", [None, 0], ids=["one-task", "rounds"])
def test_connected_components_match_union_find(spark, local_edges):
    rng = random.Random(4)
    edges = [(rng.randrange(120), rng.randrange(120)) for _ in range(80)]
    edges += [(i, i + 1) for i in range(300, 316)]  # a chain
    edges += [(5, 5)]
    roots = union_find_roots(317, edges)  # nodes without an edge are components of their own there
    expected = {n: roots[n] for e in edges for n in e if e[0] != e[1]}
    df = spark.createDataFrame(edges, "src long, dst long")
    got = {r["node"]: r["root"] for r in connected_components(df, local_edges=local_edges).collect()}
    assert got == expected


# -------------------------------------------------------------------------------------------------- whole pipeline

def test_pipeline_runs_both_dedup_stages_and_the_invariant_holds(spark, tmp_path):
    rng = random.Random(6)
    docs = []
    for i in range(30):
        parts = sentences(rng, 20)
        docs.append({"id": f"d{i:02d}", "source": "news", "text": " ".join(parts)})
        if i % 3 == 0:
            docs.append({"id": f"x{i:02d}", "source": "news", "text": " ".join(parts) + "  "})  # exact copy
        if i % 5 == 0:
            docs.append({"id": f"y{i:02d}", "source": "blog", "text": " ".join(replaced(parts, [3], rng))})
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs) + "{broken\n", encoding="utf-8")
    config_path = tmp_path / "job.yaml"
    config_path.write_text(json.dumps({
        "input": {"paths": str(path), "id_column": "id"},
        "output": {"path": str(tmp_path / "out"), "rejected_path": str(tmp_path / "rejected")},
        "stages": ["normalize", "exact_dedup", {"minhash_dedup": {"threshold": 0.8}}]}), encoding="utf-8")
    report = run(load_config(str(config_path)), spark, echo=lambda _: None)
    holds, equation = report.invariant()
    assert holds, equation
    counts = {r: d for _, r, d, _ in report.by_reason()}
    assert counts["exact_dedup"] == 10 and counts["minhash_dedup"] == 6 and counts["read:malformed_json"] == 1
    kept = pq.read_table(str(tmp_path / "out"))
    assert kept.num_rows == 30 and set(kept.column_names) == {"id", "source", "text", "dup_count"}
    rejected = pq.read_table(str(tmp_path / "rejected")).to_pylist()
    assert {r["id"]: r["dup_of"] for r in rejected if r["dps_status"] == "duplicate"} == {
        **{f"x{i:02d}": f"d{i:02d}" for i in range(0, 30, 3)}, **{f"y{i:02d}": f"d{i:02d}" for i in range(0, 30, 5)}}
    assert "dup_count" not in rejected[0]  # a count of what a kept document stands for
    # Each kept document stands for itself, its exact copy (x) and its near-duplicate (y), across both stages.
    counts = dict(zip(kept.column("id").to_pylist(), kept.column("dup_count").to_pylist()))
    assert counts == {f"d{i:02d}": 1 + (i % 3 == 0) + (i % 5 == 0) for i in range(30)}
    assert sum(counts.values()) == kept.num_rows + 16  # kept + duplicates


def test_dup_count_adds_up_when_dps_output_is_deduplicated_again(spark, tmp_path):
    """Deduplicating dps's own output again (two runs' outputs together) adds their counts; a dup_count input
    column of another type is refused in one line before any Spark work."""
    rng = random.Random(8)
    docs = [{"id": f"d{i}", "text": " ".join(sentences(rng, 12)), "dup_count": c}
            for i, c in enumerate([3, None, 1, 5])]
    docs.append({"id": "d9", "text": docs[0]["text"] + " ", "dup_count": 2})  # exact copy of d0, counted twice
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "part.jsonl").write_text(
            "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    config = {"input": {"paths": [str(tmp_path / "a"), str(tmp_path / "b")], "id_column": "id"},
              "output": {"path": str(tmp_path / "out")}, "stages": ["exact_dedup", "minhash_dedup"]}
    (tmp_path / "job.yaml").write_text(json.dumps(config), encoding="utf-8")
    run(load_config(str(tmp_path / "job.yaml")), spark, echo=lambda _: None)
    kept = pq.read_table(str(tmp_path / "out")).to_pylist()
    assert {r["id"]: r["dup_count"] for r in kept} == {"d0": 2 * (3 + 2), "d1": 2, "d2": 2, "d3": 10}
    assert pq.read_table(str(tmp_path / "out")).schema.field("dup_count").type == "int64"
    for d in docs:
        d["dup_count"] = str(d["dup_count"])
    (tmp_path / "a" / "part.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    config["input"]["paths"] = [str(tmp_path / "a")]
    config["output"]["path"] = str(tmp_path / "out2")
    (tmp_path / "job.yaml").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stages.exact_dedup: the input column 'dup_count' holds string"):
        run(load_config(str(tmp_path / "job.yaml")), spark, echo=lambda _: None)


def test_a_frames_kept_text_size_is_one_job_shared_by_the_pipeline_and_the_stage(spark):
    """The pipeline materializes a frame stage's cached input with the sum the stage needs; the stage's own call
    runs no second job (a count scanned the cache once more)."""
    from dps.dedup.frames import kept_text_bytes, window_partitions
    from dps.marks import REASON, STATUS

    df = spark.createDataFrame([("가나다", "kept", None), ("abc", "kept", None), ("zz", "filtered", "x:y")],
                               f"text string, {STATUS} string, {REASON} string").persist()
    tracker = spark.sparkContext.statusTracker()
    assert kept_text_bytes(df, "text") == len("가나다".encode()) + 3  # kept rows only, UTF-8 bytes
    jobs = len(tracker.getJobIdsForGroup())
    assert window_partitions(df, "text") == df.rdd.getNumPartitions()
    assert len(tracker.getJobIdsForGroup()) == jobs  # no job: the figure was remembered
    other = df.where("text != 'abc'")
    assert kept_text_bytes(other, "text") == len("가나다".encode())  # another frame, its own figure
    df.unpersist()


@pytest.mark.parametrize("copies", [0, 2])
def test_a_dedup_stage_keeps_its_window_partition_count_with_and_without_duplicates(spark, request, copies):
    """When the documents go through the shuffle into the window's partitions, the output keeps that count, with
    and without duplicates. (At 0.25-1 GB with nothing marked, Spark's planner replaced the count by
    spark.sql.shuffle.partitions and every later step ran hundreds of tiny tasks; this small frame does not make
    the planner do that, so it checks the contract the coalesce in mark_groups keeps.)"""
    import dps.dedup.frames as frames
    from dps.spark.session import PARTITION_KEY

    rng = random.Random(3)
    rows = [(f"d{i}", " ".join(sentences(rng, 3))) for i in range(40)]
    rows += [(f"c{i}", rows[0][1]) for i in range(copies)]
    df = frame(spark, rows, 2).persist()
    before = spark.conf.get(PARTITION_KEY)
    spark.conf.set(PARTITION_KEY, str(frames.kept_text_bytes(df, "text") // 6))  # the window sizes follow it
    request.addfinalizer(lambda: spark.conf.set(PARTITION_KEY, before))
    partitions = frames.window_partitions(df, "text")
    assert partitions > df.rdd.getNumPartitions() and not frames.small_partitions(df, "text")
    for stage in (exact_dedup, minhash_dedup):
        out = stage(df, config=CONFIG)
        kept, rest = frames.split_kept(df)
        assert out.rdd.getNumPartitions() == partitions + rest.rdd.getNumPartitions()
        assert sum(r["dps_status"] == "duplicate" for r in out.collect()) == copies
    df.unpersist()


def test_the_session_sizes_input_splits_and_dedup_windows_from_the_heap(spark):
    """build_session sets spark.sql.files.maxPartitionBytes from a task's share of the heap (1g over local[2]: 32 MB),
    and the dedup stages size their windows by the same figure."""
    from dps.dedup.frames import partition_bytes
    from dps.spark.session import PARTITION_KEY

    assert spark.conf.get(PARTITION_KEY) == "32m"
    assert partition_bytes(spark) == 32 << 20
