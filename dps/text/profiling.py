"""What a text stage exposes to `dps profile`: its metrics, and which parameter thresholds each one.

A stage that can be profiled gives the registry a metrics function (text, **stage params) -> {metric: number},
built from the same code its filter runs, and a tuple of `Metric`s. Each `Rule` of a metric names the stage
parameter holding its threshold, on which side documents are rejected, and the reason the filter then gives,
so the profile draws the threshold where the filter applies it and counts exactly what it would remove.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Callable, Mapping

SIDES = ("below", "above", "at_or_above")  # rejected when value < limit | value > limit | value >= limit
# How a metric's histogram is binned. ratio: a share in [0, 1] (equal bins over [0, 1]); count: a non-negative
# integer, heavy-tailed (log-spaced bins of whole numbers); positive: a non-negative real, heavy-tailed
# (log-spaced bins); value: anything else (equal bins over the observed range).
SCALES = ("ratio", "count", "positive", "value")

_SYMBOLS = {"below": "<", "above": ">", "at_or_above": ">="}
# The threshold's key in a rejected document's evidence: the least allowed, the most allowed, or where rejection
# starts.
_EVIDENCE_KEYS = {"below": "min", "above": "max", "at_or_above": "reject_at"}


@dataclass(frozen=True)
class Rule:
    """One threshold of a metric: the stage rejects a document when the metric is beyond the parameter's value
    (and `when`, if given, holds). A parameter set to None disables the rule."""

    param: str
    side: str
    reason: str  # the filter's reason for this rule, or a pattern ("spam_*": any reason starting with "spam_")
    when: Callable[[Mapping[str, float], Mapping[str, Any]], bool] | None = None
    when_text: str = ""  # the extra condition in words, for titles and `dps explain`
    # A parameter that scales the threshold (the limit is param * scale_param), e.g. one control for a family.
    scale_param: str | None = None

    def __post_init__(self):
        if self.side not in SIDES:
            raise ValueError(f"Rule {self.param}: side must be one of {SIDES}, got {self.side!r}")

    def beyond(self, value: float, limit: float) -> bool:
        if self.side == "below":
            return value < limit
        if self.side == "above":
            return value > limit
        return value >= limit

    def limit(self, params: Mapping[str, Any]) -> float | None:
        """The threshold in force under these (effective) parameters; None when the rule is off."""
        limit = params.get(self.param)
        if limit is None or self.scale_param is None:
            return limit
        return limit * params[self.scale_param]

    def rejects(self, metric: str, metrics: Mapping[str, float], params: Mapping[str, Any]) -> bool:
        """Would this rule alone reject a document with these metrics, under these (effective) parameters?"""
        limit = self.limit(params)
        if limit is None:
            return False
        return self.beyond(metrics[metric], limit) and (self.when is None or bool(self.when(metrics, params)))

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self.side]

    def gives(self, reason: str) -> bool:
        """Is `reason` (without the stage name) this rule's?"""
        return fnmatch.fnmatchcase(reason, self.reason)

    def evidence(self, metric: str, metrics: Mapping[str, float], params: Mapping[str, Any]) -> dict:
        """The measured value beside its threshold, as dps_detail shows it: {"rule": "dup_line_fraction",
        "value": 0.41, "max": 0.3}."""
        value = metrics[metric]
        return {"rule": metric, "value": round(value, 4) if isinstance(value, float) else value,
                _EVIDENCE_KEYS[self.side]: self.limit(params)}


@dataclass(frozen=True)
class Metric:
    """A number computed per document, its histogram scale, and the rules that threshold it."""

    name: str
    scale: str
    rules: tuple[Rule, ...] = ()
    description: str = ""
    # Computed only when this parameter is not None (an expensive metric whose rule is off: kiwi function words).
    enabled_by: str | None = None

    def __post_init__(self):
        if self.scale not in SCALES:
            raise ValueError(f"Metric {self.name}: scale must be one of {SCALES}, got {self.scale!r}")

    def enabled(self, params: Mapping[str, Any]) -> bool:
        return self.enabled_by is None or params.get(self.enabled_by) is not None
