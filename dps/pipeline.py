"""Build the steps from a config, fold them over the marked frame, write shards and the report."""

from __future__ import annotations

import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from dps.config import ConfigError, JobConfig
from dps.registry import BoundStage, bind
from dps.report import Report, ReasonCount
from dps.dedup.index import IX_TEXT, index_rows, open_index
from dps.outputs import RunGuard, RunOptions
from dps.spark.io import REASON, STATUS, HadoopFS, shard_count, stage_shards, write_shards
from dps.spark.read import read_marked

REPORT_FILE = "_dps_report.json"
REPORT_HTML_FILE = "_dps_report.html"


@dataclass(frozen=True)
class Plan:
    """Validated stages grouped into steps: runs of text stages (one fused Arrow pass each) and frame stages."""

    config: JobConfig
    stages: tuple[BoundStage, ...]

    def groups(self) -> list[tuple[str, tuple[BoundStage, ...]]]:
        groups: list[tuple[str, list[BoundStage]]] = []
        for stage in self.stages:
            if stage.kind in ("map", "filter"):
                if groups and groups[-1][0] == "text":
                    groups[-1][1].append(stage)
                else:
                    groups.append(("text", [stage]))
            else:
                groups.append(("frame", [stage]))
        return [(kind, tuple(stages)) for kind, stages in groups]

    def describe(self) -> str:
        lines = []
        for i, (kind, stages) in enumerate(self.groups(), 1):
            names = " -> ".join(s.name for s in stages)
            lines.append(f"  step {i}: {'one Arrow pass' if kind == 'text' else 'frame step'}: {names}")
        return "\n".join(lines)

    def index_settings(self) -> dict:
        from dps.dedup.index import index_settings

        return index_settings(self.config, self.stages)

    def text_changes_after_dedup(self) -> bool:
        """True when a map stage follows the dedup stages: the index must then keep the text dedup saw."""
        dedup = [i for i, s in enumerate(self.stages) if s.name in DEDUP_STAGES]
        return bool(dedup) and any(s.kind == "map" for s in self.stages[dedup[0] + 1:])


DEDUP_STAGES = ("exact_dedup", "minhash_dedup")


def plan(config: JobConfig) -> Plan:
    """Bind every stage on the driver: all config errors surface here, before Spark starts."""
    if not config.stages:
        raise ConfigError(f"{config.source}: stages: empty; name at least one stage")
    job_plan = Plan(config, tuple(bind(spec, config.seed, config.source) for spec in config.stages))
    job_plan.index_settings()  # checks minhash_dedup's parameters now, not after Spark starts
    if config.index is not None:
        dedup = [i for i, s in enumerate(job_plan.stages) if s.name in DEDUP_STAGES]
        if not dedup:
            raise ConfigError(f"{config.source}: index.path: the index holds what exact_dedup and minhash_dedup "
                              f"compare; add at least one of them to stages")
        between = [s.name for s in job_plan.stages[dedup[0]:dedup[-1]] if s.kind == "map"]
        if between:
            raise ConfigError(f"{config.source}: stages: with an index, the dedup stages must see the same text; "
                              f"move {', '.join(between)} before or after them")
    return job_plan


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

    guard = RunGuard(lambda path: HadoopFS(spark, path), config, options or RunOptions(), echo).open()
    staged_folders: list = []  # this run's own staging folders, removed if it fails
    try:
        report = _run(config, spark, job_plan, echo, guard, staged_folders)
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


def _run(config: JobConfig, spark, job_plan: Plan, echo: Callable[[str], None], guard: RunGuard,
         staged_folders: list) -> Report:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from dps.html_report import example_columns, example_rows, render_run_report
    from dps.spark.arrow import as_step

    text_col = config.input.text_column
    out_path, rejected_path = config.run_path(config.output.path), config.run_path(config.output.rejected_path)
    index = None
    if config.index is not None:
        index = open_index(guard.index_fs, config, job_plan.index_settings(), echo)
        echo(index.describe())
        index.store.remove_leftovers(index.manifest)  # under the index lock: killed runs' rows and manifests
    marked, raw_input, columns = read_marked(spark, config.input)
    # Input keys with a dot or a backtick ("og.title") travel under plain names through every step (Spark reads a
    # dot as struct access wherever a name is a string) and get their own names back in the written shards.
    originals = [_unquote(c) for c in columns]
    plain = {n: f"_dps_col{i}" for i, n in enumerate(originals) if "." in n or "`" in n or not n}
    if plain:
        marked = marked.toDF(*[plain.get(n, n) for n in marked.columns])
    columns = [plain.get(n, n) for n in originals]
    restore = [F.col(plain[n]).alias(n) if n in plain else F.col(n) for n in originals]
    keep_dedup_text = index is not None and job_plan.text_changes_after_dedup()
    persisted = []

    def persist(df):
        # Frame stages read their input several times; persisting first runs the text stages once.
        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        persisted.append(df)
        return df

    edit_columns: list[tuple[str, str]] = []  # (column, map stage name): what each map stage changed
    stats_columns: dict[str, str] = {}  # edit column -> its counters column, for stages with a stats twin
    for kind, stages in job_plan.groups():
        if kind == "text":
            names, stats_names = [], []
            for stage in stages:
                if stage.kind == "map":
                    names.append(f"_dps_edit_{len(edit_columns)}")
                    edit_columns.append((names[-1], stage.name))
                    if stage.stage.stats_fn is not None:
                        stats_names.append(f"_dps_stats_{len(edit_columns) - 1}")
                        stats_columns[names[-1]] = stats_names[-1]
            marked = as_step(stages, text_col, names, stats_names)(marked)
        else:
            for stage in stages:
                if keep_dedup_text and IX_TEXT not in marked.columns:
                    marked = marked.withColumn(IX_TEXT, F.col(text_col))
                extra = {"index": index} if index is not None and stage.name in DEDUP_STAGES else {}
                marked = stage.stage.fn(persist(marked), config=config, **extra, **stage.params)
    marked = persist(marked)
    try:
        echo("reading input and running the stages")
        source_col = config.input.source_column if config.input.source_column in columns else None
        group_cols = [STATUS, REASON] + ([source_col] if source_col else [])
        rows = marked.groupBy(*group_cols).agg(
            F.count(F.lit(1)).alias("docs"),
            F.coalesce(F.sum(F.char_length(text_col)), F.lit(0)).alias("chars"),
            F.coalesce(F.sum(F.octet_length(text_col)), F.lit(0)).alias("bytes"),
            *[F.count(c).alias(f"{c}_docs") for c, _ in edit_columns],
            *[F.coalesce(F.sum(c), F.lit(0)).alias(f"{c}_chars") for c, _ in edit_columns],
            *example_columns(config, marked.columns),  # a few rejected documents per reason for the HTML page
        ).collect()
        # The final frame is cached now: the frames cached before each frame stage are not needed any more,
        # and the shard writer needs the memory (at a 1 GB heap it ran out while they stayed cached).
        for df in persisted[:-1]:
            df.unpersist()
        # Side jobs (the independent input count, stage counters, the report's example documents) run in threads
        # beside the shard writer: on small inputs its one-shard tasks leave cores idle. They only read.
        side = ThreadPoolExecutor(max_workers=3, thread_name_prefix="dps-side-job")
        try:
            input_count = side.submit(raw_input.count)  # counted from the raw input, independently of the stages
            counter_jobs = {c: side.submit(_sum_counters, marked, stats_columns[c])
                            for c, _ in edit_columns if c in stats_columns}
            examples = side.submit(example_rows, marked, rows, config)

            kept_docs = sum(r["docs"] for r in rows if r[STATUS] == "kept")
            kept_bytes = sum(r["bytes"] for r in rows if r[STATUS] == "kept")
            rejected_bytes = sum(r["bytes"] for r in rows if r[STATUS] != "kept")
            written = {}
            shards = shard_count(kept_bytes, config.output.target_shard_mb)
            echo(f"writing {kept_docs:,} kept documents as {shards} shard(s) to {out_path}")
            kept = marked.where(F.col(STATUS) == "kept").select(*restore)
            staged = stage_shards(kept, out_path, run_token=guard.token, shards=shards, sort_columns=[text_col],
                                  compression=config.output.compression)
            staged_folders.append(staged)
            written["kept_rows"] = staged.rows
            written["kept_shards"] = shards
            staged_rejected = None
            if config.output.rejected_path:
                # Everything the stages added (marks, dup_of, ...) goes with the rejected rows.
                rejected = marked.where(F.col(STATUS) != "kept").drop(*[c for c, _ in edit_columns],
                                                                       *stats_columns.values(), IX_TEXT)
                if plain:
                    back = {v: k for k, v in plain.items()}
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
                                            IX_TEXT if keep_dedup_text else text_col)
                written["index_rows"] = write_shards(
                    rows_for_index, f"{index.store.path}/{index_folder}", shards=shards, sort_columns=["id"],
                    compression=config.output.compression)
            input_records = input_count.result()
            counters = {c: job.result() for c, job in counter_jobs.items()}
            example_docs = examples.result()
        except BaseException:
            # A failure (or Ctrl-C) must not wait for the side jobs: the input count reads the whole input again.
            spark.sparkContext.cancelAllJobs()
            raise
        finally:
            side.shutdown(wait=True, cancel_futures=True)

        counts = [ReasonCount(r[STATUS], r[REASON], (str(r[source_col]) if source_col and r[source_col] is not None
                                                      else None), r["docs"], r["chars"]) for r in rows]
        edits = [{"stage": name, "docs_changed": sum(r[f"{c}_docs"] for r in rows),
                  "chars_removed": sum(r[f"{c}_chars"] for r in rows)} for c, name in edit_columns]
        for edit, (c, _) in zip(edits, edit_columns):
            if c in counters:
                edit["counters"] = counters[c]
        report = Report(input_records, counts, config.to_dict(), edits=edits)
        report.written.update(written)
        if index is not None:
            report.index = {"path": index.store.path, "run_id": index.run_id,
                            "runs_seen": [r.run_id for r in index.runs],
                            "docs_seen": sum(r.docs for r in index.runs)}

        holds, equation = report.invariant()
        if not holds:
            raise RuntimeError(f"row accounting broken, output not committed: {equation}; written {report.written}")
        html = render_run_report(report, example_docs, config, job_plan)
        pause_point("staged")
        # Output first, then the index: a crash between the two leaves this run's documents out of the index
        # (later runs may keep copies of them), never in the index but unpublished (which would lose documents).
        guard.mark_nightly_root()
        files = {REPORT_FILE: report.to_json(), REPORT_HTML_FILE: html}
        staged.commit(files, crash_point=pause_point, label="output")
        if staged_rejected is not None:
            staged_rejected.commit(files, crash_point=pause_point, label="rejected")
        pause_point("output_committed")
        if index is not None:
            index.store.commit(index.run_id, index_folder, report.written["index_rows"], index.settings,
                               index.base_version, crash_point=pause_point)
    finally:
        for df in persisted:
            df.unpersist()
    return report


def _unquote(name: str) -> str:
    """A column name as read_marked quotes it for select (`og.title`) -> the name itself."""
    return name[1:-1].replace("``", "`") if len(name) >= 2 and name[0] == name[-1] == "`" else name


def _sum_counters(marked, stats_column: str) -> dict[str, int]:
    """A map stage's counters summed over the (cached) final frame: a few counter names, a tiny aggregate."""
    from pyspark.sql import functions as F

    rows = (marked.select(F.explode(stats_column).alias("counter", "n"))
            .groupBy("counter").agg(F.sum("n").alias("n")).collect())
    return {r["counter"]: r["n"] for r in sorted(rows, key=lambda r: r["counter"])}


def pause_point(name: str) -> None:
    """Test hook at each step of the commit: with DPS_PAUSE_AT=<name> the job stops here (for tests that kill it
    at a known point); with DPS_CRASH_AT=<name> it kills itself (SIGKILL: no cleanup, no finally)."""
    if os.environ.get("DPS_CRASH_AT") == name:
        print(f"dps: crashing at {name}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("DPS_PAUSE_AT") == name:
        print(f"dps: paused at {name}", file=sys.stderr, flush=True)
        time.sleep(3600)
