"""Best response: death before assessment, CR/CRi (logistic model + Gaussian copula with EFS), the rest.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 3; Results, 'Clinical and
   molecular signatures of response').
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .draws import expit, log_odds_ratio
from .targets import levels, target

__all__ = ["draw_response"]


def draw_response(rng, cols, x, g_other, surv, t_assess, n_mol, rr, cal):
    """CR/CRi flags and best-response labels (Table 3 categories) for every patient.

    Returns
    -------
    crc : bool array
    resp : object array of "CR", "CRi", "MLFS", "PR", "SD/RD", "died before assessment"
    """
    n = len(x)
    died = surv["os"] < t_assess
    wbc_lo = cols["wbc"] <= 5
    plt_hi = cols["platelets"] > 30
    # log odds ratios: the published crude ones, plus calibrated shifts (see calibrate())
    b_wbc = log_odds_ratio(target("response.entire.crc_by_wbc")["value"]) + cal.get("crc_shift_wbc", 0.0)
    b_plt = log_odds_ratio(target("response.entire.crc_by_platelets")["value"]) + cal.get("crc_shift_platelets", 0.0)
    lp = cal["crc_intercept"] + b_wbc * wbc_lo + b_plt * plt_hi
    gene_cols = {"nf1": x[:, 2], "ptpn11": x[:, 3], "tp53": x[:, 5], "idh2": g_other["idh2"], "stag2": g_other["stag2"]}
    for g, v in gene_cols.items():
        lp = lp + (log_odds_ratio(target(f"response.molecular.crc_by_{g}")["value"])
                   + cal.get(f"crc_shift_{g}", 0.0)) * v
    p = expit(lp)
    rho = cal["crc_rho"]
    z = rho * stats.norm.ppf(np.clip(surv["u_efs"], 1e-12, 1 - 1e-12)) + math.sqrt(1 - rho ** 2) * rng.standard_normal(n)
    crc = (z > stats.norm.ppf(1 - p)) & ~died & (surv["efs"] > t_assess)
    resp = np.full(n, "SD/RD", dtype=object)
    resp[died] = "died before assessment"
    # CR vs CRi and the non-CR categories with the Table 3 split (molecular / other patients)
    for lo_, hi_, sub in ((0, n_mol, "molecular"), (n_mol, n, "other")):
        if hi_ <= lo_:
            continue
        seg = slice(lo_, hi_)
        e = levels("table3.entire.best_response")
        m = levels("table3.molecular.best_response")
        c = m if sub == "molecular" or not rr else {k: e[k] - m[k] for k in e}
        idx = lo_ + np.flatnonzero(crc[seg])
        resp[idx] = np.where(rng.random(len(idx)) < c["cr"] / (c["cr"] + c["cri"]), "CR", "CRi")
        rest = lo_ + np.flatnonzero(~crc[seg] & ~died[seg])
        tot = c["mlfs"] + c["pr"] + c["sd_rd"]
        u = rng.random(len(rest))
        resp[rest] = np.where(u < c["mlfs"] / tot, "MLFS", np.where(u < (c["mlfs"] + c["pr"]) / tot, "PR", "SD/RD"))
    return crc, resp
