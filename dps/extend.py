"""What a stage written outside this package imports: decorators that declare its kind, and the pieces a filter
uses to describe its profile metrics.

    from dps.extend import Metric, Rule, filter_stage

    @filter_stage(metrics_fn=toxicity_profile, metrics=TOXICITY_METRICS)
    def toxicity(text: str, *, max_score: float = 0.8) -> str | None:
        ...

A config names it as `my_team.filters:toxicity` (module:function), or by the name of a `dps.stages` entry point.
The decorators only attach a declaration to the function and return it unchanged, so the module imports without
dps doing anything and the function stays a plain function for its own tests. Without a decorator, the return
annotation decides: `-> str` is a map stage, `-> str | None` a filter. See docs/extending.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from dps.text.profiling import Metric, Rule
from dps.text.quarantine import Quarantine

__all__ = ["Metric", "Quarantine", "Rule", "StageDeclaration", "filter_stage", "frame_stage", "map_stage"]

# The attribute the decorators set on a stage function; the registry reads it.
DECLARATION = "__dps_stage__"


@dataclass(frozen=True)
class StageDeclaration:
    """What a decorator declared: the kind and the optional companions of the stage function."""

    kind: str  # map | filter | frame
    stats_fn: Callable | None = None
    metrics_fn: Callable | None = None
    metrics: tuple = ()


def _declare(fn: Callable | None, declaration: StageDeclaration):
    def attach(f: Callable) -> Callable:
        setattr(f, DECLARATION, declaration)
        return f

    return attach if fn is None else attach(fn)


def map_stage(fn: Callable | None = None, *, stats_fn: Callable | None = None):
    """Declare a map stage: `fn(text, *, params...) -> str`. `stats_fn`, optional, is its twin returning
    `(text, {counter: n})`; the report sums the counters. Use as `@map_stage` or `@map_stage(stats_fn=...)`."""
    return _declare(fn, StageDeclaration("map", stats_fn=stats_fn))


def filter_stage(fn: Callable | None = None, *, metrics_fn: Callable | None = None, metrics: tuple = ()):
    """Declare a filter stage: `fn(text, *, params...) -> str | None` (None keeps the document; a snake_case rule
    name rejects it, reported as `<stage name>:<rule>`). `metrics_fn(text, **params) -> {metric: number}` and
    `metrics` (a tuple of Metric, whose Rules name the parameter holding each threshold) let `dps profile` draw
    the filter's distributions; the stage contract (`dps check-stage`) asks for both."""
    return _declare(fn, StageDeclaration("filter", metrics_fn=metrics_fn, metrics=tuple(metrics)))


def frame_stage(fn: Callable | None = None):
    """Declare a frame stage: `fn(df, *, config, params...)` takes the marked DataFrame and returns it with the
    same rows, changing only `dps_status`/`dps_reason` (and adding columns)."""
    return _declare(fn, StageDeclaration("frame"))
