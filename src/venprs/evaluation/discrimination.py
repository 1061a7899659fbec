"""Discrimination at a horizon: time-dependent ROC AUC (two estimators), Harrell's and Uno's C.

Each measure has one definition here, used for the point estimate and for every
bootstrap resample, and equals an R reference implementation to 1e-8 (tests in
``tests/test_discrimination.py``, reference values from ``tests/r/discrimination_reference.R``):

- :func:`heagerty_roc` / :func:`heagerty_auc`: the nearest-neighbour estimator
  (NNE) of the cumulative/dynamic ROC curve of Heagerty, Lumley & Pepe (2000), the
  paper's reference 24, with the neighbourhoods of R ``survivalROC`` 1.0.3.1
  (``method = "NNE"``, ``window = "symmetric"``, ``span`` or ``lambda``).
- :func:`ipcw_roc` / :func:`ipcw_auc`: the inverse-probability-of-censoring-weighted
  cumulative/dynamic AUC (Uno et al. 2007; Hung & Chiang 2010) with weights
  1 / G(T_i-), as ``riskRegression::Score`` (cases ``T <= t``, the default) or
  ``timeROC(weighting = "marginal")`` (cases ``T < t``: ``cases="timeROC"``).
- :func:`harrell_c` and :func:`uno_c`: ``survival::concordance(reverse = TRUE)``
  with ``timewt = "n"`` and ``"n/G2"`` (:mod:`venprs.survival.concordance`).
- :func:`discrimination`: all four with seeded percentile bootstrap CIs.

Heagerty NNE. With marker X (higher = worse), horizon t and n patients, the
conditional survival S(t | x) for each distinct marker value x is the Kaplan-Meier
estimate at t in the neighbourhood of x (the event times used are those of the
whole sample at or before t). survivalROC's symmetric neighbourhood with ``span``:
k = trunc(n span + 0.5); with the sorted markers X_(1) <= ... <= X_(n) and i0 the
number of markers below x, the half-width is lambda_x = X_(min(i0 + k + 1, n)) - x
(the k-th marker above the first one equal to x, in 1-based order statistics), and
the neighbourhood is ``|X_j - x|`` <= lambda_x (so it is symmetric in marker distance,
not in rank, and tied markers are all in or all out). With ``lambda`` instead of a
span, survivalROC computes Gaussian weights exp(-(X_j - x)^2 / lambda^2) but its
risk-set sums combine them with ``&`` (``sum(wt * (...) & (...))``), so a patient
counts fully whenever that weight is not zero in double precision (``|X_j - x|`` below
about 27.3 lambda); venprs reproduces this and says so. Then S(t) = (1/n) sum_i
S(t | X_i), S(c, t) = (1/n) sum_{X_i > c} S(t | X_i), TP(c) = [P(X > c) - S(c, t)] /
[1 - S(t)], FP(c) = S(c, t) / S(t) at c = -inf and every distinct marker value, and
the AUC is the trapezoidal area under (FP, TP). The Kaplan-Meier S(t) of the whole
sample is reported as ``survival`` (survivalROC's ``Survival``). venprs' default
``span = 0.25 * n ** -0.2`` is the value of the survivalROC documentation's example
(R requires the user to choose one).

The windows are found by vectorised bisection (O(m log n) for m distinct markers)
and each neighbourhood's Kaplan-Meier uses only its patients with a time at or
before t (sorted in chunks, no n x n array): time O(n k log k) for neighbourhoods of
about k patients, O(m n) at most.

IPCW. With G(s-) the censoring Kaplan-Meier just before s (events leave the risk
set before censorings at a tied time; :func:`venprs.survival.concordance.censoring_survival_before`),
cases i (event at T_i <= t) weighted 1 / G(T_i-) and controls j (T_j > t),
AUC = sum_ij w_i [1{X_i > X_j} + 1/2 1{X_i = X_j}] / (sum_i w_i n_controls), the
area under TP(c) = sum_{cases, X_i > c} w_i / sum w_i, FP(c) = #{controls, X_j > c} /
n_controls. scikit-survival's ``cumulative_dynamic_auc`` uses G(T_i) instead of
G(T_i-): the two differ where an event time equals a censoring time.

References
----------
.. [1] Heagerty PJ, Lumley T, Pepe MS. Time-dependent ROC curves for censored
   survival data and a diagnostic marker. Biometrics. 2000;56:337-344.
.. [2] Akritas MG. Nearest neighbor estimation of a bivariate distribution under
   random censoring. Ann Stat. 1994;22:1299-1327.
.. [3] Uno H, Cai T, Tian L, Wei LJ. Evaluating prediction rules for t-year
   survivors with censored regression models. J Am Stat Assoc. 2007;102:527-537.
.. [4] Hung H, Chiang CT. Estimation methods for time-dependent AUC models with
   survival data. Can J Stat. 2010;38:8-26.
.. [5] Blanche P, Dartigues JF, Jacqmin-Gadda H. Estimating and comparing
   time-dependent areas under receiver operating characteristic curves for censored
   event times with competing risks. Stat Med. 2013;32:5381-5397 (timeROC 0.4.1).
.. [6] Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for
   evaluating overall adequacy of risk prediction procedures with censored
   survival data. Stat Med. 2011;30:1105-1117.
.. [7] Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of
   medical tests. JAMA. 1982;247:2543-2546.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..model import calibration_protocol
from ..resampling import map_replicates, replicate_seeds
from ..survival.concordance import censoring_survival_before, concordance, concordance_counts, concordance_from_counts

#: The paper's AUC horizon, 10 months (Supplementary Fig. S12; model file).
PAPER_HORIZON = calibration_protocol()[2]

#: elements gathered at once when the neighbourhood Kaplan-Meier estimates are computed
_CHUNK = 1 << 18

__all__ = ["auc_key", "heagerty_roc", "heagerty_auc", "ipcw_roc", "ipcw_auc", "harrell_c", "uno_c", "discrimination",
           "default_span", "Discrimination"]


def default_span(n: int) -> float:
    """Default NNE span, ``0.25 * n ** -0.2`` (the ``survivalROC`` documentation's example).

    Parameters
    ----------
    n : int
        Number of patients.

    Returns
    -------
    float
        The span (fraction of the patients in each neighbourhood) for :func:`heagerty_roc`.

    Examples
    --------
    >>> round(default_span(174), 6)
    0.08909
    """
    return 0.25 * n ** -0.2


def _clean(time, event, marker):
    t = np.asarray(time, dtype=float)
    e = np.asarray(event).astype(int)
    x = np.asarray(marker, dtype=float)
    ok = np.isfinite(t) & np.isfinite(x)
    return t[ok], e[ok], x[ok]


def _first_true(pred, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Vectorised bisection: for each row the first p in [lo, hi) with ``pred(p, rows)`` (else hi).

    ``pred`` must be monotone (False then True) in p on every row.
    """
    lo = lo.astype(np.int64).copy()
    hi = hi.astype(np.int64).copy()
    rows = np.arange(len(lo))
    while True:
        act = lo < hi
        if not act.any():
            return lo
        r = rows[act]
        mid = (lo[act] + hi[act]) // 2
        ok = pred(mid, r)
        hi[r[ok]] = mid[ok]
        lo[r[~ok]] = mid[~ok] + 1


def _windows(xs: np.ndarray, ux: np.ndarray, span: float | None, lam: float | None):
    """Neighbourhood [lo, hi) of each distinct marker in the sorted markers ``xs`` (survivalROC's)."""
    n = len(xs)
    i0 = np.searchsorted(xs, ux, side="left")  # markers below u
    if span is not None:
        k = int(np.trunc(n * span + 0.5))
        half = xs[np.minimum(i0 + k, n - 1)] - ux  # survivalROC's lambda for this u
        lo = _first_true(lambda p, r: xs[p] - ux[r] >= -half[r], np.zeros_like(i0), i0)
        hi = _first_true(lambda p, r: xs[p] - ux[r] > half[r], i0, np.full_like(i0, n))
        return lo, hi
    assert lam is not None  # span or lam is given
    lam2 = lam ** 2

    def zero_weight(p, r):
        with np.errstate(over="ignore", under="ignore"):
            return np.exp(-((xs[p] - ux[r]) ** 2) / lam2) == 0

    lo = _first_true(lambda p, r: ~zero_weight(p, r), np.zeros_like(i0), i0)
    hi = _first_true(zero_weight, i0, np.full_like(i0, n))
    return lo, hi


def _neighbourhood_km(tx: np.ndarray, ex: np.ndarray, lo: np.ndarray, hi: np.ndarray, horizon: float) -> np.ndarray:
    """Kaplan-Meier S(horizon) in each neighbourhood [lo, hi) of the marker-sorted ``tx, ex``.

    Only patients with a time at or before the horizon change the product; the
    others are at risk throughout and are counted, not gathered. Each
    neighbourhood's early patients are sorted by the integer key ``2 * time rank +
    censored`` (events first within a time), in chunks of similar width.
    """
    early = np.flatnonzero(tx <= horizon)
    _, trank = np.unique(tx[early], return_inverse=True)
    key = 2 * trank.astype(np.int64) + (1 - ex[early])
    pad = np.int64(2 * len(early) + 2)
    a = np.searchsorted(early, lo, side="left")
    b = np.searchsorted(early, hi, side="left")
    size = (hi - lo).astype(float)
    out = np.ones(len(lo))
    m_early = b - a
    rows = np.flatnonzero(m_early > 0)
    if not len(rows):
        return out
    rows = rows[np.argsort(m_early[rows], kind="stable")]
    # chunk boundaries: about _CHUNK gathered elements per chunk (rows sorted by width: little padding)
    cum = np.cumsum(m_early[rows])
    bounds = np.unique(np.concatenate([[0], np.searchsorted(cum, np.arange(_CHUNK, cum[-1], _CHUNK)), [len(rows)]]))
    for c0, c1 in zip(bounds[:-1], bounds[1:]):
        r = rows[c0:c1]
        W = int(m_early[r].max())
        pos = np.arange(W)[None, :]
        idx = a[r][:, None] + pos
        valid = idx < b[r][:, None]
        kk = np.sort(np.where(valid, key[np.where(valid, idx, 0)], pad), axis=1)
        grp = kk >> 1
        new = np.ones(kk.shape, dtype=bool)
        new[:, 1:] = grp[:, 1:] != grp[:, :-1]
        first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)  # first position of the time group
        is_ev = (kk & 1) == 0
        # the events of a group come first: at an event that is followed by no event of its group,
        # d = events in the group; factor 1 - d / (patients with a time >= this one)
        nxt_ev = np.zeros_like(is_ev)
        nxt_ev[:, :-1] = is_ev[:, 1:] & ~new[:, 1:]
        use = is_ev & ~nxt_ev & (kk < pad)
        d = (pos - first + 1).astype(float)
        at_risk = size[r][:, None] - first
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(use, 1.0 - d / at_risk, 1.0)
        out[r] = np.prod(factor, axis=1)
    return out


def heagerty_roc(time, event, marker, horizon: float, span: float | None = None, *,
                 lambda_: float | None = None) -> dict:
    """Heagerty NNE ROC curve at ``horizon``, as R ``survivalROC(method = "NNE")``.

    Parameters
    ----------
    time, event, marker : array-like
        Follow-up times, event indicators (1 = event) and marker values (higher =
        higher risk). Patients with a missing time or marker are dropped.
    horizon : float
        survivalROC's ``predict.time``.
    span : float, optional
        survivalROC's ``span`` (default :func:`default_span`); ignored when
        ``lambda_`` is given.
    lambda_ : float, optional
        survivalROC's ``lambda`` (see the module docstring for what R does with it).

    Returns
    -------
    dict
        ``cut`` (``-inf`` then the distinct marker values, ascending), ``tp``, ``fp``
        (same length; R's ``TP``, ``FP``), ``survival`` (Kaplan-Meier S(horizon),
        R's ``Survival``), ``survival_nne`` (mean of S(horizon | X_i)), ``span``,
        ``lambda``, ``auc`` (R's ``AUC``; NaN where R stops with an error or
        returns NaN: no event at or before the horizon, or S(horizon) = 0), and
        ``note`` (why the AUC is NaN, else ``None``).

    References
    ----------
    .. [1] Heagerty PJ, Lumley T, Pepe MS. Biometrics. 2000;56:337-344.
    .. [2] Heagerty PJ, Saha-Chaudhuri P. survivalROC: Time-dependent ROC curve estimation
       from censored survival data. R package version 1.0.3.1.

    Examples
    --------
    >>> r = heagerty_roc([2, 5, 1, 3], [1, 0, 1, 1], [1, 2, 3, 4], horizon=4, span=0.5)
    >>> round(r["auc"], 6), round(r["survival_nne"], 6)
    (0.662162, 0.229167)
    """
    t, e, x = _clean(time, event, marker)
    n = len(t)
    if n == 0:
        raise ValueError("no patients with a marker value")
    if lambda_ is not None:
        lam, span = float(lambda_), None
        if not lam > 0:
            raise ValueError(f"lambda must be positive, got {lambda_!r}")
    else:
        lam, span = None, (default_span(n) if span is None else float(span))
    ox = np.argsort(x, kind="stable")
    xs, tx, ex = x[ox], t[ox], e[ox]
    ux, inv = np.unique(x, return_inverse=True)
    lo, hi = _windows(xs, ux, span, lam)
    # Kaplan-Meier of the whole sample (survivalROC's Survival)
    ut = np.unique(t[t <= horizon])
    n_risk = len(t) - np.searchsorted(np.sort(t), ut, side="left")
    d_ut = np.bincount(np.searchsorted(ut, t[(e == 1) & (t <= horizon)]), minlength=len(ut))
    km = float(np.prod(1.0 - d_ut / n_risk)) if len(ut) else 1.0
    note = None
    if not ((e == 1) & (t <= horizon)).any():
        note = f"no event at or before {horizon:g} months"
        S_u = np.ones(len(ux))
    else:
        S_u = _neighbourhood_km(tx, ex, lo, hi, horizon)
    S_i = S_u[inv]
    S_m = float(S_i.sum() / n)
    counts = np.bincount(inv, minlength=len(ux))
    contrib = np.bincount(inv, weights=S_i, minlength=len(ux))
    # patients with X > c for c = -inf, u_1, ..., u_m
    p_gt = np.concatenate([[n], n - np.cumsum(counts)]) / n
    s_gt = np.concatenate([np.cumsum(contrib[::-1])[::-1], [0.0]]) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        tp = (p_gt - s_gt) / (1.0 - S_m)
        fp = 1.0 - (1.0 - s_gt / S_m)
    tp[0] = fp[0] = 1.0
    tp[-1], fp[-1] = 0.0, 0.0
    auc = float(np.sum((fp[:-1] - fp[1:]) * (tp[:-1] + tp[1:]) / 2))
    if note is None and S_m == 0:
        note = f"every neighbourhood has survival 0 at {horizon:g} months"
    if note is not None or not np.isfinite(auc):
        auc = float("nan")
        note = note or "AUC not estimable"
    return {"cut": np.concatenate([[-np.inf], ux]), "tp": tp, "fp": fp, "survival": km, "survival_nne": S_m,
            "span": span, "lambda": lam, "auc": auc, "note": note}


def heagerty_auc(time, event, marker, horizon: float, span: float | None = None, *,
                 lambda_: float | None = None) -> float:
    """AUC of the Heagerty NNE ROC curve at ``horizon`` (R ``survivalROC(...)$AUC``; see :func:`heagerty_roc`).

    Parameters
    ----------
    time, event, marker : array-like
        Follow-up times, event indicators (1 = event) and markers (higher = higher risk).
    horizon : float
        Prediction horizon (months).
    span : float, optional
        Neighbourhood span (default ``0.25 * n ** -0.2``, :func:`default_span`).
    lambda_ : float, optional
        survivalROC's ``lambda`` (a bandwidth instead of ``span``).

    Returns
    -------
    float
        The AUC.

    References
    ----------
    .. [1] Heagerty PJ, Lumley T, Pepe MS. Time-dependent ROC curves for censored survival data and a
       diagnostic marker. Biometrics. 2000;56:337-344.
    """
    return heagerty_roc(time, event, marker, horizon, span, lambda_=lambda_)["auc"]


def ipcw_roc(time, event, marker, horizon: float, *, train_time=None, train_event=None,
             cases: str = "Score") -> dict:
    """Cumulative/dynamic IPCW ROC curve and AUC at ``horizon``.

    Parameters
    ----------
    time, event, marker : array-like
        Follow-up times, event indicators (1 = event), markers (higher = higher risk).
    horizon : float
    train_time, train_event : array-like, optional
        Data for the censoring Kaplan-Meier G (default: the same data).
    cases : ``"Score"`` or ``"timeROC"``
        ``"Score"`` (default): cases have an event at ``T <= horizon``, as
        ``riskRegression::Score(..., metrics = "auc", cens.model = "km")``;
        ``"timeROC"``: ``T < horizon``, as ``timeROC(..., cause = 1, weighting =
        "marginal")`` (an event exactly at the horizon is then neither case nor
        control). Controls: ``T > horizon`` in both.

    Returns
    -------
    dict
        ``cut`` (``inf`` then the distinct marker values, descending), ``tp``,
        ``fp`` (from (0, 0) to (1, 1)), ``auc`` (NaN without cases or controls),
        ``n_cases``, ``n_controls``, ``note``.

    References
    ----------
    .. [1] Uno H, et al. J Am Stat Assoc. 2007;102:527-537.
    .. [2] Blanche P, et al. Stat Med. 2013;32:5381-5397; timeROC 0.4.1.
    .. [3] Gerds TA, Kattan MW. Medical Risk Prediction Models. CRC Press; 2021
       (riskRegression ``Score``).
    """
    if cases not in ("Score", "timeROC"):
        raise ValueError(f"cases must be 'Score' or 'timeROC', got {cases!r}")
    t, e, x = _clean(time, event, marker)
    tt = t if train_time is None else np.asarray(train_time, float)
    te = e if train_event is None else np.asarray(train_event).astype(int)
    is_case = (e == 1) & ((t <= horizon) if cases == "Score" else (t < horizon))
    is_ctrl = t > horizon
    ux = np.unique(x)[::-1]
    out = {"cut": np.concatenate([[np.inf], ux]), "n_cases": int(is_case.sum()), "n_controls": int(is_ctrl.sum()),
           "note": None}
    G = censoring_survival_before(tt, te, t[is_case])
    if not is_case.any() or not is_ctrl.any() or (G == 0).any():
        out["note"] = ("no case (event by the horizon)" if not is_case.any() else
                       "no control (follow-up beyond the horizon)" if not is_ctrl.any() else
                       "censoring survival is zero before a case's time")
        out.update(tp=np.full(len(ux) + 1, np.nan), fp=np.full(len(ux) + 1, np.nan), auc=float("nan"))
        return out
    w = 1.0 / G
    # TP(c), FP(c) at c = +inf, then each distinct marker value in descending order (X >= c)
    k_case = np.searchsorted(-ux, -x[is_case])
    k_ctrl = np.searchsorted(-ux, -x[is_ctrl])
    tp = np.concatenate([[0.0], np.cumsum(np.bincount(k_case, weights=w, minlength=len(ux)))]) / w.sum()
    fp = np.concatenate([[0.0], np.cumsum(np.bincount(k_ctrl, minlength=len(ux)))]) / is_ctrl.sum()
    out.update(tp=tp, fp=fp, auc=float(np.sum((fp[1:] - fp[:-1]) * (tp[1:] + tp[:-1]) / 2)))
    return out


def ipcw_auc(time, event, marker, horizon: float, *, train_time=None, train_event=None,
             cases: str = "Score") -> tuple[float, str | None]:
    """Cumulative/dynamic IPCW AUC at ``horizon`` and a note (see :func:`ipcw_roc`).

    Parameters
    ----------
    time, event, marker : array-like
        Follow-up times, event indicators (1 = event) and markers (higher = higher risk).
    horizon : float
        Prediction horizon (months).
    train_time, train_event : array-like, optional
        Cohort whose censoring distribution gives the weights (default: this one).
    cases : {"Score", "timeROC"}
        Cases have an event at ``T <= horizon`` (riskRegression::Score, default) or at
        ``T < horizon`` (timeROC); see :func:`ipcw_roc`.

    Returns
    -------
    (auc, note)
        ``note`` says why the AUC is NaN, else ``None``.
    """
    r = ipcw_roc(time, event, marker, horizon, train_time=train_time, train_event=train_event, cases=cases)
    return r["auc"], r["note"]


def harrell_c(time, event, marker) -> float:
    """Harrell's C, as R ``survival::concordance(Surv(time, event) ~ marker, reverse = TRUE)``.

    Tied markers count 1/2; pairs of events at the same time are not comparable;
    a censoring at an event's time counts as later (:func:`venprs.survival.concordance.concordance`).

    Parameters
    ----------
    time, event, marker : array-like
        Follow-up times, event indicators (1 = event) and markers (higher = higher risk).

    Returns
    -------
    float
        The concordance index.

    References
    ----------
    .. [1] Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med. 1996;15:361-387.
    .. [2] R package survival 3.5-3, ``concordance``.
    """
    t, e, x = _clean(time, event, marker)
    return concordance(t, e, x, timewt="n")


def uno_c(time, event, marker, tau: float | None = None) -> float:
    """Uno's C, as R ``survival::concordance(..., reverse = TRUE, timewt = "n/G2", ymax = tau)``.

    Pairs are weighted by 1 / G(T_i-)^2 of their earlier event; ``tau`` (R's
    ``ymax``, default none): events after ``tau`` carry no weight.

    Parameters
    ----------
    time, event, marker : array-like
        Follow-up times, event indicators (1 = event) and markers (higher = higher risk).
    tau : float, optional
        Truncation time (R's ``ymax``).

    Returns
    -------
    float
        The concordance index.

    References
    ----------
    .. [1] Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for evaluating overall
       adequacy of risk prediction procedures with censored survival data. Stat Med. 2011;30:1105-1117.
    .. [2] R package survival 3.5-3, ``concordance`` (``timewt = "n/G2"``).
    """
    t, e, x = _clean(time, event, marker)
    return concordance(t, e, x, timewt="n/G2", ymax=tau)


@dataclass
class Discrimination:
    """Point estimates, bootstrap percentile CIs and the two ROC curves of the whole sample.

    ``curves`` maps ``"heagerty"`` and ``"ipcw"`` to ``(fp, tp)`` arrays (for plots;
    not part of :meth:`to_dict`).
    """

    horizon: float
    n: int
    n_events: int
    estimates: dict[str, float]
    ci: dict[str, tuple[float, float]]
    n_boot: int
    notes: list[str] = field(default_factory=list)
    span: float | None = None
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def num(v):
            return None if v is None or not np.isfinite(v) else round(float(v), 6)

        def item(k):
            lo, hi = self.ci.get(k, (np.nan, np.nan))
            return {"estimate": num(self.estimates[k]), "ci": [num(lo), num(hi)]}

        return {
            "horizon_months": self.horizon, "n": self.n, "n_events": self.n_events,
            auc_key(self.horizon): {
                "heagerty": dict(item("heagerty"), span=num(self.span)), "ipcw": item("ipcw")},
            "c_harrell": item("c_harrell"), "c_uno": item("c_uno"),
            "bootstrap": {"n": self.n_boot, "interval": "percentile 2.5-97.5"}, "notes": list(self.notes),
        }


def _all(t, e, x, horizon, span, curves=None):
    auc_h = heagerty_roc(t, e, x, horizon, span)
    auc_i = ipcw_roc(t, e, x, horizon)
    if curves is not None:
        curves.update(heagerty=(auc_h["fp"], auc_h["tp"]), ipcw=(auc_i["fp"], auc_i["tp"]))
    cc = concordance_counts(t, e, x)  # one counting pass for both C-indices (= harrell_c, uno_c)
    est = {"heagerty": auc_h["auc"], "ipcw": auc_i["auc"], "c_harrell": concordance_from_counts(cc, t, e),
           "c_uno": concordance_from_counts(cc, t, e, timewt="n/G2")}
    return est, [n for n in (auc_h["note"] and f"Heagerty AUC: {auc_h['note']}",
                             auc_i["note"] and f"IPCW AUC: {auc_i['note']}") if n]


def auc_key(horizon: float) -> str:
    """The key of the time-dependent AUC in :meth:`Discrimination.to_dict` and ``results.json``.

    ``"auc_<horizon>m"`` with the horizon in months as ``:g`` formats it, e.g. ``auc_10m`` at the
    paper's 10 months and ``auc_12m`` at 12 months.

    Parameters
    ----------
    horizon : float
        Horizon of the AUC in months.

    Returns
    -------
    str
        ``"auc_<horizon>m"``.

    Examples
    --------
    >>> auc_key(10), auc_key(12.0), auc_key(6.5)
    ('auc_10m', 'auc_12m', 'auc_6.5m')
    """
    return f"auc_{horizon:g}m"


def _bootstrap_chunk(shared: tuple, seeds: list) -> list[dict[str, float]]:
    """The four measures on one bootstrap resample per stream (module level: picklable for joblib/Dask)."""
    t, e, x, horizon, span = shared
    out = []
    for s in seeds:
        idx = np.random.default_rng(s).integers(0, len(t), len(t))
        out.append(_all(t[idx], e[idx], x[idx], horizon, span)[0])
    return out


def discrimination(time, event, marker, horizon: float = PAPER_HORIZON, *, n_boot: int = 200, seed: int = 1,
                   span: float | None = None, backend: str = "joblib", n_jobs: int = 1,
                   scheduler: str | None = None, progress: Callable[[int], None] | None = None) -> Discrimination:
    """All four measures with seeded bootstrap percentile 95% CIs.

    Parameters
    ----------
    time, event, marker : array-like (marker: higher = higher risk, e.g. the score)
    horizon : months
    n_boot : bootstrap resamples (0: no CIs)
    seed : seed of the bootstrap: resample *k* draws from its own stream
        ``SeedSequence(seed).spawn(n_boot)[k]`` (:func:`venprs.resampling.replicate_seeds`)
    span : NNE span for the whole sample (default :func:`default_span`); each
        bootstrap resample uses the same span.
    backend, n_jobs, scheduler : where the resamples run (one core by default, local processes or a
        Dask cluster; :func:`venprs.resampling.map_replicates`); the CIs are the same everywhere
    progress : optional ``progress(k)`` called as ``k`` more resamples are done

    Returns
    -------
    Discrimination
        Estimates, CIs, the span used, notes and the ROC curves (``to_dict()`` for JSON).

    References
    ----------
    .. [1] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993 (percentile interval).
    """
    t, e, x = _clean(time, event, marker)
    span = default_span(len(t)) if span is None else span
    curves: dict = {}
    est, notes = _all(t, e, x, horizon, span, curves)
    boots: dict[str, list[float]] = {k: [] for k in est}
    failed = 0
    for b in map_replicates(_bootstrap_chunk, (t, e, x, horizon, span), replicate_seeds(seed, n_boot),
                            backend=backend, n_jobs=n_jobs, scheduler=scheduler, progress=progress):
        if not all(np.isfinite(v) for v in b.values()):
            failed += 1
        for k, v in b.items():
            boots[k].append(v)
    if failed:
        notes.append(f"{failed} bootstrap resample(s) with a measure not estimable (left out of its CI)")
    ci = {}
    for k, vals in boots.items():
        arr = np.asarray(vals, float)
        arr = arr[np.isfinite(arr)]
        ci[k] = (float(np.percentile(arr, 2.5)), float(np.percentile(arr, 97.5))) if len(arr) else (np.nan, np.nan)
    return Discrimination(horizon, len(t), int(e.sum()), est, ci, n_boot, notes, span, curves)
