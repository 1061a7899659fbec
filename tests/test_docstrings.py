"""Numpydoc docstrings on the public API (numpydoc's own validator).

Checked on every public function of every public module (no leading underscore in the module path or the
name, defined in that module): a docstring (GL08) with a one-line summary (SS01) and a Parameters section
that documents exactly the signature's parameters (PR01 missing, PR02 unknown), and a Returns section
when the function returns a value (RT01). Every public function passes (issue 13); a new one must too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import venprs

numpydoc_validate = pytest.importorskip("numpydoc.validate")

CHECKS = {"GL08", "SS01", "PR01", "PR02", "RT01"}


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
    names = _public_functions()
    assert len(names) > 150  # the walk found the package
    failing = {n: c for n in names if (c := _failing(n))}
    assert not failing, f"public functions without a complete numpydoc docstring: {failing}"
