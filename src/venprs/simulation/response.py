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

    A patient who dies before the assessment time is "died before assessment". CR/CRi
    follows a logistic model (WBC <= 5, platelets > 30, NF1, PTPN11, TP53, IDH2, STAG2
    with the published crude log odds ratios plus calibrated shifts) coupled to the EFS
    percentile by a Gaussian copula with correlation ``cal["crc_rho"]``, and needs the
    patient alive and event-free at the assessment. CR vs CRi and MLFS / PR / SD/RD among
    the rest are drawn with the Table 3 shares: the molecular cohort's for its patients,
    the entire minus the molecular counts for the other R/R patients.

    Parameters
    ----------
    rng : numpy.random.Generator
        The cohort's random stream.
    cols : dict of str to numpy.ndarray
        Drawn columns, with ``wbc`` and ``platelets`` (x10^9/L).
    x : numpy.ndarray, shape (n, 7)
        Factor values in the order of :data:`venprs.simulation.assumptions.FACTORS`.
    g_other : dict of str to numpy.ndarray
        Other gene flags, with ``idh2`` and ``stag2``.
    surv : dict of str to numpy.ndarray
        Latent times of :func:`venprs.simulation.outcomes.survival_times` (``os``, ``efs``, ``u_efs``).
    t_assess : numpy.ndarray of float
        Response assessment time of each patient (months).
    n_mol : int
        Patients of the molecular cohort (the first ``n_mol`` rows).
    rr : bool
        True for the relapsed/refractory cohort (the other patients get the entire minus
        molecular shares); False: every patient gets the molecular shares.
    cal : dict of str to float
        Calibrated constants: ``crc_intercept``, ``crc_rho`` and optional ``crc_shift_<var>``.

    Returns
    -------
    crc : numpy.ndarray of bool
        CR or CRi.
    resp : numpy.ndarray of object
        ``"CR"``, ``"CRi"``, ``"MLFS"``, ``"PR"``, ``"SD/RD"`` or ``"died before assessment"``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6 (Table 3).
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
