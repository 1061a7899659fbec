"""Calibration, discrimination, AIC and validation (venprs.evaluation).

Reference values: tests/data/evaluation_reference.json, made by tests/r/evaluation_reference.R
(R 4.2.2, survival 3.5.3, riskRegression 2022.11.28) on tests/data/eval_cohort.csv.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _cohort import make_cohort
from venprs.evaluation import evaluate
from venprs.evaluation.aic import aic_delta
from venprs.evaluation.calibration import calibrate, km_at, landmark_calibration
from venprs.evaluation.discrimination import discrimination, harrell_c, ipcw_auc, uno_c
from venprs.evaluation.validation import validate
from venprs.survival import fit_cox, kaplan_meier
from venprs.survival.cox import fast_cox

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "evaluation_reference.json").read_text())
COHORT = pd.read_csv(DATA / "eval_cohort.csv")
LEVELS = ["favorable", "intermediate", "adverse"]


# ------------------------------------------------------------------ fast Cox = fit_cox (= R coxph)

def _cox_data(seed=4, n=120):
    rng = np.random.default_rng(seed)
    X = (rng.random((n, 5)) < [0.1, 0.5, 0.05, 0.3, 0.2]).astype(float)
    t = np.round(rng.exponential(10 * np.exp(-X @ [0.9, 0.6, 0.9, 0.5, -1.0])), 0) + 1  # many ties
    c = np.round(rng.exponential(25, n)) + 1
    return X, np.minimum(t, c), (t <= c).astype(int)


def test_fast_cox_equals_fit_cox():
    X, t, e = _cox_data()
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(t=t, e=e)
    ref = fit_cox(df, [f"x{i}" for i in range(5)], "t", "e")
    f = fast_cox(X, t, e)
    np.testing.assert_allclose(f.coef, ref.coef.to_numpy(), atol=1e-8)
    assert f.loglik == pytest.approx(ref.loglik, abs=1e-8)
    assert f.loglik_null == pytest.approx(ref.loglik_null, abs=1e-8)
    for ctype in (1, 2):
        assert f.baseline_survival(10, ctype) == pytest.approx(ref.baseline_survival([10], ctype)[0], abs=1e-10)
    # one definition: same signature, same default (ctype=2, R's survfit.coxph after an Efron fit), same shapes
    import inspect
    assert inspect.signature(f.baseline_survival) == inspect.signature(ref.baseline_survival)
    assert isinstance(f.baseline_survival(10), float) and f.baseline_survival(10) == ref.baseline_survival(10)
    np.testing.assert_array_equal(f.baseline_survival([5, 10]), ref.baseline_survival([5, 10], ctype=2))


def test_fast_cox_same_as_lifelines():
    # independent cross-check of the engine on tied data (lifelines' CoxPHFitter, Efron ties)
    from lifelines import CoxPHFitter

    X, t, e = _cox_data()
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(t=t, e=e)
    lf = CoxPHFitter().fit(df, "t", "e", fit_options={"precision": 1e-12})
    f = fast_cox(X, t, e)
    np.testing.assert_allclose(f.coef, lf.params_.to_numpy(), atol=1e-7)
    np.testing.assert_allclose(f.se, lf.standard_errors_.to_numpy(), atol=1e-7)
    assert f.loglik == pytest.approx(lf.log_likelihood_, abs=1e-7)


@pytest.mark.parametrize("policy", ["r", "drop"])
def test_fast_cox_treats_monotone_factor_like_fit_cox(policy):
    X, t, e = _cox_data()
    X[:, 2] = 0
    X[:3, 2] = 1
    e[:3] = 0  # carriers all censored: monotone likelihood
    f = fast_cox(X, t, e, rare_factors=policy)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(t=t, e=e)
    ref = fit_cox(df, [f"x{i}" for i in range(5)], "t", "e", rare_factors=policy)
    if policy == "drop":
        assert set(f.dropped) == {2} and f.coef[2] == 0 and not ref.estimable["x2"]
        np.testing.assert_allclose(np.delete(f.coef, 2), ref.coef.drop("x2").to_numpy(), atol=1e-8)
    else:  # R keeps the large negative estimate and warns
        assert f.flags == {2: "may_be_infinite"} and f.coef[2] < -10 and ref.flags["x2"]["flag"] == "may_be_infinite"
        np.testing.assert_allclose(f.coef, ref.coef.to_numpy(), atol=0)


def test_km_at_matches_kaplan_meier():
    X, t, e = _cox_data()
    km = kaplan_meier(t, e)
    for h in (1, 5, 10, 17.5):
        assert km_at(t, e, h) == pytest.approx(km.survival_at(h), abs=1e-12)
    assert np.isnan(km_at(np.array([1.0, 2.0]), np.array([1, 0]), 10))  # censored before horizon
    assert km_at(np.array([1.0, 2.0]), np.array([1, 1]), 10) == 0.0


# ------------------------------------------------------------------ discrimination vs R
# (the full comparison with survivalROC, timeROC, riskRegression and survival is tests/test_discrimination.py)

@pytest.mark.parametrize("ep", ["os", "efs"])
def test_discrimination_against_r(ep):
    t, e, x = COHORT[f"{ep}_months"], COHORT[f"{ep}_event"], COHORT[f"{ep}_score"]
    r = REF[ep]
    assert harrell_c(t, e, x) == pytest.approx(r["c_harrell"], abs=1e-9)  # survival::concordance
    assert uno_c(t, e, x) == pytest.approx(r["c_uno"], abs=1e-9)  # concordance(timewt = "n/G2")
    assert ipcw_auc(t, e, x, 10)[0] == pytest.approx(r["auc_ipcw_10"], abs=1e-9)  # riskRegression::Score


def test_ipcw_auc_with_training_censoring_distribution():
    # G estimated on a training part (here the patients followed < 20 months), evaluated at T_i- for
    # every test case, also beyond the training follow-up (G is constant there)
    from venprs.survival.concordance import censoring_survival_before

    t, e, x = COHORT["os_months"].to_numpy(), COHORT["os_event"].to_numpy(), COHORT["os_score"].to_numpy()
    train = t < 20
    auc, note = ipcw_auc(t, e, x, 10, train_time=t[train], train_event=e[train])
    case, ctrl = (e == 1) & (t <= 10), t > 10
    w = 1 / censoring_survival_before(t[train], e[train], t[case])
    dx = x[case][:, None] - x[ctrl][None, :]
    want = (w @ ((dx > 0) + 0.5 * (dx == 0)).sum(axis=1)) / (w.sum() * ctrl.sum())
    assert note is None and auc == pytest.approx(want, abs=1e-12)


def test_bootstrap_is_seeded():
    t, e, x = COHORT["os_months"], COHORT["os_event"], COHORT["os_score"]
    a = discrimination(t, e, x, 10, n_boot=20, seed=4).to_dict()
    b = discrimination(t, e, x, 10, n_boot=20, seed=4).to_dict()
    assert a == b
    lo, hi = a["auc_10m"]["heagerty"]["ci"]
    assert lo < a["auc_10m"]["heagerty"]["estimate"] < hi


# ------------------------------------------------------------------ AIC vs R

@pytest.mark.parametrize("ep", ["os", "efs"])
def test_aic_delta_against_r(ep):
    res = aic_delta(COHORT[f"{ep}_group"], COHORT[f"{ep}_months"], COHORT[f"{ep}_event"], LEVELS)
    assert res["delta"] == pytest.approx(REF[ep]["aic_delta"], abs=1e-6)  # AIC(coxph(~g)) - AIC(null)
    assert res["k"] == 2


def test_aic_single_group_has_no_delta():
    res = aic_delta(["adverse"] * 5, [1, 2, 3, 4, 5], [1, 1, 0, 1, 1])
    assert res["delta"] is None and res["notes"]


# ------------------------------------------------------------------ calibration

def test_calibration_reproducible_by_seed_and_backend_independent():
    df = make_cohort(174, seed=0)
    a = calibrate(df, splits=12, seed=7)
    b = calibrate(df, splits=12, seed=7)
    assert a == b
    c = calibrate(df, splits=24, seed=7, n_jobs=2)  # parallel: same streams per split
    d = calibrate(df, splits=24, seed=7, n_jobs=1)
    assert c == d
    assert calibrate(df, splits=12, seed=8) != a
    for g in LEVELS:
        assert 0 <= a["os"][g]["predicted"] <= 1
        assert a["os"][g]["observed_ci"][0] <= a["os"][g]["observed"] <= a["os"][g]["observed_ci"][1]
    assert a["os"]["n_train"] == 100 and a["os"]["n_test"] == 74  # the paper's 100/174


def test_calibration_split_lacking_a_factor_is_counted_not_fatal():
    df = make_cohort(174, seed=1)
    df["nf1"] = 0
    df.loc[:1, "nf1"] = 1  # two carriers: many training parts have none
    res = calibrate(df, splits=30, seed=2, rare_factors="drop")
    det = res["os"]["failed_splits_detail"]
    assert res["os"]["failed_splits"] == det["factor_dropped"] > 0
    assert det["dropped_factor_counts"]["nf1"] == det["factor_dropped"]
    assert res["os"]["splits_used"] == 30  # the "keep" policy keeps the split
    ex = calibrate(df, splits=30, seed=2, policy="exclude", rare_factors="drop")
    assert ex["os"]["splits_used"] == 30 - ex["os"]["failed_splits"]
    # policy "r": R's fit in every split; every flagged split listed with R's message where R gives one
    r = calibrate(df, splits=30, seed=2)
    assert r["os"]["rare_factors"] == "r" and r["os"]["splits_used"] == 30
    fl = r["os"]["flagged"]
    assert r["os"]["failed_splits"] == len({f["split"] for f in fl}) > 0
    for f in fl:
        assert f["flag"] in ("na", "may_be_infinite", "not_converged")
        assert (f["r_message"] is None) == (f["flag"] == "na")
    assert {f["flag"] for f in fl if f["factor"] == "nf1"} >= {"na"}
    # where no factor is flagged, both policies give the same fit
    same = [i for i in range(30) if not r["os"]["flagged"] or all(f["split"] != i + 1 for f in fl)]
    a = calibrate(df, splits=30, seed=2, return_splits=True)["os"]["splits_detail"]
    b = calibrate(df, splits=30, seed=2, return_splits=True, rare_factors="drop")["os"]["splits_detail"]
    for i in same:
        np.testing.assert_allclose(a[i]["pred"], b[i]["pred"], rtol=1e-10)


def test_dask_local_cluster_equals_joblib():
    distributed = pytest.importorskip("distributed")
    df = make_cohort(120, seed=3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        # by scheduler address, as --backend dask --scheduler ADDRESS does
        dk = calibrate(df, splits=10, seed=5, backend="dask", scheduler=cluster.scheduler_address,
                       endpoints=("os",))
        with distributed.Client(cluster) as client:
            dk2 = calibrate(df, splits=10, seed=5, backend="dask", client=client, endpoints=("os",))
    assert dk == dk2 == calibrate(df, splits=10, seed=5, endpoints=("os",))


def test_landmark_calibration_of_the_true_model_is_small():
    rng = np.random.default_rng(0)
    n = 3000
    x = rng.normal(size=n)
    t = rng.exponential(1 / (0.1 * np.exp(x)))
    c = rng.uniform(0, 40, n)
    pred = np.exp(-0.1 * 10 * np.exp(x))  # true S(10 | x)
    res = landmark_calibration(np.minimum(t, c), (t <= c).astype(int), pred, 10)
    assert res["ici"] < 0.02 and res["e50"] <= res["e90"]
    bad = landmark_calibration(np.minimum(t, c), (t <= c).astype(int), np.clip(pred + 0.15, 0, 0.999), 10)
    assert bad["ici"] > 0.1


# ------------------------------------------------------------------ evaluate + validation

def test_evaluate_sections_and_validation():
    df = make_cohort(174, seed=0)
    r = evaluate(df, splits=5, n_boot=5)
    assert set(r) == {"calibration", "discrimination", "aic", "comparators", "landmark_calibration"}
    assert r["aic"]["os"]["venprs"]["delta"] == pytest.approx(REF["os"]["aic_delta"], abs=1e-6)
    assert r["aic"]["os"]["gangat"]["skipped"]
    assert r["aic"]["os"]["venprs_derived"]["delta"] < 0
    assert set(r["discrimination"]["os"]["auc_10m"]) == {"heagerty", "ipcw"}
    v = validate(make_cohort(150, seed=9), df, n_boot=5)
    assert v["os"]["logrank"]["p"] < 0.05
    assert "model file" in v["os"]["calibration"]["baseline_source"]  # reconstructed baseline (simulation issue)
    assert v["efs"]["calibration"]["landmark"]["ici"] >= 0


def test_published_baseline_falls_back_to_the_derivation_cohort(monkeypatch):
    """Only a model file without ``baseline_survival`` switches to the derivation cohort; an error while
    predicting from the stored baseline is raised, never silently replaced by the other source."""
    import venprs.evaluation.validation as val
    from venprs.evaluation.validation import published_baseline
    from venprs.model import load_model

    monkeypatch.delitem(load_model().raw, "baseline_survival")
    s0, source = published_baseline("os", make_cohort(174, seed=0), 10)
    assert "derivation cohort (n = 174)" in source and 0 < s0 < 1
    monkeypatch.undo()

    def broken(*a, **k):
        raise ValueError("broken baseline")

    monkeypatch.setattr(val, "predict_survival", broken)
    with pytest.raises(ValueError, match="broken baseline"):
        published_baseline("os", make_cohort(174, seed=0), 10)


def test_report_sections_skip_too_small_cohorts_with_reasons(tmp_path):
    from venprs.evaluation.cohort import prepare_cohort
    from venprs.reporting.report import run_report

    small = make_cohort(12, seed=2)
    r = run_report(prepare_cohort(small), tmp_path / "o",
                   options={"splits": 3, "n_boot": 3, "validation": prepare_cohort(make_cohort(8, seed=4)),
                            "only": {"comparators", "discrimination", "calibration", "validation"}})
    reasons = {s["analysis"]: s["reason"] for s in r["skipped"]}
    assert "at least 20 patients" in reasons["calibration.os"] and "discrimination.efs" in reasons
    assert "aic" in r and "validation" in r  # AIC and validation still report what they can


def test_landmark_calibration_against_r():
    # tests/r/landmark_calibration.R: coxph(Surv ~ rcs(cloglog(pred), 3 knots)) + survfit(newdata), R 4.2.2,
    # survival 3.5.3, rms 6.5.0 (Austin, Harrell & van Klaveren 2020); data: a miscalibrated prediction
    # (tests/data/landmark_cohort.csv, seeded numpy draw: x ~ N(0,1), true lp x + 0.3 x^2, pred exp(-exp(0.9 x)))
    ref = json.loads((DATA / "landmark_calibration_reference.json").read_text())
    d = pd.read_csv(DATA / "landmark_cohort.csv")
    res = landmark_calibration(d["time"], d["event"], d["pred"], 10)
    for k in ("ici", "e50", "e90"):
        assert res[k] == pytest.approx(ref[k], abs=1e-8)


def test_derived_groups_unknown_factors_follow_the_published_rule():
    """One grouping rule for re-derived scores (venprs.evaluation.derivation.groups_of_units): a patient
    with unknown factors is grouped only when every completion gives the same group, as the published
    score's groups are; both re-derivation paths (evaluate's AIC and the analysis report) agree."""
    import itertools

    from venprs.evaluation import derived_groups
    from venprs.model import load_model

    m = load_model()
    factors = m.endpoints["os"].factors
    df = make_cohort(n=174, seed=3)
    for f in factors:
        df[f] = df[f].astype(object)
    df.loc[0:19, factors[0]] = "unknown"
    df.loc[10:29, factors[3]] = "unknown"
    groups, info = derived_groups(df, "os")
    units = {f: round(info["coefficients"][f] * m.scale) for f in factors}
    want = []
    for _, row in df.iterrows():
        open_ = [f for f in factors if row[f] == "unknown"]
        got = set()
        for combo in itertools.product((0, 1), repeat=len(open_)):
            vals = {**{f: int(float(row[f])) for f in factors if f not in open_}, **dict(zip(open_, combo))}
            got.add(m.group_of_units(sum(units[f] * vals[f] for f in factors)))
        want.append(got.pop() if len(got) == 1 else "")
    assert list(groups) == want
    assert (groups[:30] != "").any() and (groups[:30] == "").any()  # both cases occur


def test_evaluate_and_the_report_sections_give_the_same_numbers(tmp_path):
    """One computation of each evaluation statistic (issue 13): the analysis report's comparators,
    discrimination and calibration sections call the evaluation-layer functions that ``evaluate()`` calls,
    so on the same cohort and options both give identical numbers (not approximately: the same floats)."""
    from venprs.evaluation.cohort import prepare_cohort
    from venprs.reporting.report import run_report, to_jsonable

    df = make_cohort(174, seed=0)
    ev = to_jsonable(evaluate(df, splits=4, n_boot=4, seed=3))
    rep = run_report(prepare_cohort(df), tmp_path / "o",
                     options={"splits": 4, "n_boot": 4, "split_seed": 3,
                              "only": {"comparators", "discrimination", "calibration"}})
    for key in ("aic", "comparators", "discrimination", "calibration", "landmark_calibration"):
        assert rep[key] == ev[key], key
    assert ev["discrimination"]["os"]["c_harrell"]["estimate"] > 0.5
    assert ev["comparators"]["os"]["venprs"]["logrank_p"] < 0.05
