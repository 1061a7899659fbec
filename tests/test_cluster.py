"""Calibration splits on a real Dask cluster: ``dask scheduler`` and ``dask worker`` as separate processes.

The test starts the cluster itself with the ``dask`` command (not an in-process LocalCluster),
runs ``venprs calibrate --backend dask --scheduler ADDRESS`` as a user would, kills one of the two
workers with SIGKILL while it holds a task, and checks that the job still finishes with the same
results as the serial run: every split has its own random stream (``SeedSequence.spawn``), so the
numbers do not depend on where or how often a split ran. Simulation replicates
(``venprs simulate --check``) then run on the surviving worker and equal the serial check.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _cohort import make_cohort
from conftest import cli_env, free_port, run_cli

distributed = pytest.importorskip("distributed")

DASK = Path(sys.executable).with_name("dask")
SPLITS = 800  # ~1 s per 100 splits: long enough for a worker to be killed mid-run

pytestmark = pytest.mark.slow


def _start(*args: str, log: Path) -> subprocess.Popen:
    fh = open(log, "wb")
    return subprocess.Popen([str(DASK), *args], stdout=fh, stderr=subprocess.STDOUT, env=cli_env(),
                            start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.wait(timeout=30)


@pytest.fixture()
def cluster(tmp_path):
    """A scheduler and two single-threaded workers (named w1, w2), all separate processes."""
    if not DASK.exists():
        pytest.fail(f"the dask command is missing beside {sys.executable} (distributed is a test dependency)")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                    log=tmp_path / "scheduler.log")]
    workers = {}
    try:
        for name in ("w1", "w2"):
            workers[name] = _start("worker", address, "--name", name, "--nworkers", "1", "--nthreads", "1",
                                   "--no-dashboard", "--no-nanny", log=tmp_path / f"{name}.log")
            procs.append(workers[name])
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        _stop(procs)


def _calibration(out: Path) -> dict:
    res = json.loads((out / "results.json").read_text())
    return {"calibration": res["calibration"], "landmark_calibration": res["landmark_calibration"]}


def test_calibrate_on_a_real_cluster_survives_a_killed_worker(tmp_path, cluster):
    address, workers = cluster
    make_cohort(174, seed=0).to_csv(tmp_path / "c.csv", index=False)
    common = ["calibrate", tmp_path / "c.csv", "--splits", SPLITS, "--seed", 3, "-q"]

    job = subprocess.Popen([sys.executable, "-m", "venprs", *map(str, common), "--out", str(tmp_path / "dask"),
                            "--backend", "dask", "--scheduler", address],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    killed = None
    with distributed.Client(address, timeout=30) as client:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and job.poll() is None:
            info = client.scheduler_info()["workers"]
            busy = {w["name"] for addr, w in info.items() if client.processing().get(addr)}
            if "w1" in busy and len(info) == 2:
                workers["w1"].send_signal(signal.SIGKILL)  # mid-task: no goodbye to the scheduler
                killed = "w1"
            time.sleep(0.05)
    stdout, stderr = job.communicate(timeout=600)
    assert killed == "w1", "the worker was not seen holding a task: the run ended too early to test a kill"
    assert workers["w1"].wait(timeout=30) == -signal.SIGKILL
    assert job.returncode == 0, stderr

    serial = run_cli(*common, "--out", tmp_path / "serial")
    assert serial.returncode == 0, serial.stderr
    assert _calibration(tmp_path / "dask") == _calibration(tmp_path / "serial")
    assert _calibration(tmp_path / "dask")["calibration"]["os"]["splits"] == SPLITS

    # simulation replicates go through the same helper (venprs.resampling): the surviving worker
    # draws them and the check is the serial one, byte for byte
    check = ["simulate", "--check", "--seeds", 4, "--json"]
    on_cluster = run_cli(*check, "--backend", "dask", "--scheduler", address)
    assert on_cluster.returncode == 0, on_cluster.stderr
    assert on_cluster.stdout == run_cli(*check).stdout
