"""The layering of venprs, checked statically (ast over ``src/venprs``; nothing is imported).

Rules (docs/architecture.md):

1. No import cycle among venprs modules (top-level and function-level imports both count).
2. No private name (``_x``) imported from another venprs module: what a module shares is public.
   Private *modules* of a shell package (``venprs.cli._score``) may be imported by that package.
3. Function-level (deferred) imports of venprs modules or heavy third-party packages only where listed
   in :data:`DEFERRED_ALLOWED`, each with the reason (start-up time measured, see docs/architecture.md).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "venprs"

#: (module, imported module) -> reason. Deferred imports kept on purpose. Everything else imports at the top.
DEFERRED_ALLOWED: dict[tuple[str, str], str] = {
    ("venprs", "venprs.simulation"): "PEP 562 lazy attribute venprs.simulate: the simulator pulls in scipy.stats "
                                     "and lifelines; `import venprs` and every CLI call would pay for them",
}

#: The layers, bottom first (docs/architecture.md): a module imports only from its own layer or the ones below.
LAYERS: list[tuple[str, ...]] = [
    ("venprs.version", "venprs.errors"),
    ("venprs.model",),
    ("venprs.fields", "venprs.cohort_fields", "venprs.io", "venprs.mutations", "venprs.limits",
     "venprs.resampling"),
    ("venprs.prediction",),
    ("venprs.scoring", "venprs.render"),
    ("venprs.survival",),
    ("venprs.evaluation",),
    ("venprs.simulation",),
    ("venprs.reporting",),
    ("venprs",),  # the package facade: venprs.score, venprs.simulate, ...
    ("venprs.cli", "venprs.web", "venprs.__main__"),
]

#: Packages whose import costs start-up time; importing them inside a function is allowed in these modules
#: (the shell edge: CLI commands and the web app import what a command needs when it runs).
SHELL = ("venprs.cli", "venprs.web")


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module name of a ``from X import ...`` in ``module``."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _in_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return True
    return False


def _deferred(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True
    return False


def imports() -> list[dict]:
    """Every import of a venprs module: ``{module, target, names, deferred, line}``."""
    out = []
    for mod, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [(a.name, ()) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, node)
                targets = []
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    if sub in MODULES:  # `from . import io`: the submodule itself
                        targets.append((sub, ()))
                    else:
                        targets.append((base, (a.name,)))
            else:
                continue
            if _in_type_checking(node, parents):
                continue
            for target, names in targets:
                out.append({"module": mod, "target": target, "names": names, "deferred": _deferred(node, parents),
                            "line": node.lineno})
    return out


IMPORTS = imports()


def _graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = defaultdict(set)
    for i in IMPORTS:
        t = i["target"]
        while t and t not in MODULES:  # `import venprs.x.y` where only a prefix is a module file
            t = t.rpartition(".")[0]
        if t.startswith("venprs") and t != i["module"]:
            g[i["module"]].add(t)
    return g


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return out


def test_the_checker_sees_the_package():
    assert {"venprs", "venprs.scoring", "venprs.prediction", "venprs.simulation.cohort", "venprs.cli"} <= set(MODULES)
    assert any(i["module"] == "venprs.scoring" and i["target"] == "venprs.model" for i in IMPORTS)
    # a known cycle is found
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    assert cycles(_graph()) == []


def test_no_private_name_imported_across_modules():
    bad = []
    for i in IMPORTS:
        if not i["target"].startswith("venprs"):
            continue
        for name in i["names"]:
            if name.startswith("_") and not name.startswith("__"):
                bad.append(f"{i['module']}:{i['line']} imports {name} from {i['target']}")
        last = i["target"].rpartition(".")[2]
        if last.startswith("_") and not last.startswith("__"):
            parent = i["target"].rpartition(".")[0]
            if not (i["module"] == parent or i["module"].startswith(parent + ".")):
                bad.append(f"{i['module']}:{i['line']} imports the private module {i['target']}")
    assert bad == []


def test_deferred_imports_only_at_the_shell_edge_or_listed():
    bad = []
    for i in IMPORTS:
        if not i["deferred"] or not i["target"].startswith("venprs"):
            continue
        if i["module"].startswith(SHELL) or (i["module"], i["target"]) in DEFERRED_ALLOWED:
            continue
        bad.append(f"{i['module']}:{i['line']} imports {i['target']} inside a function")
    assert bad == []


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of the longest matching prefix."""
    best, where = -1, -1
    for i, names in enumerate(LAYERS):
        for p in names:
            sub = module.startswith(p + ".") and p != "venprs"  # the facade holds only itself
            if (module == p or sub) and len(p) > best:
                best, where = len(p), i
    return where


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) < 0] == []


def test_imports_only_go_down_the_layers():
    bad = [f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
           for a, bs in sorted(_graph().items()) for b in sorted(bs) if layer_of(b) > layer_of(a)]
    assert bad == []


@pytest.mark.parametrize("pair", sorted(DEFERRED_ALLOWED))
def test_every_allowed_deferred_import_exists(pair):
    """The allow-list has no stale entries."""
    assert any(i["deferred"] and (i["module"], i["target"]) == pair for i in IMPORTS)
