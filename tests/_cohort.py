"""Small seeded test cohorts (not the synthetic cohort of venprs.simulate; test fixtures only).

Survival follows a Cox model with the model file's coefficients and an exponential
baseline; factor prevalences and the baseline rate are arbitrary test values.
"""

import numpy as np
import pandas as pd

from venprs.model import load_model

PREVALENCE = {"extramedullary": 0.1, "prior_hma": 0.5, "nf1": 0.06, "ptpn11": 0.1, "flt3": 0.3, "tp53": 0.2,
              "sf3b1": 0.1}


def make_cohort(n: int = 174, seed: int = 0, rate: float = 0.08) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m = load_model()
    df = pd.DataFrame({"patient_id": [f"T-{i:04d}" for i in range(n)]})
    for f, p in PREVALENCE.items():
        df[f] = (rng.random(n) < p).astype(int)
    cens = rng.uniform(6, 40, n)
    for ep in ("os", "efs"):
        lp = sum(float(t.coefficient) * df[t.factor].to_numpy() for t in m.endpoints[ep].terms)
        r = rate * (1.6 if ep == "efs" else 1.0)
        t = rng.exponential(1 / (r * np.exp(lp)))
        df[f"{ep}_months"] = np.round(np.minimum(t, cens), 2)
        df[f"{ep}_event"] = (t <= cens).astype(int)
    late = df["efs_months"] > df["os_months"]  # death ends event-free survival: EFS never outlasts OS
    df.loc[late, "efs_months"] = df.loc[late, "os_months"]
    df.loc[late, "efs_event"] = df.loc[late, "os_event"]
    # comparator inputs
    df["nras"] = (rng.random(n) < 0.1).astype(int)
    df["kras"] = (rng.random(n) < 0.05).astype(int)
    df["flt3_type"] = np.where(df["flt3"] == 1, rng.choice(["ITD", "TKD", "other"], n, p=[0.6, 0.2, 0.2]), "")
    df["npm1"] = (rng.random(n) < 0.15).astype(int)
    for g in ("asxl1", "runx1", "srsf2", "stag2"):
        df[g] = (rng.random(n) < 0.12).astype(int)
    df["cytogenetics_dx"] = rng.choice(["normal", "other", "complex", "-7", "t(8;21)", "inv(16)", ""], n,
                                       p=[0.4, 0.25, 0.12, 0.08, 0.05, 0.05, 0.05])
    df["disease_status"] = rng.choice(["relapsed", "refractory"], n)
    df["cr_to_relapse_months"] = np.where(df["disease_status"] == "relapsed",
                                          np.round(rng.exponential(12, n), 1), np.nan)
    df["age"] = np.round(rng.uniform(25, 85, n), 1)
    df["prior_allohct"] = (rng.random(n) < 0.35).astype(int)
    return df


def make_report_cohort(n: int = 160, seed: int = 3, full: bool = True) -> pd.DataFrame:
    """A seeded cohort in the data-dictionary columns with arbitrary hazards, for the report tests;
    ``full`` adds the Table 1 columns and ten patients with unknown TP53."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"patient_id": [f"P{i:03d}" for i in range(n)]})
    p = dict(extramedullary=.1, prior_hma=.5, nf1=.08, ptpn11=.12, flt3=.2, tp53=.15, sf3b1=.1)
    for k, v in p.items():
        d[k] = rng.binomial(1, v, n)
    lp = 0.8 * d.extramedullary + 0.6 * d.prior_hma + 0.8 * d.ptpn11 - 0.8 * d.sf3b1 + 0.5 * d.tp53
    t = rng.exponential(10 / np.exp(lp))
    c = rng.uniform(3, 40, n)
    d["os_months"] = np.round(np.minimum(t, c), 1)
    d["os_event"] = (t <= c).astype(int)
    te = t * rng.uniform(0.4, 1, n)
    d["efs_months"] = np.round(np.minimum(te, c), 1)
    d["efs_event"] = (te <= c).astype(int)
    if full:
        d["age"] = rng.integers(30, 88, n)
        d["sex"] = rng.choice(["male", "female"], n)
        d["disease_status"] = rng.choice(["relapsed", "refractory"], n)
        d["prior_lines"] = rng.integers(1, 4, n)
        d["wbc"] = np.round(rng.lognormal(1, 1, n), 1)
        d["platelets"] = rng.integers(5, 300, n)
        d["best_response"] = rng.choice(["CR", "CRi", "MLFS", "PR", "SD/RD", "died"], n)
        d["rfs_months"] = np.round(d.os_months * 0.8, 1)
        d["rfs_event"] = d.os_event
        d["tp53"] = d.tp53.astype(object)
        d.loc[:9, "tp53"] = ""  # ten patients with unknown TP53
    return d
