"""Benchmark: ``venprs validate`` on 400 patients with 500 bootstraps, beside R doing the same measures.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/bench_validate.py [--n 400] [--bootstrap 500] [--seed 1] [--out results.json]

Cohort: ``venprs.simulate(cohort="first-line", n=400, seed=5)`` (every factor known).
venprs: wall-clock of :func:`venprs.evaluation.external.external_validation` (every statistic of the
command) and of the whole command as a user runs it (``python -m venprs validate``, process start-up,
reading, report and figures included). R: ``Rscript benchmarks/r/validate.R`` - KM by group and
log-rank, Harrell's and Uno's C (``survival::concordance``), survivalROC NNE and timeROC IPCW AUC with
the same number of bootstrap resamples, coxph slope, calibration-in-the-large, the rcs calibration curve,
grouped calibration, KM net benefit at 99 thresholds and the model updates; R's own loop time and the
wall-clock of the process (start-up included). Target: venprs command <= R.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--bootstrap", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()

    from venprs.evaluation.cohort import FACTORS, prepare_cohort
    from venprs.evaluation.external import external_validation
    from venprs.prediction import model_baseline
    from venprs.scoring import score_table
    from venprs.simulation import simulate

    df = simulate(cohort="first-line", n=a.n, seed=5)
    c = prepare_cohort(df, source="bench")
    sc = score_table(c.data, missing_columns="unknown")
    res: dict = {"n": a.n, "bootstrap": a.bootstrap, "cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        v = external_validation(c, n_boot=a.bootstrap, seed=a.seed)
        res["venprs_statistics_s"] = round(time.perf_counter() - t0, 2)
        df.to_csv(tmp / "cohort.csv", index=False)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", "venprs", "validate", str(tmp / "cohort.csv"), "--out",
                            str(tmp / "v"), "--bootstrap", str(a.bootstrap), "--seed", str(a.seed), "--quiet"],
                           capture_output=True, text=True, env=env)
        res["venprs_command_s"] = round(time.perf_counter() - t0, 2)
        if p.returncode:
            sys.exit(p.stderr)
        r_in = c.data[list(FACTORS)].astype(int).copy()
        for ep in ("os", "efs"):
            s = sc[f"{ep}_score"].to_numpy(float)
            r_in[f"{ep}_time"] = c.data[f"{ep}_months"]
            r_in[f"{ep}_event"] = c.data[f"{ep}_event"].astype(int)
            r_in[f"{ep}_score"] = s
            r_in[f"{ep}_group"] = sc[f"{ep}_group"].astype(str)
            r_in[f"{ep}_pred"] = float(model_baseline(ep).surv0([10])[0]) ** np.exp(s)
        r_in.to_csv(tmp / "r_in.csv", index=False)
        t0 = time.perf_counter()
        q = subprocess.run(["Rscript", str(ROOT / "benchmarks" / "r" / "validate.R"), str(tmp / "r_in.csv"),
                            str(a.bootstrap), str(a.seed), str(tmp / "r.json")], capture_output=True, text=True)
        res["r_process_s"] = round(time.perf_counter() - t0, 2)
        if q.returncode:
            sys.exit(q.stderr)
        r = json.loads((tmp / "r.json").read_text())
        res["r_loop_s"] = round(float(r["elapsed_seconds"]), 2)
        res["R"] = r["R"]
        # the same answers (point estimates; bootstrap CIs differ by random numbers only)
        res["agreement"] = {ep: {
            "slope": [v["calibration"][ep]["slope"]["estimate"], r[ep]["slope"]],
            "oe": [v["calibration"][ep]["in_the_large"]["oe_ratio"], r[ep]["oe"]],
            "c_harrell": [v["discrimination"][ep]["c_harrell"]["estimate"], r[ep]["disc"]["harrell"]],
            "ici": [v["calibration"][ep]["curve"]["ici"], r[ep]["ici"]]} for ep in ("os", "efs")}
    res["target_met"] = res["venprs_command_s"] <= res["r_process_s"]
    text = json.dumps(res, indent=2)
    print(text)
    if a.out:
        a.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
