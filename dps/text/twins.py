"""Stats twins: a map stage's second function, returning (text, {counter: n}) for the report's counters."""

from __future__ import annotations

import functools
import inspect
from typing import Callable


def stats_twin(stage_fn: Callable) -> Callable:
    """Decorator for the stats twin of `stage_fn`: the twin declares its keyword parameters without defaults, and
    gets `stage_fn`'s, so each default is declared once (on the stage's own signature, the config schema)."""
    defaults = {n: p.default for n, p in inspect.signature(stage_fn).parameters.items()
                if p.kind is p.KEYWORD_ONLY and p.default is not p.empty}

    def decorate(twin: Callable) -> Callable:
        missing = [n for n, p in inspect.signature(twin).parameters.items()
                   if p.kind is p.KEYWORD_ONLY and n not in defaults]
        if missing:
            raise TypeError(f"{twin.__name__}: parameters {missing} are not parameters of {stage_fn.__name__}")

        @functools.wraps(twin)
        def with_defaults(text, **params):
            return twin(text, **{**defaults, **params})

        return with_defaults

    return decorate
