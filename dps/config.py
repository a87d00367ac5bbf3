"""YAML -> JobConfig. Every problem a user can fix becomes one ConfigError naming the file and the key.

Nothing here starts Spark: `dps validate` and the first step of `dps run` use it on the driver, so a typo costs a
second, not a cluster slot.
"""

from __future__ import annotations

import datetime
import difflib
import glob
import math
import os
import re
import reprlib
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
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
    # Larger records are quarantined as read:too_large instead of read. None: 1/128 of the heap of the JVM that
    # reads them (dps.spark.read.record_limit_mb): 32 at the 4g local default, 8 at 1g.
    max_record_mb: float | None = None


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
class ReportConfig:
    # Example documents per rejection reason on the HTML report page. Each one costs a seeded hash of every
    # rejected document's text in the report's aggregate, hence the cap; `dps show` lists any number.
    examples_per_reason: int = 3
    # Sources the report lists by name (input.source_column); the others are summed as "(other sources)". A source
    # column holding URLs or domains would otherwise send a row per value to the driver and into the report.
    max_sources: int = 100


MAX_EXAMPLES_PER_REASON = 50
MAX_SOURCES = 10_000


@dataclass(frozen=True)
class IndexConfig:
    path: str  # the persistent dedup index of nightly runs (Parquet + manifests)


# A field with this metadata is not a key of the config file.
_NOT_A_KEY = {"config_key": False}


# Keyword-only, so the fields can stand in the order of the file's keys (the order of messages and reports),
# required ones among defaulted ones.
@dataclass(frozen=True, kw_only=True)
class JobConfig:
    source: str = field(metadata=_NOT_A_KEY)  # the config file, for messages
    input: InputConfig
    output: OutputConfig
    seed: int = 0
    run_id: str | None = None  # nightly runs: output goes to <output.path>/run_id=<id>/
    index: IndexConfig | None = None
    stages: tuple[StageSpec, ...]
    report: ReportConfig = field(default_factory=ReportConfig)
    spark: SparkConfig = field(default_factory=SparkConfig)

    def run_path(self, path: str | None) -> str | None:
        """Where a run writes an output folder: `path` itself, or its run_id=<id> subfolder."""
        if path is None or self.run_id is None:
            return path
        return f"{path.rstrip('/')}/run_id={self.run_id}"

    def to_dict(self) -> dict[str, Any]:
        """The effective config, as written into the report: every key of the file, in the file's order."""
        result: dict[str, Any] = {}
        for name in config_keys(JobConfig):
            value = getattr(self, name)
            if name == "stages":  # written as in the file: a list of one-key mappings
                result[name] = [{s.name: dict(s.params)} for s in value]
            elif is_dataclass(value):
                # Tuples (input.paths) become lists, as YAML and JSON write them.
                result[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(value).items()}
            else:
                result[name] = value
        return result


def _key_fields(section: type) -> list:
    return [f for f in fields(section) if f.metadata.get("config_key", True)]


def config_keys(section: type) -> tuple[str, ...]:
    """The keys a config section accepts: its dataclass's fields, in declaration order."""
    return tuple(f.name for f in _key_fields(section))


def _required_keys(section: type) -> tuple[str, ...]:
    """The keys of `section` without a default."""
    return tuple(f.name for f in _key_fields(section) if f.default is MISSING and f.default_factory is MISSING)


def _with_defaults(raw: dict, section: type) -> dict:
    """The values as written, over the defaults declared on the dataclass fields (None for a field without a
    default or with a factory: the parsers read None as absent)."""
    return {**{f.name: None if f.default is MISSING else f.default for f in _key_fields(section)}, **raw}


# Run ids become folder names (run_id=<id>) and sort the index's history: keep them plain.
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_FORMATS = ("auto", "jsonl", "parquet")
_COMPRESSIONS = ("zstd", "snappy", "gzip", "none")


# A dps config is a few kilobytes; anything this big is the wrong file (or an attack on the driver's memory).
MAX_CONFIG_BYTES = 1 << 20
# Configs nest about five levels deep (stages[i].name.param[j]); the YAML composer recurses per level.
_MAX_YAML_DEPTH = 32
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
# A JVM memory size as Spark reads spark.driver.memory: a count of MiB, or with a unit (512m, 4g, 4gb).
_JVM_SIZE = re.compile(r"[1-9][0-9]{0,8}(?:[kmgt]b?)?", re.IGNORECASE)


def nearest(name: str, choices) -> str:
    """' (did you mean X?)' for a typo, or ''."""
    if not isinstance(name, str) or len(name) > 100:  # no typo is that long; difflib is quadratic
        return ""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def is_remote(path: str) -> bool:
    """hdfs://, s3a://, gs:// ... paths are checked by Spark, not by the driver's local filesystem."""
    return "://" in path and not path.startswith("file:")


def _local(path: str) -> str:
    """file:///x, file://localhost/x and Hadoop's file:/x all name the local /x."""
    if path.startswith("file://localhost/"):
        return path[len("file://localhost"):]
    if path.startswith("file://"):
        return path[len("file://"):]
    if path.startswith("file:/"):
        return path[len("file:"):]
    return path


# ------------------------------------------------------------------------------------------- bounded messages

class _BoundedRepr(reprlib.Repr):
    """reprlib with small limits, YAML spellings, and no full repr() of huge ints (that alone can take seconds or
    raise): a message shows a value's start, never the whole of an unchecked value."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = 4
        self.maxdict = 3
        self.maxstring = 60
        self.maxlong = 30
        self.maxother = 40

    def repr_int(self, x, level):
        if x.bit_length() > 96:
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return super().repr_int(x, level)

    def repr_float(self, x, level):
        if math.isnan(x):
            return ".nan"
        if math.isinf(x):
            return ".inf" if x > 0 else "-.inf"
        return repr(x)

    def repr_bool(self, x, level):
        return "true" if x else "false"

    def repr_NoneType(self, x, level):
        return "null"

    def repr_bytes(self, x, level):
        return f"<{len(x):,} bytes>"


_REPR = _BoundedRepr()
_MAX_RENDER = 120


def render(value: Any) -> str:
    """A short, one-line rendering of any value for a message (never longer than ~120 characters)."""
    text = _REPR.repr(value)
    return text if len(text) <= _MAX_RENDER else text[:_MAX_RENDER - 3] + "..."


def _clip(text: str, limit: int = 200) -> str:
    """A string we print as is (a path, a key), cut to a length a terminal line can hold."""
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else f"{text[:limit - 3]}... ({len(text):,} characters)"


def _key(k: Any) -> str:
    """A mapping key as it goes into a dotted key name."""
    return _clip(k, 80) if isinstance(k, str) else render(k)


def describe_value(value: Any) -> str:
    """'the string 'abc'', 'a list', 'the number .nan': what a user wrote, short, for 'expected X, got ...'."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {render(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, str):
        return f"the string {render(value)}"
    if isinstance(value, int):
        return render(value)[1:-1] if value.bit_length() > 96 else f"the integer {render(value)}"
    if isinstance(value, float):
        return f"the {'non-finite ' if not math.isfinite(value) else ''}number {render(value)}"
    return f"{type(value).__name__} {render(value)}"


_type_name = describe_value  # the older name, kept for callers


# ------------------------------------------------------------------------------------------------------ YAML

class _ConfigLoader(yaml.SafeLoader):
    """SafeLoader for dps configs: no anchors or aliases (a 661-byte 'billion laughs' document expands to
    gigabytes wherever the value is walked or printed), a nesting cap (the composer recurses per level), and
    values YAML cannot construct (a 13th month, a 5,000-digit integer) reported as YAML errors with a position."""

    def __init__(self, stream, source: str):
        super().__init__(stream)
        self.dps_source = source
        self.dps_depth = 0

    def _refuse(self, mark, message: str) -> ConfigError:
        return ConfigError(f"{self.dps_source}: line {mark.line + 1}, column {mark.column + 1}: {message}")

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise self._refuse(event.start_mark, f"YAML aliases (*{_clip(event.anchor, 40)}) are not supported in "
                                                 f"dps configs; write the value out")
        if getattr(event, "anchor", None) is not None:
            raise self._refuse(event.start_mark, f"YAML anchors (&{_clip(event.anchor, 40)}) are not supported in "
                                                 f"dps configs; write the value out")
        self.dps_depth += 1
        try:
            if self.dps_depth > _MAX_YAML_DEPTH:
                raise self._refuse(event.start_mark, f"nested deeper than {_MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.dps_depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {render(node.value) if isinstance(node.value, str) else ''}"
                            f"({_clip(str(exc), 100)})", node.start_mark) from None


def load_yaml(text: str, source: str) -> Any:
    """Parse one YAML document with the dps loader; errors are one ConfigError naming `source`."""
    loader = _ConfigLoader(text, source)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{source}: not valid YAML{where}: {_clip(str(getattr(exc, 'problem', exc)), 200)}") \
            from None
    finally:
        loader.dispose()


# ------------------------------------------------------------------------------------------------------ paths

# Hadoop globs: * ? [abc] {a,b}. Python's glob knows the first three; both stop being a fixed folder at any.
_GLOB_CHARS = re.compile(r"[*?\[{]")
# One object store under several connector names.
_SCHEME_ALIASES = {"s3a": "s3", "s3n": "s3"}


def _place(path: str) -> tuple[str, str, str]:
    """A path as (scheme, authority, normalized path), comparable with _relation.

    Local paths resolve symlinks (an output that does not exist yet resolves through its existing ancestors,
    which os.path.realpath does) after making them absolute; remote paths are normalized as strings.
    """
    if not is_remote(path):
        return "file", "", os.path.realpath(os.path.abspath(_local(path)))
    scheme, rest = path.split("://", 1)
    authority, _, tail = rest.partition("/")
    scheme = scheme.lower()
    norm = os.path.normpath(re.sub("/+", "/", "/" + tail))
    return _SCHEME_ALIASES.get(scheme, scheme), authority.lower(), "/" if norm in ("", ".") else norm


def _relation(a: tuple[str, str, str], b: tuple[str, str, str]) -> str | None:
    """'same', 'inside' (a lies inside b), 'contains' (a contains b) or None."""
    if a[0] != b[0]:
        return None
    # An empty authority (hdfs:///x) is the default file system, which may be the named one: assume it is.
    if a[1] and b[1] and a[1] != b[1]:
        return None
    pa, pb = a[2], b[2]
    if pa == pb:
        return "same"
    if pa.startswith(pb.rstrip("/") + "/"):
        return "inside"
    if pb.startswith(pa.rstrip("/") + "/"):
        return "contains"
    return None


def path_conflict(a: str, b: str) -> str | None:
    """How path `a` relates to path `b`: 'same', 'inside' (a lies inside b), 'contains' (a contains b), or None.

    Local paths (also file://...) are compared after making them absolute and resolving symlinks; remote paths
    (hdfs://, s3a://, ...) as scheme + authority + normalized path. Trailing slashes and '..' do not matter.
    """
    return _relation(_place(a), _place(b))


@dataclass(frozen=True)
class _Target:
    text: str  # "the input folder /d/crawl (input.paths[0])", "output.path (/d/out)"
    path: str  # as shown
    place: tuple[str, str, str]


def _fixed_prefix(pattern: str) -> str | None:
    """The folder a glob pattern cannot leave (/d/crawl for /d/crawl/*/x.jsonl), or None without glob characters."""
    m = _GLOB_CHARS.search(pattern)
    if m is None:
        return None
    cut = pattern.rfind("/", 0, m.start())
    if is_remote(pattern):
        scheme_end = pattern.index("://") + 3
        # s3a://bucket/*.gz: the bucket; a glob in the bucket or host itself: the whole store.
        return pattern[:cut] if cut >= scheme_end else pattern[:scheme_end] + "/"
    return pattern[:cut] if cut > 0 else "/"


def _input_targets(paths: tuple[str, ...] | list[str], label: str = "") -> list[_Target]:
    """Every input as the places it covers: the path itself, or a glob's fixed folder and each local match."""
    targets = []
    for i, pattern in enumerate(paths):
        key = f"input.paths[{i}]{label}"
        # A path that exists as written is read literally (a '[' in a folder name), as the reader does.
        prefix = None if not is_remote(pattern) and os.path.exists(_local(pattern)) else _fixed_prefix(pattern)
        if prefix is None:
            kind = "input path" if is_remote(pattern) else \
                "input folder" if os.path.isdir(pattern) else "input file" if os.path.isfile(pattern) else "input path"
            targets.append(_Target(f"the {kind} {_clip(pattern)} ({key})", pattern, _place(pattern)))
            continue
        targets.append(_Target(f"the input folder {_clip(prefix)} ({key}: {_clip(pattern, 100)})", prefix,
                               _place(prefix)))
        if not is_remote(pattern):
            # A match may be a symlink to somewhere else entirely: compare each one, resolved.
            for match in sorted(glob.glob(pattern)):
                kind = "input folder" if os.path.isdir(match) else "input file"
                targets.append(_Target(f"the {kind} {_clip(match)} (matched by {key})", match, _place(match)))
    return targets


def _conflict(key: str, path: str, place: tuple[str, str, str], targets: list[_Target], why: str) -> str | None:
    """The message (without the file) for the first target that `path` equals, lies inside or contains."""
    for target in targets:
        relation = _relation(place, target.place)
        if relation is None:
            continue
        verb = {"same": "must not be", "inside": "must not lie inside", "contains": "must not contain"}[relation]
        message = f"{key}: {verb} {target.text}"
        if relation != "same":
            message += f": it is {_clip(path)}"
        # Say so when symlinks made two different-looking paths meet.
        resolved = [f"{_clip(p)} resolves to {_clip(pl[2])}" for p, pl in ((path, place), (target.path, target.place))
                    if pl[0] == "file" and pl[2] != os.path.abspath(_local(p))]
        if resolved:
            message += f" ({'; '.join(resolved)})"
        return f"{message}; {why}"
    return None


_WHY_INPUT = "a run replaces its output folders whole, so keep every output apart from every input"
_WHY_OUTPUT = "a run replaces each output folder whole, so keep them apart"


def _check_paths_apart(inputs: tuple[str, ...], outputs: list[tuple[str, str]]) -> str | None:
    """The first overlap among the outputs (key, path), or between an output and an input, as a message."""
    placed = [(key, path, _place(path)) for key, path in outputs]
    for i, (key, path, place) in enumerate(placed):
        earlier = [_Target(f"{k} ({_clip(p)})", p, pl) for k, p, pl in placed[:i]]
        message = _conflict(key, path, place, earlier, _WHY_OUTPUT)
        if message:
            return message
    targets = _input_targets(inputs)
    for key, path, place in placed:
        message = _conflict(key, path, place, targets, _WHY_INPUT)
        if message:
            return message
    return None


def check_not_overlapping(config: "JobConfig", path: str, key: str) -> None:
    """Refuse a folder a command writes besides the config's outputs (`dps profile --out DIR`) when it equals,
    lies inside or contains an input or an output of `config`. `key` names the flag in the message:
    ConfigError("--out: must not lie inside the input folder /d/crawl (input.paths[0] of job.yaml): ...")."""
    src = f" of {_clip(config.source, 100)}"
    outputs = [("output.path", config.output.path), ("output.rejected_path", config.output.rejected_path),
               ("index.path", config.index.path if config.index else None)]
    targets = [_Target(f"{k} ({_clip(p)}){src}", p, _place(p)) for k, p in outputs if p is not None]
    path = path if is_remote(path) else os.path.abspath(_local(path))
    place = _place(path)
    message = _conflict(key, path, place, targets, _WHY_OUTPUT) or \
        _conflict(key, path, place, _input_targets(config.input.paths, src), _WHY_INPUT)
    if message:
        raise ConfigError(message)


# ---------------------------------------------------------------------------------------------------- reading

class _Reader:
    """Walks a raw YAML mapping, producing messages that name the file and the dotted key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {key}: {message}")

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {describe_value(value)}")
        for k in value:
            if k not in allowed:
                where = f"{key}.{_key(k)}" if key else _key(k)
                raise self.fail(where, f"unknown key{nearest(k, allowed)}; valid keys: {', '.join(allowed)}")
        return value

    def string(self, value: Any, key: str, *, optional: bool = False, choices: tuple[str, ...] = ()) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a non-empty string, got {describe_value(value)}")
        if choices and value not in choices:
            raise self.fail(key, f"{render(value)} is not one of {', '.join(choices)}{nearest(value, choices)}")
        return value

    def number(self, value: Any, key: str, *, integer: bool = False, minimum: float | None = None,
               maximum: float | None = None, limits: str | None = None) -> float | int:
        """A number (an int also where a float is expected), finite, within [minimum, maximum]; `limits` words
        the range in messages when the bare numbers would not read well."""
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            raise self.fail(key, f"expected {'an integer' if integer else 'a number'}, got {describe_value(value)}")
        # NaN compares false with everything, so without this it would pass any range check.
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"must be a finite number, got {render(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be {limits or f'>= {minimum}'}, got {render(value)}")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"must be {limits or f'<= {maximum}'}, got {render(value)}")
        return value

    def path(self, value: Any, key: str, *, optional: bool = False) -> str | None:
        value = self.string(value, key, optional=optional)
        if value is not None and "\x00" in value:
            raise self.fail(key, "a path cannot contain a NUL character")
        return value


def apply_overrides(raw: dict, overrides: list[str], source: str) -> dict:
    """Apply `--set key.path=value` overrides to the raw YAML mapping (values parsed as YAML).

    `stages.<stage name>.<param>=v` addresses a stage by name, since stages are a list. Values are read by the
    same loader as the file (no aliases), and then checked with the file's values by parse_config.
    """
    for item in overrides:
        shown = _clip(item, 120)
        if "=" not in item:
            raise ConfigError(f"--set {shown}: expected key.path=value")
        dotted, text = item.split("=", 1)
        value = load_yaml(text, f"--set {shown}") if text != "" else ""
        keys = dotted.split(".")
        if keys[:2] == ["spark", "settings"] and len(keys) > 2:  # Spark keys contain dots themselves
            keys = ["spark", "settings", ".".join(keys[2:])]
        if keys[0] == "stages" and len(keys) >= 2:
            _override_stage(raw, keys[1:], value, shown)
            continue
        node = raw
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[keys[-1]] = value
    return raw


def _override_stage(raw: dict, keys: list[str], value: Any, item: str) -> None:
    """`stages.NAME.PARAM=value`; NAME may itself hold dots (module.path:function), so the longest stage name of
    the config that the keys start with is the one meant."""
    stages = raw.get("stages")
    if not isinstance(stages, list):
        raise ConfigError(f"--set {item}: the config has no stages list")
    names = [e if isinstance(e, str) else (next(iter(e)) if isinstance(e, dict) and e else None) for e in stages]
    for cut in range(len(keys), 0, -1):
        name, param_path = ".".join(keys[:cut]), keys[cut:]
        if name not in names:
            continue
        if not param_path:
            raise ConfigError(f"--set {item}: name a parameter, as stages.{_clip(name, 80)}.PARAM=VALUE")
        i = names.index(name)
        entry = stages[i]
        params = {} if isinstance(entry, str) else dict(entry[name] or {})
        params[".".join(param_path)] = value
        stages[i] = {name: params}
        return
    shown = [n for n in names if isinstance(n, str)]
    raise ConfigError(f"--set {item}: no stage '{_clip(keys[0], 80)}' in the config{nearest(keys[0], shown)}")


def load_config(path: str, overrides: list[str] | None = None, *, check_paths: bool = True) -> JobConfig:
    """Read, override and validate a YAML config. Stage names and parameters are checked by the registry."""
    if not os.path.exists(path):
        raise ConfigError(f"{path}: config file not found")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)  # read no more than the cap, whatever the file claims to be
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror or exc})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // (1 << 20)} MB; a dps config is a few kilobytes "
                          f"(is this the right file?)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    raw = load_yaml(text, path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {describe_value(raw)}")
    raw = apply_overrides(raw, overrides or [], path)
    return parse_config(raw, path, check_paths=check_paths)


def parse_config(raw: dict, source: str, *, check_paths: bool = True) -> JobConfig:
    """Check a raw config mapping section by section, in the file's order; the first problem is the error."""
    r = _Reader(source)
    r.mapping(raw, "", config_keys(JobConfig))
    for required in _required_keys(JobConfig):
        if required not in raw:
            raise r.fail(required, "missing (required)")
    top = _with_defaults(raw, JobConfig)
    input_cfg = _parse_input(r, top["input"], check_paths)
    output_cfg = _parse_output(r, top["output"])
    # Seeds go into Spark's 64-bit hash functions and a signed long column.
    seed = r.number(top["seed"], "seed", integer=True, minimum=0, maximum=INT64_MAX,
                    limits="an integer in [0, 2^63-1]")
    stages = _parse_stages(r, top["stages"])
    run_id = _parse_run_id(r, top["run_id"])
    index_cfg = _parse_index(r, top["index"], run_id)
    # Every output folder is replaced whole (or, with a run id, its run_id=<id> subfolder): an output that is,
    # holds or lies in an input or another output deletes it. Compared after resolving symlinks.
    outputs = [("output.path", output_cfg.path), ("output.rejected_path", output_cfg.rejected_path),
               ("index.path", index_cfg.path if index_cfg else None)]
    problem = _check_paths_apart(input_cfg.paths, [(k, p) for k, p in outputs if p is not None])
    if problem:
        raise ConfigError(f"{source}: {problem}")
    report_cfg = _parse_report(r, top["report"])
    spark_cfg = _parse_spark(r, top["spark"])
    return JobConfig(source=source, input=input_cfg, output=output_cfg, stages=stages, seed=int(seed),
                     report=report_cfg, spark=spark_cfg, run_id=run_id, index=index_cfg)


def _absolute(path: str) -> str:
    """Relative paths are relative to the working directory, as users expect from a CLI."""
    return path if is_remote(path) else os.path.abspath(_local(path))


def _parse_input_paths(r: _Reader, paths: Any, check_paths: bool) -> tuple[str, ...]:
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
        raise r.fail("input.paths", "expected a path or a list of paths (files, folders or globs)")
    for i, p in enumerate(paths):
        r.path(p, f"input.paths[{i}]")
    paths = [_absolute(p) for p in paths]
    if check_paths:
        for p in paths:
            if not is_remote(p) and not os.path.exists(p) and not glob.glob(p):  # '[' may be literal
                raise r.fail("input.paths", f"no file or folder matches '{_clip(p)}'")
    return tuple(paths)


def _parse_input(r: _Reader, raw: Any, check_paths: bool) -> InputConfig:
    inp = _with_defaults(r.mapping(raw, "input", config_keys(InputConfig)), InputConfig)
    return InputConfig(
        paths=_parse_input_paths(r, inp["paths"], check_paths),
        format=r.string(inp["format"], "input.format", choices=_FORMATS),
        text_column=r.string(inp["text_column"], "input.text_column"),
        id_column=r.string(inp["id_column"], "input.id_column", optional=True),
        source_column=r.string(inp["source_column"], "input.source_column", optional=True),
        schema=r.string(inp["schema"], "input.schema", optional=True),
        schema_sampling_ratio=float(r.number(inp["schema_sampling_ratio"], "input.schema_sampling_ratio",
                                             minimum=1e-6, maximum=1.0, limits="in [0.000001, 1]")),
        # A JVM array holds at most 2 GB, so no record is larger: a bigger limit is no limit.
        max_record_mb=None if inp["max_record_mb"] is None else float(
            r.number(inp["max_record_mb"], "input.max_record_mb", minimum=0.001, maximum=2048,
                     limits="in [0.001, 2048]")),
    )


def _parse_output(r: _Reader, raw: Any) -> OutputConfig:
    out = _with_defaults(r.mapping(raw, "output", config_keys(OutputConfig)), OutputConfig)
    path = _absolute(r.path(out["path"], "output.path"))
    rejected = r.path(out["rejected_path"], "output.rejected_path", optional=True)
    return OutputConfig(
        path=path,
        rejected_path=None if rejected is None else _absolute(rejected),
        target_shard_mb=float(r.number(out["target_shard_mb"], "output.target_shard_mb", minimum=0.001,
                                       maximum=1 << 20, limits="in [0.001, 1048576]")),
        compression=r.string(out["compression"], "output.compression", choices=_COMPRESSIONS),
    )


def _parse_stages(r: _Reader, raw: Any) -> tuple[StageSpec, ...]:
    """Stage names and parameters as written; the registry checks them against the stage functions."""
    if not isinstance(raw, list):
        raise r.fail("stages", f"expected a list of stages, got {describe_value(raw)}")
    stages = []
    for i, entry in enumerate(raw):
        where = f"stages[{i}]"
        if isinstance(entry, str):
            stages.append(StageSpec(entry, {}, where))
        elif isinstance(entry, dict) and len(entry) == 1 and isinstance(next(iter(entry)), str):
            name, params = next(iter(entry.items()))
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise r.fail(f"{where}.{_key(name)}", f"expected a mapping of parameters, got {describe_value(params)}")
            stages.append(StageSpec(name, dict(params), where))
        else:
            raise r.fail(where, "expected a stage name or a one-key mapping `name: {params}`")
    return tuple(stages)


def _parse_run_id(r: _Reader, run_id: Any) -> str | None:
    if isinstance(run_id, (datetime.date, int)) and not isinstance(run_id, bool):
        # YAML reads `run_id: 2026-11-23` as a date and 20261123 as a number (a huge one would not fit a message).
        run_id = render(run_id) if isinstance(run_id, int) and run_id.bit_length() > 400 else str(run_id)
    run_id = r.string(run_id, "run_id", optional=True)
    if run_id is not None and not _RUN_ID.fullmatch(run_id):
        raise r.fail("run_id", f"{render(run_id)} is not a valid run id: use letters, digits, '.', '_' and '-' "
                               f"(e.g. a date, 2026-11-23)")
    return run_id


def _parse_index(r: _Reader, raw: Any, run_id: str | None) -> IndexConfig | None:
    if raw is None:
        return None
    ix = _with_defaults(r.mapping(raw, "index", config_keys(IndexConfig)), IndexConfig)
    path = _absolute(r.path(ix["path"], "index.path"))
    if run_id is None:
        raise r.fail("index.path", "an index needs a run id for each run: pass --run-id ID (e.g. the crawl "
                                   "date) or set run_id in the config")
    return IndexConfig(path)


def _parse_report(r: _Reader, raw: Any) -> ReportConfig:
    rep = _with_defaults(r.mapping({} if raw is None else raw, "report", config_keys(ReportConfig)), ReportConfig)
    return ReportConfig(
        examples_per_reason=int(r.number(rep["examples_per_reason"], "report.examples_per_reason", integer=True,
                                         minimum=0, maximum=MAX_EXAMPLES_PER_REASON,
                                         limits=f"an integer in [0, {MAX_EXAMPLES_PER_REASON}] (dps show lists "
                                                f"any number)")),
        max_sources=int(r.number(rep["max_sources"], "report.max_sources", integer=True, minimum=1,
                                 maximum=MAX_SOURCES, limits=f"an integer in [1, {MAX_SOURCES}]")),
    )


def _parse_spark(r: _Reader, raw: Any) -> SparkConfig:
    sp = _with_defaults(r.mapping({} if raw is None else raw, "spark", config_keys(SparkConfig)), SparkConfig)
    settings = _parse_spark_settings(r, sp["settings"])
    driver_memory = r.string(sp["driver_memory"], "spark.driver_memory")
    if not _JVM_SIZE.fullmatch(driver_memory):
        raise r.fail("spark.driver_memory",
                     f"expected a JVM memory size such as 512m or 4g, got {render(driver_memory)}")
    return SparkConfig(
        master=r.string(sp["master"], "spark.master"),
        app_name=r.string(sp["app_name"], "spark.app_name"),
        driver_memory=driver_memory,
        settings=settings,
    )


def _parse_spark_settings(r: _Reader, settings: Any) -> dict[str, str]:
    settings = {} if settings is None else settings
    if not isinstance(settings, dict):
        raise r.fail("spark.settings", f"expected a mapping of spark.* settings, got {describe_value(settings)}")
    for k, v in settings.items():
        where = f"spark.settings.{_key(k)}"
        if not isinstance(k, str) or not k.startswith("spark."):
            raise r.fail(where, "Spark settings start with 'spark.'")
        # str() would hand Spark 'None', '[1, 2]' or 'nan'; Spark settings are single values.
        if isinstance(v, bool) or isinstance(v, str):
            continue
        if isinstance(v, float) and math.isfinite(v) or isinstance(v, int) and INT64_MIN <= v <= INT64_MAX:
            continue
        if isinstance(v, (int, float)):
            raise r.fail(where, f"expected a finite number within 64 bits, got {render(v)}")
        raise r.fail(where, f"expected a string, number or true/false, got {describe_value(v)}")
    return {k: _spark_value(v) for k, v in settings.items()}


def _spark_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
