"""``run_report`` at a horizon other than the paper's 10 months (issue 13: it raised KeyError 'auc_10m').

The discrimination result is keyed ``auc_<horizon>m`` (``venprs.evaluation.discrimination.auc_key``);
the report reads the key of the horizon in use and labels the rows with it.
"""

from __future__ import annotations

import json

from venprs import simulate
from venprs.evaluation.cohort import prepare_cohort
from venprs.evaluation.discrimination import auc_key
from venprs.reporting.report import run_report


def test_auc_key():
    assert (auc_key(10), auc_key(12), auc_key(6.5)) == ("auc_10m", "auc_12m", "auc_6.5m")


def test_run_report_at_12_months(tmp_path):
    c = prepare_cohort(simulate("rr", seed=0))
    run_report(c, tmp_path / "o", options={"quick": True, "horizon": 12, "splits": 4, "n_boot": 4})
    r = json.loads((tmp_path / "o" / "results.json").read_text())
    d = r["discrimination"]["os"]
    assert d["horizon_months"] == 12 and "auc_12m" in d and "auc_10m" not in d
    assert "AUC(12 m), Heagerty NNE" in (tmp_path / "o" / "report.html").read_text()
