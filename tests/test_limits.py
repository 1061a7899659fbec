"""Limits that protect the machine: ``simulate --n`` and ``calibrate --splits`` beyond what fits (issue 14)."""

import pytest

from _cohort import make_cohort
from conftest import run_cli as run
from venprs import limits
from venprs.errors import InputError


def test_simulate_too_many_patients_is_one_line(tmp_path):
    # 10^12 patients at the measured 2,000 bytes a patient: 2,000 TB (2e15 bytes) and 4.1e8 s = 4745 days
    out = tmp_path / "big.csv"
    r = run("simulate", "--n", str(10**12), "--output", str(out))
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line
    assert "--n 1,000,000,000,000: estimated 4745 days and 2000.0 TB of memory" in line
    assert "available" in line and "at most about" in line and "--seed" in line
    assert not out.exists()


def test_calibrate_too_many_splits_is_one_line(tmp_path):
    # 174 patients: 0.075 s + 174 x 0.169 ms = 0.104406 s a split; 10^9 splits = 1.04e8 s = 1208 days
    make_cohort(174, seed=0).to_csv(tmp_path / "c.csv", index=False)
    r = run("calibrate", str(tmp_path / "c.csv"), "--splits", str(10**9), "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line
    assert "--splits 1,000,000,000: estimated 1208 days on 174 patients" in line
    # 24 h / 0.104406 s = 827,538 splits
    assert "at most about 827,538 splits fit" in line
    assert not (tmp_path / "o").exists()


def test_limits_accept_what_fits_and_refuse_memory():
    limits.check_simulate(100_000, memory=8 * 10**9)  # 200 MB of 8 GB: fits
    limits.check_calibrate(200, 174)  # the paper's protocol: 21 s
    assert limits.calibrate_estimate(200, 174) == pytest.approx(200 * (0.075 + 174 * 0.169e-3))
    assert limits.calibrate_estimate(200, 174, n_jobs=2) == pytest.approx(100 * (0.075 + 174 * 0.169e-3))
    # 10^6 patients = 2 GB: refused when only 1 GB is available (0.8 x 1 GB = 400,000 patients fit)
    with pytest.raises(InputError, match=r"2\.0 GB of memory.*1\.0 GB available.*at most about 400,000 patients"):
        limits.check_simulate(10**6, memory=10**9)
