"""``venprs calibrate`` and the cohort-analysis-II options of ``venprs analyze`` (run as a user would)."""

import json
from pathlib import Path

from _cohort import make_cohort
from conftest import run_cli as run

SRC = str(Path(__file__).resolve().parents[1] / "src")




def test_calibrate_cli_writes_report_and_results(tmp_path):
    make_cohort(174, seed=0).to_csv(tmp_path / "c.csv", index=False)
    r = run("calibrate", str(tmp_path / "c.csv"), "--splits", "6", "--seed", "3", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    assert [s["key"] for s in res["sections"]] == ["input", "calibration"]
    cal = res["calibration"]["os"]
    assert cal["splits"] == 6 and cal["seed"] == 3 and cal["n_train"] == 100
    for g in ("favorable", "intermediate", "adverse"):
        assert {"predicted", "observed", "observed_ci"} <= set(cal[g])
    assert "failed_splits" in cal and "ici" in res["landmark_calibration"]["efs"]
    assert (tmp_path / "o" / "figures" / "calibration.svg").exists()
    assert "OS predicted vs observed" in r.stderr
    # a user error: one line, exit code 2
    r = run("calibrate", str(tmp_path / "c.csv"), "--out", str(tmp_path / "p"), "--backend", "dask")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "--scheduler" in r.stderr


def test_analyze_with_validation_and_user_score(tmp_path):
    make_cohort(174, seed=0).to_csv(tmp_path / "c.csv", index=False)
    make_cohort(120, seed=9).to_csv(tmp_path / "v.csv", index=False)
    (tmp_path / "s.yaml").write_text(
        "name: tp53_only\nlabel: TP53 only\nfactors:\n  - {name: tp53, weight: '1'}\n"
        "groups:\n  - {label: low, below: '1'}\n  - {label: high}\n")
    r = run("analyze", str(tmp_path / "c.csv"), "--out", str(tmp_path / "o"), "-q", "--validation",
            str(tmp_path / "v.csv"), "--comparators", str(tmp_path / "s.yaml"), "--splits", "4", "--bootstrap", "4")
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    for ep in ("os", "efs"):
        assert set(res["aic"][ep]) >= {"venprs", "venprs_derived", "breems", "eln2022", "four_gene", "gangat",
                                       "tp53_only"}
        assert res["aic"][ep]["gangat"]["delta"] is None and res["aic"][ep]["gangat"]["skipped"]
        assert {"heagerty", "ipcw"} == set(res["discrimination"][ep]["auc_10m"])
        assert res["validation"][ep]["n"] == 120 and "logrank" in res["validation"][ep]
    assert res["comparators"]["os"]["four_gene"]["n"]
    html = (tmp_path / "o" / "report.html").read_text()
    assert "External validation" in html and "AIC difference" in html
    # the time-dependent ROC curves (Suppl. Fig. S12): both estimators, OS and EFS, and the change note
    assert (tmp_path / "o" / "figures" / "roc_time_dependent.png").stat().st_size > 1000
    svg = (tmp_path / "o" / "figures" / "roc_time_dependent.svg").read_text()
    assert svg.count("Heagerty NNE (AUC") == 2 and svg.count("IPCW (AUC") == 2
    assert "Overall survival" in svg and "Event-free survival" in svg
    assert "Changed in this version: the Heagerty AUC now uses survivalROC" in html


def test_calibrate_save_splits_and_rare_factors(tmp_path):
    # the committed replay cohort (tests/data/make_calibration_replay.py): the file equals the committed one
    data = Path(__file__).parent / "data"
    # the replay cohort draws EFS independently of OS; venprs refuses EFS > OS (issue 10), so the CLI runs on a
    # copy with EFS capped at OS (the split indices depend only on n and the seed, not on the times)
    import pandas as pd
    d = pd.read_csv(data / "calibration_replay_cohort.csv", dtype=str, keep_default_na=False)
    late = d["efs_months"].astype(float) > d["os_months"].astype(float)
    d.loc[late, "efs_months"] = d.loc[late, "os_months"]
    cohort = tmp_path / "cohort.csv"
    d.to_csv(cohort, index=False)
    r = run("calibrate", str(cohort), "--splits", "40", "--seed", "5",
            "--out", str(tmp_path / "o"), "--save-splits", str(tmp_path / "splits.json"))
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "splits.json").read_text()) == json.loads(
        (data / "calibration_replay_splits.json").read_text())
    res = json.loads((tmp_path / "o" / "results.json").read_text())
    assert res["rare_factors"]["policy"] == "r" and res["calibration"]["os"]["rare_factors"] == "r"
    flagged = [e for e in res["rare_factors"]["flagged"] if e["analysis"] == "calibration"]
    assert len(flagged) == sum(len(res["calibration"][ep]["flagged"]) for ep in ("os", "efs"))
    assert all({"endpoint", "split", "factor", "flag", "r_message"} <= set(e) for e in flagged)
    assert "--rare-factors r" in res["command"]
    # policy drop: recorded, nothing quoted from R for dropped factors
    r = run("calibrate", str(cohort), "--splits", "4", "--out", str(tmp_path / "d"),
            "--rare-factors", "drop", "-q")
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "d" / "results.json").read_text())
    assert res["rare_factors"]["policy"] == "drop" == res["calibration"]["os"]["rare_factors"]
    assert all(e["r_message"] is None for e in res["rare_factors"]["flagged"])
    # user errors: one line, exit code 2; the input is never overwritten
    r = run("calibrate", str(cohort), "--out", str(tmp_path / "e"),
            "--rare-factors", "R")
    assert r.returncode == 2 and "--rare-factors 'R' is not accepted; use r or drop" in r.stderr
    (tmp_path / "c.csv").write_bytes((data / "calibration_replay_cohort.csv").read_bytes())
    r = run("calibrate", str(tmp_path / "c.csv"), "--out", str(tmp_path / "f"), "--save-splits", str(tmp_path / "c.csv"))
    assert r.returncode == 2 and "is also the output; choose another output so that the input is not overwritten" in r.stderr
    assert (tmp_path / "c.csv").read_bytes() == (data / "calibration_replay_cohort.csv").read_bytes()
