#!/usr/bin/env python3
"""Wall time of dps jobs on a 2-worker Spark standalone cluster (loopback) against Spark local mode.

    flock /tmp/spark.lock python scripts/bench_cluster.py [--data ../shared/data] [--archive dist/dps-env.tar.gz]

Jobs: configs/sample.yaml on the bundled sample, and configs/korean_web.yaml on every *.jsonl file in --data.
Each runs once in local mode (`dps run ... --set spark.master=local[N]`, N = total worker cores) and once with
spark-submit to a cluster of --workers workers (--cores and --worker-memory each) started by dps.devcluster, with
the environment from scripts/package_env.sh shipped by --archives (built fresh unless --archive is given).
Wall times are whole commands: JVM start, shipping and unpacking the archive, the job. Prints the exact
spark-submit commands, the peak memory of the executors' JVMs and Python workers, and checks that cluster and
local outputs are the same (dps.devcluster.compare_outputs). The cluster start-up is timed separately.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

from _common import DATA_DIR, data_files, scratch_folder  # noqa: E402
from dps.devcluster import StandaloneCluster, compare_outputs, live_processes  # noqa: E402


class ExecutorMemory(threading.Thread):
    """Peak resident memory of the processes in the cluster's sessions: executor JVMs and Python workers."""

    def __init__(self, cluster: StandaloneCluster):
        super().__init__(daemon=True)
        # Executors live in their worker's session; the master and worker JVMs themselves are not counted.
        self.daemons = {p.pid for p in cluster.procs}
        self.peak_jvm = self.peak_python = self.peak_python_total = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.3):
            python_total = 0
            for pid in live_processes(sorted(self.daemons)):
                if pid in self.daemons:
                    continue
                try:
                    with open(f"/proc/{pid}/status") as fh:
                        fields = dict(line.split(":", 1) for line in fh if ":" in line)
                except OSError:
                    continue
                rss = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
                if fields["Name"].strip().startswith("python"):
                    self.peak_python = max(self.peak_python, rss)
                    python_total += rss
                elif fields["Name"].strip() == "java":
                    self.peak_jvm = max(self.peak_jvm, rss)
            self.peak_python_total = max(self.peak_python_total, python_total)

    def stop(self) -> None:
        self._done.set()
        self.join()


def timed(command: list[str], log: str, cwd: str = ROOT) -> float:
    started = time.time()
    with open(log, "wb") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    if result.returncode != 0:
        sys.exit(f"bench_cluster: failed ({result.returncode}): {shlex.join(command)}; log: {log}")
    return time.time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--archive", help="an archive from package_env.sh (default: build a fresh one in --work, "
                                          "so that executors cannot run older dps code)")
    parser.add_argument("--work", default="/tmp/dps_bench_cluster")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=1, help="cores per worker")
    parser.add_argument("--worker-memory", default="2g")
    parser.add_argument("--executor-memory", default="1500m")
    parser.add_argument("--driver-memory", default="2g")
    args = parser.parse_args()

    corpus = data_files(os.path.abspath(args.data))
    if not corpus:
        sys.exit(f"bench_cluster: no *.jsonl file in {args.data} (--data)")
    scratch_folder(args.work)
    if args.archive is None:
        args.archive = os.path.join(args.work, "dps-env.tar.gz")
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "package_env.sh"), "--output", args.archive,
                        "--build-dir", os.path.join(args.work, "build", "dps-env")], check=True)
    elif not os.path.isfile(args.archive):
        sys.exit(f"bench_cluster: --archive {args.archive}: no such file")
    mb = sum(os.path.getsize(p) for p in corpus) / 1e6
    jobs = [("sample", "configs/sample.yaml", [f"input.paths={os.path.join(ROOT, 'sample', 'corpus.jsonl')}"]),
            ("corpus", "configs/korean_web.yaml", [f"input.paths=[{', '.join(corpus)}]"])]
    cores = args.workers * args.cores

    results = {}
    for name, config, sets in jobs:
        out = os.path.join(args.work, f"local_{name}")
        command = [sys.executable, "-m", "dps.cli", "run", config, *[a for s in sets for a in ("--set", s)],
                   "--set", f"output.path={out}", "--set", f"output.rejected_path={out}_rejected",
                   "--set", f"spark.master=local[{cores}]"]
        results[("local", name)] = timed(command, out + ".log")
        print(f"local   {name:7} {results[('local', name)]:6.1f} s   {shlex.join(command)}", flush=True)

    cluster = StandaloneCluster(os.path.join(args.work, "cluster"), workers=args.workers, cores=args.cores,
                                memory=args.worker_memory)
    started = time.time()
    cluster.start()
    print(f"cluster start-up ({args.workers} workers x {args.cores} core, {args.worker_memory}): "
          f"{time.time() - started:.1f} s; {cluster.master_url}", flush=True)
    monitor = ExecutorMemory(cluster)
    monitor.start()
    try:
        for name, config, sets in jobs:
            out = os.path.join(args.work, f"cluster_{name}")
            submit_args = [
                "--deploy-mode", "client", "--driver-memory", args.driver_memory,
                "--executor-memory", args.executor_memory,
                "--archives", f"{os.path.abspath(args.archive)}#environment",
                "--conf", "spark.pyspark.python=./environment/bin/python",
                "--conf", f"spark.pyspark.driver.python={sys.executable}",
                "jobs/run_pipeline.py", "--config", config, *[a for s in sets for a in ("--set", s)],
                "--set", f"output.path={out}", "--set", f"output.rejected_path={out}_rejected"]
            result = cluster.submit(submit_args, name=name, cwd=ROOT, timeout=3600)
            if result.returncode != 0:
                sys.exit(f"bench_cluster: spark-submit failed ({result.returncode}); log: {result.log}")
            results[("cluster", name)] = result.seconds
            command = ["spark-submit", "--master", cluster.master_url, *submit_args]
            print(f"cluster {name:7} {result.seconds:6.1f} s   {shlex.join(command)}", flush=True)
    finally:
        monitor.stop()
        cluster.stop()

    print(f"\n{'job':8} {'input':>9} {'local[' + str(cores) + ']':>10} {'cluster':>9}  same output")
    for name, _, _ in jobs:
        size = os.path.getsize(os.path.join(ROOT, "sample", "corpus.jsonl")) / 1e6 if name == "sample" else mb
        same = all(compare_outputs(os.path.join(args.work, f"local_{name}{s}"),
                                   os.path.join(args.work, f"cluster_{name}{s}"),
                                   config_may_differ=("spark",)) == []  # local runs set spark.master
                   for s in ("", "_rejected"))
        print(f"{name:8} {size:7.1f}MB {results[('local', name)]:9.1f}s {results[('cluster', name)]:8.1f}s  "
              f"{'yes' if same else 'NO'}")
    print(f"peak RSS: executor JVM {monitor.peak_jvm / 2**20:,.0f} MiB, one Python worker "
          f"{monitor.peak_python / 2**20:,.0f} MiB, all Python workers {monitor.peak_python_total / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
