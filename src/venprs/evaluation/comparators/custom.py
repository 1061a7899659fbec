"""User-defined HR-weighted scores, read from a small YAML or JSON file and evaluated exactly.

A score file lists factors (a yes/no column, or a categorical column with the
values that count as present), a weight per endpoint, and ordered groups with
cut-points. Weights are decimal strings; the score is summed as integers in
units of ``1/scale``, so the comparison with a cut-point is exact (as in
:mod:`venprs.scoring`). Unknown values give a score range and the set of groups
reachable by some completion; the group is kept only when it is determinate.

File format (YAML shown; JSON with the same keys works too)::

    name: gangat_user            # key in results.json (letters, digits, _)
    label: Gangat et al. 2024 (user-supplied points)
    source: "Am J Hematol 2024;99:193 (points supplied by the user)"
    scale: 100                   # weights are multiples of 1/scale
    endpoints: [os, efs]         # optional; default both
    factors:
      - name: tp53
        columns: [tp53, tp53_mut]          # accepted column names (case-insensitive)
        weight: "1"                        # or per endpoint: {os: "0.39"}
      - name: idh2_wt
        columns: [idh2]
        invert: true                       # present when the column says "absent"
      - name: no_cr
        columns: [best_response]
        present_values: [PR, SD/RD, MLFS]  # categorical: present if the value is one of these
        absent_values: [CR, CRi]           # ...absent if one of these; anything else unknown
    groups:                                # first match wins; the last group has no bound
      - {label: favorable, below: "0.25"}      # S < 0.25
      - {label: intermediate, at_most: "0.75"} # S <= 0.75
      - {label: adverse}

The published VEN-PRS in this format is generated from the model file by
:func:`venprs_spec` (shipped as ``venprs/data/score_venprs_2025.yaml``; a test
checks that the shipped file equals the generated one and that it reproduces
:func:`venprs.score_table` on all 128 factor combinations).

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
   (Table 4: the VEN-PRS weights and cut-points; the format mirrors its footnote rule).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from itertools import combinations
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from ...errors import InputError
from ...fields import FACTOR_FIELDS, parse_column
from ...model import ENDPOINTS, load_model, to_units
from ._common import Classification, find_column

__all__ = ["CustomScore", "load_score", "parse_score", "venprs_spec", "venprs_yaml", "VENPRS_FILE"]

#: Name of the shipped VEN-PRS score file (package data ``venprs/data/``).
VENPRS_FILE = "score_venprs_2025.yaml"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class _Factor:
    name: str
    columns: tuple[str, ...]
    units: dict[str, int]
    invert: bool = False
    present_values: tuple[str, ...] = ()
    absent_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Group:
    label: str
    bound_units: int | None
    inclusive: bool


@dataclass(frozen=True)
class CustomScore:
    """A parsed score file (see the module docstring for the format)."""

    name: str
    label: str
    source: str
    scale: int
    endpoints: tuple[str, ...]
    factors: tuple[_Factor, ...]
    groups: tuple[_Group, ...]
    path: str | None = None

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(g.label for g in self.groups)

    def group_of_units(self, units: np.ndarray) -> np.ndarray:
        """Group index for each exact score (int array of units)."""
        units = np.asarray(units, dtype=np.int64)
        out = np.full(units.shape, len(self.groups) - 1, dtype=np.int64)
        done = np.zeros(units.shape, dtype=bool)
        for i, g in enumerate(self.groups[:-1]):
            hit = (units <= g.bound_units) if g.inclusive else (units < g.bound_units)
            hit &= ~done
            out[hit] = i
            done |= hit
        return out

    # ------------------------------------------------------------------ inputs
    def codes(self, df: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        """(n, k) int8 codes (1/0/-1) of the factors, and the factors that have no column."""
        codes = np.full((len(df), len(self.factors)), -1, dtype=np.int8)
        missing = []
        for j, f in enumerate(self.factors):
            col = find_column(df, f.columns)
            if col is None:
                missing.append(f.name)
                continue
            values = df[col].to_numpy()
            if f.present_values or f.absent_values:
                codes[:, j] = _categorical(values, f, col)
            else:
                c = parse_column(values, f.name, column=str(col))
                if f.invert:
                    c = np.where(c < 0, c, 1 - c).astype(np.int8)
                codes[:, j] = c
        return codes, missing

    def score_units(self, codes: np.ndarray, endpoint: str) -> dict[str, np.ndarray]:
        """Exact score range (``lo``, ``hi`` in units), ``known`` and group bit set ``possible``."""
        w = np.array([f.units.get(endpoint, 0) for f in self.factors], dtype=np.int64)
        present = codes == 1
        unknown = (codes < 0) & (w != 0)
        base = present.astype(np.int64) @ w
        lo = base + unknown.astype(np.int64) @ np.minimum(w, 0)
        hi = base + unknown.astype(np.int64) @ np.maximum(w, 0)
        mask = unknown.astype(np.int64) @ (1 << np.arange(len(w), dtype=np.int64))
        possible = np.zeros(len(codes), dtype=np.int64)
        for mk in np.unique(mask):
            rows = np.flatnonzero(mask == mk)
            idx = [i for i in range(len(w)) if int(mk) >> i & 1]
            sums = {0}
            for r in range(1, len(idx) + 1):
                for c in combinations(idx, r):
                    sums.add(int(w[list(c)].sum()))
            vals = base[rows, None] + np.array(sorted(sums), dtype=np.int64)[None, :]
            g = self.group_of_units(vals)
            possible[rows] = np.bitwise_or.reduce(1 << g, axis=1)
        return {"lo": lo, "hi": hi, "known": mask == 0, "possible": possible}

    def classify(self, df: pd.DataFrame, endpoint: str = "os") -> Classification:
        """Score and group every row of ``df`` for ``endpoint``.

        A factor with no column is unknown for every row (the group stays
        determinate only when that factor cannot change it); if no factor of
        the endpoint has a column, the classification is skipped with a reason.
        """
        res = Classification(name=self.name, label=self.label, levels=self.levels, source=self.source)
        if endpoint not in self.endpoints:
            res.skipped = f"the score file defines no weights for endpoint {endpoint}"
            return res
        codes, missing = self.codes(df)
        used = [f.name for f in self.factors if f.units.get(endpoint, 0) != 0]
        if all(f in missing for f in used):
            res.skipped = "no column for any factor: " + ", ".join(used)
            return res
        miss_used = [f for f in missing if f in used]
        if miss_used:
            res.notes.append("no column (unknown for every patient): " + ", ".join(miss_used))
        r = self.score_units(codes, endpoint)
        lv = np.array(self.levels, dtype=object)
        bits = r["possible"]
        single = (bits & (bits - 1)) == 0
        gi = np.log2(np.maximum(bits, 1)).astype(int)
        res.groups = pd.Series(np.where(single, lv[gi], ""), index=df.index, dtype=object)
        res.possible = pd.Series(["|".join(lv[i] for i in range(len(lv)) if b >> i & 1) for b in bits],
                                 index=df.index, dtype=object)
        res.score = pd.Series(np.where(r["known"], r["lo"] / self.scale, np.nan), index=df.index)
        return res


def _categorical(values, f: _Factor, col) -> np.ndarray:
    pres = {v.strip().lower() for v in f.present_values}
    absn = {v.strip().lower() for v in f.absent_values}
    out = np.full(len(values), -1, dtype=np.int8)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        t = str(v).strip().lower()
        if t in pres:
            out[i] = 1
        elif t in absn:
            out[i] = 0
    return out


# ---------------------------------------------------------------------- parsing

def _err(where: str, msg: str) -> InputError:
    return InputError(f"score file: {msg}", file=where)


def parse_score(spec: Mapping[str, Any], where: str = "<score>") -> CustomScore:
    """Validate a score specification (the parsed YAML/JSON) and build a :class:`CustomScore`.

    Parameters
    ----------
    spec : Mapping
        The parsed score file: ``name``, ``factors`` and ``groups``, optionally ``label``,
        ``source``, ``scale`` (default 100) and ``endpoints`` (default both); the format
        is in the module docstring.
    where : str
        File named in error messages and stored as the score's ``path``
        (``"<score>"``, the default, stores no path).

    Returns
    -------
    CustomScore
        Weights and group bounds as integers in units of ``1/scale``.

    Raises
    ------
    InputError
        Naming the file and the offending key, e.g. a weight that is not a
        multiple of ``1/scale`` or groups without a final unbounded group.
    """
    if not isinstance(spec, Mapping):
        raise _err(where, "the top level must be a mapping with keys name, factors, groups")
    name = str(spec.get("name", ""))
    if not _NAME.match(name):
        raise _err(where, f"name {name!r} must be lower-case letters, digits and _ (starting with a letter)")
    scale = spec.get("scale", 100)
    if not isinstance(scale, int) or scale < 1:
        raise _err(where, f"scale must be a positive integer, got {scale!r}")
    endpoints = tuple(spec.get("endpoints", ENDPOINTS))
    for ep in endpoints:
        if ep not in ENDPOINTS:
            raise _err(where, f"endpoint {ep!r} is not one of {', '.join(ENDPOINTS)}")
    facs = spec.get("factors")
    if not isinstance(facs, list) or not facs:
        raise _err(where, "factors must be a non-empty list")
    factors = []
    for i, f in enumerate(facs, 1):
        if not isinstance(f, Mapping) or "name" not in f:
            raise _err(where, f"factor {i} must be a mapping with at least name and weight")
        fname = str(f["name"])
        cols = f.get("columns", f.get("column", fname))
        cols = (cols,) if isinstance(cols, str) else tuple(str(c) for c in cols)
        w = f.get("weight")
        if w is None:
            raise _err(where, f"factor {fname}: weight is missing")
        wmap = dict(w) if isinstance(w, Mapping) else {ep: w for ep in endpoints}
        units = {}
        for ep, val in wmap.items():
            if ep not in endpoints:
                raise _err(where, f"factor {fname}: weight for unknown endpoint {ep!r}")
            try:
                units[ep] = to_units(str(val), scale)
            except (ValueError, ArithmeticError):
                raise _err(where, f"factor {fname}: weight {val!r} is not a multiple of 1/{scale}") from None
        factors.append(_Factor(fname, cols, units, bool(f.get("invert", False)),
                               tuple(str(v) for v in f.get("present_values", ())),
                               tuple(str(v) for v in f.get("absent_values", ()))))
    gs = spec.get("groups")
    if not isinstance(gs, list) or len(gs) < 2:
        raise _err(where, "groups must list at least two groups")
    groups = []
    for i, g in enumerate(gs):
        last = i == len(gs) - 1
        label = str(g.get("label", ""))
        if not label:
            raise _err(where, f"group {i + 1} has no label")
        has = [k for k in ("below", "at_most") if k in g]
        if last:
            if has:
                raise _err(where, f"the last group ({label}) takes every higher score and has no bound")
            groups.append(_Group(label, None, False))
            continue
        if len(has) != 1:
            raise _err(where, f"group {label} needs exactly one of below (S < x) or at_most (S <= x)")
        try:
            b = to_units(str(g[has[0]]), scale)
        except (ValueError, ArithmeticError):
            raise _err(where, f"group {label}: bound {g[has[0]]!r} is not a multiple of 1/{scale}") from None
        prev = groups[-1].bound_units if groups else None
        if prev is not None and b < prev:
            raise _err(where, f"group {label}: bounds must increase")
        groups.append(_Group(label, b, has[0] == "at_most"))
    return CustomScore(name=name, label=str(spec.get("label", name)), source=str(spec.get("source", "")),
                       scale=scale, endpoints=endpoints, factors=tuple(factors), groups=tuple(groups),
                       path=None if where == "<score>" else where)


def load_score(path: str | Path) -> CustomScore:
    """Read a score file (``.yaml``, ``.yml`` or ``.json``).

    Parameters
    ----------
    path : str or pathlib.Path
        The score file; a ``.json`` suffix is read as JSON, anything else as YAML.

    Returns
    -------
    CustomScore
        The validated score (:func:`parse_score`), with ``path`` set to the file.

    Raises
    ------
    InputError
        The file is missing, cannot be parsed, or is not a valid score specification.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    text = p.read_text(encoding="utf-8")
    try:
        spec = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise InputError(f"cannot parse the score file: {str(e).splitlines()[0]}", file=p) from None
    return parse_score(spec, str(p))


# ---------------------------------------------------------------------- VEN-PRS as a score file

def venprs_spec() -> dict[str, Any]:
    """The published VEN-PRS as a score specification, generated from the model file.

    Returns
    -------
    dict
        The specification (``name``, ``label``, ``points``, ``groups``) as :func:`load_spec` reads it.
    """
    m = load_model()
    th = m.raw["thresholds"]
    factors = []
    for f in FACTOR_FIELDS:
        terms = {ep: m.endpoints[ep].term(f.name) for ep in ENDPOINTS}
        weights = {ep: str(t.coefficient) for ep, t in terms.items() if t is not None}
        factors.append({"name": f.name, "columns": [f.name, *f.aliases], "weight": weights})
    labels = m.raw["groups"]
    return {
        "name": "venprs",
        "label": f"{m.name} (published)",
        "source": f"{m.citation} doi:{m.doi} ({m.raw['score_definition']['source']}; {th['source']})",
        "scale": m.scale,
        "endpoints": list(ENDPOINTS),
        "factors": factors,
        "groups": [
            {"label": labels[0], "below": th["favorable_below"]},
            {"label": labels[1], "at_most": th["adverse_above"]},
            {"label": labels[2]},
        ],
    }


def venprs_yaml() -> str:
    """:func:`venprs_spec` as YAML text (the content of the shipped file).

    Returns
    -------
    str
        YAML text with a comment header.
    """
    head = ("# The published VEN-PRS as a user-defined score file. GENERATED from\n"
            "# src/venprs/model/venprs_2025.json by venprs.evaluation.comparators.custom.venprs_yaml();\n"
            "# do not edit by hand (a test compares this file with the generator).\n")
    return head + yaml.safe_dump(venprs_spec(), sort_keys=False, allow_unicode=True, width=100)


def shipped_venprs_text() -> str:
    """Text of the shipped VEN-PRS score file."""
    return resources.files("venprs").joinpath("data", VENPRS_FILE).read_text(encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    print(venprs_yaml(), end="")
