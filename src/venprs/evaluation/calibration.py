"""Calibration of the VEN-PRS Cox model over random train/test splits, and landmark calibration.

The paper's procedure (Methods, "Statistical analysis"; Supplementary Fig. S11):
200 random splits of the 174 patients into 100 training and 74 test patients;
the Cox model with the VEN-PRS factors (OS: 7, EFS: 6 without TP53) is refitted
on the training part; the 10-month survival of each test patient is predicted,
and the mean predicted survival of each published VEN-PRS risk group is
compared with the group's observed (Kaplan-Meier) 10-month survival in the test
part. For other cohort sizes the training fraction 100/174 is kept
(``train_fraction``).

Choices (stated, tested):

- Patients are those with every factor of the endpoint's model known and a
  time and event (complete cases; the rest are counted). Risk groups are the
  published VEN-PRS groups (:func:`venprs.scoring.score_codes`).
- The refit is an Efron Cox model (:func:`venprs.survival.cox.fast_cox`, venprs'
  one Cox engine, checked against R's ``coxph`` and lifelines); predicted survival is
  ``S0(t)^exp(lp)`` with the Efron-adjusted baseline (R's ``survfit.coxph``
  default after an Efron fit), as a step function.
- Rare factors (``rare_factors``, the policy of the whole analysis): with ``"r"``
  (default) each split's fit is R's ``coxph`` with its default control, so a factor
  without carriers in the training part gets no coefficient (R: NA, 0 in the
  linear predictor, as R's ``survfit``/``predict`` use it), a monotone one keeps its
  large estimate (R: "may be infinite"), and a fit stopped by R's 20-iteration
  limit is R's. With ``"drop"`` (venprs 0.1) such a factor is dropped from that
  split's fit and the model refitted. Every flagged split is listed (``flagged``:
  split, factor, flag, R's message where R gives one) and counted in
  ``failed_splits``; ``policy="exclude"`` leaves such splits out of the summary
  (``"keep"``, default, keeps them). A split whose training part has no event is
  always excluded and counted.
- :func:`split_indices` gives each split's training rows (``venprs calibrate
  --save-splits``), so that ``tests/r/calibration_replay.R`` can replay them in R.
- Observed survival is the Kaplan-Meier estimate at the horizon; it is missing
  in a split where the group's last test patient is censored before the
  horizon, or the group has no test patient.
- Per group, ``predicted`` and ``observed`` are means over the splits;
  ``*_ci`` are the 2.5 and 97.5 percentiles over the splits (the spread of
  the split-to-split estimates); ``observed_full`` is the Kaplan-Meier estimate
  in the whole cohort with its 95% CI (log transform, R's default).
- Splits are generated from ``numpy.random.SeedSequence(seed).spawn(splits)``,
  one stream per split, so results do not depend on the backend, the number of
  workers or the chunking.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods; Supplementary Fig. S11).
.. [2] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and
   the integrated calibration index (ICI) for survival models. Stat Med.
   2020;39:2714-2742 (ICI, E50, E90 at a landmark time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..model import ENDPOINTS, GROUPS, calibration_protocol, load_model
from ..resampling import map_replicates, replicate_seeds
from ..scoring import FACTORS, codes_from_table, score_codes
from ..survival import kaplan_meier
from ..survival.cox import fast_cox

__all__ = ["CalibrationData", "prepare", "calibrate", "landmark_calibration", "km_at", "DEFAULT_TRAIN_FRACTION",
           "split_indices", "SPLITS_FORMAT"]

#: Identifier of the file written by ``venprs calibrate --save-splits`` (see docs/evaluation.md).
SPLITS_FORMAT = "venprs.calibration_splits/1"
#: What to do with a split whose fit is flagged: keep it in the summary, or leave it out.
#: ``"drop_factor"`` is the former name of ``"keep"`` (accepted).
SPLIT_POLICIES = ("keep", "exclude", "drop_factor")

#: The paper's protocol (model file): 200 splits, 100 training patients of 174, 10 months (Methods).
PAPER_SPLITS, DEFAULT_TRAIN_FRACTION, PAPER_HORIZON = calibration_protocol()
TIME_COLUMNS = {"os": ("os_months", "os_event"), "efs": ("efs_months", "efs_event")}


def km_at(time: np.ndarray, event: np.ndarray, horizon: float) -> float:
    """Kaplan-Meier survival at ``horizon`` (step function); NaN if not estimable there.

    Not estimable: no patient, or the last follow-up is a censoring before the
    horizon with survival still above 0 (R ``summary(survfit, times, extend = FALSE)``
    gives no row then). When the last follow-up before the horizon is an event that
    takes the curve to 0, venprs gives 0 (the estimate is 0 from then on) where R's
    ``extend = FALSE`` gives no row either (``tests/test_awkward_cohorts.py``).
    Checked against :func:`venprs.survival.kaplan_meier`.

    Parameters
    ----------
    time : numpy.ndarray
        Follow-up times (any unit, the unit of ``horizon``).
    event : numpy.ndarray
        Event indicators (1 event, 0 censored), same length as ``time``.
    horizon : float
        Time at which the survival is read; events at exactly ``horizon`` count.

    Returns
    -------
    float
        The Kaplan-Meier estimate at ``horizon``, or NaN.
    """
    if len(time) == 0:
        return float("nan")
    order = np.argsort(time, kind="stable")
    t, e = time[order], event[order]
    s = 1.0
    n = len(t)
    uniq, first, counts = np.unique(t, return_index=True, return_counts=True)
    for u, f, c in zip(uniq, first, counts):
        if u > horizon:
            break
        d = e[f:f + c].sum()
        if d:
            s *= 1.0 - d / (n - f)
    if t[-1] < horizon and s > 0:
        return float("nan")
    return float(s)


@dataclass
class CalibrationData:
    """Complete-case arrays for one endpoint."""

    endpoint: str
    factors: tuple[str, ...]
    X: np.ndarray
    time: np.ndarray
    event: np.ndarray
    group: np.ndarray  # 0 favorable, 1 intermediate, 2 adverse
    n_excluded: int
    rows: np.ndarray | None = None  # 0-based positions of these patients in the input table


def prepare(df: pd.DataFrame, endpoint: str) -> CalibrationData:
    """Complete-case covariates, outcome and published group for ``endpoint``.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort with the seven factor columns and the endpoint's time and event columns
        (``os_months, os_event`` or ``efs_months, efs_event``).
    endpoint : {"os", "efs"}
        The endpoint; its model's factors are those of the model file.

    Returns
    -------
    CalibrationData
        The patients with every factor of the endpoint known and a time and event: factor codes
        (``X``), ``time``, ``event``, published VEN-PRS group (0 favorable, 1 intermediate,
        2 adverse), their 0-based ``rows`` in ``df`` and the number of other patients
        (``n_excluded``).

    Raises
    ------
    InputError
        Missing time/event columns, or invalid times/events (naming the row).
    """
    tcol, ecol = TIME_COLUMNS[endpoint]
    for c in (tcol, ecol):
        if c not in df.columns:
            raise InputError(f"no column {c!r} (needed for {endpoint.upper()} calibration)", column=c)
    codes = codes_from_table(df, missing_columns="error")
    model = load_model()
    factors = model.endpoints[endpoint].factors
    idx = [FACTORS.index(f) for f in factors]
    t = pd.to_numeric(df[tcol], errors="coerce").to_numpy(float)
    e = pd.to_numeric(df[ecol], errors="coerce").to_numpy(float)
    bad = np.flatnonzero((~np.isnan(t) & (t < 0)) | (~np.isnan(e) & ~np.isin(e, (0, 1))))
    if len(bad):
        i = int(bad[0])
        raise InputError("time must be >= 0 and event 0 or 1", row=i + 1, column=tcol if t[i] < 0 else ecol,
                         value=df[tcol if t[i] < 0 else ecol].iloc[i])
    known = (codes[:, idx] >= 0).all(axis=1) & ~np.isnan(t) & ~np.isnan(e)
    r = score_codes(codes[known], endpoint)
    bits = r["possible"]
    group = np.select([bits == 1, bits == 2, bits == 4], [0, 1, 2], -1)
    return CalibrationData(endpoint, factors, codes[known][:, idx].astype(float), t[known], e[known].astype(int),
                           group, int((~known).sum()), np.flatnonzero(known))


def _permutation(seed_seq, n: int) -> np.ndarray:
    """The split's order of the complete cases: the first ``n_train`` are the training part."""
    return np.random.default_rng(seed_seq).permutation(n)


def _one_split(data: CalibrationData, seed_seq, n_train: int, horizon: float, policy: str, rare_factors: str = "r"):
    perm = _permutation(seed_seq, len(data.time))
    tr, te = perm[:n_train], perm[n_train:]
    out: dict[str, Any] = {"status": "ok", "dropped": [], "flags": [], "pred": [np.nan] * 3, "obs": [np.nan] * 3,
                           "n": [0] * 3}
    if data.event[tr].sum() == 0:
        out["status"] = "no_events"
        return out
    fit = fast_cox(data.X[tr], data.time[tr], data.event[tr], rare_factors=rare_factors)
    out["dropped"] = sorted(data.factors[j] for j in fit.dropped)
    out["flags"] = fit.flagged(data.factors)
    if out["flags"] and policy == "exclude":
        out["status"] = "excluded"
        return out
    pred = fit.survival_at(data.X[te], horizon, ctype=2)
    g = data.group[te]
    for k in range(3):
        m = g == k
        out["n"][k] = int(m.sum())
        if m.any():
            out["pred"][k] = float(pred[m].mean())
            out["obs"][k] = km_at(data.time[te][m], data.event[te][m], horizon)
    return out


def _run_chunk(data: CalibrationData, seeds: list, n_train: int, horizon: float, policy: str,
               rare_factors: str = "r") -> list:
    return [_one_split(data, s, n_train, horizon, policy, rare_factors) for s in seeds]


def run_splits(data: CalibrationData, *, splits: int, seed: int, n_train: int, horizon: float, policy: str,
               backend: str = "joblib", n_jobs: int = 1, scheduler: str | None = None, client=None,
               rare_factors: str = "r", progress=None) -> list:
    """Run every split (serially, on local cores or on Dask) and return the per-split results in split order.

    Split *k* uses its own stream ``SeedSequence(seed).spawn(splits)[k]`` (see
    :func:`venprs.resampling.map_replicates`), so every backend gives the same results.
    """
    return map_replicates(_run_chunk, data, replicate_seeds(seed, splits), backend=backend, n_jobs=n_jobs,
                          scheduler=scheduler, client=client, progress=progress, n_train=n_train,
                          horizon=horizon, policy=policy, rare_factors=rare_factors)


def _summarise(data: CalibrationData, results: list, horizon: float, policy: str,
               rare_factors: str = "r") -> dict[str, Any]:

    kept = [r for r in results if r["status"] == "ok"]
    dropped_counts: dict[str, int] = {}
    flag_counts: dict[str, dict[str, int]] = {}
    flagged = []
    for i, r in enumerate(results, start=1):
        for f in r["dropped"]:
            dropped_counts[f] = dropped_counts.get(f, 0) + 1
        for f in r["flags"]:
            by = flag_counts.setdefault(f["flag"], {})
            key = f["factor"] or "(whole fit)"
            by[key] = by.get(key, 0) + 1
            flagged.append({"split": i, **f})
    failed = sum(1 for r in results if r["status"] != "ok" or r["flags"])
    out: dict[str, Any] = {
        "horizon_months": horizon, "splits": len(results), "splits_used": len(kept),
        "failed_splits": failed,
        "failed_splits_detail": {
            "factor_dropped": sum(1 for r in results if r["dropped"]),
            "flagged": sum(1 for r in results if r["flags"]),
            "excluded_no_events": sum(1 for r in results if r["status"] == "no_events"),
            "excluded_by_policy": sum(1 for r in results if r["status"] == "excluded"),
            "dropped_factor_counts": dropped_counts,
            "flag_counts": flag_counts,
            "policy": policy,
        },
        "rare_factors": rare_factors,
        "flagged": flagged,
        "n": int(len(data.time)), "n_excluded_incomplete": data.n_excluded,
    }
    pred = np.array([r["pred"] for r in kept], float).reshape(-1, 3)
    obs = np.array([r["obs"] for r in kept], float).reshape(-1, 3)
    ntest = np.array([r["n"] for r in kept], float).reshape(-1, 3)

    def num(v):
        return None if v is None or not np.isfinite(v) else round(float(v), 6)

    for k, gname in enumerate(GROUPS):
        p, o = pred[:, k], obs[:, k]
        pf, of = p[np.isfinite(p)], o[np.isfinite(o)]
        m = data.group == k
        full = kaplan_meier(data.time[m], data.event[m]) if m.any() else None
        if full is not None and np.isfinite(km_at(data.time[m], data.event[m], horizon)):
            tab = full.table
            i = int(np.searchsorted(tab["time"].to_numpy(), horizon, side="right")) - 1
            fs = 1.0 if i < 0 else float(tab["surv"].iloc[i])
            flo = 1.0 if i < 0 else float(tab["lower"].iloc[i])
            fhi = 1.0 if i < 0 else float(tab["upper"].iloc[i])
        else:
            fs = flo = fhi = float("nan")
        out[gname] = {
            "predicted": num(pf.mean()) if len(pf) else None,
            "predicted_ci": [num(np.percentile(pf, 2.5)), num(np.percentile(pf, 97.5))] if len(pf) else [None, None],
            "observed": num(of.mean()) if len(of) else None,
            "observed_ci": [num(np.percentile(of, 2.5)), num(np.percentile(of, 97.5))] if len(of) else [None, None],
            "splits_with_observed": int(len(of)),
            "mean_test_n": num(ntest[:, k].mean()) if len(ntest) else None,
            "n_cohort": int(m.sum()),
            "observed_full": num(fs), "observed_full_ci": [num(flo), num(fhi)],
        }
    return out


def calibrate(df: pd.DataFrame, *, endpoints=ENDPOINTS, splits: int = PAPER_SPLITS, seed: int = 1,
              train_fraction: float = DEFAULT_TRAIN_FRACTION, horizon: float = PAPER_HORIZON, policy: str = "keep",
              backend: str = "joblib", n_jobs: int = 1, scheduler: str | None = None, client=None,
              return_splits: bool = False, rare_factors: str = "r", progress=None) -> dict[str, Any]:
    """Split-sample calibration of the refitted VEN-PRS Cox model (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort with the seven factor columns and ``os_months, os_event, efs_months, efs_event``.
    endpoints : endpoints to calibrate
    splits : number of random splits (paper: 200)
    seed : seed of the splits
    train_fraction : fraction of patients in the training part (paper: 100/174)
    horizon : months (paper: 10)
    policy : ``"keep"`` (default; former name ``"drop_factor"``) or ``"exclude"`` for splits whose fit is
        flagged (a factor without a coefficient, may be infinite, not converged)
    backend : ``"joblib"`` (local processes) or ``"dask"`` (a ``distributed`` scheduler)
    n_jobs : joblib workers (-1: all cores)
    scheduler : dask scheduler address (``tcp://host:8786``), with ``backend="dask"``
    client : an existing ``distributed.Client`` (instead of ``scheduler``)
    return_splits : also return the per-split results (key ``"splits_detail"``)
    rare_factors : ``"r"`` (default: each fit as R's ``coxph``) or ``"drop"`` (drop and refit);
        see :func:`venprs.survival.cox.fast_cox`
    progress : optional ``progress(done)`` called as splits finish (``done`` splits at a time)

    Returns
    -------
    dict
        ``{endpoint: {favorable: {predicted, observed, observed_ci, ...}, ..., failed_splits, ...}}``.
    """
    if policy not in SPLIT_POLICIES:
        raise InputError(f"policy must be 'keep' or 'exclude', not {policy!r}")
    if rare_factors not in ("r", "drop"):
        raise InputError(f"rare factors must be 'r' or 'drop', not {rare_factors!r}")
    if not 0 < train_fraction < 1:
        raise InputError(f"train fraction must be between 0 and 1, not {train_fraction}")
    if splits < 1:
        raise InputError(f"splits must be at least 1, not {splits}")
    out: dict[str, Any] = {}
    for ep in endpoints:
        data = prepare(df, ep)
        n = len(data.time)
        n_train = int(round(n * train_fraction))
        if n_train < 2 or n - n_train < 1:
            raise InputError(f"{ep.upper()}: {n} complete patients are too few for a train/test split")
        res = run_splits(data, splits=splits, seed=seed, n_train=n_train, horizon=horizon, policy=policy,
                         backend=backend, n_jobs=n_jobs, scheduler=scheduler, client=client,
                         rare_factors=rare_factors, progress=progress)
        summary = _summarise(data, res, horizon, policy, rare_factors)
        summary.update({"n_train": n_train, "n_test": n - n_train, "seed": seed})
        if return_splits:
            summary["splits_detail"] = res
        out[ep] = summary
    return out


def split_indices(df: pd.DataFrame, *, endpoints=ENDPOINTS, splits: int = PAPER_SPLITS, seed: int = 1,
                  train_fraction: float = DEFAULT_TRAIN_FRACTION, horizon: float = PAPER_HORIZON) -> dict[str, Any]:
    """The training rows of every split that :func:`calibrate` uses, JSON-ready (``--save-splits``).

    Rows are 1-based data-row numbers of ``df`` (row 1 = the first patient, as in the
    input file without its header). Per endpoint: the complete cases (``rows``), their
    published VEN-PRS group (``group``) and ``patient_id`` (if present), and for split
    *k* its training rows ``train[k - 1]`` in the order drawn (the test part is the
    other complete cases). Same arguments and streams as :func:`calibrate`.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort with the seven factor columns and ``os_months, os_event, efs_months, efs_event``.
    endpoints : iterable of str
        Endpoints (``"os"``, ``"efs"``) whose splits are listed.
    splits : int
        Number of random splits (paper: 200).
    seed : int
        Seed of the splits.
    train_fraction : float
        Fraction of the complete cases in the training part (paper: 100/174).
    horizon : float
        Horizon in months (paper: 10); only recorded in the output.

    Returns
    -------
    dict
        ``format`` (:data:`SPLITS_FORMAT`), ``seed``, ``splits``, ``train_fraction``,
        ``horizon_months`` and ``endpoints``: per endpoint ``factors``, ``time_column``,
        ``event_column``, ``n``, ``n_train``, ``rows``, ``group``, ``patient_id`` (if present)
        and ``train`` (one list of rows per split).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods; Supplementary Fig. S11).
    """
    seeds = replicate_seeds(seed, splits)
    out: dict[str, Any] = {"format": SPLITS_FORMAT, "seed": seed, "splits": splits,
                           "train_fraction": train_fraction, "horizon_months": horizon, "endpoints": {}}
    for ep in endpoints:
        data = prepare(df, ep)
        n = len(data.time)
        n_train = int(round(n * train_fraction))
        assert data.rows is not None  # prepare() records the input rows
        rows = data.rows + 1
        tcol, ecol = TIME_COLUMNS[ep]
        entry: dict[str, Any] = {"factors": list(data.factors), "time_column": tcol, "event_column": ecol,
                                 "n": n, "n_train": n_train, "rows": rows.tolist(),
                                 "group": [GROUPS[g] for g in data.group]}
        if "patient_id" in df.columns:
            entry["patient_id"] = [str(v) for v in df["patient_id"].iloc[data.rows]]
        entry["train"] = [rows[_permutation(s, n)[:n_train]].tolist() for s in seeds]
        out["endpoints"][ep] = entry
    return out


# ---------------------------------------------------------------------- landmark calibration

def _rcs_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Restricted cubic spline basis (Harrell's parametrisation, linear term first)."""
    k = len(knots)
    cols = [x]
    tk, tk1 = knots[-1], knots[-2]
    scale = (tk - knots[0]) ** 2
    for j in range(k - 2):
        tj = knots[j]
        term = (np.maximum(x - tj, 0) ** 3 - np.maximum(x - tk1, 0) ** 3 * (tk - tj) / (tk - tk1)
                + np.maximum(x - tk, 0) ** 3 * (tk1 - tj) / (tk - tk1))
        cols.append(term / scale)
    return np.column_stack(cols)


def landmark_calibration(time, event, predicted_survival, horizon: float = PAPER_HORIZON, knots: int = 3) -> dict:
    """ICI, E50 and E90 of predicted survival at a landmark time (Austin, Harrell & van Klaveren 2020).

    A Cox model of the outcome on a restricted cubic spline (``knots`` knots at
    the 10/50/90 percentiles) of ``log(-log(predicted survival))`` gives the
    smoothed observed survival at ``horizon``; ICI is the mean, E50 the median
    and E90 the 90th percentile of ``|predicted - observed|`` over the patients.
    With fewer distinct predictions than knots + 1 (a score with few values),
    the linear term alone is used (stated in ``notes``). Patients with a missing
    time or prediction are left out. A horizon after the last follow-up gives the
    values at the last follow-up and a note (R's ``summary(survfit(fit, newdata),
    times)`` stops there). The observed survival is computed on the log scale
    (:func:`venprs.survival.cox.predicted_survival`), which equals R's ``survfit``
    except after a diverging fit, where R's centred ``exp`` under- or overflows.

    Parameters
    ----------
    time : array-like of float
        Follow-up times (months).
    event : array-like of int
        Event indicators (1 event, 0 censored).
    predicted_survival : array-like of float
        Predicted survival probability at ``horizon`` per patient (clipped to
        ``[1e-9, 1 - 1e-9]``).
    horizon : float
        Landmark time in months (paper: 10).
    knots : int
        Number of spline knots: 3 at the 10/50/90 percentiles, otherwise equally
        spaced percentiles from 5 to 95.

    Returns
    -------
    dict
        ``horizon_months``, ``n``, ``ici``, ``e50``, ``e90``, ``notes``, ``method`` and
        ``curve`` with the points ``predicted`` and ``observed`` (one per distinct
        predicted value).

    References
    ----------
    .. [1] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and the integrated
       calibration index (ICI) for survival models. Stat Med. 2020;39:2714-2742.
    """
    t = np.asarray(time, float)
    e = np.asarray(event).astype(int)
    raw = np.asarray(predicted_survival, float)
    p = np.clip(raw, 1e-9, 1 - 1e-9)
    ok = np.isfinite(t) & np.isfinite(p)
    t, e, p = t[ok], e[ok], p[ok]
    cll = np.log(-np.log(p))
    notes = []
    n_clipped = int(((raw[ok] < 1e-9) | (raw[ok] > 1 - 1e-9)).sum())
    if n_clipped:
        # cloglog(0 or 1) is infinite: R's coxph stops ("data contains an infinite predictor")
        notes.append(f"{n_clipped} predicted survival value(s) 0 or 1 (within 1e-9) clipped to [1e-9, 1 - 1e-9] "
                     "(R's coxph refuses an infinite cloglog)")
    kn = np.unique(np.percentile(cll, [10, 50, 90] if knots == 3 else np.linspace(5, 95, knots)))
    if len(np.unique(cll)) > len(kn) + 1 and len(kn) >= 3:
        B = _rcs_basis(cll, kn)
    else:
        B = cll[:, None]
        notes.append("few distinct predicted values: linear calibration model (no spline)")
    fit = fast_cox(B, t, e)
    if fit.notes:
        notes.append("calibration model: " + "; ".join(fit.notes))
    if len(t) and horizon > t.max():
        # R: summary(survfit(fit, newdata), times = horizon) has no row past the last time (an error)
        notes.append(f"horizon {horizon:g} is after the last follow-up ({t.max():g}): the observed survival is "
                     "the model's at the last follow-up, carried forward (R gives no value there)")
    obs = fit.survival_at(B, horizon, ctype=2)
    diff = np.abs(p - obs)
    up, first = np.unique(p, return_index=True)
    return {"horizon_months": horizon, "n": int(len(t)), "ici": float(diff.mean()),
            "e50": float(np.median(diff)), "e90": float(np.percentile(diff, 90)),
            "curve": {"predicted": up.tolist(), "observed": obs[first].tolist()}, "notes": notes,
            "method": "Cox model on a restricted cubic spline of cloglog(predicted) (Austin et al. 2020)"}
