"""`dps run CONFIG --slices N`: a first run over a large corpus as N runs against the dedup index, one at a time.

The input files are listed and sorted by path, then cut into N consecutive slices of about equal bytes. Slice k is
an ordinary indexed run with run id `<prefix>-000k` (`--run-id PREFIX`, default `slice`): it writes
`<output.path>/run_id=<prefix>-000k/` (and its rejected folder), is deduplicated against every slice committed before
it, and adds its kept documents to the index. A slice is done when its output report is published and the index
manifest names the run with as many documents as the report kept (`dps index check`'s rule): a rerun after a crash
skips those, and redoes the slice that was in flight (dps's own recovery removes what it left). The slices'
committed reports record their files, so a rerun with another input or another N is refused instead of mixing two
plans. See docs/nightly.md#bulk-first-runs-in-slices for what this guarantees.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from typing import Callable

from dps.config import ConfigError, JobConfig, is_remote, load_config

DEFAULT_PREFIX = "slice"
REPORT_FILE = "_dps_report.json"


def log(message: str) -> None:
    print(f"dps: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Slice:
    number: int  # 1-based
    run_id: str
    files: tuple[str, ...]
    bytes: int


# ------------------------------------------------------------------------------------------------ the input

def list_files(config: JobConfig, spark=None) -> list[tuple[str, int]]:
    """Every input file with its size, sorted by path. Local paths are listed without Spark (as the reader lists
    them: folders recursively, `_*` and `.*` names skipped); remote paths (hdfs://, s3a://) through Hadoop."""
    from dps.spark.read import list_input_files

    local = [p for p in config.input.paths if not is_remote(p)]
    remote = [p for p in config.input.paths if is_remote(p)]
    files = [(f, os.path.getsize(f)) for f in list_input_files(replace(config.input, paths=tuple(local)))] \
        if local else []
    if remote:
        if spark is None:
            raise RuntimeError("listing remote input needs a Spark session")
        files += _list_remote(spark, remote)
    return sorted(files)


def _list_remote(spark, paths: list[str]) -> list[tuple[str, int]]:
    from dps.spark.read import _hidden

    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    files = []
    for p in paths:
        path = jvm.org.apache.hadoop.fs.Path(p)
        fs = path.getFileSystem(conf)
        matches = fs.globStatus(path)
        if not matches:
            raise ConfigError(f"input.paths: no file or folder matches '{p}'")
        found = []
        for status in matches:
            if _hidden(status.getPath().getName()):
                continue
            if not status.isDirectory():
                found.append((str(status.getPath()), int(status.getLen())))
                continue
            root = str(status.getPath()).rstrip("/")
            it = fs.listFiles(status.getPath(), True)
            while it.hasNext():
                f = it.next()
                name = str(f.getPath())
                if not any(_hidden(part) for part in name[len(root):].strip("/").split("/")):
                    found.append((name, int(f.getLen())))
        if not found:
            raise ConfigError(f"input.paths: '{p}' holds no input file (files and folders starting with '_' or '.' "
                              f"are skipped)")
        files += found
    return files


def split(files: list[tuple[str, int]], n: int) -> list[list[tuple[str, int]]]:
    """Consecutive groups of at least one file each: group k ends where the running total of bytes comes closest
    to k/n of all bytes (of files, when the sizes are all zero); on a tie, the earlier place."""
    if not 1 <= n <= len(files):
        raise ValueError(f"cannot cut {len(files)} files into {n} slices")
    total = sum(size for _, size in files)
    cum = [0]
    for _, size in files:
        cum.append(cum[-1] + (size if total else 1))
    cuts, start = [], 0
    for k in range(1, n):
        goal = cum[-1] * k / n
        end = start + 1  # at least one file
        last = len(files) - (n - k)  # leave one file for each later slice
        while end < last and abs(cum[end + 1] - goal) < abs(cum[end] - goal):
            end += 1
        cuts.append(end)
        start = end
    bounds = [0, *cuts, len(files)]
    return [files[a:b] for a, b in zip(bounds, bounds[1:])]


def plan_slices(config: JobConfig, n: int, files: list[tuple[str, int]]) -> list[Slice]:
    """The N slices of the sorted input, with their run ids (`<config.run_id>-0001`, ...)."""
    from dps.config import _RUN_ID

    if n > len(files):
        raise ConfigError(f"--slices: {n} slices of {len(files)} input file(s): a slice is one or more whole files; "
                          f"use --slices {len(files)} or fewer")
    width = max(4, len(str(n)))
    slices = []
    for k, group in enumerate(split(files, n), 1):
        run_id = f"{config.run_id}-{k:0{width}d}"
        if not _RUN_ID.fullmatch(run_id):
            raise ConfigError(f"--run-id: '{config.run_id}' is too long for slice run ids ({run_id}): use a "
                              f"shorter prefix")
        slices.append(Slice(k, run_id, tuple(f for f, _ in group), sum(s for _, s in group)))
    return slices


def slice_config(config: JobConfig, s: Slice) -> JobConfig:
    """The config of one slice: its files, its run id; everything else as given."""
    return replace(config, run_id=s.run_id, input=replace(config.input, paths=s.files))


# ------------------------------------------------------------------------------------------- what is done

def _fs(path: str, spark):
    if is_remote(path):
        from dps.spark.io import HadoopFS

        return HadoopFS(spark, path)
    from dps.outputs import LocalFS

    return LocalFS()


def committed(config: JobConfig, slices: list[Slice], spark=None) -> dict[int, dict]:
    """Slice number -> its committed report, for the slices that are done: output report published and the run in
    the index with as many documents as it kept. A done slice with other files than planned (the input or N
    changed since the first attempt), or a committed slice beyond N, is refused."""
    from dps.dedup.index import IndexStore

    index_fs = _fs(config.index.path, spark)
    manifest = IndexStore(index_fs, config.index.path).latest() if index_fs.exists(config.index.path) else None
    entries = {r.run_id: r for r in manifest.runs} if manifest else {}
    out_fs = _fs(config.output.path, spark)
    done = {}
    for s in slices:
        entry = entries.get(s.run_id)
        path = f"{slice_config(config, s).run_path(config.output.path)}/{REPORT_FILE}"
        if entry is None or not out_fs.exists(path):
            continue
        try:
            report = json.loads(out_fs.read_text(path))
        except ValueError:
            continue
        if report.get("totals", {}).get("kept") != entry.docs:
            continue
        if list(report.get("config", {}).get("input", {}).get("paths", [])) != list(s.files):
            raise ConfigError(f"--slices: {s.run_id} was committed with other input files than slice {s.number} "
                              f"of {len(slices)} has now (the input or --slices changed since the first attempt): "
                              f"rerun with the same input and --slices, or start anew with another --run-id")
        done[s.number] = report
    prefix = config.run_id + "-"
    beyond = sorted(r for r in entries if r.startswith(prefix) and r[len(prefix):].isdigit()
                    and int(r[len(prefix):]) > len(slices))
    if beyond:
        raise ConfigError(f"--slices: the index holds {beyond[0]}, beyond {len(slices)} slices: this run was started "
                          f"with a larger --slices; rerun with the same value, or start anew with another --run-id")
    return done


# ---------------------------------------------------------------------------------------------------- running

def _line(label: str, run_id: str, files, mb: float, report: dict | None, state: str) -> str:
    t = (report or {}).get("totals", {})
    counts = [str(report["input_records"]) if report else "-",
              *(str(t.get(k, "-")) if report else "-" for k in ("kept", "filtered", "duplicate", "quarantined"))]
    return (f"{label:<11} {run_id:<18} {files:>6} {mb:>10.1f} {counts[0]:>11} {counts[1]:>11} {counts[2]:>10} "
            f"{counts[3]:>10} {counts[4]:>11}  {state}")


def summary(slices: list[Slice], reports: dict[int, dict], states: dict[int, str]) -> tuple[bool, str]:
    """The per-slice table and the summed invariant."""
    n = len(slices)
    head = (f"{'slice':<11} {'run id':<18} {'files':>6} {'MB':>10} {'input':>11} {'kept':>11} {'filtered':>10} "
            f"{'duplicate':>10} {'quarantined':>11}  state")
    lines = [head, "-" * len(head)]
    sums = {k: 0 for k in ("input", "kept", "filtered", "duplicate", "quarantined")}
    holds = len(reports) == n
    for s in slices:
        report = reports.get(s.number)
        lines.append(_line(f"{s.number}/{n}", s.run_id, len(s.files), s.bytes / 1e6, report, states[s.number]))
        if report:
            holds = holds and report.get("invariant", {}).get("holds", False)
            sums["input"] += report["input_records"]
            for k in ("kept", "filtered", "duplicate", "quarantined"):
                sums[k] += report["totals"].get(k, 0)
    equation = (f"input {sums['input']:,} = kept {sums['kept']:,} + filtered {sums['filtered']:,} + duplicate "
                f"{sums['duplicate']:,} + quarantined {sums['quarantined']:,}")
    holds = holds and sums["input"] == sum(v for k, v in sums.items() if k != "input")
    lines.append(f"{'OK' if holds else 'NOT OK'}: {equation}, over {len(reports)} of {n} slices")
    return holds, "\n".join(lines)


def run_slices(config: JobConfig, n: int, spark=None, *, options=None, echo: Callable[[str], None] = log,
               out: Callable[[str], None] = print) -> bool:
    """Run the slices not yet committed, in order; returns whether every slice's invariant holds. `config` is the
    whole job (all input paths) with config.run_id = the prefix of the slices' run ids."""
    from dps.outputs import Lock, RunOptions, split as split_path
    from dps.pipeline import run

    options = options or RunOptions()
    if config.index is None:
        raise ConfigError(f"{config.source}: --slices needs index.path: the slices are deduplicated against each "
                          f"other through the index")
    if options.without_index:
        raise ConfigError("--slices: --without-index makes no sense here: the slices are deduplicated through the "
                          "index")
    if n < 1:
        raise ConfigError(f"--slices: expected a number of slices >= 1, got {n}")
    remote = any(is_remote(p) for p in (*config.input.paths, config.output.path, config.index.path))
    if remote and spark is None:
        from dps.spark.session import build_session

        spark = build_session(config)
    # One bulk run at a time on an output root (each slice also locks its own folders and the index), taken before
    # looking at what is done: a second run waiting here (--wait) then sees what the first one committed.
    parent, name = split_path(config.output.path)
    lock = Lock(_fs(config.output.path, spark), config.output.path, "--slices",
                lock_file=f"{parent}/.{name}.dps-bulk-lock")
    slices = plan_slices(config, n, list_files(config, spark))  # the user's mistakes first, before waiting
    lock.acquire(echo, options.wait)
    try:
        done = committed(config, slices, spark)
        total = sum(s.bytes for s in slices)
        echo(f"{n} slice(s) of {sum(len(s.files) for s in slices)} input file(s), {total / 1e6:,.1f} MB, against "
             f"the index {config.index.path}; {len(done)} committed earlier")
        states = {k: "committed earlier" for k in done}
        reports = dict(done)
        pending = [s for s in slices if s.number not in done]
        if pending and any(k > pending[0].number for k in done):
            echo(f"warning: slices after {pending[0].run_id} are committed already: it is deduplicated against "
                 f"them too")
        if pending and spark is None:
            from dps.spark.session import build_session

            spark = build_session(config)
        for s in slices:
            if s.number in done:
                echo(f"slice {s.number}/{n} ({s.run_id}): committed earlier, skipped")
                continue
            where = s.files[0] if len(s.files) == 1 else f"{s.files[0]} .. {s.files[-1]}"
            echo(f"slice {s.number}/{n} ({s.run_id}): {len(s.files)} file(s), {s.bytes / 1e6:,.1f} MB ({where})")
            report = run(slice_config(config, s), spark, echo=echo, options=options)
            reports[s.number] = json.loads(report.to_json())
            states[s.number] = "run now"
            holds, equation = report.invariant()
            out(f"slice {s.number}/{n} ({s.run_id}): {'OK' if holds else 'NOT OK'}: {equation}")
            if not holds:
                break
    finally:
        lock.release()
    for s in slices:
        states.setdefault(s.number, "not run")
    holds, table = summary(slices, reports, states)
    out(table)
    return holds


def main(args, overrides: list[str]) -> int:
    """`dps run CONFIG --slices N [--run-id PREFIX]`: called by dps.cli with the run's arguments."""
    from dps.outputs import RunOptions
    from dps.plan import plan

    # The prefix: --run-id (already among the overrides), else the config's run_id, else "slice". The first load
    # (without the index, which needs a run id) only finds out whether the config names one.
    prefix = load_config(args.config, [*overrides, "index=null"]).run_id or DEFAULT_PREFIX
    config = load_config(args.config, [*overrides, f"run_id={json.dumps(prefix)}"])
    plan(config)  # stage names and parameters, before Spark starts
    if args.wait is not None and (args.wait < 0 or args.wait != args.wait):
        raise ConfigError(f"--wait: expected a number of seconds >= 0, got {args.wait}")
    options = RunOptions(wait=args.wait, replace_unknown_output=args.replace_unknown_output,
                         without_index=args.without_index)
    return 0 if run_slices(config, args.slices, options=options) else 1
