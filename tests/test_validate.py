"""External validation of the published VEN-PRS (``venprs validate``; venprs.evaluation.external).

Reference values: tests/data/validate_reference.json, made by tests/r/validate_reference.R
(R 4.2.2, survival 3.5.3, rms 6.5.0, survivalROC, riskRegression) on tests/data/validate_cohort.csv (venprs.simulate first-line,
seed 7). R reads the score, cut-points and reconstructed baseline from the model file itself.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from venprs.evaluation.cohort import prepare_cohort
from venprs.evaluation.external import (
    calibration_slope,
    external_validation,
    in_the_large,
    net_benefit,
    oe_sample_size,
    precision,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REF = json.loads((DATA / "validate_reference.json").read_text())
GROUPS = ("favorable", "intermediate", "adverse")


@pytest.fixture(scope="module")
def result():
    c = prepare_cohort(pd.read_csv(DATA / "validate_cohort.csv"), source="validate_cohort.csv")
    return external_validation(c, horizon=10, n_boot=20, seed=1)


# ------------------------------------------------------------------ against R

@pytest.mark.parametrize("ep", ["os", "efs"])
def test_groups_and_logrank_equal_r(result, ep):
    # R: survfit(Surv ~ 1) per group, quantile(f, 0.5); survdiff(Surv ~ group)
    g, ref = result["groups"][ep]["published"], REF[ep]["groups"]
    for name in GROUPS:
        assert g[name]["n"] == ref[name]["n"] and g[name]["n_events"] == ref[name]["events"]
        for k in ("median", "ci_low", "ci_high"):
            assert g[name][k] == pytest.approx(ref[name][k], abs=1e-9)
    assert g["logrank_chi2"] == pytest.approx(ref["logrank_chisq"], rel=1e-9)
    assert g["logrank_p"] == pytest.approx(ref["logrank_p"], rel=1e-7)
    # the paper's values sit beside ours (model file, not typed here)
    from venprs.reporting.paper import paper_values

    assert g["favorable"]["paper"]["median"] == paper_values()["groups"][ep]["favorable"]["median"]


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_slope_and_in_the_large_equal_r(result, ep):
    # R: coxph(Surv ~ score, ties = "efron"); 1 - summary(survfit, times = 10)$surv and $std.err
    sl, ref = result["calibration"][ep]["slope"], REF[ep]["slope"]
    assert sl["estimate"] == pytest.approx(ref["estimate"], abs=1e-7)
    assert sl["se"] == pytest.approx(ref["se"], abs=1e-7)
    assert sl["ci_low"] == pytest.approx(ref["estimate"] - 1.959963984540054 * ref["se"], abs=1e-6)
    itl, ref = result["calibration"][ep]["in_the_large"], REF[ep]["in_the_large"]
    for k in ("observed", "expected", "oe_ratio", "se_log_oe", "oe_ci_low", "oe_ci_high"):
        assert itl[k] == pytest.approx(ref[k], rel=1e-9), k
    assert itl["observed_ci"] == pytest.approx([ref["observed_ci_low"], ref["observed_ci_high"]], rel=1e-9)


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_calibration_curve_and_groups_equal_r(result, ep):
    # R: coxph(Surv ~ rcs(cloglog(pred), 3 knots at 10/50/90%)) + survfit(newdata) (Austin et al. 2020)
    cur, ref = result["calibration"][ep]["curve"], REF[ep]["curve"]
    for k in ("ici", "e50", "e90"):
        assert cur[k] == pytest.approx(ref[k], abs=1e-6), k
    for name in GROUPS:
        r = result["calibration"][ep]["grouped"][name]
        assert r["predicted"] == pytest.approx(REF[ep]["grouped"][name]["predicted"], rel=1e-12)
        assert r["observed"] == pytest.approx(REF[ep]["grouped"][name]["observed"], rel=1e-12)


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_net_benefit_equals_the_r_implementation(result, ep):
    # tests/r/validate_reference.R net_benefit(): KM among the treated, summary(times, extend = TRUE)
    dc, ref = result["decision_curve"][ep], REF[ep]["net_benefit"]
    assert dc["thresholds"] == pytest.approx(ref["thresholds"], abs=1e-12)
    np.testing.assert_allclose(dc["net_benefit"]["model"], ref["model"], atol=1e-12)
    np.testing.assert_allclose(dc["net_benefit"]["treat_all"], ref["treat_all"], atol=1e-12)


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_model_updating_equals_r(result, ep):
    # R: coxph(Surv ~ offset(score)); survfit(fit, newdata = score 0) at 10; coxph on the factors; LR tests
    u, ref = result["model_updating"][ep], REF[ep]["updating"]
    assert u["recalibrated_baseline"]["loglik"] == pytest.approx(ref["loglik_offset"], abs=1e-8)
    assert u["recalibrated_baseline"]["baseline_survival_at_horizon"] == pytest.approx(ref["s0_recalibrated"],
                                                                                       abs=1e-10)
    assert u["slope_updated"]["baseline_survival_at_horizon"] == pytest.approx(ref["s0_slope"], abs=1e-7)
    assert u["slope_updated"]["lr_vs_recalibrated"]["chisq"] == pytest.approx(ref["lr_slope_vs_offset"], abs=1e-6)
    for f, b in ref["refit_coef"].items():
        assert u["refit"]["coefficients"][f] == pytest.approx(b, abs=1e-6), f
    assert u["refit"]["lr_vs_slope_updated"]["chisq"] == pytest.approx(ref["lr_refit_vs_slope"], abs=1e-6)
    # the baseline update keeps the ranking: discrimination unchanged
    assert u["recalibrated_baseline"]["c_harrell"] == u["published"]["c_harrell"]


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_discrimination_equals_r(result, ep):
    # R: concordance(Surv ~ score, reverse = TRUE[, timewt = "n/G2"]); survivalROC NNE, span 0.25 n^-0.2;
    # riskRegression::Score AUC (as tests/r/discrimination_reference.R); the output rounds to 1e-6
    d = result["discrimination"][ep]
    assert d["c_harrell"]["estimate"] == pytest.approx(REF[ep]["c_harrell"], abs=1e-6)
    assert d["c_uno"]["estimate"] == pytest.approx(REF[ep]["c_uno"], abs=1e-6)
    assert d["auc_10m"]["heagerty"]["estimate"] == pytest.approx(REF[ep]["auc_nne"], abs=1e-6)
    assert d["auc_10m"]["ipcw"]["estimate"] == pytest.approx(REF[ep]["auc_ipcw"], abs=1e-6)


# ------------------------------------------------------------------ hand-worked

def test_net_benefit_hand_worked():
    # six patients, horizon 3.5; risk >= threshold means "treat"
    t = [1, 2, 3, 4, 5, 6]
    e = [1, 0, 1, 1, 0, 1]
    r = [0.9, 0.8, 0.7, 0.4, 0.3, 0.1]
    res = net_benefit(t, e, r, 3.5, thresholds=[0.25, 0.5])
    # p_t = 0.25: five treated (times 1e 2c 3e 4e 5c), KM S(3.5) = 4/5 * 2/3 = 8/15, P = 5/6:
    #   NB = 7/15 * 5/6 - 8/15 * 5/6 * (1/3) = 65/270
    # p_t = 0.5: three treated (1e 2c 3e), KM S(3.5) = 2/3 * 0 = 0, P = 1/2: NB = 1/2
    assert res["net_benefit"]["model"] == pytest.approx([65 / 270, 0.5], abs=1e-15)
    # treat all: KM S(3.5) = 5/6 * 3/4 = 5/8; NB = 3/8 - 5/8 * p/(1-p)
    assert res["net_benefit"]["treat_all"] == pytest.approx([3 / 8 - 5 / 24, 3 / 8 - 5 / 8], abs=1e-15)
    assert res["net_benefit"]["treat_none"] == [0.0, 0.0]
    assert res["treated"] == pytest.approx([5 / 6, 1 / 2])
    # KM carried forward past the last follow-up: p_t = 0.75 treats (1e, 2c); S = 1/2 at 10, P = 1/3
    far = net_benefit(t, e, r, 10, thresholds=[0.75, 0.95])
    assert far["net_benefit"]["model"] == pytest.approx([1 / 6 - 1 / 2, 0.0], abs=1e-15)  # nobody treated: 0


def test_oe_sample_size_hand_worked():
    # SE = asinh(w / (2 O/E)) / 1.959964; N = (1 - phi) / (phi SE^2)
    assert oe_sample_size(0.5) == 386  # SE 0.0509367, N 385.42
    assert oe_sample_size(0.2, oe=0.8) == 989  # SE 0.0636118, N 988.52
    with pytest.raises(ValueError, match="between 0 and 1"):
        oe_sample_size(1.0)


def test_in_the_large_and_slope_edge_cases():
    # no event before the horizon: observed risk 0, O/E not defined (0 / E is reported as a difference)
    r = in_the_large([11, 12, 13], [1, 0, 1], [0.2, 0.3, 0.4], 10)
    assert r["observed"] == 0 and r["oe_ratio"] is None and r["difference"] == pytest.approx(-0.3)
    # last follow-up censored before the horizon: not estimable, said why
    r = in_the_large([1, 2, 3], [1, 0, 0], [0.2, 0.3, 0.4], 10)
    assert r["observed"] is None and "censoring before 10" in r["note"]
    # a constant score: slope not estimable, with the reason
    s = calibration_slope([1, 2, 3, 4], [1, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    assert s["estimate"] is None and "not estimable" in s["note"]


def test_precision_flags():
    oe = {"observed": 0.5, "oe_ratio": 1.0, "oe_ci_low": 0.9, "oe_ci_high": 1.1}
    slope = {"ci_low": 0.7, "ci_high": 1.3}
    disc = {"c_harrell": {"ci": [0.6, 0.68]}}
    p = precision(300, 150, oe, slope, disc)
    m = p["measures"]
    assert m["oe_ratio"]["met"] is True and m["c_harrell"]["met"] is True
    assert m["calibration_slope"]["met"] is False and m["calibration_slope"]["n_needed"] == 2700  # 300 * 3^2
    assert m["oe_ratio"]["n_needed_closed_form"] == 386
    assert p["enough_events"] and not p["adequate"]


def test_unknown_factors_counted_not_dropped():
    d = pd.read_csv(DATA / "validate_cohort.csv")
    d.loc[:9, "nf1"] = None  # ten patients without NF1
    c = prepare_cohort(d, source="x")
    v = external_validation(c, n_boot=0)
    p = v["patients"]["os"]
    assert p["used"] == len(d) - 10 and p["without_score"] == 10
    g = v["groups"]["os"]["published"]
    assert p["without_group"] == g["n_indeterminate"] <= 10
    assert sum(g[x]["n"] for x in GROUPS) == len(d) - p["without_group"]


def test_user_baseline_is_used_and_labelled(tmp_path):
    from venprs.prediction import load_baseline

    (tmp_path / "b.csv").write_text("endpoint,time,surv\nos,5,0.8\nos,12,0.5\nefs,5,0.7\nefs,12,0.4\n")
    c = prepare_cohort(pd.read_csv(DATA / "validate_cohort.csv"), source="x")
    v = external_validation(c, n_boot=0, baseline=load_baseline(tmp_path / "b.csv"))
    assert v["baseline"]["os"] == {"source": "user: b.csv", "reconstructed": False, "survival_at_horizon": 0.8}
    assert v["calibration"]["os"]["grouped"]["favorable"]["predicted"] == pytest.approx(
        1 - np.mean(0.8 ** np.exp(_scores(c, "os", "favorable"))))


def _scores(c, ep, group):
    from venprs.scoring import score_table

    sc = score_table(c.data, missing_columns="unknown")
    return sc.loc[sc[f"{ep}_group"] == group, f"{ep}_score"].to_numpy(float)


# ------------------------------------------------------------------ the command, as a user runs it

def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "venprs", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def test_validate_cli_on_the_registry_example(tmp_path):
    out = tmp_path / "v"
    r = run("validate", str(ROOT / "examples" / "registry_export.csv"), "--columns",
            str(ROOT / "examples" / "registry_columns.yaml"), "--time-unit", "days", "--bootstrap", "20",
            "--seed", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    res = json.loads((out / "results.json").read_text())
    # the keys the issue promises
    for ep in ("os", "efs"):
        for g in GROUPS:
            assert {"n", "median", "ci_low", "ci_high"} <= set(res["groups"][ep]["published"][g])
        d = res["discrimination"][ep]
        assert {"estimate", "ci"} <= set(d["c_harrell"]) and {"estimate", "ci"} <= set(d["c_uno"])
        assert {"heagerty", "ipcw"} <= set(d["auc_10m"])
        assert {"estimate", "ci_low", "ci_high"} <= set(res["calibration"][ep]["slope"])
        assert {"horizon_months", "observed", "expected", "oe_ratio"} <= set(res["calibration"][ep]["in_the_large"])
        dc = res["decision_curve"][ep]
        assert dc["horizon_months"] == 10 and set(dc["net_benefit"]) == {"model", "treat_all", "treat_none"}
        assert len(dc["thresholds"]) == len(dc["net_benefit"]["model"])
        b = res["brier"][ep]  # values against riskRegression::Score: tests/test_validate_brier.py
        assert {"brier", "se", "ci_low", "ci_high", "ipa"} <= set(b["model"]) and b["null"]["ipa"] == 0
    assert res["discrimination"]["os"]["bootstrap"]["n"] == 20
    assert res["input"]["time_unit_input"] == "days" and res["input"]["columns"]["os_months"] == "OS_days"
    assert res["patients"]["os"]["without_score"] > 0  # the example has 'not done' genes
    assert res["baseline"]["os"]["reconstructed"] is True
    assert [s["key"] for s in res["sections"]][:2] == ["validate_summary", "input"]
    html = (out / "report.html").read_text()
    assert "Reconstructed baseline - NOT published" in html and "TRIPOD" in html
    assert '<section id="validate_brier">' in html and "Brier score of giving everyone" in html
    body = html[html.index('<section id="validate_summary">'):]
    assert body.index("<p>In ") < body.index('<section id="validate_groups">')  # plain-language summary first
    assert "src=\"http" not in html and "data:image/png;base64," in html  # self-contained
    assert "NOT published" in r.stderr and "Sample size" in r.stderr
    for name in ("validate_km_os", "validate_calibration", "validate_decision_curve"):
        assert (out / "figures" / f"{name}.svg").exists()


def test_validate_cli_user_errors(tmp_path):
    reg = ROOT / "examples" / "registry_export.csv"
    cols = str(ROOT / "examples" / "registry_columns.yaml")
    # days read as months by mistake is not caught here (times only get longer); months read as days is:
    d = pd.read_csv(DATA / "validate_cohort.csv")
    d.to_csv(tmp_path / "c.csv", index=False)
    cases = [
        (["--time-unit", "days"], str(tmp_path / "c.csv"), "no patient followed beyond the horizon"),
        (["--horizon", "0"], str(tmp_path / "c.csv"), "--horizon must be a positive"),
        (["--bootstrap", "-1"], str(tmp_path / "c.csv"), "--bootstrap must be >= 0"),
        (["--time-unit", "weeks"], str(tmp_path / "c.csv"), "use months or days"),
        (["--baseline", str(tmp_path / "none.csv")], str(tmp_path / "c.csv"), "file not found"),
        ([], str(reg), "required column"),  # registry names without --columns
        (["--columns", cols], str(tmp_path / "c.csv"), "no such column"),
    ]
    for extra, path, msg in cases:
        base = [] if "--bootstrap" in extra else ["--bootstrap", "0"]  # an option is given once
        r = run("validate", path, "--out", str(tmp_path / "o"), *base, *extra)
        assert r.returncode == 2, (extra, r.stderr)
        assert msg in r.stderr and "Traceback" not in r.stderr, (extra, r.stderr)
        assert r.stderr.strip().count("\n") == 0, r.stderr
    small = d.head(12)
    small.to_csv(tmp_path / "s.csv", index=False)
    r = run("validate", str(tmp_path / "s.csv"), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "12 patient(s)" in r.stderr and "at least 20" in r.stderr
    assert not (tmp_path / "o" / "results.json").exists()


def test_validate_warns_when_times_look_like_days(tmp_path):
    """Times in days read as months: the same warning as analyze and calibrate, with the option to give
    (newcomer trial 2026-12-04: validate reported O/E 0.14 without a hint)."""
    d = pd.read_csv(DATA / "validate_cohort.csv")
    for c in d.columns:
        if c.endswith("_months"):
            d[c] = (d[c] * 30.4375).round(0)
    d.to_csv(tmp_path / "days.csv", index=False)
    r = run("validate", str(tmp_path / "days.csv"), "--out", str(tmp_path / "o"), "--bootstrap", "0")
    assert r.returncode == 0, r.stderr
    assert "venprs: warning: " in r.stderr and "--time-unit days" in r.stderr, r.stderr


def test_reproduce_section_uses_the_same_code(tmp_path):
    # venprs reproduce: the validate measures on the synthetic first-line cohort (same core function)
    from venprs.cli._analyze import _first_line_cohort
    from venprs.reporting.report import run_report

    fl = _first_line_cohort(0)
    c = prepare_cohort(pd.read_csv(DATA / "validate_cohort.csv"), source="x")
    res = run_report(c, tmp_path / "r", options={"only": {"input", "external_validation"}, "validation": fl,
                                                 "validation_is_first_line": True, "n_boot": 0})
    ev = res["external_validation"]
    direct = external_validation(fl, n_boot=0)
    assert ev["calibration"]["os"]["slope"]["estimate"] == pytest.approx(direct["calibration"]["os"]["slope"]["estimate"])
    assert ev["decision_curve"]["efs"]["net_benefit"]["model"] == pytest.approx(
        direct["decision_curve"]["efs"]["net_benefit"]["model"])
    assert "first-line" in ev["source"] and math.isfinite(ev["groups"]["os"]["published"]["logrank_p"])
