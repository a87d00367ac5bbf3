"""spark-submit on a real Spark standalone cluster: a master and two workers (one core each, own work dirs) on
loopback, started from the pyspark installation, with the Python environment that scripts/package_env.sh builds
shipped by --archives. Executors must run that environment, not this test's venv; the sample job must give the
local-mode output even with a task failing once; every process started is stopped by id.
"""

import json
import os
import signal
import subprocess
import sys
import sysconfig
import time

import pytest

from dps.devcluster import StandaloneCluster, compare_outputs, java_available, live_processes, spark_home
from dps.spark.arrow import FAULT_CONF

pytestmark = [pytest.mark.spark, pytest.mark.cluster,
              pytest.mark.skipif(not java_available(), reason="needs Java (Spark)")]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "sample", "corpus.jsonl")


NEEDS_ENV = ("test_executors_run_the_shipped_environment",
             "test_sample_job_on_the_cluster_gives_the_local_output_despite_a_failed_task")


@pytest.fixture(scope="module", autouse=True)
def packing(tmp_path_factory, request):
    """scripts/package_env.sh building dist/dps-env.tar.gz into a temporary folder, started when the module starts
    (if a test that ships it is selected) and left running in the background: most of the build waits on disk and
    one core, so the cluster start, the local reference run and the tests that need no archive (the hanging driver,
    the cluster that fails to start: they come first in this file) overlap it on a small machine."""
    if not any(item.name in NEEDS_ENV and item.module.__name__ == __name__ for item in request.session.items):
        yield None
        return
    tmp = tmp_path_factory.mktemp("package_env")
    archive, log_path = tmp / "dps-env.tar.gz", tmp / "package_env.out"
    with open(log_path, "wb") as log:
        # --compress-level 1: the archive only travels over loopback here.
        proc = subprocess.Popen(["bash", os.path.join(ROOT, "scripts", "package_env.sh"), "--output", str(archive),
                                 "--build-dir", str(tmp / "build" / "dps-env"), "--compress-level", "1"],
                                env={**os.environ, "PYTHON": sys.executable}, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield proc, archive, log_path
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def packed_env(packing, request):
    """The archive of `packing`, once built."""
    proc, archive, log_path = packing
    request.getfixturevalue("cluster")
    request.getfixturevalue("sample_local")
    proc.wait(timeout=900)
    assert proc.returncode == 0, log_path.read_text(errors="replace")[-3000:]
    return str(archive)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # Workers delete a finished job's folder (its unpacked archive) within seconds here (1 hour by default).
    cluster = StandaloneCluster(str(tmp_path_factory.mktemp("standalone")), workers=2, cores=1, memory="1g",
                                cleanup_interval_s=2, app_data_ttl_s=3)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
    assert live_processes(cluster.started_sessions) == []


def submit(cluster, packed_env, args, name):
    return cluster.submit([
        "--archives", f"{packed_env}#environment",
        "--conf", "spark.pyspark.python=./environment/bin/python",  # executors: the unpacked archive
        "--conf", f"spark.pyspark.driver.python={sys.executable}",  # client-mode driver: this venv
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",  # both executors up before the first task
        "--driver-memory", "1g",
        *args], name=name, cwd=ROOT, timeout=600)


def test_a_hanging_driver_is_killed_with_its_children(cluster, tmp_path):
    marker = tmp_path / "driver.json"
    script = tmp_path / "hang.py"
    script.write_text("import json, os, sys, time\n"
                      f"open({str(marker)!r}, 'w').write(json.dumps([os.getpid(), os.getsid(0)]))\n"
                      "time.sleep(600)\n", encoding="utf-8")
    started = time.time()
    with pytest.raises(TimeoutError, match="spark-submit did not finish within 15s"):
        cluster.submit(["--conf", f"spark.pyspark.driver.python={sys.executable}", str(script)], name="hang",
                       timeout=15)
    assert time.time() - started < 60
    pid, session = json.loads(marker.read_text())  # the driver's Python had started
    assert live_processes([session]) == []


def test_a_cluster_that_fails_to_start_leaves_no_process(tmp_path):
    cluster = StandaloneCluster(str(tmp_path), workers=1, memory="not-a-size")  # the worker exits at once
    with pytest.raises(RuntimeError, match="a cluster process exited"):
        cluster.start(timeout=60)
    assert len(cluster.started_sessions) == 2 and cluster.procs == []
    assert live_processes(cluster.started_sessions) == []  # start() stopped what it had started


def test_executors_run_the_shipped_environment(packed_env, cluster, tmp_path):
    report = tmp_path / "env.json"
    result = submit(cluster, packed_env, [os.path.join(ROOT, "jobs", "check_env.py"), "--json", str(report),
                                          "--tasks", "2"], "check_env")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    check = json.loads(report.read_text(encoding="utf-8"))
    assert check["problems"] == []
    driver_site = sysconfig.get_paths()["purelib"]
    used_workers = set()
    for e in check["executors"]:
        worker = next(w for w in cluster.worker_dirs if e["cwd"].startswith(w + os.sep))
        used_workers.add(worker)
        env_dir = os.path.join(e["cwd"], "environment")
        assert e["python"] == os.path.join(env_dir, "bin", "python") and e["prefix"] == env_dir
        assert e["dps_file"].startswith(env_dir + os.sep) and e["dps_code"] == check["driver"]["dps_code"]
        for name, module in e["modules"].items():
            home = os.path.join(spark_home(), "python", "lib") if name == "pyspark" else env_dir
            assert module["file"].startswith(home + os.sep), (name, module["file"])
        assert e["kiwi_tokens"] > 0  # Kiwi loaded its model from the archive
        # Nothing from the driver's venv or this checkout, except the Spark installation's own pyspark.zip and
        # jars (pip's pyspark is the Spark installation here, and it may live in a venv inside the checkout).
        for entry in e["sys_path"]:
            if not entry.startswith(spark_home() + os.sep):
                assert not entry.startswith(driver_site) and entry != ROOT and not entry.startswith(ROOT + os.sep), \
                    entry
    assert used_workers == set(cluster.worker_dirs)


def test_sample_job_on_the_cluster_gives_the_local_output_despite_a_failed_task(packed_env, cluster, sample_local,
                                                                                 tmp_path):
    kept, rejected, local_report = sample_local
    result = submit(cluster, packed_env, [
        "--conf", f"{FAULT_CONF}=normalize:0",  # the first attempt of task 0 of the first Arrow pass fails
        "--conf", "spark.sql.shuffle.partitions=6",  # other partitioning than the local run's 4
        os.path.join(ROOT, "jobs", "run_pipeline.py"), "--config", os.path.join(ROOT, "configs", "sample.yaml"),
        "--set", f"input.paths={SAMPLE}",
        "--set", f"output.path={tmp_path / 'kept'}", "--set", f"output.rejected_path={tmp_path / 'rejected'}",
    ], "sample")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "dps: injected fault" in result.stderr  # an executor's task failed and was retried
    assert f"OK: input {local_report.input_records} = kept {local_report.totals()['kept']} " in result.stdout
    assert compare_outputs(kept, str(tmp_path / "kept")) == []
    assert compare_outputs(rejected, str(tmp_path / "rejected")) == []
    apps = {app["name"]: app["state"] for app in cluster.status()["completedapps"]}
    assert apps.get("dps") == "FINISHED"  # it ran on this cluster, not in a local master
    # The finished jobs' folders, each with an unpacked environment, do not pile up on the workers.
    deadline = time.time() + 60
    while any(os.listdir(w) for w in cluster.worker_dirs) and time.time() < deadline:
        time.sleep(1)
    assert [os.listdir(w) for w in cluster.worker_dirs] == [[]] * len(cluster.worker_dirs)
