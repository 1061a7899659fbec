"""Brier score and IPA of ``venprs validate`` (venprs.evaluation.external.brier_ipa) against riskRegression.

Reference values: tests/data/validate_brier_reference.json, written by tests/r/validate_brier.R
(R 4.2.2, riskRegression 2022.11.28, prodlim 2019.11.13):

    Score(list(model = risk), formula = Hist(time, status) ~ 1, data, times = h, metrics = "brier",
          summary = "ipa", cens.model = "km", null.model = TRUE)

on the awkward cohorts of tests/r/awkward_reference.R (tests/data/awkward_cohorts.csv; risk
1 - 0.9^exp(score), as tests/r/validate_awkward.R; three horizons each) and on
tests/data/validate_cohort.csv at 10 months (the published score and reconstructed baseline, as
tests/r/validate_reference.R). Brier, se, lower, upper and IPA of the model and the "Null model" rows
to 1e-10 relative (1e-12 absolute for the zeros). Where R stops or gives -Inf/NaN, venprs' stated
result is asserted instead.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_awkward_cohorts import COHORTS
from venprs.evaluation.cohort import prepare_cohort
from venprs.evaluation.external import brier_ipa, external_validation

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "validate_brier_reference.json").read_text())
KEYS = (("brier", "brier"), ("se", "se"), ("lower", "ci_low"), ("upper", "ci_high"), ("ipa", "ipa"))


def _equal_r(r, got):
    for row in ("model", "null"):
        for rk, k in KEYS:
            v = r[row][rk]
            if isinstance(v, str):  # IPA with a null Brier of 0: R -Inf (model) / NaN (null)
                assert rk == "ipa" and v in ("-Inf", "NaN") and r["null"]["brier"] == 0
                assert got[row][k] is None and "null model's Brier score is 0" in got["note"]
            else:
                assert got[row][k] == pytest.approx(v, rel=1e-10, abs=1e-12), (row, k)


def _cases():
    return [(name, hk) for name, by in REF["awkward"].items() for hk in by]


@pytest.mark.parametrize("name,hk", _cases())
def test_awkward_cohorts_equal_score(name, hk):
    r = REF["awkward"][name][hk]
    d = COHORTS[COHORTS["cohort"] == name]
    t, e = d["time"].to_numpy(float), d["event"].to_numpy(float)
    got = brier_ipa(t, e, 1 - REF["meta"]["s0"] ** np.exp(d["score"].to_numpy(float)), r["horizon"])
    if "error" in r:  # Score: "No evaluation time before end of followup." (no_events: "subscript out of bounds")
        assert r["horizon"] > t.max()
        assert got["model"]["brier"] is None and got["null"]["se"] is None
        assert "after the last follow-up" in got["note"]
        return
    _equal_r(r, got)


def test_every_awkward_horizon_is_covered():
    hz = json.loads((DATA / "awkward_reference.json").read_text())["cohorts"]
    assert {(n, k) for n in hz for k in hz[n]["horizons"]} == set(_cases())
    assert sum("error" not in REF["awkward"][n][k] for n, k in _cases()) >= 50


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_validate_cohort_equals_score(ep):
    c = prepare_cohort(pd.read_csv(DATA / "validate_cohort.csv"), source="validate_cohort.csv")
    res = external_validation(c, horizon=10, n_boot=0, seed=1)
    _equal_r(REF["validate"][ep], res["brier"][ep])
    assert res["brier"][ep]["model"]["ipa"] > 0  # the score beats the Kaplan-Meier null model here


def test_hand_worked_and_single_patient():
    # no censoring (G = 1): risk 0.5 for all, events at 1, 3, 4, 5, horizon 2 -> 0.25; null KM risk 1/4
    r = brier_ipa([1, 3, 4, 5], [1, 1, 1, 1], [0.5] * 4, 2)
    assert r["model"]["brier"] == 0.25 and r["null"]["brier"] == 0.1875
    assert r["model"]["ipa"] == pytest.approx(-1 / 3, rel=1e-15)
    one = brier_ipa([3], [1], [0.2], 2)  # one patient: a Brier score, no SE (sd undefined)
    assert one["model"]["brier"] == pytest.approx(0.04) and one["model"]["se"] is None
