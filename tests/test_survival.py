"""venprs.survival against R's survival package.

Reference values: ``tests/r/survival_reference.R`` (R survival 3.5) run on
``tests/data/survival_cohort.csv`` (made by ``tests/data/make_survival_cohort.py``),
stored in ``tests/data/survival_reference.json``. R is not needed to run these tests.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from venprs.survival import fit_cox, kaplan_meier, logrank, reverse_km_median_followup
from venprs.survival.cox import baseline_hazard

DATA = Path(__file__).parent / "data"
R = json.loads((DATA / "survival_reference.json").read_text())
COHORT = pd.read_csv(DATA / "survival_cohort.csv")

# the inputs of the hand-made KM cases, exactly as in tests/r/survival_reference.R
KM_CASES = {
    "cohort": (COHORT.time, COHORT.event),
    "group_c": (COHORT.time[COHORT.group == "c"], COHORT.event[COHORT.group == "c"]),
    "flat_half": (np.arange(1, 11), np.ones(10)),
    "flat_half_last": ([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 0, 0, 0, 0]),
    "not_reached": (np.arange(1, 11), [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
    "ties": ([2, 2, 2, 3, 3, 5, 5, 5, 8, 8, 9, 12], [1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0]),
}


def arr(x):
    return np.array([np.nan if v is None else v for v in np.atleast_1d(x)], dtype=float)


@pytest.mark.parametrize("case", list(KM_CASES))
def test_km_table_matches_survfit(case):
    ref = R["km"][case]
    km = kaplan_meier(*KM_CASES[case])
    tab = km.table
    np.testing.assert_allclose(tab.time, arr(ref["time"]))
    np.testing.assert_array_equal(tab.n_risk, arr(ref["n_risk"]))
    np.testing.assert_array_equal(tab.n_event, arr(ref["n_event"]))
    np.testing.assert_allclose(tab.surv, arr(ref["surv"]), rtol=0, atol=1e-12)
    # R's std.err is Inf once survival is 0; JSON stores it as null
    np.testing.assert_allclose(tab.std_err.replace(np.inf, np.nan), arr(ref["std_err"]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(tab.lower, arr(ref["lower"]), rtol=0, atol=1e-12)  # NaN where R has NA
    np.testing.assert_allclose(tab.upper, arr(ref["upper"]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", list(KM_CASES))
def test_km_median_and_ci_match_quantile_survfit(case):
    ref = R["km"][case]
    km = kaplan_meier(*KM_CASES[case])
    assert km.median == ref["median"]
    assert km.ci == (ref["lcl"], ref["ucl"])


def test_km_averaging_rule_examples():
    # R: survival exactly 0.5 on [5, 6) -> median (5 + 6) / 2 = 5.5 (quantile.survfit)
    assert R["km"]["flat_half"]["median"] == 5.5 == kaplan_meier(np.arange(1, 11), np.ones(10)).median
    # R: 0.5 until the last (censored) time 8 -> (4 + 8) / 2 = 6
    assert R["km"]["flat_half_last"]["median"] == 6 == kaplan_meier(*KM_CASES["flat_half_last"]).median


def test_km_survival_at_is_right_continuous_step():
    km = kaplan_meier(*KM_CASES["ties"])
    tab = km.table
    assert km.survival_at(0) == 1.0
    assert km.survival_at(1.999) == 1.0
    assert km.survival_at(2.0) == pytest.approx(tab.surv[0])
    assert km.survival_at(4.5) == pytest.approx(tab.surv[1])  # flat between 3 and 5
    np.testing.assert_allclose(km.survival_at([2, 3, 5]), tab.surv[:3])


def test_km_same_estimate_as_lifelines():
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter().fit(COHORT.time, COHORT.event)
    km = kaplan_meier(COHORT.time, COHORT.event)
    t = km.table.time.to_numpy()
    np.testing.assert_allclose(km.survival_at(t), kmf.survival_function_at_times(t).to_numpy(), atol=1e-12)


@pytest.mark.parametrize("conf_type", ["log-log", "plain"])
def test_km_other_conf_types_match_survfit(conf_type):
    ref = R["km_other_ci"][conf_type]  # survfit(..., conf.type = conf_type)
    km = kaplan_meier(COHORT.time, COHORT.event, conf_type=conf_type)
    np.testing.assert_allclose(km.table.lower, arr(ref["lower"]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(km.table.upper, arr(ref["upper"]), rtol=0, atol=1e-12)
    assert km.median == ref["median"] and km.ci == (ref["lcl"], ref["ucl"])


def test_reverse_km_followup():
    ref = R["followup"]  # survfit(Surv(time, 1 - event) ~ 1)
    fu = reverse_km_median_followup(COHORT.time, COHORT.event)
    assert fu.median == ref["median"]
    assert fu.ci == (ref["lcl"], ref["ucl"])


def test_logrank_matches_survdiff():
    chi2, df, p = logrank(COHORT.time, COHORT.event, COHORT.group)
    assert chi2 == pytest.approx(R["logrank"]["chisq"], abs=1e-8)
    assert df == R["logrank"]["df"]
    assert p == pytest.approx(R["logrank"]["p"], rel=1e-6)
    chi2, df, p = logrank(COHORT.time, COHORT.event, COHORT.x1)
    assert chi2 == pytest.approx(R["logrank_x1"]["chisq"], abs=1e-8)


@pytest.mark.parametrize("model,covs", [("x1_x2_x3", ["x1", "x2", "x3"]), ("x1", ["x1"])])
def test_cox_matches_coxph_efron(model, covs):
    ref = R["cox"][model]  # coxph(Surv(time, event) ~ ..., ties = "efron")
    fit = fit_cox(COHORT, covs, "time", "event")
    np.testing.assert_allclose(fit.coef[covs], ref["coef"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.se[covs], ref["se"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.hr[covs], ref["hr"], rtol=1e-6)
    np.testing.assert_allclose(fit.ci_low[covs], ref["ci_low"], rtol=1e-6)
    np.testing.assert_allclose(fit.ci_high[covs], ref["ci_high"], rtol=1e-6)
    np.testing.assert_allclose(fit.p[covs], ref["p"], rtol=1e-5)
    assert fit.loglik == pytest.approx(ref["loglik"][1], abs=1e-6)
    assert fit.loglik_null == pytest.approx(ref["loglik"][0], abs=1e-9)
    assert fit.aic == pytest.approx(ref["aic"], abs=1e-6)
    assert fit.n == ref["n"] and fit.n_events == ref["nevent"]
    assert fit.estimable.all() and not fit.notes


def test_breslow_ties_differ_from_efron():
    # guard: R's Breslow-ties coefficients differ from Efron's by more than our tolerance
    ef, br = R["cox"]["x1_x2_x3"]["coef"], R["cox"]["breslow_ties"]["coef"]
    assert np.max(np.abs(np.subtract(ef, br))) > 1e-3


def test_rare_factor_only_censored_carriers_dropped_with_drop_policy():
    # R: coxph(... + rare) warns R["cox"]["rare_warning"] ("coefficient may be infinite")
    assert "infinite" in R["cox"]["rare_warning"]
    fit = fit_cox(COHORT, ["x1", "x2", "x3", "rare"], "time", "event", rare_factors="drop")
    assert not fit.estimable["rare"] and fit.estimable[["x1", "x2", "x3"]].all()
    assert np.isnan(fit.coef["rare"]) and fit.carriers["rare"] == 3 and fit.carrier_events["rare"] == 0
    assert any("rare" in n and "monotone" in n for n in fit.notes)
    # the remaining coefficients are those of the model without it
    np.testing.assert_allclose(fit.coef[["x1", "x2", "x3"]], R["cox"]["x1_x2_x3"]["coef"], atol=1e-6)
    assert fit.k == 3


def test_no_carriers_and_constant_and_missing():
    d = COHORT.assign(zero=0, one=1)
    d.loc[[0, 5], "x2"] = np.nan
    fit = fit_cox(d, ["x1", "x2", "zero", "one"], "time", "event")
    assert fit.estimable.to_dict() == {"x1": True, "x2": True, "zero": False, "one": False}
    assert fit.n == 198 and fit.n_excluded == 2
    assert any("no carriers" in n for n in fit.notes) and any("excluded" in n for n in fit.notes)


def test_monotone_after_fit_is_caught_with_drop_policy():
    # carriers: every one has an event before any non-carrier -> separation not visible pre-fit
    d = pd.DataFrame({"time": [1, 2, 3, 10, 11, 12, 13, 14, 15, 16], "event": [1, 1, 1, 1, 0, 1, 0, 1, 1, 0],
                      "x": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], "y": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]})
    fit = fit_cox(d, ["x", "y"], "time", "event", rare_factors="drop")
    assert not fit.estimable["x"] and fit.estimable["y"]
    assert any("infinite" in n for n in fit.notes)


@pytest.mark.parametrize("ctype", [1, 2])
def test_baseline_survival_matches_survfit_coxph(ctype):
    # R: survfit(fit, newdata = data.frame(x1 = 0, x2 = 0, x3 = 0), ctype = ctype)
    ref = R["baseline"][f"ctype{ctype}"]
    fit = fit_cox(COHORT, ["x1", "x2", "x3"], "time", "event")
    t = np.array(ref["time"])
    np.testing.assert_allclose(fit.baseline_survival(t, ctype=ctype), ref["surv"], atol=1e-7)
    # step function: between two times the value of the earlier one, not an interpolation
    mid = (t[:-1] + t[1:]) / 2
    np.testing.assert_allclose(fit.baseline_survival(mid, ctype=ctype), np.array(ref["surv"])[:-1], atol=1e-7)
    assert fit.baseline_survival([0.0], ctype=ctype)[0] == 1.0


def test_predict_survival_matches_survfit_newdata():
    ref = R["predict"]  # summary(survfit(fit, newdata, ctype = 1), times = c(3, 6, 12))
    fit = fit_cox(COHORT, ["x1", "x2", "x3"], "time", "event")
    X = pd.DataFrame(ref["newdata"])
    pred = fit.predict_survival(X, ref["times"], ctype=1)
    np.testing.assert_allclose(pred.T, ref["surv"], atol=1e-7)


def test_baseline_with_fixed_coefficients():
    lp = np.zeros(len(COHORT))
    b = baseline_hazard(COHORT.time, COHORT.event, lp, ctype=1)
    # with lp = 0 the Breslow cumulative hazard is the Nelson-Aalen estimator
    km = kaplan_meier(COHORT.time, COHORT.event).table
    ev = km[km.n_event > 0]
    np.testing.assert_allclose(b.cumhaz, np.cumsum(ev.n_event / ev.n_risk))


def test_bad_inputs():
    with pytest.raises(ValueError, match=">= 0"):
        kaplan_meier([-1, 2], [1, 1])
    with pytest.raises(ValueError, match="0 .censored. or 1"):
        kaplan_meier([1, 2], [1, 2])
    with pytest.raises(ValueError, match="no patients with an event"):
        fit_cox(COHORT.assign(event=0), ["x1"], "time", "event")


def test_few_carriers_estimated_but_flagged():
    d = COHORT.copy()
    d["few"] = 0
    d.loc[d.index[d.event == 1][:3], "few"] = 1  # three carriers, all with an event
    fit = fit_cox(d, ["x1", "few"], "time", "event")
    assert fit.estimable["few"] and np.isfinite(fit.coef["few"])
    assert any("few: only 3 carrier(s)" in n and "unstable" in n for n in fit.notes)


def test_docstring_examples():
    import doctest

    from venprs.survival import km

    assert doctest.testmod(km).failed == 0


# ------------------------------------------------------------------ the Cox engine (R's coxph algorithm)

def _with_four(d=COHORT):
    # as tests/r/survival_reference.R: 4 carriers (ids 2, 8, 12, 59), all with an early event
    return d.assign(four=d.id.isin([2, 8, 12, 59]).astype(int))


def test_four_carriers_all_with_events_estimated_like_coxph():
    ref = R["cox"]["four_carriers"]  # coxph(Surv(time, event) ~ x1 + x2 + x3 + four, ties = "efron")
    d = _with_four()
    assert d.loc[d.four == 1, "event"].tolist() == [1, 1, 1, 1]
    covs = ["x1", "x2", "x3", "four"]
    fit = fit_cox(d, covs, "time", "event")
    assert fit.estimable.all() and fit.carriers["four"] == 4 and fit.carrier_events["four"] == 4
    np.testing.assert_allclose(fit.coef[covs], ref["coef"], rtol=0, atol=1e-6)  # four: 2.36
    np.testing.assert_allclose(fit.se[covs], ref["se"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.p[covs], ref["p"], rtol=1e-5)
    assert fit.loglik == pytest.approx(ref["loglik"][1], abs=1e-6)
    assert fit.aic == pytest.approx(ref["aic"], abs=1e-6)
    # R: survfit(fit, newdata = <all 0>, ctype = 2)
    t = np.array(R["baseline_four"]["time"])
    np.testing.assert_allclose(fit.baseline_survival(t, ctype=2), R["baseline_four"]["surv"], atol=1e-7)


def test_monotone_likelihood_flagged_like_coxph():
    ref = R["cox"]["monotone"]  # R warns and reports a huge coefficient after ref["iter"] iterations
    assert "Loglik converged before variable  1" in ref["warning"] and "may be infinite" in ref["warning"]
    d = pd.DataFrame({"time": [1, 2, 3, 10, 11, 12, 13, 14, 15, 16], "event": [1, 1, 1, 1, 0, 1, 0, 1, 1, 0],
                      "x": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], "y": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]})
    # default policy "r": R's estimate, kept and flagged with R's warning
    fit = fit_cox(d, ["x", "y"], "time", "event")
    np.testing.assert_allclose(fit.coef[["x", "y"]], ref["coef"], rtol=1e-12)  # x: 23.05
    np.testing.assert_allclose(fit.se[["x", "y"]], ref["se"], rtol=1e-9)
    assert (fit.loglik_null, fit.loglik) == pytest.approx(ref["loglik"], abs=1e-10)
    assert fit.iterations == ref["iter"] and fit.r_warnings == [ref["warning"]]
    assert fit.flags["x"]["flag"] == "may_be_infinite" and fit.flags["x"]["r_message"] == ref["warning"]
    assert "y" not in fit.flags and fit.estimable.all()
    # policy "drop": x dropped (R's infinite-coefficient test fires) and y refitted alone
    fit = fit_cox(d, ["x", "y"], "time", "event", rare_factors="drop")
    assert fit.estimable.to_dict() == {"x": False, "y": True}
    assert any(n.startswith("x: coefficient may be infinite (|coef| = 23.0") for n in fit.notes)
    assert not any("R:" in n for n in fit.notes)  # drop policy: no R warning quoted (R does not drop)
    assert fit.coef["y"] == pytest.approx(R["cox"]["monotone_y"]["coef"], abs=1e-6)
    assert fit.se["y"] == pytest.approx(R["cox"]["monotone_y"]["se"], abs=1e-6)
    assert fit.loglik == pytest.approx(R["cox"]["monotone_y"]["loglik"][1], abs=1e-8)


def test_heavy_ties_match_coxph():
    ref = R["cox"]["heavy_ties"]  # times binned to 6 months: coxph(Surv(ceiling(time / 6), event) ~ ...)
    d = COHORT.assign(time=np.ceil(COHORT.time / 6))
    assert d.time.nunique() <= 10
    covs = ["x1", "x2", "x3"]
    fit = fit_cox(d, covs, "time", "event")
    np.testing.assert_allclose(fit.coef[covs], ref["coef"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.se[covs], ref["se"], rtol=0, atol=1e-6)
    assert (fit.loglik_null, fit.loglik) == pytest.approx(ref["loglik"], abs=1e-8)
    t = np.array(R["baseline_heavy_ties"]["time"])
    np.testing.assert_allclose(fit.baseline_survival(t, ctype=2), R["baseline_heavy_ties"]["surv"], atol=1e-7)


def test_nothing_estimable_is_the_null_model():
    d = COHORT.assign(zero=0, one=1)
    fit = fit_cox(d, ["zero", "one", "rare"], "time", "event", rare_factors="drop")
    assert not fit.estimable.any() and fit.k == 0 and fit.coef.isna().all()
    assert fit.loglik == fit.loglik_null == pytest.approx(R["cox"]["null_loglik"], abs=1e-9)
    assert fit.aic == fit.aic_null
    r = fit_cox(d, ["zero", "one"], "time", "event")  # policy "r": both NA, the null model too
    assert not r.estimable.any() and r.loglik == pytest.approx(R["cox"]["null_loglik"], abs=1e-9)
    # baseline of the null model = Nelson-Aalen (ctype 1)
    np.testing.assert_allclose(fit.baseline(1).cumhaz, baseline_hazard(d.time, d.event, np.zeros(len(d))).cumhaz)


def test_no_events_is_an_input_error():
    from venprs import InputError
    from venprs.survival.cox import fast_cox

    with pytest.raises(InputError, match="no patients with an event") as err:
        fit_cox(COHORT.assign(event=0), ["x1"], "time", "event")
    assert err.value.column == "event"
    with pytest.raises(InputError, match="no patients with an event"):
        fit_cox(COHORT.assign(x1=np.nan), ["x1"], "time", "event")  # no complete rows
    with pytest.raises(InputError, match="no patients with an event"):
        fast_cox(np.ones((3, 1)), [1, 2, 3], [0, 0, 0])


def test_collinear_covariate_dropped():
    d = COHORT.assign(x1_copy=COHORT.x1, x12=COHORT.x1 + COHORT.x2)
    fit = fit_cox(d, ["x1", "x2", "x1_copy"], "time", "event")
    assert fit.estimable.to_dict() == {"x1": True, "x2": True, "x1_copy": False}
    assert any("x1_copy: coefficient NA (collinear" in n for n in fit.notes)
    assert fit.flags["x1_copy"] == {"flag": "na", "reason": fit.flags["x1_copy"]["reason"], "r_message": None}
    np.testing.assert_allclose(fit.coef[["x1", "x2"]], fit_cox(d, ["x1", "x2"], "time", "event").coef, atol=1e-12)
    assert not fit_cox(d, ["x1", "x2", "x12"], "time", "event").estimable["x12"]


@pytest.mark.parametrize("covs", [["x1", "x2", "x3"], ["x1"]])
def test_cox_same_as_lifelines(covs):
    # independent cross-check (lifelines' CoxPHFitter, Efron ties) where lifelines converges
    from lifelines import CoxPHFitter

    lf = CoxPHFitter().fit(COHORT[covs + ["time", "event"]], "time", "event", fit_options={"precision": 1e-12})
    fit = fit_cox(COHORT, covs, "time", "event")
    np.testing.assert_allclose(fit.coef[covs], lf.params_[covs], atol=1e-7)
    np.testing.assert_allclose(fit.se[covs], lf.standard_errors_[covs], atol=1e-7)
    assert fit.loglik == pytest.approx(lf.log_likelihood_, abs=1e-7)


def test_efron_loglik_does_not_depend_on_row_order():
    rng = np.random.default_rng(1)
    perm = rng.permutation(len(COHORT))
    lp = 0.3 * COHORT.x1.to_numpy() - 0.2 * COHORT.x2.to_numpy()
    from venprs.survival.cox import efron_loglik

    a = efron_loglik(COHORT.time, COHORT.event, lp)
    b = efron_loglik(COHORT.time.to_numpy()[perm], COHORT.event.to_numpy()[perm], lp[perm])
    assert a == pytest.approx(b, abs=1e-10)
    with pytest.raises(ValueError, match="ctype"):
        baseline_hazard(COHORT.time, COHORT.event, lp, ctype=3)


def test_iteration_limit_like_coxph():
    slow = pd.read_csv(DATA / "cox_slow_convergence.csv")  # see tests/r/survival_reference.R
    covs = ["extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1"]
    r20, r100 = R["cox"]["slow_iter20"], R["cox"]["slow_iter100"]
    assert r20["warning"] == "Ran out of iterations and did not converge"
    # policy "r": R's default iter.max = 20 stops at the best point so far, and says so
    fit = fit_cox(slow, covs, "time", "event")
    np.testing.assert_allclose(fit.coef[covs], r20["coef"], atol=1e-10)  # nf1: -6.62, not converged
    assert fit.loglik == pytest.approx(r20["loglik"][1], abs=1e-10) and not fit.converged
    assert fit.r_warnings == [r20["warning"]]
    assert any('(R: "Ran out of iterations and did not converge")' in n for n in fit.notes)
    # policy "drop" goes on to convergence: coxph(..., control = coxph.control(iter.max = 100))
    fit = fit_cox(slow, covs, "time", "event", rare_factors="drop")
    assert fit.estimable.all() and fit.converged
    np.testing.assert_allclose(fit.coef[covs], r100["coef"], atol=1e-6)  # nf1: 2.67
    np.testing.assert_allclose(fit.se[covs], r100["se"], atol=1e-6)
    assert fit.loglik == pytest.approx(r100["loglik"][1], abs=1e-8)
    assert any(f"converged after {r100['iter']} iterations" in n for n in fit.notes)


def test_cox_docstring_examples():
    import doctest

    from venprs.survival import cox

    r = doctest.testmod(cox)
    assert r.failed == 0 and r.attempted > 0
