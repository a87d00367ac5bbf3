"""Output safety without Spark: locks, recovery of killed runs, what dps may replace, index housekeeping."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from dps import outputs
from dps.config import ConfigError, load_config
from dps.dedup.index import IndexStore, index_check, index_stats, open_index
from dps.outputs import (OUTPUT, PROFILE, Lock, LocalFS, LockHeld, RunGuard, RunOptions, check_replaceable,
                         commit_folder, lock_path, recover)

fs = LocalFS()


def quiet(_message):
    pass


def write_lock(path, holder, age=0.0):
    file = lock_path(str(path))
    with open(file, "w") as fh:
        json.dump(holder, fh)
    if age:
        past = time.time() - age
        os.utime(file, (past, past))
    return file


# ------------------------------------------------------------------------------------------------------ locks

def test_a_second_run_on_the_same_output_is_refused_naming_the_holder(tmp_path):
    out = str(tmp_path / "out")
    first = Lock(fs, out, "output.path")
    first.acquire(quiet)
    try:
        with pytest.raises(LockHeld, match=rf"output.path: {out} is in use by another dps run: pid {os.getpid()} "
                                           rf"on {socket.gethostname()}.*--wait"):
            Lock(fs, out, "output.path").acquire(quiet)
    finally:
        first.release()
    assert not os.path.exists(lock_path(out))
    second = Lock(fs, out, "output.path")
    second.acquire(quiet)  # free again
    second.release()


def test_a_lock_whose_process_is_gone_is_taken_over(tmp_path):
    out = str(tmp_path / "out")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_lock(out, {"host": socket.gethostname(), "pid": dead.pid, "pid_start": "1", "token": "x"})
    said = []
    lock = Lock(fs, out, "output.path")
    lock.acquire(said.append)
    assert any("taking over" in s for s in said)
    assert json.loads(open(lock_path(out)).read())["token"] == lock.token
    lock.release()


def test_a_reused_pid_does_not_keep_a_dead_lock_alive(tmp_path):
    out = str(tmp_path / "out")
    # Our own pid, but another start time: the process that wrote the lock is gone and the pid was reused.
    write_lock(out, {"host": socket.gethostname(), "pid": os.getpid(), "pid_start": "-1", "token": "x"})
    lock = Lock(fs, out, "output.path")
    lock.acquire(quiet)
    lock.release()


def test_another_hosts_lock_is_live_until_it_stops_being_refreshed(tmp_path):
    out = str(tmp_path / "out")
    write_lock(out, {"host": "elsewhere", "pid": 1, "started_at": "2026-12-07T01:00:00Z", "token": "x"})
    with pytest.raises(LockHeld, match="pid 1 on elsewhere"):
        Lock(fs, out, "output.path").acquire(quiet)
    write_lock(out, {"host": "elsewhere", "pid": 1, "token": "x"}, age=outputs.STALE_LOCK_SECONDS + 60)
    lock = Lock(fs, out, "output.path")
    lock.acquire(quiet)
    lock.release()


def test_an_empty_lock_file_is_judged_by_its_age(tmp_path):
    out = str(tmp_path / "out")
    file = lock_path(out)
    open(file, "w").close()  # a kill while the lock was being written
    with pytest.raises(LockHeld, match="unreadable lock file"):
        Lock(fs, out, "output.path").acquire(quiet)
    past = time.time() - outputs.STALE_LOCK_SECONDS - 60
    os.utime(file, (past, past))
    Lock(fs, out, "output.path").acquire(quiet)


def test_wait_takes_the_lock_once_the_holder_releases_it(tmp_path):
    out = str(tmp_path / "out")
    first = Lock(fs, out, "output.path")
    first.acquire(quiet)
    threading.Timer(1.0, first.release).start()
    started = time.time()
    second = Lock(fs, out, "output.path")
    second.acquire(quiet, wait=30)
    assert 0.9 < time.time() - started < 20
    second.release()
    third = Lock(fs, out, "output.path")
    third.acquire(quiet)
    with pytest.raises(LockHeld, match="still in use after waiting"):
        Lock(fs, out, "output.path").acquire(quiet, wait=0.5)
    third.release()


def test_release_never_deletes_a_lock_taken_over_by_another_run(tmp_path):
    out = str(tmp_path / "out")
    lock = Lock(fs, out, "output.path")
    lock.acquire(quiet)
    write_lock(out, {"host": "elsewhere", "pid": 5, "token": "someone-else"})
    lock.release()
    assert json.loads(open(lock_path(out)).read())["token"] == "someone-else"


def test_a_read_only_place_is_one_config_error_before_any_work(tmp_path):
    config = _config(tmp_path, output="/proc/dps-out")
    with pytest.raises(ConfigError, match="cannot write beside the outputs"):
        RunGuard(lambda _p: fs, config, RunOptions(), quiet).open()


# ---------------------------------------------------------------------------------------------------- recovery

def _folder(path, files=("part-00000.zstd.parquet", "_dps_report.json")):
    os.makedirs(path)
    for name in files:
        with open(os.path.join(path, name), "w") as fh:
            fh.write(name)


def test_recover_removes_staging_and_restores_an_output_moved_aside(tmp_path):
    out = tmp_path / "run_id=1"
    _folder(tmp_path / ".run_id=1.dps-staging-0123456789ab")
    _folder(tmp_path / "run_id=1.dps-staging-0123456789ac")  # visible name of dps versions before hidden ones
    _folder(tmp_path / ".run_id=1.dps-old-0123456789ad")  # killed between "out -> old" and "staging -> out"
    _folder(tmp_path / "run_id=1.dps-staging-notes")  # not a dps name: never touched
    _folder(tmp_path / ".run_id=10.dps-staging-0123456789ae")  # another output's: never touched
    recover(fs, str(out), quiet)
    assert sorted(os.listdir(tmp_path)) == [".run_id=10.dps-staging-0123456789ae", "run_id=1",
                                            "run_id=1.dps-staging-notes"]
    assert sorted(os.listdir(out)) == ["_dps_report.json", "part-00000.zstd.parquet"]


def test_recover_deletes_an_old_copy_once_its_replacement_is_in_place(tmp_path):
    out = tmp_path / "out"
    _folder(out)
    _folder(tmp_path / "out.dps-old-0123456789ab")
    _folder(tmp_path / ".out.dps-old-0123456789ac")
    recover(fs, str(out), quiet)
    assert os.listdir(tmp_path) == ["out"]


def test_commit_folder_never_leaves_the_path_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("DPS_NO_RENAME_EXCHANGE", "1")  # the two-rename commit of file systems without an exchange
    out, staging = tmp_path / "out", tmp_path / ".out.dps-staging-0123456789ab"
    _folder(out, ["_dps_report.json", "old"])
    _folder(staging, ["_dps_report.json", "new"])
    real_rename = fs.rename

    def failing_rename(src, dst):
        if src == str(staging):
            raise OSError("injected")
        real_rename(src, dst)

    monkeypatch.setattr(fs, "rename", failing_rename)
    with pytest.raises(OSError, match="injected"):
        commit_folder(fs, str(out), str(staging), "0123456789ab")
    assert sorted(os.listdir(out)) == ["_dps_report.json", "old"]  # the previous output is back
    monkeypatch.setattr(fs, "rename", real_rename)
    commit_folder(fs, str(out), str(staging), "0123456789ab")
    assert sorted(os.listdir(out)) == ["_dps_report.json", "new"]
    assert os.listdir(tmp_path) == ["out"]


# --------------------------------------------------------------------------------------------------- ownership

def test_only_folders_dps_wrote_are_replaced(tmp_path):
    check_replaceable(fs, str(tmp_path / "absent"), OUTPUT, "output.path")
    (tmp_path / "empty").mkdir()
    check_replaceable(fs, str(tmp_path / "empty"), OUTPUT, "output.path")
    _folder(tmp_path / "dps", ["part-00000.zstd.parquet", "part-00001.zstd.parquet", "_dps_report.json",
                               "_dps_report.html", "_SUCCESS", ".part-00000.zstd.parquet.crc"])
    check_replaceable(fs, str(tmp_path / "dps"), OUTPUT, "output.path")

    _folder(tmp_path / "project", ["notes.md"])
    os.makedirs(tmp_path / "project" / "configs")
    with pytest.raises(ConfigError, match=r"output.path: .*project exists and is not a dps output \(configs, "
                                          r"notes.md\).*--replace-unknown-output"):
        check_replaceable(fs, str(tmp_path / "project"), OUTPUT, "output.path", force_hint="--replace-unknown-output")
    _folder(tmp_path / "no_marker", ["part-00000.zstd.parquet"])  # Spark's output, not dps's
    with pytest.raises(ConfigError, match=r"no _dps_report.json"):
        check_replaceable(fs, str(tmp_path / "no_marker"), OUTPUT, "output.path")
    _folder(tmp_path / "extra", ["part-00000.zstd.parquet", "_dps_report.json", "README.txt"])
    with pytest.raises(ConfigError, match=r"README.txt"):
        check_replaceable(fs, str(tmp_path / "extra"), OUTPUT, "output.path")

    _folder(tmp_path / "nightly", ["_dps_nightly.json"])
    _folder(tmp_path / "nightly" / "run_id=2026-12-01")
    with pytest.raises(ConfigError, match=r"holds nightly runs \(run_id=2026-12-01\).*--run-id"):
        check_replaceable(fs, str(tmp_path / "nightly"), OUTPUT, "output.path")
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        check_replaceable(fs, str(tmp_path / "a_file"), OUTPUT, "output.path")
    for forced in ("project", "nightly", "extra"):
        check_replaceable(fs, str(tmp_path / forced), OUTPUT, "output.path", force=True)
    _folder(tmp_path / "profile", ["profile.json", "profile.html", "gopher_quality_words.png"])
    check_replaceable(fs, str(tmp_path / "profile"), PROFILE, "--out")


def _config(tmp_path, *, output=None, index=None, run_id=None):
    (tmp_path / "in.jsonl").write_text('{"text": "x"}\n')
    cfg = tmp_path / "job.yaml"
    cfg.write_text(json.dumps({"input": {"paths": str(tmp_path / "in.jsonl")},
                               "output": {"path": output or str(tmp_path / "out")},
                               **({"index": {"path": index}} if index else {}),
                               **({"run_id": run_id} if run_id else {}),
                               "stages": ["normalize", "exact_dedup"]}))
    return load_config(str(cfg))


def test_a_night_without_the_index_its_root_was_written_with_is_refused(tmp_path):
    out = tmp_path / "out"
    _folder(out / "run_id=d1")
    (out / "_dps_nightly.json").write_text(json.dumps({"index": str(tmp_path / "index")}))
    for config in (_config(tmp_path, run_id="d2"), _config(tmp_path, run_id="d2", index=str(tmp_path / "other"))):
        with pytest.raises(ConfigError, match=r"index.path: the nightly outputs in .*out were deduplicated with the "
                                              r"index .*index; this run (has no index.path|uses .*other).*DPS_INDEX.*"
                                              r"--without-index"):
            RunGuard(lambda _p: fs, config, RunOptions(), quiet).open()
    RunGuard(lambda _p: fs, _config(tmp_path, run_id="d2"), RunOptions(without_index=True), quiet).open().close()
    RunGuard(lambda _p: fs, _config(tmp_path, run_id="d2", index=str(tmp_path / "index")), RunOptions(),
             quiet).open().close()


def test_a_root_from_before_the_marker_is_judged_by_the_nights_report(tmp_path):
    out = tmp_path / "out"
    _folder(out / "run_id=d1")
    (out / "run_id=d1" / "_dps_report.json").write_text(json.dumps({"index": {"path": "/x/index"}}))
    with pytest.raises(ConfigError, match="deduplicated with the index /x/index"):
        RunGuard(lambda _p: fs, _config(tmp_path, run_id="d1"), RunOptions(), quiet).open()


def test_the_guard_locks_every_output_and_the_index(tmp_path):
    config = _config(tmp_path, run_id="d1", index=str(tmp_path / "index"))
    guard = RunGuard(lambda _p: fs, config, RunOptions(), quiet).open()
    try:
        with pytest.raises(LockHeld, match="index.path"):
            Lock(fs, str(tmp_path / "index"), "index.path", lock_file=str(tmp_path / "index" / ".dps-lock")
                 ).acquire(quiet)
        with pytest.raises(LockHeld, match="output.path"):
            RunGuard(lambda _p: fs, _config(tmp_path, run_id="d1"), RunOptions(), quiet).open()
    finally:
        guard.close()
    assert not [n for n in os.listdir(tmp_path / "out") if n.endswith(".dps-lock")]


# ------------------------------------------------------------------------------------------------------- index

SETTINGS = {"format": 1, "id_column": None, "exact_dedup": {"lowercase": False, "strip_punctuation": False},
            "minhash_dedup": None}


def _index(tmp_path, runs=("d1", "d2")):
    store = IndexStore(fs, str(tmp_path / "index"))
    for run_id in runs:
        folder = store.new_folder(run_id)
        _folder(tmp_path / "index" / folder, ["part-00000.zstd.parquet"])
        store.commit(run_id, folder, 3, SETTINGS, store.latest().version if store.latest() else 0)
    return store


def test_an_unreadable_newest_manifest_falls_back_to_the_one_before(tmp_path):
    store = _index(tmp_path)
    manifests = tmp_path / "index" / "_manifest"
    (manifests / "000000000002.json").write_text("")  # power loss: the file exists, its bytes never arrived
    manifest = store.latest()
    assert manifest.version == 1 and [r.run_id for r in manifest.runs] == ["d1"]
    assert "000000000002.json is unreadable" in store.problems[0] and "rerun them" in store.problems[1]
    config = _config(tmp_path, run_id="d2", index=str(tmp_path / "index"))
    said = []
    view = open_index(fs, config, SETTINGS, said.append)
    assert [r.run_id for r in view.runs] == ["d1"] and any("unreadable" in s for s in said)
    # The next commit goes above the unreadable file, which stays for inspection.
    folder = store.new_folder("d2")
    _folder(tmp_path / "index" / folder, ["part-00000.zstd.parquet"])
    assert store.commit("d2", folder, 3, SETTINGS, view.base_version).version == 3
    assert sorted(os.listdir(manifests)) == ["000000000001.json", "000000000002.json", "000000000003.json"]
    assert "problem" not in index_stats(str(tmp_path / "index"))  # repaired by the commit above it


def test_no_readable_manifest_is_one_line_saying_how_to_repair(tmp_path):
    _index(tmp_path, runs=("d1",))
    (tmp_path / "index" / "_manifest" / "000000000001.json").write_text('{"version": 1, "set')
    with pytest.raises(ConfigError, match=r"index.path: no readable manifest in .*restore the folder"):
        IndexStore(fs, str(tmp_path / "index")).latest()


def test_unfinished_manifests_and_unnamed_attempts_are_removed_under_the_lock(tmp_path):
    store = _index(tmp_path)
    manifests = tmp_path / "index" / "_manifest"
    (manifests / ".000000000003.deadbeef.tmp").write_text("{")
    _folder(tmp_path / "index" / "runs" / "d2" / "0123456789abcdef", ["part-00000.zstd.parquet"])
    removed = store.remove_leftovers(store.latest())
    assert sorted(removed) == ["_manifest/.000000000003.deadbeef.tmp", "runs/d2/0123456789abcdef"]
    assert len(os.listdir(tmp_path / "index" / "runs" / "d2")) == 1


def test_a_missing_run_folder_stops_the_run_and_shows_in_stats(tmp_path):
    store = _index(tmp_path)
    entry = store.latest().entry("d1")
    import shutil
    shutil.rmtree(tmp_path / "index" / entry.folder)
    with pytest.raises(ConfigError, match=r"names folders that are missing: runs/d1/.*\(run d1\)"):
        open_index(fs, _config(tmp_path, run_id="d3", index=str(tmp_path / "index")), SETTINGS, quiet)
    stats = index_stats(str(tmp_path / "index"))
    assert "MISSING" in stats and "0.0" not in stats.splitlines()[2]
    assert json.loads(index_stats(str(tmp_path / "index"), as_json=True))["per_run"][0]["missing"] is True


def test_index_check_compares_the_index_with_the_published_nights(tmp_path):
    _index(tmp_path)
    out = tmp_path / "out"
    for night in ("d1", "d2"):
        _folder(out / f"run_id={night}")
        (out / f"run_id={night}" / "_dps_report.json").write_text(json.dumps(
            {"totals": {"kept": 3}, "index": {"path": str(tmp_path / "index")}}))
    ok, text = index_check(str(tmp_path / "index"), str(out))
    assert ok, text
    _folder(out / "run_id=d3")  # a night written without the index
    (out / "run_id=d3" / "_dps_report.json").write_text(json.dumps({"totals": {"kept": 5}}))
    (out / "run_id=d2" / "_dps_report.json").write_text(json.dumps({"totals": {"kept": 4}, "index": {
        "path": str(tmp_path / "index")}}))
    ok, text = index_check(str(tmp_path / "index"), str(out))
    assert not ok
    assert "d2" in text and "counts differ" in text
    assert "d3" in text and "published without the index" in text


def test_commit_exchanges_atomically_where_it_can_and_renames_twice_elsewhere(tmp_path, monkeypatch):
    for exchange in (True, False):
        if not exchange:
            monkeypatch.setenv("DPS_NO_RENAME_EXCHANGE", "1")
        folder = tmp_path / str(exchange)
        out, staging = folder / "out", folder / ".out.dps-staging-0123456789ab"
        _folder(out, ["_dps_report.json", "old"])
        _folder(staging, ["_dps_report.json", "new"])
        seen = []
        commit_folder(fs, str(out), str(staging), "0123456789ab", crash_point=seen.append)
        assert sorted(os.listdir(out)) == ["_dps_report.json", "new"] and os.listdir(folder) == ["out"]
        assert seen == (["output:swapped_in"] if exchange else ["output:moved_aside", "output:swapped_in"])


def test_machine_conditions_mid_run_are_one_line_that_says_the_output_is_untouched():
    from dps.cli import _spark_user_error

    exc = RuntimeError("Job aborted.\n  at org.apache.spark...\nCaused by: java.io.IOException: No space left on "
                       "device (file:/data/.out.dps-staging-0123456789ab/part-00000.zstd.parquet)\n\tat ...")
    message = _spark_user_error(exc)
    assert message.startswith("no space left on device (file:/data/.out.dps-staging-0123456789ab/part-00000")
    assert "previous output is untouched" in message and "\n" not in message
    assert "make the output folder writable" in _spark_user_error(OSError("Permission denied: /data/out"))
    assert _spark_user_error(ValueError("something else")) is None


def test_a_held_lock_exits_2_with_one_line(tmp_path, capsys):
    from dps.cli import main

    config = _config(tmp_path)
    lock = Lock(fs, config.output.path, "output.path")
    lock.acquire(quiet)
    try:
        guard = RunGuard(lambda _p: fs, config, RunOptions(), quiet)
        with pytest.raises(LockHeld) as held:
            guard.open()
        assert isinstance(held.value, ConfigError)  # so `dps run` prints it as one line and exits 2
    finally:
        lock.release()
    assert main(["run", str(tmp_path / "job.yaml"), "--wait", "-1"]) == 2
    assert "--wait: expected a number of seconds >= 0" in capsys.readouterr().err
