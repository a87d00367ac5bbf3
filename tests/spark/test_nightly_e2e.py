"""Nightly runs against a persistent dedup index: cross-run duplicates, idempotent reruns, and real crashes.

The nights are invented here: each document is 12 random Korean sentences; later nights repeat (exactly, or
with one sentence replaced: Jaccard ~0.85) documents of earlier nights under new ids, known by construction.
"""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from dps.config import load_config
from dps.dedup.index import IndexStore, LocalFS, index_stats
from dps.pipeline import run

pytestmark = pytest.mark.spark

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SYLLABLES = "김이박최정강조윤장임한오서신권황안송류홍민준서연지훈수아예도하은우진현태경호영미선희"
PLACES = ["서울", "부산", "대전", "광주", "인천", "수원", "청주", "전주", "강릉", "제주"]
VERBS = ["발표했다", "검토하고 있다", "연기했다", "요구했다", "마무리했다", "환영했다"]


def sentence(rng):
    name = "".join(rng.choice(SYLLABLES) for _ in range(3))
    return f"{rng.choice(PLACES)}에서 {name} 씨는 {rng.randint(2, 9999)}건의 계획을 {rng.choice(VERBS)}."


def document(rng):
    return [sentence(rng) for _ in range(12)]


def near_copy(parts, rng):
    parts = list(parts)
    parts[rng.randrange(len(parts))] = sentence(rng)
    return parts


def build_nights():
    """Three nights. Returns {night: [(id, text)]} and the ids that must be duplicates of an earlier night."""
    rng = random.Random(11)
    nights, cross = {}, {}
    originals = {}
    for night in ("d1", "d2", "d3"):
        rows = []
        for i in range(12):
            doc_id = f"{night}-{i:03d}"
            originals[doc_id] = document(rng)
            rows.append((doc_id, originals[doc_id]))
        earlier = sorted(k for k in originals if k < night)
        for j, old_id in enumerate(rng.sample(earlier, min(6, len(earlier))) if earlier else []):
            new_id = f"{night}-x{j:02d}"
            parts = originals[old_id] if j % 2 == 0 else near_copy(originals[old_id], rng)
            rows.append((new_id, parts))
            cross[new_id] = (old_id, "exact_dedup:index" if j % 2 == 0 else "minhash_dedup:index")
        rows.append((f"{night}-w00", rows[0][1]))  # a copy within the night
        nights[night] = [(doc_id, " ".join(parts)) for doc_id, parts in rows]
    return nights, cross


NIGHTS, CROSS = build_nights()


def write_night(folder, night):
    path = folder / f"{night}.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for doc_id, text in NIGHTS[night]:
            fh.write(json.dumps({"id": doc_id, "source": "news", "text": text}, ensure_ascii=False) + "\n")
    return path


def make_config(folder, night, *, index=True, paths=None, extra=()):
    cfg = folder / "nightly.yaml"
    cfg.write_text(f"""
input: {{paths: {folder / 'crawl' / '*.jsonl'}, id_column: id}}
output: {{path: {folder / 'out'}, rejected_path: {folder / 'rejected'}, target_shard_mb: 1}}
{'index: {path: ' + str(folder / 'index') + '}' if index else ''}
seed: 3
stages: [normalize, exact_dedup, minhash_dedup, tag_pii]
spark: {{master: "local[2]", driver_memory: 1g}}
""")
    paths = paths or folder / "crawl" / f"{night}.jsonl"
    return load_config(str(cfg), [f"input.paths={paths}", *([f"run_id={night}"] if night else []), *extra])


def digest(folder):
    """File name -> content hash of every data file (the report is compared separately)."""
    return {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest()
            for n in sorted(os.listdir(folder)) if n.endswith(".parquet")}


def rejected_rows(folder, night):
    rows = pq.read_table(str(folder / "rejected" / f"run_id={night}")).to_pylist()
    return {r["id"]: r for r in rows}


def quiet(_message):
    pass


def relocate(origin, copy, dst):
    """copy (a copy of the folder origin) copied to dst, as if its runs had run at dst: the config, the nightly
    root's marker and the reports name the folder by its absolute path (rewritten here); the data files and the
    index do not."""
    shutil.copytree(copy, dst)
    for parent, _, names in os.walk(dst):
        for name in names:
            if name.endswith((".json", ".yaml", ".html")):
                path = os.path.join(parent, name)
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                if str(origin) in text:
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write(text.replace(str(origin), str(dst)))
    return dst


@pytest.fixture(scope="module")
def nights(spark, tmp_path_factory):
    """d1, d2, d3 run in turn on one output and index; also a copy of the folder as d1 left it (d1_only)."""
    folder = tmp_path_factory.mktemp("nightly")
    (folder / "crawl").mkdir()
    reports, digests = {}, {}
    for night in ("d1", "d2", "d3"):
        write_night(folder / "crawl", night)
        reports[night] = run(make_config(folder, night), spark, echo=quiet)
        digests[night] = digest(folder / "out" / f"run_id={night}")
        if night == "d1":
            shutil.copytree(folder, folder.parent / (folder.name + "_d1_only"))
    return folder, reports, digests


@pytest.fixture
def d1_only(nights, tmp_path):
    """A folder where only d1 has run, at tmp_path/state (a copy of the nightly folder after d1)."""
    folder = nights[0]
    return relocate(folder, folder.parent / (folder.name + "_d1_only"), tmp_path / "state")


def test_each_night_is_deduplicated_against_the_earlier_ones(nights):
    folder, reports, _ = nights
    for night in ("d2", "d3"):
        got = {doc_id: (r["dps_reason"], r["dup_of"], r["dup_of_run"])
               for doc_id, r in rejected_rows(folder, night).items()}
        expected = {new: (reason, old, old.split("-")[0]) for new, (old, reason) in CROSS.items()
                    if new.startswith(night)}
        assert {k: v for k, v in got.items() if v[0].endswith(":index")} == expected
        within = NIGHTS[night][0][0]
        assert got[f"{night}-w00"] == ("exact_dedup", within, night)  # within the night: dup_of_run = this run
        report = reports[night]
        assert report.invariant()[0]
        assert report.index["runs_seen"] == ["d1", "d2"][: int(night[1]) - 1]
    assert reports["d1"].index["runs_seen"] == [] and "dup_of_run" in rejected_rows(folder, "d1")["d1-w00"]


def test_index_holds_every_kept_document_once_per_run(nights):
    folder, reports, _ = nights
    manifest = IndexStore(LocalFS(), str(folder / "index")).latest()
    assert [(r.run_id, r.docs) for r in manifest.runs] == [(n, reports[n].totals()["kept"]) for n in ("d1", "d2", "d3")]
    for entry in manifest.runs:
        ids = pq.read_table(str(folder / "index" / entry.folder), columns=["id"]).column("id").to_pylist()
        kept = pq.read_table(str(folder / "out" / f"run_id={entry.run_id}"), columns=["id"]).column("id").to_pylist()
        assert sorted(ids) == sorted(kept)
    stats = json.loads(index_stats(str(folder / "index"), as_json=True))
    assert stats["runs"] == 3 and stats["documents"] == sum(r.totals()["kept"] for r in reports.values())


def test_nightly_keeps_what_one_run_over_all_nights_keeps(spark, nights, tmp_path):
    folder, _, _ = nights
    (tmp_path / "crawl").mkdir()
    for night in ("d1", "d2", "d3"):
        write_night(tmp_path / "crawl", night)
    run(make_config(tmp_path, None, index=False, paths=tmp_path / "crawl" / "*.jsonl"), spark, echo=quiet)
    at_once = set(pq.read_table(str(tmp_path / "out"), columns=["id"]).column("id").to_pylist())
    nightly = set(pq.read_table(str(folder / "out"), columns=["id"]).column("id").to_pylist())
    assert nightly == at_once


def test_rerunning_a_night_changes_nothing(spark, nights):
    folder, reports, digests = nights
    before = IndexStore(LocalFS(), str(folder / "index")).latest()
    for night in ("d2", "d1"):  # d1 after d2 and d3 were committed: it must not see them
        report = run(make_config(folder, night), spark, echo=quiet)
        assert digest(folder / "out" / f"run_id={night}") == digests[night]
        assert report.totals() == reports[night].totals()
    after = IndexStore(LocalFS(), str(folder / "index")).latest()
    assert [(r.run_id, r.seq, r.docs) for r in after.runs] == [(r.run_id, r.seq, r.docs) for r in before.runs]
    for night in ("d1", "d2"):  # one folder per run: the replaced attempts are gone
        assert os.listdir(folder / "index" / "runs" / night) == [after.entry(night).folder.rsplit("/", 1)[-1]]


def test_other_dedup_settings_against_an_existing_index_are_refused(spark, nights):
    folder, _, _ = nights
    from dps.config import ConfigError
    config = make_config(folder, "d4", paths=folder / "crawl" / "d3.jsonl",
                         extra=["stages.minhash_dedup.threshold=0.7"])
    with pytest.raises(ConfigError, match="other dedup settings.*minhash_dedup"):
        run(config, spark, echo=quiet)


# ----------------------------------------------------------------------------------------------- crash safety

def start_run(folder, night, pause_at=None):
    """`dps run` in its own process group (the Python driver and its JVM), killable as a whole."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    if pause_at:
        env["DPS_PAUSE_AT"] = pause_at
    return subprocess.Popen([sys.executable, "-m", "dps.cli", "run", str(folder / "nightly.yaml"), "--run-id", night,
                             "--set", f"input.paths={folder / 'crawl' / (night + '.jsonl')}"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def kill(proc):
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def wait_for(predicate, proc, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"dps exited early ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        time.sleep(0.05)
    kill(proc)
    raise AssertionError("timed out")


def index_state(folder):
    manifest = IndexStore(LocalFS(), str(folder / "index")).latest()
    return manifest.version, [(r.run_id, r.folder, r.docs) for r in manifest.runs]


def test_killed_runs_leave_the_committed_state_intact_and_the_rerun_succeeds(spark, d1_only):
    folder = d1_only  # d1 run and committed, as run(make_config(folder, "d1")) leaves it
    assert sorted(os.listdir(folder / "crawl")) == ["d1.jsonl"]
    write_night(folder / "crawl", "d2")
    before, first_output = index_state(folder), digest(folder / "out" / "run_id=d1")

    # 1. Killed while Spark writes d2's shards (its staging folder has task output).
    proc = start_run(folder, "d2")
    staging = lambda: [n for n in os.listdir(folder / "out") if n.startswith(".run_id=d2.dps-staging-")]  # noqa: E731
    wait_for(lambda: any(os.listdir(folder / "out" / s) for s in staging()), proc)
    kill(proc)
    assert index_state(folder) == before  # the index and the earlier output are untouched and readable
    assert digest(folder / "out" / "run_id=d1") == first_output
    assert not (folder / "out" / "run_id=d2").exists()  # nothing half-written looks complete

    # 2. Killed after d2's output was committed, before its index rows were.
    proc = start_run(folder, "d2", pause_at="output_committed")
    line = ""
    while "paused at output_committed" not in line:
        line = proc.stderr.readline()
        assert line or proc.poll() is None, "dps exited before the pause point"
    killed_output = digest(folder / "out" / "run_id=d2")
    kill(proc)
    assert index_state(folder) == before  # d2's index rows were written but never committed
    assert not staging()  # the first attempt's leftovers were cleared by the second

    # 3. The next attempt succeeds, with the same output, and d2 enters the index once.
    report = run(make_config(folder, "d2"), spark, echo=quiet)
    assert report.invariant()[0]
    assert digest(folder / "out" / "run_id=d2") == killed_output
    assert digest(folder / "out" / "run_id=d1") == first_output
    state = index_state(folder)
    assert [(r[0], r[2]) for r in state[1]] == [("d1", before[1][0][2]), ("d2", report.totals()["kept"])]
    assert len(os.listdir(folder / "index" / "runs" / "d2")) == 1  # the crashed attempts' rows were removed


def nightly_script(folder, *args, background=False):
    env = dict(os.environ, DPS_CONFIG=str(folder / "job.yaml"), DPS_INPUT_PATTERN=str(folder / "crawl" / "{date}"),
               DPS_LOG_DIR=str(folder / "logs"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    if not background:
        return subprocess.run(["bash", os.path.join(ROOT, "scripts", "nightly.sh"), *args], env=env,
                              capture_output=True, text=True, timeout=600)
    with open(folder / "script.out", "w") as out, open(folder / "script.err", "w") as err:
        return subprocess.Popen(["bash", os.path.join(ROOT, "scripts", "nightly.sh"), *args], env=env, stdout=out,
                                stderr=err, text=True, start_new_session=True)


@pytest.fixture(scope="module", autouse=True)
def nightly_script_day(request, tmp_path_factory):
    """scripts/nightly.sh run for one day (a cold `dps run`, ~one core), started when the module starts so that it
    runs beside the other tests' runs in this process; test_nightly_script_runs_a_day_and_says_why_it_fails waits
    for it. Not started when that test is not selected."""
    name = "test_nightly_script_runs_a_day_and_says_why_it_fails"
    if not any(item.name == name and item.module.__name__ == __name__ for item in request.session.items):
        yield None
        return
    folder = tmp_path_factory.mktemp("nightly_script")
    day = folder / "crawl" / "2026-11-20"
    day.mkdir(parents=True)
    write_night(day, "d1")
    (folder / "job.yaml").write_text(f"""
input: {{paths: unused, id_column: id}}
output: {{path: {folder / 'out'}, target_shard_mb: 1}}
index: {{path: {folder / 'index'}}}
run_id: placeholder
stages: [normalize, exact_dedup]
spark: {{master: "local[1]", driver_memory: 1g}}
""")
    proc = nightly_script(folder, "2026-11-20", background=True)
    try:
        yield folder, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)


def test_nightly_script_runs_a_day_and_says_why_it_fails(nightly_script_day):
    tmp_path, proc = nightly_script_day
    proc.wait(timeout=600)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, (tmp_path / "script.out").read_text(),
                                       (tmp_path / "script.err").read_text())
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "logs" / "dps-nightly-2026-11-20.log").read_text()
    assert "run 2026-11-20 done" in log and "OK: input 13 = kept 12" in log
    # A cron log gets plain progress lines, one per step at least, and no carriage-return progress bar.
    assert "\r" not in log and "[Stage" not in log
    assert "dps: exact_dedup: done in" in log and "dps: commit: done in" in log
    assert (tmp_path / "out" / "run_id=2026-11-20" / "_dps_report.json").exists()
    assert [r.run_id for r in IndexStore(LocalFS(), str(tmp_path / "index")).latest().runs] == ["2026-11-20"]

    missing = nightly_script(tmp_path, "2026-11-21")
    assert missing.returncode == 3 and "no input for 2026-11-21" in missing.stderr
    assert nightly_script(tmp_path, "2026-02-30").returncode == 2  # not a date
