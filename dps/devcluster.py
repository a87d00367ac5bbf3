"""A throwaway Spark standalone cluster on loopback, for the cluster test and scripts/bench_cluster.py.

One master and N workers are started from the pyspark installation (`spark-class ...deploy.master.Master` and
`...deploy.worker.Worker`), each worker with its own work dir, all bound to 127.0.0.1 on free ports. Every process
(master, workers, spark-submit drivers) is started in its own session and process group and stopped by that
group id; what left the group (PySpark's Python daemon makes its own process group) is found by session id and
stopped by pid. Not used by the pipeline itself.

    with StandaloneCluster(tmp_dir, workers=2) as cluster:
        result = cluster.submit(["--archives", "env.tar.gz#environment", "jobs/run_pipeline.py", ...])
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass


def spark_home() -> str:
    import pyspark

    return os.path.dirname(os.path.abspath(pyspark.__file__))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for cluster processes: no PYTHONPATH, no virtualenv, and the running venv's bin dir off
    PATH, so executors can only find what the job ships to them."""
    venv = os.path.abspath(sys.prefix) + os.sep if sys.prefix != sys.base_prefix else None  # never drop /usr
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and not (venv and (os.path.abspath(p) + os.sep).startswith(venv))]
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON",
                        "SPARK_HOME", "SPARK_CONF_DIR", "PYSPARK_GATEWAY_PORT", "PYSPARK_GATEWAY_SECRET")}
    env.update(PATH=os.pathsep.join(path), SPARK_HOME=spark_home(), SPARK_LOCAL_IP="127.0.0.1")
    env.update(extra or {})
    return env


@dataclass
class Submitted:
    returncode: int
    seconds: float
    log: str  # path of the driver's combined stdout/stderr
    stdout: str
    stderr: str


def worker_cleanup_opts(interval_s: int, app_data_ttl_s: int) -> str:
    """SPARK_WORKER_OPTS that make a standalone worker delete the folders of finished applications (each holds the
    job's unpacked environment archive, ~650 MB) once nothing in them is newer than `app_data_ttl_s` seconds,
    checking every `interval_s` seconds. Spark's default keeps them forever."""
    return (f"-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval={interval_s} "
            f"-Dspark.worker.cleanup.appDataTtl={app_data_ttl_s}")


class StandaloneCluster:
    def __init__(self, root: str, *, workers: int = 2, cores: int = 1, memory: str = "1g",
                 cleanup_interval_s: int = 600, app_data_ttl_s: int = 3600):
        self.root = os.path.abspath(root)
        self.n_workers, self.cores, self.memory = workers, cores, memory
        self.worker_opts = worker_cleanup_opts(cleanup_interval_s, app_data_ttl_s)
        self.procs: list[subprocess.Popen] = []
        self.started_sessions: list[int] = []  # every process started (each leads its own session), for checks
        self.master_url = ""
        self.ui_port = 0
        self.conf_dir = os.path.join(self.root, "conf")  # empty: no stray spark-defaults.conf applies
        self.log_dir = os.path.join(self.root, "logs")
        self.worker_dirs = [os.path.join(self.root, f"worker-{i}") for i in range(workers)]

    # ------------------------------------------------------------------------------------------------ lifecycle

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(os.path.join(self.log_dir, f"{name}.log"), "wb")
        try:
            env = clean_env({"SPARK_CONF_DIR": self.conf_dir, "SPARK_WORKER_OPTS": self.worker_opts})
            proc = subprocess.Popen([os.path.join(spark_home(), "bin", "spark-class"), *args],
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=True)
        finally:
            log.close()
        self.procs.append(proc)
        self.started_sessions.append(proc.pid)
        return proc

    def start(self, timeout: float = 90) -> "StandaloneCluster":
        for d in (self.conf_dir, self.log_dir, *self.worker_dirs):
            os.makedirs(d, exist_ok=True)
        try:
            port, self.ui_port = free_port(), free_port()
            self._spawn("master", ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                                   "--port", str(port), "--webui-port", str(self.ui_port)])
            self.master_url = f"spark://127.0.0.1:{port}"
            for i, work_dir in enumerate(self.worker_dirs):
                self._spawn(f"worker-{i}", ["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                            "--webui-port", str(free_port()), "--cores", str(self.cores),
                                            "--memory", self.memory, "--work-dir", work_dir, self.master_url])
            self._wait_for_workers(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_workers(self, timeout: float) -> None:
        """The master's JSON status page lists the workers that registered."""
        deadline, alive = time.time() + timeout, -1
        while time.time() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"a cluster process exited with code {proc.returncode}; "
                                       f"logs in {self.log_dir}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=2) as response:
                    alive = json.load(response).get("aliveworkers", 0)
                if alive >= self.n_workers:
                    return
            except (OSError, ValueError):
                pass  # master not up yet
            time.sleep(0.5)
        raise TimeoutError(f"{max(alive, 0)} of {self.n_workers} workers registered within {timeout:.0f}s; "
                           f"logs in {self.log_dir}")

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as response:
            return json.load(response)

    def stop(self, grace: float = 15) -> None:
        """SIGTERM each process group we started, SIGKILL what is left after `grace` seconds."""
        for proc in reversed(self.procs):
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.time() + grace
        for proc in reversed(self.procs):
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc.pid, signal.SIGKILL)  # executors that outlived their worker
            proc.wait()
        _kill_sessions([p.pid for p in self.procs])
        self.procs.clear()

    def __enter__(self) -> "StandaloneCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --------------------------------------------------------------------------------------------------- submit

    def submit(self, args: list[str], *, name: str = "submit", timeout: float = 600, cwd: str | None = None,
               env: dict[str, str] | None = None) -> Submitted:
        """Run `spark-submit --master <this cluster> ARGS` (client mode) to completion; on timeout its whole
        process group (driver JVM and driver Python) is killed and TimeoutError raised."""
        log_path = os.path.join(self.log_dir, f"{name}.log")
        command = [os.path.join(spark_home(), "bin", "spark-submit"), "--master", self.master_url, *args]
        started = time.time()
        with open(log_path + ".out", "wb") as out, open(log_path, "wb") as err:
            proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                    env=clean_env({"SPARK_CONF_DIR": self.conf_dir, **(env or {})}),
                                    start_new_session=True)
            self.started_sessions.append(proc.pid)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"spark-submit did not finish within {timeout:.0f}s; log: {log_path}") from None
            finally:
                _signal_group(proc.pid, signal.SIGKILL)  # whatever the driver left behind
                proc.wait()
                _kill_sessions([proc.pid])
        seconds = time.time() - started
        with open(log_path + ".out", encoding="utf-8", errors="replace") as fh:
            stdout = fh.read()
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            stderr = fh.read()
        return Submitted(proc.returncode, seconds, log_path, stdout, stderr)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def live_processes(session_ids: list[int]) -> list[int]:
    """Pids of running processes in any of these sessions (each process we start leads its own session)."""
    left = []
    wanted = set(session_ids)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) in wanted and fields[0] not in ("Z", "X"):
            left.append(int(entry))
    return left


def _kill_sessions(session_ids: list[int]) -> None:
    for pid in live_processes(session_ids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ------------------------------------------------------------------------------------------------ comparing outputs

def _parquet_difference(a: bytes, b: bytes) -> str:
    """Which part of two different Parquet files differs: the data pages or the footer."""
    footer_a, footer_b = (int.from_bytes(x[-8:-4], "little") + 8 for x in (a, b))
    return "data pages differ" if a[:-footer_a] != b[:-footer_b] else "footers differ"


def _page_without_paths(folder: str, report_file: str, page: str) -> str:
    """The run report page with this run's output paths (as its JSON report names them) replaced."""
    from html import escape

    with open(os.path.join(folder, report_file), encoding="utf-8") as fh:
        output = json.load(fh)["config"]["output"]
    with open(page, encoding="utf-8") as fh:
        text = fh.read()
    for key in ("path", "rejected_path"):
        if output.get(key):
            text = text.replace(escape(output[key]), f"<{key}>")
    return text


def compare_outputs(expected: str, got: str, *, config_may_differ: tuple[str, ...] = (),
                    report_file: str = "_dps_report.json", report_page: str = "_dps_report.html") -> list[str]:
    """Differences between two dps output folders (empty: the same): the file names, every file byte for byte
    (dps sorts the encodings in the footers of local Parquet output, see dps.spark.parquet_footer, so shards
    written by different JVMs are identical), the report except its run times, the output paths in its config and
    the config sections named in `config_may_differ` (e.g. "spark" when the runs had other Spark settings), and the
    report page except the output paths it shows."""
    differences = []
    names_a, names_b = sorted(os.listdir(expected)), sorted(os.listdir(got))
    if names_a != names_b:
        return [f"files differ: {names_a} != {names_b}"]
    for name in names_a:
        a, b = os.path.join(expected, name), os.path.join(got, name)
        if name == report_page:
            if _page_without_paths(expected, report_file, a) != _page_without_paths(got, report_file, b):
                differences.append(f"{name}: differs (other than in the output paths)")
        elif name == report_file:
            docs = []
            for path in (a, b):
                with open(path, encoding="utf-8") as fh:
                    doc = json.load(fh)
                doc.pop("run", None)  # when it ran and how long each step took
                doc["config"]["output"].pop("path")
                doc["config"]["output"].pop("rejected_path")
                for section in config_may_differ:
                    doc["config"].pop(section)
                docs.append(doc)
            if docs[0] != docs[1]:
                keys = sorted(k for k in docs[0] if docs[0][k] != docs[1].get(k))
                differences.append(f"{name}: differs in {', '.join(keys)}")
        else:
            with open(a, "rb") as fa, open(b, "rb") as fb:
                bytes_a, bytes_b = fa.read(), fb.read()
            if bytes_a != bytes_b:
                differences.append(f"{name}: " + (_parquet_difference(bytes_a, bytes_b) if name.endswith(".parquet")
                                                  else "bytes differ"))
    return differences
