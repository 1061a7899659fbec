"""Exact VEN-PRS scores, risk groups, ranges for unknown values, and batch scoring.

Scores are summed as integers in hundredths (the model file's ``scale``), so a
sum such as 0.57 + 0.45 + 0.60 - 0.87 is exactly 0.75 (intermediate) and never
0.7500000000000001 (adverse).

Unknown values are never read as absent. When a factor of a model is unknown,
the score is reported as the range over every completion, and the risk groups
reachable by at least one completion are listed; the result is *determinate*
when only one group can be reached.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
   (Table 4: coefficients and cut-points).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import InputError
from .fields import FACTOR_FIELDS, match_columns, parse_column, parse_value
from .model import ENDPOINTS, GROUPS, load_model

__all__ = [
    "EndpointResult", "ScoreResult", "score", "score_codes", "score_table",
    "OUTPUT_COLUMNS", "group_of",
]

FACTORS: tuple[str, ...] = tuple(f.name for f in FACTOR_FIELDS)
_SUFFIXES = ("score", "score_min", "score_max", "group", "possible_groups", "determinate")
#: Columns that :func:`score_table` appends, in order.
OUTPUT_COLUMNS: tuple[str, ...] = tuple(f"{ep}_{s}" for ep in ENDPOINTS for s in _SUFFIXES)


def group_of(score: float | str, endpoint: str = "os") -> str:
    """Risk group of a score (exact: the score is rounded to hundredths first).

    >>> group_of(0.75), group_of(0.76), group_of(0.25), group_of(0.24)
    ('intermediate', 'adverse', 'intermediate', 'favorable')
    """
    from decimal import Decimal, ROUND_HALF_EVEN
    m = load_model()
    units = int((Decimal(str(score)) * m.scale).to_integral_value(ROUND_HALF_EVEN))
    return m.group_of_units(units)


@dataclass(frozen=True)
class EndpointResult:
    """The VEN-PRS result for one endpoint.

    Attributes
    ----------
    endpoint : ``"os"`` or ``"efs"``
    score : exact score as a float of hundredths, or ``None`` if a factor of this model is unknown
    score_range : ``(lo, hi)`` over every completion of the unknown factors; ``(s, s)`` when known
    group : the risk group, or ``None`` when more than one group can be reached
    possible_groups : reachable groups, in the order favorable, intermediate, adverse
    unknown_factors : factors of this model whose value is unknown
    """

    endpoint: str
    score: float | None
    score_range: tuple[float, float]
    group: str | None
    possible_groups: tuple[str, ...]
    unknown_factors: tuple[str, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def determinate(self) -> bool:
        """True when exactly one risk group can be reached."""
        return len(self.possible_groups) == 1

    @property
    def published(self) -> dict[str, dict[str, Any]]:
        """The paper's n and median survival (with 95% CI and source) for each possible group."""
        outcomes = load_model().endpoints[self.endpoint].group_outcomes
        return {g: dict(outcomes[g]) for g in self.possible_groups}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the CLI's and the HTTP API's contract)."""
        out = {
            "score": self.score,
            "score_range": list(self.score_range),
            "group": self.group,
            "possible_groups": list(self.possible_groups),
            "determinate": self.determinate,
            "unknown_factors": list(self.unknown_factors),
            "published": self.published,
        }
        out.update(self.extras)
        return out


@dataclass(frozen=True)
class ScoreResult:
    """VEN-PRS results for OS and EFS, and the parsed inputs."""

    os: EndpointResult
    efs: EndpointResult
    inputs: dict[str, bool | None]

    def __getitem__(self, endpoint: str) -> EndpointResult:
        return {"os": self.os, "efs": self.efs}[endpoint]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"os": {...}, "efs": {...}, "inputs": {...}, "model": {...}}``."""
        m = load_model()
        return {
            "os": self.os.to_dict(),
            "efs": self.efs.to_dict(),
            "inputs": dict(self.inputs),
            "model": {"name": m.name, "version": m.version, "doi": m.doi},
        }


# ---------------------------------------------------------------- vectorised core

def _coef_units(endpoint: str) -> np.ndarray:
    ep = load_model().endpoints[endpoint]
    return np.array([(ep.term(f).units if ep.term(f) else 0) for f in FACTORS], dtype=np.int64)


def _offset_table(coef: np.ndarray) -> list[np.ndarray]:
    """For each mask of unknown factors (bit i = factor i), the distinct reachable sums."""
    k = len(coef)
    table = []
    for mask in range(1 << k):
        idx = [i for i in range(k) if mask >> i & 1]
        sums = {0}
        for r in range(1, len(idx) + 1):
            for c in combinations(idx, r):
                sums.add(int(coef[list(c)].sum()))
        table.append(np.array(sorted(sums), dtype=np.int64))
    return table


_CACHE: dict[str, tuple[np.ndarray, list[np.ndarray]]] = {}


def _endpoint_tables(endpoint: str):
    if endpoint not in _CACHE:
        coef = _coef_units(endpoint)
        _CACHE[endpoint] = (coef, _offset_table(coef))
    return _CACHE[endpoint]


def score_codes(codes: np.ndarray, endpoint: str) -> dict[str, np.ndarray]:
    """Vectorised exact scoring of coded factors.

    Parameters
    ----------
    codes : int array, shape (n, 7)
        Factor codes in :data:`FACTORS` order: 1 present, 0 absent, -1 unknown.
    endpoint : ``"os"`` or ``"efs"``

    Returns
    -------
    dict of arrays
        ``lo``, ``hi`` (int64 units of 1/100), ``known`` (bool: no factor of this
        model unknown), ``possible`` (uint8 bit set: 1 favorable, 2 intermediate,
        4 adverse).
    """
    m = load_model()
    coef, offsets = _endpoint_tables(endpoint)
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != len(FACTORS):
        raise ValueError(f"codes must have shape (n, {len(FACTORS)})")
    present = codes == 1
    unknown = (codes == -1) & (coef != 0)
    base = present.astype(np.int64) @ coef
    lo = base + unknown.astype(np.int64) @ np.minimum(coef, 0)
    hi = base + unknown.astype(np.int64) @ np.maximum(coef, 0)
    mask = unknown.astype(np.int64) @ (1 << np.arange(len(FACTORS), dtype=np.int64))
    possible = np.zeros(len(codes), dtype=np.uint8)
    known = mask == 0
    possible[known] = _group_bits(base[known], m.low_units, m.high_units)
    if not known.all():
        for mk in np.unique(mask[~known]):
            rows = np.flatnonzero(mask == mk)
            vals = base[rows, None] + offsets[int(mk)][None, :]
            bits = _group_bits(vals, m.low_units, m.high_units)
            possible[rows] = np.bitwise_or.reduce(bits, axis=1)
    return {"lo": lo, "hi": hi, "known": known, "possible": possible}


def _group_bits(units: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.where(units < low, 1, np.where(units > high, 4, 2)).astype(np.uint8)


_BITS_TO_GROUPS = {b: tuple(g for i, g in enumerate(GROUPS) if b >> i & 1) for b in range(8)}


# ---------------------------------------------------------------- single patient

def _endpoint_result(endpoint: str, values: Mapping[str, bool | None]) -> EndpointResult:
    m = load_model()
    codes = np.array([[(-1 if values[f] is None else int(values[f])) for f in FACTORS]])
    r = score_codes(codes, endpoint)
    lo, hi = int(r["lo"][0]), int(r["hi"][0])
    groups = _BITS_TO_GROUPS[int(r["possible"][0])]
    model_factors = m.endpoints[endpoint].factors
    unknown = tuple(f for f in model_factors if values[f] is None)
    return EndpointResult(
        endpoint=endpoint,
        score=m.from_units(lo) if bool(r["known"][0]) else None,
        score_range=(m.from_units(lo), m.from_units(hi)),
        group=groups[0] if len(groups) == 1 else None,
        possible_groups=groups,
        unknown_factors=unknown,
    )


def score(*, extramedullary=None, prior_hma=None, nf1=None, ptpn11=None, flt3=None, tp53=None,
          sf3b1=None) -> ScoreResult:
    """Score one patient for OS and EFS.

    Parameters
    ----------
    extramedullary, prior_hma, nf1, ptpn11, flt3, tp53, sf3b1 : bool, str or None, keyword-only
        Factor values. ``True``/``False`` or any accepted text (``"mut"``, ``"wt"``,
        ``"yes"``, ...; see ``docs/data-dictionary.md``). Omitted or ``None`` means
        unknown.

    Returns
    -------
    ScoreResult
        ``.os`` and ``.efs``, each an :class:`EndpointResult`.

    Raises
    ------
    InputError
        A value that is not accepted; the message names the factor and the accepted values.

    Examples
    --------
    >>> r = score(extramedullary=True, prior_hma=False, nf1=False, ptpn11=False,
    ...           flt3=True, tp53=False, sf3b1=False)
    >>> r.os.score, r.os.group
    (1.39, 'adverse')
    >>> r = score(extramedullary=True, prior_hma=True, flt3=True, sf3b1=True, nf1=False, ptpn11=False)
    >>> r.efs.score, r.efs.group
    (0.75, 'intermediate')
    >>> score(prior_hma=True).os.possible_groups
    ('favorable', 'intermediate', 'adverse')

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622, Table 4.
    """
    raw = dict(extramedullary=extramedullary, prior_hma=prior_hma, nf1=nf1, ptpn11=ptpn11, flt3=flt3,
               tp53=tp53, sf3b1=sf3b1)
    values = {f: parse_value(f, v) for f, v in raw.items()}
    return ScoreResult(os=_endpoint_result("os", values), efs=_endpoint_result("efs", values), inputs=values)


# ---------------------------------------------------------------- batch

def codes_from_table(df: pd.DataFrame, *, missing_columns: str = "error") -> np.ndarray:
    """Parse the seven factor columns of ``df`` into an (n, 7) int8 code array.

    ``missing_columns="error"`` (default) raises when a factor has no column;
    ``"unknown"`` treats a missing column as unknown for every row.
    """
    if missing_columns not in ("error", "unknown"):
        raise ValueError("missing_columns must be 'error' or 'unknown'")
    found = match_columns(df.columns)
    missing = [f for f in FACTORS if f not in found]
    if missing and missing_columns == "error":
        f = next(x for x in FACTOR_FIELDS if x.name == missing[0])
        raise InputError(
            f"no column for factor {f.name} ({f.label}); accepted column names: "
            + ", ".join((f.name, *f.aliases))
            + " (case-insensitive). To score it as unknown for every row, allow missing columns",
            column=f.name, field=f.name,
        )
    codes = np.full((len(df), len(FACTORS)), -1, dtype=np.int8)
    for j, f in enumerate(FACTORS):
        if f in found:
            codes[:, j] = parse_column(df[found[f]].to_numpy(), f, column=found[f])
    return codes


def score_table(df: pd.DataFrame, *, missing_columns: str = "error") -> pd.DataFrame:
    """Score every row of a table for OS and EFS.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient; factor columns named as in ``docs/data-dictionary.md``
        (canonical names or aliases, case-insensitive).
    missing_columns : {"error", "unknown"}
        What to do when a factor has no column.

    Returns
    -------
    pandas.DataFrame
        All input columns, same rows in the same order (same index), followed by
        :data:`OUTPUT_COLUMNS`: ``<ep>_score`` (NaN when a factor of the model is
        unknown), ``<ep>_score_min``, ``<ep>_score_max``, ``<ep>_group`` (empty
        when not determinate), ``<ep>_possible_groups`` (``|``-joined),
        ``<ep>_determinate``.

    Raises
    ------
    InputError
        A bad value (names the 1-based row, column and value), a missing factor
        column, or an input column that already has an output column's name.
    """
    clash = [c for c in df.columns if str(c) in OUTPUT_COLUMNS]
    if clash:
        raise InputError(
            f"input already has output column {clash[0]!r} (was it scored before?); "
            "drop or rename the columns " + ", ".join(OUTPUT_COLUMNS), column=clash[0])
    codes = codes_from_table(df, missing_columns=missing_columns)
    out = df.copy(deep=False)
    for ep, cols in score_columns(codes).items():
        for name, values in cols.items():
            out[name] = values
    return out


def score_columns(codes: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """The output columns of :func:`score_table` for an (n, 7) code array, per endpoint."""
    m = load_model()
    group_names = np.array(["", "favorable", "intermediate", "", "adverse", "", "", ""], dtype=object)
    joined = np.array(["|".join(_BITS_TO_GROUPS[b]) for b in range(8)], dtype=object)
    res = {}
    for ep in ENDPOINTS:
        r = score_codes(codes, ep)
        lo = r["lo"] / m.scale
        hi = r["hi"] / m.scale
        possible = r["possible"]
        det = np.isin(possible, (1, 2, 4))
        res[ep] = {
            f"{ep}_score": np.where(r["known"], lo, np.nan),
            f"{ep}_score_min": lo,
            f"{ep}_score_max": hi,
            f"{ep}_group": np.where(det, group_names[possible], ""),
            f"{ep}_possible_groups": joined[possible],
            f"{ep}_determinate": det,
        }
    return res
