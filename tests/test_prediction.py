"""Tests for venprs.prediction: the reconstructed baseline survival and individual predictions.

Published group medians (Results, 'Predictors of overall and event-free survival'; Fig. 2 and 3):
OS 14.2 / 7.0 / 3.1 months, EFS 8.8 / 4.1 / 1.8 months (favorable / intermediate / adverse),
read from the model file.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import venprs
from venprs.model import GROUPS, load_model
from venprs.prediction import (
    StepBaseline,
    WeibullBaseline,
    load_baseline,
    median_survival,
    model_baseline,
    predict_survival,
    predicted_summary,
)
from venprs.simulation.baseline_fit import baseline_entry, write_baseline_entry

ALL_ABSENT = dict(extramedullary=False, prior_hma=False, nf1=False, ptpn11=False, flt3=False, tp53=False,
                  sf3b1=False)


def test_model_file_baseline_is_labelled_and_reproducible():
    stored = load_model().raw["baseline_survival"]
    assert "NOT published by the authors" in stored["label"]
    fresh = baseline_entry()
    # the build step (python -m venprs.simulation.baseline_fit) reproduces every stored number exactly
    for k, v in fresh.items():
        assert stored[k] == v, k
    assert stored["endpoints"]["os"]["parameters"] == {"shape": 0.882906, "scale": 19.47306}  # model file


def test_baseline_build_step_rewrites_only_its_block(tmp_path):
    """Writing the fit back leaves the model file byte for byte unchanged (it already holds the fit), and a
    changed block is replaced without touching the rest of the file or other keys of the block."""
    from venprs.simulation.baseline_fit import model_file_path

    original = model_file_path().read_bytes()
    p = tmp_path / "model.json"
    p.write_bytes(original)
    fresh = baseline_entry()
    assert write_baseline_entry(p, fresh) is False and p.read_bytes() == original
    changed = dict(fresh, label="x")
    assert write_baseline_entry(p, changed) is True
    new = json.loads(p.read_text(encoding="utf-8"))
    old = json.loads(original)
    assert new["baseline_survival"]["label"] == "x"
    assert {k: v for k, v in new.items() if k != "baseline_survival"} == {
        k: v for k, v in old.items() if k != "baseline_survival"}
    assert set(new["baseline_survival"]) == set(old["baseline_survival"])


@pytest.mark.parametrize("endpoint", ["os", "efs"])
def test_baseline_reproduces_group_medians(endpoint):
    """Group medians of S0(t)^exp(S), averaged over each group's scores, within 10% of the paper."""
    fit = load_model().raw["baseline_survival"]["endpoints"][endpoint]
    for g in GROUPS:
        pub = load_model().endpoints[endpoint].group_outcomes[g]["median_months"]
        assert fit["fitted_group_medians"][g] == pytest.approx(pub, rel=0.10), g
        lo, hi = load_model().endpoints[endpoint].group_outcomes[g]["ci"]
        assert lo <= fit["fitted_group_medians"][g] <= hi  # inside the published 95% CI


def test_weibull_closed_form():
    b = WeibullBaseline(shape=0.9, scale=20.0)
    # S(t | S) = exp(-(t/scale)^shape * exp(S)), computed by hand
    assert b.survival(0.5, [10.0])[0] == pytest.approx(math.exp(-(10 / 20) ** 0.9 * math.exp(0.5)))
    m = b.median(0.5)
    assert b.survival(0.5, [m])[0] == pytest.approx(0.5)


def test_predict_survival_properties():
    t = np.linspace(0, 36, 37)
    s0, s1 = predict_survival(0.0, t), predict_survival(1.0, t)
    assert s0[0] == 1.0 and np.all(np.diff(s0) < 0)
    assert np.all(s1[1:] < s0[1:])  # higher score, lower survival
    np.testing.assert_allclose(s1, s0 ** math.e)  # proportional hazards: S0^exp(1)
    m = median_survival(0.64, "os")
    assert predict_survival(0.64, [m], "os")[0] == pytest.approx(0.5)
    with pytest.raises(venprs.InputError, match="endpoint"):
        predict_survival(0.0, [1], "pfs")


def test_score_result_has_predicted_block():
    r = venprs.score(**ALL_ABSENT)
    d = r.to_dict()
    json.dumps(d)
    p = d["os"]["predicted"]
    assert set(p) >= {"median_months", "survival_6m", "survival_12m", "survival_24m"}
    assert p["median_months"] == pytest.approx(model_baseline("os").median(0.0), abs=0.05)
    assert p["survival_12m"] == pytest.approx(float(r.os.survival([12])[0]), abs=5e-4)
    assert 1 > p["survival_6m"] > p["survival_12m"] > p["survival_24m"] > 0
    from venprs.render import format_result
    text = format_result(r)
    assert "predicted OS: median" in text and "not published" in text


def test_unknown_factor_gives_predicted_ranges():
    # TP53 and FLT3 unknown -> 0.64 to 1.52, inside the supported range (-0.98 to 2.03)
    r = venprs.score(prior_hma=True, extramedullary=False, nf1=False, ptpn11=False, sf3b1=False)
    p = r.os.to_dict()["predicted"]
    assert p["median_months"]["lo"] < p["median_months"]["hi"]
    assert p["survival_12m"]["lo"] < p["survival_12m"]["hi"]
    best, worst = r.os.survival_range([12])
    assert p["survival_12m"]["hi"] == pytest.approx(float(best[0]), abs=5e-4)
    assert p["survival_12m"]["lo"] == pytest.approx(float(worst[0]), abs=5e-4)
    with pytest.raises(ValueError, match="survival_range"):
        r.os.survival([12])


def test_user_baseline_csv(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("endpoint,time,surv\nos,1,0.9\nos,5,0.6\nos,10,0.4\nefs,1,0.8\nefs,4,0.45\n")
    b = load_baseline(f)
    assert set(b) == {"os", "efs"}
    assert isinstance(b["os"], StepBaseline)
    assert predict_survival(0.0, [0.5, 1, 6, 20], baseline=b).tolist() == [1.0, 0.9, 0.6, 0.4]
    assert median_survival(0.0, "os", baseline=b) == 10.0  # first time with S <= 0.5 (as R's survfit)
    assert median_survival(0.0, "efs", baseline=b) == 4.0
    s = predicted_summary(0.0, 0.0, "os", baseline=b)
    assert s["survival_6m"] == 0.6 and s["median_months"] == 10.0


def test_user_baseline_json_and_errors(tmp_path):
    f = tmp_path / "b.json"
    f.write_text(json.dumps({"os": {"time": [1, 2], "surv": [0.7, 0.3]}}))
    assert median_survival(0.0, "os", baseline=load_baseline(f)) == 2.0
    f.write_text(json.dumps({"os": {"time": [1, 2, 4], "surv": [0.7, 0.5, 0.2]}}))
    # R: survfit median is the midpoint when S is exactly 0.5 on a step (here 2 to 4 months)
    assert median_survival(0.0, "os", baseline=load_baseline(f)) == 3.0
    bad = tmp_path / "bad.csv"
    bad.write_text("time,surv\n1,0.9\n2,1.2\n")
    with pytest.raises(venprs.InputError, match=r"row 2.*between 0 and 1"):
        load_baseline(bad)
    bad.write_text("time,surv\n2,0.9\n1,0.8\n")
    with pytest.raises(venprs.InputError, match="times must increase"):
        load_baseline(bad)
    bad.write_text("t,s\n1,0.9\n")
    with pytest.raises(venprs.InputError, match="time"):
        load_baseline(bad)


def test_cli_score_json_has_predicted():
    r = subprocess.run([sys.executable, "-m", "venprs", "score", "--json", "--extramedullary", "no",
                        "--prior-hma", "yes", "--nf1", "wt", "--ptpn11", "wt", "--flt3", "wt", "--tp53", "wt",
                        "--sf3b1", "wt"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert isinstance(d["os"]["predicted"]["median_months"], float)
    assert isinstance(d["efs"]["predicted"]["survival_12m"], float)


def test_supported_score_range_is_recomputed_from_the_model_file():
    from venprs.prediction import supported_score_range
    from venprs.simulation.baseline_fit import derive_supported_scores, supported_scores_entry
    assert venprs.load_model().raw["baseline_survival"]["supported_scores"] == supported_scores_entry()
    # expected derivation patients (of 174) at or beyond the ends: see docs/web.md
    assert supported_score_range("os") == derive_supported_scores("os") == (-0.98, 2.03)
    assert supported_score_range("efs") == derive_supported_scores("efs") == (-0.87, 1.75)


def test_prediction_withheld_when_all_unknown_or_outside_support():
    p = venprs.score().os.to_dict()["predicted"]
    assert p["withheld"] == "every factor is unknown" and "median_months" not in p
    # OS 0.90 + 0.64 + 0.49 = 2.03 (supported end) and 2.03 + 0.39 (TP53) = 2.42 beyond it
    r = venprs.score(extramedullary=True, prior_hma=True, nf1=False, ptpn11=False, flt3=True, sf3b1=False)
    p = r.os.to_dict()["predicted"]
    assert p["withheld"].startswith("the highest possible score, 2.42, is outside")
    r = venprs.score(extramedullary=True, prior_hma=True, nf1=False, ptpn11=False, flt3=True, sf3b1=False,
                     tp53=False)
    assert isinstance(r.os.to_dict()["predicted"]["median_months"], float)  # exactly 2.03: drawn
    r = venprs.score(extramedullary=True, prior_hma=True, nf1=True, ptpn11=False, flt3=False, sf3b1=False,
                     tp53=False)
    assert r.os.to_dict()["predicted"]["withheld"].startswith("the score, 2.48, is outside")
