"""The persistent dedup index of nightly runs: every kept document of every committed run, deduplicated against.

Layout under index.path (all of it written and read by Spark, except the small JSON manifests):

    _manifest/000000000001.json   one file per committed state; the highest number is the current one
    runs/<run_id>/<attempt>/      Parquet rows of one run's kept documents: id, run_id, node, exact_key,
                                  bands (MinHash band keys), text (the text dedup saw; only with verify)

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

FORMAT = 1
MANIFESTS = "_manifest"
RUNS = "runs"
# Columns the dedup stages add to their working frames in nightly mode.
OLD = "_dps_old"  # the row is a document of an earlier run (never marked, never output)
RUN = "_dps_run"  # the row's run id
DUP_OF_RUN = "dup_of_run"  # run id of the document a duplicate matched
IX_TEXT = "_dps_ix_text"  # the text as the dedup stages saw it, when a later stage changes it
INDEX_SCHEMA = "id string, run_id string, node binary, exact_key binary, bands array<bigint>, text string"


def index_settings(config: JobConfig, stages) -> dict:
    """What every run sharing an index must agree on, from the bound dedup stages of a plan."""
    from dps.dedup.minhash import lsh_settings

    settings: dict = {"format": FORMAT, "id_column": config.input.id_column, "exact_dedup": None,
                      "minhash_dedup": None}
    for stage in stages:
        if stage.name == "exact_dedup":
            settings["exact_dedup"] = {"lowercase": stage.params.get("lowercase", False),
                                       "strip_punctuation": stage.params.get("strip_punctuation", False)}
        elif stage.name == "minhash_dedup":
            settings["minhash_dedup"] = lsh_settings(config, **stage.params).fingerprint()
    return settings


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

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": self.version, "settings": self.settings,
                           "runs": [vars(r) for r in self.runs]}, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> "Manifest":
        raw = json.loads(text)
        return cls(raw["version"], raw["settings"], [RunEntry(**r) for r in raw["runs"]])

    def entry(self, run_id: str) -> RunEntry | None:
        return next((r for r in self.runs if r.run_id == run_id), None)


class LocalFS:
    """The file operations the index needs, on local paths: `dps index stats` without Spark, and tests."""

    def exists(self, p: str) -> bool:
        return os.path.exists(p)

    def write_text(self, p: str, text: str) -> None:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(text)

    def rename(self, src: str, dst: str) -> None:
        os.rename(src, dst)

    def delete(self, p: str) -> None:
        import shutil

        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)

    def drop_checksums(self, p: str) -> None:
        pass  # only Hadoop writes .crc side files

    def list_names(self, p: str) -> list[str]:
        return sorted(os.listdir(p))

    def read_text(self, p: str) -> str:
        with open(p, encoding="utf-8") as fh:
            return fh.read()

    def size(self, p: str) -> int:
        if os.path.isfile(p):
            return os.path.getsize(p)
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(p) for f in fs)


class IndexStore:
    """Manifests and run folders under one index path, through a HadoopFS (or LocalFS for reading)."""

    def __init__(self, fs, path: str):
        self.fs, self.path = fs, path.rstrip("/")

    def latest(self) -> Manifest | None:
        folder = f"{self.path}/{MANIFESTS}"
        if not self.fs.exists(folder):
            return None
        names = [n for n in self.fs.list_names(folder) if n.endswith(".json") and n[:-5].isdigit()]
        if not names:
            return None
        return Manifest.parse(self.fs.read_text(f"{folder}/{max(names)}"))

    def new_folder(self, run_id: str) -> str:
        """A fresh folder (relative path) for one attempt of a run; never one a manifest already names."""
        return f"{RUNS}/{run_id}/{uuid.uuid4().hex[:16]}"

    def commit(self, run_id: str, folder: str, docs: int, settings: dict, expected_version: int) -> Manifest:
        """Publish a run's folder with one new manifest (written beside, then renamed into place).

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
        manifest = Manifest(version + 1, settings, runs)
        folder_path = f"{self.path}/{MANIFESTS}"
        target = f"{folder_path}/{manifest.version:012d}.json"
        temp = f"{folder_path}/.{manifest.version:012d}.{uuid.uuid4().hex[:8]}.tmp"
        self.fs.write_text(temp, manifest.to_json())
        if self.fs.exists(target):  # a concurrent commit won the race
            self.fs.delete(temp)
            raise RuntimeError(f"the index at {self.path} changed while this run was committing; rerun this one")
        self.fs.rename(temp, target)
        self.fs.drop_checksums(folder_path)
        self.fs.drop_checksums(f"{self.path}/{folder}")
        self._remove_leftovers(run_id, keep=folder)
        return manifest

    def _remove_leftovers(self, run_id: str, keep: str) -> None:
        """Folders of this run id that no manifest names any more: crashed or replaced attempts."""
        parent = f"{self.path}/{RUNS}/{run_id}"
        keep_name = keep.rsplit("/", 1)[-1]
        for name in self.fs.list_names(parent):
            if name != keep_name:
                self.fs.delete(f"{parent}/{name}")


@dataclass
class IndexView:
    """The part of the index one run sees, and where its own additions go."""

    store: IndexStore
    run_id: str
    settings: dict
    base_version: int  # the manifest version the run started from
    runs: list[RunEntry]  # the committed runs this run deduplicates against

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


def open_index(fs, config: JobConfig, settings: dict) -> IndexView:
    """The view of config.index for config.run_id; ConfigError if the index was built with other dedup settings."""
    store = IndexStore(fs, config.index.path)
    manifest = store.latest()
    if manifest is None:
        return IndexView(store, config.run_id, settings, 0, [])
    if manifest.settings != settings:
        diffs = [k for k in sorted(set(settings) | set(manifest.settings))
                 if settings.get(k) != manifest.settings.get(k)]
        detail = "; ".join(f"{k}: index {manifest.settings.get(k)}, config {settings.get(k)}" for k in diffs)
        raise ConfigError(f"{config.source}: index.path: the index at {config.index.path} was built with other "
                          f"dedup settings ({detail}); every run of an index must use the same ones (or start a "
                          f"new index)")
    own = manifest.entry(config.run_id)
    visible = [r for r in manifest.runs if own is None or r.seq < own.seq]
    return IndexView(store, config.run_id, settings, manifest.version, sorted(visible, key=lambda r: r.seq))


def index_rows(kept, config: JobConfig, settings: dict, text_column: str):
    """The index rows (INDEX_SCHEMA) of a run's final kept documents; `text_column` holds the text the dedup
    stages saw (the frame's text column, or IX_TEXT when a later stage changed the text)."""
    from functools import partial

    from pyspark.sql import functions as F

    from dps.dedup.frames import stable_id

    sid = stable_id(config, text_column)
    docs = kept.select(sid.alias("id"), F.col(text_column).alias("text"))
    docs = docs.select("id", F.unhex(F.md5(F.concat_ws("\u0000", "id", "text"))).alias("node"), "text")
    return docs.mapInArrow(partial(_index_batch, run_id=config.run_id, settings=settings), INDEX_SCHEMA)


def _index_batch(batches, *, run_id: str, settings: dict):
    """mapInArrow body: (id, node, text) -> index rows; keys computed exactly as the dedup stages compute them."""
    import numpy as np
    import pyarrow as pa

    from dps.dedup.signatures import band_keys, exact_keys, signatures

    exact, lsh = settings["exact_dedup"], settings["minhash_dedup"]
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
        keep_text = bool(lsh and lsh["verify"])
        yield pa.RecordBatch.from_arrays(
            [batch.column(0), pa.array([run_id] * n, type=pa.string()), batch.column(1),
             pa.array(keys, type=pa.binary()), pa.array(bands, type=pa.list_(pa.int64())),
             batch.column(2) if keep_text else pa.nulls(n, type=pa.string())],
            names=["id", "run_id", "node", "exact_key", "bands", "text"])


def index_stats(path: str, *, as_json: bool = False) -> str:
    """`dps index stats PATH`: runs, documents and bytes of the committed index (local paths need no Spark)."""
    from dps.config import is_remote

    if is_remote(path):
        from pyspark.sql import SparkSession

        from dps.spark.io import HadoopFS

        fs = HadoopFS(SparkSession.builder.appName("dps index stats").getOrCreate(), path)
        size = lambda p: fs.fs.getContentSummary(fs.path(p)).getLength()  # noqa: E731
    else:
        path = os.path.abspath(path[len("file://"):] if path.startswith("file://") else path)
        fs = LocalFS()
        size = fs.size
    if not fs.exists(path):
        raise ConfigError(f"{path}: no such index folder")
    manifest = IndexStore(fs, path).latest()
    if manifest is None:
        raise ConfigError(f"{path}: not a dps index (no {MANIFESTS}/ with a committed manifest)")
    runs = [{**vars(r), "bytes": size(f"{path.rstrip('/')}/{r.folder}")} for r in sorted(manifest.runs,
                                                                                           key=lambda r: r.seq)]
    summary = {"path": path, "manifest_version": manifest.version, "runs": len(runs),
               "documents": sum(r["docs"] for r in runs), "bytes": sum(r["bytes"] for r in runs),
               "settings": manifest.settings, "per_run": runs}
    if as_json:
        return json.dumps(summary, ensure_ascii=False, indent=2)
    lines = [f"index {path}: {summary['documents']:,} documents in {summary['runs']} run(s), "
             f"{summary['bytes'] / 1e6:,.1f} MB (manifest {manifest.version})",
             f"{'run_id':<24} {'seq':>5} {'documents':>12} {'MB':>10}  committed"]
    for r in runs:
        lines.append(f"{r['run_id']:<24} {r['seq']:>5} {r['docs']:>12,} {r['bytes'] / 1e6:>10,.1f}  "
                     f"{r['committed_at']}")
    return "\n".join(lines)
