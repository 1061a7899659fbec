"""Resampling on one core, local cores or Dask (venprs.resampling), and its progress bars (terminal only).

The progress tests run the real CLI twice: with stderr a pipe (as in CI, logs, ``2> file``) no
progress bar may appear; with stderr a pseudo-terminal (the ``pty`` module, as a user's shell) the
bar of the resampling loop must be drawn.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from _cohort import make_cohort
from conftest import run_cli, run_on_pty
from venprs.errors import InputError
from venprs.resampling import map_replicates, replicate_seeds


def _draws(shared: int, seeds: list) -> list[float]:
    """One value per replicate from its own stream (module level: picklable for joblib and Dask)."""
    return [float(np.random.default_rng(s).normal(size=shared).sum()) for s in seeds]


def test_replicates_are_the_same_on_one_core_local_cores_and_in_any_chunking():
    seeds = replicate_seeds(11, 45)
    serial = map_replicates(_draws, 5, seeds)
    assert serial == _draws(5, seeds)  # chunking does not change a replicate's numbers
    assert map_replicates(_draws, 5, seeds, n_jobs=2) == serial
    # replicate k's stream is the k-th child of SeedSequence(seed), whatever the number of replicates
    assert map_replicates(_draws, 5, replicate_seeds(11, 10)) == serial[:10]
    assert map_replicates(_draws, 5, []) == []


def test_progress_counts_every_replicate_once():
    done: list[int] = []
    map_replicates(_draws, 2, replicate_seeds(1, 37), progress=done.append)
    assert sum(done) == 37
    done.clear()
    map_replicates(_draws, 2, replicate_seeds(1, 37), n_jobs=2, progress=done.append)
    assert sum(done) == 37


def test_unknown_backend_is_refused():
    with pytest.raises(InputError, match="backend must be 'joblib' or 'dask', not 'spark'"):
        map_replicates(_draws, 2, replicate_seeds(1, 3), backend="spark")


def test_simulate_check_refuses_dask_without_scheduler():
    r = run_cli("simulate", "--check", "--seeds", "2", "--backend", "dask")
    assert r.returncode == 2
    assert "--backend dask needs --scheduler ADDRESS" in r.stderr
    assert "Traceback" not in r.stderr


def test_simulate_check_on_two_local_processes_equals_serial():
    a = run_cli("simulate", "--check", "--seeds", "4", "--json")
    b = run_cli("simulate", "--check", "--seeds", "4", "--json", "--n-jobs", "2")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout


# ---------------------------------------------------------------------- progress bars: terminal only

def _calibrate_args(tmp_path) -> list[str]:
    make_cohort(174, seed=0).to_csv(tmp_path / "c.csv", index=False)
    return ["calibrate", str(tmp_path / "c.csv"), "--splits", "400", "--out", str(tmp_path / "out")]


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    r = run_cli(*_calibrate_args(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "calibration splits" not in r.stderr
    assert "\x1b[" not in r.stderr  # no cursor movement or colour in a pipe or log
    assert r.stderr.startswith("venprs: OS predicted vs observed")  # only the summary lines


def test_progress_bar_on_a_terminal(tmp_path):
    rc, out = run_on_pty(_calibrate_args(tmp_path))
    assert rc == 0, out
    assert "calibration splits" in out
    assert "/800" in out  # 400 splits for each of OS and EFS
    assert "venprs: OS predicted vs observed" in out


def test_simulate_check_progress_bar_on_a_terminal_only():
    rc, out = run_on_pty(["simulate", "--check", "--seeds", "6"])
    assert rc == 0, out
    assert "simulating 6 cohorts" in out
    r = run_cli("simulate", "--check", "--seeds", "6")
    assert r.returncode == 0 and "simulating" not in r.stderr and "\x1b[" not in r.stderr


def test_validate_bootstrap_on_two_local_processes_equals_serial(tmp_path):
    """validate's bootstrap resamples go through the same helper: --n-jobs 2 gives the serial CIs."""
    make_cohort(174, seed=0).to_csv(tmp_path / "c.csv", index=False)
    common = ["validate", tmp_path / "c.csv", "--bootstrap", 40, "-q"]
    a = run_cli(*common, "--out", tmp_path / "serial")
    b = run_cli(*common, "--out", tmp_path / "two", "--n-jobs", 2)
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    disc = [json.loads((tmp_path / d / "results.json").read_text())["discrimination"] for d in ("serial", "two")]
    assert disc[0] == disc[1]
    assert disc[0]["os"]["c_harrell"]["ci"][0] < disc[0]["os"]["c_harrell"]["estimate"]
