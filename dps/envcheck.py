"""`dps check-env`: what the Python workers of the executors actually run, compared with the driver.

A few tiny tasks (one record each, collected: a handful of small dicts) report their Python, where dps and its
dependencies were imported from, whether Kiwi loads its model, and a hash of dps's code. The check fails when an
import fails, Kiwi cannot load, or the executors run other dps code or another Python minor version than the
driver (a stale or wrong archive).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import socket
import sys

MODULES = ("numpy", "pyarrow", "pandas", "regex", "yaml", "zstandard", "datasketch", "kiwipiepy", "kiwipiepy_model",
           "pyspark")


def code_hash() -> str:
    """SHA-256 over dps's own files (names and bytes), to tell whether two processes run the same dps."""
    import dps

    root = os.path.dirname(os.path.abspath(dps.__file__))
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".yaml", ".properties")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode() + b"\0")
                with open(path, "rb") as fh:
                    digest.update(fh.read())
    return digest.hexdigest()


def probe(load_kiwi: bool = True) -> dict:
    """Runs in a Python worker (or on the driver): one small dict. Never raises: a missing dps is reported too."""
    info = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "python": sys.executable,
        "prefix": sys.prefix,
        "python_version": platform.python_version(),
        "sys_path": list(sys.path),
        "dps": None,
        "dps_file": None,
        "dps_code": None,
        "modules": {},
        "errors": [],
    }
    try:
        import dps

        info.update(dps=dps.__version__, dps_file=os.path.abspath(dps.__file__), dps_code=code_hash())
    except Exception as exc:
        info["errors"].append(f"import dps: {type(exc).__name__}: {exc}")
    for name in MODULES:
        try:
            module = importlib.import_module(name)
            info["modules"][name] = {"version": getattr(module, "__version__", None), "file": module.__file__}
        except Exception as exc:  # report every missing piece, not only the first
            info["errors"].append(f"import {name}: {type(exc).__name__}: {exc}")
    if load_kiwi and "kiwipiepy" in info["modules"]:
        try:
            from kiwipiepy import Kiwi

            tokens = Kiwi().tokenize("형태소 분석기가 모델을 읽었습니다.")
            info["kiwi_tokens"] = len(tokens)
        except Exception as exc:
            info["errors"].append(f"Kiwi(): {type(exc).__name__}: {exc}")
    return info


def _task(_records, load_kiwi: bool):
    from pyspark import TaskContext

    ctx = TaskContext.get()
    info = probe(load_kiwi)
    info["partition"] = ctx.partitionId() if ctx else None
    yield json.dumps(info)


def check(spark, tasks: int | None = None, load_kiwi: bool = True) -> dict:
    """{"driver": probe, "executors": [probe per task], "problems": [...]}; `tasks` defaults to twice the
    cluster's default parallelism, so that every executor most likely runs one."""
    from pyspark import cloudpickle

    # Ship this module's code with the tasks instead of importing it there, so that executors without dps (or
    # with an older dps) still report what they have.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    sc = spark.sparkContext
    n = tasks or max(2, 2 * sc.defaultParallelism)
    rows = sc.parallelize(range(n), n).mapPartitions(lambda it: _task(it, load_kiwi)).collect()
    driver = probe(load_kiwi=False)
    executors = [json.loads(r) for r in rows]
    return {"driver": driver, "executors": executors, "problems": problems_of(driver, executors)}


def problems_of(driver: dict, executors: list[dict]) -> list[str]:
    problems = []
    for e in executors:
        where = f"task {e['partition']} on {e['host']} ({e['python']})"
        problems += [f"{where}: {err}" for err in e["errors"]]
        if e["dps_code"] is not None and e["dps_code"] != driver["dps_code"]:
            problems.append(f"{where}: dps code differs from the driver's ({e['dps_file']}); rebuild the archive")
        if e["python_version"].rsplit(".", 1)[0] != driver["python_version"].rsplit(".", 1)[0]:
            problems.append(f"{where}: Python {e['python_version']}, driver {driver['python_version']}")
    return problems


def summary(result: dict) -> str:
    lines = [f"driver: Python {result['driver']['python_version']} {result['driver']['python']}, "
             f"dps {result['driver']['dps']} from {result['driver']['dps_file']}"]
    seen = set()
    for e in result["executors"]:
        key = (e["host"], e["python"], e["dps_file"])
        if key in seen:
            continue
        seen.add(key)
        kiwi = f", Kiwi model OK ({e['kiwi_tokens']} tokens)" if "kiwi_tokens" in e else ""
        lines.append(f"executor {e['host']}: Python {e['python_version']} {e['python']}, "
                     f"dps from {e['dps_file'] or '(not importable)'}{kiwi}")
    lines += [f"PROBLEM: {p}" for p in result["problems"]]
    lines.append("OK: executors import dps and its dependencies" if not result["problems"]
                 else f"FAILED: {len(result['problems'])} problem(s)")
    return "\n".join(lines)
