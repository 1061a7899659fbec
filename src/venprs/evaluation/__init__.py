"""The paper's analyses on any cohort.

Cohort analysis I (derivation: tables, Kaplan-Meier, Cox, the score) lives in
:mod:`venprs.evaluation.cohort` and :mod:`venprs.evaluation.derivation`. Cohort
analysis II (this module and its siblings): calibration, discrimination, AIC
against the null model, comparator classifications and external validation.

:func:`evaluate` runs everything on one cohort and returns the results.json
sections ``calibration``, ``discrimination``, ``aic``, ``comparators`` and
``landmark_calibration`` (documented in ``docs/evaluation.md``);
:func:`venprs.evaluation.validation.validate` adds ``validation``.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods, Results "Comparison of
   VEN-PRS to other AML risk models"; Supplementary Figs. S11-S16).
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..model import ENDPOINTS, GROUPS, load_model
from ..scoring import FACTORS, codes_from_table, score_table
from ..survival.cox import fast_cox
from .aic import aic_delta
from .calibration import (
    DEFAULT_TRAIN_FRACTION,
    PAPER_HORIZON,
    PAPER_SPLITS,
    TIME_COLUMNS,
    calibrate,
    landmark_calibration,
)
from .comparators import CustomScore, classify_all
from .derivation import groups_of_units, hundredths
from .discrimination import discrimination

__all__ = ["evaluate", "derived_groups", "published_groups", "calibrate", "discrimination", "aic_delta",
           "apparent_landmark_calibration"]


def published_groups(scored: pd.DataFrame, endpoint: str) -> np.ndarray:
    """``<ep>_group`` of :func:`venprs.score_table` as an object array, ``""`` where not determinate."""
    return scored[f"{endpoint}_group"].astype(object).fillna("").to_numpy(object)


def derived_groups(df: pd.DataFrame, endpoint: str, rare_factors: str = "r") -> tuple[pd.Series, dict]:
    """Groups of the score re-derived on ``df`` (its own Cox coefficients, the published cut-points).

    The Cox model is fitted on the complete cases; its coefficients in hundredths
    (:func:`venprs.evaluation.derivation.hundredths`) then classify every patient with an
    outcome by the one grouping rule (:func:`venprs.evaluation.derivation.groups_of_units`):
    a patient with unknown factors gets a group only when every completion gives the same one.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with the factor, time and event columns.
    endpoint : {"os", "efs"}
        The endpoint.
    rare_factors : {"r", "drop"}
        Cox policy for rare or monotone factors (:func:`venprs.survival.cox.fast_cox`).

    Returns
    -------
    groups : pandas.Series of str
        Group per row, ``""`` where not classified (open range or no outcome).
    info : dict
        ``coefficients`` (per factor, in score units), ``dropped`` and ``flags`` of the fit.
    """
    m = load_model()
    factors = m.endpoints[endpoint].factors
    codes = codes_from_table(df, missing_columns="unknown")
    idx = [FACTORS.index(f) for f in factors]
    tcol, ecol = TIME_COLUMNS[endpoint]
    t = pd.to_numeric(df[tcol], errors="coerce").to_numpy(float)
    e = pd.to_numeric(df[ecol], errors="coerce").to_numpy(float)
    X = np.where(codes[:, idx] >= 0, codes[:, idx], np.nan).astype(float)
    outcome = np.isfinite(t) & np.isfinite(e)
    ok = ~np.isnan(X).any(axis=1) & outcome
    out = pd.Series("", index=df.index, dtype=object)
    try:
        fit = fast_cox(X[ok], t[ok], e[ok].astype(int), rare_factors=rare_factors)
    except ValueError as err:
        return out, {"coefficients": {}, "dropped": list(factors), "note": str(err), "flags": []}
    units = np.array([hundredths(b) for b in fit.coef], dtype=np.int64)
    grp, _ = groups_of_units(X, units)
    out.iloc[np.flatnonzero(outcome)] = grp[outcome]
    info = {"coefficients": {f: float(units[i]) / m.scale for i, f in enumerate(factors)},
            "dropped": [factors[j] for j in fit.dropped],
            "flags": fit.flagged(factors)}
    return out, info


def evaluate(df: pd.DataFrame, *, splits: int = PAPER_SPLITS, seed: int = 1,
             train_fraction: float = DEFAULT_TRAIN_FRACTION, horizon: float = PAPER_HORIZON, n_boot: int = 200, custom: Iterable[CustomScore] = (), n_jobs: int = 1,
             backend: str = "joblib", scheduler: str | None = None, policy: str = "keep",
             rare_factors: str = "r") -> dict[str, Any]:
    """All evaluation sections for one cohort (JSON-ready); ``rare_factors`` as :func:`calibrate`."""
    custom = list(custom)
    sc = score_table(df, missing_columns="unknown")
    out: dict[str, Any] = {"calibration": calibrate(df, splits=splits, seed=seed, train_fraction=train_fraction,
                                                    horizon=horizon, n_jobs=n_jobs, backend=backend,
                                                    scheduler=scheduler, policy=policy,
                                                    rare_factors=rare_factors),
                           "discrimination": {}, "aic": {}, "comparators": {}, "landmark_calibration": {}}
    for ep in ENDPOINTS:
        tcol, ecol = TIME_COLUMNS[ep]
        t = pd.to_numeric(df[tcol], errors="coerce").to_numpy(float)
        e = pd.to_numeric(df[ecol], errors="coerce").to_numpy(float)
        s = sc[f"{ep}_score"].to_numpy(float)
        ok = np.isfinite(t) & np.isfinite(e) & np.isfinite(s)
        out["discrimination"][ep] = discrimination(t[ok], e[ok], s[ok], horizon, n_boot=n_boot, seed=seed).to_dict()
        out["discrimination"][ep]["marker"] = "published VEN-PRS score"
        out["landmark_calibration"][ep] = apparent_landmark_calibration(df, ep, horizon, rare_factors)
        aic: dict[str, Any] = {}
        aic["venprs"] = aic_delta(published_groups(sc, ep), t, e, list(GROUPS))
        dg, info = derived_groups(df, ep, rare_factors)
        aic["venprs_derived"] = aic_delta(dg, t, e, list(GROUPS))
        aic["venprs_derived"]["coefficients"] = info["coefficients"]
        comps = classify_all(df, ep, custom)
        summaries = {}
        for name, c in comps.items():
            summaries[name] = c.summary()
            if c.skipped is not None:
                aic[name] = {"delta": None, "skipped": c.skipped}
            else:
                aic[name] = aic_delta(c.groups, t, e, list(c.levels))
        out["aic"][ep] = aic
        out["comparators"][ep] = summaries
    return out


def apparent_landmark_calibration(df: pd.DataFrame, ep: str, horizon: float = PAPER_HORIZON,
                                  rare_factors: str = "r") -> dict[str, Any]:
    """Landmark calibration (ICI/E50/E90) of the VEN-PRS Cox model refitted on the whole cohort.

    Uses the patients with every factor of the endpoint's model known and a
    complete outcome; see :func:`venprs.evaluation.calibration.landmark_calibration`.
    """
    tcol, ecol = TIME_COLUMNS[ep]
    t = pd.to_numeric(df[tcol], errors="coerce").to_numpy(float)
    e = pd.to_numeric(df[ecol], errors="coerce").to_numpy(float)
    X = _factor_matrix(df, ep)
    ok = np.isfinite(t) & np.isfinite(e) & (X >= 0).all(axis=1)
    fit = fast_cox(X[ok], t[ok], e[ok].astype(int), rare_factors=rare_factors)
    lm = landmark_calibration(t[ok], e[ok], fit.survival_at(X[ok], horizon), horizon)
    lm["model"] = "VEN-PRS factors refitted on the whole cohort (apparent calibration)"
    lm["flags"] = fit.flagged(load_model().endpoints[ep].factors)
    return lm


def _factor_matrix(df: pd.DataFrame, ep: str) -> np.ndarray:
    m = load_model()
    codes = codes_from_table(df, missing_columns="unknown")
    idx = [FACTORS.index(f) for f in m.endpoints[ep].factors]
    return codes[:, idx].astype(float)
