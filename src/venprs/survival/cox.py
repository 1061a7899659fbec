"""Cox proportional-hazards fits with Efron ties that match R's ``coxph``, robust to rare factors.

This module is venprs' one Cox engine: the Efron partial likelihood with its
score and information matrix (vectorised over risk sets), a Newton-Raphson fit
that takes R's ``coxfit6`` path (start at 0, centred covariates, step halving when
the log-likelihood gets worse, convergence when ``|1 - loglik_old / loglik_new|
<= 1e-9``; R stops after 20 iterations, we go on to 100 and say so in a note),
R's test for infinite coefficients, the rare-factor policy and the baseline
hazard. Two interfaces:

- :func:`fit_cox` (data frame in, :class:`CoxResult` with standard errors,
  hazard ratios, Wald tests and notes out), for reported analyses;
- :func:`fast_cox` (arrays in, :class:`FastCox` out, about a millisecond per
  fit), for resampling loops (calibration splits, bootstrap).

Both give the same coefficients, log-likelihoods and baselines. They reproduce
``survival::coxph(..., ties = "efron")`` to better than 1e-6 (checked in
``tests/test_survival.py`` against ``tests/r/survival_reference.R``); lifelines'
``CoxPHFitter`` is an independent cross-check in the tests (it is not used here:
it fails with a singular-matrix ``ConvergenceError`` on some estimable rare
factors that R and this fit estimate, e.g. 4 carriers who all have an event).

Registries are small, so a factor may have no carriers, be constant, or be
carried only by patients without an event (monotone likelihood: R warns
"coefficient may be infinite" and reports a huge coefficient). Such covariates
are detected before the fit; after it, a covariate that R would flag ("Loglik
converged before variable ...; coefficient may be infinite": the Newton step
still left, ``|u I^-1|``, exceeds ``1e-9`` and ``sqrt(1e-9) |coef|``), one with
``|coef| >`` :data:`MAX_ABS_COEF`, or the largest one of a fit that does not
converge, is dropped and the model refitted without it, one at a time. A
covariate collinear with earlier ones (R: coefficient ``NA``) is dropped too.
What was done is recorded in ``CoxResult.notes`` / ``FastCox.dropped`` and
``CoxResult.estimable``. Nothing is silently estimated as nonsense. When no
covariate is left the result is the null model (``loglik == loglik_null``).
A cohort without events raises :class:`venprs.InputError`.

Baseline survival is available in both of R's conventions for ``survfit.coxph``:
``ctype=1`` (Breslow / Nelson-Aalen type cumulative hazard, ``sum d / sum exp(lp)``)
and ``ctype=2`` (Efron-adjusted for ties, R's default after an Efron fit). It is the
baseline at covariates = 0 (all factors absent), not R's default at the covariate
means, and it is a right-continuous step function (lifelines interpolates linearly).

References
----------
.. [1] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
   Springer; 2000. (Sections 3.3 ties, 3.5 monotone likelihood, 10.2 baseline/expected survival.)
.. [2] Efron B. The efficiency of Cox's likelihood function for censored data.
   J Am Stat Assoc. 1977;72:557-565.
.. [3] Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox
   regression. Biometrics. 2001;57:114-119.
.. [4] R package ``survival`` 3.5: ``coxph``, ``coxph.control`` (``eps``, ``iter.max``,
   ``toler.chol``, ``toler.inf``), ``coxph.fit``, ``survfit.coxph`` (``ctype``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError

__all__ = ["CoxResult", "FastCox", "fit_cox", "fast_cox", "efron_loglik", "baseline_hazard", "MAX_ABS_COEF"]

#: A fitted |coefficient| above this (hazard ratio beyond e^10) is treated as
#: "may be infinite" (monotone likelihood) and the covariate is dropped.
MAX_ABS_COEF = 10.0
#: R ``coxph.control()`` defaults: ``eps``, ``iter.max``, ``toler.chol``, ``toler.inf``.
EPS = 1e-9
MAX_ITER = 20
#: Iterations allowed before giving up. R stops at ``iter.max = 20`` and warns "Ran out of
#: iterations and did not converge"; the Newton path does not depend on the limit, so a fit
#: that needs more is the fit of ``coxph(..., control = coxph.control(iter.max = 100))``
#: (and gets a note) rather than a non-converged estimate or a dropped, estimable factor.
MAX_ITER_EXTENDED = 100
TOLER_CHOL = np.finfo(float).eps ** 0.75
TOLER_INF = EPS ** 0.5


# ------------------------------------------------------------------ Efron partial likelihood

@dataclass(frozen=True)
class _Ties:
    """Risk sets and tied event times of data sorted by time (ascending)."""

    ev: np.ndarray      # row of each event
    group: np.ndarray   # index of each event's distinct time
    first: np.ndarray   # first row at risk at each event's time
    frac: np.ndarray    # Efron's l / d for the l-th of d tied events (l = 0..d-1)
    starts: np.ndarray  # first event of each distinct time
    times: np.ndarray   # distinct event times


def _ties(time: np.ndarray, event: np.ndarray) -> _Ties:
    ev = np.flatnonzero(event == 1)
    times, d = np.unique(time[ev], return_counts=True)
    starts = np.cumsum(d) - d
    group = np.repeat(np.arange(len(times)), d)
    first = np.searchsorted(time, times, side="left")[group]
    frac = (np.arange(len(ev)) - starts[group]) / d[group]
    return _Ties(ev=ev, group=group, first=first, frac=frac, starts=starts, times=times)


def _rev_cumsum(a: np.ndarray) -> np.ndarray:
    return np.cumsum(a[::-1], axis=0)[::-1]


def _efron(X: np.ndarray | None, lp: np.ndarray, tie: _Ties, deriv: bool = True):
    """Efron log-likelihood (and score ``u``, information matrix ``imat``) at ``lp = X beta``.

    Rows sorted by time, ascending; ``tie`` from :func:`_ties`.
    """
    w = np.exp(lp)
    ev, g, r, a = tie.ev, tie.group, tie.first, tie.frac
    if len(ev) == 0:
        return (0.0, np.zeros(X.shape[1]), np.zeros((X.shape[1],) * 2)) if deriv else 0.0
    s0 = _rev_cumsum(w)[r] - a * np.add.reduceat(w[ev], tie.starts)[g]
    ll = float(lp[ev].sum() - np.log(s0).sum())
    if not deriv:
        return ll
    wx = w[:, None] * X
    s1 = _rev_cumsum(wx)[r] - a[:, None] * np.add.reduceat(wx[ev], tie.starts, axis=0)[g]
    wxx = wx[:, :, None] * X[:, None, :]
    s2 = _rev_cumsum(wxx)[r] - a[:, None, None] * np.add.reduceat(wxx[ev], tie.starts, axis=0)[g]
    m = s1 / s0[:, None]
    u = X[ev].sum(axis=0) - m.sum(axis=0)
    imat = (s2 / s0[:, None, None]).sum(axis=0) - m.T @ m
    return ll, u, imat


def _by_time(time, event, lp) -> tuple[np.ndarray, _Ties]:
    """``lp`` in time order (ascending, stable) and the risk sets of ``time, event``."""
    t = np.asarray(time, float)
    order = np.argsort(t, kind="stable")
    return np.asarray(lp, float)[order], _ties(t[order], np.asarray(event, int)[order])


def efron_loglik(time, event, lp) -> float:
    """Efron partial log-likelihood for linear predictor ``lp`` (R's ``coxph`` loglik)."""
    lp, tie = _by_time(time, event, lp)
    return _efron(None, lp, tie, deriv=False)


def _cumhaz_steps(time, event, lp, ctype: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct event times and the baseline cumulative hazard (``lp = 0``) at them."""
    if ctype not in (1, 2):
        raise ValueError("ctype must be 1 (Breslow) or 2 (Efron)")
    lp, tie = _by_time(time, event, lp)
    w = np.exp(lp)
    if len(tie.ev) == 0:
        return tie.times, np.zeros(0)
    risk = _rev_cumsum(w)[tie.first]
    if ctype == 2:
        risk = risk - tie.frac * np.add.reduceat(w[tie.ev], tie.starts)[tie.group]
    return tie.times, np.cumsum(np.add.reduceat(1.0 / risk, tie.starts))


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
    times, H = _cumhaz_steps(time, event, lp, ctype)
    return pd.DataFrame({"time": times, "cumhaz": H, "surv": np.exp(-H)})


def _step_survival(times: np.ndarray, H: np.ndarray, at) -> np.ndarray:
    """``exp(-H)`` as a right-continuous step function of time (1 before the first step)."""
    i = np.searchsorted(times, np.asarray(at, float), side="right")
    return np.exp(-np.concatenate([[0.0], H])[i])


# ------------------------------------------------------------------ Newton-Raphson (R's coxfit6)

def _singular(imat: np.ndarray) -> list[int]:
    """Columns R's ``cholesky2`` deems singular (collinear with earlier columns), ``toler.chol``."""
    p = len(imat)
    a = imat.astype(float).copy()
    tol = TOLER_CHOL * max(float(np.max(np.abs(np.diag(a)))), 0.0)
    bad = []
    for i in range(p):
        piv = a[i, i]
        if not np.isfinite(piv) or piv <= tol:
            bad.append(i)
            a[i, :] = 0.0
            a[:, i] = 0.0
            continue
        col = a[i + 1:, i] / piv
        a[i + 1:, i + 1:] -= np.outer(col, a[i, i + 1:])
    return bad


def _newton(X: np.ndarray, tie: _Ties, max_iter: int = MAX_ITER, eps: float = EPS):
    """Newton-Raphson as R's ``coxfit6`` (survival 3.5); ``X`` time-sorted and centred.

    Start at 0; converged when a step leaves ``|1 - loglik_best / loglik_new| <= eps``;
    a step that makes the log-likelihood worse (or not finite) is shortened towards the
    best point so far, more each time (1/2, 1/3, ... of the remaining step). Out of
    iterations, the best point so far is returned with ``converged = False``.

    Returns ``beta, loglik, loglik0, u, imat, iterations, converged`` (``u`` and
    ``imat``: score and information at ``beta``).
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # exp overflow: a worse step
        beta = np.zeros(X.shape[1])
        ll, u, imat = _efron(X, X @ beta, tie)
        ll0 = ll
        new = beta + np.linalg.solve(imat, u)
        halving = 0
        for it in range(1, max_iter + 1):
            nll, nu, nimat = _efron(X, X @ new, tie)
            finite = np.isfinite(nll) and np.isfinite(nu).all() and np.isfinite(nimat).all()
            if finite and abs(1 - np.float64(ll) / nll) <= eps:  # 0/0 is NaN (not converged), as in R's C code
                return new, nll, ll0, nu, nimat, it, True
            if not finite or nll < ll:  # worse: shorten the step
                halving += 1
                new = (new + halving * beta) / (halving + 1)
            else:
                halving = 0
                beta, ll, u, imat = new, nll, nu, nimat
                new = beta + np.linalg.solve(imat, u)
        return beta, ll, ll0, u, imat, max_iter, False


def _minority_events(x: np.ndarray, e: np.ndarray) -> float:
    """Events on the rarer side of a 0/1 covariate (inf if not 0/1)."""
    return float(min(e[x == 1].sum(), e[x == 0].sum())) if np.isin(x, (0.0, 1.0)).all() else np.inf


def _precheck(X: np.ndarray, e: np.ndarray) -> dict[int, str]:
    """Columns that cannot be estimated, with the reason (before fitting)."""
    bad = {}
    for j in range(X.shape[1]):
        x = X[:, j]
        if np.all(x == x[0]):
            bad[j] = ("no carriers" if x[0] == 0 else "constant") + f" among the {len(x)} patients used"
            continue
        if np.isin(x, (0.0, 1.0)).all():
            ev_car = int(e[x == 1].sum())
            ev_non = int(e[x == 0].sum())
            if ev_car == 0:
                bad[j] = (f"{int(x.sum())} carrier(s), none with an event: monotone likelihood "
                          "(coefficient may be -infinite)")
            elif ev_non == 0:
                bad[j] = "no events among non-carriers: monotone likelihood (coefficient may be +infinite)"
    return bad


@dataclass
class FastCox:
    """Result of :func:`fast_cox`: coefficients (0 for dropped covariates) and the fit's data.

    Attributes
    ----------
    coef, se : numpy.ndarray
        Coefficients (0 for a dropped covariate) and standard errors (NaN for a dropped one).
    dropped : dict of int to str
        Column index of each dropped covariate and why (a sentence: what was found and what was done).
    loglik, loglik_null : float
        Efron partial log-likelihood at the estimate and at beta = 0.
    iterations : int
        Newton-Raphson iterations of the final fit.
    converged : bool
    notes : list of str
        Remarks on the fit itself (e.g. more iterations than R's default).
    time, event, lp : numpy.ndarray
        The data (input order) and linear predictor ``X coef``.
    """

    coef: np.ndarray
    dropped: dict[int, str]
    loglik: float
    loglik_null: float
    iterations: int
    converged: bool
    time: np.ndarray = field(repr=False)
    event: np.ndarray = field(repr=False)
    lp: np.ndarray = field(repr=False)
    se: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    notes: list[str] = field(default_factory=list)

    @property
    def k(self) -> int:
        """Number of estimated coefficients."""
        return int(len(self.coef) - len(self.dropped))

    def baseline_survival(self, t: float, ctype: int = 2) -> float:
        """Baseline survival S0(t) (all covariates 0) as a right-continuous step function.

        ``ctype=2`` is the Efron-adjusted estimator, R's ``survfit.coxph`` default
        after an Efron fit; ``ctype=1`` Breslow.
        """
        times, H = _cumhaz_steps(self.time, self.event, self.lp, ctype)
        return float(_step_survival(times, H, t))

    def survival_at(self, X: np.ndarray, t: float, ctype: int = 2) -> np.ndarray:
        """Predicted survival ``S0(t) ** exp(X coef)`` at time ``t`` for each row of ``X``."""
        return self.baseline_survival(t, ctype) ** np.exp(np.asarray(X, float) @ self.coef)


def fast_cox(X: np.ndarray, time: np.ndarray, event: np.ndarray) -> FastCox:
    """Fit an Efron Cox model to complete data, dropping non-estimable covariates.

    Parameters
    ----------
    X : float array (n, p) of covariates (0/1 factors)
    time, event : arrays of length n (``event`` 0/1)

    Returns
    -------
    FastCox
        ``coef`` has length p, with 0 for dropped covariates; ``dropped`` maps a
        column index to the reason.

    Raises
    ------
    venprs.InputError
        No patients, no events, or a missing/non-finite value.

    References
    ----------
    .. [1] R ``survival::coxph(..., ties = "efron")``, ``coxph.fit`` (infinite-coefficient check).
    .. [2] Heinze G, Schemper M. Biometrics. 2001;57:114-119 (monotone likelihood).

    Examples
    --------
    Eight patients, one 0/1 factor, two events tied at time 2. R:
    ``coxph(Surv(c(1,2,2,4,5,6,7,8), c(1,1,1,0,1,1,0,1)) ~ c(1,0,1,0,0,1,0,1))`` gives
    coef 0.4083354049 and loglik -8.302017810, -8.202984872 in 3 iterations.

    >>> f = fast_cox([[1], [0], [1], [0], [0], [1], [0], [1]], [1, 2, 2, 4, 5, 6, 7, 8], [1, 1, 1, 0, 1, 1, 0, 1])
    >>> round(float(f.coef[0]), 8), round(f.loglik_null, 8), round(f.loglik, 8), f.iterations
    (0.4083354, -8.30201781, -8.20298487, 3)
    """
    X = np.asarray(X, dtype=float)
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=int)
    n, p = X.shape
    if not (np.isfinite(X).all() and np.isfinite(time).all()):
        raise InputError("Cox model needs complete data: a covariate or time is missing or not finite")
    if n == 0 or event.sum() == 0:
        raise InputError(f"Cox model not estimable: no patients with an event ({n} patients, "
                         f"{int(event.sum())} events)")
    order = np.argsort(time, kind="stable")
    Xs, es = X[order], event[order]
    tie = _ties(time[order], es)
    dropped = {j: f"not estimable ({why}); dropped from the fit" for j, why in _precheck(Xs, es).items()}
    coef = np.zeros(p)
    se = np.full(p, np.nan)
    notes: list[str] = []
    ll0 = _efron(None, np.zeros(n), tie, deriv=False)
    ll, it, conv = ll0, 0, True
    while True:
        use = [j for j in range(p) if j not in dropped]
        if not use:
            ll, it, conv = ll0, 0, True
            break
        Xc = Xs[:, use] - Xs[:, use].mean(axis=0)
        sing = _singular(_efron(Xc, np.zeros(n), tie)[2])
        if sing:
            for i in sing:
                dropped[use[i]] = "collinear with the other covariates (R: coefficient NA); dropped from the fit"
            continue
        try:
            beta, ll, _, u, imat, it, conv = _newton(Xc, tie, max_iter=MAX_ITER_EXTENDED)
            var = np.linalg.inv(imat)
        except np.linalg.LinAlgError:  # singular information during the iterations
            beta, conv, var = np.full(len(use), np.nan), False, None
        if conv and var is not None:
            step = np.abs(u @ var)
            infinite = (step > EPS) & (step > TOLER_INF * np.abs(beta))
        else:
            infinite = np.zeros(len(use), bool)
        big = infinite | ~np.isfinite(beta) | (np.abs(beta) > MAX_ABS_COEF)
        if conv and not big.any():
            coef[use] = beta
            se[use] = np.sqrt(np.diag(var))
            if it > MAX_ITER:
                notes.append(f"the Newton-Raphson fit converged after {it} iterations (R's coxph stops at "
                             f"iter.max = {MAX_ITER} and warns \"Ran out of iterations\"; this is its estimate "
                             f"with iter.max = {MAX_ITER_EXTENDED})")
            break
        size = np.where(np.isfinite(beta), np.abs(beta), np.inf)
        if var is None:  # no usable estimate: the covariate with the fewest events on its rarer side
            i = int(np.argmin([_minority_events(Xs[:, j], es) for j in use]))
        elif big.any():
            i = int(np.argmax(np.where(big, size, -1.0)))
        else:
            i = int(np.argmax(size))
        if var is None:
            why = "fit did not converge with it (singular information matrix); dropped and the model refitted"
        elif big[i]:
            why = (f"coefficient may be infinite (|coef| = {size[i]:.1f}, monotone likelihood; R: \"Loglik "
                   "converged before variable ...; coefficient may be infinite\"); dropped and the model refitted")
        else:
            why = (f"fit did not converge with it in {MAX_ITER_EXTENDED} iterations (largest |coef|, {size[i]:.1f}); "
                   "dropped and the model refitted")
        dropped[use[i]] = why
    return FastCox(coef=coef, dropped=dropped, loglik=float(ll), loglik_null=float(ll0),
                   iterations=it, converged=bool(conv), time=time, event=event, lp=X @ coef, se=se,
                   notes=notes)


# ------------------------------------------------------------------ results

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
        return _step_survival(*_cumhaz_steps(self._time, self._event, self._lp, ctype), times)

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


# ------------------------------------------------------------------ data-frame interface

def fit_cox(df: pd.DataFrame, covariates, duration_col: str, event_col: str, *,
            min_carriers_note: int = 3) -> CoxResult:
    """Fit a Cox model with Efron ties, dropping covariates that cannot be estimated.

    The fit is :func:`fast_cox` (R's ``coxph`` Newton-Raphson and its checks);
    this adds missing-value handling, carrier counts, standard errors, hazard
    ratios with 95% Wald intervals, Wald p-values and notes.

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
        With no estimable covariate, the null model (``loglik == loglik_null``, ``k == 0``).

    Raises
    ------
    venprs.InputError
        If no rows or no events remain (a ``ValueError``).

    References
    ----------
    .. [1] R ``survival::coxph(..., ties = "efron")``.
    .. [2] Heinze G, Schemper M. Biometrics. 2001;57:114-119 (monotone likelihood).
    """
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
        raise InputError(f"no patients with an event: Cox model not estimable ({len(t)} complete patient(s), "
                         "0 events)", column=event_col)
    X = sub[covariates].to_numpy(float)
    binary = [bool(np.isin(X[:, j], (0.0, 1.0)).all()) for j in range(len(covariates))]
    carriers = pd.Series([float((X[:, j] == 1).sum()) if b else np.nan for j, b in enumerate(binary)],
                         index=covariates, dtype=float)
    carrier_events = pd.Series([float(e[X[:, j] == 1].sum()) if b else np.nan for j, b in enumerate(binary)],
                               index=covariates, dtype=float)
    fit = fast_cox(X, t, e)
    notes += [f"{covariates[j]}: {why}" for j, why in fit.dropped.items()] + fit.notes
    for j, c in enumerate(covariates):
        if j not in fit.dropped and binary[j] and carriers[c] <= min_carriers_note:
            notes.append(f"{c}: only {int(carriers[c])} carrier(s) ({int(carrier_events[c])} with an event); "
                         "estimate is unstable")
    estimable = pd.Series([j not in fit.dropped for j in range(len(covariates))], index=covariates)
    params = pd.Series(np.where(estimable, fit.coef, np.nan), index=covariates)
    ses = pd.Series(fit.se, index=covariates)
    z = 1.959963984540054  # qnorm(0.975)
    zstat = params / ses
    return CoxResult(
        covariates=covariates, coef=params, se=ses, hr=np.exp(params), ci_low=np.exp(params - z * ses),
        ci_high=np.exp(params + z * ses), z=zstat, p=pd.Series(2 * stats.norm.sf(np.abs(zstat)), index=covariates),
        estimable=estimable, carriers=carriers, carrier_events=carrier_events, loglik=fit.loglik,
        loglik_null=fit.loglik_null, n=len(t), n_events=int(e.sum()), n_excluded=n_excl, notes=notes,
        _time=t, _event=e, _lp=fit.lp)
