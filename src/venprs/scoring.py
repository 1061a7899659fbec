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

import functools
import io
import os
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .errors import InputError, InputErrors, Problem
from .fields import FACTOR_FIELDS, column_codes, match_columns, normalize_name, parse_value
from .io import (
    SOURCE_ATTR,
    BatchWriter,
    NotStreamable,
    TableStream,
    arrow_formula_start,
    atomic_write,
    file_kind,
    guard_name,
    locate,
    source_info,
    write_csv,
)
from .model import ENDPOINTS, GROUPS, load_model
from .prediction import predict_survival, predicted_summary, supported_score_range

__all__ = [
    "missing_factor_note",
    "EndpointResult", "ScoreResult", "score", "score_codes", "score_table",
    "OUTPUT_COLUMNS", "group_of", "scenario_text", "score_file",
]

FACTORS: tuple[str, ...] = tuple(f.name for f in FACTOR_FIELDS)
_SUFFIXES = ("score", "score_min", "score_max", "group", "possible_groups", "determinate")
#: Columns that :func:`score_table` appends, in order.
OUTPUT_COLUMNS: tuple[str, ...] = tuple(f"{ep}_{s}" for ep in ENDPOINTS for s in _SUFFIXES)


def group_of(score: float | str, endpoint: str = "os") -> str:
    """Risk group of a score (exact: the score is rounded to hundredths first).

    Parameters
    ----------
    score : float or str
        A VEN-PRS score (the sum of the published points); a string such as ``"0.75"`` is read exactly.
    endpoint : {"os", "efs"}, default "os"
        The endpoint whose cut-points apply (both use the published cut-points of the model file).

    Returns
    -------
    str
        ``"favorable"``, ``"intermediate"`` or ``"adverse"``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622, Table 4. doi:10.1038/s41375-024-02501-6

    Examples
    --------
    >>> group_of(0.75), group_of(0.76), group_of(0.25), group_of(0.24)
    ('intermediate', 'adverse', 'intermediate', 'favorable')
    """
    from decimal import ROUND_HALF_EVEN, Decimal
    m = load_model()
    units = int((Decimal(str(score)) * m.scale).to_integral_value(ROUND_HALF_EVEN))
    return m.group_of_units(units)


def _published_flat(outcome: Mapping[str, Any]) -> dict[str, Any]:
    ci = outcome.get("ci") or [None, None]
    return {"n": outcome.get("n"), "median": outcome.get("median_months"), "ci_low": ci[0], "ci_high": ci[1],
            "unit": "months", "source": outcome.get("source")}


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
    scenarios : dict
        ``{"unknown_absent": {"score", "group"}, "unknown_present": {"score", "group"},
        "one_present": {factor: {"score", "group"}}}``: the result if every unknown factor of
        this model is absent, if every one is present, and if only that one is present (the
        others absent); for a known score both scenarios are the score itself and
        ``one_present`` is empty
    deciding_factors : unknown factors whose value can change the group given the others:
        ``f`` is deciding when, for some values of the other unknown factors, ``f`` present
        and ``f`` absent give different groups (model order)
    """

    endpoint: str
    score: float | None
    score_range: tuple[float, float]
    group: str | None
    possible_groups: tuple[str, ...]
    unknown_factors: tuple[str, ...] = ()
    scenarios: dict[str, Any] = field(default_factory=dict, compare=False)
    deciding_factors: tuple[str, ...] = ()
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

    def survival(self, times, baseline=None) -> np.ndarray:
        """Predicted survival S(t) = S0(t) ** exp(score) at ``times`` (months).

        Uses the venprs reconstructed baseline (model file, ``baseline_survival``;
        not published by the authors) unless ``baseline`` is given (see
        :func:`venprs.prediction.load_baseline`). Raises ``ValueError`` when a
        factor is unknown: use :meth:`survival_range` for the best/worst case.

        >>> r = score(extramedullary=False, prior_hma=False, nf1=False, ptpn11=False, flt3=False,
        ...           tp53=False, sf3b1=False)
        >>> [round(float(s), 2) for s in r.os.survival([0, 12])]
        [1.0, 0.52]
        """
        if self.score is None:
            raise ValueError(f"{self.endpoint} score is a range (unknown: {', '.join(self.unknown_factors)}); "
                             "use survival_range(times) for the best and worst case")
        return predict_survival(self.score, times, self.endpoint, baseline)

    def survival_range(self, times, baseline=None) -> tuple[np.ndarray, np.ndarray]:
        """(best case, worst case) predicted survival over the score range (equal when the score is known)."""
        lo, hi = self.score_range
        return (predict_survival(lo, times, self.endpoint, baseline),
                predict_survival(hi, times, self.endpoint, baseline))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the CLI's and the HTTP API's contract).

        ``published`` is the paper's ``{n, median, ci_low, ci_high, unit, source}``
        for the group when it is determinate (``None`` otherwise);
        ``published_by_group`` gives the same for every possible group.
        ``scenarios`` adds ``text``, the scenarios in words (:func:`scenario_text`;
        ``None`` when no factor of this model is unknown).
        """
        by_group = {g: _published_flat(o) for g, o in self.published.items()}
        out = {
            "score": self.score,
            "score_range": list(self.score_range),
            "group": self.group,
            "possible_groups": list(self.possible_groups),
            "determinate": self.determinate,
            "unknown_factors": list(self.unknown_factors),
            "scenarios": {**self.scenarios, "text": scenario_text(self)},
            "deciding_factors": list(self.deciding_factors),
            "published": by_group[self.group] if self.group else None,
            "published_by_group": by_group,
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
    return np.array([(t.units if (t := ep.term(f)) else 0) for f in FACTORS], dtype=np.int64)


def _group_table(coef: np.ndarray, low: int, high: int) -> tuple[np.ndarray, int]:
    """Lookup table ``bits[mask, base - offset]`` of reachable groups.

    For each set of unknown factors (bit i = factor i unknown) and each possible
    sum ``base`` of the known present factors, the bit set (1 favorable,
    2 intermediate, 4 adverse) of the groups reached by at least one completion
    of the unknown factors. Built once per endpoint by plain enumeration.
    """
    k = len(coef)
    neg, pos = int(coef[coef < 0].sum()), int(coef[coef > 0].sum())
    bases = np.arange(neg, pos + 1, dtype=np.int64)
    table = np.zeros((1 << k, len(bases)), dtype=np.uint8)
    for mask in range(1 << k):
        idx = [i for i in range(k) if mask >> i & 1 and coef[i] != 0]
        sums = {0}
        for r in range(1, len(idx) + 1):
            for c in combinations(idx, r):
                sums.add(int(coef[list(c)].sum()))
        for s_ in sums:
            table[mask] |= _group_bits(bases + s_, low, high)
    return table, neg


_CACHE: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}


def _endpoint_tables(endpoint: str):
    if endpoint not in _CACHE:
        m = load_model()
        coef = _coef_units(endpoint)
        table, offset = _group_table(coef, m.low_units, m.high_units)
        _CACHE[endpoint] = (coef, table, offset)
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

    Notes
    -----
    All arithmetic is on integers (hundredths); the reachable groups come from a
    lookup table indexed by the set of unknown factors and the known sum, so the
    cost is a few passes over the columns whatever the pattern of unknowns.
    """
    coef, table, offset = _endpoint_tables(endpoint)
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != len(FACTORS):
        raise ValueError(f"codes must have shape (n, {len(FACTORS)})")
    n = len(codes)
    base = np.zeros(n, dtype=np.int32)
    lo = np.zeros(n, dtype=np.int32)
    hi = np.zeros(n, dtype=np.int32)
    mask = np.zeros(n, dtype=np.int32)
    for j, c in enumerate(coef):
        if c == 0:
            continue
        col = codes[:, j]
        base += (col == 1) * np.int32(c)
        unk = col == -1
        mask |= unk * np.int32(1 << j)
        (lo if c < 0 else hi).__iadd__(unk * np.int32(c))
    possible = table.ravel()[mask * table.shape[1] + (base - offset)]
    lo += base
    hi += base
    return {"lo": lo.astype(np.int64), "hi": hi.astype(np.int64), "known": mask == 0, "possible": possible}


def _group_bits(units: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.where(units < low, 1, np.where(units > high, 4, 2)).astype(np.uint8)


_BITS_TO_GROUPS = {b: tuple(g for i, g in enumerate(GROUPS) if b >> i & 1) for b in range(8)}


# ---------------------------------------------------------------- single patient

def _endpoint_result(endpoint: str, values: Mapping[str, bool | None]) -> EndpointResult:
    m = load_model()
    codes = np.array([[(-1 if (v := values[f]) is None else int(v)) for f in FACTORS]])
    r = score_codes(codes, endpoint)
    lo, hi = int(r["lo"][0]), int(r["hi"][0])
    groups = _BITS_TO_GROUPS[int(r["possible"][0])]
    model_factors = m.endpoints[endpoint].factors
    unknown = tuple(f for f in model_factors if values[f] is None)
    scenarios, deciding = _scenarios(endpoint, values, unknown)
    return EndpointResult(
        endpoint=endpoint,
        score=m.from_units(lo) if bool(r["known"][0]) else None,
        score_range=(m.from_units(lo), m.from_units(hi)),
        group=groups[0] if len(groups) == 1 else None,
        possible_groups=groups,
        unknown_factors=unknown,
        scenarios=scenarios,
        deciding_factors=deciding,
        extras=_predicted_extras(endpoint, m.from_units(lo), m.from_units(hi),
                                 all_unknown=len(unknown) == len(model_factors)),
    )


def _scenarios(endpoint: str, values: Mapping[str, bool | None],
               unknown: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Scenarios for the unknown factors of one endpoint, and the deciding factors.

    Exact integer arithmetic: at most 2^6 completions of the unknown factors are
    enumerated (the model has six or seven factors).
    """
    m = load_model()
    ep = m.endpoints[endpoint]
    units = {t.factor: t.units for t in ep.terms}
    base = sum(units[f] for f in ep.factors if values[f])

    def at(u: int) -> dict[str, Any]:
        return {"score": m.from_units(u), "group": m.group_of_units(u)}

    scenarios = {"unknown_absent": at(base), "unknown_present": at(base + sum(units[f] for f in unknown)),
                 "one_present": {f: at(base + units[f]) for f in unknown}}
    deciding = []
    for f in unknown:
        others = [units[g] for g in unknown if g != f]
        sums = {base}
        for c in others:
            sums |= {s_ + c for s_ in sums}
        if any(m.group_of_units(s_) != m.group_of_units(s_ + units[f]) for s_ in sums):
            deciding.append(f)
    return scenarios, tuple(deciding)


def _join(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _factor_word(factor: str) -> tuple[str, bool]:
    """(name in a sentence, is molecular): genes by symbol (``NF1``), clinical factors by label."""
    f = next(x for x in load_model().factors if x["name"] == factor)
    if f.get("kind") == "molecular":
        return factor.upper(), True
    return f["label"][0].lower() + f["label"][1:], False


def scenario_text(result: EndpointResult) -> str | None:
    """The scenarios for the unknown factors in words (``None`` when no factor is unknown).

    First the group if every unknown factor is absent (pending genes wild-type),
    then which unknown factor, present on its own, would give which other group;
    then the deciding factors that change the group only together with others.

    Parameters
    ----------
    result : EndpointResult
        The result for one endpoint of :func:`score` (or a batch row's).

    Returns
    -------
    str or None
        One or two sentences, or ``None`` when no factor is unknown.

    Examples
    --------
    >>> r = score(extramedullary=False, prior_hma=True, flt3=False)
    >>> print(scenario_text(r.os))
    If the pending NF1, PTPN11, TP53, SF3B1 results are all wild-type: intermediate (0.64). NF1, PTPN11 or TP53 mutated would make it adverse; SF3B1 mutated, favorable.
    """
    unknown = result.unknown_factors
    if not unknown:
        return None
    words = {f: _factor_word(f) for f in unknown}
    genes = [words[f][0] for f in unknown if words[f][1]]
    clinical = [words[f][0] for f in unknown if not words[f][1]]
    conds = []
    if genes:
        conds.append(f"the pending {', '.join(genes)} results are all wild-type" if len(genes) > 1
                     else f"the pending {genes[0]} result is wild-type")
    if clinical:
        conds.append(f"{_join(clinical, 'and')} {'are' if len(clinical) > 1 else 'is'} absent")
    base = result.scenarios["unknown_absent"]
    out = [f"If {' and '.join(conds)}: {base['group']} ({base['score']:.2f})."]
    by_group: dict[str, list[str]] = {}
    for f in unknown:
        g = result.scenarios["one_present"][f]["group"]
        if g != base["group"]:
            by_group.setdefault(g, []).append(f)
    clauses = []
    for i, (g, fs) in enumerate(by_group.items()):
        parts = []
        gs = [words[f][0] for f in fs if words[f][1]]
        cs = [words[f][0] for f in fs if not words[f][1]]
        if gs:
            parts.append(_join(gs, "or") + " mutated")
        if cs:
            parts.append(_join(cs, "or") + " present")
        phrase = " or ".join(parts)
        clauses.append(f"{phrase} would make it {g}" if i == 0 else f"{phrase}, {g}")
    if clauses:
        out.append((clauses[0][0].upper() + "; ".join(clauses)[1:]) + ".")
    single = {f for fs in by_group.values() for f in fs}
    together = [words[f][0] for f in result.deciding_factors if f not in single]
    if together:
        who = _join(together, "and")
        out.append(f"{who[0].upper() + who[1:]} can change the group only together with another unknown factor.")
    if not result.deciding_factors:
        if len(unknown) > 1:
            out.append("None of the unknown factors can change the group.")
        else:
            w, gene = words[unknown[0]]
            out.append(f"The pending {w} result cannot change the group." if gene
                       else f"{w[0].upper() + w[1:]} cannot change the group.")
    return " ".join(out)


def _predicted_extras(endpoint: str, lo: float, hi: float, *, all_unknown: bool = False) -> dict[str, Any]:
    """``predicted`` block (median, 6/12/24-month survival; ranges when the score is a range).

    Withheld (``{"withheld": reason, "supported_score_range", "baseline"}``, no
    numbers) when every factor of the model is unknown or when an end of the score
    range lies outside the scores supported by the derivation data
    (:func:`venprs.prediction.supported_score_range`).
    """

    a, b = supported_score_range(endpoint)
    reason = None
    if all_unknown:
        reason = "every factor is unknown"
    elif lo < a or hi > b:
        x = lo if lo < a else hi
        which = "score" if lo == hi else ("lowest possible score" if x == lo else "highest possible score")
        reason = (f"the {which}, {x:.2f}, is outside the scores supported by the derivation data "
                  f"({a:.2f} to {b:.2f})")
    if reason is not None:
        label = load_model().raw.get("baseline_survival", {}).get("label", "")
        return {"predicted": {"withheld": reason, "supported_score_range": [a, b], "baseline": label}}
    pred = predicted_summary(lo, hi, endpoint)
    pred["supported_score_range"] = [a, b]
    return {"predicted": pred}


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

def _column_hint(factor: str, columns) -> str:
    """`` (is it 'FLT3-ITD'?)`` when a column's name contains the factor's name or an alias, else ``""``."""
    f = next(x for x in FACTOR_FIELDS if x.name == factor)
    keys = [normalize_name(a) for a in (f.name, *f.aliases) if len(normalize_name(a)) >= 3]
    like = [str(c) for c in columns if any(k in normalize_name(str(c)) for k in keys)]
    return (f" (there is {' and '.join(map(repr, like[:3]))}: if it holds this factor, name it {f.name})"
            if like else "")


def missing_factor_note(columns) -> str | None:
    """One line naming the factors without a column (scored unknown for every row with
    ``missing_columns="unknown"``) and the columns that look like them.

    Parameters
    ----------
    columns : iterable of str
        The table's column names.

    Returns
    -------
    str or None
        The line; ``None`` when all seven factors have a column.
    """
    found = match_columns(columns)
    missing = [f for f in FACTORS if f not in found]
    if not missing:
        return None
    return ("no column for " + ", ".join(f + _column_hint(f, columns) for f in missing)
            + ": unknown for every row")


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
        parts = []
        for name in missing:
            f = next(x for x in FACTOR_FIELDS if x.name == name)
            parts.append(f"no column for factor {f.name} ({f.label}){_column_hint(name, df.columns)}; accepted "
                         "column names: " + ", ".join((f.name, *f.aliases)))
        raise InputError("; ".join(parts) + " (case-insensitive); or score "
                         + ("it" if len(missing) == 1 else "them") + " as unknown for every row"
                         " (missing_columns='unknown'; CLI: --missing-as-unknown)", field=missing[0])
    codes = np.full((len(df), len(FACTORS)), -1, dtype=np.int8)
    problems: list[Problem] = []
    for j, name in enumerate(FACTORS):
        if name in found:
            col = found[name]
            codes[:, j], bad = column_codes(df[col].array, name)
            problems += [Problem(msg, row=r + 1, column=str(col), value=v if isinstance(v, str) else str(v))
                         for r, v, msg in bad]
    if problems:
        order = {str(c): i for i, c in enumerate(df.columns)}
        problems.sort(key=lambda p: (p.row, order.get(p.column or "", 0)))
        info = source_info(df)
        raise InputErrors(locate(df, problems), file=info.label if info else None)
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
        unknown), ``<ep>_score_min``, ``<ep>_score_max``, ``<ep>_group`` (categorical;
        missing when not determinate), ``<ep>_possible_groups`` (categorical,
        ``|``-joined in the order favorable, intermediate, adverse),
        ``<ep>_determinate`` (bool).

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
    out.attrs.pop(SOURCE_ATTR, None)  # where the input came from is not part of the output
    for _ep, cols in score_columns(codes).items():
        for name, values in cols.items():
            out[name] = values
    return out


def score_columns(codes: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """The output columns of :func:`score_table` for an (n, 7) code array, per endpoint."""
    m = load_model()
    group_cats = pd.CategoricalDtype(list(GROUPS))
    possible_cats = pd.CategoricalDtype(["|".join(_BITS_TO_GROUPS[b]) for b in range(1, 8)])
    # bit set -> category code (-1 = missing)
    group_code = np.array([-1, 0, 1, -1, 2, -1, -1, -1], dtype=np.int8)
    res = {}
    for ep in ENDPOINTS:
        r = score_codes(codes, ep)
        lo = r["lo"] / m.scale
        hi = r["hi"] / m.scale
        possible = r["possible"]
        det = group_code[possible] >= 0
        res[ep] = {
            f"{ep}_score": np.where(r["known"], lo, np.nan),
            f"{ep}_score_min": lo,
            f"{ep}_score_max": hi,
            f"{ep}_group": pd.Categorical.from_codes(group_code[possible], dtype=group_cats),
            f"{ep}_possible_groups": pd.Categorical.from_codes(possible.astype(np.int8) - 1, dtype=possible_cats),
            f"{ep}_determinate": det,
        }
    return res


def _score_batch(df: pd.DataFrame, offset: int, writer: BatchWriter, problems: list[Problem],
                 missing_columns: str) -> int:
    """Score one batch as :func:`score_table` does and write it; bad cells go to ``problems`` (rows of the
    file). Returns the batch's rows with a determinate OS group."""
    try:
        scored = score_table(df, missing_columns=missing_columns)
    except InputErrors as e:
        problems += [replace(p, row=p.row + offset) if p.row is not None else p for p in e.problems]
        return 0
    if problems:
        return 0
    writer.write(scored)
    return int(scored["os_determinate"].sum())


class _ScoredText:
    """The CSV/TSV text :func:`score_file` writes for a batch, made without a data frame.

    The input's columns are written by Arrow's CSV writer, as
    :func:`venprs.io.write_csv` writes them; the twelve output cells of a row
    depend only on the seven factor codes, so they are one text per
    combination (3**7 = 2,187), made once by :func:`score_table` and
    :func:`venprs.io.write_csv` themselves. The bytes are therefore those of
    the data-frame path (``tests/test_score_stream_text.py`` checks it). A
    batch with a refused cell or a cell the formula guard changes returns
    ``None`` from :meth:`codes`: the data-frame path writes it (and reports
    the cell). :meth:`rows` writes a batch with a line break in a value the
    data-frame way too.
    """

    def __init__(self, names: list[str], sep: str, *, missing_columns: str, formula_guard: bool) -> None:
        import pyarrow as pa

        self.sep, self.formula_guard, self.missing_columns = sep, formula_guard, missing_columns
        self.columns: list[int | None] | None = None
        self._known: dict[str, tuple[Any, np.ndarray]] = {}  # factor -> (texts met, their code + 1)
        try:
            found = match_columns(names)
        except InputError:
            return
        if any(c in OUTPUT_COLUMNS for c in names) or (missing_columns == "error" and len(found) < len(FACTORS)):
            return  # score_table says what is wrong
        index = {c: i for i, c in enumerate(names)}
        self.columns = [index[found[f]] if f in found else None for f in FACTORS]
        n = 3 ** len(FACTORS)
        self.weights = 3 ** np.arange(len(FACTORS), dtype=np.int64)
        codes = ((np.arange(n)[:, None] // self.weights) % 3 - 1).astype(np.int8)
        cells = pd.DataFrame({k: v for cols in score_columns(codes).values() for k, v in cols.items()})
        self._os_det = cells["os_determinate"].to_numpy(bool)
        header = [guard_name(c) if formula_guard else c for c in names]  # as guard_formulas names them
        cols = [*header, *OUTPUT_COLUMNS]
        self.header = _csv_buffer(pa.Table.from_arrays([pa.array([], pa.string())] * len(cols), names=cols),
                                  sep, header=True).to_pybytes()
        buf = io.BytesIO()
        write_csv(cells, buf, sep, formula_guard=formula_guard)
        lines = buf.getvalue().split(b"\n")[1:-1]
        assert len(lines) == n
        self._cells = pa.array([sep.encode() + line for line in lines], pa.binary())

    def codes(self, table) -> np.ndarray | None:
        """The combination index of each row of ``table`` (all text columns, the file's order), or ``None``
        when the batch must go the data-frame way."""
        if self.columns is None:
            return None
        if self.formula_guard:
            for col in table.columns:
                hits = arrow_formula_start(col)
                if hits is None or hits.any():
                    return None
        index = np.zeros(table.num_rows, np.int64)
        for f, j, w in zip(FACTORS, self.columns, self.weights):
            if j is None:
                continue  # unknown for every row (missing_columns="unknown"): digit 0
            digits = self._digits(table.column(j), f)
            if digits is None:
                return None
            index += digits * w
        return index

    def _digits(self, col, factor: str) -> np.ndarray | None:
        """Each cell's code + 1 (0 unknown, 1 absent, 2 present), or ``None`` when a cell is refused.

        The texts met in earlier batches and their codes are looked up at once (``index_in``, about twice
        as fast as encoding the column again); a batch with a new text learns it through
        :func:`venprs.fields.column_codes`.
        """
        import pyarrow.compute as pc

        known = self._known.get(factor)
        if known is not None:
            pos = pc.index_in(col, value_set=known[0])
            if not pos.null_count:
                return known[1][pos.to_numpy()]
        enc = col.dictionary_encode().combine_chunks()
        codes, bad = column_codes(enc.dictionary, factor)
        if bad:
            return None
        digits = codes.astype(np.int64) + 1
        self._known[factor] = (enc.dictionary, digits)
        return digits[enc.indices.to_numpy()]

    def os_determinate(self, index: np.ndarray) -> int:
        """Rows of a batch (its :meth:`codes`) with a determinate OS group."""
        return int(self._os_det[index].sum())

    def rows(self, table, index: np.ndarray) -> list:
        """The batch's rows as text, in pieces (bytes-like, in order): Arrow writes the input's cells, and
        Arrow joins each row to its output cells.

        The rows are cut out of Arrow's text without copying: piece ``i`` runs
        from the line break before row ``i`` to the one ending it (the first
        from the start), so joining it to row ``i``'s output cells and adding a
        last line break gives the rows in order. A batch with a line break in a
        value (the rows cannot be told apart in the text) is written the
        data-frame way instead, to the same bytes.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        body = _csv_buffer(table, self.sep)
        breaks = np.flatnonzero(np.frombuffer(body, np.uint8) == 10)
        if len(breaks) != table.num_rows:
            buf = io.BytesIO()
            scored = score_table(table.to_pandas(types_mapper=pd.ArrowDtype), missing_columns=self.missing_columns)
            write_csv(scored, buf, self.sep, formula_guard=self.formula_guard)
            return [buf.getvalue().split(b"\n", 1)[1]]
        offsets = np.empty(len(breaks) + 1, np.int32)
        offsets[0], offsets[1:] = 0, breaks
        lines = pa.Array.from_buffers(pa.binary(), len(breaks), [None, pa.py_buffer(offsets), body])
        joined = pc.binary_join_element_wise(lines, self._cells.take(pa.array(index)), b"")
        _, offs, values = joined.buffers()
        first, end = np.frombuffer(offs, np.int32, len(joined) + 1, 4 * joined.offset)[[0, -1]]
        return [values[int(first):int(end)], b"\n"]


def _csv_buffer(table, sep: str, *, header: bool = False):
    """``table`` as Arrow's CSV writer writes it in :func:`venprs.io.write_csv` (text quoted): a ``pyarrow.Buffer``."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    sink = pa.BufferOutputStream()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=header, delimiter=sep, quoting_style="needed"))
    return sink.getvalue()


def score_file(input: str | os.PathLike, output: str | os.PathLike, *, missing_columns: str = "error",
               formula_guard: bool = True, stream: TableStream | None = None,
               progress: Callable[[int, int], None] | None = None) -> tuple[int, int, str]:
    """Score a CSV/TSV or Parquet file batch by batch into a CSV/TSV or Parquet file (memory independent of rows).

    Each batch is scored exactly as :func:`score_table` scores the whole table
    and written at once into the temporary file of
    :func:`venprs.io.atomic_write`; the output bytes are those of
    ``write_table(score_table(read_table(input)), output)`` (Parquet: one row
    group per batch). Bad values are collected over every batch, with the
    file's row numbers, and raised together at the end; then no output exists.
    CSV/TSV batches going to CSV/TSV are mostly written as text without a data
    frame (:class:`_ScoredText`), to the same bytes.

    Parameters
    ----------
    input, output : path-like
    missing_columns : {"error", "unknown"}
        As in :func:`score_table`.
    formula_guard : bool
        As in :func:`venprs.io.write_table`.
    stream : venprs.io.TableStream, optional
        The reader (its batch sizes); default ``TableStream(input)``.
    progress : callable, optional
        ``progress(done, total)`` after each batch (:meth:`venprs.io.TableStream.progress`: bytes of the
        file, or Parquet rows).

    Returns
    -------
    (rows, os_determinate, description)
        Rows scored, rows with a determinate OS group, and how the file was read.

    Raises
    ------
    venprs.io.NotStreamable
        The file needs :func:`venprs.io.read_table` (read it whole); nothing was written.
    InputError
        As :func:`score_table`; :class:`~venprs.errors.InputErrors` carries every bad cell of the file.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622, Table 4.
    """
    src = stream if stream is not None else TableStream(input)
    kind = file_kind(Path(output))
    problems: list[Problem] = []
    n_det = 0
    text: _ScoredText | None = None
    with atomic_write(output) as tmp, BatchWriter(tmp, kind, formula_guard=formula_guard) as writer:
        if src.kind == "parquet" or kind == "parquet":  # batches as data frames
            for df, offset in src:
                n_det += _score_batch(df, offset, writer, problems, missing_columns)
                if progress is not None:
                    progress(*src.progress())
        else:
            for table, offset in src.tables():
                if text is None:  # the column names are known from the first batch
                    text = _ScoredText(src.names, "\t" if kind == "tsv" else ",", missing_columns=missing_columns,
                                       formula_guard=formula_guard)
                index = text.codes(table)
                if index is None:
                    n_det += _score_batch(src.frame(table, offset), offset, writer, problems, missing_columns)
                elif not problems:
                    writer.write_text(text.header, functools.partial(text.rows, table, index))
                    n_det += text.os_determinate(index)
                if progress is not None:
                    progress(*src.progress())
        if problems:
            if not src.simple_rows():  # blank lines or line breaks in values: read_table maps the rows
                raise NotStreamable(str(input))
            raise InputErrors(problems, file=src.info.label if src.info else str(input))
    return src.rows, n_det, src.describe()
