"""Cox proportional-hazards fits with Efron ties that match R's ``coxph``, robust to rare factors.

The fit is lifelines' ``CoxPHFitter`` (Efron ties, no penalty, its single-row
rather than batch Efron code, which is faster on registry-sized data) with a tight
convergence criterion, which reproduces ``survival::coxph(..., ties = "efron")``
coefficients and standard errors to better than 1e-6 (checked in
``tests/test_survival.py`` against ``tests/r/survival_reference.R``).

Registries are small, so a factor may have no carriers, be constant, or be
carried only by patients without an event (monotone likelihood: R warns
"coefficient may be infinite" and reports a huge coefficient). Such covariates
are detected before the fit (and, as a safeguard, after it), dropped, the model
refitted without them, and what was done is recorded in ``CoxResult.notes`` and
``CoxResult.estimable``. Nothing is silently estimated as nonsense.

Baseline survival is available in both of R's conventions for ``survfit.coxph``:
``ctype=1`` (Breslow / Nelson-Aalen type cumulative hazard, ``sum d / sum exp(lp)``)
and ``ctype=2`` (Efron-adjusted for ties, R's default after an Efron fit). It is the
baseline at covariates = 0 (all factors absent), not R's default at the covariate
means, and it is a right-continuous step function (lifelines interpolates linearly).

References
----------
.. [1] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
   Springer; 2000. (Sections 3.3 ties, 10.2 baseline/expected survival.)
.. [2] Efron B. The efficiency of Cox's likelihood function for censored data.
   J Am Stat Assoc. 1977;72:557-565.
.. [3] Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox
   regression. Biometrics. 2001;57:114-119.
.. [4] R package ``survival`` 3.5: ``coxph``, ``survfit.coxph`` (``ctype``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CoxResult", "fit_cox", "efron_loglik", "baseline_hazard", "MAX_ABS_COEF"]

#: A fitted |coefficient| above this (hazard ratio beyond e^10) is treated as
#: "may be infinite" (monotone likelihood) and the covariate is dropped.
MAX_ABS_COEF = 10.0
_FIT_OPTIONS = {"precision": 1e-12, "max_steps": 200}


def efron_loglik(time, event, lp) -> float:
    """Efron partial log-likelihood for linear predictor ``lp`` (R's ``coxph`` loglik)."""
    t = np.asarray(time, float)
    e = np.asarray(event, int)
    lp = np.asarray(lp, float)
    order = np.argsort(-t, kind="stable")
    t, e, lp = t[order], e[order], lp[order]
    w = np.exp(lp)
    uniq, idx = np.unique(-t, return_index=True)  # descending times; idx = first row of each time
    cum_w = np.cumsum(w)
    ll = 0.0
    ends = np.append(idx[1:], len(t))
    for start, end in zip(idx, ends):
        dead = e[start:end] == 1
        d = int(dead.sum())
        if d == 0:
            continue
        risk = cum_w[end - 1]
        dw = w[start:end][dead].sum()
        ll += lp[start:end][dead].sum()
        k = np.arange(d)
        ll -= np.log(risk - k / d * dw).sum()
    return float(ll)


def baseline_hazard(time, event, lp, ctype: int = 1) -> pd.DataFrame:
    """Cumulative baseline hazard and survival at ``lp = 0``, at each distinct event time.

    Parameters
    ----------
    time, event : array-like
    lp : array-like
        Linear predictor of each patient (``x @ beta``, uncentred).
    ctype : {1, 2}
        1: Breslow / Nelson-Aalen type increments ``d / sum_risk exp(lp)`` (R
        ``survfit(fit, ctype = 1)``); 2: Efron-adjusted increments
        ``sum_k 1 / (R - k/d D)`` (R's default after an Efron fit).

    Returns
    -------
    pandas.DataFrame
        ``time, cumhaz, surv`` with ``surv = exp(-cumhaz)`` (R's ``stype = 2``).

    References
    ----------
    .. [1] Breslow NE. Discussion of Professor Cox's paper. J R Stat Soc B. 1972;34:216-217.
    .. [2] R ``survival::survfit.coxph`` (``ctype``, ``stype``).
    """
    if ctype not in (1, 2):
        raise ValueError("ctype must be 1 (Breslow) or 2 (Efron)")
    t = np.asarray(time, float)
    e = np.asarray(event, int)
    w = np.exp(np.asarray(lp, float))
    times = np.unique(t[e == 1])
    inc = np.empty(len(times))
    for i, s in enumerate(times):
        risk = w[t >= s].sum()
        dead = (t == s) & (e == 1)
        d = int(dead.sum())
        if ctype == 1:
            inc[i] = d / risk
        else:
            dw = w[dead].sum()
            inc[i] = (1.0 / (risk - np.arange(d) / d * dw)).sum()
    H = np.cumsum(inc)
    return pd.DataFrame({"time": times, "cumhaz": H, "surv": np.exp(-H)})


@dataclass
class CoxResult:
    """A Cox fit. Per-covariate values are Series indexed by the requested covariates (NaN if dropped).

    Attributes
    ----------
    coef, se, hr, ci_low, ci_high, p, z : pandas.Series
        Coefficient, standard error, hazard ratio with 95% Wald CI, Wald p.
    estimable : pandas.Series of bool
    carriers, carrier_events : pandas.Series
        For 0/1 covariates: number of patients with value 1, and events among them.
    loglik, loglik_null : float
        Efron partial log-likelihood at the estimate and at beta = 0 (R's ``fit$loglik``).
    aic, aic_null : float
        ``-2 loglik + 2 k`` (k = estimated coefficients); ``-2 loglik_null``.
    n, n_events, n_excluded : int
        Rows used, events among them, rows excluded for missing values.
    notes : list of str
        What was done (dropped covariates and why, exclusions).
    """

    covariates: list[str]
    coef: pd.Series
    se: pd.Series
    hr: pd.Series
    ci_low: pd.Series
    ci_high: pd.Series
    z: pd.Series
    p: pd.Series
    estimable: pd.Series
    carriers: pd.Series
    carrier_events: pd.Series
    loglik: float
    loglik_null: float
    n: int
    n_events: int
    n_excluded: int = 0
    notes: list[str] = field(default_factory=list)
    _time: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _event: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _lp: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]

    @property
    def k(self) -> int:
        """Number of estimated coefficients."""
        return int(self.estimable.sum())

    @property
    def aic(self) -> float:
        """``-2 loglik + 2 k`` (R's ``AIC(fit)``)."""
        return -2 * self.loglik + 2 * self.k

    @property
    def aic_null(self) -> float:
        """AIC of the null model, ``-2 loglik_null``."""
        return -2 * self.loglik_null

    @property
    def used_coef(self) -> pd.Series:
        """Coefficients with dropped covariates set to 0 (for linear predictors)."""
        return self.coef.fillna(0.0)

    def baseline(self, ctype: int = 1) -> pd.DataFrame:
        """Baseline (all covariates 0) cumulative hazard and survival at the event times."""
        return baseline_hazard(self._time, self._event, self._lp, ctype=ctype)

    def baseline_survival(self, times, ctype: int = 1) -> np.ndarray:
        """Baseline survival S0(t) at ``times`` as a right-continuous step function.

        ``ctype=1`` matches R ``survfit(fit, newdata = <all 0>, ctype = 1)``
        (Breslow), ``ctype=2`` the Efron-adjusted default.
        """
        b = self.baseline(ctype)
        i = np.searchsorted(b["time"].to_numpy(), np.asarray(times, float), side="right")
        return np.concatenate([[1.0], b["surv"].to_numpy()])[i]

    def predict_survival(self, X: pd.DataFrame, times, ctype: int = 1) -> np.ndarray:
        """Survival ``S0(t) ** exp(x beta)`` for each row of ``X`` (rows) at ``times`` (columns)."""
        lp = np.asarray(X[self.covariates], float) @ self.used_coef.to_numpy()
        s0 = self.baseline_survival(times, ctype)
        return s0[None, :] ** np.exp(lp)[:, None]

    def to_dict(self) -> dict:
        """Per-covariate results and fit summary, JSON-ready (NaN -> None)."""
        def num(x):
            return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else float(x)
        per = {c: {"coef": num(self.coef[c]), "se": num(self.se[c]), "hr": num(self.hr[c]),
                   "ci_low": num(self.ci_low[c]), "ci_high": num(self.ci_high[c]), "p": num(self.p[c]),
                   "estimable": bool(self.estimable[c]),
                   "carriers": None if pd.isna(self.carriers[c]) else int(self.carriers[c]),
                   "carrier_events": None if pd.isna(self.carrier_events[c]) else int(self.carrier_events[c])}
               for c in self.covariates}
        return {"terms": per, "loglik": num(self.loglik), "loglik_null": num(self.loglik_null),
                "aic": num(self.aic), "aic_null": num(self.aic_null), "k": self.k, "n": self.n,
                "n_events": self.n_events, "n_excluded": self.n_excluded, "notes": list(self.notes),
                "ties": "efron"}


def _precheck(X: pd.DataFrame, e: np.ndarray) -> dict[str, str]:
    """Covariates that cannot be estimated, with the reason (before fitting)."""
    bad = {}
    for c in X.columns:
        x = X[c].to_numpy(float)
        if np.all(x == x[0]):
            bad[c] = ("no carriers" if x[0] == 0 else "constant") + f" among the {len(x)} patients used"
            continue
        if np.isin(x, (0.0, 1.0)).all():
            ev_car = int(e[x == 1].sum())
            ev_non = int(e[x == 0].sum())
            if ev_car == 0:
                bad[c] = (f"{int(x.sum())} carrier(s), none with an event: monotone likelihood "
                          "(coefficient may be -infinite)")
            elif ev_non == 0:
                bad[c] = ("no events among non-carriers: monotone likelihood (coefficient may be +infinite)")
    return bad


def fit_cox(df: pd.DataFrame, covariates, duration_col: str, event_col: str, *,
            min_carriers_note: int = 3) -> CoxResult:
    """Fit a Cox model with Efron ties, dropping covariates that cannot be estimated.

    Parameters
    ----------
    df : pandas.DataFrame
        Numeric covariates (0/1 for factors), a duration and a 0/1 event column.
        Rows with a missing value in any used column are excluded (counted in
        ``n_excluded`` and ``notes``).
    covariates : list of str
    duration_col, event_col : str
    min_carriers_note : int
        A 0/1 covariate with at most this many carriers gets a note (estimable but unstable).

    Returns
    -------
    CoxResult

    Raises
    ------
    ValueError
        If no rows or no events remain.

    References
    ----------
    .. [1] R ``survival::coxph(..., ties = "efron")``; lifelines ``CoxPHFitter``.
    .. [2] Heinze G, Schemper M. Biometrics. 2001;57:114-119 (monotone likelihood).
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    covariates = list(covariates)
    cols = covariates + [duration_col, event_col]
    sub = df[cols].apply(pd.to_numeric, errors="coerce")
    complete = sub.notna().all(axis=1).to_numpy()
    n_excl = int((~complete).sum())
    sub = sub.loc[complete]
    notes: list[str] = []
    if n_excl:
        notes.append(f"{n_excl} patient(s) excluded for a missing value in {', '.join(cols)}")
    t = sub[duration_col].to_numpy(float)
    e = sub[event_col].to_numpy(int)
    if len(t) == 0 or e.sum() == 0:
        raise ValueError("no patients with an event: Cox model not estimable")
    X = sub[covariates].astype(float)
    carriers = pd.Series({c: (int((X[c] == 1).sum()) if X[c].isin((0.0, 1.0)).all() else np.nan)
                          for c in covariates}, dtype=float)
    carrier_events = pd.Series({c: (int(e[(X[c] == 1).to_numpy()].sum()) if not np.isnan(carriers[c]) else np.nan)
                                for c in covariates}, dtype=float)
    dropped = _precheck(X, e)
    for c, why in dropped.items():
        notes.append(f"{c}: not estimable ({why}); dropped from the fit")
    for c in covariates:
        if c not in dropped and not np.isnan(carriers[c]) and carriers[c] <= min_carriers_note:
            notes.append(f"{c}: only {int(carriers[c])} carrier(s) ({int(carrier_events[c])} with an event); "
                         "estimate is unstable")
    use = [c for c in covariates if c not in dropped]
    params = pd.Series(np.nan, index=covariates)
    ses = pd.Series(np.nan, index=covariates)
    while True:
        if not use:
            break
        data = pd.concat([X[use], pd.Series(t, index=X.index, name="__t"), pd.Series(e, index=X.index, name="__e")],
                         axis=1)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f = CoxPHFitter(penalizer=0.0)
                f.fit(data, "__t", "__e", fit_options=_FIT_OPTIONS, batch_mode=False)
            b = f.params_.reindex(use)
            s = f.standard_errors_.reindex(use)
            bad = [c for c in use if not np.isfinite(b[c]) or abs(b[c]) > MAX_ABS_COEF or not np.isfinite(s[c])]
            if not bad:
                params[use] = b.to_numpy()
                ses[use] = s.to_numpy()
                break
            worst = max(bad, key=lambda c: abs(b[c]) if np.isfinite(b[c]) else np.inf)
            notes.append(f"{worst}: coefficient may be infinite (|coef| = {abs(b[worst]):.1f} > {MAX_ABS_COEF:g}, "
                         "monotone likelihood); dropped and the model refitted")
        except (ConvergenceError, np.linalg.LinAlgError, ValueError) as err:
            # collinear or separated covariates: drop the one with the fewest events on its rarer side
            def minority_events(c):
                x = X[c].to_numpy()
                return min(e[x == 1].sum(), e[x == 0].sum()) if np.isin(x, (0, 1)).all() else np.inf
            worst = min(use, key=minority_events)
            notes.append(f"{worst}: fit did not converge with it ({type(err).__name__}); dropped and the "
                         "model refitted")
        dropped[worst] = "dropped after fitting"
        use.remove(worst)
    estimable = pd.Series({c: c in use for c in covariates})
    z = 1.959963984540054  # qnorm(0.975)
    lp = X[use].to_numpy(float) @ params[use].to_numpy(float) if use else np.zeros(len(t))
    loglik = efron_loglik(t, e, lp)
    loglik_null = efron_loglik(t, e, np.zeros(len(t)))
    zstat = params / ses
    return CoxResult(
        covariates=covariates, coef=params, se=ses, hr=np.exp(params), ci_low=np.exp(params - z * ses),
        ci_high=np.exp(params + z * ses), z=zstat, p=pd.Series(2 * stats.norm.sf(np.abs(zstat)), index=covariates),
        estimable=estimable, carriers=carriers, carrier_events=carrier_events, loglik=loglik,
        loglik_null=loglik_null, n=len(t), n_events=int(e.sum()), n_excluded=n_excl, notes=notes,
        _time=t, _event=e, _lp=lp)
