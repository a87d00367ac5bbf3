"""The persistent dedup index of nightly runs: every kept document of every committed run, deduplicated against.

Layout under index.path (all of it written and read by Spark, except the small JSON manifests):

    _manifest/000000000001.json   one file per committed state; the highest number is the current one
    runs/<run_id>/<attempt>/      Parquet rows of one run's kept documents: id, run_id, node, exact_key,
                                  bands (MinHash band keys), shingles (the distinct 32-bit shingle values
                                  verification compares; only with verify). Hashes only: no text.

A run becomes part of the index only when a new manifest naming its folder is in place (one rename), so a crash
at any point leaves the previous manifest, and every folder it names, untouched. Folders no manifest names are
leftovers of crashed or replaced attempts; the next commit of that run id deletes them.

A run sees the runs committed before it: all of them for a new run id, and for a run id already in the index
(a rerun) only those committed before its first commit, so rerunning a night gives the same output.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from dataclasses import dataclass, field

from dps.config import ConfigError, JobConfig
from dps.dedup.frames import stable_id
from dps.outputs import LocalFS

# Format 2: verification data as shingle hash sets. Format 1 (older dps) kept the text dedup compared,
# in the default chain an unredacted copy of every kept document; it is refused with how to rebuild it.
FORMAT = 2
MANIFESTS = "_manifest"
RUNS = "runs"
IX_TEXT = "_dps_ix_text"  # the text as the dedup stages saw it, when a later stage changes it (never written)
INDEX_SCHEMA = ("id string, run_id string, node binary, exact_key binary, bands array<bigint>, "
                "shingles array<int>")


OLD_FORMATS = {1: " (written by an older dps: it holds the text of every kept document, unredacted)"}


@dataclass(frozen=True)
class RunEntry:
    run_id: str
    seq: int  # commit order of the run's first commit
    folder: str  # relative to the index path
    docs: int
    committed_at: str


@dataclass
class Manifest:
    version: int
    settings: dict
    runs: list[RunEntry] = field(default_factory=list)
    format: int = FORMAT  # how the run folders it names are written (open_index refuses any other than FORMAT)

    def to_json(self) -> str:
        return json.dumps({"format": self.format, "version": self.version, "settings": self.settings,
                           "runs": [vars(r) for r in self.runs]}, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> "Manifest":
        raw = json.loads(text)
        return cls(raw["version"], raw["settings"], [RunEntry(**r) for r in raw["runs"]], int(raw.get("format", 1)))

    def entry(self, run_id: str) -> RunEntry | None:
        return next((r for r in self.runs if r.run_id == run_id), None)


class IndexStore:
    """Manifests and run folders under one index path, through a HadoopFS (or LocalFS for reading).

    Writers hold the index lock (`<index>/.dps-lock`, dps.outputs.Lock), so everything unnamed by the current
    manifest is a leftover of a killed run and may be removed."""

    LOCK_FILE = ".dps-lock"

    def __init__(self, fs, path: str):
        self.fs, self.path = fs, path.rstrip("/")
        self.problems: list[str] = []  # what latest() had to skip, for the log and `dps index check`
        self.highest = 0  # the highest manifest number on disk, readable or not

    def _manifest_names(self) -> list[str]:
        folder = f"{self.path}/{MANIFESTS}"
        if not self.fs.exists(folder):
            return []
        return sorted(n for n in self.fs.list_names(folder) if n.endswith(".json") and n[:-5].isdigit())

    def latest(self) -> Manifest | None:
        """The newest readable manifest. A newer one that is empty or corrupt (a power loss before it reached
        the disk) is skipped with a problem noted; if no readable one is left, ConfigError says how to repair."""
        names = self._manifest_names()
        self.problems, self.highest = [], (int(names[-1][:-5]) if names else 0)
        for name in reversed(names):
            try:
                manifest = Manifest.parse(self.fs.read_text(f"{self.path}/{MANIFESTS}/{name}"))
            except (ValueError, KeyError, TypeError) as exc:
                self.problems.append(f"manifest {MANIFESTS}/{name} is unreadable ({type(exc).__name__}); "
                                     f"using the one before it")
                continue
            if self.problems:
                self.problems.append(f"runs committed after manifest {manifest.version} are not in the index: "
                                     f"rerun them with the same --run-id to add them back")
            return manifest
        if names:
            raise ConfigError(f"index.path: no readable manifest in {self.path}/{MANIFESTS} "
                              f"({'; '.join(self.problems)}); restore the folder from a backup, or move the index "
                              f"aside and rebuild it by rerunning the nights")
        return None

    def new_folder(self, run_id: str) -> str:
        """A fresh folder (relative path) for one attempt of a run; never one a manifest already names."""
        return f"{RUNS}/{run_id}/{uuid.uuid4().hex[:16]}"

    def missing_folders(self, runs) -> list[RunEntry]:
        return [r for r in runs if not self.fs.exists(f"{self.path}/{r.folder}")]

    def commit(self, run_id: str, folder: str, docs: int, settings: dict, expected_version: int,
               crash_point=lambda _name: None) -> Manifest:
        """Publish a run's folder with one new manifest (written beside, synced, then renamed into place).

        expected_version: the manifest version this run started from; if another run committed since, the
        commit is refused (rerun the job) rather than silently dropping that run.
        """
        current = self.latest()
        version = current.version if current else 0
        if version != expected_version:
            raise RuntimeError(f"the index at {self.path} changed while this run was running (manifest "
                               f"{expected_version} -> {version}): another run committed; rerun this one")
        runs = list(current.runs) if current else []
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        old = current.entry(run_id) if current else None
        entry = RunEntry(run_id, old.seq if old else max((r.seq for r in runs), default=0) + 1, folder, docs, now)
        runs = [entry if r.run_id == run_id else r for r in runs] if old else runs + [entry]
        # Above any manifest on disk, including an unreadable newest one (kept for inspection, never reused).
        manifest = Manifest(max(version, self.highest) + 1, settings, runs)
        folder_path = f"{self.path}/{MANIFESTS}"
        target = f"{folder_path}/{manifest.version:012d}.json"
        temp = f"{folder_path}/.{manifest.version:012d}.{uuid.uuid4().hex[:8]}.tmp"
        self.fs.drop_checksums(f"{self.path}/{folder}")
        self.fs.sync_tree(f"{self.path}/{folder}")  # the rows the manifest will name are on disk first
        self.fs.write_text(temp, manifest.to_json())  # fsynced
        crash_point("index:manifest_written")
        if self.fs.exists(target):  # a concurrent commit won the race (cannot happen under the lock)
            self.fs.delete(temp)
            raise RuntimeError(f"the index at {self.path} changed while this run was committing; rerun this one")
        self.fs.rename(temp, target)
        self.fs.sync_parent(target)
        self.fs.drop_checksums(folder_path)
        crash_point("index:committed")
        self.remove_leftovers(manifest)
        return manifest

    def remove_leftovers(self, manifest: Manifest | None) -> list[str]:
        """Delete what no manifest names: run folders of killed or replaced attempts and unfinished manifests.
        Only while holding the index lock. Returns what was removed."""
        removed = []
        folder_path = f"{self.path}/{MANIFESTS}"
        if self.fs.exists(folder_path):
            for name in self.fs.list_names(folder_path):
                if name.startswith(".") and name.endswith(".tmp"):
                    self.fs.delete(f"{folder_path}/{name}")
                    removed.append(f"{MANIFESTS}/{name}")
        if self.problems:  # a skipped manifest may name folders: keep them until the index is repaired
            return removed
        named = {r.folder for r in manifest.runs} if manifest else set()
        runs_path = f"{self.path}/{RUNS}"
        if not self.fs.exists(runs_path):
            return removed
        for run_id in self.fs.list_names(runs_path):
            if run_id.startswith("."):
                continue
            for attempt in self.fs.list_names(f"{runs_path}/{run_id}"):
                rel = f"{RUNS}/{run_id}/{attempt}"
                if rel not in named and not attempt.startswith("."):
                    self.fs.delete(f"{self.path}/{rel}")
                    removed.append(rel)
        return removed


@dataclass
class IndexView:
    """The part of the index one run sees, and where its own additions go."""

    store: IndexStore
    run_id: str
    settings: dict
    base_version: int  # the manifest version the run started from
    runs: list[RunEntry]  # the committed runs this run deduplicates against
    manifest: Manifest | None = None  # the manifest the view was read from (None: empty index)
    # Tables a stage adds to this run's index folder, written beside its rows and committed with them: (subfolder,
    # frame, cached frame to release after the write). line_dedup's line counts (dps.dedup.lines.COUNTS).
    extra: list = field(default_factory=list)

    def release(self) -> None:
        """Unpersist what the extra tables cached."""
        for _name, _frame, cached in self.extra:
            if cached is not None:
                cached.unpersist()

    @property
    def has_runs(self) -> bool:
        return bool(self.runs)

    def frame(self, spark):
        """The visible index rows (INDEX_SCHEMA), or None before the first committed run."""
        if not self.runs:
            return None
        return spark.read.schema(INDEX_SCHEMA).parquet(*[f"{self.store.path}/{r.folder}" for r in self.runs])

    def describe(self) -> str:
        if not self.runs:
            return f"index {self.store.path}: empty; run {self.run_id} starts it"
        docs = sum(r.docs for r in self.runs)
        return (f"index {self.store.path}: deduplicating against {docs:,} documents of {len(self.runs)} earlier "
                f"run(s) ({self.runs[0].run_id} .. {self.runs[-1].run_id})")


def open_index(fs, config: JobConfig, settings: dict, echo=print) -> IndexView:
    """The view of config.index for config.run_id; ConfigError if the index was built with other dedup settings."""
    store = IndexStore(fs, config.index.path)
    manifest = store.latest()
    for problem in store.problems:
        echo(f"warning: index {config.index.path}: {problem}")
    if manifest is None:
        return IndexView(store, config.run_id, settings, 0, [])
    if manifest.format != FORMAT:
        where = f"{config.source}: index.path: the index at {config.index.path} has format {manifest.format}"
        if manifest.format > FORMAT:
            raise ConfigError(f"{where}, written by a newer dps; this one reads format {FORMAT}: run the newer one")
        raise ConfigError(f"{where}{OLD_FORMATS.get(manifest.format, '')}; this dps reads format {FORMAT} only: "
                          f"move the folder aside and rebuild the index by rerunning every night, in order, with "
                          f"this index.path")
    if manifest.settings != settings:
        diffs = [k for k in sorted(set(settings) | set(manifest.settings))
                 if settings.get(k) != manifest.settings.get(k)]
        detail = "; ".join(f"{k}: index {manifest.settings.get(k)}, config {settings.get(k)}" for k in diffs)
        raise ConfigError(f"{config.source}: index.path: the index at {config.index.path} was built with other "
                          f"dedup settings ({detail}); every run of an index must use the same ones (or start a "
                          f"new index)")
    own = manifest.entry(config.run_id)
    visible = [r for r in manifest.runs if own is None or r.seq < own.seq]
    missing = store.missing_folders(visible)
    if missing:
        shown = ", ".join(f"{r.folder} (run {r.run_id})" for r in missing[:3])
        raise ConfigError(f"{config.source}: index.path: the index at {config.index.path} names folders that are "
                          f"missing: {shown}; restore them from a backup (dps index check lists every problem)")
    return IndexView(store, config.run_id, settings, manifest.version, sorted(visible, key=lambda r: r.seq),
                     manifest)


def index_rows(kept, config: JobConfig, settings: dict, text_column: str):
    """The index rows (INDEX_SCHEMA) of a run's final kept documents; `text_column` holds the text the dedup
    stages saw (the frame's text column, or IX_TEXT when a later stage changed the text). Only hashes of that
    text are written: the stable id, the node, the exact key, the band keys and (with verify) the shingle set."""
    from functools import partial

    from pyspark.sql import functions as F

    sid = stable_id(config, text_column)
    docs = kept.select(sid.alias("id"), F.col(text_column).alias("text"))
    docs = docs.select("id", F.unhex(F.md5(F.concat_ws("\u0000", "id", "text"))).alias("node"), "text")
    return docs.mapInArrow(partial(_index_batch, run_id=config.run_id, settings=settings), INDEX_SCHEMA)


def _index_batch(batches, *, run_id: str, settings: dict):
    """mapInArrow body: (id, node, text) -> index rows; keys and shingle sets computed exactly as the dedup stages
    compute them."""
    import numpy as np
    import pyarrow as pa

    from dps.dedup.signatures import band_keys, exact_keys, shingle_sets, signatures, size_bounded

    exact, lsh = settings["exact_dedup"], settings["minhash_dedup"]
    keep_sets = bool(lsh and lsh["verify"])
    for batch in batches:
        n = batch.num_rows
        texts = batch.column(2).to_pylist()
        keys = exact_keys(texts, **exact) if exact else [None] * n
        bands: list = [None] * n
        if lsh:
            sig, has = signatures(texts, num_perm=lsh["num_perm"], **lsh["shingling"])
            docs = np.flatnonzero(has)
            rows = band_keys(sig[docs], lsh["bands"], lsh["rows"], seed=lsh["shingling"]["seed"])
            for i, doc in enumerate(docs):
                bands[doc] = rows[i].tolist()
        sets = pa.nulls(n, type=pa.list_(pa.int32()))
        if keep_sets:
            parts = []
            for part in size_bounded([len(t or "") for t in texts]):
                values, offsets = shingle_sets(texts[part], **lsh["shingling"])
                parts.append(set_array(values, offsets))
            sets = pa.concat_arrays(parts) if parts else sets
        yield pa.RecordBatch.from_arrays(
            [batch.column(0), pa.array([run_id] * n, type=pa.string()), batch.column(1),
             pa.array(keys, type=pa.binary()), pa.array(bands, type=pa.list_(pa.int64())), sets],
            names=["id", "run_id", "node", "exact_key", "bands", "shingles"])


def set_array(values, offsets):
    """Shingle sets (uint32 values, int64 offsets; see signatures.shingle_sets) as an Arrow list<int32> array,
    the 32-bit values stored as their bits; a document without shingles gets null."""
    import numpy as np
    import pyarrow as pa

    counts = np.diff(offsets)
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(values.view(np.int32)),
                                    mask=pa.array(counts == 0))


def set_values(array):
    """The inverse of set_array for a list<int32> Arrow array: (uint32 values, int64 offsets), null as empty."""
    import numpy as np
    import pyarrow.compute as pc

    counts = pc.fill_null(pc.list_value_length(array), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    values = array.flatten().to_numpy(zero_copy_only=False).astype(np.int32, copy=False).view(np.uint32)
    return values, offsets


def _fs_for(path: str, app: str):
    """(fs, normalized path, size function): local paths need no Spark."""
    from dps.config import is_remote

    if is_remote(path):
        from pyspark.sql import SparkSession

        from dps.spark.io import HadoopFS

        fs = HadoopFS(SparkSession.builder.appName(app).getOrCreate(), path)
        return fs, path.rstrip("/"), lambda p: fs.fs.getContentSummary(fs.path(p)).getLength()
    fs = LocalFS()
    return fs, os.path.abspath(path[len("file://"):] if path.startswith("file://") else path), fs.size


def _committed(path: str, app: str):
    fs, path, size = _fs_for(path, app)
    if not fs.exists(path):
        raise ConfigError(f"{path}: no such index folder")
    store = IndexStore(fs, path)
    manifest = store.latest()
    if manifest is None:
        raise ConfigError(f"{path}: not a dps index (no {MANIFESTS}/ with a committed manifest)")
    return fs, path, size, store, manifest


def index_stats(path: str, *, as_json: bool = False) -> str:
    """`dps index stats PATH`: runs, documents and bytes of the committed index (local paths need no Spark)."""
    fs, path, size, store, manifest = _committed(path, "dps index stats")
    runs = []
    for r in sorted(manifest.runs, key=lambda r: r.seq):
        folder = f"{path}/{r.folder}"
        present = fs.exists(folder)
        runs.append({**vars(r), "bytes": size(folder) if present else 0, "missing": not present})
    summary = {"path": path, "manifest_version": manifest.version, "runs": len(runs),
               "documents": sum(r["docs"] for r in runs), "bytes": sum(r["bytes"] for r in runs),
               "settings": manifest.settings, "per_run": runs,
               "problems": list(store.problems) + [f"run {r['run_id']}: folder {r['folder']} is missing"
                                                   for r in runs if r["missing"]]}
    if as_json:
        return json.dumps(summary, ensure_ascii=False, indent=2)
    lines = [f"index {path}: {summary['documents']:,} documents in {summary['runs']} run(s), "
             f"{summary['bytes'] / 1e6:,.1f} MB (manifest {manifest.version})",
             f"{'run_id':<24} {'seq':>5} {'documents':>12} {'MB':>10}  committed"]
    for r in runs:
        mb = "MISSING" if r["missing"] else f"{r['bytes'] / 1e6:,.1f}"
        lines.append(f"{r['run_id']:<24} {r['seq']:>5} {r['docs']:>12,} {mb:>10}  {r['committed_at']}")
    lines += [f"problem: {p}" for p in summary["problems"]]
    return "\n".join(lines)


def index_check(path: str, output_root: str) -> tuple[bool, str]:
    """`dps index check INDEX OUTPUT_ROOT`: does the index agree with the published nights?

    Every run in the index must have a published run_id=<id> folder whose report counts as many kept documents
    and names this index; every published night must be in the index (a night written without the index, or
    killed between its output and index commits, is not)."""
    fs, path, _size, store, manifest = _committed(path, "dps index check")
    _, root, _ = _fs_for(output_root, "dps index check")
    problems = list(store.problems)
    lines = [f"{'run_id':<24} {'index docs':>11} {'output kept':>12}  state"]
    nights = sorted(n[len("run_id="):] for n in fs.list_names(root) if n.startswith("run_id=")) \
        if fs.exists(root) else []
    indexed = {r.run_id: r for r in manifest.runs}
    for run_id in sorted(set(nights) | set(indexed)):
        entry = indexed.get(run_id)
        report_path = f"{root}/run_id={run_id}/_dps_report.json"
        report = None
        if fs.exists(report_path):
            try:
                report = json.loads(fs.read_text(report_path))
            except ValueError:
                report = None
        kept = report.get("totals", {}).get("kept") if report else None
        seen_by = (report or {}).get("index", {}).get("path") if report else None
        if entry is None:
            state = ("published without the index" if report and seen_by is None else
                     "published, but not in the index (killed between the output and index commits, or the index "
                     "was restored): rerun it")
        elif run_id not in nights or report is None:
            state = "in the index, not published (output missing)"
        elif not fs.exists(f"{path}/{entry.folder}"):
            state = f"index folder {entry.folder} missing"
        elif kept != entry.docs:
            state = "counts differ: rerun it"
        elif seen_by is not None and seen_by.rstrip("/") != path:
            state = f"published with another index ({seen_by})"
        else:
            state = "ok"
        if state != "ok":
            problems.append(f"run {run_id}: {state}")
        docs, shown = entry.docs if entry else "-", kept if kept is not None else "-"
        lines.append(f"{run_id:<24} {docs:>11} {shown:>12}  {state}")
    ok = not problems
    head = (f"index {path} and outputs {root}: "
            f"{'consistent' if ok else f'{len(problems)} problem(s)'} ({len(indexed)} indexed run(s), "
            f"{len(nights)} published night(s))")
    return ok, "\n".join([head, *lines, *[f"problem: {p}" for p in store.problems]])
