"""Recomputing the calibration constants (:data:`CALIBRATION`) on one large simulated cohort."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from .assumptions import CALIBRATION
from .check import km_median
from .cohort import simulate
from .draws import logit
from .targets import share, target

__all__ = ["calibrate"]


def calibrate(n: int = 200_000, seed: int = 20250108, rounds: int = 3) -> dict[str, float]:
    """Recompute :data:`CALIBRATION` on one large simulated cohort (common random numbers).

    Solves, one at a time and ``rounds`` times over: the log hazard ratios of the
    patients without molecular data for the entire-cohort KM medians of OS (7.9
    months) and EFS (5.1 months); the response-assessment
    start for 25/240 deaths before assessment; the share lost to follow-up for
    179/240 deaths (the administrative censoring keeps the median follow-up at
    31.5 months); the copula correlation for the median RFS of 12.9 months; and,
    by a fixed-point iteration on the logit scale, the CR/CRi intercept (93/240)
    and shifts of the log odds ratios so that the CR/CRi rate is 46% with WBC <= 5,
    46% with platelets > 30 (entire cohort) and 14% / 29% / 46% / 53% with mutated
    NF1 / TP53 / IDH2 / STAG2 (molecular cohort). Last, the latent 'other gene'
    mutation rate for 19/174 patients without a detected mutation. Takes a few
    minutes; run ``python -m venprs.simulation calibrate`` and paste the result into
    :data:`CALIBRATION` (``venprs/simulation/assumptions.py``).

    Parameters
    ----------
    n : int
        Size of the simulated cohort.
    seed : int
        Its seed (the same for every evaluation: common random numbers).
    rounds : int
        Passes over the constants.

    Returns
    -------
    dict
        The recomputed :data:`CALIBRATION`, rounded to 4 decimals.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results; Table 1, Table 3).
    """
    cal = dict(CALIBRATION)

    def sim(c=None):
        return simulate("rr", n=n, seed=seed, calibration=c or cal)

    def solve(name, lo, hi, f, goal):
        g = {}

        def h(v):
            g[v] = f(sim(dict(cal, **{name: v}))) - goal
            return g[v]
        if h(lo) * h(hi) > 0:  # not reachable: take the closer end (check() reports the miss)
            cal[name] = lo if abs(g[lo]) < abs(g[hi]) else hi
            return
        cal[name] = brentq(h, lo, hi, xtol=1e-4)

    def rfs(d):
        r = d["rfs_months"].notna()
        return km_median(d.loc[r, "rfs_months"], d.loc[r, "rfs_event"].astype(int))

    def crc_rates(d):
        crc = d["best_response"].isin(["CR", "CRi"]).to_numpy()
        mol = d["molecular_data"].to_numpy(bool)
        out = {"crc_intercept": crc.mean(), "crc_shift_wbc": crc[d["wbc"].to_numpy() <= 5].mean(),
               "crc_shift_platelets": crc[d["platelets"].to_numpy() > 30].mean()}
        for g in ("nf1", "tp53", "idh2", "stag2"):
            out[f"crc_shift_{g}"] = crc[mol & d[g].fillna(False).to_numpy(bool)].mean()
        return out
    goals = {"crc_intercept": share("table3.entire.crc"),
             "crc_shift_wbc": target("response.entire.crc_by_wbc")["value"][0],
             "crc_shift_platelets": target("response.entire.crc_by_platelets")["value"][0]}
    for g in ("nf1", "tp53", "idh2", "stag2"):
        goals[f"crc_shift_{g}"] = target(f"response.molecular.crc_by_{g}")["value"][0]
    for _ in range(rounds):
        # patients without molecular data: entire-cohort KM medians 7.9 (OS) and 5.1 (EFS) months
        solve("nonmolecular_log_hr_os", -2.0, 0.5, lambda d: km_median(d["os_months"], d["os_event"]),
              target("km.os.median")["value"])
        solve("nonmolecular_log_hr_efs", -2.0, 0.5, lambda d: km_median(d["efs_months"], d["efs_event"]),
              target("km.efs.median")["value"])
        solve("assessment_start", 0.0, 2.0,
              lambda d: float(np.mean(d["best_response"] == "died before assessment")),
              share("table3.entire.best_response.died_before_assessment"))
        solve("censor_loss_fraction", 0.0, 0.45, lambda d: float(d["os_event"].mean()), share("km.os.deaths"))
        for _ in range(6):  # intercept moves everyone; each shift moves its subgroup relative to everyone
            now = crc_rates(sim())
            gap = {k: float(logit(goals[k]) - logit(min(max(now[k], 1e-4), 1 - 1e-4))) for k in goals}
            for k, v in gap.items():
                cal[k] = cal.get(k, 0.0) + 0.8 * (v if k == "crc_intercept" else v - gap["crc_intercept"])
        solve("crc_rho", 0.0, 0.99, rfs, target("km.rfs.median")["value"])
    d = sim(dict(cal, other_mutation_p=0.0))
    p0 = float(d.loc[d["molecular_data"], "no_mutation"].astype(bool).mean())
    cal["other_mutation_p"] = max(0.0, 1 - share("table1.molecular.no_mutation") / p0)
    return {k: round(float(v), 4) for k, v in cal.items()}
