"""Drawing one synthetic cohort: :func:`simulate`, built column group by column group.

Each ``_draw_*`` step takes the random generator in turn; the order of the steps
(and of the draws inside them) is the random stream that
``tests/test_simulate_checksum.py`` pins.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Tables 1-4, Results).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .assumptions import ASSUMPTIONS, CALIBRATION, COHORTS, FACTORS, GENES
from .draws import coded_numbers, continuous, draw_counts, expit, logit, platelets_sd, relapse_months, wbc_sd
from .factors import factor_joint, factor_margins
from .outcomes import censor_admin_max, survival_times
from .response import draw_response
from .targets import cohort_size, levels, load_targets, share, split_counts, target

__all__ = ["simulate"]


def simulate(cohort: str = "rr", n: int | None = None, seed: int = 0, *,
             calibration: dict[str, float] | None = None) -> pd.DataFrame:
    """Draw a synthetic cohort.

    Parameters
    ----------
    cohort : {"rr", "first-line"}
        ``"rr"``: relapsed/refractory cohort (N = 240, 174 with molecular data;
        the other patients have every gene column unknown and their hazards
        multiplied by ``exp(CALIBRATION["nonmolecular_log_hr_os"|"_efs"])`` so
        that the entire-cohort KM medians match the paper). ``"first-line"``: the
        first-line validation cohort (N = 189; prior HMA in 22, extramedullary
        disease in 4; everything else as the R/R molecular cohort, which the
        paper does not report).
    n : int, optional
        Number of patients (default: the published size). Proportions are kept,
        e.g. ``n=100_000`` for method tests and benchmarks.
    seed : int
        Random seed; the same seed gives the same cohort.
    calibration : dict, optional
        Override entries of :data:`CALIBRATION` (used by :func:`calibrate`).

    Returns
    -------
    pandas.DataFrame
        One row per synthetic patient, columns as in ``docs/data-dictionary.md``
        (section "Cohort columns"); ``patient_id`` starts with ``SYN-``.

    Raises
    ------
    InputError
        Unknown cohort, or ``n`` below 1.

    Examples
    --------
    >>> df = simulate("rr", seed=1)
    >>> len(df), int(df["molecular_data"].sum()), df["patient_id"].iloc[0]
    (240, 174, 'SYN-RR-0001')

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Tables 1-4, Results).
    """
    if cohort not in COHORTS:
        raise InputError(f"unknown cohort {cohort!r}; accepted: {', '.join(COHORTS)}", field="cohort")
    default_n = cohort_size("entire") if cohort == "rr" else cohort_size("first-line")
    n = default_n if n is None else int(n)
    if n < 1:
        raise InputError(f"n must be a positive number of patients, got {n}", field="n", value=n)
    rng = np.random.default_rng([seed, 0 if cohort == "rr" else 1])
    if cohort == "rr":
        n_mol = int(round(n * cohort_size("molecular") / cohort_size("entire")))
    else:
        n_mol = n
    cal = dict(CALIBRATION, **(calibration or {}))
    return _build(rng, cohort, n, n_mol, cal)


@dataclass
class _Draw:
    """The state of one cohort being drawn: generator, sizes, calibration and the columns so far."""

    rng: np.random.Generator
    cohort: str
    n: int
    n_mol: int
    cal: dict[str, float]
    cols: dict[str, Any] = field(default_factory=dict)

    @property
    def rr(self) -> bool:
        return self.cohort == "rr"

    @property
    def n_other(self) -> int:
        return self.n - self.n_mol

    def split(self, var: str, table: str = "table1") -> np.ndarray:
        """Labels with the molecular-cohort counts for the first ``n_mol``, the rest's counts after."""
        mo, oth = split_counts(f"{table}.entire.{var}", f"{table}.molecular.{var}")
        return np.r_[draw_counts(self.rng, mo, self.n_mol),
                     draw_counts(self.rng, oth, self.n_other) if self.n_other else np.array([], object)]

    def entire(self, var: str, table: str) -> np.ndarray:
        """Labels with the entire-cohort counts."""
        return draw_counts(self.rng, levels(f"{table}.entire.{var}"), self.n)

    def continuous(self, var: str, g, ginv, sd: float, decimals: int) -> np.ndarray:
        return continuous(self.rng, self.n_mol, self.n_other, var, g, ginv, sd, decimals)


def _build(rng, cohort: str, n: int, n_mol: int, cal: dict[str, float]) -> pd.DataFrame:
    d = _Draw(rng, cohort, n, n_mol, cal)
    width = max(4, len(str(n)))
    prefix = "SYN-RR-" if d.rr else "SYN-FL-"
    d.cols["patient_id"] = [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]
    d.cols["cohort"] = np.full(n, cohort, dtype=object)
    d.cols["molecular_data"] = np.r_[np.ones(n_mol, bool), np.zeros(d.n_other, bool)]
    _draw_disease(d)
    lines = _draw_prior_therapy(d)
    x, emd_s, hma = _draw_factors(d)
    if d.rr:
        lines = np.maximum(lines, (d.cols["prior_intensive"] == "yes").astype(int) + hma)
    d.cols["prior_lines"] = lines
    g_other, flt3_type, any_mut = _draw_other_genes(d, x)
    _draw_labs(d)
    _draw_treatment(d)
    out = _draw_outcomes(d, x, g_other)
    return _assemble(d, x, emd_s, hma, g_other, flt3_type, any_mut, out)


def _draw_disease(d: _Draw) -> None:
    """Age, sex, ECOG, disease status, ICC class and qualifier, ELN 2022, karyotype, relapse timing."""
    A, rng, n, n_mol = ASSUMPTIONS, d.rng, d.n, d.n_mol
    cols = d.cols
    cols["age"] = d.continuous("age", lambda v: -np.log(A["age_upper"] - np.asarray(v, float)),
                               lambda y: A["age_upper"] - np.exp(-y), A["age_sd_log_gap"], 0)
    cols["sex"] = d.split("sex")
    cols["ecog"] = d.split("ecog")
    if d.rr:
        cols["disease_status"] = d.split("disease_status")
    else:
        cols["disease_status"] = np.full(n, "first-line", dtype=object)
    cols["icc_class"] = d.split("icc_class")
    cols["icc_qualifier"] = d.split("icc_qualifier")
    cols["eln2022"] = d.split("eln2022")
    cols["complex_karyotype"] = d.split("complex_karyotype")
    cyto = np.full(n, "other", dtype=object)
    rec = np.flatnonzero(cols["icc_class"] == "recurrent_genetic")
    cbf = A["cbf_within_recurrent"]
    u = rng.random(len(rec))
    edges = np.cumsum(list(cbf.values()))
    for lab, lo_, hi_ in zip(cbf, np.r_[0, edges[:-1]], edges):
        cyto[rec[(u >= lo_) & (u < hi_)]] = lab
    cyto[cols["complex_karyotype"] == "missing"] = "missing"
    cols["cytogenetics_dx"] = cyto
    # relapse timing (relapsed only)
    t_rel = np.full(n, np.nan)
    if d.rr:
        rel = cols["disease_status"] == "relapsed"
        n_rel_m, n_rel_o = int(rel[:n_mol].sum()), int(rel[n_mol:].sum())
        mo, oth = split_counts("table1.entire.relapse_timing", "table1.molecular.relapse_timing")
        band = np.r_[draw_counts(rng, mo, n_rel_m),
                     draw_counts(rng, oth, n_rel_o) if n_rel_o else np.array([], object)]
        x = relapse_months(rng, band)
        t_rel[np.flatnonzero(rel[:n_mol])] = x[:n_rel_m]
        t_rel[n_mol + np.flatnonzero(rel[n_mol:])] = x[n_rel_m:]
    cols["time_cr_to_relapse_months"] = t_rel


def _draw_prior_therapy(d: _Draw) -> np.ndarray:
    """Prior intensive chemotherapy and alloHCT; returns the drawn number of prior lines."""
    A, n = ASSUMPTIONS, d.n
    if d.rr:
        d.cols["prior_intensive"] = d.split("prior_intensive")
        d.cols["prior_allohct"] = d.split("prior_allohct")
        probs = np.array(A["prior_lines_probs"]) / sum(A["prior_lines_probs"])
        return d.rng.choice(np.arange(1, 8), size=n, p=probs)
    d.cols["prior_intensive"] = np.full(n, "no", dtype=object)
    d.cols["prior_allohct"] = np.full(n, "no", dtype=object)
    return np.zeros(n, int)


def _draw_factors(d: _Draw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The seven VEN-PRS factors: EMD and prior HMA by their margins, genes from the joint given (EMD, HMA).

    Returns the true factors ``x`` (n x 7, FACTORS order), the recorded EMD labels and the HMA flags.
    """
    rng, n = d.rng, d.n
    if d.rr:
        emd_s = d.split("extramedullary")
        hma_s = d.split("prior_hma")
    else:
        n_fl = cohort_size("first-line")
        k_h = int(target("first_line.prior_hma.yes")["count"])
        k_e = int(target("first_line.extramedullary.yes")["count"])
        hma_s = draw_counts(rng, {"yes": k_h, "no": n_fl - k_h}, n)
        emd_s = draw_counts(rng, {"yes": k_e, "no": n_fl - k_e}, n)
    emd_true = np.where(emd_s == "missing", rng.random(n) < factor_margins()[0], emd_s == "yes").astype(np.int8)
    hma = (hma_s == "yes").astype(np.int8)
    combos, p = factor_joint()
    genes7 = np.zeros((n, 5), np.int8)
    for e in (0, 1):
        for h in (0, 1):
            rows = np.flatnonzero((emd_true == e) & (hma == h))
            sel = (combos[:, 0] == e) & (combos[:, 1] == h)
            pc = p[sel] / p[sel].sum()
            pick = rng.choice(np.flatnonzero(sel), size=len(rows), p=pc)
            genes7[rows] = combos[pick, 2:]
    x = np.column_stack([emd_true, hma, genes7]).astype(float)
    _icc_tp53_consistent(rng, d.cols["icc_class"], x[:d.n_mol, 5])
    return x, emd_s, hma


def _draw_other_genes(d: _Draw, x: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Genes besides the factors (independent; documented simplification), FLT3 type, 'any mutation'."""
    rng, n = d.rng, d.n
    n_mol_published = cohort_size("molecular")
    g_other = {}
    for g in GENES:
        key = f"text.molecular.gene.{g}"
        prev = share(key) if key in load_targets()["targets"] else ASSUMPTIONS[f"{g}_count"] / n_mol_published
        g_other[g] = (rng.random(n) < prev).astype(np.int8)
    flt3_type = np.full(n, None, dtype=object)
    fr = np.flatnonzero(x[:, 4] == 1)
    flt3_type[fr] = draw_counts(rng, levels("text.molecular.flt3_type"), len(fr))
    other_mut = rng.random(n) < d.cal["other_mutation_p"]
    any_mut = x[:, 2:].any(axis=1) | np.column_stack(list(g_other.values())).any(axis=1) | other_mut
    return g_other, flt3_type, any_mut


def _draw_labs(d: _Draw) -> None:
    """WBC, haemoglobin, platelets, bone-marrow and peripheral blasts (Table 1 medians and ranges)."""
    A = ASSUMPTIONS
    d.cols["wbc"] = d.continuous("wbc", np.log, np.exp, wbc_sd(), 2)
    d.cols["hb"] = d.continuous("hb", lambda v: np.asarray(v, float), lambda y: y, A["hb_sd"], 1)
    d.cols["platelets"] = d.continuous("platelets", np.log, np.exp, platelets_sd(), 0)
    lg = (lambda v: logit(np.clip(np.asarray(v, float), 0.05, 99.95) / 100), lambda y: 100 * expit(y))
    d.cols["bm_blasts"] = d.continuous("bm_blasts", *lg, A["bm_blasts_sd_logit"], 0)
    d.cols["pb_blasts"] = d.continuous("pb_blasts", *lg, A["pb_blasts_sd_logit"], 1)


def _draw_treatment(d: _Draw) -> None:
    """HMA partner, venetoclax dose and days (Table 2, entire cohort)."""
    A = ASSUMPTIONS
    d.cols["hma_partner"] = d.entire("hma_partner", "table2")
    d.cols["ven_dose_mg"] = coded_numbers(d.rng, d.entire("ven_dose", "table2"), {"100": 100, "400": 400},
                                          {"50_70": A["ven_dose_50_70_mg"], "other": A["ven_dose_other_mg"]})
    d.cols["ven_days"] = coded_numbers(d.rng, d.entire("ven_days", "table2"), {"28": 28, "14": 14},
                                       {"other": A["ven_days_other"]})


def _draw_outcomes(d: _Draw, x: np.ndarray, g_other: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Survival (latent, from the true factors incl. unmeasured genes), censoring, response; observed outcomes."""
    A, rng, n, cal = ASSUMPTIONS, d.rng, d.n, d.cal
    # patients without molecular data: own baseline, shifted by a calibrated log hazard ratio
    # (docs/simulation.md, "Patients without molecular data"); 0 for the molecular cohort
    nonmol = ~d.cols["molecular_data"]
    surv = survival_times(rng, x, {ep: np.where(nonmol, cal[f"nonmolecular_log_hr_{ep}"], 0.0)
                                   for ep in ("os", "efs")})
    lf = cal["censor_loss_fraction"]
    c_admin = rng.uniform(0, censor_admin_max(lf), n)
    c_loss = np.where(rng.random(n) < lf, rng.exponential(A["loss_mean_months"], n), np.inf)
    cens = np.minimum(c_admin, c_loss)
    t_assess = cal["assessment_start"] + A["assessment_width_months"] * rng.random(n)
    crc, resp = draw_response(rng, d.cols, x, g_other, surv, t_assess, d.n_mol, d.rr, cal)
    efs_m = np.minimum(surv["efs"], cens)
    efs_e = surv["efs"] <= cens
    return {"crc": crc, "resp": resp, "os_m": np.minimum(surv["os"], cens), "os_e": surv["os"] <= cens,
            "efs_m": efs_m, "efs_e": efs_e,
            "rfs_m": np.where(crc, np.maximum(efs_m - t_assess, 0.0), np.nan),
            "rfs_e": np.where(crc, efs_e, False)}


def _assemble(d: _Draw, x, emd_s, hma, g_other, flt3_type, any_mut, o) -> pd.DataFrame:
    """The cohort table, columns in the documented order and types."""
    cols = d.cols
    yn = {"yes": True, "no": False}

    def boolcol(s):
        return pd.array([yn.get(v) for v in s], dtype="boolean")

    df = pd.DataFrame({"patient_id": cols["patient_id"]})
    df["cohort"] = cols["cohort"]
    df["molecular_data"] = cols["molecular_data"]
    df["age"] = cols["age"].astype(int)
    df["sex"] = cols["sex"]
    df["ecog"] = _na(cols["ecog"])
    df["disease_status"] = cols["disease_status"]
    df["time_cr_to_relapse_months"] = cols["time_cr_to_relapse_months"]
    df["prior_lines"] = cols["prior_lines"].astype(int)
    df["prior_allohct"] = boolcol(cols["prior_allohct"])
    df["prior_intensive"] = boolcol(cols["prior_intensive"])
    df["prior_hma"] = pd.array(hma.astype(bool), dtype="boolean")
    df["extramedullary"] = boolcol(emd_s)
    df["icc_class"] = cols["icc_class"]
    df["icc_qualifier"] = _na(cols["icc_qualifier"])
    df["eln2022"] = _na(cols["eln2022"])
    df["complex_karyotype"] = boolcol(cols["complex_karyotype"])
    df["cytogenetics_dx"] = _na(cols["cytogenetics_dx"])
    for lab in ("wbc", "hb", "platelets", "bm_blasts", "pb_blasts", "hma_partner"):
        df[lab] = cols[lab]
    df["ven_dose_mg"] = pd.array(np.where(np.isnan(cols["ven_dose_mg"]), None, cols["ven_dose_mg"]), dtype="Int64")
    df["ven_days"] = pd.array(np.where(np.isnan(cols["ven_days"]), None, cols["ven_days"]), dtype="Int64")
    mol = cols["molecular_data"]
    for j, f in enumerate(FACTORS[2:], start=2):
        df[f] = pd.array(np.where(mol, x[:, j].astype(bool), None), dtype="boolean")
    df["flt3_type"] = pd.Series(np.where(mol, flt3_type, None), dtype=object)
    for g in GENES:
        df[g] = pd.array(np.where(mol, g_other[g].astype(bool), None), dtype="boolean")
    df["no_mutation"] = pd.array(np.where(mol, ~any_mut, None), dtype="boolean")
    df["best_response"] = o["resp"]
    df["os_months"] = np.round(o["os_m"], 2)
    df["os_event"] = o["os_e"].astype(np.int8)
    df["efs_months"] = np.round(o["efs_m"], 2)
    df["efs_event"] = o["efs_e"].astype(np.int8)
    df["rfs_months"] = np.round(o["rfs_m"], 2)
    df["rfs_event"] = pd.array(np.where(o["crc"], o["rfs_e"].astype(int), None), dtype="Int8")
    # EFS <= OS after rounding too
    df["efs_months"] = np.minimum(df["efs_months"], df["os_months"])
    return df


def _icc_tp53_consistent(rng, icc: np.ndarray, tp53_mol: np.ndarray) -> None:
    """Give the ICC class 'AML with mutated TP53' to TP53-mutated molecular patients (in place).

    Swaps labels within the molecular cohort, so the ICC margins stay as drawn.
    """
    m = len(tp53_mol)
    idx = np.arange(m)
    wrong = idx[(icc[:m] == "tp53") & (tp53_mol == 0)]
    cand = idx[(icc[:m] != "tp53") & (tp53_mol == 1)]
    k = min(len(wrong), len(cand))
    if k:
        pick = rng.choice(cand, size=k, replace=False)
        icc[wrong[:k]] = icc[pick]
        icc[pick] = "tp53"


def _na(a: np.ndarray) -> pd.Series:
    return pd.Series(np.where(a == "missing", None, a), dtype=object)  # type: ignore[call-overload]
