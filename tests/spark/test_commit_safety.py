"""Commit safety with real processes: SIGKILL at every file operation of the commit (output, rejected, index),
two runs on one output, folders dps did not write, a night rerun without its index.

After each kill, readers of the output roots see either the previous or the new night, never both, neither or
a temporary folder; after the rerun, everything equals an uninterrupted run's, byte for byte, and no leftover
(hidden or not) remains.
"""

import json
import os
import shutil
import signal
import subprocess
import sys

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from dps.config import ConfigError
from dps.dedup.index import IndexStore, index_check
from dps.outputs import LockHeld, RunOptions
from dps.pipeline import run
from tests.spark.test_nightly_e2e import NIGHTS, digest, quiet, write_night
from tests.spark.test_nightly_e2e import relocate as relocate_copy
from tests.spark.test_nightly_e2e import make_config as nightly_config

pytestmark = pytest.mark.spark

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Local Linux file systems swap a folder in with one atomic exchange; the two-rename commit used elsewhere (HDFS,
# S3, NFS) is forced with DPS_NO_RENAME_EXCHANGE for the points that only it has.
CRASH_POINTS = ["output:staged", "output:swapped_in", "rejected:staged", "rejected:swapped_in", "output_committed",
                "index:manifest_written", "index:committed", "output:final_report_written",
                "output:moved_aside/renames"]


def make_config(folder, night, *, index=True, paths=None, extra=()):
    """The nightly test's config with a shorter chain: the commit is the same, the killed runs start faster."""
    return nightly_config(folder, night, index=index, paths=paths, extra=("stages=[normalize, exact_dedup]", *extra))


def write_partial(folder, night, rows):
    path = folder / f"{night}-partial.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for doc_id, text in NIGHTS[night][:rows]:
            fh.write(json.dumps({"id": doc_id, "source": "news", "text": text}, ensure_ascii=False) + "\n")
    return path


def prepare(folder, spark):
    """d1 committed, and d2 committed once from part of its crawl: the state a rerun of d2 replaces."""
    (folder / "crawl").mkdir(parents=True)
    for night in ("d1", "d2"):
        write_night(folder / "crawl", night)
    partial = write_partial(folder / "crawl", "d2", 8)
    run(make_config(folder, "d1"), spark, echo=quiet)
    run(make_config(folder, "d2", paths=partial), spark, echo=quiet)


def state(folder):
    """Everything a reader or the next run could see: data files, reports, index rows per run."""
    out = {}
    for root in ("out", "rejected"):
        for night in ("d1", "d2"):
            path = folder / root / f"run_id={night}"
            out[f"{root}/{night}"] = digest(path)
            out[f"{root}/{night}/totals"] = json.loads((path / "_dps_report.json").read_text())["totals"]
    manifest = IndexStore(__import__("dps.outputs", fromlist=["LocalFS"]).LocalFS(), str(folder / "index")).latest()
    out["index"] = [(r.run_id, r.seq, r.docs, sorted(pq.read_table(str(folder / "index" / r.folder), columns=["id"])
                                                     .column("id").to_pylist())) for r in manifest.runs]
    return out


def visible_ids(root):
    """What pyarrow's dataset reader (which skips '.' and '_' names, like Spark and Hadoop) reads from a root."""
    table = ds.dataset(str(root), format="parquet", partitioning="hive").to_table(columns=["id"])
    return sorted(table.column("id").to_pylist())


def night_ids(folder, root, night):
    if not (folder / root / f"run_id={night}").exists():
        return []
    return sorted(pq.read_table(str(folder / root / f"run_id={night}"), columns=["id"]).column("id").to_pylist())


def start_run(folder, night, env_extra, stderr=subprocess.PIPE):
    env = dict(os.environ, PYTHONPATH=ROOT, **env_extra)
    return subprocess.Popen([sys.executable, "-m", "dps.cli", "run", str(folder / "nightly.yaml"), "--run-id", night,
                             "--set", f"input.paths={folder / 'crawl' / (night + '.jsonl')}",
                             "--set", "stages=[normalize, exact_dedup]", "--set", "spark.master=local[2]",
                             "--set", "spark.driver_memory=512m",
                             "--set", "spark.settings.spark.sql.shuffle.partitions=2"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True,
                            start_new_session=True)


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def leftovers(folder):
    found = []
    for root in ("out", "rejected"):
        found += [f"{root}/{n}" for n in os.listdir(folder / root) if n.startswith(".")]
    found += [f"index/_manifest/{n}" for n in os.listdir(folder / "index" / "_manifest") if n.startswith(".")]
    found += [f"index/{n}" for n in os.listdir(folder / "index") if n.startswith(".")]
    return found


def relocate(prepared, dst):
    """A copy of the prepared state at dst, as prepare(dst) leaves it (the paths in it rewritten): two runs in Spark
    saved per copy."""
    return relocate_copy(*prepared, dst)


@pytest.fixture(scope="module")
def prepared(spark, tmp_path_factory):
    """prepare() once, kept as a template: (the folder it ran in, the template copy)."""
    base = tmp_path_factory.mktemp("commit_safety")
    prepare(base / "origin", spark)
    shutil.copytree(base / "origin", base / "template")
    return base / "origin", base / "template"


@pytest.fixture(scope="module")
def template(spark, prepared):
    """The prepared state's readers' view of d2 and the state an uninterrupted rerun of d2 ends in."""
    work = prepared[0]  # the template itself stays untouched
    previous = {root: night_ids(work, root, "d2") for root in ("out", "rejected")}
    run(make_config(work, "d2"), spark, echo=quiet)
    expected = state(work)
    new = {root: night_ids(work, root, "d2") for root in ("out", "rejected")}
    assert previous != new  # the crashed run changes the night, so readers could tell old from new
    return expected, previous, new


class KilledRuns:
    """The `dps run` killed at each crash point, each on its own copy of the prepared state. While a test checks
    one killed run and reruns it in this process, the next selected point's run is already going in the
    background: a cold `dps run` (a new JVM) is ~15 s of mostly one core, so on a small machine the two overlap."""

    def __init__(self, prepared, points):
        self.prepared, self.points, self.started = prepared, points, {}

    def start(self, point):
        if point in self.started:
            return
        work = relocate(self.prepared, self.prepared[0].parent / f"crash{CRASH_POINTS.index(point)}")
        name, _, renames = point.partition("/")
        with open(f"{work}.err", "w") as err:
            proc = start_run(work, "d2", {"DPS_CRASH_AT": name, **({"DPS_NO_RENAME_EXCHANGE": "1"} if renames else {})},
                             stderr=err)
        self.started[point] = work, proc

    def killed(self, point):
        """(work folder, return code, stderr) of the run killed at this point."""
        self.start(point)
        later = self.points[self.points.index(point) + 1:] if point in self.points else []
        if later:
            self.start(later[0])
        work, proc = self.started[point]
        try:
            proc.wait(timeout=300)
        finally:
            kill_group(proc)  # the JVM child of the killed driver
        with open(f"{work}.err") as fh:
            return work, proc.returncode, fh.read()

    def close(self):
        for _, proc in self.started.values():
            kill_group(proc)


@pytest.fixture(scope="module")
def killed_runs(prepared, request):
    name = "test_a_kill_at_any_commit_step_leaves_old_or_new_and_the_rerun_ends_as_if_uninterrupted"
    points = [item.callspec.params["point"] for item in request.session.items
              if getattr(item, "originalname", None) == name and item.module.__name__ == __name__]
    runs = KilledRuns(prepared, points)
    yield runs
    runs.close()


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_kill_at_any_commit_step_leaves_old_or_new_and_the_rerun_ends_as_if_uninterrupted(spark, template,
                                                                                           killed_runs, point):
    expected, previous, new = template
    work, returncode, err = killed_runs.killed(point)
    point, _, renames = point.partition("/")
    assert returncode == -signal.SIGKILL, err[-2000:]
    assert f"crashing at {point}" in err

    # What readers see now: for each root, d1 and one whole version of d2 (or, killed between the two renames of
    # a file system without an atomic exchange, d1 alone until the next run renames the previous d2 back).
    for root in ("out", "rejected"):
        d1 = night_ids(work, root, "d1")
        seen = visible_ids(work / root)
        allowed = [sorted(d1 + previous[root]), sorted(d1 + new[root])]
        if point.endswith("moved_aside") and point.startswith("output" if root == "out" else "rejected"):
            allowed.append(sorted(d1))
        assert seen in allowed, (root, point)
        assert spark.read.parquet(str(work / root)).count() == len(seen)
    assert any(n.startswith(".") for n in os.listdir(work / "out") + os.listdir(work / "rejected")
               + os.listdir(work / "index" / "_manifest") + os.listdir(work / "index"))  # something to clean

    report = run(make_config(work, "d2"), spark, echo=quiet)
    assert report.invariant()[0]
    assert state(work) == expected
    assert leftovers(work) == []
    assert sorted(os.listdir(work / "out")) == ["_dps_nightly.json", "run_id=d1", "run_id=d2"]
    assert len(os.listdir(work / "index" / "runs" / "d2")) == 1
    assert index_check(str(work / "index"), str(work / "out"))[0]


def test_a_second_run_on_the_same_output_is_refused_and_takes_over_once_the_first_is_gone(spark, prepared, tmp_path):
    tmp_path = relocate(prepared, tmp_path / "state")
    before = digest(tmp_path / "out" / "run_id=d2")
    first = start_run(tmp_path, "d2", {"DPS_PAUSE_AT": "staged"})
    try:
        line = ""
        while "paused at staged" not in line:
            line = first.stderr.readline()
            assert line or first.poll() is None, "dps exited before the pause point"
        with pytest.raises(LockHeld, match=rf"in use by another dps run: pid {first.pid} "):
            run(make_config(tmp_path, "d2"), spark, echo=quiet)
        assert digest(tmp_path / "out" / "run_id=d2") == before  # the refused run touched nothing
        assert [n for n in os.listdir(tmp_path / "out") if "dps-staging" in n]  # the first run's work is intact
    finally:
        kill_group(first)
    said = []
    report = run(make_config(tmp_path, "d2"), spark, echo=said.append)
    assert any("taking over the lock of a run that is gone" in s for s in said)
    assert any("staging folder of a killed run" in s for s in said)
    assert night_ids(tmp_path, "out", "d2") == sorted(r[0] for r in NIGHTS["d2"] if r[0] in
                                                     set(night_ids(tmp_path, "out", "d2")))
    assert len(night_ids(tmp_path, "out", "d2")) == report.totals()["kept"] > 0
    assert leftovers(tmp_path) == []


def test_a_folder_dps_did_not_write_is_never_replaced(spark, tmp_path):
    (tmp_path / "crawl").mkdir()
    write_night(tmp_path / "crawl", "d1")
    project = tmp_path / "out"
    (project / "configs").mkdir(parents=True)
    (project / "notes.md").write_text("keep me")
    config = make_config(tmp_path, None, index=False, paths=tmp_path / "crawl" / "d1.jsonl")
    with pytest.raises(ConfigError, match=r"output.path: .*out exists and is not a dps output \(configs, notes.md\)"):
        run(config, spark, echo=quiet)
    assert sorted(os.listdir(project)) == ["configs", "notes.md"]
    # The root of nightly outputs, rerun without --run-id: refused, every night kept.
    shutil.rmtree(project)
    run(make_config(tmp_path, "d1", index=False), spark, echo=quiet)
    with pytest.raises(ConfigError, match=r"holds nightly runs \(run_id=d1\).*--run-id"):
        run(config, spark, echo=quiet)
    assert (project / "run_id=d1" / "_dps_report.json").exists()
    # Forced: replaced as asked.
    run(config, spark, echo=quiet, options=RunOptions(replace_unknown_output=True))
    assert "_dps_report.json" in os.listdir(project) and "run_id=d1" not in os.listdir(project)


def test_a_night_rerun_without_its_index_is_refused(spark, prepared, tmp_path):
    tmp_path = relocate(prepared, tmp_path / "state")
    before = digest(tmp_path / "out" / "run_id=d2")
    with pytest.raises(ConfigError, match=r"index.path: the nightly outputs in .* were deduplicated with the index "
                                          r".*this run has no index.path.*--without-index"):
        run(make_config(tmp_path, "d2", index=False), spark, echo=quiet)
    with pytest.raises(ConfigError, match="has no index.path"):  # a new night too
        run(make_config(tmp_path, "d3", index=False, paths=tmp_path / "crawl" / "d2.jsonl"), spark, echo=quiet)
    assert digest(tmp_path / "out" / "run_id=d2") == before
    assert index_check(str(tmp_path / "index"), str(tmp_path / "out"))[0]
    # Forced, the night is published undeduplicated, and `dps index check` says so.
    run(make_config(tmp_path, "d3", index=False, paths=tmp_path / "crawl" / "d2.jsonl"), spark, echo=quiet,
        options=RunOptions(without_index=True))
    ok, text = index_check(str(tmp_path / "index"), str(tmp_path / "out"))
    assert not ok and "d3" in text and "published without the index" in text


def test_a_corrupt_latest_manifest_falls_back_and_the_next_run_repairs_it(spark, prepared, tmp_path):
    tmp_path = relocate(prepared, tmp_path / "state")
    manifests = tmp_path / "index" / "_manifest"
    newest = sorted(os.listdir(manifests))[-1]
    (manifests / newest).write_text("")  # power loss after the rename, before the bytes reached the disk
    said = []
    report = run(make_config(tmp_path, "d2"), spark, echo=said.append)  # d2 was in the lost manifest: rerun it
    assert any("unreadable" in s for s in said) and report.invariant()[0]
    assert [r.run_id for r in IndexStore(__import__("dps.outputs", fromlist=["LocalFS"]).LocalFS(),
                                         str(tmp_path / "index")).latest().runs] == ["d1", "d2"]
    assert index_check(str(tmp_path / "index"), str(tmp_path / "out"))[0]


def test_a_file_is_renamed_over_another_through_hadoop_as_on_hdfs(spark, tmp_path):
    """The final report replaces the committed one; HDFS and S3 do it with FileContext's rename OVERWRITE."""
    from dps.spark.io import HadoopFS

    fs = HadoopFS(spark, str(tmp_path))
    fs.local = False  # the remote code path, on a local folder
    (tmp_path / "new").write_text("final")
    (tmp_path / "report.json").write_text("first")
    fs.replace(str(tmp_path / "new"), str(tmp_path / "report.json"))
    assert (tmp_path / "report.json").read_text() == "final"
    assert sorted(n for n in os.listdir(tmp_path) if not n.endswith(".crc")) == ["report.json"]
