"""`dps run --slices N`: a corpus run as N committed slices against one index ends with the clusters of one run.

The corpus is invented here: families of documents (an original, exact copies, near copies with one number
changed: true Jaccard ~0.95 to each other, so every family is a clique), spread at random over six files, so most
families cross slice boundaries; plus English documents (filtered by hangul_ratio) and a malformed line
(quarantined). Ids are random hex, so the one run's survivor (the smallest id of a family) often lies in a later
slice than another member: there the slices keep a different member.

What is checked, precisely (docs/nightly.md#bulk-first-runs-in-slices):
- the totals summed over the slices equal the one run's: input, kept, filtered, duplicate, quarantined;
- the filtered and quarantined documents are the same, with the same reasons;
- the clusters are the same: grouping every document with the kept document its dup_of chain ends at gives the
  same sets of ids;
- in each cluster the slices keep exactly one document: the smallest id among the members in the earliest slice
  holding any member (an earlier slice wins, then the usual survivor rule). So the duplicate ids are the one run's,
  except that a one-run survivor whose cluster has a member in an earlier slice is a duplicate and that member is
  kept instead.
"""

import contextlib
import io
import json
import os
import random

import pyarrow.parquet as pq
import pytest

from dps import bulk, cli
from dps.config import load_config
from dps.dedup.index import IndexStore, LocalFS, index_check
from dps.pipeline import run

pytestmark = pytest.mark.spark

SYLLABLES = "김이박최정강조윤장임한오서신권황안송류홍민준서연지훈수아예도하은우진현태경호영미선희"
PLACES = ["서울", "부산", "대전", "광주", "인천", "수원", "청주", "전주", "강릉", "제주"]
VERBS = ["발표했다", "검토하고 있다", "연기했다", "요구했다", "마무리했다", "환영했다"]
FILES = [f"part-{i}.jsonl" for i in range(1, 7)]
N = 3


def sentence(rng, number=None):
    name = "".join(rng.choice(SYLLABLES) for _ in range(3))
    number = rng.randint(2, 9999) if number is None else number
    return [rng.choice(PLACES), name, number, rng.choice(VERBS)]


def text(parts):
    return " ".join(f"{p}에서 {n} 씨는 {k}건의 계획을 {v}." for p, n, k, v in parts)


def build_corpus():
    """{file: [json line]}: 24 families of 1-4 members, 3 English documents, 1 malformed line."""
    rng = random.Random(14)
    files = {f: [] for f in FILES}
    ids = set()

    def new_id():
        while True:
            doc_id = f"{rng.getrandbits(24):06x}"
            if doc_id not in ids:
                ids.add(doc_id)
                return doc_id

    def put(record):
        files[rng.choice(FILES)].append(json.dumps(record, ensure_ascii=False))

    for _ in range(24):
        parts = [sentence(rng) for _ in range(16)]
        put({"id": new_id(), "source": "news", "text": text(parts)})
        for j in range(rng.randint(0, 3)):
            copy = [list(p) for p in parts]
            if j % 2:  # a near copy: one number changed
                copy[rng.randrange(16)][2] = rng.randint(10000, 99999)
            put({"id": new_id(), "source": "news", "text": text(copy)})
    for k in range(3):
        put({"id": new_id(), "source": "news", "text": f"This page is in English only, number {k}, " * 12})
    files[FILES[2]].append('{"id": "broken", "text": "no end')
    return files


@pytest.fixture(scope="module")
def corpus(spark, tmp_path_factory):
    """The corpus, its config and the one run over all of it."""
    folder = tmp_path_factory.mktemp("bulk")
    (folder / "crawl").mkdir()
    for name, lines in build_corpus().items():
        (folder / "crawl" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "crawl" / "_SUCCESS").write_text("")  # skipped by every lister, as Spark skips it
    (folder / "crawl" / ".part-1.jsonl.crc").write_text("")
    cfg = folder / "bulk.yaml"
    cfg.write_text(f"""
input: {{paths: {folder / 'crawl'}, id_column: id, schema: "id STRING, source STRING, text STRING"}}
output: {{path: {folder / 'out'}, rejected_path: {folder / 'rejected'}, target_shard_mb: 1}}
index: {{path: {folder / 'index'}}}
seed: 3
stages: [hangul_ratio, exact_dedup, minhash_dedup]
report: {{examples_per_reason: 0}}
spark: {{master: "local[2]", driver_memory: 1g}}
""")
    one = load_config(str(cfg), ["index=null", f"output.path={folder / 'one'}",
                                 f"output.rejected_path={folder / 'one_rejected'}"])
    report = run(one, spark, echo=quiet)
    kept = ids(pq.read_table(str(folder / "one")))
    rejected = rows(pq.read_table(str(folder / "one_rejected")))
    return folder, cfg, report, kept, rejected


def quiet(_message):
    pass


def ids(table):
    return set(table.column("id").to_pylist())


def rows(table):
    return {r["id"]: r for r in table.to_pylist() if r["id"] is not None}


def config_for(folder, cfg, name):
    """The bulk config writing to its own output, rejected and index folders."""
    return load_config(str(cfg), ["run_id=slice", f"output.path={folder / name / 'out'}",
                                  f"output.rejected_path={folder / name / 'rejected'}",
                                  f"index.path={folder / name / 'index'}"])


def sliced_result(config, slices):
    """(kept ids, rejected rows, slice number of every id, the committed reports) of a bulk run."""
    kept, rejected, where, reports = set(), {}, {}, {}
    for s in slices:
        out = bulk.slice_config(config, s).run_path(config.output.path)
        rej = bulk.slice_config(config, s).run_path(config.output.rejected_path)
        k, r = ids(pq.read_table(out)), rows(pq.read_table(rej))
        kept |= k
        rejected.update(r)
        where.update({i: s.number for i in (*k, *r)})
        with open(os.path.join(out, "_dps_report.json"), encoding="utf-8") as fh:
            reports[s.number] = json.load(fh)
    return kept, rejected, where, reports


def clusters(kept, rejected):
    """Every kept document with the duplicates whose dup_of chain ends at it."""
    def root(i):
        seen = 0
        while i not in kept:
            i = rejected[i]["dup_of"]
            seen += 1
            assert seen < 10, "dup_of chain does not end at a kept document"
        return i

    groups = {k: {k} for k in kept}
    for i, r in rejected.items():
        if r["dps_status"] == "duplicate":
            groups[root(i)].add(i)
    return {frozenset(g) for g in groups.values()}


def check_same_as_one_run(corpus, config, slices):
    folder, _, one_report, one_kept, one_rejected = corpus
    kept, rejected, where, reports = sliced_result(config, slices)

    # Totals, summed over the slices.
    one_totals = {"input": one_report.input_records, **one_report.totals()}
    summed = {k: 0 for k in one_totals}
    for report in reports.values():
        assert report["invariant"]["holds"]
        summed["input"] += report["input_records"]
        for k in ("kept", "filtered", "duplicate", "quarantined"):
            summed[k] += report["totals"][k]
    assert summed == one_totals
    assert one_totals["filtered"] == 3 and one_totals["quarantined"] == 1 and one_totals["duplicate"] > 10

    # Filtered documents: the same, with the same reasons.
    def not_dup(rs):
        return {i: r["dps_reason"] for i, r in rs.items() if r["dps_status"] != "duplicate"}
    assert not_dup(rejected) == not_dup(one_rejected)

    # The same clusters.
    one_clusters = clusters(one_kept, one_rejected)
    assert clusters(kept, rejected) == one_clusters

    # One survivor per cluster: the smallest id among the members of the earliest slice holding one.
    swapped = crossing = 0
    expected_kept = set()
    for c in one_clusters:
        first = min(where[i] for i in c)
        survivor = min(i for i in c if where[i] == first)
        assert kept & c == {survivor}
        expected_kept.add(survivor)
        (one_survivor,) = one_kept & c
        swapped += survivor != one_survivor
        crossing += len({where[i] for i in c}) > 1
    assert kept == expected_kept
    duplicates = {i for i, r in rejected.items() if r["dps_status"] == "duplicate"}
    one_duplicates = {i for i, r in one_rejected.items() if r["dps_status"] == "duplicate"}
    assert duplicates == (one_duplicates | (one_kept - kept)) - (kept - one_kept)
    assert swapped >= 2 and crossing >= 8  # the corpus does test what it claims to

    # Duplicates of an earlier slice say so; the index holds every kept document, once.
    run_of = {s.number: s.run_id for s in slices}
    for i, r in rejected.items():
        if r["dps_reason"].endswith(":index"):
            assert r["dup_of_run"] in [run_of[k] for k in range(1, where[i])]
    assert sum(r["dps_reason"].endswith(":index") for r in rejected.values()) >= 8
    ok, text = index_check(config.index.path, config.output.path)
    assert ok, text
    return reports


@pytest.fixture(scope="module")
def crashed_and_resumed(corpus, spark):
    """A bulk run of N slices whose slice 2 dies after publishing its output, before its index commit (the worst
    moment: its output looks done), then the rerun through the command line. One run serves both tests below:
    Spark runs are what this test file costs."""
    import dps.pipeline

    folder, cfg, *_ = corpus
    config = config_for(folder, cfg, "sliced")
    slices = bulk.plan_slices(config, N, bulk.list_files(config))
    commits = []

    def crash(name):
        if name == "output_committed":
            commits.append(name)
            if len(commits) == 2:
                raise KeyboardInterrupt("simulated crash")

    seen = {}
    original, dps.pipeline.pause_point = dps.pipeline.pause_point, crash
    try:
        with pytest.raises(KeyboardInterrupt):
            bulk.run_slices(config, N, spark, echo=quiet, out=quiet)
    finally:
        dps.pipeline.pause_point = original
    seen["runs_after_crash"] = [r.run_id for r in IndexStore(LocalFS(), config.index.path).latest().runs]
    first_out = bulk.slice_config(config, slices[0]).run_path(config.output.path)
    second_out = bulk.slice_config(config, slices[1]).run_path(config.output.path)
    seen["second_published"] = os.path.exists(f"{second_out}/_dps_report.json")
    seen["done_after_crash"] = set(bulk.committed(config, slices))
    mtimes = lambda: {n: os.stat(os.path.join(first_out, n)).st_mtime_ns for n in os.listdir(first_out)}  # noqa: E731
    seen["first_before"] = mtimes()

    argv = ["run", str(cfg), "--slices", str(N), "--run-id", "slice", "--set", f"output.path={config.output.path}",
            "--set", f"output.rejected_path={config.output.rejected_path}", "--set", f"index.path={config.index.path}"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        seen["code"] = cli.main(argv)
    seen["out"], seen["err"] = out.getvalue(), err.getvalue()
    seen["first_after"] = mtimes()
    return config, slices, argv, seen


def test_the_slices_end_with_the_clusters_of_one_run(corpus, crashed_and_resumed):
    config, slices, _, seen = crashed_and_resumed
    assert [len(s.files) for s in slices] == [2, 2, 2]
    assert seen["code"] == 0, seen["err"][-2000:]
    check_same_as_one_run(corpus, config, slices)
    table = seen["out"].splitlines()
    assert table[-1].startswith("OK: input ") and table[-1].endswith("over 3 of 3 slices")
    assert [line.split(":")[0] for line in table[:2]] == ["slice 2/3 (slice-0002)", "slice 3/3 (slice-0003)"]


def test_a_crash_loses_only_the_slice_in_flight(crashed_and_resumed, capsys):
    config, _, argv, seen = crashed_and_resumed
    assert seen["runs_after_crash"] == ["slice-0001"]
    assert seen["second_published"] and seen["done_after_crash"] == {1}  # published, not in the index: not done
    assert "slice 1/3 (slice-0001): committed earlier, skipped" in seen["err"]
    assert "slice 2/3 (slice-0002): 2 file(s)" in seen["err"]
    assert seen["first_after"] == seen["first_before"]  # slice 1 was not touched
    manifest = IndexStore(LocalFS(), config.index.path).latest()
    assert [(r.run_id, r.seq) for r in manifest.runs] == [("slice-0001", 1), ("slice-0002", 2), ("slice-0003", 3)]
    assert [line.rsplit("  ", 1)[-1] for line in seen["out"].splitlines()[4:7]] == \
        ["committed earlier", "run now", "run now"]

    # A third call finds nothing to do (and starts no Spark work).
    assert cli.main(argv) == 0
    assert capsys.readouterr().out.count("committed earlier") == 3

    # Another cut of the same input is refused: slice-0001 holds other files than slice 1 of 2 would.
    assert cli.main([*argv[:3], "2", *argv[4:]]) == 2
    err = capsys.readouterr().err
    assert "slice-0001 was committed with other input files" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("extra, message", [
    (["--slices", "7"], "--slices: 7 slices of 6 input file(s)"),
    (["--slices", "0"], "--slices: expected a number of slices >= 1"),
    (["--slices", "2", "--set", "index=null"], "--slices needs index.path"),
    (["--slices", "2", "--without-index"], "--without-index makes no sense"),
    (["--slices", "2", "--set", "output.path={crawl}/out"], "must not lie inside the input folder"),
])
def test_mistakes_are_refused_in_one_line(corpus, capsys, extra, message):
    folder, cfg, *_ = corpus
    extra = [e.format(crawl=folder / "crawl") for e in extra]
    assert cli.main(["run", str(cfg), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_split_is_deterministic_and_balanced_by_size():
    files = [(f"f{i}", size) for i, size in enumerate([5, 1, 1, 1, 1, 1, 5, 5])]
    assert [[f for f, _ in g] for g in bulk.split(files, 3)] == [["f0", "f1", "f2"], ["f3", "f4", "f5", "f6"],
                                                                 ["f7"]]
    assert [len(g) for g in bulk.split(files, 8)] == [1] * 8
    assert [len(g) for g in bulk.split([(f"f{i}", 0) for i in range(5)], 2)] == [2, 3]
    assert bulk.split(files, 1) == [files]
    assert [len(g) for g in bulk.split([(f"f{i}", s) for i, s in enumerate([60, 60, 60, 59])], 3)] == [1, 2, 1]


def test_listing_through_hadoop_matches_the_local_listing(corpus, spark):
    folder, cfg, *_ = corpus
    local = bulk.list_files(load_config(str(cfg), ["index=null"]))
    assert [os.path.basename(f) for f, _ in local] == FILES
    remote = bulk._list_remote(spark, [f"file://{folder / 'crawl'}"])  # the code path of hdfs:// and s3a://
    assert [(f.replace("file:", "", 1), size) for f, size in sorted(remote)] == local
    remote = bulk._list_remote(spark, [f"file://{folder / 'crawl'}/part-[12].jsonl"])
    assert [os.path.basename(f) for f, _ in sorted(remote)] == FILES[:2]
