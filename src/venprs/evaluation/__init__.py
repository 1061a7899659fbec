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

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from ..model import ENDPOINTS, GROUPS, load_model
from ..scoring import FACTORS, codes_from_table, score_table
from ..survival import kaplan_meier, logrank
from ..survival.cox import fast_cox
from .aic import aic_delta
from .calibration import (
    DEFAULT_TRAIN_FRACTION,
    PAPER_HORIZON,
    PAPER_SPLITS,
    TIME_COLUMNS,
    calibrate,
    landmark_calibration,
    prepare,
)
from .comparators import CustomScore, classify_all
from .derivation import groups_of_units, hundredths
from .discrimination import Discrimination, discrimination

__all__ = ["evaluate", "evaluate_calibration", "evaluate_discrimination", "evaluate_comparators",
           "calibration_endpoints", "discrimination_sample", "DiscriminationSample", "too_few", "outcome",
           "MIN_PATIENTS", "derived_groups", "published_groups", "calibrate", "discrimination", "aic_delta",
           "apparent_landmark_calibration"]


def published_groups(scored: pd.DataFrame, endpoint: str) -> np.ndarray:
    """``<ep>_group`` of :func:`venprs.score_table` as an object array, ``""`` where not determinate.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`venprs.score_table` (with the column ``<endpoint>_group``).
    endpoint : {"os", "efs"}
        The endpoint.

    Returns
    -------
    numpy.ndarray of object
        The published VEN-PRS group per row (``"favorable"``, ``"intermediate"``, ``"adverse"``),
        ``""`` where the group is missing (not determinate).
    """
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
             train_fraction: float = DEFAULT_TRAIN_FRACTION, horizon: float = PAPER_HORIZON, n_boot: int = 200,
             custom: Iterable[CustomScore] = (), n_jobs: int = 1, backend: str = "joblib",
             scheduler: str | None = None, policy: str = "keep", rare_factors: str = "r") -> dict[str, Any]:
    """All evaluation sections for one cohort (JSON-ready), as the analysis report computes them.

    Runs :func:`evaluate_calibration`, :func:`evaluate_discrimination` and :func:`evaluate_comparators`
    (the functions the report sections call). An endpoint with too few patients for calibration or
    discrimination (:func:`too_few`) gets ``{"skipped": reason}`` in that section.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with the factor, time and event columns (and any comparator inputs).
    splits, seed, train_fraction, horizon, policy, rare_factors
        As :func:`venprs.evaluation.calibration.calibrate`; ``seed`` also seeds the bootstrap.
    n_boot : int
        Bootstrap resamples of the discrimination CIs (0: none).
    custom : iterable of CustomScore
        User-defined scores compared beside the built-in classifications.
    n_jobs, backend, scheduler
        Where the calibration splits and the bootstrap run (:func:`venprs.resampling.map_replicates`).

    Returns
    -------
    dict
        ``calibration``, ``discrimination``, ``aic``, ``comparators`` and ``landmark_calibration``,
        each keyed by endpoint (``docs/evaluation.md``).
    """
    run: dict[str, Any] = {"backend": backend, "n_jobs": n_jobs, "scheduler": scheduler}
    sc = score_table(df, missing_columns="unknown")
    eps, skipped = calibration_endpoints(df, horizon)
    cal = evaluate_calibration(df, eps, splits=splits, seed=seed, train_fraction=train_fraction, horizon=horizon,
                               policy=policy, rare_factors=rare_factors, **run)
    out: dict[str, Any] = {"calibration": cal["calibration"], "discrimination": {}, "aic": {}, "comparators": {},
                           "landmark_calibration": cal["landmark_calibration"]}
    for s in skipped:
        ep = s["analysis"].split(".")[-1]
        out["calibration"][ep] = out["landmark_calibration"][ep] = {"skipped": s["reason"]}
    for ep in ENDPOINTS:
        sample = discrimination_sample(df, ep, horizon, scored=sc)
        out["discrimination"][ep] = ({"skipped": sample.skipped} if sample.skipped else
                                     evaluate_discrimination(sample, horizon, n_boot=n_boot, seed=seed,
                                                             **run)[0])
        cmp = evaluate_comparators(df, ep, custom, rare_factors, scored=sc)
        out["aic"][ep], out["comparators"][ep] = cmp["aic"], cmp["comparators"]
    return out


def outcome(df: pd.DataFrame, ep: str) -> tuple[np.ndarray, np.ndarray]:
    """Time and event of endpoint ``ep`` as float arrays (NaN where missing or not a number).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with the endpoint's time and event columns.
    ep : {"os", "efs"}
        The endpoint.

    Returns
    -------
    time, event : numpy.ndarray
    """
    tcol, ecol = TIME_COLUMNS[ep]
    return (pd.to_numeric(df[tcol], errors="coerce").to_numpy(float),
            pd.to_numeric(df[ecol], errors="coerce").to_numpy(float))


#: Fewest complete patients for discrimination and calibration (fewer: skipped with the reason).
MIN_PATIENTS = 20


def too_few(n: int, events: int, horizon: float, t) -> str | None:
    """Reason to skip discrimination or calibration on ``n`` complete patients, or ``None``.

    Parameters
    ----------
    n : int
        Patients with every factor known and an outcome.
    events : int
        Events among them.
    horizon : float
        Horizon in months; some patient must be followed beyond it.
    t : array-like
        Their follow-up times (months).

    Returns
    -------
    str or None
        The reason, or ``None`` when the analysis can run.
    """
    if n < MIN_PATIENTS or events < 2:
        return (f"{n} patient(s) with every factor known and an outcome ({events} event(s)); at least "
                f"{MIN_PATIENTS} patients and 2 events are needed")
    if not (np.asarray(t) > horizon).any():
        return f"no patient followed beyond {horizon:g} months"
    return None


@dataclass
class DiscriminationSample:
    """Complete cases of one endpoint for discrimination: time, event, published score; skip reason."""

    time: np.ndarray
    event: np.ndarray
    score: np.ndarray
    skipped: str | None

    @property
    def n(self) -> int:
        """Number of complete patients."""
        return len(self.time)


def discrimination_sample(df: pd.DataFrame, ep: str, horizon: float = PAPER_HORIZON,
                          scored: pd.DataFrame | None = None) -> DiscriminationSample:
    """The patients with an outcome and a published VEN-PRS score, and whether there are enough.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table.
    ep : {"os", "efs"}
        The endpoint.
    horizon : float
        Horizon in months (:func:`too_few`).
    scored : pandas.DataFrame, optional
        ``score_table(df, missing_columns="unknown")`` if already computed.

    Returns
    -------
    DiscriminationSample
    """
    sc = score_table(df, missing_columns="unknown") if scored is None else scored
    t, e = outcome(df, ep)
    s = sc[f"{ep}_score"].to_numpy(float)
    ok = np.isfinite(t) & np.isfinite(e) & np.isfinite(s)
    return DiscriminationSample(t[ok], e[ok], s[ok], too_few(int(ok.sum()), int(np.nansum(e[ok])), horizon, t[ok]))


def evaluate_discrimination(sample: DiscriminationSample, horizon: float = PAPER_HORIZON, *, n_boot: int = 200,
                            seed: int = 1, backend: str = "joblib", n_jobs: int = 1, scheduler: str | None = None,
                            progress: Callable[[int], None] | None = None) -> tuple[dict[str, Any], Discrimination]:
    """Discrimination of the published VEN-PRS score (time-dependent AUC, Harrell's and Uno's C).

    Parameters
    ----------
    sample : DiscriminationSample
        From :func:`discrimination_sample` (not skipped).
    horizon : float
        Horizon of the AUC in months.
    n_boot, seed : int
        Bootstrap resamples of the CIs and their seed.
    backend, n_jobs, scheduler, progress
        Where the bootstrap runs, as for calibration (:func:`venprs.resampling.map_replicates`).

    Returns
    -------
    results : dict
        JSON-ready (``Discrimination.to_dict()`` with ``marker``).
    discrimination : Discrimination
        :func:`venprs.evaluation.discrimination.discrimination`'s result (with the ROC curves).
    """
    d = discrimination(sample.time, sample.event, sample.score, horizon, n_boot=n_boot, seed=seed,
                       backend=backend, n_jobs=n_jobs, scheduler=scheduler, progress=progress)
    r = d.to_dict()
    r["marker"] = "published VEN-PRS score"
    return r, d


def calibration_endpoints(df: pd.DataFrame, horizon: float = PAPER_HORIZON) -> tuple[list[str], list[dict]]:
    """Endpoints with enough complete patients for calibration, and the skipped ones with the reason.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table.
    horizon : float
        Horizon in months (:func:`too_few`).

    Returns
    -------
    endpoints : list of str
    skipped : list of dict
        ``{"analysis": "calibration.<ep>", "reason": ...}`` per skipped endpoint.
    """
    eps, skipped = [], []
    for ep in ENDPOINTS:
        d = prepare(df, ep)
        why = too_few(len(d.time), int(d.event.sum()), horizon, d.time)
        if why:
            skipped.append({"analysis": f"calibration.{ep}", "reason": why})
        else:
            eps.append(ep)
    return eps, skipped


def evaluate_calibration(df: pd.DataFrame, endpoints: Iterable[str], *, splits: int = PAPER_SPLITS, seed: int = 1,
                         train_fraction: float = DEFAULT_TRAIN_FRACTION, horizon: float = PAPER_HORIZON,
                         policy: str = "keep", rare_factors: str = "r", backend: str = "joblib", n_jobs: int = 1,
                         scheduler: str | None = None,
                         progress: Callable[[int], None] | None = None) -> dict[str, dict[str, Any]]:
    """Calibration over random splits and apparent landmark calibration of ``endpoints``.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table.
    endpoints : iterable of str
        Endpoints to calibrate (:func:`calibration_endpoints`).
    splits, seed, train_fraction, horizon, policy, rare_factors, backend, n_jobs, scheduler, progress
        As :func:`venprs.evaluation.calibration.calibrate`.

    Returns
    -------
    dict
        ``calibration`` (per endpoint, with the landmark ICI/E50/E90 under ``landmark``) and
        ``landmark_calibration`` (per endpoint, :func:`apparent_landmark_calibration`).
    """
    eps = tuple(endpoints)
    if not eps:
        return {"calibration": {}, "landmark_calibration": {}}
    cal = calibrate(df, endpoints=eps, splits=splits, seed=seed, train_fraction=train_fraction, horizon=horizon,
                    policy=policy, rare_factors=rare_factors, backend=backend, n_jobs=n_jobs, scheduler=scheduler,
                    progress=progress)
    lm_res = {}
    for ep in cal:
        lm = apparent_landmark_calibration(df, ep, horizon, rare_factors)
        lm_res[ep] = lm
        cal[ep]["landmark"] = {k: lm[k] for k in ("ici", "e50", "e90", "n", "notes", "method", "model")}
    return {"calibration": cal, "landmark_calibration": lm_res}


def evaluate_comparators(df: pd.DataFrame, ep: str, custom: Iterable[CustomScore] = (), rare_factors: str = "r",
                         scored: pd.DataFrame | None = None) -> dict[str, Any]:
    """AIC against the null model, Kaplan-Meier medians and log-rank test of every classification.

    The classifications: the published VEN-PRS groups, the groups of the score re-derived on ``df``
    (:func:`derived_groups`), the built-in comparators and ``custom`` scores
    (:func:`venprs.evaluation.comparators.classify_all`).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table (with any comparator input columns).
    ep : {"os", "efs"}
        The endpoint.
    custom : iterable of CustomScore
        User-defined scores.
    rare_factors : {"r", "drop"}
        Cox policy of the re-derivation (:func:`venprs.survival.cox.fast_cox`).
    scored : pandas.DataFrame, optional
        ``score_table(df, missing_columns="unknown")`` if already computed.

    Returns
    -------
    dict
        ``aic`` (per classification, :func:`venprs.evaluation.aic.aic_delta`; ``venprs_derived`` adds
        ``coefficients``), ``comparators`` (per classification: label, counts, ``groups`` with n and KM
        median and CI, ``logrank_p`` when two or more groups are present, ``skipped``) and ``flags``
        (flagged Cox fits of the re-derivation).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results, "Comparison of VEN-PRS to other AML
       risk models").
    """
    sc = score_table(df, missing_columns="unknown") if scored is None else scored
    t, e = outcome(df, ep)
    classes: dict[str, tuple[str, Any, list[str], Any]] = {
        "venprs": ("VEN-PRS (published)", published_groups(sc, ep), list(GROUPS), None)}
    dg, info = derived_groups(df, ep, rare_factors)
    classes["venprs_derived"] = ("VEN-PRS (re-derived)", dg, list(GROUPS), None)
    for name, c in classify_all(df, ep, list(custom)).items():
        classes[name] = (c.label, c.groups, list(c.levels), c)
    aic_ep: dict[str, Any] = {}
    cmp_ep: dict[str, Any] = {}
    for name, (label, groups, levels, c) in classes.items():
        if c is not None and c.skipped is not None:
            aic_ep[name] = {"delta": None, "skipped": c.skipped}
            cmp_ep[name] = c.summary()
            continue
        a = aic_delta(groups, t, e, levels)
        if name == "venprs_derived":
            a["coefficients"] = info["coefficients"]
        aic_ep[name] = a
        g = pd.Series(groups).fillna("").astype(str).to_numpy()
        ok = (g != "") & np.isfinite(t) & np.isfinite(e)
        summary: dict[str, Any] = c.summary() if c is not None else {"label": label}
        summary["groups"] = {}
        for lv in levels:
            m = ok & (g == lv)
            if m.any():
                km = kaplan_meier(t[m], e[m])
                summary["groups"][lv] = {"n": int(m.sum()), "median": km.median, "ci": list(km.ci)}
        if len(summary["groups"]) >= 2:
            summary["logrank_p"] = float(logrank(t[ok], e[ok], g[ok])[2])
        cmp_ep[name] = summary
    return {"aic": aic_ep, "comparators": cmp_ep, "flags": info.get("flags", [])}


def apparent_landmark_calibration(df: pd.DataFrame, ep: str, horizon: float = PAPER_HORIZON,
                                  rare_factors: str = "r") -> dict[str, Any]:
    """Landmark calibration (ICI/E50/E90) of the VEN-PRS Cox model refitted on the whole cohort.

    Uses the patients with every factor of the endpoint's model known and a
    complete outcome; the Cox model with the endpoint's VEN-PRS factors is fitted
    on them (:func:`venprs.survival.cox.fast_cox`) and its predicted survival at
    ``horizon`` is assessed on the same patients (apparent calibration) by
    :func:`venprs.evaluation.calibration.landmark_calibration`.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort with the endpoint's factors, time and event.
    ep : {"os", "efs"}
        Endpoint whose model is refitted.
    horizon : float
        Landmark time in months (paper: 10).
    rare_factors : {"r", "drop"}
        Cox policy for rare or monotone factors (:func:`venprs.survival.cox.fast_cox`).

    Returns
    -------
    dict
        The result of :func:`venprs.evaluation.calibration.landmark_calibration` with ``model``
        (a description of the fitted model) and ``flags`` (flagged factors of the Cox fit).

    References
    ----------
    .. [1] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and the integrated
       calibration index (ICI) for survival models. Stat Med. 2020;39:2714-2742.
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
