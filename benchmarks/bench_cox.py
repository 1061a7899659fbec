"""Benchmark: time per Cox fit (Efron ties) on the synthetic relapsed/refractory cohort.

``venprs.survival.fit_cox`` (data frame in, CoxResult out) and ``venprs.survival.fast_cox``
(arrays in), beside lifelines' ``CoxPHFitter`` (the engine fit_cox used before), on the
complete-case patients of ``venprs.simulate(cohort="rr", seed=0)`` with the endpoint's
VEN-PRS factors. Also checks that the three give the same coefficients.

Run by hand:  PYTHONPATH=src python benchmarks/bench_cox.py [--repeat 50]
Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import venprs
from venprs.evaluation.calibration import TIME_COLUMNS
from venprs.model import ENDPOINTS, load_model
from venprs.scoring import FACTORS, codes_from_table
from venprs.survival import fast_cox, fit_cox


def per_fit_ms(fn, repeat: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t) / repeat * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=50)
    a = ap.parse_args()
    from lifelines import CoxPHFitter

    df = venprs.simulate(cohort="rr", seed=0)
    codes = codes_from_table(df, missing_columns="unknown")
    for ep in ENDPOINTS:
        factors = list(load_model().endpoints[ep].factors)
        X = codes[:, [FACTORS.index(f) for f in factors]].astype(float)
        tcol, ecol = TIME_COLUMNS[ep]
        t = pd.to_numeric(df[tcol], errors="coerce").to_numpy(float)
        e = pd.to_numeric(df[ecol], errors="coerce").to_numpy(float)
        ok = (X >= 0).all(axis=1) & np.isfinite(t) & np.isfinite(e)
        X, t, e = X[ok], t[ok], e[ok].astype(int)
        d = pd.DataFrame(X, columns=factors).assign(t=t, e=e)

        def lifelines_fit():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return CoxPHFitter().fit(d, "t", "e", fit_options={"precision": 1e-12}, batch_mode=False)

        diff = max(np.abs(fit_cox(d, factors, "t", "e").coef.to_numpy() - lifelines_fit().params_.to_numpy()).max(),
                   np.abs(fast_cox(X, t, e).coef - lifelines_fit().params_.to_numpy()).max())
        print(f"{ep}: {len(t)} patients, {e.sum()} events, {len(factors)} factors; max |coef - lifelines| {diff:.1e}")
        print(f"  fit_cox   {per_fit_ms(lambda: fit_cox(d, factors, 't', 'e'), a.repeat):7.2f} ms/fit")
        print(f"  fast_cox  {per_fit_ms(lambda: fast_cox(X, t, e), a.repeat * 4):7.2f} ms/fit")
        print(f"  lifelines {per_fit_ms(lifelines_fit, max(a.repeat // 5, 3)):7.2f} ms/fit")


if __name__ == "__main__":
    main()
