"""Run a plan: read, fold its steps over the marked frame, count, write staged shards and the report, commit."""

from __future__ import annotations

import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Callable

from dps.config import ConfigError, JobConfig
from dps.dedup.frames import DUP_COUNT, check_columns, check_dup_count, deferred_pass, kept_text_bytes
from dps.dedup.index import IX_TEXT, index_rows, open_index
from dps.marks import REASON, STATUS
from dps.outputs import RunGuard, RunOptions
from dps.plan import Plan, plan
from dps.render.html import run_report_html
from dps.report import Report, aggregate, build_report, collect_examples, example_rows, sum_counters
from dps.spark.io import HadoopFS, shard_count, stage_shards, write_shards
from dps.spark.progress import Progress
from dps.spark.read import read_marked, record_limit_mb

REPORT_FILE = "_dps_report.json"
REPORT_HTML_FILE = "_dps_report.html"


def log(message: str) -> None:
    print(f"dps: {message}", file=sys.stderr, flush=True)


def run(config: JobConfig, spark=None, *, job_plan: Plan | None = None, echo: Callable[[str], None] = log,
        options: RunOptions | None = None) -> Report:
    """Run the job; returns the report (also written as JSON into the output folder).

    `spark` and `job_plan` default to a session built from the config and the config's own stages. Before any
    Spark work, the outputs and the index are locked, what killed runs left is resolved, and folders dps must not
    replace are refused (dps.outputs).
    """
    from dps.spark.session import build_session

    job_plan = job_plan or plan(config)
    started = time.time()
    spark = spark or build_session(config)
    echo(f"Spark {spark.version} ready in {time.time() - started:.1f}s; plan:\n{job_plan.describe()}")

    progress = Progress(spark, echo)
    echo = progress.echo
    guard = RunGuard(lambda path: HadoopFS(spark, path), config, options or RunOptions(), echo).open()
    staged_folders: list = []  # this run's own staging folders, removed if it fails
    try:
        report = _run(config, spark, job_plan, progress, guard, staged_folders)
    except BaseException:
        for folder in staged_folders:
            try:
                folder.discard()
            except Exception:  # noqa: BLE001 - the next run removes it under the lock
                pass
        raise
    finally:
        guard.close()
    echo(f"done in {time.time() - started:.1f}s; report: {guard.targets[0].path}/{REPORT_FILE}")
    return report


class _Steps:
    """The marked frame after every step of the plan, and what the report needs to know about the steps."""

    def __init__(self, marked, raw_input, columns: list[str], restore: list, plain: dict[str, str],
                 keep_dedup_text: bool):
        self.marked = marked
        self.raw_input = raw_input  # the input lines, counted apart from the stages for the invariant
        self.keep_dedup_text = keep_dedup_text  # the index keeps IX_TEXT: a map stage follows the dedup stages
        self.columns = columns  # input columns, under the plain names they travel under
        self.restore = restore  # select list giving the input columns their own names back
        self.plain = plain  # input name -> plain name, for names with a dot or a backtick
        self.edit_columns: list[tuple[str, str]] = []  # (column, map stage name): what each map stage changed
        self.stats_columns: dict[str, str] = {}  # edit column -> its counters column, for stages with a stats twin
        self.persisted: list = []
        # A frame stage's last Arrow pass, to run first in the text pass after it (dps.dedup.frames.deferred_pass).
        self.deferred: tuple | None = None
        # What runs at the next materialization (Spark runs the read and the text stages fused, so they are timed
        # as one step): names for the progress lines and the report's step timings.
        self.pending: list[str] = ["read"]

    @classmethod
    def empty(cls) -> "_Steps":
        return cls(None, None, [], [], {}, False)

    def pending_label(self) -> str:
        return " + ".join(self.pending)

    def persist(self, df):
        # Frame stages read their input several times; persisting first runs the text stages once.
        from pyspark import StorageLevel

        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        self.persisted.append(df)
        return df

    def unpersist(self, keep_last: bool = False) -> None:
        for df in self.persisted[:-1] if keep_last else self.persisted:
            df.unpersist()


def _run(config: JobConfig, spark, job_plan: Plan, progress: Progress, guard: RunGuard,
         staged_folders: list) -> Report:
    """The outline of a run: read, fold the steps, count, write (staged), check the invariant, commit."""
    echo = progress.echo
    index = None
    if config.index is not None:
        index = open_index(guard.index_fs, config, job_plan.index_settings(), echo)
        echo(index.describe())
        index.store.remove_leftovers(index.manifest)  # under the index lock: killed runs' rows and manifests
    steps = _Steps.empty()
    try:
        steps = _fold_steps(spark, config, job_plan, index, progress)
        source_col = config.input.source_column if config.input.source_column in steps.columns else None
        with progress.step(f"{steps.pending_label()}, counting"):
            rows = aggregate(steps.marked, config, steps.edit_columns, source_col)
        # The final frame is cached now: the frames cached before each frame stage are not needed any more,
        # and the shard writer needs the memory (at a 1 GB heap it ran out while they stayed cached).
        steps.unpersist(keep_last=True)
        with progress.step("writing (staged) with the input count, counters and examples beside"):
            written, staged, staged_rejected, index_folder, side = _write_staged(
                spark, config, steps, rows, index, job_plan, guard, staged_folders, echo)
        with progress.step("report"):
            report = build_report(config, job_plan, rows, source_col, side["input_records"], steps.edit_columns,
                                  side["counters"], written, index)
            holds, equation = report.invariant()
            if not holds:
                raise RuntimeError(f"row accounting broken, output not committed: {equation}; "
                                   f"written {report.written}")
            examples = collect_examples(side["examples"], config, job_plan)
        report.run = {**progress.summary(), **run_provenance(config.source)}
        html = run_report_html(report, examples)
        with progress.step("commit"):
            _commit(report, html, staged, staged_rejected, index, index_folder, guard)
        # The commit published the report; the final one, with the commit's own time, replaces it file by file.
        report.run = {**progress.summary(), **run_provenance(config.source)}
        _replace_reports(report, staged, staged_rejected, progress.echo)
    finally:
        steps.unpersist()
        if index is not None:
            index.release()
    return report


def _fold_steps(spark, config: JobConfig, job_plan: Plan, index, progress: Progress) -> _Steps:
    """The marked input, with every step of the plan applied. The frame before each frame stage is cached and
    materialized as a timed step; the frame after the last step is built lazily (the count materializes it)."""
    from pyspark.sql import functions as F

    from dps.spark.arrow import as_step, stage_columns

    text_col = config.input.text_column
    limit, origin = record_limit_mb(spark, config.input)
    if config.input.max_record_mb is None:
        progress.echo(f"records over {limit:g} MB are quarantined as read:too_large ({origin})")
    with progress.step("input files and schema"):  # JSONL schema inference reads the input once
        marked, raw_input, columns = read_marked(spark, config.input)
    # Input keys with a dot or a backtick ("og.title") travel under plain names through every step (Spark reads a
    # dot as struct access wherever a name is a string) and get their own names back in the written shards.
    originals = [_unquote(c) for c in columns]
    plain = {n: f"_dps_col{i}" for i, n in enumerate(originals) if "." in n or "`" in n or not n}
    if plain:
        marked = marked.toDF(*[plain.get(n, n) for n in marked.columns])
    restore = [F.col(plain[n]).alias(n) if n in plain else F.col(n) for n in originals]
    keep_dedup_text = index is not None and job_plan.text_changes_after_dedup()
    steps = _Steps(marked, raw_input, [plain.get(n, n) for n in originals], restore, plain, keep_dedup_text)
    source_col = _per_source_column(config, job_plan, originals)
    source_col = plain.get(source_col, source_col)
    # The columns frame stages read exist (and a dup_count input column holds integers) now, from the schema alone:
    # a mistake is one line before the text passes run, not after them.
    for stage in job_plan.stages:
        if stage.kind == "frame":
            check_columns(steps.marked, config, stage.name, stage.effective_params.get("priority_column"))
            if stage.stage.uses_index:  # the dedup stages, which write dup_count
                check_dup_count(steps.marked, config, stage.name)
    groups = job_plan.groups()
    for position, (kind, stages) in enumerate(groups):
        if kind == "text":
            names, stats_names = [], []
            for stage in stages:
                if stage.kind == "map":
                    names.append(f"_dps_edit_{len(steps.edit_columns)}")
                    steps.edit_columns.append((names[-1], stage.name))
                    if stage.stage.stats_fn is not None:
                        stats_names.append(f"_dps_stats_{len(steps.edit_columns) - 1}")
                        steps.stats_columns[names[-1]] = stats_names[-1]
            other = stage_columns(stages, config, steps.marked, originals, plain)  # tag_pii: {columns: [...]}
            following = groups[position + 1][1][0] if position + 1 < len(groups) else None
            prepare = None
            if following is not None and following.kind == "frame" and following.stage.prepare is not None:
                column, dtype, fn = following.stage.prepare  # computed here for the frame stage after this pass
                prepare = (column, dtype, partial(fn, **following.effective_params))
            deferred, steps.deferred = steps.deferred, None  # the last pass of the frame stage before: run first
            if deferred is not None:
                steps.marked = deferred[0]
            steps.marked = as_step(stages, text_col, names, stats_names, source_col, other, prepare,
                                   deferred[1] if deferred else None)(steps.marked)
            if deferred is not None and deferred[2]:
                steps.marked = steps.marked.drop(*deferred[2])
            steps.pending.append(_text_label(stages))
            continue
        for stage in stages:
            if keep_dedup_text and IX_TEXT not in steps.marked.columns:
                steps.marked = steps.marked.withColumn(IX_TEXT, F.col(text_col))
            uses = stage.stage.uses_index or stage.stage.reads_index
            extra = {"index": index} if index is not None and uses else {}
            before = steps.persist(steps.marked)
            with progress.step(steps.pending_label()):
                # Materializes the cache with a job whose figure the frame stage needs (its kept text size).
                kept_text_bytes(before, text_col)
            # The frames cached before the earlier frame stages are read only to build this one, now cached: freed,
            # the memory goes to this stage (they were kept to the end, and spilled to disk at 1 GB).
            steps.unpersist(keep_last=True)
            # A frame stage runs some of its work when called (connected components) and the rest lazily, with
            # whatever follows it: the "continued" step.
            with progress.step(stage.name):
                steps.marked = stage.stage.fn(before, config=config, **extra, **stage.params)
            following = groups[position + 1][0] if position + 1 < len(groups) else None
            steps.deferred = deferred_pass(steps.marked) if following == "text" else None
            steps.pending = [f"{stage.name}, continued"]
    steps.marked = steps.persist(steps.marked)
    return steps


def _per_source_column(config: JobConfig, job_plan: Plan, columns: list[str]) -> str | None:
    """The input column by_source parameters select on (None when no stage has any); it must exist."""
    names = [s.name for s in job_plan.stages if s.by_source]
    if not names:
        return None
    column = config.input.source_column  # plan() refused a null one
    if column not in columns:
        raise ConfigError(f"{config.source}: input.source_column: the input has no column '{column}', which "
                          f"by_source of {', '.join(names)} selects on (columns: {', '.join(columns)})")
    return column


def _text_label(stages) -> str:
    names = [s.name for s in stages]
    return f"text stages {names[0]}" if len(names) == 1 else f"text stages {names[0]} .. {names[-1]}"


def run_provenance(config_source: str) -> dict:
    """Which config ran: its file and, when the file is in a git work tree, `git describe` of it."""
    import subprocess

    folder = os.path.dirname(os.path.abspath(config_source)) if os.path.isfile(config_source) else None
    described = None
    if folder:
        try:
            out = subprocess.run(["git", "-C", folder, "describe", "--always", "--dirty", "--tags"],
                                 capture_output=True, text=True, timeout=10)
            described = out.stdout.strip() or None if out.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            described = None
    return {"config_file": config_source, "config_git": described}


def _write_staged(spark, config: JobConfig, steps: _Steps, rows, index, job_plan: Plan, guard: RunGuard,
                  staged_folders: list, echo: Callable[[str], None]):
    """Writes the kept shards, the rejected shards and the index rows into staging folders (nothing visible yet),
    with the side jobs (input count, stage counters, example documents) beside the writer."""
    from pyspark.sql import functions as F

    text_col = config.input.text_column
    out_path, rejected_path = config.run_path(config.output.path), config.run_path(config.output.rejected_path)
    marked = steps.marked
    # Side jobs run in threads beside the shard writer: on small inputs its one-shard tasks leave cores idle.
    # They only read.
    side = ThreadPoolExecutor(max_workers=3, thread_name_prefix="dps-side-job")
    try:
        input_count = side.submit(steps.raw_input.count)  # counted from the raw input, independently of the stages
        counter_jobs = {c: side.submit(sum_counters, marked, steps.stats_columns[c])
                        for c, _ in steps.edit_columns if c in steps.stats_columns}
        examples = side.submit(example_rows, marked, rows, config)

        kept_docs = sum(r["docs"] for r in rows if r[STATUS] == "kept")
        kept_bytes = sum(r["bytes"] for r in rows if r[STATUS] == "kept")
        rejected_bytes = sum(r["bytes"] for r in rows if r[STATUS] != "kept")
        written = {}
        shards = shard_count(kept_bytes, config.output.target_shard_mb)
        echo(f"writing {kept_docs:,} kept documents as {shards} shard(s) to {out_path}")
        # After a dedup stage, each kept document also carries dup_count (docs/dedup.md#dup_count).
        counted = [F.col(DUP_COUNT)] if DUP_COUNT in marked.columns and DUP_COUNT not in steps.columns else []
        kept = marked.where(F.col(STATUS) == "kept").select(*steps.restore, *counted)
        staged = stage_shards(kept, out_path, run_token=guard.token, shards=shards, sort_columns=[text_col],
                              compression=config.output.compression)
        staged_folders.append(staged)
        written["kept_rows"] = staged.rows
        written["kept_shards"] = shards
        staged_rejected = None
        if config.output.rejected_path:
            # Everything the stages added (marks, dup_of, ...) goes with the rejected rows.
            rejected = marked.where(F.col(STATUS) != "kept").drop(*[c for c, _ in steps.edit_columns],
                                                                   *steps.stats_columns.values(), IX_TEXT,
                                                                   *([DUP_COUNT] if counted else []))
            if steps.plain:
                back = {v: k for k, v in steps.plain.items()}
                rejected = rejected.toDF(*[back.get(n, n) for n in rejected.columns])
            rshards = shard_count(rejected_bytes, config.output.target_shard_mb)
            echo(f"writing {sum(r['docs'] for r in rows) - kept_docs:,} rejected documents to {rejected_path}")
            staged_rejected = stage_shards(rejected, rejected_path, run_token=guard.token, shards=rshards,
                                           sort_columns=[STATUS, REASON, text_col],
                                           compression=config.output.compression)
            staged_folders.append(staged_rejected)
            written["rejected_rows"] = staged_rejected.rows

        index_folder = None
        if index is not None:
            index_folder = index.store.new_folder(index.run_id)
            echo(f"adding the kept documents to the index ({index.store.path}/{index_folder})")
            rows_for_index = index_rows(marked.where(F.col(STATUS) == "kept"), config, index.settings,
                                        IX_TEXT if steps.keep_dedup_text else text_col)
            written["index_rows"] = write_shards(
                rows_for_index, f"{index.store.path}/{index_folder}", shards=shards, sort_columns=["id"],
                compression=config.output.compression)
            for name, table, _cached in index.extra:  # beside the rows (a "_" name: their reader skips it)
                table.coalesce(shards).write.mode("overwrite").option("compression", config.output.compression) \
                    .parquet(f"{index.store.path}/{index_folder}/{name}")
        results = {"input_records": input_count.result(),
                   "counters": {c: job.result() for c, job in counter_jobs.items()},
                   "examples": examples.result()}
    except BaseException:
        # A failure (or Ctrl-C) must not wait for the side jobs: the input count reads the whole input again.
        spark.sparkContext.cancelAllJobs()
        raise
    finally:
        side.shutdown(wait=True, cancel_futures=True)
    return written, staged, staged_rejected, index_folder, results


def _commit(report: Report, html: str, staged, staged_rejected, index, index_folder, guard: RunGuard) -> None:
    """Publishes what was staged. Output first, then the index: a crash between the two leaves this run's documents
    out of the index (later runs may keep copies of them), never in the index but unpublished (which would lose
    documents)."""
    pause_point("staged")
    guard.mark_nightly_root()
    files = {REPORT_FILE: report.to_json(), REPORT_HTML_FILE: html}
    staged.commit(files, crash_point=pause_point, label="output")
    if staged_rejected is not None:
        staged_rejected.commit(files, crash_point=pause_point, label="rejected")
    pause_point("output_committed")
    if index is not None:
        index.store.commit(index.run_id, index_folder, report.written["index_rows"], index.settings,
                           index.base_version, crash_point=pause_point)


def _replace_reports(report: Report, staged, staged_rejected, echo: Callable[[str], None]) -> None:
    """The committed report files get the run's final timings. The run has succeeded by now: a failure here leaves
    the committed report (complete but for the commit step) and is only logged."""
    text = report.to_json()
    for folder, label in ((staged, "output"), (staged_rejected, "rejected")):
        if folder is None:
            continue
        try:
            folder.replace_report(REPORT_FILE, text, crash_point=pause_point, label=label)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            echo(f"warning: could not add the commit time to {folder.path}/{REPORT_FILE}: {exc}")


def _unquote(name: str) -> str:
    """A column name as read_marked quotes it for select (`og.title`) -> the name itself."""
    return name[1:-1].replace("``", "`") if len(name) >= 2 and name[0] == name[-1] == "`" else name


def pause_point(name: str) -> None:
    """Test hook at each step of the commit: with DPS_PAUSE_AT=<name> the job stops here (for tests that kill it
    at a known point); with DPS_CRASH_AT=<name> it kills itself (SIGKILL: no cleanup, no finally)."""
    if os.environ.get("DPS_CRASH_AT") == name:
        print(f"dps: crashing at {name}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("DPS_PAUSE_AT") == name:
        print(f"dps: paused at {name}", file=sys.stderr, flush=True)
        time.sleep(3600)
