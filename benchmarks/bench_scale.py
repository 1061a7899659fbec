"""Benchmark (issue 14): ``venprs analyze`` on 1k-100k synthetic patients beside R doing the core statistics
(``benchmarks/r/scale.R``: coxph, survfit by group, survdiff, concordance on the same CSV), ``venprs validate``
on 1k-100k, and ``venprs score`` on 1M CSV rows beside pyarrow's own read + write of the same file; wall time,
peak memory, growth exponent.

Every run is a separate process (as a user calls it); peak memory is that process's maximum resident set
(``os.wait4`` rusage ``ru_maxrss``). The load average is printed beside every figure: the development
machine is shared, so times are upper bounds.

Run by hand:   PYTHONPATH=src python benchmarks/bench_scale.py [--sizes 1000 5000 10000 50000 100000]
                 [--validate-sizes 1000 10000 100000]
                 [--score-rows 1000000]
Profile:       PYTHONPATH=src python benchmarks/bench_scale.py --profile 10000   (cProfile of analyze, top 30)
Costs of venprs.limits (per patient, per split): see the module docstring of venprs.limits.
Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: Resampling kept small so that the table measures the cohort-size growth, not the 200 + 200 resamples.
ANALYZE_ARGS = ("--splits", "10", "--bootstrap", "10", "--quiet")
VALIDATE_ARGS = ("--bootstrap", "10", "--quiet")
R_SCALE = Path(__file__).resolve().parent / "r" / "scale.R"
PYARROW_RW = ("import sys, pyarrow.csv as c; t = c.read_csv(sys.argv[1]); c.write_csv(t, sys.argv[2])")


def run_child_usage(args: list[str]) -> tuple[float, float, float, float]:
    """Run ``args``; return wall seconds, peak resident MB, user and system CPU seconds of that child alone."""
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(args)}\n{p.stderr.read().decode()[-2000:]}")
    return wall, ru.ru_maxrss / 1024, ru.ru_utime, ru.ru_stime


def run_child(args: list[str]) -> tuple[float, float]:
    """Run ``args``; return (wall seconds, peak resident MB) of that child alone."""
    return run_child_usage(args)[:2]


def load() -> str:
    return "load %.1f" % os.getloadavg()[0]


def cohort_file(d: Path, n: int, cohort: str = "rr") -> Path:
    import venprs

    path = d / f"cohort_{cohort}_{n}.csv"
    venprs.simulate(cohort, n, 1).to_csv(path, index=False)
    return path


def growth(name: str, rows: list[tuple[int, float, float]]) -> None:
    """Print the growth exponent (log time ratio / log size ratio) between consecutive sizes."""
    for (n0, w0, _), (n1, w1, _) in zip(rows, rows[1:]):
        print(f"growth exponent {name} {n0:,} -> {n1:,}: {math.log(w1 / w0) / math.log(n1 / n0):.2f}")


def bench_analyze(d: Path, sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        src = cohort_file(d, n)
        wall, mb = run_child([sys.executable, "-m", "venprs", "analyze", str(src), "--out", str(d / f"o{n}"),
                              *ANALYZE_ARGS])
        rows.append((n, wall, mb))
        print(f"analyze {n:>7,} patients: {wall:8.1f} s  {mb:7.0f} MB peak  ({load()})", flush=True)
        wr, mbr = run_child(["Rscript", str(R_SCALE), str(src)])
        print(f"R KM+Cox+log-rank+C {n:>7,}: {wr:8.1f} s  {mbr:7.0f} MB peak  ({load()})", flush=True)
    growth("analyze", rows)


def bench_validate(d: Path, sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        src = cohort_file(d, n, "first-line")
        wall, mb = run_child([sys.executable, "-m", "venprs", "validate", str(src), "--out", str(d / f"v{n}"),
                              *VALIDATE_ARGS])
        rows.append((n, wall, mb))
        print(f"validate {n:>7,} patients: {wall:8.1f} s  {mb:7.0f} MB peak  ({load()})", flush=True)
    growth("validate", rows)


def bench_score(d: Path, n: int) -> None:
    import pandas as pd

    from venprs.scoring import FACTORS

    rng = np.random.default_rng(0)
    tokens = np.array(["mut", "wt", "", "yes", "no", "nd", "1", "0"], dtype=object)
    df = pd.DataFrame({"patient_id": [f"P{i:07d}" for i in range(n)]})
    for f in FACTORS:
        df[f] = tokens[rng.integers(0, len(tokens), n)]
    src = d / "score_in.csv"
    df.to_csv(src, index=False)
    del df
    w, mb = run_child([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(d / "score_out.csv")])
    print(f"score {n:,} rows CSV -> CSV:       {w:7.1f} s  {mb:7.0f} MB peak  ({load()})", flush=True)
    wa, mba = run_child([sys.executable, "-c", PYARROW_RW, str(src), str(d / "pa_out.csv")])
    print(f"pyarrow read_csv + write_csv:       {wa:7.1f} s  {mba:7.0f} MB peak  ({load()})")
    print(f"ratio venprs score / pyarrow:       {w / wa:7.2f} x")


def profile(d: Path, n: int) -> None:
    import cProfile
    import pstats

    from venprs.cli import app

    src = cohort_file(d, n)
    prof = cProfile.Profile()
    prof.enable()
    try:
        app([*("analyze", str(src), "--out", str(d / "prof")), *ANALYZE_ARGS], standalone_mode=False)
    finally:
        prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 10000, 50000, 100000])
    ap.add_argument("--validate-sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    ap.add_argument("--score-rows", type=int, default=1_000_000, help="0: skip the score benchmark")
    ap.add_argument("--profile", type=int, default=0, help="cProfile analyze on this many patients instead")
    a = ap.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, {load()}; "
          f"analyze {' '.join(ANALYZE_ARGS)}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        if a.profile:
            profile(d, a.profile)
            return
        if a.sizes:
            bench_analyze(d, a.sizes)
        if a.validate_sizes:
            bench_validate(d, a.validate_sizes)
        if a.score_rows:
            bench_score(d, a.score_rows)


if __name__ == "__main__":
    main()
