"""The package's layers: imports go one way only (down this list), and nothing imports in a circle.

A module lower in LAYERS never imports one higher up, at module level or inside a function (imports under
`if TYPE_CHECKING:` are for type hints only and do not count). A new module must be placed in a layer here.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "dps"

# Lowest first. A module may import from its own layer and the layers before it.
LAYERS = [
    ("marks", ["dps", "dps.marks"]),  # column names of the marked frame; the package version
    ("text", ["dps.text", "dps.extend"]),  # pure text functions: no Spark; extend: what outside stages import
    ("render", ["dps.render"]),  # pages and charts from plain data: no Spark, no job modules
    ("config", ["dps.config"]),
    ("spark adapters", ["dps.outputs", "dps.spark", "dps.envcheck", "dps.devcluster"]),
    ("dedup", ["dps.dedup"]),
    # registry: the only module that knows stages by name; outside: the module:function and entry-point stages
    ("registry", ["dps.registry", "dps.outside"]),
    ("plan", ["dps.plan", "dps.stage_check"]),  # stage_check: the contract of a registry Stage
    ("report", ["dps.report"]),  # accounting: the aggregate, example documents, the invariant
    ("run", ["dps.pipeline", "dps.bulk"]),  # bulk: a run as slices, each a run of dps.pipeline
    ("profile", ["dps.profile"]),
    ("inspect", ["dps.run_output", "dps.show", "dps.diff"]),  # finished runs' outputs, read with pyarrow
    ("cli", ["dps.cli"]),
]


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _layer(module: str) -> int:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix != "dps" and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (i, len(prefix))
    assert best is not None, f"{module} is in no layer: place it in tests/test_layers.py LAYERS"
    return best[0]


def _imports(path: pathlib.Path) -> set[str]:
    """Every module this file imports (dps modules resolved to the module, others by their top name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for node in ast.walk(tree)
                 if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


GRAPH = {m: {d for d in _imports(p) if d in MODULES and d != m} for m, p in MODULES.items()}


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_imports_go_down_the_layers_only():
    wrong = [f"{m} ({LAYERS[_layer(m)][0]}) imports {d} ({LAYERS[_layer(d)][0]})"
             for m, deps in sorted(GRAPH.items()) for d in sorted(deps) if _layer(d) > _layer(m)]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for d in sorted(GRAPH[m]):
            assert state.get(d) != 1, "import cycle: " + " -> ".join(path[path.index(d):] + [d])
            if d not in state:
                visit(d)
        path.pop()
        state[m] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_text_and_render_never_touch_spark():
    for module, path in MODULES.items():
        if module.startswith(("dps.text", "dps.render")):
            spark = {i for i in _imports(path) if i.split(".")[0] in ("pyspark", "py4j")}
            assert not spark, f"{module} imports {sorted(spark)}"


def test_render_imports_no_job_module():
    for module, deps in GRAPH.items():
        if module.startswith("dps.render"):
            outside = {d for d in deps if d not in ("dps", "dps.marks") and not d.startswith("dps.render")}
            assert not outside, f"{module} imports {sorted(outside)}"


def test_the_checks_see_a_wrong_import():
    # The checks above would pass on an empty graph: make sure they read real imports.
    assert "dps.config" in GRAPH["dps.pipeline"] and "dps.marks" in GRAPH["dps.report"]
    assert _layer("dps.text.pii") < _layer("dps.registry") < _layer("dps.pipeline")
