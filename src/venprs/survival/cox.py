"""Cox proportional-hazards fits with Efron ties that equal R's ``coxph``, rare factors included.

This module is venprs' one Cox engine. The fit is R's ``coxph`` (survival 3.5-3)
with its default ``coxph.control()`` (``iter.max = 20``, ``eps = 1e-9``,
``toler.chol = .Machine$double.eps^0.75``, ``toler.inf = sqrt(eps)``), operation by
operation: patients sorted by time (ties in input order), columns outside
{-1, 0, 1} centred and scaled, the Efron sums added up in ``coxfit6``'s order
(as ``numpy.cumsum`` over the same terms), Newton-Raphson from 0 with R's
step-halving, R's ``cholesky2`` / ``chsolve2`` / ``chinv2`` (singular pivots set
to 0), and ``coxph.fit``'s post-processing (NA for singular columns, the
"coefficient may be infinite" test, "Ran out of iterations and did not
converge"). The R sources were read for their order of operations; no code was
copied. Doing R's arithmetic in R's order is what makes a diverging coefficient
(monotone likelihood, e.g. 23.05 after 19 iterations) equal R's to 1e-14, where
an equivalent but differently ordered computation differs by about 1e-6. For
the same reason ``exp``, ``log`` and ``log1p`` of the fit are the C library's, as
R's are, on every CPU (:mod:`venprs.survival.libm`: numpy's AVX-512 code differs
in the last place).

Two interfaces:

- :func:`fit_cox` (data frame in, :class:`CoxResult` with standard errors,
  hazard ratios, Wald tests, flags and notes out), for reported analyses;
- :func:`fast_cox` (arrays in, :class:`FastCox` out, about a millisecond per
  fit), for resampling loops (calibration splits, bootstrap).

Rare factors (``rare_factors``; table in ``docs/evaluation.md``):

- ``"r"`` (default): as R. A factor without information (no carriers, all
  carriers, collinear) gets no coefficient (R: NA, silently; flag ``"na"``) and
  the others are R's; a monotone factor keeps its large estimate (flag
  ``"may_be_infinite"`` with R's warning, verbatim); a fit that needs more than
  20 iterations stops there (``converged = False``, R's "Ran out of iterations
  and did not converge"). Notes quote R's message only where R gives one.
- ``"drop"`` (venprs 0.1): such factors, and a fitted ``|coef| >``
  :data:`MAX_ABS_COEF`, are dropped one at a time and the model refitted (up
  to :data:`MAX_ITER_EXTENDED` iterations; flag ``"dropped"``).

Tested against R in ``tests/test_cox_rare.py`` / ``tests/r/cox_rare_factors.R``
and ``tests/test_survival.py`` / ``tests/r/survival_reference.R``; lifelines'
``CoxPHFitter`` is an independent cross-check in the tests. A cohort without
events raises :class:`venprs.InputError`.

Baseline survival is available in both of R's conventions for ``survfit.coxph``:
``ctype=1`` (Breslow / Nelson-Aalen type cumulative hazard, ``sum d / sum exp(lp)``)
and ``ctype=2`` (Efron-adjusted for ties, R's default after an Efron fit). It is the
baseline at covariates = 0 (all factors absent), not R's default at the covariate
means, and it is a right-continuous step function (lifelines interpolates linearly).
A coefficient R gives as NA counts as 0 in the linear predictor, as in R's
``survfit.coxph`` and ``predict.coxph``. Cumulative hazards and predictions are computed on
the log scale (log-sum-exp over the risk sets, :func:`predicted_survival`), so linear
predictors far from 0 neither under- nor overflow; they equal R's ``cumhaz`` to 1e-10, and
R's ``surv`` except after a diverging fit, where R's centred ``exp(-H) ^ risk`` loses digits
or underflows (``tests/test_awkward_cohorts.py``).

References
----------
.. [1] Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
   Springer; 2000. (Sections 3.3 ties, 3.5 monotone likelihood, 10.2 baseline/expected survival.)
.. [2] Efron B. The efficiency of Cox's likelihood function for censored data.
   J Am Stat Assoc. 1977;72:557-565.
.. [3] Heinze G, Schemper M. A solution to the problem of monotone likelihood in Cox
   regression. Biometrics. 2001;57:114-119.
.. [4] R package ``survival`` 3.5-3: ``coxph``, ``coxph.control`` (``eps``, ``iter.max``,
   ``toler.chol``, ``toler.inf``), ``coxph.fit``, ``survfit.coxph`` (``ctype``); C routines
   ``coxfit6``, ``cholesky2``, ``chsolve2``, ``chinv2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from ..errors import InputError
from . import libm

__all__ = ["CoxResult", "FastCox", "fit_cox", "fast_cox", "efron_loglik", "baseline_hazard",
           "baseline_survival", "predicted_survival", "MAX_ABS_COEF",
           "RARE_FACTORS", "r_infinite_warning"]

#: Policy ``"drop"``: a fitted ``|coefficient|`` above this (hazard ratio beyond e^10) is treated
#: as "may be infinite" (monotone likelihood) and the covariate is dropped.
MAX_ABS_COEF = 10.0
#: R ``coxph.control()`` defaults: ``eps``, ``iter.max``, ``toler.chol``, ``toler.inf``.
EPS = 1e-9
MAX_ITER = 20
#: Iterations allowed by the ``"drop"`` policy (venprs 0.1): a fit that needs more than R's 20
#: is the fit of ``coxph(..., control = coxph.control(iter.max = 100))`` (and gets a note).
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


def _efron(lp: np.ndarray, tie: _Ties) -> float:
    """Efron log-likelihood at ``lp`` (rows sorted by time, ascending; ``tie`` from :func:`_ties`)."""
    w = libm.exp(lp)
    ev, g, r, a = tie.ev, tie.group, tie.first, tie.frac
    if len(ev) == 0:
        return 0.0
    s0 = _rev_cumsum(w)[r] - a * np.add.reduceat(w[ev], tie.starts)[g]
    return float(lp[ev].sum() - libm.log(s0).sum())


def _by_time(time, event, lp) -> tuple[np.ndarray, _Ties]:
    """``lp`` in time order (ascending, stable) and the risk sets of ``time, event``."""
    t = np.asarray(time, float)
    order = np.argsort(t, kind="stable")
    return np.asarray(lp, float)[order], _ties(t[order], np.asarray(event, int)[order])


def efron_loglik(time, event, lp) -> float:
    """Efron partial log-likelihood for linear predictor ``lp`` (R's ``coxph`` loglik).

    Parameters
    ----------
    time : array-like of float
        Follow-up times.
    event : array-like of {0, 1}
        1 for an event at ``time``, 0 for censored.
    lp : array-like of float
        Linear predictor of each patient.

    Returns
    -------
    float
        The log partial likelihood with Efron's handling of tied event times, as ``coxph(ties="efron")``.

    References
    ----------
    .. [1] Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc.
       1977;72:557-565.
    """
    lp, tie = _by_time(time, event, lp)
    return _efron(lp, tie)


def _log_cumhaz_steps(time, event, lp, ctype: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct event times and the log of the baseline cumulative hazard (``lp = 0``) at them.

    On the log scale (log-sum-exp over the risk sets), so that neither ``exp(lp)`` nor the
    hazard over- or underflows when the linear predictors are far from 0 (a diverging fit).
    """
    if ctype not in (1, 2):
        raise ValueError("ctype must be 1 (Breslow) or 2 (Efron)")
    lp, tie = _by_time(time, event, lp)
    if len(tie.ev) == 0:
        return tie.times, np.zeros(0)
    # log of each event's denominator: log sum_{j at risk} exp(lp_j), Efron-adjusted for ctype 2
    log_den = np.logaddexp.accumulate(lp[::-1])[::-1][tie.first]
    if ctype == 2:
        log_d = np.logaddexp.reduceat(lp[tie.ev], tie.starts)[tie.group]
        log_den = log_den + libm.log1p(-tie.frac * libm.exp(log_d - log_den))
    last = np.append(tie.starts[1:], len(tie.ev)) - 1  # last event of each distinct time
    return tie.times, np.logaddexp.accumulate(-log_den)[last]


def _cumhaz_steps(time, event, lp, ctype: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct event times and the baseline cumulative hazard (``lp = 0``) at them."""
    times, log_h = _log_cumhaz_steps(time, event, lp, ctype)
    with np.errstate(over="ignore"):
        return times, np.exp(log_h)


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


def baseline_survival(time: ArrayLike, event: ArrayLike, lp: ArrayLike, times: ArrayLike, ctype: int = 2) -> Any:
    """Baseline survival S0(t) (all covariates 0) of a Cox fit, as a right-continuous step function.

    The one definition behind :meth:`FastCox.baseline_survival` and
    :meth:`CoxResult.baseline_survival`.

    Parameters
    ----------
    time, event : array-like
        The fit's follow-up times and 0/1 events.
    lp : array-like
        The fit's linear predictor ``X coef`` per patient.
    times : float or array-like
        Where to evaluate S0.
    ctype : {1, 2}
        2 (default): the Efron-adjusted cumulative hazard, R's ``survfit.coxph`` default after
        an Efron fit; 1: Breslow (Nelson-Aalen type).

    Returns
    -------
    float or numpy.ndarray
        S0 at ``times`` (a float for a scalar ``times``); 1 before the first event time.

    References
    ----------
    .. [1] Therneau T. A Package for Survival Analysis in R. R package survival 3.5-3,
       ``survfit.coxph`` (arguments ``ctype``, ``newdata``).
    """
    s = _step_survival(*_cumhaz_steps(np.asarray(time, float), np.asarray(event), np.asarray(lp, float), ctype),
                       times)
    return float(s) if np.ndim(times) == 0 else s


def predicted_survival(time: ArrayLike, event: ArrayLike, lp: ArrayLike, times: ArrayLike, lp_new: ArrayLike,
                       ctype: int = 2) -> np.ndarray:
    """Survival ``S(t | x) = exp(-H0(t) exp(x beta))`` of a Cox fit for new linear predictors.

    Equal to ``S0(t) ** exp(lp_new)`` but computed on the log scale, so that it does not
    underflow when the fit's linear predictors are far from 0: with ``lp`` about -20 for
    everyone, ``H0 = 1 / sum exp(lp)`` is about 5e8, ``S0 = exp(-H0)`` is 0 in double
    precision and ``S0 ** exp(lp_new)`` would be 0 for every patient, while the survival is
    ``exp(-H0 exp(lp_new))``, of order 1. R's ``survfit.coxph`` centres the linear predictors
    but then takes ``exp(-H_centred) ^ risk``, which still underflows (or loses digits) after a
    diverging fit; venprs' value is then the exact one (checked in 50-digit arithmetic).

    Parameters
    ----------
    time, event : array-like
        The fit's follow-up times and 0/1 events.
    lp : array-like
        The fit's linear predictor per patient.
    times : array-like
        Where to evaluate (right-continuous steps at the event times).
    lp_new : array-like
        Linear predictors ``x beta`` of the patients to predict for.
    ctype : {1, 2}
        As :func:`baseline_survival` (2: Efron-adjusted, R's default after an Efron fit).

    Returns
    -------
    numpy.ndarray
        ``len(lp_new) x len(times)`` survival probabilities.

    References
    ----------
    .. [1] Therneau T. survival 3.5-3, ``survfit.coxph`` (``ctype``; the centred computation in
       ``coxsurv.fit`` / ``agsurv``).
    """
    times_h, log_h = _log_cumhaz_steps(time, event, lp, ctype)
    at = np.atleast_1d(np.asarray(times, float))
    new = np.atleast_1d(np.asarray(lp_new, float))
    log_h0 = np.concatenate([[-np.inf], log_h])[np.searchsorted(times_h, at, side="right")]
    with np.errstate(over="ignore"):
        return np.exp(-np.exp(log_h0[None, :] + new[:, None]))


def _step_survival(times: np.ndarray, H: np.ndarray, at) -> np.ndarray:
    """``exp(-H)`` as a right-continuous step function of time (1 before the first step)."""
    i = np.searchsorted(times, np.asarray(at, float), side="right")
    return np.exp(-np.concatenate([[0.0], H])[i])


# ------------------------------------------------------------------ R's coxph, operation by operation

#: R ``coxph(nocenter = c(-1, 0, 1))``: a column with only these values is neither centred nor scaled.
NOCENTER = (-1.0, 0.0, 1.0)
#: The two rare-factor policies: ``"r"`` (as R's ``coxph``, the default) and ``"drop"`` (drop and refit).
RARE_FACTORS = ("r", "drop")
#: R's warnings, verbatim (``survival`` 3.5-3, ``coxph.fit``).
R_NOT_CONVERGED = "Ran out of iterations and did not converge"
R_MAYBE_INFINITE_ANY = "one or more coefficients may be infinite"


def r_infinite_warning(columns) -> str:
    """R's warning for coefficients that may be infinite (1-based ``columns``), character for character.

    Parameters
    ----------
    columns : iterable of int
        1-based positions of the covariates whose coefficients diverge (as R numbers them).

    Returns
    -------
    str
        The text of ``coxph``'s warning "Loglik converged before variable ...; coefficient may be infinite."
    """
    return "Loglik converged before variable  " + ",".join(str(int(c)) for c in columns) + \
        " ; coefficient may be infinite. "


@dataclass(frozen=True)
class _Plan:
    """Data sorted by time and the order in which R's ``coxfit6`` adds up each patient's terms.

    R walks the patients from the last time to the first. Within a time, censored
    patients enter the risk-set sums one by one; the deaths are summed apart and
    enter at the end (once, or ``d`` times ``1/d`` of them for ``d`` tied deaths,
    Efron). Every running sum below is a ``numpy.cumsum`` over the same terms in
    the same order, so the floating-point result is R's, not merely close to it.
    """

    X: np.ndarray          # (n, p) sorted; columns outside {-1, 0, 1} centred and scaled as R does
    scale: np.ndarray      # (p,)
    means: np.ndarray      # (p,) 0 for unscaled columns
    main: np.ndarray       # risk-set sum order: patient q (< n) or n + death term t
    term_block: np.ndarray  # death term t -> row of ``dead``
    term_div: np.ndarray   # deaths at that time
    term_pos: np.ndarray   # position of death term t in ``main``
    dead: np.ndarray       # (blocks with deaths, max deaths) patients in R's order, -1 padded
    lls: np.ndarray        # loglik / score order: dying patient q (< n) or n + death term t


def _seqsum(v: np.ndarray) -> float:
    """Left-to-right sum (as a C loop; ``numpy.sum`` sums pairwise)."""
    return float(np.cumsum(v)[-1]) if len(v) else 0.0


def _plan(X: np.ndarray, time: np.ndarray, status: np.ndarray) -> _Plan:
    n, p = X.shape
    X = X.astype(float).copy()
    scale, means = np.ones(p), np.zeros(p)
    for i in range(p):
        if np.isin(X[:, i], NOCENTER).all():
            continue
        means[i] = _seqsum(X[:, i]) / n
        X[:, i] = X[:, i] - means[i]
        s = _seqsum(np.abs(X[:, i]))
        scale[i] = n / s if s > 0 else 1.0
        X[:, i] = X[:, i] * scale[i]
    # R's walk from the last time to the first, vectorised (O(n log n); it was a Python loop over every
    # patient, the slowest step of a Cox fit on large cohorts). Per block of tied times, in descending row
    # order: the censored patients enter ``main`` one by one, then one term n + t per death (t counts the
    # death terms over the whole walk); ``lls`` holds the block's dying patients, then the same terms.
    rev = np.arange(n - 1, -1, -1, dtype=np.int64)
    tr = np.asarray(time)[rev]
    bid = np.cumsum(np.r_[True, tr[1:] != tr[:-1]]) - 1 if n else np.zeros(0, np.int64)
    is_d = np.asarray(status)[rev] == 1
    n_d = int(is_d.sum())
    terms = n + np.arange(n_d, dtype=np.int64)
    val = rev.copy()
    val[is_d] = terms
    main = val[np.argsort(2 * bid + is_d, kind="stable")]
    bid_d = bid[is_d]
    lls_key = np.concatenate([2 * bid_d, 2 * bid_d + 1])
    lls = np.concatenate([rev[is_d], terms])[np.argsort(lls_key, kind="stable")]
    first = np.r_[True, bid_d[1:] != bid_d[:-1]] if n_d else np.zeros(0, bool)
    blocks = np.cumsum(first) - 1
    counts = np.bincount(blocks) if n_d else np.zeros(0, np.int64)
    starts = np.flatnonzero(first)
    rank = np.arange(n_d) - starts[blocks]
    dd = np.full((len(counts), int(counts.max()) if n_d else 0), -1, dtype=np.int64)
    dd[blocks, rank] = rev[is_d]
    pos = np.flatnonzero(main >= n)
    return _Plan(X, scale, means, main.astype(np.int64), blocks.astype(np.int64), counts[blocks].astype(float),
                 pos.astype(np.int64), dd, lls.astype(np.int64))


def _iterate(pl: _Plan, beta) -> tuple[float, np.ndarray, np.ndarray]:
    """Efron log-likelihood, score and information at ``beta`` (R's ``coxfit6_iter``, same operations).

    The information is returned as the full symmetric matrix (R fills one triangle,
    and ``cholesky2`` copies it into the other).
    """
    X = pl.X
    n, p = X.shape
    z = np.zeros(n)
    for i in range(p):
        z = z + beta[i] * X[:, i]
    r = libm.exp(z)
    rx = r[:, None] * X
    rxx = rx[:, :, None] * X[:, None, :]
    nb = len(pl.dead)
    D, A2, C2 = np.zeros(nb), np.zeros((nb, p)), np.zeros((nb, p, p))
    for k in range(pl.dead.shape[1]):
        q = pl.dead[:, k]
        has = q >= 0
        qq = np.where(has, q, 0)
        D = D + np.where(has, r[qq], 0.0)
        A2 = A2 + np.where(has[:, None], rx[qq], 0.0)
        C2 = C2 + np.where(has[:, None, None], rxx[qq], 0.0)
    b, d = pl.term_block, pl.term_div
    den = np.cumsum(np.concatenate([r, D[b] / d])[pl.main])[pl.term_pos]
    a = np.cumsum(np.concatenate([rx, A2[b] / d[:, None]])[pl.main], axis=0)[pl.term_pos]
    c = np.cumsum(np.concatenate([rxx, C2[b] / d[:, None, None]])[pl.main], axis=0)[pl.term_pos]
    mean = a / den[:, None]
    ll = float(np.cumsum(np.concatenate([z, -libm.log(den)])[pl.lls])[-1]) if len(den) else 0.0
    u = np.cumsum(np.concatenate([X, -mean])[pl.lls], axis=0)[-1] if len(den) else np.zeros(p)
    g = np.cumsum((c - mean[:, :, None] * a[:, None, :]) / den[:, None, None], axis=0)[-1] if len(den) \
        else np.zeros((p, p))
    low = np.tril(g)
    return ll, u, low + np.tril(g, -1).T


def _cholesky2(S: np.ndarray, toler: float) -> tuple[list[list[float]], int]:
    """R's ``cholesky2``: LDL' in place, a pivot below ``toler`` x the largest diagonal is set to 0."""
    n = len(S)
    m = [[float(v) for v in row] for row in S]
    big = 0.0
    for i in range(n):
        if m[i][i] > big:
            big = m[i][i]
    tol = toler if big == 0 else big * toler
    rank, nonneg = 0, 1
    for i in range(n):
        piv = m[i][i]
        if not math.isfinite(piv) or piv < tol:
            m[i][i] = 0.0
            if piv < -8 * tol:
                nonneg = -1
            continue
        rank += 1
        for j in range(i + 1, n):
            t = m[j][i] / piv
            m[j][i] = t
            m[j][j] -= t * t * piv
            for k in range(j + 1, n):
                m[k][j] -= t * m[k][i]
    return m, rank * nonneg


def _chsolve2(m: list[list[float]], y) -> list[float]:
    """R's ``chsolve2``: solve with the factor of :func:`_cholesky2` (0 for singular columns)."""
    n = len(m)
    y = [float(v) for v in y]
    for i in range(n):
        t = y[i]
        for j in range(i):
            t -= y[j] * m[i][j]
        y[i] = t
    for i in range(n - 1, -1, -1):
        if m[i][i] == 0:
            y[i] = 0.0
        else:
            t = y[i] / m[i][i]
            for j in range(i + 1, n):
                t -= y[j] * m[j][i]
            y[i] = t
    return y


def _chinv2(m: list[list[float]]) -> None:
    """R's ``chinv2`` (in place): the inverse from the factor, in the upper triangle; 0 for singular rows."""
    n = len(m)
    for i in range(n):
        if m[i][i] > 0:
            m[i][i] = 1 / m[i][i]
            for j in range(i + 1, n):
                m[j][i] = -m[j][i]
                for k in range(i):
                    m[j][k] += m[j][i] * m[i][k]
    for i in range(n):
        if m[i][i] == 0:
            for j in range(i):
                m[j][i] = 0.0
            for j in range(i, n):
                m[i][j] = 0.0
        else:
            for j in range(i + 1, n):
                t = m[j][i] * m[j][j]
                m[i][j] = t
                for k in range(i, j):
                    m[i][k] += t * m[j][k]


@dataclass
class _RFit:
    coef: np.ndarray       # original scale; singular columns 0
    var: np.ndarray
    u: np.ndarray
    loglik: float
    loglik0: float
    iterations: int
    flag: int              # rank, -2 (converged while halving) or 1000 (out of iterations)


def _coxfit(pl: _Plan, maxiter: int = MAX_ITER, eps: float = EPS, toler: float = TOLER_CHOL) -> _RFit:
    """Newton-Raphson as R's ``coxfit6`` (survival 3.5-3), step by step.

    Start at 0; converged when ``|1 - loglik_best / loglik_new| <= eps``; a worse
    (or non-finite) step is pulled back towards the best point, more each time;
    out of iterations, R recomputes the fit at the best point and inverts the raw
    information matrix with ``chinv2`` (which then yields ``1 / diag``): so do we.
    """
    p = pl.X.shape[1]
    beta = [0.0] * p
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ll0, u, S = _iterate(pl, beta)
        m, flag = _cholesky2(S, toler)
        step = _chsolve2(m, u)
        if maxiter == 0 or not math.isfinite(ll0):
            return _finish(pl, m, beta, u, ll0, ll0, 0, flag)
        best = ll0
        new = [beta[i] + step[i] for i in range(p)]
        halving = 0.0
        for it in range(1, maxiter + 1):
            nll, u, S = _iterate(pl, new)
            m, flag = _cholesky2(S, toler)
            finite = math.isfinite(nll) and np.isfinite(u).all() and np.isfinite(np.array(m)).all()
            # C's division: loglik 0 (e.g. one event, alone in its risk set) gives NaN or inf, not an error
            if finite and abs(1 - float(np.divide(best, nll))) <= eps:
                return _finish(pl, m, new, u, nll, ll0, it, -2 if halving else flag)
            if not finite or nll < best:
                halving += 1
                new = [(new[i] + halving * beta[i]) / (halving + 1.0) for i in range(p)]
            else:
                halving = 0.0
                best = nll
                step = _chsolve2(m, u)
                beta = new
                new = [new[i] + step[i] for i in range(p)]
        if maxiter > 1:
            best, u, S = _iterate(pl, beta)
            raw = np.triu(S)
            m = [[float(v) for v in row] for row in raw]
        return _finish(pl, m, beta, u, best, ll0, maxiter + 1, 1000)


def _finish(pl: _Plan, m, beta, u, ll: float, ll0: float, it: int, flag: int) -> _RFit:
    _chinv2(m)
    s = pl.scale
    p = len(s)
    var = np.zeros((p, p))
    for i in range(p):
        var[i, i] = m[i][i] * (s[i] * s[i])
        for j in range(i):
            var[i, j] = var[j, i] = m[j][i] * (s[i] * s[j])
    return _RFit(coef=np.array(beta, float) * s, var=var, u=np.asarray(u, float) / s, loglik=float(ll),
                 loglik0=float(ll0), iterations=int(it), flag=int(flag))


@dataclass
class _RCoxph:
    """R's ``coxph.fit`` after the iterations: NA for singular columns, R's warnings."""

    fit: _RFit
    coef: np.ndarray       # NaN where R gives NA
    se: np.ndarray
    singular: list[int]
    infinite: list[int]
    warnings: list[str]

    @property
    def converged(self) -> bool:
        return self.fit.flag != 1000


def _r_coxph(pl: _Plan, maxiter: int = MAX_ITER) -> _RCoxph:
    f = _coxfit(pl, maxiter=maxiter)
    p = len(f.coef)
    d = np.diag(f.var)
    singular = [i for i in range(p) if d[i] == 0] if f.flag < p else []
    infs = np.abs(f.u @ f.var)
    warnings: list[str] = []
    infinite: list[int] = []
    if maxiter > 1:
        if f.flag == 1000:
            warnings.append(R_NOT_CONVERGED)
            lp = pl.X @ (f.coef / pl.scale)  # R: x %*% coef - sum(coef * means), the centred predictor
            if (len(lp) and lp.max() > 500) or not np.isfinite(infs).all():
                warnings.append(R_MAYBE_INFINITE_ANY)
        else:
            flag = ~np.isfinite(f.u) | ((infs > EPS) & (infs > TOLER_INF * np.abs(f.coef)))
            infinite = [i for i in range(p) if flag[i]]
            if infinite:
                warnings.append(r_infinite_warning([i + 1 for i in infinite]))
    coef = f.coef.copy()
    coef[singular] = np.nan
    with np.errstate(invalid="ignore"):
        se = np.sqrt(d)
    se[singular] = np.nan
    return _RCoxph(f, coef, se, singular, infinite, warnings)


def _why_na(x: np.ndarray, e: np.ndarray, t: np.ndarray) -> str:
    """Why R's Cholesky check found no information in a column (for the notes)."""
    if np.all(x == x[0]):
        if x[0] == 0:
            return f"no carriers among the {len(x)} patients used"
        if x[0] == 1:
            return f"all {len(x)} patients used are carriers"
        return f"constant among the {len(x)} patients used"
    pattern = _pattern(x, e, t)
    if pattern != "monotone likelihood":  # a recognised monotone pattern of a 0/1 factor
        return pattern + "; its information fell below R's toler.chol as the coefficient diverged"
    return "collinear with the other covariates"


def _pattern(x: np.ndarray, e: np.ndarray, t: np.ndarray) -> str:
    """The data pattern behind a monotone likelihood of a 0/1 column (for the notes)."""
    if not np.isin(x, (0.0, 1.0)).all():
        return "monotone likelihood"
    car, ev = int(x.sum()), int(e[x == 1].sum())
    if ev == 0:
        return f"all {car} carrier(s) censored: monotone likelihood"
    if e[x == 0].sum() == 0:
        return f"no events among non-carriers ({car} carrier(s), {ev} with an event): monotone likelihood"
    if t[(x == 1) & (e == 1)].max() < t[(x == 0) & (e == 1)].min():
        return f"the {car} carrier(s) hold only the earliest events: monotone likelihood"
    return "monotone likelihood"


@dataclass
class FastCox:
    """Result of :func:`fast_cox`: coefficients, R's flags and the fit's data.

    Attributes
    ----------
    coef, se : numpy.ndarray
        Coefficients (0 for a covariate without one: R's NA, or dropped) and standard errors (NaN then).
    dropped : dict of int to str
        Column index of each covariate without a coefficient and why (R's NA, or dropped by ``"drop"``).
    flags : dict of int to str
        Per column: ``"na"`` (R: coefficient NA), ``"may_be_infinite"`` (R's warning, estimate kept) or
        ``"dropped"`` (policy ``"drop"``).
    r_warnings : list of str
        R's warnings for this fit, verbatim (``rare_factors="r"`` only; R gives none for an NA).
    loglik, loglik_null : float
        Efron partial log-likelihood at the estimate and at beta = 0.
    iterations : int
        Newton-Raphson iterations of the final fit (R's ``fit$iter``).
    converged : bool
        False when the fit stopped at the iteration limit (R: "Ran out of iterations and did not converge").
    rare_factors : str
        The policy used, ``"r"`` or ``"drop"``.
    notes : list of str
        Remarks on the fit (reasons, the R warning quoted where R gives one).
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
    se: np.ndarray | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)
    flags: dict[int, str] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    r_warnings: list[str] = field(default_factory=list)
    rare_factors: str = "r"

    @property
    def k(self) -> int:
        """Number of estimated coefficients."""
        return int(len(self.coef) - len(self.dropped))

    def flagged(self, names=None) -> list[dict]:
        """Every flag of this fit: ``{column, flag, reason, r_message}`` (column ``None`` for the whole fit).

        With ``names`` (one per column), ``factor`` (the name) replaces ``column``.
        ``r_message`` is R's warning text where R gives one, else ``None``.
        """
        inf = next((w for w in self.r_warnings if w.startswith("Loglik converged")), None)
        out = [{"column": j, "flag": f, "reason": self.reasons.get(j, ""),
                "r_message": inf if f == "may_be_infinite" else None} for j, f in sorted(self.flags.items())]
        if not self.converged:
            out.append({"column": None, "flag": "not_converged",
                        "reason": "stopped at the iteration limit without converging",
                        "r_message": R_NOT_CONVERGED if self.rare_factors == "r" else None})
        if R_MAYBE_INFINITE_ANY in self.r_warnings:
            out.append({"column": None, "flag": "may_be_infinite", "reason": "a coefficient may be infinite",
                        "r_message": R_MAYBE_INFINITE_ANY})
        if names is not None:
            out = [{"factor": None if f["column"] is None else names[f["column"]],
                    **{k: v for k, v in f.items() if k != "column"}} for f in out]
        return out

    def baseline_survival(self, times: ArrayLike, ctype: int = 2) -> Any:
        """Baseline survival S0 at ``times``: :func:`baseline_survival` of this fit's data."""
        return baseline_survival(self.time, self.event, self.lp, times, ctype)

    def survival_at(self, X: np.ndarray, t: float, ctype: int = 2) -> np.ndarray:
        """Predicted survival ``S0(t) ** exp(X coef)`` at time ``t`` for each row of ``X``
        (:func:`predicted_survival`: no underflow when the linear predictors are far from 0)."""
        return predicted_survival(self.time, self.event, self.lp, [t], np.asarray(X, float) @ self.coef, ctype)[:, 0]


def fast_cox(X: np.ndarray, time: np.ndarray, event: np.ndarray, *, rare_factors: str = "r") -> FastCox:
    """Fit an Efron Cox model to complete data as R's ``coxph`` does (or drop rare factors and refit).

    Parameters
    ----------
    X : float array (n, p) of covariates (0/1 factors)
    time, event : arrays of length n (``event`` 0/1)
    rare_factors : {"r", "drop"}
        ``"r"`` (default): R ``coxph(..., ties = "efron")`` with ``coxph.control()``
        (``iter.max = 20``, ``eps = 1e-9``, ``toler.chol = .Machine$double.eps^0.75``,
        ``toler.inf = sqrt(eps)``): a covariate without information (no carriers, all
        carriers, collinear) gets no coefficient (R: NA) and the others are estimated
        with it in the model; a monotone one keeps its large estimate, flagged
        ``"may_be_infinite"`` with R's warning; at 20 iterations the fit stops
        (``converged = False``, R's "Ran out of iterations and did not converge").
        ``"drop"``: venprs 0.1 behaviour - such covariates (and one with
        ``|coef| >`` :data:`MAX_ABS_COEF`) are dropped one at a time and the model
        refitted, with up to :data:`MAX_ITER_EXTENDED` iterations.

    Returns
    -------
    FastCox
        ``coef`` has length p, with 0 for a covariate without a coefficient.

    Raises
    ------
    venprs.InputError
        No patients, no events, a missing/non-finite value, or an unknown policy.

    References
    ----------
    .. [1] R ``survival`` 3.5-3: ``coxph``, ``coxph.fit``, ``coxph.control``; C routines
       ``coxfit6``, ``cholesky2``, ``chsolve2``, ``chinv2`` (read for their order of operations).
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
    if rare_factors not in RARE_FACTORS:
        raise InputError(f"rare_factors must be 'r' or 'drop', not {rare_factors!r}")
    X = np.asarray(X, dtype=float)
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=int)
    n, p = X.shape
    if not (np.isfinite(X).all() and np.isfinite(time).all()):
        raise InputError("Cox model needs complete data: a covariate or time is missing or not finite")
    if n == 0 or event.sum() == 0:
        raise InputError(f"Cox model not estimable: no patients with an event ({n} patients, "
                         f"{int(event.sum())} events)")
    order = np.argsort(time, kind="stable")  # R: order(time), ties in input order
    Xs, ts, es = X[order], time[order], event[order]
    if rare_factors == "drop":
        return _fast_cox_drop(X, time, event, Xs, ts, es)
    r = _r_coxph(_plan(Xs, ts, es))
    reasons, flags = {}, {}
    for j in r.singular:
        flags[j], reasons[j] = "na", f"coefficient NA ({_why_na(Xs[:, j], es, ts)}): R drops it from the fit"
    for j in r.infinite:
        flags[j] = "may_be_infinite"
        reasons[j] = (f"coefficient may be infinite ({_pattern(Xs[:, j], es, ts)}; |coef| = "
                      f"{abs(r.coef[j]):.2f}): estimate kept, as R does")
    notes = [reasons[j] + (f' (R: "{r.warnings[-1].strip()}")' if flags[j] == "may_be_infinite" else "")
             for j in sorted(flags)]
    if not r.converged:
        notes.append(f'the Newton-Raphson fit stopped at R\'s limit of {MAX_ITER} iterations without converging '
                     f'(R: "{R_NOT_CONVERGED}"); the estimate is R\'s, at the last improving step')
    coef = np.nan_to_num(r.coef, nan=0.0)
    return FastCox(coef=coef, dropped={j: reasons[j] for j in r.singular}, loglik=r.fit.loglik,
                   loglik_null=r.fit.loglik0, iterations=r.fit.iterations, converged=r.converged, time=time,
                   event=event, lp=X @ coef, se=r.se, notes=notes, flags=flags, reasons=reasons,
                   r_warnings=list(r.warnings), rare_factors="r")


def _precheck(X: np.ndarray, e: np.ndarray) -> dict[int, str]:
    """Columns that the ``"drop"`` policy removes before fitting, with the reason."""
    bad = {}
    for j in range(X.shape[1]):
        x = X[:, j]
        if np.all(x == x[0]):
            bad[j] = ("no carriers" if x[0] == 0 else "constant") + f" among the {len(x)} patients used"
            continue
        if np.isin(x, (0.0, 1.0)).all():
            if e[x == 1].sum() == 0:
                bad[j] = (f"{int(x.sum())} carrier(s), none with an event: monotone likelihood "
                          "(coefficient may be -infinite)")
            elif e[x == 0].sum() == 0:
                bad[j] = "no events among non-carriers: monotone likelihood (coefficient may be +infinite)"
    return bad


def _minority_events(x: np.ndarray, e: np.ndarray) -> float:
    """Events on the rarer side of a 0/1 covariate (inf if not 0/1)."""
    return float(min(e[x == 1].sum(), e[x == 0].sum())) if np.isin(x, (0.0, 1.0)).all() else np.inf


def _fast_cox_drop(X, time, event, Xs, ts, es) -> FastCox:
    """Policy ``"drop"``: drop non-estimable or runaway covariates one at a time and refit."""
    n, p = X.shape
    dropped = {j: f"not estimable ({why}); dropped from the fit" for j, why in _precheck(Xs, es).items()}
    coef = np.zeros(p)
    se = np.full(p, np.nan)
    notes: list[str] = []
    ll0 = efron_loglik(ts, es, np.zeros(n))
    ll, it, conv = ll0, 0, True
    while True:
        use = [j for j in range(p) if j not in dropped]
        if not use:
            ll, it, conv = ll0, 0, True
            break
        f = _coxfit(_plan(Xs[:, use], ts, es), maxiter=MAX_ITER_EXTENDED)
        sing = [i for i in range(len(use)) if f.var[i, i] == 0] if f.flag < len(use) else []
        if sing:
            for i in sing:
                dropped[use[i]] = "collinear with the other covariates (R: coefficient NA); dropped from the fit"
            continue
        beta, ll, it, conv = f.coef, f.loglik, f.iterations, f.flag != 1000
        if conv:
            step = np.abs(f.u @ f.var)
            infinite = (step > EPS) & (step > TOLER_INF * np.abs(beta))
        else:
            infinite = np.zeros(len(use), bool)
        big = infinite | ~np.isfinite(beta) | (np.abs(beta) > MAX_ABS_COEF)
        if conv and not big.any():
            coef[use] = beta
            se[use] = np.sqrt(np.diag(f.var))
            if it > MAX_ITER:
                notes.append(f"the Newton-Raphson fit converged after {it} iterations (R's coxph, with its "
                             f"default iter.max = {MAX_ITER}, stops before; this is its estimate with "
                             f"iter.max = {MAX_ITER_EXTENDED})")
            break
        size = np.where(np.isfinite(beta), np.abs(beta), np.inf)
        i = int(np.argmax(np.where(big, size, -1.0))) if big.any() else int(np.argmax(size))
        if big[i]:
            why = (f"coefficient may be infinite (|coef| = {size[i]:.1f}, monotone likelihood); dropped and "
                   "the model refitted")
        else:
            why = (f"fit did not converge with it in {MAX_ITER_EXTENDED} iterations (largest |coef|, "
                   f"{size[i]:.1f}); dropped and the model refitted")
        dropped[use[i]] = why
    return FastCox(coef=coef, dropped=dropped, loglik=float(ll), loglik_null=float(ll0), iterations=it,
                   converged=bool(conv), time=time, event=event, lp=X @ coef, se=se, notes=notes,
                   flags={j: "dropped" for j in dropped}, reasons=dict(dropped), rare_factors="drop")


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
        What was done (covariates without a coefficient and why, R's warnings, exclusions).
    flags : dict of str to dict
        Per flagged covariate: ``flag`` (``"na"``, ``"may_be_infinite"``, ``"dropped"``),
        ``reason`` and ``r_message`` (R's warning, verbatim, where R gives one; else ``None``).
    fit_flags : list of dict
        Every flag with its ``factor`` (``None`` for the whole fit, e.g. ``"not_converged"``).
    r_warnings : list of str
        R's warnings for this fit, verbatim (none for an NA: R drops such a column silently).
    converged : bool
        False when R's iteration limit stopped the fit ("Ran out of iterations and did not converge").
    iterations : int
    rare_factors : str
        The rare-factor policy used (``"r"`` or ``"drop"``).
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
    flags: dict[str, dict] = field(default_factory=dict)
    fit_flags: list[dict] = field(default_factory=list)
    r_warnings: list[str] = field(default_factory=list)
    converged: bool = True
    iterations: int = 0
    rare_factors: str = "r"
    _time: np.ndarray | None = field(default=None, repr=False)
    _event: np.ndarray | None = field(default=None, repr=False)
    _lp: np.ndarray | None = field(default=None, repr=False)

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

    def baseline_survival(self, times: ArrayLike, ctype: int = 2) -> Any:
        """Baseline survival S0 at ``times``: :func:`baseline_survival` of this fit's data."""
        assert self._time is not None and self._event is not None and self._lp is not None
        return baseline_survival(self._time, self._event, self._lp, times, ctype)

    def predict_survival(self, X: pd.DataFrame, times, ctype: int = 2) -> np.ndarray:
        """Survival ``S0(t) ** exp(x beta)`` for each row of ``X`` (rows) at ``times`` (columns);
        ``ctype`` as :func:`baseline_survival`."""
        lp = np.asarray(X[self.covariates], float) @ self.used_coef.to_numpy()
        assert self._time is not None and self._event is not None and self._lp is not None
        return predicted_survival(self._time, self._event, self._lp, times, lp, ctype)

    def to_dict(self) -> dict:
        """Per-covariate results and fit summary, JSON-ready (NaN -> None)."""
        def num(x):
            return None if x is None or (isinstance(x, float) and not np.isfinite(x)) else float(x)
        per = {c: {"coef": num(self.coef[c]), "se": num(self.se[c]), "hr": num(self.hr[c]),
                   "ci_low": num(self.ci_low[c]), "ci_high": num(self.ci_high[c]), "p": num(self.p[c]),
                   "estimable": bool(self.estimable[c]),
                   "carriers": None if pd.isna(self.carriers[c]) else int(self.carriers[c]),
                   "carrier_events": None if pd.isna(self.carrier_events[c]) else int(self.carrier_events[c]),
                   "flag": self.flags.get(c, {}).get("flag")}
               for c in self.covariates}
        return {"terms": per, "loglik": num(self.loglik), "loglik_null": num(self.loglik_null),
                "aic": num(self.aic), "aic_null": num(self.aic_null), "k": self.k, "n": self.n,
                "n_events": self.n_events, "n_excluded": self.n_excluded, "notes": list(self.notes),
                "ties": "efron", "rare_factors": self.rare_factors, "converged": bool(self.converged),
                "iterations": int(self.iterations), "r_warnings": list(self.r_warnings),
                "flags": [dict(f) for f in self.fit_flags]}


# ------------------------------------------------------------------ data-frame interface

def fit_cox(df: pd.DataFrame, covariates, duration_col: str, event_col: str, *,
            min_carriers_note: int = 3, rare_factors: str = "r") -> CoxResult:
    """Fit a Cox model with Efron ties as R's ``coxph`` does (or drop rare factors and refit).

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
    rare_factors : {"r", "drop"}
        ``"r"``: as R's ``coxph`` (NA without information, large estimates kept and
        flagged, 20 iterations at most); ``"drop"``: drop and refit (see :func:`fast_cox`).

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
    fit = fast_cox(X, t, e, rare_factors=rare_factors)
    if rare_factors == "drop":
        notes += [f"{covariates[j]}: {why}" for j, why in fit.dropped.items()] + fit.notes
    else:
        notes += [(f"{covariates[j]}: " if j in fit.flags else "") + n_ for j, n_ in
                  zip(sorted(fit.flags), fit.notes)] + fit.notes[len(fit.flags):]
    fit_flags = fit.flagged(covariates)
    flags = {f["factor"]: {k: v for k, v in f.items() if k != "factor"} for f in fit_flags if f["factor"] is not None}
    for j, c in enumerate(covariates):
        if j not in fit.flags and binary[j] and carriers[c] <= min_carriers_note:
            notes.append(f"{c}: only {int(carriers[c])} carrier(s) ({int(carrier_events[c])} with an event); "
                         "estimate is unstable")
    estimable = pd.Series([j not in fit.dropped for j in range(len(covariates))], index=covariates)
    params = pd.Series(np.where(estimable, fit.coef, np.nan), index=covariates)
    ses = pd.Series(fit.se, index=covariates)
    z = 1.959963984540054  # qnorm(0.975)
    zstat = params / ses
    with np.errstate(over="ignore"):  # a coefficient that may be infinite: its CI reaches inf, as in R
        hr, lo, hi = np.exp(params), np.exp(params - z * ses), np.exp(params + z * ses)
    return CoxResult(
        covariates=covariates, coef=params, se=ses, hr=hr, ci_low=lo,
        ci_high=hi, z=zstat, p=pd.Series(2 * stats.norm.sf(np.abs(zstat)), index=covariates),
        estimable=estimable, carriers=carriers, carrier_events=carrier_events, loglik=fit.loglik,
        loglik_null=fit.loglik_null, n=len(t), n_events=int(e.sum()), n_excluded=n_excl, notes=notes,
        flags=flags, fit_flags=fit_flags, r_warnings=list(fit.r_warnings), converged=fit.converged, iterations=fit.iterations,
        rare_factors=rare_factors, _time=t, _event=e, _lp=fit.lp)
