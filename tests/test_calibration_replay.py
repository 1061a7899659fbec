"""Calibration splits replayed in R: every split's predicted and observed values equal R's.

``tests/data/make_calibration_replay.py`` writes the cohort (two rare factors: NF1 with 2
carriers, PTPN11 with 3 censored carriers) and the splits file (``venprs calibrate
--save-splits``); ``tests/r/calibration_replay.R`` (R 4.2.2, survival 3.5-3) refits
``coxph`` on each training part and writes ``tests/data/calibration_replay_reference.json``.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from venprs.evaluation.calibration import calibrate, split_indices

DATA = Path(__file__).parent / "data"
COHORT = pd.read_csv(DATA / "calibration_replay_cohort.csv")
SPLITS = json.loads((DATA / "calibration_replay_splits.json").read_text())
R = json.loads((DATA / "calibration_replay_reference.json").read_text())


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], float)


def test_saved_splits_are_the_splits_calibrate_uses():
    assert split_indices(COHORT, splits=SPLITS["splits"], seed=SPLITS["seed"]) == SPLITS
    res = calibrate(COHORT, splits=SPLITS["splits"], seed=SPLITS["seed"], return_splits=True)
    for ep, e in SPLITS["endpoints"].items():
        assert res[ep]["n"] == e["n"] and res[ep]["n_train"] == e["n_train"] == len(e["train"][0])
        assert all(set(tr) <= set(e["rows"]) and len(set(tr)) == e["n_train"] for tr in e["train"])


@pytest.fixture(scope="module")
def venprs_splits():
    return calibrate(COHORT, splits=SPLITS["splits"], seed=SPLITS["seed"], return_splits=True)


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_every_split_equals_r(venprs_splits, ep):
    ours, ref = venprs_splits[ep]["splits_detail"], R["endpoints"][ep]
    assert len(ours) == len(ref) == SPLITS["splits"]
    for k, (a, b) in enumerate(zip(ours, ref), start=1):
        assert a["status"] == b["status"] == "ok"
        assert a["n"] == b["n"]
        for key in ("pred", "obs"):
            want = _arr(b[key])
            np.testing.assert_array_equal(np.isnan(a[key]), np.isnan(want), err_msg=f"split {k} {key}")
            np.testing.assert_allclose(a[key], want, rtol=0, atol=1e-8, err_msg=f"split {k} {key}")
        # the fit's flags are R's: NA where R gives NA, R's warnings verbatim
        na = {f for f, c in zip(SPLITS["endpoints"][ep]["factors"], b["coef"]) if c is None}
        assert {f["factor"] for f in a["flags"] if f["flag"] == "na"} == na
        msgs = {f["r_message"] for f in a["flags"] if f["r_message"]}
        assert msgs == set(b["warnings"]), f"split {k}"


def test_replay_covers_rare_factors(venprs_splits):
    flags = [f for ep in ("os", "efs") for f in venprs_splits[ep]["flagged"]]
    kinds = {(f["factor"], f["flag"]) for f in flags}
    assert ("nf1", "na") in kinds  # no carrier in the training part
    assert ("ptpn11", "na") in kinds  # no carrier in the training part
    assert ("ptpn11", "may_be_infinite") in kinds  # carriers in the training part, all censored
    assert (None, "not_converged") in kinds  # R's 20-iteration limit
    assert R["survival_version"] == "3.5.3"
