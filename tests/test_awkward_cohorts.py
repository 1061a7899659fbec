"""Every R-pinned statistic on small awkward cohorts: n = 2..10, ties, zero times, rare factors, no events.

Reference values: tests/data/awkward_reference.json, written by tests/r/awkward_reference.R
(R 4.2.2, survival 3.5-3, survivalROC 1.0.3.1, timeROC 0.4, riskRegression 2022.11.28; versions
in its ``meta``), which also writes the cohorts, tests/data/awkward_cohorts.csv. Per cohort and
at three horizons (one past the last time, an event time, the middle of follow-up):

    survfit(Surv(time, event) ~ 1, conf.type = "log" / "log-log" / "plain"); quantile(fit, 0.5)
    survfit(Surv(time, 1 - event) ~ 1)                         # reverse KM (median follow-up)
    coxph(Surv(time, event) ~ rcs(cloglog(pred), k)); survfit(fit, newdata = d)   # landmark ICI
    summary(survfit(...), times = h, extend = FALSE / TRUE)    # S(h), number at risk
    survdiff(Surv(time, event) ~ g)
    coxph(Surv(time, event) ~ f1 + f2 + x), coxph(... ~ x)     # Efron; survfit(fit, newdata = 0)
    AIC(coxph(Surv(time, event) ~ factor(g))) - AIC(coxph(Surv(time, event) ~ 1))
    concordance(Surv(time, event) ~ m, reverse = TRUE [, timewt = "n/G2" [, ymax = h]])
    survivalROC(..., predict.time = h, method = "NNE", span = 0.5 and 0.25 n^-0.2)
    timeROC(..., cause = 1, weighting = "marginal", times = h)
    Score(list(m), Surv(time, event) ~ 1, times = h, metrics = "auc", cens.model = "km")

Where R stops with an error or returns NA/NaN, venprs' stated result is asserted instead
(``R_EDGE`` below says which and why). Tolerance: 1e-10 relative (1e-9 absolute for Cox
coefficients that R reports as about 1e-16 instead of 0).
"""

import json
import math
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from venprs.errors import InputError
from venprs.evaluation.aic import aic_delta
from venprs.evaluation.calibration import km_at, landmark_calibration
from venprs.evaluation.discrimination import harrell_c, heagerty_roc, ipcw_auc, uno_c
from venprs.survival import fit_cox, kaplan_meier, logrank, reverse_km_median_followup
from venprs.survival.cox import baseline_survival, predicted_survival

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "awkward_reference.json").read_text())
COHORTS = pd.read_csv(DATA / "awkward_cohorts.csv")
NAMES = list(REF["cohorts"])
SPAN = REF["meta"]["nne_span"]
RTOL = 1e-10
R_NOT_CONVERGED = "Ran out of iterations and did not converge"
_NONFINITE = {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}


def _num(v):
    """R's JSON value (``na = "string"``) as a float array; "NA"/"NaN" -> NaN."""
    if isinstance(v, (list, np.ndarray)):
        return np.array([_num(x) for x in v], float)
    if isinstance(v, str):
        return _NONFINITE[v]
    return math.nan if v is None else float(v)


def _close(r, p, atol=0.0):
    """R value ``r`` and venprs value ``p``: same shape, NaN where R has NA/NaN, else equal to RTOL."""
    r = np.atleast_1d(_num(r))
    p = np.atleast_1d(np.array([math.nan if x is None else x for x in np.atleast_1d(p)], float))
    assert r.shape == p.shape, (r, p)
    assert (np.isnan(r) == np.isnan(p)).all(), (r, p)
    fin = ~np.isnan(r)
    np.testing.assert_allclose(p[fin], r[fin], rtol=RTOL, atol=atol)


def _data(name):
    d = COHORTS[COHORTS["cohort"] == name].reset_index(drop=True)
    return d, d["time"].to_numpy(float), d["event"].to_numpy(int)


def _is_error(v) -> bool:
    return isinstance(v, dict) and "error" in v


def _horizons(name):
    return list(REF["cohorts"][name]["horizons"].items())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("key,conf_type", [("km", "log"), ("km_loglog", "log-log"), ("km_plain", "plain"),
                                           ("reverse_km", None)])
def test_kaplan_meier_table_median_and_ci(name, key, conf_type):
    _, t, e = _data(name)
    r = REF["cohorts"][name][key]
    km = kaplan_meier(t, e, conf_type=conf_type) if conf_type else reverse_km_median_followup(t, e)
    for col in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"):
        _close(r[col], km.table[col].to_numpy(float))
    _close(r["median"], km.median)
    _close(r["lcl"], km.ci[0])
    _close(r["ucl"], km.ci[1])


@pytest.mark.parametrize("name", NAMES)
def test_number_at_risk_and_survival_at_horizons(name):
    _, t, e = _data(name)
    r = REF["cohorts"][name]["at_risk"]
    km = kaplan_meier(t, e)
    times = np.atleast_1d(_num(r["times"]))
    _close(r["n_risk"], km.at_risk(times))
    _close(r["surv"], km.survival_at(times))


@pytest.mark.parametrize("name", NAMES)
def test_km_at_horizon(name):
    """``km_at`` = ``summary(survfit, times = h, extend = FALSE)$surv``.

    Past the last follow-up R gives no row (an error); venprs states NaN when the curve
    is still above 0 there and 0 when the last follow-up was an event that took it to 0
    (the estimate is 0 from then on).
    """
    _, t, e = _data(name)
    for hk, h in _horizons(name):
        r = REF["cohorts"][name]["km_at"][hk]
        got = km_at(t, e, h)
        if _is_error(r):
            assert h > t.max() and "no points selected" in r["error"]
            assert got == 0.0 if kaplan_meier(t, e).table["surv"].iloc[-1] == 0 else math.isnan(got)
        else:
            _close(r["surv"], got)


@pytest.mark.parametrize("name", NAMES)
def test_logrank_equals_survdiff(name):
    _, t, e = _data(name)
    d = COHORTS[COHORTS["cohort"] == name]
    r = REF["cohorts"][name]["logrank"]
    if _is_error(r) and "only 1 group" in r["error"]:
        with pytest.raises(ValueError, match="at least two groups"):
            logrank(t, e, d["g"].to_numpy())
        return
    chi2, df, p = logrank(t, e, d["g"].to_numpy())
    if _is_error(r):  # R: solve() of a singular covariance (every patient has an event at one time)
        assert "singular" in r["error"] and math.isnan(chi2) and math.isnan(p)
        return
    _close(r["chisq"], chi2)
    if _num(r["df"]) < 0:  # no events: R reports df = -1, p = NaN; venprs df = 0, p = NaN
        assert (chi2, df) == (0.0, 0) and math.isnan(p)
        return
    assert df == r["df"]
    _close(r["p"], p)


def test_logrank_leaves_out_groups_without_expected_events():
    """survdiff drops a group censored before the first event; lifelines 0.27 kept it (df 2, p 0.237)."""
    r = REF["cohorts"]["group_censored_early"]["logrank"]
    assert _num(r["expected"])[0] == 0 and r["df"] == 1
    _, t, e = _data("group_censored_early")
    chi2, df, p = logrank(t, e, COHORTS[COHORTS["cohort"] == "group_censored_early"]["g"].to_numpy())
    assert df == 1 and p == pytest.approx(0.0895550744136428, rel=RTOL)
    _, t, e = _data("one_group_exposed")
    assert logrank(t, e, COHORTS[COHORTS["cohort"] == "one_group_exposed"]["g"].to_numpy()) == (0.0, 0, 1.0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("key,covariates", [("cox_efron", ["f1", "f2", "x"]), ("cox_x", ["x"])])
def test_cox_equals_coxph(name, key, covariates):
    d, t, e = _data(name)
    r = REF["cohorts"][name][key]
    if e.sum() == 0:  # R: every coefficient NA, loglik 0; venprs refuses a fit without events
        assert np.isnan(np.atleast_1d(_num(r["coef"]))).all()
        with pytest.raises(InputError, match="no patients with an event"):
            fit_cox(d, covariates, "time", "event")
        return
    fit = fit_cox(d, covariates, "time", "event")
    _close(r["coef"], fit.coef.to_numpy(), atol=1e-9)
    _close(r["se"], fit.se.to_numpy(), atol=1e-9)
    _close(r["loglik"], [fit.loglik_null, fit.loglik])
    _close(r["aic"], fit.aic)
    _close(r["p"], fit.p.to_numpy())  # Wald p and 95% CI of exp(coef), as summary(fit)
    _close(r["ci_low"], fit.ci_low.to_numpy())
    _close(r["ci_high"], fit.ci_high.to_numpy())
    bt = np.atleast_1d(_num(r["base_time"]))
    diverged = R_NOT_CONVERGED in r.get("warnings", [])
    for ctype, sfx in ((2, ""), (1, "_ctype1")):
        s0 = fit.baseline_survival(bt, ctype=ctype)
        base = fit.baseline(ctype=ctype)  # cumulative hazard at the event times (a step function)
        H = np.concatenate([[0.0], base["cumhaz"]])[np.searchsorted(base["time"], bt, side="right")]
        r_h = np.atleast_1d(_num(r["base_cumhaz" + sfx]))
        if diverged:
            # R's centred exp() over- or underflows after a diverging fit: compare where it is finite and > 0
            ok = np.isfinite(r_h) & (r_h > 0)
            np.testing.assert_allclose(H[ok], r_h[ok], rtol=1e-6)
        else:
            _close(r_h, H)
        # S0 = exp(-H0): to RTOL in H0, i.e. RTOL * H0 relative in S0
        r_s = _r_surv_from_cumhaz(r, sfx)
        ok = np.isfinite(r_s) & (r_s > 0) & ~np.isnan(s0)
        np.testing.assert_allclose(s0[ok], r_s[ok], rtol=(1e-6 if diverged else RTOL) * max(1.0, np.max(H[ok], initial=1.0)))
        assert np.isfinite(s0).all()


def _r_surv_from_cumhaz(r, sfx):
    """R's baseline survival, with exp(-cumhaz) where R's survival is not exp(-(its own cumhaz)).

    R computes ``survfit(fit, newdata)$surv`` as ``exp(-cumhaz_centred) ^ risk``: after a
    diverging fit the centred cumulative hazard exceeds about 745 and ``exp`` underflows to 0
    (or is so close to 1 that the power loses digits), although R's own ``cumhaz`` at the new
    data is, e.g., 2.142 (``group_censored_early``, survival 0.117). venprs gives ``exp(-cumhaz)``.
    """
    surv, H = np.atleast_1d(_num(r["base_surv" + sfx])), np.atleast_1d(_num(r["base_cumhaz" + sfx]))
    consistent = np.isclose(surv, np.exp(-H), rtol=1e-9 * np.maximum(1.0, H), atol=0)
    return np.where(consistent | ~np.isfinite(H), surv, np.exp(-H))


def test_cox_baseline_where_r_underflows():
    """The two fits where R's baseline survival underflows (both "Ran out of iterations")."""
    for name, key in (("group_censored_early", "cox_efron"), ("n2_both_events", "cox_x")):
        r = REF["cohorts"][name][key]
        assert r["warnings"] == ["Ran out of iterations and did not converge"]
        assert (_r_surv_from_cumhaz(r, "") != np.atleast_1d(_num(r["base_surv"]))).sum() == 1
    r = REF["cohorts"]["group_censored_early"]["cox_efron"]
    assert r["warnings"] == ["Ran out of iterations and did not converge"]
    assert _num(r["base_surv"])[2] == 0 and _num(r["base_cumhaz"])[2] == pytest.approx(2.142431, rel=1e-6)
    d, _, _ = _data("group_censored_early")
    s0 = fit_cox(d, ["f1", "f2", "x"], "time", "event").baseline_survival(2.0)
    assert s0 == pytest.approx(math.exp(-_num(r["base_cumhaz"])[2]), rel=RTOL)


@pytest.mark.parametrize("name", NAMES)
def test_aic_delta(name):
    d, t, e = _data(name)
    r = REF["cohorts"][name]["aic"]
    got = aic_delta(d["g"].to_numpy(), t, e)
    if _is_error(r):  # R: "contrasts can be applied only to factors with 2 or more levels"
        assert "2 or more levels" in r["error"] and got["delta"] is None
        assert any("fewer than two groups" in n for n in got["notes"])
        return
    if e.sum() == 0:  # R: a fit without events, AIC 0 - 0; venprs states no comparison
        assert got["delta"] is None and any("no events" in n for n in got["notes"])
        return
    _close(r["delta"], got["delta"])
    assert got["k"] == r["k"]


MARKER_CASES = [(name, marker) for name in NAMES for marker in ("x", "score")]


def _marker_case(name, marker):
    d, t, e = _data(name)
    return t, e, d[marker].to_numpy(float), REF["cohorts"][name]


@pytest.mark.parametrize("name,marker", MARKER_CASES)
def test_concordance(name, marker):
    t, e, x, c = _marker_case(name, marker)
    _close(c["c_harrell"][marker], harrell_c(t, e, x))
    _close(c["c_uno"][marker], uno_c(t, e, x))
    for hk, h in _horizons(name):
        _close(c["c_uno_ymax"][hk][marker], uno_c(t, e, x, tau=h))


@pytest.mark.parametrize("name,marker", MARKER_CASES)
def test_time_dependent_auc(name, marker):
    """survivalROC NNE, timeROC and Score; where R stops, venprs gives NaN with a note."""
    t, e, x, c = _marker_case(name, marker)
    for hk, h in _horizons(name):
        for key, span in (("nne", SPAN), ("nne_default", None)):  # None: 0.25 n^-0.2
            nne = heagerty_roc(t, e, x, h, span=span)
            r = c[key][hk][marker]
            if _is_error(r):  # survivalROC: no event at or before h
                assert not ((e == 1) & (t <= h)).any() and math.isnan(nne["auc"]) and nne["note"]
            else:
                _close(r["auc"], nne["auc"])
                _close(r["survival"], nne["survival"])
        _close(c["timeroc"][hk][marker], ipcw_auc(t, e, x, h, cases="timeROC")[0])
        auc, note = ipcw_auc(t, e, x, h, cases="Score")
        r = c["score_auc"][hk][marker]
        if _is_error(r):  # Score: "No evaluation time before end of followup" (or no events)
            assert h > t.max() and math.isnan(auc) and note
        else:
            _close(r, auc)


@pytest.mark.parametrize("name", NAMES)
def test_landmark_calibration(name):
    """ICI/E50/E90 as tests/r/landmark_calibration.R (spline or linear term by venprs' rule).

    Two stated differences: past the last follow-up R stops (``summary(..., times)`` has
    no row) and venprs carries the last value forward with a note; after a diverging fit
    (R: "Ran out of iterations" or |coef| > 20, linear predictors of hundreds) R's centred ``exp``
    over- or underflows and every observed survival is 1 (or 0), while venprs' log-scale value is the
    exact one (:func:`test_predicted_survival_far_from_zero`).
    """
    _, t, e = _data(name)
    pred = COHORTS.loc[COHORTS["cohort"] == name, "pred"].to_numpy(float)
    for hk, h in _horizons(name):
        r = REF["cohorts"][name]["landmark"][hk]
        if e.sum() == 0:
            with pytest.raises(ValueError, match="no patients with an event"):
                landmark_calibration(t, e, pred, h)
            continue
        got = landmark_calibration(t, e, pred, h)
        if _is_error(r):
            assert h > t.max() and "no points selected" in r["error"]
            assert any("after the last follow-up" in n for n in got["notes"])
            continue
        assert r["spline"] == (not any("no spline" in n for n in got["notes"]))
        obs = np.atleast_1d(_num(r["observed"]))
        rtol = RTOL
        if R_NOT_CONVERGED in r.get("warnings", []):
            assert any(R_NOT_CONVERGED in n for n in got["notes"])
        if r.get("warnings") or np.max(np.abs(_num(r["coef"]))) > 20:
            # a diverging or monotone fit (linear predictors in the hundreds): R's centred
            # exp(-H) ^ risk breaks down (every observed survival 0, or every one 1, even after a
            # converged fit) or loses digits (up to 1.8e-3 relative in ICI on 350 random cohorts,
            # e.g. R 0.369349 for an exact exp(-1)); venprs' value equals 50-digit arithmetic
            if len(np.unique(obs)) == 1 and obs[0] in (0, 1):
                continue
            rtol = 1e-2
        for k in ("ici", "e50", "e90"):
            np.testing.assert_allclose(got[k], _num(r[k]), rtol=rtol)


def _survival_by_pairs(time, event, lp, t, lp_new):
    """exp(-H(t | x)) with Efron increments 1 / sum_j exp(lp_j - lp_x), in 50-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 50
        out = []
        for x in lp_new:
            H = Decimal(0)
            for u in np.unique(time[(event == 1) & (time <= t)]):
                risk = sum(Decimal(float(v - x)).exp() for v in lp[time >= u])
                ties = [Decimal(float(v - x)).exp() for v in lp[(time == u) & (event == 1)]]
                H += sum(1 / (risk - Decimal(k) / len(ties) * sum(ties)) for k in range(len(ties)))
            out.append(float((-H).exp()))
    return np.array(out)


@pytest.mark.parametrize("name", ["censored_after", "tied_ev_cens", "random_05", "last_is_event"])
@pytest.mark.parametrize("scale", [1.0, 40.0, 300.0])
def test_predicted_survival_far_from_zero(name, scale):
    """S(t | x) for linear predictors of tens to hundreds (S0 ** exp(lp) under- or overflows there)."""
    _, t, e = _data(name)
    lp = scale * COHORTS.loc[COHORTS["cohort"] == name, "x"].to_numpy(float) - scale
    h = float(np.median(t))
    got = predicted_survival(t, e, lp, [h], lp)[:, 0]
    np.testing.assert_allclose(got, _survival_by_pairs(t, e, lp, h, lp), rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("shift", [-1000.0, 1000.0])
def test_baseline_with_linear_predictors_beyond_the_range_of_exp(shift):
    """|lp| about 1000 (exp(lp) is 0 or inf in double precision): S0 and S(t | x) exact, never NaN.

    Before the log-scale computation the Efron baseline was NaN here for ``shift = 1000``
    (inf - inf in the tied-event adjustment; ``random_56`` of a 150-cohort run of
    tests/r/awkward_reference.R with seed 7, where R gives cumhaz 0).
    """
    t, e = np.array([1.0, 2.0, 2.0, 3.0, 4.0]), np.array([1, 1, 1, 0, 1])
    lp = shift + np.array([0.0, -1.0, 0.5, -2.0, -3.0])
    s_exact = 1.0 if shift > 0 else 0.0  # H0 = e^-1000-ish or e^+1000-ish
    for ctype in (1, 2):
        assert baseline_survival(t, e, lp, [0.5, 1.0, 4.0], ctype).tolist() == [1.0, s_exact, s_exact]
    got = predicted_survival(t, e, lp, [3.5], lp)[:, 0]
    np.testing.assert_allclose(got, _survival_by_pairs(t, e, lp, 3.5, lp), rtol=1e-12)
