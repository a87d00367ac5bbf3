"""The contract every stage meets, built in or not: `check_stage(stage)` lists what is wrong (nothing when the stage
is fine). The tests run it on every registered stage and on toy stages written by the README's "Adding a stage"
recipe, so the recipe and the contract cannot drift apart.
"""

from __future__ import annotations

import re
import time

from dps.config import ConfigError, StageSpec
from dps.outside import REFERENCE
from dps.registry import Stage, bind_stage, signature_problems

REASON = re.compile(r"[a-z][a-z0-9_]*")
# Hostile inputs every text stage must survive: empty, blank, long, mixed scripts, emoji, our own tokens, controls.
SAMPLES = ("", "   ", "\n\n", "한국어 문장입니다. 오늘은 날씨가 좋네요.", "mixed 한국어 English 中文 日本語 😀🎉",
           "ㅋㅋㅋㅋㅋㅋ ㅠㅠㅠㅠ", "가" * 1_000_000, ("한국어 문장과 English words 123 " * 40000)[:1_000_000],
           "<|tel_start|>010-1234-5678<|tel_end|>", "\x00\x01 제어 문자")


def check_stage(stage: Stage, *, seed: int = 7) -> list[str]:
    """Problems with `stage` (declaration, documentation, defaults, behaviour on hostile inputs, profile metrics)."""
    problems = _declaration(stage)
    if problems:
        return problems
    try:
        bound = bind_stage(stage, StageSpec(stage.name, {}, "stages[0]"), seed, "check")
    except ConfigError as exc:
        return [f"{stage.name}: its defaults do not bind: {exc}"]
    if stage.kind in ("map", "filter"):
        problems += _hostile_inputs(stage, bound)
    if stage.kind == "filter":
        problems += _metrics(stage)
    return problems


def contract_summary(stage: Stage) -> str:
    """What check_stage checks on this stage, in words (for `dps check-stage`)."""
    parts = ["name, kind and signature (the config schema)", "docstring summary and Parameters section",
             "the defaults bind"]
    if stage.kind in ("map", "filter"):
        parts.append(f"{len(SAMPLES)} hostile inputs (empty, blank, 1 MB, mixed scripts, emoji, control characters): "
                     f"{'a str back' if stage.kind == 'map' else 'None or a snake_case reason'}, no exception, "
                     f"under 10 s each")
    if stage.kind == "filter":
        parts.append("profile metrics for dps profile (metrics_fn and Metric specs naming its parameters)")
    if stage.kind == "frame":
        parts.append("frame stages are not run here: try one on a small input with dps run")
    return "; ".join(parts)


def _declaration(stage: Stage) -> list[str]:
    name = stage.name
    out = []
    if not (REASON.fullmatch(name) or REFERENCE.fullmatch(name)):
        out.append(f"{name}: a stage name is snake_case (or module.path:function for a stage from outside)")
    if stage.kind not in ("map", "filter", "frame"):
        return [f"{name}: kind must be map, filter or frame, got {stage.kind!r}"]
    out += signature_problems(stage)
    doc = stage.doc()
    if not doc.summary:
        out.append(f"{name}: no docstring summary (dps explain and the stage reference show it)")
    for param in stage.params:
        if param not in doc.params:
            out.append(f"{name}.{param}: missing from the docstring's Parameters section")
    if stage.kind == "filter" and (stage.metrics_fn is None or not stage.metrics):
        out.append(f"{name}: a filter gives `dps profile` a metrics function and its Metric specs "
                   f"(Stage(..., metrics_fn=..., metrics=PROFILE_METRICS))")
    return out


def _hostile_inputs(stage: Stage, bound) -> list[str]:
    """Maps return str, filters None or a snake_case reason, nothing raises, each input in bounded time."""
    out = []
    for text in SAMPLES:
        started = time.perf_counter()
        try:
            result = bound.apply(text)
        except Exception as exc:  # noqa: BLE001 - the contract reports it
            out.append(f"{stage.name}: raised {type(exc).__name__} on {_show(text)}")
            continue
        if stage.kind == "map" and not isinstance(result, str):
            out.append(f"{stage.name}: returned {type(result).__name__}, not str, on {_show(text)}")
        if stage.kind == "filter" and not (result is None or isinstance(result, str) and REASON.fullmatch(result)):
            out.append(f"{stage.name}: returned {result!r} on {_show(text)} (None or a snake_case reason)")
        if time.perf_counter() - started > 10:
            out.append(f"{stage.name}: took over 10 s on {_show(text)}")
    return out


def _metrics(stage: Stage) -> list[str]:
    """Every threshold parameter (min_/max_) has a profile rule, and every rule names a parameter."""
    thresholded = {rule.param for metric in stage.metrics for rule in metric.rules}
    out = [f"{stage.name}: a profile rule names unknown parameter {p}" for p in sorted(thresholded - set(stage.params))]
    defaults = {n: p.default for n, p in stage.params.items()}
    try:
        measured = stage.metrics_fn(SAMPLES[3], **defaults)
    except Exception as exc:  # noqa: BLE001
        return out + [f"{stage.name}: its metrics function raised {type(exc).__name__}"]
    missing = [m.name for m in stage.metrics if m.enabled(defaults) and m.name not in measured]
    out += [f"{stage.name}: the metrics function gives no value for {m}" for m in missing]
    return out


def _show(text: str) -> str:
    return repr(text[:30]) + (f"... ({len(text):,} chars)" if len(text) > 30 else "")
