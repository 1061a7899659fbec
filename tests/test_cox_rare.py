"""Rare and monotone factors: venprs' Cox engine equals R ``coxph`` (default ``coxph.control()``).

Reference values: ``tests/r/cox_rare_factors.R`` (R 4.2.2, survival 3.5-3) on the cohorts of
``tests/data/make_cox_rare_cohorts.py`` and ``tests/data/cox_slow_convergence.csv``, written to
``tests/data/cox_rare_reference.json``. Where R gives NA, venprs gives NaN (JSON ``null``) and
the flag ``"na"``; R's warnings are compared character for character.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from venprs import InputError
from venprs.survival import fast_cox, fit_cox

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "cox_rare_reference.json").read_text())
COHORTS = pd.read_csv(DATA / "cox_rare_cohorts.csv")
X4 = ["x1", "x2", "x3", "x4"]
SLOW = ["extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1"]
MONO = pd.DataFrame({"time": [1, 2, 3, 10, 11, 12, 13, 14, 15, 16], "event": [1, 1, 1, 1, 0, 1, 0, 1, 1, 0],
                     "x": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], "y": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]})


def _case(name):
    if name == "slow":
        return pd.read_csv(DATA / "cox_slow_convergence.csv"), SLOW
    if name == "mono10":
        return MONO, ["x", "y"]
    return COHORTS[COHORTS.cohort == name].reset_index(drop=True), X4


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], float)


def test_reference_is_r_default_control():
    c = REF["control"]
    assert REF["survival_version"] == "3.5.3"
    assert (c["iter.max"], c["eps"]) == (20, 1e-9) and c["toler.inf"] == pytest.approx(1e-9 ** 0.5, rel=1e-14)
    assert c["toler.chol"] == pytest.approx(np.finfo(float).eps ** 0.75, rel=1e-15)


@pytest.mark.parametrize("name", list(REF["fits"]))
def test_coef_se_loglik_flags_equal_coxph(name):
    r = REF["fits"][name]
    d, covs = _case(name)
    fit = fit_cox(d, covs, "time", "event")
    coef, var = _arr(r["coef"]), np.array(r["var"], float).reshape(len(covs), len(covs))
    na = np.isnan(coef)
    np.testing.assert_array_equal(fit.coef.isna().to_numpy(), na)  # NA exactly where R has NA
    np.testing.assert_allclose(fit.coef[~na], coef[~na], rtol=1e-8, atol=1e-8)
    se = np.sqrt(np.diag(var))
    np.testing.assert_allclose(fit.se.to_numpy()[~na], se[~na], rtol=1e-8, atol=1e-8)
    assert fit.se.isna().to_numpy()[na].all()  # R: var 0 and coef NA; venprs: NaN
    assert (fit.loglik_null, fit.loglik) == pytest.approx(r["loglik"], abs=1e-8)
    assert fit.iterations == r["iter"] and fit.n == r["n"] and fit.n_events == r["nevent"]
    assert fit.r_warnings == list(r["warnings"])
    assert fit.converged == ("Ran out of iterations and did not converge" not in r["warnings"])
    # flags: "na" exactly where R gives NA, "may_be_infinite" exactly for the columns R's warning names
    named = [int(v) for w in r["warnings"] if w.startswith("Loglik converged")
             for v in w.split("variable")[1].split(";")[0].split(",")]
    want = {covs[j]: "na" for j in np.flatnonzero(na)} | {covs[j - 1]: "may_be_infinite" for j in named}
    assert {k: v["flag"] for k, v in fit.flags.items()} == want
    for _k, v in fit.flags.items():  # R's message quoted only where R gives one
        assert v["r_message"] == (r["warnings"][0] if v["flag"] == "may_be_infinite" else None)
    # the linear predictor (R's is centred at the means: compare differences). R's fit$linear.predictors
    # keeps the value at which an NA column's coefficient froze; survfit and predict use 0 for NA, as venprs.
    if not na.any():
        lp = fit._lp
        np.testing.assert_allclose(lp - lp[0], np.array(r["lp"]) - r["lp"][0], atol=1e-7)


def test_cases_cover_the_issue():
    f = REF["fits"]
    assert f["no_carriers"]["coef"][2] is None and f["all_carriers"]["coef"][2] is None
    assert f["censored_carriers"]["coef"][2] < -10 and "infinite" in f["censored_carriers"]["warnings"][0]
    assert f["mono10"]["coef"][0] > 20 and "infinite" in f["mono10"]["warnings"][0]
    # carriers holding the 3 earliest events: here R's Cholesky check drops the diverging x3 (NA, no warning)
    assert f["earliest_events"]["coef"][2] is None and not f["earliest_events"]["warnings"]
    assert f["slow"]["warnings"] == ["Ran out of iterations and did not converge"] and f["slow"]["iter"] == 21
    assert f["small_n"]["n"] <= 30 and COHORTS[COHORTS.cohort == "heavy_ties"].time.nunique() <= 12


def test_fit_reports_flags_and_notes():
    d, covs = _case("censored_carriers")
    fit = fit_cox(d, covs, "time", "event")
    (note,) = [n for n in fit.notes if n.startswith("x3:")]
    assert "all 4 carrier(s) censored" in note and "estimate kept" in note
    assert note.endswith('(R: "Loglik converged before variable  3 ; coefficient may be infinite.")')
    j = fit.to_dict()
    assert j["rare_factors"] == "r" and j["converged"] is True and j["iterations"] == 18
    assert j["flags"] == [{"factor": "x3", "flag": "may_be_infinite", "reason": fit.flags["x3"]["reason"],
                           "r_message": "Loglik converged before variable  3 ; coefficient may be infinite. "}]
    d, covs = _case("no_carriers")
    fit = fit_cox(d, covs, "time", "event")
    assert fit.flags["x3"]["r_message"] is None and "no carriers among the 60 patients" in fit.flags["x3"]["reason"]
    assert not fit.estimable["x3"] and fit.estimable.drop("x3").all() and fit.k == 3
    d, covs = _case("earliest_events")
    fit = fit_cox(d, covs, "time", "event")
    assert "hold only the earliest events" in fit.flags["x3"]["reason"] and fit.flags["x3"]["flag"] == "na"


def test_drop_policy_differs_from_r_and_says_so():
    d, covs = _case("censored_carriers")
    r = fit_cox(d, covs, "time", "event")
    dr = fit_cox(d, covs, "time", "event", rare_factors="drop")
    assert dr.rare_factors == "drop" and not dr.estimable["x3"] and dr.flags["x3"]["flag"] == "dropped"
    assert dr.flags["x3"]["r_message"] is None and not dr.r_warnings
    assert np.abs(dr.coef.drop("x3") - r.coef.drop("x3")).max() > 1e-3  # the others move
    with pytest.raises(InputError, match="rare_factors must be 'r' or 'drop', not 'R'"):
        fast_cox(d[covs].to_numpy(), d.time, d.event, rare_factors="R")


def test_fast_cox_equals_fit_cox_on_every_case():
    for name in REF["fits"]:
        d, covs = _case(name)
        a = fast_cox(d[covs].to_numpy(float), d.time.to_numpy(float), d.event.to_numpy(int))
        b = fit_cox(d, covs, "time", "event")
        np.testing.assert_array_equal(a.coef, b.used_coef.to_numpy())
        assert a.loglik == b.loglik and a.r_warnings == b.r_warnings
