"""YAML -> JobConfig. Every problem a user can fix becomes one ConfigError naming the file and the key.

Nothing here starts Spark: `dps validate` and the first step of `dps run` use it on the driver, so a typo costs a
second, not a cluster slot.
"""

from __future__ import annotations

import datetime
import difflib
import glob
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml


class ConfigError(Exception):
    """A problem in the user's config or command line; the CLI prints it as one line and exits 2."""


@dataclass(frozen=True)
class InputConfig:
    paths: tuple[str, ...]
    format: str = "auto"  # auto | jsonl | parquet
    text_column: str = "text"
    id_column: str | None = None
    source_column: str | None = "source"  # per-source report rows when the column exists
    schema: str | None = None  # JSONL only: a Spark DDL schema; skips schema inference
    schema_sampling_ratio: float = 1.0  # JSONL only: fraction of records read to infer the schema
    max_record_mb: float = 64.0  # larger records are quarantined as read:too_large instead of read


@dataclass(frozen=True)
class OutputConfig:
    path: str
    rejected_path: str | None = None
    target_shard_mb: float = 256.0
    compression: str = "zstd"


@dataclass(frozen=True)
class StageSpec:
    name: str
    params: dict[str, Any]
    where: str  # "stages[3]" for messages


@dataclass(frozen=True)
class SparkConfig:
    master: str = "local[*]"  # used only when dps starts Spark itself (not under spark-submit)
    app_name: str = "dps"
    driver_memory: str = "4g"  # local mode only: the driver JVM is started by dps
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexConfig:
    path: str  # the persistent dedup index of nightly runs (Parquet + manifests)


@dataclass(frozen=True)
class JobConfig:
    source: str  # the config file, for messages
    input: InputConfig
    output: OutputConfig
    stages: tuple[StageSpec, ...]
    seed: int = 0
    spark: SparkConfig = field(default_factory=SparkConfig)
    run_id: str | None = None  # nightly runs: output goes to <output.path>/run_id=<id>/
    index: IndexConfig | None = None

    def run_path(self, path: str | None) -> str | None:
        """Where a run writes an output folder: `path` itself, or its run_id=<id> subfolder."""
        if path is None or self.run_id is None:
            return path
        return f"{path.rstrip('/')}/run_id={self.run_id}"

    def to_dict(self) -> dict[str, Any]:
        """The effective config, as written into the report."""
        return {
            "input": {
                "paths": list(self.input.paths),
                "format": self.input.format,
                "text_column": self.input.text_column,
                "id_column": self.input.id_column,
                "source_column": self.input.source_column,
                "schema": self.input.schema,
                "schema_sampling_ratio": self.input.schema_sampling_ratio,
                "max_record_mb": self.input.max_record_mb,
            },
            "output": {
                "path": self.output.path,
                "rejected_path": self.output.rejected_path,
                "target_shard_mb": self.output.target_shard_mb,
                "compression": self.output.compression,
            },
            "seed": self.seed,
            "run_id": self.run_id,
            "index": {"path": self.index.path} if self.index else None,
            "stages": [{s.name: dict(s.params)} for s in self.stages],
            "spark": {
                "master": self.spark.master,
                "app_name": self.spark.app_name,
                "driver_memory": self.spark.driver_memory,
                "settings": dict(self.spark.settings),
            },
        }


_TOP_KEYS = ("input", "output", "seed", "run_id", "index", "stages", "spark")
_INDEX_KEYS = ("path",)
# Run ids become folder names (run_id=<id>) and sort the index's history: keep them plain.
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_INPUT_KEYS = ("paths", "format", "text_column", "id_column", "source_column", "schema", "schema_sampling_ratio",
               "max_record_mb")
_OUTPUT_KEYS = ("path", "rejected_path", "target_shard_mb", "compression")
_SPARK_KEYS = ("master", "app_name", "driver_memory", "settings")
_FORMATS = ("auto", "jsonl", "parquet")
_COMPRESSIONS = ("zstd", "snappy", "gzip", "none")


def nearest(name: str, choices) -> str:
    """' (did you mean X?)' for a typo, or ''."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def is_remote(path: str) -> bool:
    """hdfs://, s3a://, gs:// ... paths are checked by Spark, not by the driver's local filesystem."""
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path[len("file://"):] if path.startswith("file://") else path


class _Reader:
    """Walks a raw YAML mapping, producing messages that name the file and the dotted key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: {message}")

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {_type_name(value)}")
        for k in value:
            if k not in allowed:
                where = f"{key}.{k}" if key else str(k)
                raise self.fail(where, f"unknown key{nearest(str(k), allowed)}; valid keys: {', '.join(allowed)}")
        return value

    def string(self, value: Any, key: str, *, optional: bool = False, choices: tuple[str, ...] = ()) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a non-empty string, got {_type_name(value)}")
        if choices and value not in choices:
            raise self.fail(key, f"'{value}' is not one of {', '.join(choices)}{nearest(value, choices)}")
        return value

    def number(self, value: Any, key: str, *, integer: bool = False, minimum: float | None = None,
               maximum: float | None = None) -> float | int:
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            raise self.fail(key, f"expected {'an integer' if integer else 'a number'}, got {_type_name(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"must be <= {maximum}, got {value}")
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: f"the string '{value}'", bool: f"the boolean {value}"}.get(
        type(value), f"{type(value).__name__} {value!r}")


def apply_overrides(raw: dict, overrides: list[str], source: str) -> dict:
    """Apply `--set key.path=value` overrides to the raw YAML mapping (values parsed as YAML).

    `stages.<stage name>.<param>=v` addresses a stage by name, since stages are a list.
    """
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item}: expected key.path=value")
        dotted, text = item.split("=", 1)
        value = yaml.safe_load(text) if text != "" else ""
        keys = dotted.split(".")
        if keys[:2] == ["spark", "settings"] and len(keys) > 2:  # Spark keys contain dots themselves
            keys = ["spark", "settings", ".".join(keys[2:])]
        if keys[0] == "stages" and len(keys) >= 2:
            _override_stage(raw, keys[1], keys[2:], value, item)
            continue
        node = raw
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[keys[-1]] = value
    return raw


def _override_stage(raw: dict, name: str, param_path: list[str], value: Any, item: str) -> None:
    stages = raw.get("stages")
    if not isinstance(stages, list):
        raise ConfigError(f"--set {item}: the config has no stages list")
    for i, entry in enumerate(stages):
        entry_name = entry if isinstance(entry, str) else (next(iter(entry)) if isinstance(entry, dict) and entry else None)
        if entry_name != name:
            continue
        if not param_path:
            raise ConfigError(f"--set {item}: name a parameter, as stages.{name}.PARAM=VALUE")
        params = {} if isinstance(entry, str) else dict(entry[name] or {})
        params[".".join(param_path)] = value
        stages[i] = {name: params}
        return
    names = [e if isinstance(e, str) else next(iter(e)) for e in stages if e]
    raise ConfigError(f"--set {item}: no stage '{name}' in the config{nearest(name, names)}")


def load_config(path: str, overrides: list[str] | None = None, *, check_paths: bool = True) -> JobConfig:
    """Read, override and validate a YAML config. Stage names and parameters are checked by the registry."""
    if not os.path.exists(path):
        raise ConfigError(f"{path}: config file not found")
    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {_type_name(raw)}")
    raw = apply_overrides(raw, overrides or [], path)
    return parse_config(raw, path, check_paths=check_paths)


def parse_config(raw: dict, source: str, *, check_paths: bool = True) -> JobConfig:
    r = _Reader(source)
    r.mapping(raw, "", _TOP_KEYS)
    for required in ("input", "output", "stages"):
        if required not in raw:
            raise r.fail(required, "missing (required)")

    inp = r.mapping(raw["input"], "input", _INPUT_KEYS)
    paths = inp.get("paths")
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
        raise r.fail("input.paths", "expected a path or a list of paths (files, folders or globs)")
    # Relative paths are relative to the working directory, as users expect from a CLI.
    paths = [p if is_remote(p) else os.path.abspath(_local(p)) for p in paths]
    if check_paths:
        for p in paths:
            if not is_remote(p) and not glob.glob(p):
                raise r.fail("input.paths", f"no file or folder matches '{p}'")
    input_cfg = InputConfig(
        paths=tuple(paths),
        format=r.string(inp.get("format", "auto"), "input.format", choices=_FORMATS),
        text_column=r.string(inp.get("text_column", "text"), "input.text_column"),
        id_column=r.string(inp.get("id_column"), "input.id_column", optional=True),
        source_column=r.string(inp.get("source_column", "source"), "input.source_column", optional=True),
        schema=r.string(inp.get("schema"), "input.schema", optional=True),
        schema_sampling_ratio=float(r.number(inp.get("schema_sampling_ratio", 1.0), "input.schema_sampling_ratio",
                                             minimum=1e-6, maximum=1.0)),
        max_record_mb=float(r.number(inp.get("max_record_mb", 64.0), "input.max_record_mb", minimum=0.001)),
    )

    out = r.mapping(raw["output"], "output", _OUTPUT_KEYS)
    out_path = r.string(out.get("path"), "output.path")
    rejected = r.string(out.get("rejected_path"), "output.rejected_path", optional=True)
    out_path = out_path if is_remote(out_path) else os.path.abspath(_local(out_path))
    if rejected is not None and not is_remote(rejected):
        rejected = os.path.abspath(_local(rejected))
    if rejected is not None and rejected.rstrip("/") == out_path.rstrip("/"):
        raise r.fail("output.rejected_path", "must differ from output.path")
    if not is_remote(out_path):
        for p in paths:
            if os.path.abspath(p).startswith(os.path.abspath(out_path).rstrip("/") + "/") or \
                    os.path.abspath(p) == os.path.abspath(out_path):
                raise r.fail("output.path", f"would overwrite the input '{p}'")
    output_cfg = OutputConfig(
        path=out_path,
        rejected_path=rejected,
        target_shard_mb=float(r.number(out.get("target_shard_mb", 256.0), "output.target_shard_mb", minimum=0.001)),
        compression=r.string(out.get("compression", "zstd"), "output.compression", choices=_COMPRESSIONS),
    )

    seed = r.number(raw.get("seed", 0), "seed", integer=True, minimum=0)

    stages_raw = raw["stages"]
    if not isinstance(stages_raw, list):
        raise r.fail("stages", f"expected a list of stages, got {_type_name(stages_raw)}")
    stages = []
    for i, entry in enumerate(stages_raw):
        where = f"stages[{i}]"
        if isinstance(entry, str):
            stages.append(StageSpec(entry, {}, where))
        elif isinstance(entry, dict) and len(entry) == 1:
            name, params = next(iter(entry.items()))
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise r.fail(f"{where}.{name}", f"expected a mapping of parameters, got {_type_name(params)}")
            stages.append(StageSpec(str(name), dict(params), where))
        else:
            raise r.fail(where, "expected a stage name or a one-key mapping `name: {params}`")

    run_id = raw.get("run_id")
    if isinstance(run_id, (datetime.date, int)) and not isinstance(run_id, bool):
        run_id = str(run_id)  # YAML reads `run_id: 2026-11-23` as a date and 20261123 as a number
    run_id = r.string(run_id, "run_id", optional=True)
    if run_id is not None and not _RUN_ID.fullmatch(run_id):
        raise r.fail("run_id", f"'{run_id}' is not a valid run id: use letters, digits, '.', '_' and '-' "
                               f"(e.g. a date, 2026-11-23)")
    index_cfg = None
    if raw.get("index") is not None:
        ix = r.mapping(raw["index"], "index", _INDEX_KEYS)
        ix_path = r.string(ix.get("path"), "index.path")
        ix_path = ix_path if is_remote(ix_path) else os.path.abspath(_local(ix_path))
        for key, other in (("output.path", out_path), ("output.rejected_path", rejected)):
            if other is not None and (ix_path.rstrip("/") + "/").startswith(other.rstrip("/") + "/"):
                raise r.fail("index.path", f"must not lie inside {key} ({other})")
        if run_id is None:
            raise r.fail("index.path", "an index needs a run id for each run: pass --run-id ID (e.g. the crawl "
                                       "date) or set run_id in the config")
        index_cfg = IndexConfig(ix_path)

    sp = r.mapping(raw.get("spark") or {}, "spark", _SPARK_KEYS)
    settings = sp.get("settings") or {}
    if not isinstance(settings, dict):
        raise r.fail("spark.settings", f"expected a mapping of spark.* settings, got {_type_name(settings)}")
    for k in settings:
        if not str(k).startswith("spark."):
            raise r.fail(f"spark.settings.{k}", "Spark settings start with 'spark.'")
    spark_cfg = SparkConfig(
        master=r.string(sp.get("master", "local[*]"), "spark.master"),
        app_name=r.string(sp.get("app_name", "dps"), "spark.app_name"),
        driver_memory=r.string(sp.get("driver_memory", "4g"), "spark.driver_memory"),
        settings={str(k): _spark_value(v) for k, v in settings.items()},
    )
    return JobConfig(source=source, input=input_cfg, output=output_cfg, stages=tuple(stages), seed=int(seed),
                     spark=spark_cfg, run_id=run_id, index=index_cfg)




def _spark_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
