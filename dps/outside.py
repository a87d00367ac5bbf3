"""Stages from outside the package: `module.path:function` references and `dps.stages` entry points.

A config names an outside stage as `my_team.filters:toxicity` (any module the driver can import) or by the name
of an entry point in the `dps.stages` group of an installed distribution. `find` imports it and reads how it
declares its kind (dps.extend's decorators, else the return annotation); the registry turns what it finds into a
Stage and checks its signature like a built-in one's. Every failure is an OutsideStageError with a one-line
message; the registry prefixes the config file and key.

The Spark workers import the module too (a function is shipped by reference): it must be installed in the
environment the executors run, or shipped with `--py-files` (docs/extending.md).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import types
import typing
from dataclasses import dataclass
from typing import Callable

from dps.config import nearest, render
from dps.extend import DECLARATION, StageDeclaration

ENTRY_POINT_GROUP = "dps.stages"
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
# module.path:function (the function may be an attribute path, as in entry points: module:Class.method).
REFERENCE = re.compile(rf"{_IDENTIFIER}(?:\.{_IDENTIFIER})*:{_IDENTIFIER}(?:\.{_IDENTIFIER})*")


class OutsideStageError(Exception):
    """An outside stage that cannot be used; the message is one line, without the config file and key."""


@dataclass(frozen=True)
class OutsideStage:
    """An outside stage as found: its config name, the function, what it declared, and where it came from."""

    name: str
    fn: Callable
    declaration: StageDeclaration
    origin: str  # "module my_team.filters (/src/my_team/filters.py)", "entry point toxicity = ... (my-team 1.2)"


def is_reference(name: str) -> bool:
    """A `module:function` reference (as opposed to a stage name)."""
    return ":" in name


def entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    """The `dps.stages` entry points of the installed distributions, by name (the first of a repeated name)."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def find(name: str) -> OutsideStage | None:
    """The outside stage `name` names, or None when it is neither a module:function reference nor an entry point.
    Raises OutsideStageError when it names one that cannot be used."""
    if is_reference(name):
        if not REFERENCE.fullmatch(name):
            raise OutsideStageError(f"{render(name)} is not a stage reference: write module.path:function "
                                    f"(e.g. my_team.filters:toxicity)")
        module_name, attr = name.split(":", 1)
        fn, origin = _load_reference(module_name, attr, name), f"module {module_name}{_file_of(module_name)}"
        return OutsideStage(name, fn, declared_kind(fn, name), origin)
    ep = entry_points().get(name)
    if ep is None:
        return None
    try:
        fn = ep.load()
    except Exception as exc:  # noqa: BLE001 - any failure of a third-party import is one line for the user
        raise OutsideStageError(f"entry point {name!r} ({ep.value}, group {ENTRY_POINT_GROUP}) cannot be loaded: "
                                f"{_exception_line(exc)}") from None
    dist = getattr(ep, "dist", None)
    where = f", {dist.name} {dist.version}" if dist is not None else ""
    return OutsideStage(name, fn, declared_kind(fn, name), f"entry point {name} = {ep.value} ({ENTRY_POINT_GROUP}"
                                                           f"{where})")


def _load_reference(module_name: str, attr: str, name: str) -> Callable:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise OutsideStageError(f"stage {name}: no module named {exc.name!r}; install the package that "
                                    f"provides {module_name!r} into dps's environment, or add its folder to "
                                    f"PYTHONPATH") from None
        raise OutsideStageError(f"stage {name}: importing {module_name!r} failed: {_exception_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - the module's own import-time error, as one line
        raise OutsideStageError(f"stage {name}: importing {module_name!r} failed: {_exception_line(exc)}") from None
    target = module
    for part in attr.split("."):
        if not hasattr(target, part):
            public = [n for n in dir(target) if not n.startswith("_")]
            raise OutsideStageError(f"stage {name}: {module_name!r} has no attribute {part!r}"
                                    f"{nearest(part, public)}")
        target = getattr(target, part)
    if not callable(target):
        raise OutsideStageError(f"stage {name}: {attr!r} in {module_name!r} is not a function (its type: "
                                f"{type(target).__name__})")
    return target


def declared_kind(fn: Callable, name: str) -> StageDeclaration:
    """The declaration a decorator of dps.extend attached, else one read off the return annotation."""
    declaration = getattr(fn, DECLARATION, None)
    if isinstance(declaration, StageDeclaration):
        return declaration
    kind = _kind_from_annotation(fn)
    if kind is None:
        raise OutsideStageError(f"stage {name}: declare its kind: decorate it with @dps.extend.filter_stage, "
                                f"@dps.extend.map_stage or @dps.extend.frame_stage, or annotate its return type "
                                f"(-> str for a map stage, -> str | None for a filter)")
    return StageDeclaration(kind)


def _kind_from_annotation(fn: Callable) -> str | None:
    try:
        annotation = typing.get_type_hints(fn).get("return")
    except Exception:  # noqa: BLE001 - an unresolvable annotation declares nothing; fall back to its text
        annotation = getattr(fn, "__annotations__", {}).get("return")
    if isinstance(annotation, str):
        text = annotation.replace(" ", "").replace("typing.", "")
        return {"str": "map", "str|None": "filter", "None|str": "filter", "Optional[str]": "filter"}.get(text)
    if annotation is str:
        return "map"
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and \
            set(typing.get_args(annotation)) == {str, type(None)}:
        return "filter"
    return None


def _file_of(module_name: str) -> str:
    module = importlib.import_module(module_name)  # already imported: a dictionary look-up
    path = getattr(module, "__file__", None)
    return f" ({os.path.abspath(path)})" if path else ""


def _exception_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
