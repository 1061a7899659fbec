"""Kaplan-Meier estimates, medians with confidence intervals, log-rank tests, follow-up.

Everything here matches R's ``survival`` package defaults:

* ``survfit(Surv(time, event) ~ 1)``: Greenwood variance of the cumulative hazard,
  ``conf.type = "log"`` (``exp(log S +/- z se)``, upper limit capped at 1) and
  ``conf.int = 0.95``. lifelines' ``KaplanMeierFitter`` uses ``log(-log)`` intervals
  instead, so the intervals are computed here (the survival estimate itself is the
  same product-limit estimate; the tests check both against R).
* Medians and their confidence limits follow ``quantile.survfit`` (survival 3.x):
  the median is the first time the curve reaches 0.5; when the curve is exactly
  0.5 (within ``sqrt(.Machine$double.eps)``) on a flat segment, it is the midpoint
  of that segment (or of the segment and the last follow-up time). The lower limit
  is where the *lower* confidence curve reaches 0.5, the upper limit where the
  *upper* curve does; ``None`` when a curve never reaches 0.5 ("not reached").
* ``logrank`` is ``survdiff`` (hypergeometric variance; groups with no expected event
  left out, ``df`` = groups with a positive expected count minus 1, as R).
* Edge behaviour is pinned on small awkward cohorts (``tests/r/awkward_reference.R``):
  log-log limits are NaN where survival is 1 or 0 (R's NA).

References
----------
.. [1] Therneau TM. A Package for Survival Analysis in R. R package ``survival``
   version 3.5; functions ``survfit.formula``, ``quantile.survfit``, ``survdiff``.
.. [2] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
   J Am Stat Assoc. 1958;53:457-481.
.. [3] Schemper M, Smith TL. A note on quantifying follow-up in studies of failure
   time. Control Clin Trials. 1996;17:343-346 (reverse Kaplan-Meier).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["KMResult", "kaplan_meier", "reverse_km_median_followup", "logrank", "R_TOLERANCE"]

#: R's default tolerance in ``quantile.survfit``: ``sqrt(.Machine$double.eps)``.
R_TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def _as_arrays(time, event) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("time and event must be 1-d arrays of the same length")
    if len(t) == 0:
        raise ValueError("no observations")
    if np.isnan(t).any() or np.isnan(e).any():
        raise ValueError("time and event must not contain missing values (exclude those rows first)")
    if (t < 0).any():
        raise ValueError("times must be >= 0")
    if not np.isin(e, (0.0, 1.0)).all():
        raise ValueError("event must be 0 (censored) or 1 (event)")
    return t, e.astype(int)


def _findq(x: np.ndarray, y: np.ndarray, p: float, tol: float) -> float | None:
    """Port of survival's internal ``findq`` for one probability ``p``.

    ``x`` are times starting with the start time 0, ``y`` the cumulative
    distribution ``1 - S`` starting with 0 (may contain NaN where a confidence
    curve is undefined).
    """
    finite = ~np.isnan(y)
    if not finite.any() or np.nanmax(y) < p:
        return None
    xmax = x[-1]
    # drop duplicated y values (NaN counts as a duplicate of an earlier NaN), keep first
    _, first = np.unique(np.where(np.isnan(y), np.inf, y), return_index=True)
    keep = np.zeros(len(y), dtype=bool)
    keep[first] = True
    x, y = x[keep], y[keep]
    ok = ~np.isnan(y)
    idx = np.flatnonzero(ok)
    yy = y[ok]

    def first_at_least(v: np.ndarray) -> int | None:
        # approx(v, 1:n, p, method = "constant", f = 1): index of the first v >= p; NA outside the range
        if p < v[0] or p > v[-1]:
            return None
        return int(idx[np.argmax(v >= p)])

    i1 = first_at_least(yy + tol)
    i2 = first_at_least(yy - tol)
    if i1 is None:
        return None
    if p == 0:
        return float(x[0])
    last_y = y[-1]
    if not np.isnan(last_y) and abs(p - last_y) < tol:
        return float((x[i1] + xmax) / 2)
    if i2 is None:
        return None
    return float((x[i1] + x[i2]) / 2)


@dataclass
class KMResult:
    """A Kaplan-Meier fit.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per distinct observed time (events and censorings, as R's
        ``survfit``): ``time, n_risk, n_event, n_censor, surv, std_err, lower, upper``.
        ``std_err`` is the Greenwood standard error of the cumulative hazard (R's
        ``std.err``); ``lower``/``upper`` are NaN where undefined, as R's NA: survival 0
        (``"log"``, ``"log-log"``), survival 1 (``"log-log"``).
    median : float or None
        Median survival time (``None`` = not reached).
    ci : tuple
        ``(low, high)`` confidence limits of the median; either may be ``None``.
    n, n_events : int
    conf_level : float
    """

    table: pd.DataFrame
    median: float | None
    ci: tuple[float | None, float | None]
    n: int
    n_events: int
    conf_level: float = 0.95
    conf_type: str = "log"
    _time: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    _surv: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))

    def survival_at(self, t) -> np.ndarray | float:
        """Survival at time(s) ``t`` as a right-continuous step function (1 before the first time)."""
        tt = np.asarray(t, dtype=float)
        i = np.searchsorted(self._time, tt, side="right")
        s = np.concatenate([[1.0], self._surv])[i]
        return float(s) if np.ndim(tt) == 0 else s

    def quantile(self, p: float = 0.5) -> tuple[float | None, float | None, float | None]:
        """``(estimate, lower, upper)`` of the time where survival reaches ``1 - p`` (R's rule)."""
        x = np.concatenate([[0.0], self.table["time"].to_numpy()])
        q = _findq(x, np.concatenate([[0.0], 1 - self.table["surv"].to_numpy()]), p, R_TOLERANCE)
        lo = _findq(x, np.concatenate([[0.0], 1 - self.table["lower"].to_numpy()]), p, R_TOLERANCE)
        hi = _findq(x, np.concatenate([[0.0], 1 - self.table["upper"].to_numpy()]), p, R_TOLERANCE)
        return q, lo, hi

    def at_risk(self, times) -> np.ndarray:
        """Number at risk at each of ``times`` (time >= t)."""
        t_all = self.table["time"].to_numpy()
        nr = self.table["n_risk"].to_numpy()
        i = np.searchsorted(t_all, np.asarray(times, dtype=float), side="left")
        return np.where(i < len(nr), np.concatenate([nr, [0]])[i], 0).astype(int)

    def to_dict(self) -> dict:
        """Median, CI, n and events as plain JSON-ready values."""
        return {"median": self.median, "ci": [self.ci[0], self.ci[1]], "n": self.n, "n_events": self.n_events,
                "conf_level": self.conf_level, "conf_type": self.conf_type}


def kaplan_meier(time, event, conf_type: str = "log", conf_level: float = 0.95) -> KMResult:
    """Kaplan-Meier estimate with R ``survfit`` defaults.

    Parameters
    ----------
    time : array-like of float
        Follow-up times (>= 0).
    event : array-like of 0/1
        1 = event, 0 = censored.
    conf_type : {"log", "log-log", "plain"}
        Confidence interval transform; ``"log"`` is R's default.
    conf_level : float

    Returns
    -------
    KMResult

    References
    ----------
    .. [1] R ``survival::survfit.formula`` and ``quantile.survfit`` (survival 3.5).

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1] * 10)
    >>> km.median  # survival is exactly 0.5 on [5, 6): R takes the midpoint
    5.5
    """
    t, e = _as_arrays(time, event)
    times, inv = np.unique(t, return_inverse=True)
    n_event = np.bincount(inv, weights=e, minlength=len(times)).astype(int)
    n_total = np.bincount(inv, minlength=len(times))
    n_risk = len(t) - np.concatenate([[0], np.cumsum(n_total)[:-1]])
    n_censor = n_total - n_event
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - n_event / n_risk)
        term = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        var = np.cumsum(term)
    std_err = np.sqrt(var)
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            s = np.where(surv > 0, surv, np.nan)
            lower = np.exp(np.log(s) - z * std_err)
            upper = np.minimum(np.exp(np.log(s) + z * std_err), 1.0)
        elif conf_type == "log-log":
            # undefined (NaN) where survival is 0 or 1, as R's survfit_confint (NA there)
            s = np.where((surv > 0) & (surv < 1), surv, np.nan)
            se2 = std_err / np.log(s)
            lower = np.exp(-np.exp(np.log(-np.log(s)) - z * se2))
            upper = np.exp(-np.exp(np.log(-np.log(s)) + z * se2))
        elif conf_type == "plain":
            se_s = std_err * surv
            lower = np.maximum(surv - z * se_s, 0.0)
            upper = np.minimum(surv + z * se_s, 1.0)
        else:
            raise ValueError(f"conf_type must be 'log', 'log-log' or 'plain', not {conf_type!r}")
    upper = np.where(np.isnan(std_err), np.nan, upper)
    lower = np.where(np.isnan(std_err), np.nan, lower)
    table = pd.DataFrame({"time": times, "n_risk": n_risk, "n_event": n_event, "n_censor": n_censor,
                          "surv": surv, "std_err": std_err, "lower": lower, "upper": upper})
    res = KMResult(table=table, median=None, ci=(None, None), n=len(t), n_events=int(e.sum()),
                   conf_level=conf_level, conf_type=conf_type, _time=times, _surv=surv)
    q, lo, hi = res.quantile(0.5)
    res.median, res.ci = q, (lo, hi)
    return res


def reverse_km_median_followup(time, event) -> KMResult:
    """Median follow-up by the reverse Kaplan-Meier method (censoring as the event).

    Returns the :class:`KMResult` of ``survfit(Surv(time, 1 - event) ~ 1)``; its
    ``median`` and ``ci`` are the median follow-up and its confidence interval.

    Parameters
    ----------
    time : array-like of float
        Follow-up times (>= 0).
    event : array-like of 0/1
        1 = event, 0 = censored; the censorings are the "events" of the reverse estimate.

    Returns
    -------
    KMResult
        Kaplan-Meier estimate of the censoring distribution (R's defaults: log CI, 95%).

    References
    ----------
    .. [1] Schemper M, Smith TL. Control Clin Trials. 1996;17:343-346.
    """
    t, e = _as_arrays(time, event)
    return kaplan_meier(t, 1 - e)


def logrank(time, event, groups) -> tuple[float, int, float]:
    """k-group log-rank test, as R's ``survdiff(Surv(time, event) ~ groups)``.

    Observed and expected events and the hypergeometric covariance of each group
    (``survdiff``'s ``rho = 0``). As in R, groups whose expected count is 0 (every
    patient censored before the first event) are left out, the statistic is the
    quadratic form over the remaining groups but the first, and ``df`` is the
    number of groups with a positive expected count minus 1 (``print.survdiff``).

    Edge cases (``tests/test_awkward_cohorts.py``, ``tests/r/awkward_reference.R``):

    * fewer than two groups with a positive expected count: ``chi2 = 0``, as R;
      with one such group ``df = 0`` and ``p = 1`` (R's ``pchisq(0, 0, lower.tail =
      FALSE)``); without any event R reports ``df = -1`` and ``p = NaN``: venprs
      returns ``df = 0`` and ``p = NaN`` (no test without events);
    * a singular covariance (e.g. every patient has an event at one time): R stops
      with "system is exactly singular" (``solve``); venprs returns ``chi2 = p = NaN``.

    Parameters
    ----------
    time, event : array-like
        Follow-up times and event indicators (1 = event).
    groups : array-like
        Group label per patient (sorted labels give R's factor order).

    Returns
    -------
    chi2, df, p : float, int, float
        ``df`` is the number of groups with a positive expected count minus 1.

    Raises
    ------
    ValueError
        Fewer than two distinct groups (R: "There is only 1 group").

    References
    ----------
    .. [1] Therneau T. survival 3.5-3: ``survdiff`` (rho = 0), ``print.survdiff``; C routine ``survdiff2``.
    .. [2] Mantel N. Evaluation of survival data and two new rank order statistics arising in its
       consideration. Cancer Chemother Rep. 1966;50:163-170.
    """
    t, e = _as_arrays(time, event)
    labels, g = np.unique(np.asarray(groups), return_inverse=True)
    k = len(labels)
    if k < 2:
        raise ValueError("log-rank test needs at least two groups")
    u = np.unique(t[e == 1])  # distinct event times
    # at risk per event time and group (time >= u), events per event time and group
    n_g = np.column_stack([len(tg) - np.searchsorted(np.sort(tg), u, side="left")
                           for tg in (t[g == j] for j in range(k))]).astype(float)
    d_g = np.zeros((len(u), k))
    np.add.at(d_g, (np.searchsorted(u, t[e == 1]), g[e == 1]), 1.0)
    n, d = n_g.sum(axis=1), d_g.sum(axis=1)
    observed = d_g.sum(axis=0)
    expected = (d / n) @ n_g
    with np.errstate(divide="ignore", invalid="ignore"):
        kk = np.where(n > 1, d * (n - d) / (n * n * (n - 1)), 0.0)
    var = np.diag((kk * n) @ n_g) - (n_g * kk[:, None]).T @ n_g
    use = np.flatnonzero(expected > 0)
    df = len(use) - 1
    if df < 1:
        return 0.0, max(df, 0), (1.0 if df == 0 else float("nan"))
    diff = (observed - expected)[use][1:]
    vv = var[np.ix_(use, use)][1:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        rcond = 1.0 / np.linalg.cond(vv, 1)
    if not np.isfinite(rcond) or rcond < np.finfo(float).eps:  # R's solve(): "singular"
        return float("nan"), df, float("nan")
    chi2 = float(diff @ np.linalg.solve(vv, diff))
    return chi2, df, float(stats.chi2.sf(chi2, df))
