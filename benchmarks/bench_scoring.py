"""Benchmark: batch scoring of 1,000,000 patients (issue: core scoring >= 10M patients/s;
CSV in -> CSV out for 1M rows <= 3 s), beside a plain per-row Python loop measured in the same run.

Run by hand:  PYTHONPATH=src python benchmarks/bench_scoring.py [--n 1000000]
Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import venprs
from venprs.scoring import FACTORS, score_codes

TOKENS = np.array(["mut", "wt", "", "yes", "no", "nd", "1", "0"], dtype=object)


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--loop-n", type=int, default=20_000, help="rows for the per-row loop (extrapolated)")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    codes = rng.integers(-1, 2, size=(a.n, 7)).astype(np.int8)
    score_codes(codes[:10], "os"), score_codes(codes[:10], "efs")  # build lookup tables

    t_core = best_of(lambda: (score_codes(codes, "os"), score_codes(codes, "efs")))
    vals = [{f: (None if v == -1 else bool(v)) for f, v in zip(FACTORS, row)} for row in codes[: a.loop_n]]
    t_loop = best_of(lambda: [venprs.score(**v) for v in vals], repeat=1) * (a.n / a.loop_n)

    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "in.csv", Path(d) / "out.csv"
        df = pd.DataFrame({"patient_id": [f"P{i:07d}" for i in range(a.n)]})
        for f in FACTORS:
            df[f] = TOKENS[rng.integers(0, len(TOKENS), a.n)]
        df.to_csv(src, index=False)
        env = dict(os.environ)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(dst)], check=True,
                       env=env, capture_output=True)
        t_cli = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import venprs.cli"], check=True, env=env)
        t_import = time.perf_counter() - t
        out = pd.read_csv(dst, usecols=["patient_id"], dtype=str)
        assert len(out) == a.n and out["patient_id"].iloc[-1] == f"P{a.n - 1:07d}"

    print(f"n = {a.n:,} patients, {os.cpu_count()} cores, numpy {np.__version__}")
    print(f"core vectorised (OS + EFS):   {t_core:8.3f} s  = {a.n / t_core / 1e6:6.1f} M patients/s")
    print(f"per-row loop venprs.score():  {t_loop:8.3f} s  = {a.n / t_loop / 1e6:6.3f} M patients/s "
          f"(measured on {a.loop_n:,}, extrapolated)")
    print(f"ratio loop / core:            {t_loop / t_core:8.0f} x")
    print(f"CLI CSV in -> CSV out:        {t_cli:8.3f} s  (incl. {t_import:.2f} s interpreter start + imports)")


if __name__ == "__main__":
    main()
