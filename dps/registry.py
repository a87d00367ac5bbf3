"""The stage registry: config name -> text function (or frame step), and binding of config params.

A stage's signature is its parameter schema: keyword-only parameters with defaults and simple annotations.
Binding checks names, types and values on the driver, before Spark starts, so every mistake is one clear message.
"""

from __future__ import annotations

import inspect
import math
import re
import types
import typing
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Callable

from dps.config import INT64_MAX, INT64_MIN, ConfigError, StageSpec, describe_value, nearest, render
from dps.outside import ENTRY_POINT_GROUP, OutsideStageError, entry_points, find as find_outside

# Parameters the pipeline fills in; users never set them in the config.
INJECTED = ("seed", "config", "index")


@dataclass(frozen=True)
class Stage:
    """A registered stage. kind: 'map' (str -> str), 'filter' (str -> reason | None) or 'frame' (DataFrame step)."""

    name: str
    kind: str
    fn: Callable
    # Optional twin of a map stage returning (text, {counter: n}); the report sums the counters (e.g. per rule).
    stats_fn: Callable | None = None
    # Optional, for `dps profile`: (text, **params) -> {metric: number}, computed by the stage's own code, and the
    # Metric specs (scale, thresholding parameters) of those numbers.
    metrics_fn: Callable | None = None
    metrics: tuple = ()
    # Frame stages that deduplicate against the nightly index: (config, effective params) -> what every run sharing
    # the index must agree on (stored in its manifest). Such a stage receives the open index as `index=`.
    index_fingerprint: Callable | None = None
    # Frame stages that read the nightly index without deduplicating against it (line_dedup: earlier runs' line
    # counts); they receive the open index as `index=` too, and are no part of the index settings.
    reads_index: bool = False
    # Optional, for frame stages: (column, Spark type, fn(text, **effective params) -> value). The fused text pass
    # right before the stage fills the column for every row it leaves kept (saving the stage an Arrow pass of its
    # own over the text); without such a pass the stage must compute it itself.
    prepare: tuple | None = None
    # The map stage that masks personal data: the report runs it on its example documents (which never reached it).
    masks_examples: bool = False
    # Optional, for filters: (text, **params) -> {key: JSON value}, evidence beyond the metrics' rules for a document
    # the filter rejected (spam_filter: the lexicon terms it matched). Goes into dps_detail.
    evidence_fn: Callable | None = None
    # Where a stage from outside the package came from (dps.outside); empty for the built-in ones.
    origin: str = ""

    @property
    def uses_index(self) -> bool:
        return self.index_fingerprint is not None

    @property
    def params(self) -> dict[str, inspect.Parameter]:
        return dict(self._params)

    @cached_property
    def _params(self) -> dict[str, inspect.Parameter]:
        # inspect.signature costs tens of microseconds: evidence for rejected records asks for it per record.
        sig = inspect.signature(self.fn)
        return {n: p for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY and n not in INJECTED}

    def doc(self) -> "StageDoc":
        return StageDoc.parse(self.fn.__doc__ or "")


@dataclass(frozen=True)
class BoundStage:
    """A stage with validated parameters, ready to apply. `apply(text)` returns str (map) or reason | None."""

    stage: Stage
    params: dict[str, Any] = field(default_factory=dict)
    # Text stages: the stage bound with other parameters for documents of some sources (config key `by_source`,
    # matched against the input's source column).
    by_source: dict[str, "BoundStage"] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.stage.name

    @property
    def kind(self) -> str:
        return self.stage.kind

    @property
    def effective_params(self) -> dict[str, Any]:
        """Every parameter as the stage function sees it: the signature's defaults, then the configured values."""
        return dict(self._effective)

    @cached_property
    def _effective(self) -> dict[str, Any]:
        defaults = {n: p.default for n, p in self.stage._params.items()}
        return {**defaults, **self.params}

    def metric_specs(self) -> tuple:
        """The stage's profile metrics that are on under these parameters."""
        params = self.effective_params
        return tuple(m for m in self.stage.metrics if m.enabled(params))

    def metrics(self, text: str) -> dict[str, float]:
        return self.stage.metrics_fn(text, **self.effective_params)

    def evidence(self, text: str, reason: str) -> dict | None:
        """Why this filter rejected `text` with `reason` (its own part, without the stage name): every rule of its
        metrics that gives this reason and fires, with the measured value and the threshold, and what the stage's
        evidence function adds. Only run on rejected documents."""
        params = self.effective_params
        specs = self.metric_specs()
        rules = [(m, r) for m in specs for r in m.rules if r.gives(reason)]
        out: dict = {}
        if rules and self.stage.metrics_fn is not None:
            # An expensive metric (enabled_by) is measured only when its rule gave this reason.
            skip = {m.enabled_by: None for m in specs
                    if m.enabled_by and not any(r.gives(reason) for r in m.rules)}
            values = self.stage.metrics_fn(text, **{**params, **skip})
            fired = [r.evidence(m.name, values, params) for m, r in rules if r.rejects(m.name, values, params)]
            if fired:
                out["rules"] = fired
        if self.stage.evidence_fn is not None:
            out.update(self.stage.evidence_fn(text, **self.params))
        return out or None

    def apply(self, text: str):
        return self.stage.fn(text, **self.params)

    def apply_with_stats(self, text: str) -> tuple[str, dict[str, int]]:
        return self.stage.stats_fn(text, **self.params)

    def bound(self, with_stats: bool = False) -> Callable:
        """`apply` (or `apply_with_stats`) as one callable with the parameters bound: for loops over many texts."""
        return partial(self.stage.stats_fn if with_stats else self.stage.fn, **self.params)


def _stages() -> dict[str, Stage]:
    from dps.dedup.exact import exact_dedup, exact_fingerprint
    from dps.dedup.lines import PREPARE as LINE_PREPARE, line_dedup
    from dps.dedup.minhash import minhash_dedup, minhash_fingerprint
    from dps.text import fineweb_quality as fwq, gopher_quality as gq, gopher_repetition as gr, hangul, pii, spam
    from dps.text.emoticons import reduce_emoticons
    from dps.text.fix_encoding import fix_encoding, fix_encoding_with_stats
    from dps.text.html import strip_html
    from dps.text.news_boilerplate import clean_news_boilerplate, clean_news_boilerplate_with_stats
    from dps.text.normalize import normalize
    from dps.text.segments import segment_filter, segment_filter_with_stats

    entries = [
        Stage("fix_encoding", "map", fix_encoding, fix_encoding_with_stats),
        Stage("strip_html", "map", strip_html),
        Stage("normalize", "map", normalize),
        Stage("reduce_emoticons", "map", reduce_emoticons),
        Stage("clean_news_boilerplate", "map", clean_news_boilerplate, clean_news_boilerplate_with_stats),
        Stage("spam_filter", "filter", spam.spam_filter, metrics_fn=spam.spam_profile, metrics=spam.PROFILE_METRICS,
              evidence_fn=spam.spam_evidence),
        Stage("segment_filter", "map", segment_filter, segment_filter_with_stats),
        Stage("hangul_ratio", "filter", hangul.hangul_ratio, metrics_fn=hangul.hangul_ratio_profile,
              metrics=hangul.PROFILE_METRICS),
        Stage("gopher_quality", "filter", gq.gopher_quality, metrics_fn=gq.gopher_quality_profile,
              metrics=gq.PROFILE_METRICS),
        Stage("fineweb_quality", "filter", fwq.fineweb_quality, metrics_fn=fwq.fineweb_quality_profile,
              metrics=fwq.PROFILE_METRICS),
        Stage("gopher_repetition", "filter", gr.gopher_repetition, metrics_fn=gr.gopher_repetition_profile,
              metrics=gr.PROFILE_METRICS),
        Stage("line_dedup", "frame", line_dedup, reads_index=True, prepare=LINE_PREPARE),
        Stage("exact_dedup", "frame", exact_dedup, index_fingerprint=exact_fingerprint),
        Stage("minhash_dedup", "frame", minhash_dedup, index_fingerprint=minhash_fingerprint),
        Stage("tag_pii", "map", pii.tag_pii, metrics_fn=pii.pii_profile, metrics=pii.PROFILE_METRICS,
              masks_examples=True),
    ]
    return {s.name: s for s in entries}


STAGES: dict[str, Stage] = _stages()


def get_stage(name: str, where: str = "stages") -> Stage:
    """A built-in stage by name, else an outside one (`module:function` or a `dps.stages` entry point)."""
    if name in STAGES:
        return STAGES[name]
    try:
        found = find_outside(name) if isinstance(name, str) else None
    except OutsideStageError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if found is None:
        known = [*STAGES, *[n for n in entry_points() if n not in STAGES]]
        raise ConfigError(f"{where}: unknown stage {_name(name)}{nearest(name, known)}; known stages: "
                          f"{', '.join(known)}")
    decl = found.declaration
    stage = Stage(found.name, decl.kind, found.fn, stats_fn=decl.stats_fn, metrics_fn=decl.metrics_fn,
                  metrics=decl.metrics, origin=found.origin)
    problems = signature_problems(stage)
    if problems:
        raise ConfigError(f"{where}: {problems[0]}; {found.origin}")
    return stage


def signature_problems(stage: Stage) -> list[str]:
    """What in a stage function's signature keeps it from being the parameter schema: one positional argument
    (the text, or the marked DataFrame), then keyword-only parameters with defaults; frame stages take `config`."""
    name, out = stage.name, []
    sig = inspect.signature(stage.fn)
    positional = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) != 1:
        what = "the text" if stage.kind != "frame" else "the marked DataFrame"
        out.append(f"{name}: takes exactly one positional argument ({what}), then keyword-only parameters")
    for p in sig.parameters.values():
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty and p.name not in INJECTED:
            out.append(f"{name}.{p.name}: every parameter needs a default (the config may leave it out)")
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out.append(f"{name}: no *args/**kwargs (the signature is the config schema)")
    if stage.kind == "frame" and "config" not in sig.parameters:
        out.append(f"{name}: a frame stage takes the job config as keyword-only `config`")
    if stage.uses_index and "index" not in sig.parameters:
        out.append(f"{name}: declares an index fingerprint but takes no `index` parameter")
    if stage.reads_index and "index" not in sig.parameters:
        out.append(f"{name}: reads the index but takes no `index` parameter")
    return out


def bind(spec: StageSpec, seed: int, source: str = "config") -> BoundStage:
    """Validate a stage's params against its signature; inject the job seed where the stage declares one."""
    return bind_stage(get_stage(spec.name, f"{source}: {spec.where}"), spec, seed, source)


# The parameter every text stage takes besides its own: per-source overrides of its own parameters.
BY_SOURCE = "by_source"


def bind_stage(stage: Stage, spec: StageSpec, seed: int, source: str = "config") -> BoundStage:
    """`bind` for a given Stage object (one not in the registry: a stage under test)."""
    where = f"{source}: {spec.where}.{spec.name}"
    raw = dict(spec.params)
    overrides = raw.pop(BY_SOURCE, None) if stage.kind in ("map", "filter") else None
    bound = _bind_params(stage, raw, seed, where)
    if overrides is None:
        return bound
    if not isinstance(overrides, dict) or not overrides:
        raise ConfigError(f"{where}.{BY_SOURCE}: expected a mapping of source name -> parameters, got "
                          f"{describe_value(overrides)}")
    per_source = {}
    for name, params in overrides.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}.{BY_SOURCE}: source names are non-empty strings, got {_name(name)}")
        here = f"{where}.{BY_SOURCE}.{_key_name(name)}"
        if not isinstance(params, dict):
            raise ConfigError(f"{here}: expected a mapping of parameters, got {describe_value(params)}")
        if BY_SOURCE in params:
            raise ConfigError(f"{here}.{BY_SOURCE}: by_source does not nest")
        # The source's parameters are the stage's, with these changed.
        per_source[name] = _bind_params(stage, {**raw, **params}, seed, here, top_level=False)
    return BoundStage(stage, bound.params, per_source)


def _key_name(name: str) -> str:
    return name if re.fullmatch(r"[\w-]+", name) else render(name)


def _bind_params(stage: Stage, raw: dict, seed: int, where: str, top_level: bool = True) -> BoundStage:
    allowed = stage.params
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or key not in allowed and key not in INJECTED:
            valid = [*allowed, BY_SOURCE] if stage.kind in ("map", "filter") and top_level else list(allowed)
            raise ConfigError(f"{where}: unknown parameter {_name(key)}{nearest(key, valid)}; "
                              f"valid parameters: {', '.join(valid) or '(none)'}")
        if key in INJECTED:
            raise ConfigError(f"{where}.{key}: set by the pipeline (use the top-level '{key}' key)")
        params[key] = _coerce(value, allowed[key].annotation, f"{where}.{key}")
    if "seed" in inspect.signature(stage.fn).parameters:
        params["seed"] = seed
    bound = BoundStage(stage, params)
    if stage.kind in ("map", "filter"):
        # A dry run on the driver turns bad values (an unknown mode, a negative ratio) into a config error now,
        # not a failed task an hour into the job.
        try:
            bound.apply("검증용 문장입니다. Validation text 123.")
        except (ValueError, TypeError) as exc:
            # A stage's message may quote the value; keep it to one short line.
            text = " ".join(str(exc).split())
            raise ConfigError(f"{where}: {text if len(text) <= 300 else text[:297] + '...'}") from None
    return bound


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    """Check a YAML value against a parameter annotation (int, float, bool, str, X | None, list[str], tuple)."""
    ann = _resolve_annotation(annotation)
    ok, result = _match(value, ann)
    if not ok:
        # Never the value whole: a YAML value can be megabytes (or an int too long to print).
        hint = ", outside the 64-bit range" if isinstance(value, int) and not isinstance(value, bool) and \
            not INT64_MIN <= value <= INT64_MAX else ""
        raise ConfigError(f"{where}: expected {_describe(ann)}, got {describe_value(value)}{hint}")
    return result


def _name(name: Any) -> str:
    """A stage or parameter name from the config, quoted and short, for a message."""
    return render(name)


def _resolve_annotation(annotation: Any) -> Any:
    if isinstance(annotation, str):  # `from __future__ import annotations` leaves strings
        return eval(annotation, {"list": list, "tuple": tuple, "dict": dict, "typing": typing, **vars(typing)})
    return annotation


def _match(value: Any, ann: Any) -> tuple[bool, Any]:
    if ann is inspect.Parameter.empty or ann is Any:
        return True, value
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(ann):
            ok, result = _match(value, option)
            if ok:
                return True, result
        return False, None
    if ann is type(None):
        return value is None, None
    if ann is bool:
        return isinstance(value, bool), value
    if ann is int:
        # Stage parameters reach NumPy and Spark as 64-bit integers.
        return isinstance(value, int) and not isinstance(value, bool) and INT64_MIN <= value <= INT64_MAX, value
    if ann is float:
        # NaN passes every `x < threshold` test silently and inf thresholds nothing: a threshold is finite.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False, None
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range
            return False, None
        return math.isfinite(number), number if math.isfinite(number) else None
    if ann is str:
        return isinstance(value, str), value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return False, None
        args = typing.get_args(ann)
        item_ann = args[0] if args else Any
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item_ann = args[0]
        items = []
        for v in value:
            ok, r = _match(v, item_ann)
            if not ok:
                return False, None
            items.append(r)
        return True, (tuple(items) if origin is tuple else items)
    return isinstance(value, ann) if isinstance(ann, type) else True, value


def _describe(ann: Any) -> str:
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(ann))
    if ann is type(None):
        return "null"
    if origin in (list, tuple):
        args = typing.get_args(ann)
        item = {str: "strings", int: "integers", float: "numbers", bool: "booleans"}.get(args[0] if args else None)
        return f"a list of {item or 'values'}"
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string"}.get(ann, str(ann))


@dataclass(frozen=True)
class StageDoc:
    """A stage docstring split into summary, body, `Parameters:` and `Reasons:` sections (for `dps explain`)."""

    summary: str
    body: str
    params: dict[str, str]
    reasons: dict[str, str]

    @classmethod
    def parse(cls, doc: str) -> "StageDoc":
        doc = inspect.cleandoc(doc)
        lines = doc.splitlines()
        summary = lines[0].strip() if lines else ""
        body, params, reasons = [], {}, {}
        section, current = None, None
        for line in lines[1:]:
            stripped = line.strip()
            if stripped in ("Parameters:", "Reasons:"):
                section, current = stripped, None
                continue
            target = params if section == "Parameters:" else reasons if section == "Reasons:" else None
            if target is None:
                body.append(line)
                continue
            m = re.match(r"^\s{0,8}([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$", line)
            if m and (line.startswith("    ") or line.startswith("\t")) and not line.startswith("        "):
                current = m.group(1)
                target[current] = m.group(2).strip()
            elif stripped and current:
                target[current] = (target[current] + " " + stripped).strip()
            elif not stripped:
                current = None
        return cls(summary, "\n".join(body).strip(), params, reasons)


def explain(name: str) -> str:
    """Human-readable description of a stage: summary, parameters with defaults, reasons."""
    stage = get_stage(name, "explain")
    doc = stage.doc()
    out = [f"{stage.name}  ({stage.kind} stage{', from ' + stage.origin if stage.origin else ''})", "", doc.summary]
    if doc.body:
        out += ["", doc.body]
    if stage.params:
        out += ["", "Parameters (YAML keys):"]
        for pname, p in stage.params.items():
            ann = _describe(_resolve_annotation(p.annotation))
            out.append(f"  {pname} = {p.default!r}    [{ann}]")
            if pname in doc.params:
                out.append(f"      {doc.params[pname]}")
    if doc.reasons:
        out += ["", "Rejection reasons (reported as " + f"'{stage.name}:<reason>'):"]
        for reason, text in doc.reasons.items():
            out.append(f"  {reason}: {text}")
    if stage.metrics:
        out += ["", "Profile metrics (dps profile), with the parameters that threshold them:"]
        out += [f"  {line}" for line in metric_lines(stage)]
    return "\n".join(out)


def metric_lines(stage: Stage) -> list[str]:
    """One line per profile metric: name, scale, description, and the rules drawn on it."""
    lines = []
    for m in stage.metrics:
        rules = "; ".join(f"rejects {r.symbol} {r.param}{' ' + r.when_text if r.when_text else ''}"
                          for r in m.rules)
        extra = f" (only when {m.enabled_by} is set)" if m.enabled_by else ""
        lines.append(f"{m.name}: {m.description or m.scale}{extra}" + (f"; {rules}" if rules else ""))
    return lines


def list_stages() -> str:
    rows = [f"  {s.name:<24} {s.kind:<7} {s.doc().summary}" for s in STAGES.values()]
    text = "Stages (dps explain STAGE for parameters):\n" + "\n".join(rows)
    installed = {n: ep for n, ep in entry_points().items() if n not in STAGES}
    if installed:  # not imported here: a broken one should not break the list
        text += (f"\n\nStages of installed packages (entry points, group {ENTRY_POINT_GROUP}):\n"
                 + "\n".join(f"  {n:<24} {ep.value}" for n, ep in installed.items()))
    return text + "\n\nA stage of your own: module.path:function (docs/extending.md)."
