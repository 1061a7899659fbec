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
from venprs.evaluation.discrimination import discrimination, harrell_c, heagerty_auc, heagerty_roc, ipcw_auc, uno_c
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


def test_fast_cox_drops_monotone_factor_like_fit_cox():
    X, t, e = _cox_data()
    X[:, 2] = 0
    X[:3, 2] = 1
    e[:3] = 0  # carriers all censored: monotone likelihood
    f = fast_cox(X, t, e)
    assert set(f.dropped) == {2} and f.coef[2] == 0
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(t=t, e=e)
    ref = fit_cox(df, [f"x{i}" for i in range(5)], "t", "e")
    assert not ref.estimable["x2"]
    np.testing.assert_allclose(np.delete(f.coef, 2), ref.coef.drop("x2").to_numpy(), atol=1e-8)


def test_km_at_matches_kaplan_meier():
    X, t, e = _cox_data()
    km = kaplan_meier(t, e)
    for h in (1, 5, 10, 17.5):
        assert km_at(t, e, h) == pytest.approx(km.survival_at(h), abs=1e-12)
    assert np.isnan(km_at(np.array([1.0, 2.0]), np.array([1, 0]), 10))  # censored before horizon
    assert km_at(np.array([1.0, 2.0]), np.array([1, 1]), 10) == 0.0


# ------------------------------------------------------------------ Heagerty NNE (hand-computed)

def test_heagerty_hand_computed_four_patients():
    # x = 1..4, times 2, 5, 1, 3, events 1, 0, 1, 1, horizon 4, span 0.5 (lambda 0.25: adjacent
    # neighbours). Worked by hand: S(t|x) = 1/2, 1/3, 1/3, 0; S(t) = 7/24; ROC points
    # (FP, TP) = (0,0), (0,6/17), (2/7,10/17), (4/7,14/17), (1,1) -> AUC = 173/238.
    roc = heagerty_roc([2, 5, 1, 3], [1, 0, 1, 1], [1, 2, 3, 4], horizon=4, span=0.5)
    assert roc["survival"] == pytest.approx(7 / 24)
    np.testing.assert_allclose(roc["tp"], [1, 14 / 17, 10 / 17, 6 / 17, 0])
    np.testing.assert_allclose(roc["fp"], [1, 4 / 7, 2 / 7, 0, 0])
    assert roc["auc"] == pytest.approx(173 / 238)


def test_heagerty_whole_sample_neighbourhood_is_uninformative():
    # span >= 2: every neighbourhood is the whole sample, S(t|x) = KM(t), ROC = diagonal, AUC = 1/2
    t, e, x = COHORT["os_months"], COHORT["os_event"], COHORT["os_score"]
    assert heagerty_auc(t, e, x, 10, span=2.0) == pytest.approx(0.5)


def test_heagerty_without_censoring_is_the_empirical_auc():
    # no censoring before the horizon and neighbourhoods = tied marker values: the NNE is the
    # empirical P(X_case > X_control) + 1/2 P(tie), computed here by brute force
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, 80).astype(float)
    t = rng.exponential(10 * np.exp(-0.3 * x))
    e = np.ones(80, dtype=int)
    cases, controls = x[t <= 10], x[t > 10]
    emp = ((cases[:, None] > controls[None, :]).mean() + 0.5 * (cases[:, None] == controls[None, :]).mean())
    assert heagerty_auc(t, e, x, 10, span=1e-6) == pytest.approx(emp)


# ------------------------------------------------------------------ IPCW AUC, C-indices vs R

@pytest.mark.parametrize("ep", ["os", "efs"])
def test_discrimination_against_r(ep):
    t, e, x = COHORT[f"{ep}_months"], COHORT[f"{ep}_event"], COHORT[f"{ep}_score"]
    r = REF[ep]
    assert harrell_c(t, e, x) == pytest.approx(r["c_harrell"], abs=1e-9)  # survival::concordance
    # Uno's C and IPCW AUC: scikit-survival vs survival::concordance(timewt = "n/G2") and
    # riskRegression::Score; they differ in the censoring weight at tied times (G(t) vs G(t-)):
    # equal on OS, within 1e-4 on EFS
    assert uno_c(t, e, x) == pytest.approx(r["c_uno"], abs=1e-4)
    assert ipcw_auc(t, e, x, 10)[0] == pytest.approx(r["auc_ipcw_10"], abs=1e-4)


def test_ipcw_auc_truncates_test_times_beyond_training_followup():
    t, e, x = COHORT["os_months"].to_numpy(), COHORT["os_event"].to_numpy(), COHORT["os_score"].to_numpy()
    train = t < 20
    auc, note = ipcw_auc(t, e, x, 10, train_time=t[train], train_event=e[train])
    assert np.isfinite(auc) and "censored just below" in note


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
    res = calibrate(df, splits=30, seed=2)
    det = res["os"]["failed_splits_detail"]
    assert res["os"]["failed_splits"] == det["factor_dropped"] > 0
    assert det["dropped_factor_counts"]["nf1"] == det["factor_dropped"]
    assert res["os"]["splits_used"] == 30  # drop_factor policy keeps the split
    ex = calibrate(df, splits=30, seed=2, policy="exclude")
    assert ex["os"]["splits_used"] == 30 - ex["os"]["failed_splits"]


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


def test_bootstrap_fast_path_equals_scikit_survival():
    # the bootstrap uses vectorised versions of Harrell's C, Uno's C and the IPCW AUC; on resamples
    # (with tied times and markers) they must equal scikit-survival's functions
    from venprs.evaluation.discrimination import _fast_metrics

    rng = np.random.default_rng(11)
    for ep in ("os", "efs"):
        t, e, x = (COHORT[c].to_numpy() for c in (f"{ep}_months", f"{ep}_event", f"{ep}_score"))
        for _ in range(15):
            i = rng.integers(0, len(t), len(t))
            fast = _fast_metrics(t[i], e[i], x[i], 10, 0.1)
            assert fast["c_harrell"] == pytest.approx(harrell_c(t[i], e[i], x[i]), abs=1e-12)
            assert fast["c_uno"] == pytest.approx(uno_c(t[i], e[i], x[i]), abs=1e-12)
            assert fast["ipcw"] == pytest.approx(ipcw_auc(t[i], e[i], x[i], 10)[0], abs=1e-12)


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
