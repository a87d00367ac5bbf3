"""`dps profile`: per-source distributions of every metric the configured filters use, with their thresholds.

The config's text stages run in chain order on every (sampled) document and drop nothing: map stages transform
the text, and at each filter's position the filter's metrics are computed on the text as that filter would see
it, by the filter's own code (`Stage.metrics_fn`), together with whether each threshold alone would reject the
document. One mapInArrow pass turns every document into a row of numbers; Spark aggregates those rows
(approximate quantiles, exact counts beyond each threshold, histogram buckets) and only the aggregates reach
the driver. Frame stages (dedup) are skipped: duplicates are profiled like any other document.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import shutil
import sys
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator, Sequence

from dps import __version__
from dps.config import ConfigError, JobConfig, check_not_overlapping, is_remote
from dps.registry import BoundStage
from dps.marks import RAW, REASON, STATUS
from dps.text.profiling import Metric
from dps.render.format import pct
from dps.text.quarantine import Quarantine

QUANTILES = (("p1", 0.01), ("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95), ("p99", 0.99))
# Spark's default: the rank of a returned quantile is off by at most 1/10,000 of the rows (exact on small data).
PERCENTILE_ACCURACY = 10_000
RATIO_BINS, VALUE_BINS, LOG_BINS = 50, 50, 60
ALL_SOURCES = "all"  # the one source when the input has no source column
NO_SOURCE = "(none)"  # rows whose source value is null, as in the run report
PROFILE_JSON, PROFILE_HTML = "profile.json", "profile.html"
LENGTH_CHARS = Metric("length_chars", "count", (), "characters of the input document, before any stage")


@dataclass(frozen=True)
class ProfiledMetric:
    """One metric of the profile: where in the chain it is measured, and the thresholds configured for it."""

    name: str  # unique: "<stage>.<metric>", "<stage>#2.<metric>" for a stage's second occurrence
    stage: str  # stage name, "input" for length_chars
    position: int | None  # index of the stage in the chain; None for the input
    spec: Metric
    limits: tuple  # per spec.rules: the threshold in force, None where the rule is off

    @property
    def active_rules(self) -> tuple[int, ...]:
        return tuple(j for j, limit in enumerate(self.limits) if limit is not None)

    @property
    def file_name(self) -> str:
        return self.name.replace("#", "_") + ".png"


@dataclass(frozen=True)
class ProfileStep:
    stage: BoundStage
    params: dict  # effective parameters (defaults + config), what the stage function sees
    metrics: tuple[int, ...]  # indices of the metrics measured here, on the text entering the stage
    apply: bool  # a map stage whose output a later step measures


def profile_plan(stages: Sequence[BoundStage]) -> tuple[tuple[ProfiledMetric, ...], tuple[ProfileStep, ...]]:
    """The metrics to measure and the steps that measure them, from a chain of bound stages."""
    metrics = [ProfiledMetric("input.length_chars", "input", None, LENGTH_CHARS, ())]
    steps: list[ProfileStep] = []
    seen: dict[str, int] = {}
    for position, stage in enumerate(stages):
        if stage.kind not in ("map", "filter"):
            continue  # frame stages mark duplicates; they never change the text
        params = stage.effective_params
        here = []
        if stage.stage.metrics_fn is not None:
            seen[stage.name] = seen.get(stage.name, 0) + 1
            label = stage.name if seen[stage.name] == 1 else f"{stage.name}#{seen[stage.name]}"
            for spec in stage.metric_specs():
                here.append(len(metrics))
                metrics.append(ProfiledMetric(f"{label}.{spec.name}", stage.name, position, spec,
                                              tuple(rule.limit(params) for rule in spec.rules)))
        steps.append(ProfileStep(stage, params, tuple(here), stage.kind == "map"))
    # Map stages after the last measuring step would transform text nobody looks at.
    last = max((i for i, s in enumerate(steps) if s.metrics), default=-1)
    steps = [s if i < last else replace(s, apply=False) for i, s in enumerate(steps)]
    return tuple(metrics), tuple(s for s in steps if s.metrics or s.apply)


def profile_rows(texts: Sequence[str | None], statuses: Sequence[str], reasons: Sequence[str | None],
                 metrics: Sequence[ProfiledMetric], steps: Sequence[ProfileStep]):
    """Pure-Python core (testable without Spark). Returns (statuses, reasons, values, flags): values[k][i] is
    metric k of row i, flags[(k, j)][i] whether rule j of metric k alone would reject row i; None for rows not
    profiled. A stage raising on a row quarantines it, named as in a run (`stage:error:Type`, or `stage:reason` for
    Quarantine(reason))."""
    n = len(texts)
    statuses, reasons = list(statuses), list(reasons)
    values: list[list[float | None]] = [[None] * n for _ in metrics]
    flags: dict[tuple[int, int], list[bool | None]] = {(k, j): [None] * n for k, pm in enumerate(metrics)
                                                       for j in pm.active_rules}
    for i, text in enumerate(texts):
        if statuses[i] != "kept":
            continue
        values[0][i] = float(len(text))
        step = None
        try:
            for step in steps:
                if step.metrics:
                    measured = step.stage.stage.metrics_fn(text, **step.params)
                    for k in step.metrics:
                        pm = metrics[k]
                        values[k][i] = float(measured[pm.spec.name])
                        for j in pm.active_rules:
                            flags[(k, j)][i] = pm.spec.rules[j].rejects(pm.spec.name, measured, step.params)
                if step.apply:
                    result = step.stage.apply(text)
                    if not isinstance(result, str):
                        raise TypeError(f"returned {type(result).__name__}")
                    text = result
        except Exception as exc:  # one bad record must never kill the profile or vanish from its counts
            why = exc.reason if isinstance(exc, Quarantine) else f"error:{type(exc).__name__}"
            statuses[i], reasons[i] = "quarantined", f"{step.stage.name}:{why}"
            for column in (*values, *flags.values()):
                column[i] = None
    return statuses, reasons, values, flags


def _value_column(k: int) -> str:
    return f"v{k}"


def _flag_column(k: int, j: int) -> str:
    return f"f{k}_{j}"


def measure_batches(batches: Iterable, metrics: Sequence[ProfiledMetric], steps: Sequence[ProfileStep]) -> Iterator:
    """mapInArrow body: (_src, _text, status, reason) in; _src, status, reason and one column per metric and per
    active rule out (the text is dropped: the cached frame holds numbers only)."""
    import pyarrow as pa

    for batch in batches:
        statuses, reasons, values, flags = profile_rows(
            batch.column(1).to_pylist(), batch.column(2).to_pylist(), batch.column(3).to_pylist(), metrics, steps)
        columns = [batch.column(0), pa.array(statuses, pa.string()), pa.array(reasons, pa.string())]
        names = ["_src", STATUS, REASON]
        for k, pm in enumerate(metrics):
            columns.append(pa.array(values[k], pa.float64()))
            names.append(_value_column(k))
            for j in pm.active_rules:
                columns.append(pa.array(flags[(k, j)], pa.bool_()))
                names.append(_flag_column(k, j))
        yield pa.RecordBatch.from_arrays(columns, names=names)


# ------------------------------------------------------------------------------------------------- histograms

def bin_edges(spec: Metric, lows: Sequence[float], highs: Sequence[float], low_q: Sequence[float],
              high_q: Sequence[float], limits: Sequence[float | None]) -> list[float]:
    """Histogram edges of one metric, decided from every source's range (min/max, p1/p99) and the thresholds.

    ratio: [0, 1] in equal bins. count: whole-number edges, one bin per integer while that gives at most
    LOG_BINS bins, else equal steps of log(1 + x) rounded to whole numbers (no bin narrower than 1), up to the
    largest value. positive: equal steps of log(1 + x) from 0 to the largest value. value: equal bins over
    [lowest p1, highest p99], widened to any threshold inside the data's range. Values outside the edges are
    counted as below/above.
    """
    if spec.scale == "ratio":
        return [i / RATIO_BINS for i in range(RATIO_BINS + 1)]
    if spec.scale in ("count", "positive"):
        top = max(0.0, max(highs))
        if spec.scale == "count" and top < LOG_BINS:
            return [float(e) for e in range(int(math.floor(top)) + 2)]
        span = math.log10(top + 1) if top > 0 else math.log10(2)
        edges = [10 ** (span * i / LOG_BINS) - 1 for i in range(LOG_BINS + 1)]
        edges[0] = 0.0
        if spec.scale == "count":
            edges = sorted({round(e) for e in edges})
            if edges[-1] <= top:
                edges.append(math.floor(top) + 1)
        else:
            edges[-1] = max(edges[-1], top)  # the largest value is inside the last (closed) bin
        return [float(e) for e in edges]
    lo, hi = min(low_q), max(high_q)
    for limit in limits:
        if limit is not None and min(lows) <= limit <= max(highs):
            lo, hi = min(lo, limit), max(hi, limit)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return [lo + (hi - lo) * i / VALUE_BINS for i in range(VALUE_BINS + 1)]


def bucket(edges: Sequence[float], value: float) -> int:
    """Bin index of `value`: -1 below the first edge, len(edges) - 1 above the last; bins are [e_i, e_i+1) except
    the last, which includes its upper edge. The Spark expression in `_bucket_column` is this function."""
    if value == edges[-1]:
        return len(edges) - 2
    return bisect.bisect_right(edges, value) - 1


def _bucket_column(column: str, edges: Sequence[float]):
    from pyspark.sql import functions as F

    array = F.array(*[F.lit(float(e)) for e in edges])
    at_or_below = F.size(F.filter(array, lambda e: e <= F.col(column)))  # bisect_right, by exact comparisons
    return (F.when(F.col(column).isNull(), F.lit(None))
            .when(F.col(column) == F.lit(float(edges[-1])), F.lit(len(edges) - 2))
            .otherwise(at_or_below - 1))


# ------------------------------------------------------------------------------------------------------- Spark

def sample_condition(text_column: str, seed: int, fraction: float):
    """Keep a record when a seeded hash of its content falls below `fraction`: the same records whatever the
    partitioning or the number of cores (Spark's sample() depends on both)."""
    from pyspark.sql import functions as F

    bits = 53
    h = F.xxhash64(F.lit(seed), F.col(text_column), F.col(RAW)).bitwiseAND(F.lit((1 << bits) - 1))
    return h < F.lit(int(fraction * (1 << bits)))


def check_sample_fraction(value) -> float:
    try:
        fraction = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"--sample-fraction: expected a number in (0, 1], got '{value}'") from None
    if not 0.0 < fraction <= 1.0 or math.isnan(fraction):
        raise ConfigError(f"--sample-fraction: must be in (0, 1], got {value}")
    return fraction


def default_out_dir(config: JobConfig) -> str:
    # Beside the output, not inside it: every run replaces output.path as a whole, and readers of the dataset
    # folder should find only shards there.
    return config.output.path.rstrip("/") + "_profile"


def check_out_dir(out_dir: str) -> str:
    """A local folder that is absent, empty, or an earlier profile (the only kind of folder we replace)."""
    if is_remote(out_dir):
        raise ConfigError(f"--out: the profile is written to a local folder, got '{out_dir}' (set --out DIR)")
    from dps.outputs import PROFILE, LocalFS, check_replaceable

    out_dir = os.path.abspath(out_dir[len("file://"):] if out_dir.startswith("file://") else out_dir)
    check_replaceable(LocalFS(), out_dir, PROFILE, "--out")
    return out_dir


def log(message: str) -> None:
    print(f"dps: {message}", file=sys.stderr, flush=True)


def compute_profile(config: JobConfig, spark, *, sample_fraction: float = 1.0, job_plan=None,
                    echo: Callable[[str], None] = log) -> dict:
    """Run the profile job; returns the profile.json document."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from dps.plan import plan
    from dps.spark.read import read_marked

    job_plan = job_plan or plan(config)
    metrics, steps = profile_plan(job_plan.stages)
    marked, _, columns = read_marked(spark, config.input)
    text_col = config.input.text_column
    source_col = config.input.source_column if config.input.source_column in columns else None
    if sample_fraction < 1.0:
        marked = marked.where(sample_condition(text_col, config.seed, sample_fraction))
    source = (F.coalesce(F.col(source_col).cast("string"), F.lit(NO_SOURCE)) if source_col
              else F.lit(ALL_SOURCES))
    frame = marked.select(source.alias("_src"), F.col(text_col).alias("_text"), STATUS, REASON)
    fields = [T.StructField("_src", T.StringType()), T.StructField(STATUS, T.StringType()),
              T.StructField(REASON, T.StringType())]
    for k, pm in enumerate(metrics):
        fields.append(T.StructField(_value_column(k), T.DoubleType()))
        fields += [T.StructField(_flag_column(k, j), T.BooleanType()) for j in pm.active_rules]
    measured = frame.mapInArrow(lambda batches: measure_batches(batches, metrics, steps), T.StructType(fields))
    # Three small aggregations read the numbers; the text stages run once.
    measured = measured.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        echo(f"profiling {len(metrics)} metrics: " + ", ".join(pm.name for pm in metrics))
        counts = measured.groupBy("_src", STATUS, REASON).count().collect()
        profiled = measured.where(F.col(STATUS) == "kept")
        aggs = [F.count(F.lit(1)).alias("docs")]
        for k, pm in enumerate(metrics):
            v = _value_column(k)
            aggs += [F.percentile_approx(v, [q for _, q in QUANTILES], PERCENTILE_ACCURACY).alias(f"q{k}"),
                     F.min(v).alias(f"min{k}"), F.max(v).alias(f"max{k}"), F.avg(v).alias(f"mean{k}")]
            aggs += [F.sum(F.col(_flag_column(k, j)).cast("long")).alias(f"r{k}_{j}") for j in pm.active_rules]
        aggs += _stage_aggregates(metrics)
        stats = {r["_src"]: r for r in profiled.groupBy("_src").agg(*aggs).collect()}
        if not stats:
            read = sum(r["count"] for r in counts)
            raise ConfigError(f"input: no readable document to profile ({read:,} records read"
                              f"{f' at --sample-fraction {sample_fraction}' if sample_fraction < 1 else ''})")
        sources = sorted(stats)
        edges = []
        for k, pm in enumerate(metrics):
            rows = [stats[s] for s in sources]
            edges.append(bin_edges(pm.spec, [r[f"min{k}"] for r in rows], [r[f"max{k}"] for r in rows],
                                   [r[f"q{k}"][0] for r in rows], [r[f"q{k}"][-1] for r in rows], pm.limits))
        pairs = F.array(*[F.struct(F.lit(k).alias("k"), _bucket_column(_value_column(k), edges[k]).alias("b"))
                          for k in range(len(metrics))])
        hist_rows = (profiled.select("_src", F.explode(pairs).alias("p")).where(F.col("p.b").isNotNull())
                     .groupBy("_src", F.col("p.k").alias("k"), F.col("p.b").alias("b")).count().collect())
    finally:
        measured.unpersist()
    histograms: dict[tuple[str, int], dict[int, int]] = {}
    for r in hist_rows:
        histograms.setdefault((r["_src"], r["k"]), {})[r["b"]] = r["count"]
    return _document(config, job_plan, sample_fraction, source_col, metrics, counts, stats, sources, edges,
                     histograms)


def _stage_positions(metrics: Sequence[ProfiledMetric]) -> list[int]:
    """Positions in the chain of the stages with at least one active rule, in order."""
    return sorted({pm.position for pm in metrics if pm.position is not None and pm.active_rules})


def _stage_aggregates(metrics: Sequence[ProfiledMetric]) -> list:
    """Per stage with rules: the documents any of its rules rejects (all its thresholds together: what the stage
    removes where it stands), and those no earlier stage's rules reject (what a run attributes to it)."""
    from pyspark.sql import functions as F

    aggs, earlier = [], F.lit(False)
    for position in _stage_positions(metrics):
        any_rule = F.lit(False)
        for k, pm in enumerate(metrics):
            if pm.position == position:
                for j in pm.active_rules:
                    any_rule = any_rule | F.coalesce(F.col(_flag_column(k, j)), F.lit(False))
        aggs += [F.sum(any_rule.cast("long")).alias(f"stage{position}"),
                 F.sum((any_rule & ~earlier).cast("long")).alias(f"first{position}")]
        earlier = earlier | any_rule
    return aggs


def _fraction(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _document(config, job_plan, sample_fraction, source_col, metrics, counts, stats, sources, edges, histograms):
    quarantined: dict[str, int] = {}
    by_source: dict[str, dict[str, int]] = {}
    for r in counts:
        src = by_source.setdefault(r["_src"], {"records": 0, "profiled": 0, "quarantined": 0})
        src["records"] += r["count"]
        if r[STATUS] == "kept":
            src["profiled"] += r["count"]
        else:
            src["quarantined"] += r["count"]
            quarantined[r[REASON]] = quarantined.get(r[REASON], 0) + r["count"]
    entries = []
    for k, pm in enumerate(metrics):
        docs = {s: stats[s]["docs"] for s in sources}
        total = sum(docs.values())
        thresholds = []
        for j, (rule, limit) in enumerate(zip(pm.spec.rules, pm.limits)):
            removed = {s: stats[s][f"r{k}_{j}"] for s in sources} if limit is not None else None
            thresholds.append({
                "param": rule.param, "value": limit, "side": rule.side, "symbol": rule.symbol,
                "condition": rule.when_text or None, "reason": f"{pm.stage}:{rule.reason}",
                "override": f"stages.{pm.stage}.{rule.param}",
                "removed": None if removed is None else {
                    s: {"docs": removed[s], "fraction": _fraction(removed[s], docs[s])} for s in sources},
                "removed_all": None if removed is None else {
                    "docs": sum(removed.values()), "fraction": _fraction(sum(removed.values()), total)},
            })
        nbins = len(edges[k]) - 1
        hist = {s: histograms.get((s, k), {}) for s in sources}
        entries.append({
            "name": pm.name, "stage": pm.stage, "position": pm.position, "metric": pm.spec.name,
            "description": pm.spec.description, "scale": pm.spec.scale, "image": pm.file_name,
            "thresholds": thresholds,
            "by_source": {s: {"docs": docs[s], "min": stats[s][f"min{k}"], "max": stats[s][f"max{k}"],
                              "mean": stats[s][f"mean{k}"],
                              **{name: value for (name, _), value in zip(QUANTILES, stats[s][f"q{k}"])}}
                          for s in sources},
            "histogram": {"edges": edges[k],
                          "counts": {s: [hist[s].get(b, 0) for b in range(nbins)] for s in sources},
                          "below": {s: hist[s].get(-1, 0) for s in sources},
                          "above": {s: hist[s].get(nbins, 0) for s in sources}},
        })
    stages = []
    for position in _stage_positions(metrics):
        docs = {s: stats[s]["docs"] for s in sources}
        removed = {s: stats[s][f"stage{position}"] for s in sources}
        first = {s: stats[s][f"first{position}"] for s in sources}
        stages.append({
            "stage": job_plan.stages[position].name, "position": position,
            "removed": {s: {"docs": removed[s], "fraction": _fraction(removed[s], docs[s])} for s in sources},
            "removed_all": {"docs": sum(removed.values()), "fraction": _fraction(sum(removed.values()),
                                                                                  sum(docs.values()))},
            "removed_in_order": {s: {"docs": first[s], "fraction": _fraction(first[s], docs[s])} for s in sources},
            "removed_in_order_all": {"docs": sum(first.values()),
                                     "fraction": _fraction(sum(first.values()), sum(docs.values()))},
        })
    return {
        "dps_version": __version__,
        "config": config.source,
        "input": list(config.input.paths),
        "source_column": source_col,
        "sample_fraction": sample_fraction,
        "seed": config.seed,
        "stages": [s.name for s in job_plan.stages],
        "quantiles": [name for name, _ in QUANTILES],
        "percentile_accuracy": PERCENTILE_ACCURACY,
        "records": {"read": sum(v["records"] for v in by_source.values()),
                    "profiled": sum(v["profiled"] for v in by_source.values()),
                    "quarantined": dict(sorted(quarantined.items()))},
        "sources": {s: by_source[s] for s in sorted(by_source)},
        "metrics": entries,
        # Per filter stage, all its thresholds together: alone, and after the stages before it (as a run counts).
        "stages_removed": stages,
    }


# ------------------------------------------------------------------------------------------------------ output

def write_profile(doc: dict, out_dir: str) -> str:
    """Write profile.json, one PNG per metric and profile.html into `out_dir`, replacing an earlier profile
    there as a whole (written beside it, then swapped in). Returns the HTML path."""
    from dps.render.charts import metric_png
    from dps.render.html import profile_html

    out_dir = check_out_dir(out_dir)
    images = {m["name"]: metric_png(m, list(doc["metrics"][0]["by_source"])) for m in doc["metrics"]}
    from dps.outputs import PROFILE, Lock, LocalFS, check_replaceable, commit_folder, recover, staging_path, token

    fs = LocalFS()
    os.makedirs(os.path.dirname(out_dir), exist_ok=True)
    lock = Lock(fs, out_dir, "--out")
    lock.acquire(log)
    run_token = token()
    staging = staging_path(out_dir, run_token)
    try:
        recover(fs, out_dir, log)
        check_replaceable(fs, out_dir, PROFILE, "--out")
        os.makedirs(staging)
        with open(os.path.join(staging, PROFILE_JSON), "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        for entry in doc["metrics"]:
            with open(os.path.join(staging, entry["image"]), "wb") as fh:
                fh.write(images[entry["name"]])
        with open(os.path.join(staging, PROFILE_HTML), "w", encoding="utf-8") as fh:
            fh.write(profile_html(doc, images))
        fs.sync_tree(staging)
        commit_folder(fs, out_dir, staging, run_token, label="profile")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.release()
    return os.path.join(out_dir, PROFILE_HTML)


def summary_table(doc: dict) -> str:
    """What each configured threshold would remove, per source (the console summary of `dps profile`). Rules
    are named by their --set key, ready to try another value."""
    sources = list(doc["metrics"][0]["by_source"])
    multi = len(sources) > 1
    rows = []
    for entry in doc["metrics"]:
        for t in entry["thresholds"]:
            if t["value"] is not None:
                cells = [pct(t["removed"][s]["fraction"]) for s in sources]
                rows.append((f"{t['override']}={t['value']:g}",
                             cells + ([pct(t["removed_all"]["fraction"])] if multi else [])))
    for entry in doc.get("stages_removed", []):
        cells = [pct(entry["removed"][s]["fraction"]) for s in sources]
        rows.append((f"{entry['stage']}: all its thresholds", cells + ([pct(entry["removed_all"]["fraction"])]
                                                                        if multi else [])))
        cells = [pct(entry["removed_in_order"][s]["fraction"]) for s in sources]
        rows.append((f"{entry['stage']}: after the stages before it",
                     cells + ([pct(entry["removed_in_order_all"]["fraction"])] if multi else [])))
    title = "threshold: share of documents it alone would remove"
    width = max([len(r) for r, _ in rows] + [len(title)])
    head = f"{title:<{width}} " + \
        " ".join(f"{s[:10]:>10}" for s in sources + (["all"] if multi else []))
    lines = [head, "-" * len(head)]
    lines += [f"{rule:<{width}} " + " ".join(f"{c:>10}" for c in cells) for rule, cells in rows]
    docs = ", ".join(f"{s} {doc['sources'][s]['profiled']:,}" for s in sources)
    lines += ["", f"documents profiled: {docs}; quarantined (not profiled): "
                  f"{sum(doc['records']['quarantined'].values()):,}"]
    return "\n".join(lines)


def profile(config: JobConfig, *, sample_fraction: float = 1.0, out_dir: str | None = None, spark=None,
            echo: Callable[[str], None] = log) -> tuple[dict, str]:
    """`dps profile`: validate, compute, write. Returns (profile document, HTML path)."""
    from dps.plan import plan
    from dps.spark.session import build_session

    sample_fraction = check_sample_fraction(sample_fraction)
    out_dir = check_out_dir(out_dir or default_out_dir(config))
    check_not_overlapping(config, out_dir, "--out")  # the default <output.path>_profile may lie in an input too
    job_plan = plan(config)  # config errors before Spark starts
    started = time.time()
    spark = spark or build_session(config)
    doc = compute_profile(config, spark, sample_fraction=sample_fraction, job_plan=job_plan, echo=echo)
    html = write_profile(doc, out_dir)
    echo(f"profile done in {time.time() - started:.1f}s: {html}")
    return doc, html
