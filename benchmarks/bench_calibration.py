"""Benchmark: the paper's 200-split calibration, venprs vs R (survival::coxph + survfit), in one run.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/bench_calibration.py [--splits 200] [--seed 1] [--out results.json]

Both implementations run the same procedure on the same cohort (the synthetic
R/R cohort's molecular patients when ``venprs.simulate`` is available, else the
seeded test cohort of ``tests/_cohort.py``): 100/174 train fraction, Cox refit
on the training part, predicted vs Kaplan-Meier 10-month OS/EFS per published
VEN-PRS group in the test part. The splits differ (numpy vs R random numbers),
so the results are compared within Monte-Carlo error: for each endpoint and
group, |mean_venprs - mean_R| <= 4 * sqrt(sd_venprs^2 / S + sd_R^2 / S).

Timing: wall-clock of ``venprs.evaluation.calibration.calibrate`` (serial and
joblib with 2 workers, each including its process start-up) against the
wall-clock of ``Rscript benchmarks/r/calibration.R`` (R start-up included) and
R's own loop time. Target: venprs <= 0.5 x R on 2 cores.
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


def cohort():
    import venprs

    try:
        from venprs import simulate as sim_mod

        fn = getattr(sim_mod, "simulate", sim_mod)
        df = fn(cohort="rr", seed=0)
        source = "synthetic R/R cohort (venprs.simulate, seed 0)"
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from _cohort import make_cohort

        df = make_cohort(174, seed=0)
        source = "tests/_cohort.py make_cohort(174, seed=0)"
    s = venprs.score_table(df, missing_columns="unknown")
    keep = s["os_score"].notna().to_numpy()  # every factor known (the molecular cohort)
    df = df.loc[keep].reset_index(drop=True)
    df["os_group"] = s.loc[keep, "os_group"].to_numpy()
    df["efs_group"] = s.loc[keep, "efs_group"].to_numpy()
    for c in venprs.scoring.FACTORS:  # 1/0 for R (molecular patients: every factor known)
        df[c] = _codes(df, c)
    return df, source


def _codes(df, c):
    from venprs.fields import parse_column

    return parse_column(df[c].to_numpy(), c, column=c).astype(int)


def run_venprs(df, splits, seed, n_jobs):
    from venprs.evaluation.calibration import calibrate

    t0 = time.perf_counter()
    res = calibrate(df, splits=splits, seed=seed, n_jobs=n_jobs, return_splits=True)
    return res, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    df, source = cohort()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "cohort.csv"
        df.to_csv(csv, index=False)
        rjson = Path(tmp) / "r.json"
        t0 = time.perf_counter()
        subprocess.run(["Rscript", str(ROOT / "benchmarks/r/calibration.R"), str(csv), str(a.splits), str(a.seed),
                        str(rjson)], check=True)
        r_wall = time.perf_counter() - t0
        r = json.loads(rjson.read_text())
    py1, t1 = run_venprs(df, a.splits, a.seed, 1)
    py2, t2 = run_venprs(df, a.splits, a.seed, 2)
    _, t2w = run_venprs(df, a.splits, a.seed, 2)  # loky reuses its worker pool: warm start
    assert {k: {kk: vv for kk, vv in v.items() if kk != "splits_detail"} for k, v in py1.items()} == \
        {k: {kk: vv for kk, vv in v.items() if kk != "splits_detail"} for k, v in py2.items()}
    rows, ok_all = [], True
    for ep in ("os", "efs"):
        det = py1[ep]["splits_detail"]
        for k, g in enumerate(("favorable", "intermediate", "adverse")):
            for what in ("predicted", "observed"):
                v = np.array([d["pred" if what == "predicted" else "obs"][k] for d in det if d["status"] == "ok"],
                             float)
                v = v[np.isfinite(v)]
                rv, rsd, rn = r[ep][g][what], r[ep][g][f"{what}_sd"], r[ep][g].get("n_observed", a.splits)
                rn = a.splits if what == "predicted" else rn
                mc = 4 * np.sqrt(v.var(ddof=1) / len(v) + rsd ** 2 / rn)
                ok = abs(v.mean() - rv) <= mc
                ok_all &= bool(ok)
                rows.append({"endpoint": ep, "group": g, "quantity": what, "venprs": round(float(v.mean()), 4),
                             "R": round(float(rv), 4), "difference": round(float(v.mean() - rv), 4),
                             "mc_bound_4se": round(float(mc), 4), "within": bool(ok)})
    res = {"cohort": source, "n": len(df), "splits": a.splits, "cores": os.cpu_count(),
           "venprs_seconds_serial": round(t1, 3), "venprs_seconds_joblib_2": round(t2, 3),
           "venprs_seconds_joblib_2_warm": round(t2w, 3),
           "r_seconds_wall": round(r_wall, 3), "r_seconds_loop": r["seconds"],
           "ratio_best_venprs_to_r_wall": round(min(t1, t2) / r_wall, 4),
           "ratio_serial_to_r_loop": round(t1 / r["seconds"], 4),
           "results_equal_within_mc_error": ok_all, "comparison": rows, "R": r["R"], "survival": r["survival"]}
    print(f"cohort: {source}, n = {len(df)}, {a.splits} splits, {os.cpu_count()} cores")
    print(f"venprs: {t1:.2f} s serial, {t2:.2f} s joblib (2 workers, cold), {t2w:.2f} s (warm); R: {r_wall:.2f} s wall "
          f"({r['seconds']:.2f} s loop); ratio venprs/R = {res['ratio_best_venprs_to_r_wall']:.3f}")
    for x in rows:
        print(f"  {x['endpoint']:3s} {x['group']:12s} {x['quantity']:9s} venprs {x['venprs']:.4f}  R {x['R']:.4f}  "
              f"diff {x['difference']:+.4f}  (4 MC-SE {x['mc_bound_4se']:.4f}) {'ok' if x['within'] else 'DIFFERENT'}")
    print("results equal within Monte-Carlo error:", ok_all)
    if a.out:
        a.out.write_text(json.dumps(res, indent=2) + "\n")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
