"""The run report: counts per status and reason (and per source), the invariant, the effective config.

Counts come from one small groupBy over the marked frame (a few hundred rows at most, safe to collect), not
from accumulators, which Spark may apply twice when a task is retried.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field

from dps import __version__
from dps.config import StageSpec
from dps.dedup import lines as line_dedup
from dps.dedup.frames import DUP_OF, DUP_OF_RUN
from dps.marks import DETAIL, RAW, REASON, STATUS, STATUSES
from dps.registry import STAGES, bind
from dps.render.html import EXAMPLE_CHARS, LINE_EXAMPLES

# Sources the console table lists (the largest); the JSON and HTML reports list them all.
CONSOLE_SOURCES = 20
# The report names at most report.max_sources sources; the others are summed under this name.
OTHER_SOURCES = "(other sources)"
# Statuses x reasons seen per source, at most, before the report stops listing sources one by one.
ROWS_PER_SOURCE = 64


@dataclass
class ReasonCount:
    status: str
    reason: str | None
    source: str | None
    docs: int
    chars: int


@dataclass
class Report:
    input_records: int
    rows: list[ReasonCount]
    config: dict
    written: dict = field(default_factory=dict)
    edits: list[dict] = field(default_factory=list)  # per map stage: docs_changed, chars_removed
    index: dict | None = None  # nightly runs: the index seen and what this run added to it
    # Every stage as it ran: each parameter's effective value (the signature's default where the config is silent).
    stages: list[dict] = field(default_factory=list)
    # When it ran and how long each step took, and which config file (and its git describe) it ran.
    run: dict = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        totals = {s: 0 for s in STATUSES}
        for r in self.rows:
            totals[r.status] = totals.get(r.status, 0) + r.docs
        return totals

    def invariant(self) -> tuple[bool, str]:
        t = self.totals()
        total = sum(t.values())
        equation = (f"input {self.input_records:,} = kept {t['kept']:,} + filtered {t['filtered']:,} + "
                    f"duplicate {t['duplicate']:,} + quarantined {t['quarantined']:,}")
        holds = total == self.input_records and set(t) == set(STATUSES)
        if "kept_rows" in self.written:
            holds = holds and self.written["kept_rows"] == t["kept"]
        if "rejected_rows" in self.written:
            holds = holds and self.written["rejected_rows"] == total - t["kept"]
        if "index_rows" in self.written:  # every kept document, and only those, enters the index
            holds = holds and self.written["index_rows"] == t["kept"]
        return holds, equation

    def by_reason(self) -> list[tuple[str, str | None, int, int]]:
        merged: dict[tuple[str, str | None], list[int]] = {}
        for r in self.rows:
            acc = merged.setdefault((r.status, r.reason), [0, 0])
            acc[0] += r.docs
            acc[1] += r.chars
        order = {s: i for i, s in enumerate(STATUSES)}
        return sorted(((s, rs, d, c) for (s, rs), (d, c) in merged.items()),
                      key=lambda x: (order.get(x[0], 9), -x[2], x[1] or ""))

    def by_source(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        if all(r.source is None for r in self.rows):  # no source column: no per-source breakdown
            return out
        for r in self.rows:
            src = out.setdefault(r.source if r.source is not None else "(none)", {s: 0 for s in STATUSES})
            src[r.status] = src.get(r.status, 0) + r.docs
        return dict(sorted(out.items()))

    def show_output(self) -> str | None:
        """The folder `dps show` reads this run's rejected documents from (its output folder: the report there names
        the rejected one), or None when the run kept no rejected documents."""
        output = self.config.get("output", {})
        if not output.get("rejected_path"):
            return None
        path, run_id = output["path"], self.config.get("run_id")
        return f"{path.rstrip('/')}/run_id={run_id}" if run_id is not None else path  # as JobConfig.run_path

    def show_command(self, reason: str, output: str | None = None) -> str | None:
        """The `dps show` command that lists this reason's documents (of `output`, by default this run's folder), or
        None when the run kept no rejected documents."""
        folder = self.show_output()
        if folder is None:
            return None
        return f"dps show {output or shlex.quote(folder)} --reason {shlex.quote(reason)} -n 50"

    def to_json(self) -> str:
        holds, equation = self.invariant()
        doc = {
            "dps_version": __version__,
            "input_records": self.input_records,
            "totals": self.totals(),
            "invariant": {"holds": holds, "equation": equation},
            "written": self.written,
            "reasons": [{"status": s, "reason": r, "docs": d, "chars": c} for s, r, d, c in self.by_reason()],
            "by_source": self.by_source(),
            "map_stage_edits": self.edits,
            **({"index": self.index} if self.index is not None else {}),
            "config": self.config,
            **({"effective_stages": self.stages} if self.stages else {}),
            **({"run": self.run} if self.run else {}),
        }
        return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def table(self) -> str:
        n = max(self.input_records, 1)
        lines = [f"{'status':<12} {'reason':<50} {'docs':>10} {'share':>7} {'chars':>14}"]
        lines.append("-" * len(lines[0]))
        for status, reason, docs, chars in self.by_reason():
            lines.append(f"{status:<12} {reason or '':<50} {docs:>10,} {docs / n:>7.1%} {chars:>14,}")
        if self.edits:
            lines += ["", f"{'map stage':<24} {'docs changed':>14} {'chars removed':>15}"]
            for e in self.edits:
                lines.append(f"{e['stage']:<24} {e['docs_changed']:>14,} {e['chars_removed']:>15,}")
                for counter, n in e.get("counters", {}).items():
                    lines.append(f"  {counter:<22} {n:>14,}")
        sources = self.by_source()
        if len(sources) > 1 or (sources and "(none)" not in sources):
            lines += ["", f"{'source':<20} " + " ".join(f"{s:>12}" for s in STATUSES)]
            largest = sorted(sources.items(), key=lambda kv: -sum(kv[1].values()))[:CONSOLE_SOURCES]
            for src, counts in sorted(largest):
                lines.append(f"{src[:20]:<20} " + " ".join(f"{counts.get(s, 0):>12,}" for s in STATUSES))
            if len(sources) > CONSOLE_SOURCES:
                lines.append(f"({len(sources) - CONSOLE_SOURCES} more sources in the JSON and HTML report)")
        if self.index is not None:
            ix = self.index
            lines += ["", f"index {ix['path']}: run {ix['run_id']} checked against {ix['docs_seen']:,} documents of "
                          f"{len(ix['runs_seen'])} earlier run(s); adds {self.written.get('index_rows', 0):,}"]
        holds, equation = self.invariant()
        lines += ["", f"{'OK' if holds else 'BROKEN'}: {equation}"]
        return "\n".join(lines)



# ------------------------------------------------------------------------------- the counts (Spark queries)

def aggregate(marked, config, edit_columns: list[tuple[str, str]], source_col: str | None) -> list:
    """The report's one aggregate over the final (cached) frame: documents, characters and bytes per status, reason
    (and source), what each map stage changed, and the seeded hashes of a few example documents per reason."""
    from pyspark.sql import functions as F

    text_col = config.input.text_column

    def rows(source):
        return marked.groupBy(STATUS, REASON, *([source] if source is not None else [])).agg(
            F.count(F.lit(1)).alias("docs"),
            F.coalesce(F.sum(F.char_length(text_col)), F.lit(0)).alias("chars"),
            F.coalesce(F.sum(F.octet_length(text_col)), F.lit(0)).alias("bytes"),
            *[F.count(c).alias(f"{c}_docs") for c, _ in edit_columns],
            *[F.coalesce(F.sum(c), F.lit(0)).alias(f"{c}_chars") for c, _ in edit_columns],
            *example_columns(config, marked.columns),  # a few rejected documents per reason for the HTML page
            *line_dedup_columns(marked.columns),
        )

    if source_col is None:
        return rows(None).collect()  # statuses x reasons: a bounded number of rows
    # Per source, as long as the sources are few: a source column holding URLs or domains must not bring a row per
    # value to the driver. One job in the usual case; past the cap, the largest sources by documents are listed
    # and the others summed as one (two more small jobs).
    most = config.report.max_sources
    cap = most * ROWS_PER_SOURCE
    got = rows(source_col).limit(cap + 1).collect()
    if len(got) <= cap and len({r[source_col] for r in got}) <= most:
        return got
    top = (marked.groupBy(source_col).count().where(F.col(source_col).isNotNull())
           .orderBy(F.desc("count"), F.asc(source_col)).limit(most).collect())
    listed = [r[source_col] for r in top]
    folded = (F.when(F.col(source_col).isNull(), F.lit(None).cast("string"))
              .when(F.col(source_col).isin(listed), F.col(source_col).cast("string"))
              .otherwise(F.lit(OTHER_SOURCES)))
    return rows(folded.alias(source_col)).collect()


def line_dedup_columns(columns) -> list:
    """Aggregate expressions summing line_dedup's per-row counters (none without the stage)."""
    from pyspark.sql import functions as F

    if line_dedup.LINES not in columns:
        return []
    return [F.count(line_dedup.LINES).alias("_dps_ld_docs"),
            F.coalesce(F.sum(line_dedup.CHARS), F.lit(0)).alias("_dps_ld_chars"),
            F.coalesce(F.sum(line_dedup.LINES), F.lit(0)).alias("_dps_ld_lines")]


def sum_counters(marked, stats_column: str) -> dict[str, int]:
    """A map stage's counters summed over the (cached) final frame: a few counter names, a tiny aggregate."""
    from pyspark.sql import functions as F

    rows = (marked.select(F.explode(stats_column).alias("counter", "n"))
            .groupBy("counter").agg(F.sum("n").alias("n")).collect())
    return {r["counter"]: r["n"] for r in sorted(rows, key=lambda r: r["counter"])}


def build_report(config, job_plan, rows: list, source_col: str | None, input_records: int,
                 edit_columns: list[tuple[str, str]], counters: dict, written: dict, index) -> Report:
    """The report from the aggregate's rows, the independent input count and what the writers wrote."""
    counts = [ReasonCount(r[STATUS], r[REASON], (str(r[source_col]) if source_col and r[source_col] is not None
                                                  else None), r["docs"], r["chars"]) for r in rows]
    edits = [{"stage": name, "docs_changed": sum(r[f"{c}_docs"] for r in rows),
              "chars_removed": sum(r[f"{c}_chars"] for r in rows)} for c, name in edit_columns]
    for edit, (c, _) in zip(edits, edit_columns):
        if c in counters:
            edit["counters"] = counters[c]
    if rows and "_dps_ld_docs" in rows[0].asDict():  # line_dedup changes the text: listed with the map stages
        position = next(i for i, s in enumerate(job_plan.stages) if s.name == line_dedup.STAGE)
        edits.insert(sum(1 for s in job_plan.stages[:position] if s.kind == "map"), {
            "stage": line_dedup.STAGE, "docs_changed": sum(r["_dps_ld_docs"] for r in rows),
            "chars_removed": sum(r["_dps_ld_chars"] for r in rows),
            "counters": {"lines_removed": sum(r["_dps_ld_lines"] for r in rows)}})
    report = Report(input_records, counts, config.to_dict(), edits=edits,
                    stages=[_effective(s) for s in job_plan.stages])
    report.written.update(written)
    if index is not None:
        report.index = {"path": index.store.path, "run_id": index.run_id,
                        "runs_seen": [r.run_id for r in index.runs], "docs_seen": sum(r.docs for r in index.runs)}
    return report

# ------------------------------------------------------------------------ example documents (Spark queries)

# Characters of a document PII tagging looks at before the example is cut: context after the cut (a bank name
# after an account number) still counts, and no full document crosses to the driver.
_TAG_WINDOW = 1000


def _example_parts(config, columns):
    from pyspark.sql import functions as F

    body = F.coalesce(F.col(config.input.text_column), F.col(RAW))  # an unreadable record has its raw line only
    fields = [F.substring(body, 1, _TAG_WINDOW).alias("text"), F.char_length(body).alias("length")]
    for key, name in (("source", config.input.source_column), ("id", config.input.id_column),
                      ("detail", DETAIL), ("dup_of", DUP_OF), ("dup_of_run", DUP_OF_RUN)):
        if name and name in columns:
            fields.append(F.col(name).cast("string").alias(key))
    return body, fields, F.col(STATUS) != "kept"


def example_columns(config, columns, per_reason: int | None = None) -> list:
    """Aggregate expressions for the pipeline's report groupBy: per group and slot, the smallest seeded hash of a
    rejected row's text (each slot has its own seed). Plain long minimums keep the report a hash aggregation: a
    struct-valued min_by here turned it into a sort of the whole corpus. `example_rows` then fetches the rows
    with those hashes. `per_reason`: report.examples_per_reason unless given."""
    from pyspark.sql import functions as F

    per_reason = config.report.examples_per_reason if per_reason is None else per_reason
    body, _, rejected = _example_parts(config, columns)
    return [F.min(F.when(rejected, F.xxhash64(F.lit(config.seed + slot), body))).alias(f"_dps_example_{slot}")
            for slot in range(per_reason)]


def example_rows(marked, rows, config, per_reason: int | None = None) -> list:
    """Per (status, reason) group of the report rows, and per slot, the rejected row with the smallest seeded hash.
    Only rows whose hash is one of the few minimums are read (a filter over the cached final frame), so the struct
    aggregation below sees a handful of rows (copies of one text tie on the hash: the text and id break the tie,
    so the same row wins on every run)."""
    from functools import reduce

    from pyspark.sql import functions as F

    per_reason = config.report.examples_per_reason if per_reason is None else per_reason
    found = Examples(top_removed_lines(marked))
    wanted = [sorted({r[f"_dps_example_{slot}"] for r in rows if r[f"_dps_example_{slot}"] is not None})
              for slot in range(per_reason)]
    if not any(wanted):
        return found
    body, fields, rejected = _example_parts(config, marked.columns)
    hashes = [F.xxhash64(F.lit(config.seed + slot), body) for slot in range(per_reason)]
    hit = reduce(lambda a, b: a | b, [h.isin(w) for h, w in zip(hashes, wanted) if w])
    out = []
    for slot, h in enumerate(hashes):
        order = F.struct(h.alias("h"), body.alias("body"), *fields[2:])
        out.append(F.min_by(F.struct(order.alias("order"), *fields), order).alias(f"_dps_example_{slot}"))
    found += marked.where(rejected & hit).groupBy(STATUS, REASON).agg(*out).collect()
    found.survivors = _survivors(marked, found, config, per_reason)
    return found


def _survivors(marked, found, config, per_reason: int) -> dict[str, str]:
    """id -> the start of the text of the documents the example duplicates point at (in this run; a document of an
    earlier run is in the index, which keeps no text): a filter on a handful of ids."""
    from pyspark.sql import functions as F

    id_col = config.input.id_column
    if not id_col or id_col not in marked.columns or DUP_OF not in marked.columns:
        return {}
    ids = set()
    for row in found:
        for slot in range(per_reason):
            ex = row[f"_dps_example_{slot}"]
            ex = ex.asDict() if ex is not None else {}
            if ex.get("dup_of") is not None and ex.get("dup_of_run") is None:
                ids.add(ex["dup_of"])
    ids = sorted(ids)
    if not ids:
        return {}
    text = F.substring(F.col(config.input.text_column), 1, _TAG_WINDOW)
    rows = (marked.where(F.col(id_col).cast("string").isin(ids) & (F.col(STATUS) == "kept"))
            .select(F.col(id_col).cast("string").alias("id"), text.alias("text")).collect())
    return {r["id"]: r["text"] for r in sorted(rows, key=lambda r: (r["id"], r["text"] or ""))}


class Examples(list):
    """example_rows' answer: the rows per reason, `lines` (line_dedup's most frequent removed lines), and
    `survivors` (id -> text start of the documents the duplicate examples duplicate)."""

    def __init__(self, lines=()):
        super().__init__()
        self.lines = list(lines)
        self.survivors: dict[str, str] = {}


def top_removed_lines(marked, n: int = LINE_EXAMPLES) -> list[dict]:
    """line_dedup's `n` removed units held by the most documents (each distinct unit is recorded once, in the
    row holding its first occurrence; copies of that text repeat it, hence the group), ties by text then hash:
    a shuffle of the distinct removed units only, then `n` rows to the driver."""
    from pyspark.sql import functions as F

    if line_dedup.EXAMPLES not in marked.columns:
        return []
    units = (marked.select(F.explode(line_dedup.EXAMPLES).alias("e")).select("e.*")
             .groupBy("hash").agg(F.max("docs").alias("docs"), F.min("line").alias("line")))
    top = units.orderBy(F.col("docs").desc(), F.col("line").asc(), F.col("hash").asc()).limit(n).collect()
    return [{"docs": r["docs"], "line": r["line"]} for r in top]


def collect_examples(rows, config, job_plan, per_reason: int | None = None) -> list[dict]:
    """The examples per (status, reason) from `example_rows`, PII tagged, cut for the page."""
    per_reason = config.report.examples_per_reason if per_reason is None else per_reason

    candidates: dict[tuple, dict] = {}
    for row in rows:
        for slot in range(per_reason):
            ex = row[f"_dps_example_{slot}"]
            if ex is None:
                continue
            ex = ex.asDict(recursive=True)
            key = (row[STATUS], row[REASON])
            candidates.setdefault(key, {})[(ex["order"]["h"], ex["order"]["body"], ex.get("id"))] = ex
    chosen = []
    for (status, reason), found in sorted(candidates.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        for _, ex in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or ""))[:per_reason]:
            chosen.append({"status": status, "reason": reason, **ex})
    # Rejected documents never reached the masking stage: mask them as the configured one would (defaults otherwise).
    masker = next(name for name, stage in STAGES.items() if stage.masks_examples)
    tagger = next((s for s in job_plan.stages if s.name == masker), None) or \
        bind(StageSpec(masker, {}, "report"), config.seed, "report")
    examples = []
    for r in chosen:
        text = r["text"] or ""
        try:
            tagged = tagger.apply(text)
        except Exception as exc:  # never show an untagged document
            tagged = f"[example withheld: tag_pii failed with {type(exc).__name__}]"
        cut = tagged[:EXAMPLE_CHARS]
        if len(cut) < len(tagged) or (r["length"] or 0) > len(text):
            cut += " …"
        example = {"status": r["status"], "reason": r["reason"], "text": cut, "source": r.get("source"),
                   "id": r.get("id"), "detail": r.get("detail"), "dup_of": r.get("dup_of"),
                   "dup_of_run": r.get("dup_of_run")}
        survivor = getattr(rows, "survivors", {}).get(r.get("dup_of"))
        if survivor is not None:
            example["survivor_text"] = _masked(tagger, survivor)
        examples.append(example)
    for line in getattr(rows, "lines", []):  # line_dedup's most frequent removed lines, masked the same way
        text = line["line"] or ""
        try:
            tagged = tagger.apply(text)
        except Exception as exc:  # never show an untagged line
            tagged = f"[line withheld: tag_pii failed with {type(exc).__name__}]"
        examples.append({"status": line_dedup.STAGE, "reason": None, "kind": "line", "docs": line["docs"],
                         "text": tagged[:EXAMPLE_CHARS] + (" …" if len(tagged) > EXAMPLE_CHARS else "")})
    return examples


def _masked(tagger, text: str) -> str:
    """A text start for the page: PII tagged, cut to EXAMPLE_CHARS."""
    try:
        tagged = tagger.apply(text or "")
    except Exception as exc:  # never show an untagged document
        return f"[text withheld: tag_pii failed with {type(exc).__name__}]"
    return tagged[:EXAMPLE_CHARS] + (" …" if len(tagged) > EXAMPLE_CHARS else "")


def _effective(stage) -> dict:
    """A stage as it ran: every parameter's effective value, and those of its per-source bindings."""
    out = {"stage": stage.name, "kind": stage.kind, "params": stage.effective_params}
    if stage.by_source:
        out["by_source"] = {src: alt.effective_params for src, alt in sorted(stage.by_source.items())}
    return out
