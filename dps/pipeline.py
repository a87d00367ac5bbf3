"""Build the steps from a config, fold them over the marked frame, write shards and the report."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable

from dps.config import ConfigError, JobConfig
from dps.registry import BoundStage, bind
from dps.report import Report, ReasonCount
from dps.spark.io import REASON, STATUS, read_marked, shard_count, stage_shards

REPORT_FILE = "_dps_report.json"


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


def plan(config: JobConfig) -> Plan:
    """Bind every stage on the driver: all config errors surface here, before Spark starts."""
    if not config.stages:
        raise ConfigError(f"{config.source}: stages: empty; name at least one stage")
    return Plan(config, tuple(bind(spec, config.seed, config.source) for spec in config.stages))


def log(message: str) -> None:
    print(f"dps: {message}", file=sys.stderr, flush=True)


def run(config: JobConfig, spark=None, *, job_plan: Plan | None = None, echo: Callable[[str], None] = log) -> Report:
    """Run the job; returns the report (also written as JSON into the output folder).

    `spark` and `job_plan` default to a session built from the config and the config's own stages.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from dps.spark.arrow import as_step
    from dps.spark.session import build_session

    job_plan = job_plan or plan(config)
    started = time.time()
    spark = spark or build_session(config)
    echo(f"Spark {spark.version} ready in {time.time() - started:.1f}s; plan:\n{job_plan.describe()}")

    marked, raw_input, columns = read_marked(spark, config.input)
    text_col = config.input.text_column
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
                marked = stage.stage.fn(persist(marked), config=config, **stage.params)
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
        ).collect()
        input_records = raw_input.count()  # counted from the raw input, independently of the stages
        counts = [ReasonCount(r[STATUS], r[REASON], (str(r[source_col]) if source_col and r[source_col] is not None
                                                      else None), r["docs"], r["chars"]) for r in rows]
        edits = [{"stage": name, "docs_changed": sum(r[f"{c}_docs"] for r in rows),
                  "chars_removed": sum(r[f"{c}_chars"] for r in rows)} for c, name in edit_columns]
        for edit, (c, _) in zip(edits, edit_columns):
            if c in stats_columns:  # a few counter names: a tiny aggregate over the cached frame
                counters = (marked.select(F.explode(stats_columns[c]).alias("counter", "n"))
                            .groupBy("counter").agg(F.sum("n").alias("n")).collect())
                edit["counters"] = {r["counter"]: r["n"] for r in sorted(counters, key=lambda r: r["counter"])}
        report = Report(input_records, counts, config.to_dict(), edits=edits)
        kept_bytes = sum(r["bytes"] for r in rows if r[STATUS] == "kept")
        rejected_bytes = sum(r["bytes"] for r in rows if r[STATUS] != "kept")

        shards = shard_count(kept_bytes, config.output.target_shard_mb)
        echo(f"writing {report.totals()['kept']:,} kept documents as {shards} shard(s) to {config.output.path}")
        kept = marked.where(F.col(STATUS) == "kept").select(*columns)
        staged = stage_shards(kept, config.output.path, shards=shards, sort_columns=[text_col],
                              compression=config.output.compression)
        report.written["kept_rows"] = staged.rows
        report.written["kept_shards"] = shards
        staged_rejected = None
        if config.output.rejected_path:
            # Everything the stages added (marks, dup_of, ...) goes with the rejected rows.
            rejected = marked.where(F.col(STATUS) != "kept").drop(*[c for c, _ in edit_columns],
                                                                   *stats_columns.values())
            rshards = shard_count(rejected_bytes, config.output.target_shard_mb)
            echo(f"writing {report.input_records - report.totals()['kept']:,} rejected documents to "
                 f"{config.output.rejected_path}")
            staged_rejected = stage_shards(rejected, config.output.rejected_path, shards=rshards,
                                           sort_columns=[STATUS, REASON, text_col],
                                           compression=config.output.compression)
            report.written["rejected_rows"] = staged_rejected.rows

        holds, equation = report.invariant()
        if not holds:
            raise RuntimeError(f"row accounting broken, output not committed: {equation}; written {report.written}")
        staged.commit({REPORT_FILE: report.to_json()})
        if staged_rejected is not None:
            staged_rejected.commit({REPORT_FILE: report.to_json()})
    finally:
        for df in persisted:
            df.unpersist()
    echo(f"done in {time.time() - started:.1f}s; report: {config.output.path}/{REPORT_FILE}")
    return report
