"""Benchmark: discrimination measures at n = 1,000, 10,000 and 100,000, with the growth exponent.

Times one call of each measure of ``venprs.evaluation.discrimination`` (Harrell's C, Uno's C,
IPCW AUC, Heagerty NNE AUC with the default span) on synthetic cohorts: whole-month times
(heavy ties), about 40% censored, and two markers - an integer score with 13 values (as the
VEN-PRS) and a continuous one (every marker distinct: the NNE's worst case, one neighbourhood
per patient). Peak memory is numpy's traced allocation (tracemalloc) during the call. The
growth exponent is log(t(n2) / t(n1)) / log(n2 / n1) between successive sizes (1 = linear,
2 = quadratic). Baseline in the same run: scikit-survival's ``concordance_index_censored``
(what venprs called before) where it finishes in reasonable time.

Run by hand:  PYTHONPATH=src python benchmarks/bench_discrimination.py [--sizes 1000 10000 100000]
Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import time
import tracemalloc

import numpy as np

from venprs.evaluation.discrimination import harrell_c, heagerty_auc, ipcw_auc, uno_c


def cohort(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = (rng.random((n, 4)) < [0.3, 0.5, 0.2, 0.15]).astype(int)
    score = X @ [5, 3, 2, -2] + rng.integers(0, 2, n)  # 13 distinct values
    lp = 0.15 * score
    t_ev = rng.exponential(9.0 / np.exp(lp))
    t_c = rng.uniform(1, 30, n)
    t = np.round(np.minimum(t_ev, t_c))
    e = (t_ev <= t_c).astype(int)
    cont = lp + rng.normal(0, 0.5, n)
    return t, e, score.astype(float), cont


def measure(fn, repeat: int = 1) -> tuple[float, float]:
    fn()  # warm
    tracemalloc.start()
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    dt = (time.perf_counter() - t0) / repeat
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return dt, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    a = ap.parse_args()
    from sksurv.metrics import concordance_index_censored

    rows = {}
    for n in a.sizes:
        t, e, s, c = cohort(n)
        cases = {
            "Harrell's C (score)": lambda: harrell_c(t, e, s),
            "Uno's C (score)": lambda: uno_c(t, e, s),
            "Uno's C (continuous)": lambda: uno_c(t, e, c),
            "IPCW AUC (continuous)": lambda: ipcw_auc(t, e, c, 10),
            "Heagerty NNE AUC (score)": lambda: heagerty_auc(t, e, s, 10),
            "Heagerty NNE AUC (continuous)": lambda: heagerty_auc(t, e, c, 10),
        }
        if n <= 10000:
            cases["baseline: scikit-survival Harrell's C (score)"] = lambda: concordance_index_censored(
                e.astype(bool), t, s)
        for name, fn in cases.items():
            rep = 5 if n <= 1000 else 1
            rows.setdefault(name, {})[n] = measure(fn, rep)
            print(f"{name:48s} n={n:>7,d}  {rows[name][n][0]:9.4f} s  peak {rows[name][n][1]:8.1f} MiB", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}\n")
    sizes = a.sizes
    head = "| measure | " + " | ".join(f"n = {n:,}: time, peak" for n in sizes) + " | growth exponent |"
    print(head)
    print("| --- " * (len(sizes) + 2) + "|")
    for name, r in rows.items():
        cells = [f"{r[n][0]:.3g} s, {r[n][1]:.0f} MiB" if n in r else "-" for n in sizes]
        have = [n for n in sizes if n in r]
        exps = [math.log(r[b][0] / r[a][0]) / math.log(b / a) for a, b in zip(have, have[1:]) if r[a][0] > 0]
        print(f"| {name} | " + " | ".join(cells) + " | " + ", ".join(f"{x:.2f}" for x in exps) + " |")


if __name__ == "__main__":
    main()
