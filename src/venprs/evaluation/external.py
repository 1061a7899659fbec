"""External validation of the published VEN-PRS on one cohort (``venprs validate``).

The published model is applied unchanged (Table 4 coefficients, published
cut-points) and assessed by every measure that TRIPOD and the validation
literature ask for, per endpoint (OS, EFS), at a horizon (default 10 months,
the paper's):

- **Risk groups**: n, events, Kaplan-Meier median with 95% CI per published
  group beside the paper's values, k-group log-rank test
  (:func:`venprs.evaluation.derivation.group_km`).
- **Discrimination**: Harrell's and Uno's C, Heagerty (NNE) and IPCW AUC at the
  horizon, bootstrap CIs (:func:`venprs.evaluation.discrimination.discrimination`).
- **Calibration** (Van Calster et al. 2016 hierarchy): the calibration slope
  (coefficient of ``coxph(Surv ~ score)``, Wald CI); calibration-in-the-large
  at the horizon (observed risk ``1 - KM(h)`` against the mean predicted risk
  ``1 - S0(h)^exp(S)``, O/E with a CI from the Greenwood variance of the
  Kaplan-Meier estimate, E taken as fixed); a smoothed calibration curve with
  ICI/E50/E90 (:func:`venprs.evaluation.calibration.landmark_calibration`,
  Austin et al. 2020); grouped calibration per published group.
- **Overall accuracy**: the IPCW Brier score at the horizon and the IPA (scaled
  Brier, against the Kaplan-Meier null model) with the SE of
  ``riskRegression::Score`` (:func:`brier_ipa`; Graf et al. 1999, Kattan & Gerds 2018).
- **Clinical usefulness**: net benefit at the horizon over risk thresholds,
  survival outcomes by Kaplan-Meier (:func:`net_benefit`, Vickers et al. 2008).
- **Model updating** (Steyerberg 2019, ch. 20): baseline re-estimated with the
  published score as offset; slope-updated score; the factors refitted; each
  with its calibration and discrimination, and likelihood-ratio tests between
  the steps (closed testing).
- **Precision** (:func:`precision`): whether the cohort gives precise estimates,
  against the target CI widths of Riley et al.'s external validation criteria.

Predicted risk needs a baseline survival S0(h), which the paper does not
publish. Either the user's file (``--baseline``) or the venprs reconstruction
in the model file is used; ``baseline.reconstructed`` says which and the report
says it loudly.

References
----------
.. [1] Collins GS, Reitsma JB, Altman DG, Moons KGM. Transparent reporting of a
   multivariable prediction model for individual prognosis or diagnosis (TRIPOD).
   BMJ. 2015;350:g7594.
.. [2] Royston P, Altman DG. External validation of a Cox prognostic model:
   principles and methods. BMC Med Res Methodol. 2013;13:33.
.. [3] Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for risk
   models was defined: from utopia to empirical data. J Clin Epidemiol. 2016;74:167-176.
.. [4] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and
   the integrated calibration index (ICI) for survival models. Stat Med. 2020;39:2714-2742.
.. [5] Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve
   analysis, a novel method for evaluating diagnostic tests, prediction models and
   molecular markers. BMC Med Inform Decis Mak. 2008;8:53.
.. [6] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019 (ch. 20,
   updating for a new setting).
.. [7] Riley RD, Collins GS, Ensor J, et al. Minimum sample size calculations for
   external validation of a clinical prediction model with a time-to-event outcome.
   Stat Med. 2022;41:1280-1295.
.. [8] Riley RD, Debray TPA, Collins GS, et al. Minimum sample size for external
   validation of a clinical prediction model with a binary outcome. Stat Med.
   2021;40:4230-4251.
.. [9] Collins GS, Ogundimu EO, Altman DG. Sample size considerations for the
   external validation of a multivariable prognostic model: a resampling study.
   Stat Med. 2016;35:214-226.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..model import ENDPOINTS, GROUPS, load_model, published_groups_table
from ..prediction import model_baseline
from ..scoring import score_table
from ..survival import fit_cox, kaplan_meier
from ..survival.concordance import censoring_survival_before
from ..survival.cox import baseline_hazard, efron_loglik, fast_cox
from .calibration import landmark_calibration
from .cohort import Cohort
from .derivation import group_km
from .discrimination import PAPER_HORIZON, discrimination, harrell_c, heagerty_auc, ipcw_auc, uno_c

__all__ = ["external_validation", "brier_ipa", "net_benefit", "calibration_slope", "in_the_large", "precision",
           "oe_sample_size", "DEFAULT_THRESHOLDS", "PRECISION_TARGETS"]

#: Risk thresholds of the decision curve (1% to 99%).
DEFAULT_THRESHOLDS = tuple(round(0.01 * k, 2) for k in range(1, 100))

#: Target 95% CI widths of Riley et al. (2021, 2022), the defaults of ``pmvalsampsize``
#: (``oeciwidth = 0.2``, ``csciwidth = 0.2``, ``cstatciwidth = 0.1``); events: Collins et al. 2016
#: ("a minimum of 100 events and ideally 200").
PRECISION_TARGETS = {"oe_ci_width": 0.2, "slope_ci_width": 0.2, "c_ci_width": 0.1, "events_min": 100,
                     "events_ideal": 200}

Z = float(stats.norm.ppf(0.975))


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# ------------------------------------------------------------------ single measures

def km_risk_at(time, event, horizon: float, *, extend: bool = False) -> dict[str, Any]:
    """Observed risk ``1 - KM(horizon)`` with its Greenwood SE and log-transformed 95% CI.

    Not estimable (``risk`` ``None``) when the last follow-up is a censoring
    before the horizon, unless ``extend`` (R ``summary(survfit, times, extend = TRUE)``:
    the last value carried forward).
    """
    t = np.asarray(time, float)
    e = np.asarray(event, float)
    if len(t) == 0:
        return {"risk": None, "se": None, "ci_low": None, "ci_high": None, "surv": None, "n": 0}
    km = kaplan_meier(t, e)
    tab = km.table
    if not extend and tab["time"].iloc[-1] < horizon and tab["surv"].iloc[-1] > 0:
        return {"risk": None, "se": None, "ci_low": None, "ci_high": None, "surv": None, "n": int(len(t)),
                "note": f"last follow-up ({tab['time'].iloc[-1]:g}) is a censoring before {horizon:g} months"}
    i = int(np.searchsorted(tab["time"].to_numpy(), horizon, side="right")) - 1
    if i < 0:
        s, se_h, lo, hi = 1.0, 0.0, 1.0, 1.0
    else:
        s, se_h = float(tab["surv"].iloc[i]), float(tab["std_err"].iloc[i])
        lo, hi = float(tab["lower"].iloc[i]), float(tab["upper"].iloc[i])
    # KM at 0: Greenwood SE not defined (R: summary std.err NaN, lower NA)
    return {"risk": 1.0 - s, "surv": s, "se": _num(s * se_h), "ci_low": _num(1.0 - hi), "ci_high": _num(1.0 - lo),
            "n": int(len(t))}


def calibration_slope(time, event, score) -> dict[str, Any]:
    """Calibration slope: the coefficient of a Cox model on the published score (R ``coxph(Surv ~ score)``).

    1 is ideal; below 1 the published score spreads risks too far (overfitting
    or a weaker effect here), above 1 too little. Efron ties, Wald 95% CI;
    ``p_slope_1`` tests slope = 1 (Wald).

    Parameters
    ----------
    time, event : array-like of float
        Follow-up times (months) and event indicators (1 event, 0 censored).
    score : array-like of float
        The published VEN-PRS score of each patient.

    Returns
    -------
    dict
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_slope_1``, ``loglik`` and ``method``;
        when the coefficient is not finite, ``None`` values and a ``note``.

    References
    ----------
    .. [1] Royston P, Altman DG. BMC Med Res Methodol. 2013;13:33.
    """
    df = pd.DataFrame({"score": np.asarray(score, float), "t": np.asarray(time, float),
                       "e": np.asarray(event, float)})
    fit = fit_cox(df, ["score"], "t", "e")
    b, se = float(fit.coef["score"]), float(fit.se["score"])
    if not np.isfinite(b):
        return {"estimate": None, "se": None, "ci_low": None, "ci_high": None, "p_slope_1": None,
                "note": "not estimable: " + "; ".join(fit.notes)}
    if not (np.isfinite(se) and se > 0):
        # the partial likelihood does not depend on the score (e.g. each event alone in its risk set):
        # R reports coef 0, se 0 (and a Wald p of 0) with "Ran out of iterations"; no slope is estimated
        return {"estimate": None, "se": None, "ci_low": None, "ci_high": None, "p_slope_1": None,
                "note": "not estimable: the partial likelihood does not depend on the score (standard error "
                        f"{se:g})" + ("; " + "; ".join(fit.notes) if fit.notes else "")}
    return {"estimate": b, "se": se, "ci_low": b - Z * se, "ci_high": b + Z * se,
            "p_slope_1": float(2 * stats.norm.sf(abs((b - 1) / se))), "loglik": fit.loglik,
            "notes": list(fit.notes), "method": "Cox model on the published score (Efron ties), Wald 95% CI"}


def in_the_large(time, event, predicted_risk, horizon: float) -> dict[str, Any]:
    """Calibration-in-the-large at ``horizon``: observed ``1 - KM(h)`` vs mean predicted risk.

    ``oe_ratio`` = observed / expected; its 95% CI is
    ``exp(ln(O/E) +/- 1.96 SE)`` with ``SE = SE(O) / O`` (Greenwood SE of the
    Kaplan-Meier estimate, delta method; E treated as fixed), as in Riley et al.'s
    criterion for O/E.

    Parameters
    ----------
    time, event : array-like of float
        Follow-up times (months) and event indicators (1 event, 0 censored).
    predicted_risk : array-like of float
        Predicted risk ``1 - S(horizon)`` of each patient; ``E`` is their mean.
    horizon : float
        Horizon in months.

    Returns
    -------
    dict
        ``horizon_months``, ``observed`` (``1 - KM(h)``) with ``observed_ci``, ``expected``,
        ``difference`` (O - E), ``oe_ratio`` with ``oe_ci_low``, ``oe_ci_high`` and
        ``se_log_oe``; ``None`` where not estimable (then ``note`` says why; O/E needs O > 0).

    References
    ----------
    .. [1] Riley RD, Debray TPA, Collins GS, et al. Stat Med. 2021;40:4230-4251.
    """
    obs = km_risk_at(time, event, horizon)
    exp_ = float(np.mean(predicted_risk)) if len(predicted_risk) else float("nan")
    out: dict[str, Any] = {"horizon_months": horizon, "observed": obs["risk"], "observed_ci": [obs["ci_low"],
                                                                                             obs["ci_high"]],
                           "expected": _num(exp_), "oe_ratio": None, "oe_ci_low": None, "oe_ci_high": None,
                           "se_log_oe": None, "difference": None}
    if obs["risk"] is None or not exp_ > 0:
        out["note"] = obs.get("note", "not estimable")
        return out
    o = obs["risk"]
    out["difference"] = o - exp_
    if o > 0:
        oe = o / exp_
        out["oe_ratio"] = oe
        if obs["se"] is not None:
            se_log = obs["se"] / o
            out.update(se_log_oe=se_log, oe_ci_low=oe * math.exp(-Z * se_log), oe_ci_high=oe * math.exp(Z * se_log))
        else:
            out["note"] = "observed risk 1 (Kaplan-Meier 0): no Greenwood SE, so no CI of O/E"
    return out


def _brier_terms(t, e, risk, horizon: float) -> tuple[np.ndarray, float | None]:
    """IPCW Brier residuals of each patient (riskRegression ``Brier.survival``) and the SE of their mean.

    Events by the horizon: ``(1 - risk)^2 / G(T-)``; alive beyond it: ``risk^2 / G(h)``; censored by
    the horizon: 0. The SE is ``sd(IF) / sqrt(N)`` with the influence function of the mean residual
    plus the term of the Kaplan-Meier estimate of G (riskRegression
    ``getInfluenceFunctionBrierKMCensoringTerm``: censoring hazard ``C(u) / N(u)`` with ``N(u)`` every
    patient with ``T >= u``). G is never 0 where a weight needs it: G reaches 0 only at a time when
    every patient still at risk (after that time's events) is censored, so nobody is left to weigh;
    the SE is ``None`` for one patient.
    """
    n = len(t)
    g_before = censoring_survival_before(t, e, t)
    g_h = float(censoring_survival_before(t, e, [np.nextafter(horizon, np.inf)])[0])
    case = (t <= horizon) & (e == 1)
    alive = t > horizon
    res = np.zeros(n)
    res[case] = (1 - risk[case]) ** 2 / g_before[case]
    res[alive] = risk[alive] ** 2 / g_h
    if n < 2:
        return res, None
    u, inv = np.unique(t, return_inverse=True)
    tot = np.bincount(inv, minlength=len(u)).astype(float)
    cens = tot - np.bincount(inv, weights=e, minlength=len(u))
    at_risk = n - np.concatenate([[0.0], np.cumsum(tot)[:-1]])
    # a(u): the residuals whose weight G(s) has u in its product (u < T for events, u <= h beyond h)
    rc = np.bincount(inv, weights=np.where(case, res, 0.0), minlength=len(u))
    a = np.cumsum(rc[::-1])[::-1] - rc + np.where(u <= horizon, res[alive].sum(), 0.0)
    f = a / at_risk
    cum = np.cumsum(f * cens / at_risk)
    infl = res - res.mean() + np.where(e == 0, f[inv], 0.0) - cum[inv]
    return res, float(np.std(infl, ddof=1) / math.sqrt(n))


def brier_ipa(time, event, predicted_risk, horizon: float) -> dict[str, Any]:
    """IPCW Brier score at ``horizon`` of the model and of the null model, and the IPA.

    The Brier score is the mean squared difference between the event status by the
    horizon and the predicted risk, each patient weighted by the inverse of the
    reverse Kaplan-Meier (censoring) survival G: an event at ``T <= h`` counts
    ``(1 - r)^2 / G(T-)``, a patient still at risk after ``h`` counts ``r^2 / G(h)``,
    a censoring by ``h`` counts 0 (Graf et al. 1999). At a time with events and
    censorings, the events leave the risk set of G first. The null model predicts
    every patient the Kaplan-Meier risk ``1 - KM(h)`` of this cohort. IPA (index
    of prediction accuracy, Kattan & Gerds 2018) is ``1 - Brier_model / Brier_null``:
    0 no better than the null model, 1 perfect, negative worse. As
    ``riskRegression::Score(list(model = risk), Hist(time, status) ~ 1, times = h,
    metrics = "brier", summary = "ipa", cens.model = "km", null.model = TRUE)``,
    including its standard error (``sd`` of the influence function over ``sqrt(N)``,
    with the term of the estimated censoring distribution; the predicted risks,
    also the null model's, taken as fixed) and 95% CI.

    Parameters
    ----------
    time, event : array-like of float
        Follow-up times (months) and event indicators (1 event, 0 censored).
    predicted_risk : array-like of float
        Predicted risk ``1 - S(horizon)`` of each patient.
    horizon : float
        Horizon in months.

    Returns
    -------
    dict
        ``horizon_months``; ``model`` and ``null`` each with ``brier``, ``se``, ``ci_low``, ``ci_high``
        (95%, clipped to [0, 1] as ``Score``) and ``ipa``; ``method``. Not estimable (every value ``None``
        and a ``note``): the horizon after the last follow-up (``Score`` computes nothing there: the
        censoring survival G(h) is not defined, NA). IPA ``None`` with a ``note`` when the null model's
        Brier score is 0 (``Score``: -Inf for the model, NaN for the null model).

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Assessment and comparison of prognostic
       classification schemes for survival data. Stat Med. 1999;18:2529-2545.
    .. [2] Kattan MW, Gerds TA. The index of prediction accuracy: an intuitive measure useful for
       evaluating risk prediction models. Diagn Progn Res. 2018;2:7.
    .. [3] Gerds TA, Kattan MW. Medical Risk Prediction Models: With Ties to Machine Learning. CRC
       Press; 2021 (riskRegression ``Score``, 2022.11.28).

    Examples
    --------
    Four patients, all events (times 1, 3, 4, 5, so G = 1), horizon 2, every predicted risk 0.5:
    Brier = 0.25. The null model predicts the Kaplan-Meier risk 1/4: (0.75^2 + 3 * 0.25^2) / 4 = 0.1875,
    so IPA = 1 - 0.25 / 0.1875 = -1/3 (worse than knowing only the cohort's risk).

    >>> r = brier_ipa([1, 3, 4, 5], [1, 1, 1, 1], [0.5, 0.5, 0.5, 0.5], 2)
    >>> round(r["model"]["brier"], 6), round(r["null"]["brier"], 6), round(r["model"]["ipa"], 6)
    (0.25, 0.1875, -0.333333)
    """
    t = np.asarray(time, float)
    e = np.asarray(event, float)
    r = np.asarray(predicted_risk, float)
    empty = {"brier": None, "se": None, "ci_low": None, "ci_high": None, "ipa": None}
    out: dict[str, Any] = {"horizon_months": horizon, "model": dict(empty), "null": dict(empty),
                           "method": ("IPCW Brier score (Graf et al. 1999), reverse Kaplan-Meier weights G(T-) "
                                      "for events and G(h) for those at risk at h; null model: Kaplan-Meier risk; "
                                      "IPA = 1 - Brier / Brier(null) (Kattan & Gerds 2018); as riskRegression::Score")}
    if len(t) == 0 or horizon > t.max():
        out["note"] = ("not estimable: the horizon is after the last follow-up"
                       + (f" ({t.max():g} months)" if len(t) else "") + " (riskRegression::Score computes nothing)")
        return out
    null_risk = km_risk_at(t, e, horizon, extend=True)["risk"]
    for key, risk in (("model", r), ("null", np.full(len(t), null_risk))):
        res, se = _brier_terms(t, e, risk, horizon)
        b = float(res.mean())
        out[key].update(brier=b, se=se, ci_low=None if se is None else max(0.0, b - Z * se),
                        ci_high=None if se is None else min(1.0, b + Z * se))
    bn = out["null"]["brier"]
    if bn > 0:
        out["model"]["ipa"] = 1 - out["model"]["brier"] / bn
        out["null"]["ipa"] = 0.0
    else:
        out["note"] = "IPA not defined: the null model's Brier score is 0 (Score: -Inf for the model, NaN for null)"
    return out


def net_benefit(time, event, predicted_risk, horizon: float, thresholds=DEFAULT_THRESHOLDS) -> dict[str, Any]:
    """Decision curve for a survival outcome at ``horizon`` (Vickers et al. 2008, Kaplan-Meier).

    For a threshold ``p_t``, "treat" the patients with predicted risk >= ``p_t``
    (proportion ``P``); with ``S`` the Kaplan-Meier survival at the horizon among
    them, true positives = ``(1 - S) P`` and false positives = ``S P`` per patient,
    and ``NB = (1 - S) P - S P p_t / (1 - p_t)``. Treat all: the same with
    everyone. Treat none: 0. The Kaplan-Meier value at the horizon is carried
    forward when a subgroup's last follow-up is a censoring before the horizon
    (R ``summary(survfit, times, extend = TRUE)``); no patient treated gives NB 0.

    Parameters
    ----------
    time, event : array-like of float
        Follow-up times (months) and event indicators (1 event, 0 censored).
    predicted_risk : array-like of float
        Predicted risk at ``horizon`` of each patient.
    horizon : float
        Horizon in months.
    thresholds : iterable of float
        Risk thresholds ``p_t`` (each below 1; default 0.01 to 0.99).

    Returns
    -------
    dict
        ``horizon_months``, ``thresholds``, ``net_benefit: {model, treat_all, treat_none}``,
        ``treated`` (proportion at each threshold), ``method``.

    Examples
    --------
    Four patients, horizon 2: times 1, 3, 4, 5, all events; predicted risk 0.8,
    0.6, 0.3, 0.1. At p_t = 0.5 two are treated, KM among them S(2) = 1/2:
    NB = 0.5 * 0.5 - 0.5 * 0.5 * 1 = 0. At p_t = 0.2 three are treated, S(2) = 2/3:
    NB = 1/3 * 3/4 - 2/3 * 3/4 * 1/4 = 0.125.

    >>> r = net_benefit([1, 3, 4, 5], [1, 1, 1, 1], [0.8, 0.6, 0.3, 0.1], 2, thresholds=[0.5, 0.2])
    >>> [round(v, 6) for v in r["net_benefit"]["model"]]
    [0.0, 0.125]

    References
    ----------
    .. [1] Vickers AJ, Cronin AM, Elkin EB, Gonen M. BMC Med Inform Decis Mak. 2008;8:53.
    .. [2] Vickers AJ, Elkin EB. Decision curve analysis. Med Decis Making. 2006;26:565-574.
    """
    t = np.asarray(time, float)
    e = np.asarray(event, float)
    r = np.asarray(predicted_risk, float)
    n = len(t)
    th = np.asarray(list(thresholds), float)

    def nb(mask, pt):
        k = int(mask.sum())
        if k == 0:
            return 0.0
        s = km_risk_at(t[mask], e[mask], horizon, extend=True)["surv"]
        p = k / n
        return float((1 - s) * p - s * p * pt / (1 - pt))

    everyone = np.ones(n, bool)
    model = [nb(r >= pt, pt) for pt in th]
    all_ = [nb(everyone, pt) for pt in th]
    return {"horizon_months": horizon, "thresholds": th.tolist(),
            "net_benefit": {"model": model, "treat_all": all_, "treat_none": [0.0] * len(th)},
            "treated": [float((r >= pt).mean()) for pt in th],
            "method": "Kaplan-Meier net benefit (Vickers et al. 2008); KM carried forward past the last follow-up"}


def oe_sample_size(risk: float, oe: float = 1.0, ci_width: float = PRECISION_TARGETS["oe_ci_width"]) -> int:
    """Minimum N for a precise O/E (Riley et al. 2021, criterion 1), with the horizon risk as the outcome proportion.

    ``N = (1 - phi) / (phi * SE^2)``, where ``SE`` is the ``SE(ln O/E)`` giving a
    95% CI of ``ci_width`` around ``oe``: ``oe * (exp(1.96 SE) - exp(-1.96 SE)) = ci_width``,
    i.e. ``SE = asinh(ci_width / (2 oe)) / 1.96``. With censoring before the
    horizon more patients are needed (a lower bound for time-to-event data).

    Parameters
    ----------
    risk : float
        Outcome proportion ``phi`` (the risk at the horizon), between 0 and 1.
    oe : float
        Anticipated O/E ratio.
    ci_width : float
        Target width of the 95% CI of O/E (default 0.2, ``pmvalsampsize``'s).

    Returns
    -------
    int
        The minimum number of patients (rounded up).

    Raises
    ------
    ValueError
        ``risk`` is not strictly between 0 and 1.

    References
    ----------
    .. [1] Riley RD, Debray TPA, Collins GS, et al. Stat Med. 2021;40:4230-4251.

    Examples
    --------
    Risk 0.5, O/E 1, CI width 0.2: SE = asinh(0.1) / 1.95996 = 0.050937, N = 0.5 / (0.5 * 0.050937^2) = 385.4:

    >>> oe_sample_size(0.5)
    386
    """
    if not 0 < risk < 1:
        raise ValueError(f"risk must be between 0 and 1, not {risk}")
    se = math.asinh(ci_width / (2 * oe)) / Z
    return int(math.ceil((1 - risk) / (risk * se * se) - 1e-9))


def precision(n: int, events: int, oe: dict, slope: dict, disc: dict) -> dict[str, Any]:
    """Whether this cohort estimates the key measures precisely (Riley et al. 2021, 2022).

    Compares the achieved 95% CI widths of O/E, calibration slope and Harrell's
    C with the targets in :data:`PRECISION_TARGETS`, and the number of events
    with Collins et al. (2016). For each measure ``n_needed`` extrapolates the
    achieved width by ``SE ~ 1/sqrt(N)`` (``n * (width / target)^2``); for O/E also
    the closed-form criterion :func:`oe_sample_size` (no censoring before the horizon).

    Parameters
    ----------
    n : int
        Patients used.
    events : int
        Events among them.
    oe : dict
        :func:`in_the_large` result (``oe_ci_low``, ``oe_ci_high``, ``observed``, ``oe_ratio``).
    slope : dict
        :func:`calibration_slope` result (``ci_low``, ``ci_high``).
    disc : dict
        :meth:`venprs.evaluation.discrimination.Discrimination.to_dict` result (``c_harrell``'s ``ci``).

    Returns
    -------
    dict
        ``n``, ``events``, ``events_min``, ``events_ideal``, ``enough_events``, ``measures``
        (per measure ``ci_width``, ``target``, ``met``, ``n_needed``; O/E also
        ``n_needed_closed_form``), ``adequate`` (every target met and enough events) and ``method``.

    References
    ----------
    .. [1] Riley RD, Debray TPA, Collins GS, et al. Stat Med. 2021;40:4230-4251.
    .. [2] Riley RD, Collins GS, Ensor J, et al. Stat Med. 2022;41:1280-1295.
    .. [3] Collins GS, Ogundimu EO, Altman DG. Stat Med. 2016;35:214-226.
    """
    T = PRECISION_TARGETS
    items: dict[str, Any] = {}

    def item(name, lo, hi, target):
        if lo is None or hi is None:
            items[name] = {"ci_width": None, "target": target, "met": None, "n_needed": None}
            return
        w = float(hi - lo)
        items[name] = {"ci_width": w, "target": target, "met": bool(w <= target + 1e-9),
                       "n_needed": int(math.ceil(n * (w / target) ** 2 - 1e-9))}

    item("oe_ratio", oe.get("oe_ci_low"), oe.get("oe_ci_high"), T["oe_ci_width"])
    if oe.get("observed") and 0 < oe["observed"] < 1:
        items["oe_ratio"]["n_needed_closed_form"] = oe_sample_size(oe["observed"], oe.get("oe_ratio") or 1.0)
    item("calibration_slope", slope.get("ci_low"), slope.get("ci_high"), T["slope_ci_width"])
    ch = disc.get("c_harrell", {}).get("ci", [None, None]) if isinstance(disc, dict) else [None, None]
    item("c_harrell", ch[0], ch[1], T["c_ci_width"])
    met = [v["met"] for v in items.values() if v["met"] is not None]
    return {"n": n, "events": events, "events_min": T["events_min"], "events_ideal": T["events_ideal"],
            "enough_events": events >= T["events_min"], "measures": items,
            "adequate": bool(met) and all(met) and events >= T["events_min"],
            "method": ("achieved 95% CI widths against Riley et al.'s targets (O/E 0.2, slope 0.2, C 0.1); "
                       "events against Collins et al. 2016 (>= 100, ideally 200)")}


# ------------------------------------------------------------------ discrimination point estimates

def _discrimination_points(t, e, marker, horizon: float) -> dict[str, float | None]:
    auc_i, _ = ipcw_auc(t, e, marker, horizon)
    return {"c_harrell": _num(harrell_c(t, e, marker)), "c_uno": _num(uno_c(t, e, marker)),
            "auc_heagerty": _num(heagerty_auc(t, e, marker, horizon)), "auc_ipcw": _num(auc_i)}


def _calibration_points(t, e, pred_surv, horizon: float) -> dict[str, Any]:
    itl = in_the_large(t, e, 1 - pred_surv, horizon)
    try:
        lm = landmark_calibration(t, e, pred_surv, horizon)
        ici, e50, e90 = lm["ici"], lm["e50"], lm["e90"]
    except ValueError:
        ici = e50 = e90 = None
    return {"expected": itl["expected"], "observed": itl["observed"], "oe_ratio": itl["oe_ratio"],
            "ici": ici, "e50": e50, "e90": e90}


def _s0_at(time, event, lp, horizon: float) -> float:
    """Efron-adjusted baseline survival at ``horizon`` with ``lp`` as a fixed offset (R survfit default)."""
    b = baseline_hazard(time, event, lp, ctype=2)
    i = int(np.searchsorted(b["time"].to_numpy(), horizon, side="right")) - 1
    return 1.0 if i < 0 else float(b["surv"].iloc[i])


def model_updating(t, e, s, X, factors, horizon: float, published_disc: dict[str, Any],
                   published_cal: dict[str, Any], slope: dict[str, Any],
                   published_coef: dict[str, float] | None = None) -> dict[str, Any]:
    """Three updates of the published model (Steyerberg 2019, ch. 20) with their performance.

    1. ``recalibrated_baseline``: S0 re-estimated here with the published score
       as a fixed offset; weights and ranking unchanged (discrimination identical).
    2. ``slope_updated``: ``coxph(Surv ~ score)``; the score times the slope, its
       baseline; ranking unchanged when the slope is positive.
    3. ``refit``: the endpoint's factors refitted on this cohort (apparent
       performance, optimistic).

    Likelihood-ratio tests: slope vs offset (df 1) and refit vs slope (df k - 1).
    """
    out: dict[str, Any] = {"published": {**published_cal, **published_disc}}
    ll_offset = efron_loglik(t, e, s)
    s0 = _s0_at(t, e, s, horizon)
    pred = s0 ** np.exp(s)
    out["recalibrated_baseline"] = {"baseline_survival_at_horizon": s0, "loglik": ll_offset,
                                    **_calibration_points(t, e, pred, horizon), **published_disc,
                                    "note": "baseline re-estimated with the published score as offset "
                                            "(Efron-adjusted Breslow); same ranking, so discrimination is unchanged"}
    b = slope.get("estimate")
    if b is not None:
        lp = b * s
        s0b = _s0_at(t, e, lp, horizon)
        predb = s0b ** np.exp(lp)
        disc_b = published_disc if b > 0 else _discrimination_points(t, e, lp, horizon)
        ll_slope = slope["loglik"]
        chi = max(0.0, 2 * (ll_slope - ll_offset))
        out["slope_updated"] = {"slope": b, "baseline_survival_at_horizon": s0b, "loglik": ll_slope,
                                **_calibration_points(t, e, predb, horizon), **disc_b,
                                "lr_vs_recalibrated": {"chisq": chi, "df": 1, "p": float(stats.chi2.sf(chi, 1))}}
    ok = np.all(np.isfinite(X), axis=1)
    fit = fast_cox(X[ok], t[ok], e[ok].astype(int))
    lp_r = X[ok] @ fit.coef
    pred_r = fit.survival_at(X[ok], horizon, ctype=2)
    refit: dict[str, Any] = {"coefficients": {f: (None if j in fit.dropped else float(fit.coef[j]))
                                              for j, f in enumerate(factors)},
                             "published_coefficients": published_coef,
                             "dropped": [factors[j] for j in fit.dropped], "loglik": float(fit.loglik), "k": fit.k,
                             **_calibration_points(t[ok], e[ok], pred_r, horizon),
                             **_discrimination_points(t[ok], e[ok], lp_r, horizon),
                             "note": "apparent performance (same patients as the fit): optimistic"}
    if "slope_updated" in out and ok.all():
        df = max(1, fit.k - 1)
        chi = max(0.0, 2 * (fit.loglik - out["slope_updated"]["loglik"]))
        refit["lr_vs_slope_updated"] = {"chisq": chi, "df": df, "p": float(stats.chi2.sf(chi, df))}
    out["refit"] = refit
    return out


# ------------------------------------------------------------------ everything

def _baseline_for(endpoint: str, baseline) -> tuple[Any, bool, str]:

    if baseline is not None and endpoint in baseline:
        b = baseline[endpoint]
        return b, False, getattr(b, "source", "user-supplied")
    b = model_baseline(endpoint)
    return b, True, b.source


def external_validation(cohort: Cohort, *, horizon: float = PAPER_HORIZON, baseline: dict | None = None,
                        n_boot: int = 500, seed: int = 1, thresholds=DEFAULT_THRESHOLDS,
                        resampling: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate the published VEN-PRS on ``cohort`` (all measures; see the module docstring).

    Parameters
    ----------
    cohort : Cohort
        From :func:`venprs.evaluation.cohort.prepare_cohort` (times in months).
    horizon : months for AUC, calibration and the decision curve (paper: 10).
    baseline : dict ``{endpoint: StepBaseline}`` (:func:`venprs.prediction.load_baseline`)
        or ``None`` for the reconstructed (unpublished) baseline in the model file.
    n_boot, seed : bootstrap resamples and seed of the discrimination CIs.
    thresholds : risk thresholds of the decision curve.
    resampling : where the bootstrap runs: keywords ``backend``, ``n_jobs``, ``scheduler``, ``progress`` of
        :func:`venprs.evaluation.discrimination.discrimination` (default: one core).

    Returns
    -------
    dict
        JSON-ready: ``groups``, ``discrimination``, ``calibration``, ``brier`` (:func:`brier_ipa`), ``decision_curve``,
        ``model_updating``, ``precision``, ``baseline``, ``patients`` (each by endpoint),
        ``horizon_months``. Documented in ``docs/results-json.md``.
    """

    d = cohort.data
    sc = score_table(d, missing_columns="unknown")
    pub = {ep: published_groups_table(ep) for ep in ENDPOINTS}
    m = load_model()
    out: dict[str, Any] = {"horizon_months": horizon, "groups": {}, "discrimination": {}, "calibration": {},
                           "brier": {}, "decision_curve": {}, "model_updating": {}, "precision": {},
                           "baseline": {}, "patients": {}}
    for ep in ENDPOINTS:
        t = d[f"{ep}_months"].to_numpy(float)
        e = d[f"{ep}_event"].to_numpy(float)
        grp = sc[f"{ep}_group"].astype(object).fillna("").to_numpy(object)
        gk = group_km(cohort, ep, grp)
        gres = dict(gk.results)
        for g in GROUPS:
            gres[g] = {**gres[g], "paper": {k: pub[ep][g].get(k) for k in ("n", "median", "ci_low", "ci_high")}}
        gres["paper_logrank_p"] = pub[ep].get("logrank_p")
        out["groups"][ep] = {"published": gres}
        s = sc[f"{ep}_score"].to_numpy(float)
        has_outcome = np.isfinite(t) & np.isfinite(e)
        ok = has_outcome & np.isfinite(s)
        out["patients"][ep] = {"n": int(len(d)), "with_outcome": int(has_outcome.sum()), "used": int(ok.sum()),
                               "without_score": int((has_outcome & ~np.isfinite(s)).sum()),
                               "without_group": int((has_outcome & (grp == "")).sum()),
                               "events": int(e[ok].sum()),
                               "events_by_horizon": int(((t <= horizon) & (e == 1) & ok).sum())}
        tt, ee, ss = t[ok], e[ok], s[ok]
        disc = discrimination(tt, ee, ss, horizon, n_boot=n_boot, seed=seed, **(resampling or {})).to_dict()
        disc["marker"] = "published VEN-PRS score"
        out["discrimination"][ep] = disc
        base, recon, source = _baseline_for(ep, baseline)
        s0 = float(base.surv0([horizon])[0])
        out["baseline"][ep] = {"source": source, "reconstructed": recon, "survival_at_horizon": s0}
        pred_surv = s0 ** np.exp(ss)
        risk = 1 - pred_surv
        slope = calibration_slope(tt, ee, ss)
        itl = in_the_large(tt, ee, risk, horizon)
        try:
            curve = landmark_calibration(tt, ee, pred_surv, horizon)
        except ValueError as err:
            curve = {"skipped": f"not estimable: {err}"}
        grouped = {}
        gok = grp[ok]
        for g in GROUPS:
            mk = gok == g
            o = km_risk_at(tt[mk], ee[mk], horizon)
            grouped[g] = {"n": int(mk.sum()), "predicted": _num(risk[mk].mean()) if mk.any() else None,
                          "observed": o["risk"], "observed_ci": [o["ci_low"], o["ci_high"]]}
        out["calibration"][ep] = {"slope": slope, "in_the_large": itl, "curve": curve, "grouped": grouped,
                                  "baseline_reconstructed": recon, "scale": "risk = 1 - survival at the horizon"}
        out["brier"][ep] = brier_ipa(tt, ee, risk, horizon)
        out["decision_curve"][ep] = net_benefit(tt, ee, risk, horizon, thresholds)
        pub_disc = {"c_harrell": disc["c_harrell"]["estimate"], "c_uno": disc["c_uno"]["estimate"]}
        auc = next(v for k, v in disc.items() if k.startswith("auc_"))
        pub_disc.update(auc_heagerty=auc["heagerty"]["estimate"], auc_ipcw=auc["ipcw"]["estimate"])
        pub_cal = {"expected": itl["expected"], "observed": itl["observed"], "oe_ratio": itl["oe_ratio"],
                   "ici": curve.get("ici"), "e50": curve.get("e50"), "e90": curve.get("e90")}
        factors = m.endpoints[ep].factors
        X = d[list(factors)].to_numpy(float)[ok]
        coef = {term.factor: float(term.coefficient) for term in m.endpoints[ep].terms}
        out["model_updating"][ep] = model_updating(tt, ee, ss, X, factors, horizon, pub_disc, pub_cal, slope, coef)
        out["precision"][ep] = precision(int(ok.sum()), int(ee.sum()), itl, slope, disc)
    return out
