"""Numpydoc docstrings on the public API (numpydoc's own validator).

Checked on every public function of every public module (no leading underscore in the module path or the
name, defined in that module): a docstring (GL08) with a one-line summary (SS01) and a Parameters section
that documents exactly the signature's parameters (PR01 missing, PR02 unknown). Functions that do not pass
yet are listed in ``tests/data/docstring_todo.txt``; the list may only shrink: a new function must pass, and
a listed function that now passes must be removed from the list (so progress is kept).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import venprs

numpydoc_validate = pytest.importorskip("numpydoc.validate")

CHECKS = {"GL08", "SS01", "PR01", "PR02"}
TODO = Path(__file__).parent / "data" / "docstring_todo.txt"


def _public_functions() -> list[str]:
    out = []
    for m in pkgutil.walk_packages(venprs.__path__, "venprs."):
        if any(p.startswith("_") for p in m.name.split(".")[1:]):
            continue
        mod = importlib.import_module(m.name)
        for n in getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]:
            obj = getattr(mod, n, None)
            if inspect.isfunction(obj) and obj.__module__ == m.name and not n.startswith("_"):
                out.append(f"{m.name}.{n}")
    return sorted(set(out))


def _failing(name: str) -> list[str]:
    return sorted({code for code, _ in numpydoc_validate.validate(name)["errors"]} & CHECKS)


def test_public_functions_have_numpydoc_parameters():
    todo = {line.strip() for line in TODO.read_text().splitlines() if line.strip() and not line.startswith("#")}
    names = _public_functions()
    assert len(names) > 150  # the walk found the package
    failing = {n: _failing(n) for n in names}
    new = {n: c for n, c in failing.items() if c and n not in todo}
    fixed = sorted(n for n in todo if n in failing and not failing[n])
    gone = sorted(n for n in todo if n not in failing)
    assert not new, f"public functions without a complete numpydoc docstring: {new}"
    assert not fixed and not gone, f"remove from {TODO.name} (now documented or removed): {fixed + gone}"
