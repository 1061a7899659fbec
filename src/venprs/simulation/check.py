"""Comparing simulated cohorts with every published target: :func:`summarize`, :func:`check`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..model import load_model
from ..resampling import map_replicates
from ..scoring import score_table
from ..survival import kaplan_meier
from .assumptions import TOLERANCES
from .cohort import simulate
from .targets import cohort_size, load_targets, target

__all__ = ["summarize", "check", "paper_rows", "km_median"]

#: Table-1/2 variables: target variable name -> (column, {level: value in the column})
_CATEGORICAL: dict[str, tuple[str, dict[str, Any]]] = {
    "sex": ("sex", {"male": "male", "female": "female"}),
    "ecog": ("ecog", {"0": "0", "1": "1", "2": "2", "3-4": "3-4"}),
    "icc_class": ("icc_class", {k: k for k in ("recurrent_genetic", "mrgm", "mrca", "tp53", "nos")}),
    "icc_qualifier": ("icc_qualifier", {k: k for k in ("de_novo", "therapy_related", "post_mds", "post_mds_mpn")}),
    "eln2022": ("eln2022", {k: k for k in ("favorable", "intermediate", "adverse")}),
    "complex_karyotype": ("complex_karyotype", {"yes": True, "no": False}),
    "extramedullary": ("extramedullary", {"yes": True, "no": False}),
    "disease_status": ("disease_status", {"relapsed": "relapsed", "refractory": "refractory"}),
    "prior_allohct": ("prior_allohct", {"yes": True, "no": False}),
    "prior_intensive": ("prior_intensive", {"yes": True, "no": False}),
    "prior_hma": ("prior_hma", {"yes": True, "no": False}),
    "hma_partner": ("hma_partner", {"azacitidine": "azacitidine", "decitabine": "decitabine"}),
}


def km_median(t, e) -> float:
    """Kaplan-Meier median of times ``t`` with event flags ``e``: :func:`venprs.survival.kaplan_meier`.

    The one Kaplan-Meier definition of venprs (R's ``survfit``: where the curve is exactly 0.5 on a
    step, the midpoint to the next event time). NaN for no patients, ``inf`` when not reached.

    Parameters
    ----------
    t : array-like of float
        Times (months).
    e : array-like of float
        Event flags (1 event, 0 censored); ``1 - event`` gives the reverse Kaplan-Meier
        median follow-up.

    Returns
    -------
    float
        The median, NaN or ``inf``.
    """
    t = np.asarray(t, float)
    e = np.asarray(e, float)
    if len(t) == 0:
        return float("nan")
    m = kaplan_meier(t, e).median
    return float("inf") if m is None else float(m)


def _prop(mask_level, mask_known) -> float:
    k = int(np.sum(mask_known))
    return float(np.sum(mask_level & mask_known) / k) if k else float("nan")


def summarize(df: pd.DataFrame, cohort: str = "rr") -> dict[str, float]:
    """Every targeted statistic of a simulated cohort, keyed as in ``paper_targets.json``.

    Count targets are returned as proportions of their denominator; OS group
    sizes (``model.os.group_n.<group>``) are counts per 174 molecular patients;
    Kaplan-Meier medians: :func:`km_median` (venprs.survival.kaplan_meier, as R's survfit).

    Parameters
    ----------
    df : pandas.DataFrame
        A simulated cohort (:func:`venprs.simulation.simulate`).
    cohort : {"rr", "first-line"}
        The simulated cohort (:func:`venprs.simulation.simulate`): relapsed/refractory or
        first-line validation.

    Returns
    -------
    dict of str to float
        Statistic per target key (``table1.*``, ``table2.*``, ``table3.*``, ``text.*``,
        ``response.*`` (pairs of CR/CRi rates), ``km.*``, ``model.*``; for ``"first-line"``
        only ``first_line.*``).
    """
    out: dict[str, float] = {}
    n_mol = cohort_size("molecular")
    if cohort == "first-line":
        out["first_line.n"] = float(len(df))
        out["first_line.prior_hma.yes"] = float(df["prior_hma"].astype(bool).mean())
        out["first_line.extramedullary.yes"] = float(df["extramedullary"].fillna(False).astype(bool).mean())
        return out
    mol = df["molecular_data"].to_numpy(bool)
    subsets = {"entire": np.ones(len(df), bool), "molecular": mol}
    for var, (col, levels) in _CATEGORICAL.items():
        table = "table2" if var == "hma_partner" else "table1"
        s = df[col]
        known = s.notna().to_numpy()
        for sub, m in subsets.items():
            if table == "table2" and sub != "entire":
                continue
            for lv, val in levels.items():
                out[f"{table}.{sub}.{var}.{lv}"] = _prop((s == val).fillna(False).to_numpy(bool), known & m)
            out[f"{table}.{sub}.{var}.missing"] = float(np.mean(~known[m]))
    rel = (df["disease_status"] == "relapsed").to_numpy()
    t = df["time_cr_to_relapse_months"].to_numpy(float)
    for sub, m in subsets.items():
        r = rel & m
        k = r & ~np.isnan(t)
        for lv, sel in (("le6", t <= 6), ("7to18", (t > 6) & (t <= 18)), ("gt18", t > 18)):
            out[f"table1.{sub}.relapse_timing.{lv}"] = _prop(sel, k)
        out[f"table1.{sub}.relapse_timing.missing"] = float(np.mean(np.isnan(t[r]))) if r.any() else float("nan")
        out[f"table1.{sub}.time_cr_to_relapse.median"] = float(np.nanmedian(t[r])) if k.any() else float("nan")
        for var in ("age", "wbc", "hb", "platelets", "bm_blasts", "pb_blasts", "prior_lines"):
            out[f"table1.{sub}.{var}.median"] = float(np.median(df[var].to_numpy(float)[m]))
    out["table1.molecular.no_mutation"] = float(df.loc[mol, "no_mutation"].astype(bool).mean())
    dose = df["ven_dose_mg"].astype("Float64").to_numpy(float, na_value=np.nan)
    dk = ~np.isnan(dose)
    for lv, sel in (("50_70", np.isin(dose, (50, 70))), ("100", dose == 100), ("400", dose == 400),
                    ("other", dk & ~np.isin(dose, (50, 70, 100, 400)))):
        out[f"table2.entire.ven_dose.{lv}"] = _prop(sel, dk)
    out["table2.entire.ven_dose.missing"] = float(np.mean(~dk))
    out["table2.entire.ven_dose.median"] = float(np.nanmedian(dose))
    days = df["ven_days"].astype("Float64").to_numpy(float, na_value=np.nan)
    yk = ~np.isnan(days)
    for lv, sel in (("28", days == 28), ("14", days == 14), ("other", yk & ~np.isin(days, (14, 28)))):
        out[f"table2.entire.ven_days.{lv}"] = _prop(sel, yk)
    out["table2.entire.ven_days.missing"] = float(np.mean(~yk))
    resp = df["best_response"].to_numpy(object)
    crc = np.isin(resp, ("CR", "CRi"))
    names = {"cr": "CR", "cri": "CRi", "mlfs": "MLFS", "pr": "PR", "sd_rd": "SD/RD",
             "died_before_assessment": "died before assessment"}
    for sub, m in subsets.items():
        for lv, val in names.items():
            out[f"table3.{sub}.best_response.{lv}"] = float(np.mean(resp[m] == val))
        out[f"table3.{sub}.crc"] = float(np.mean(crc[m]))
        out[f"table3.{sub}.orr"] = float(np.mean(np.isin(resp[m], ("CR", "CRi", "MLFS"))))
    for g in ("tet2", "asxl1", "dnmt3a", "runx1", "tp53", "flt3", "npm1"):
        out[f"text.molecular.gene.{g}"] = float(df.loc[mol, g].astype(bool).mean())
    ft = df.loc[mol & df["flt3"].fillna(False).to_numpy(bool), "flt3_type"]
    for lv in ("itd", "tkd", "other"):
        out[f"text.molecular.flt3_type.{lv}"] = float((ft == lv).mean()) if len(ft) else float("nan")
    wbc_lo = df["wbc"].to_numpy(float) <= 5
    plt_hi = df["platelets"].to_numpy(float) > 30

    def pair(sel, m):
        return [float(crc[m & sel].mean()) if (m & sel).any() else float("nan"),
                float(crc[m & ~sel].mean()) if (m & ~sel).any() else float("nan")]
    for sub, m in subsets.items():
        out[f"response.{sub}.crc_by_wbc"] = pair(wbc_lo, m)
        out[f"response.{sub}.crc_by_platelets"] = pair(plt_hi, m)
    for g in ("ptpn11", "nf1", "tp53", "idh2", "stag2"):
        out[f"response.molecular.crc_by_{g}"] = pair(df[g].fillna(False).to_numpy(bool), mol)
    out["km.os.median"] = km_median(df["os_months"], df["os_event"])
    out["km.efs.median"] = km_median(df["efs_months"], df["efs_event"])
    r = df["rfs_months"].notna().to_numpy()
    out["km.rfs.median"] = km_median(df.loc[r, "rfs_months"], df.loc[r, "rfs_event"].astype(int))
    out["km.os.deaths"] = float(df["os_event"].mean())
    out["km.followup.median"] = km_median(df["os_months"], 1 - df["os_event"].to_numpy())
    # VEN-PRS groups (model file): sizes per 174 and KM medians, molecular cohort
    sc = score_table(df.loc[mol])
    for ep in ("os", "efs"):
        grp = sc[f"{ep}_group"].astype(str).to_numpy()
        for g in ("favorable", "intermediate", "adverse"):
            sel = grp == g
            if ep == "os":
                out[f"model.os.group_n.{g}"] = float(sel.mean() * n_mol)
            out[f"model.{ep}.group_median.{g}"] = km_median(sc.loc[sel, f"{ep}_months"], sc.loc[sel, f"{ep}_event"])
    return out


def paper_rows(cohort: str) -> list[dict[str, Any]]:
    """The published value, kind and tolerance for every statistic that :func:`summarize` returns.

    Parameters
    ----------
    cohort : {"rr", "first-line"}
        The simulated cohort (:func:`venprs.simulation.simulate`): relapsed/refractory or
        first-line validation.

    Returns
    -------
    list of dict
        One row per statistic: ``key``, ``paper`` (the published value, a count target as a
        proportion of its denominator), ``kind`` (``proportion``, ``median``, ``rate_pair``,
        ``group_n`` or ``total``; it selects the tolerance) and ``source``; targets from
        ``paper_targets.json``, group sizes and medians from the model file.
    """
    rows = []
    if cohort == "first-line":
        for k in ("first_line.n", "first_line.prior_hma.yes", "first_line.extramedullary.yes"):
            t = target(k)
            rows.append({"key": k, "paper": t["value"], "kind": "total" if k.endswith(".n") else "proportion",
                         "source": t["source"]})
        return rows
    for k, t in load_targets()["targets"].items():
        if k.startswith("first_line"):
            continue
        kind = {"count": "proportion", "proportion": "proportion", "median": "median", "km_median": "median",
                "followup_median": "median", "rate_pair": "rate_pair"}[t["kind"]]
        paper = t["count"] / t["denominator"] if t["kind"] == "count" else t["value"]
        rows.append({"key": k, "paper": paper, "kind": kind, "source": t["source"]})
    m = load_model()
    for ep in ("os", "efs"):
        go = m.endpoints[ep].group_outcomes
        for g in ("favorable", "intermediate", "adverse"):
            if ep == "os":
                rows.append({"key": f"model.os.group_n.{g}", "paper": go[g]["n"], "kind": "group_n",
                             "source": "model file: " + go[g]["source"]})
            rows.append({"key": f"model.{ep}.group_median.{g}", "paper": go[g]["median_months"], "kind": "median",
                         "source": "model file: " + go[g]["source"]})
    return rows


def _off(kind: str, paper, sim) -> tuple[bool, str]:
    """(flag, tolerance text) for one statistic."""
    if kind == "proportion":
        return abs(sim - paper) * 100 > TOLERANCES["proportion_pp"], f"±{TOLERANCES['proportion_pp']:g} pp"
    if kind == "group_n":  # counts per 174: 2 percentage points of 174
        return abs(sim - paper) / cohort_size("molecular") * 100 > TOLERANCES["proportion_pp"], f"±{TOLERANCES['proportion_pp']:g} pp"
    if kind == "median":
        return abs(sim - paper) > TOLERANCES["median_rel"] * abs(paper), f"±{TOLERANCES['median_rel']:.0%}"
    if kind == "rate_pair":
        return (max(abs(a - b) for a, b in zip(sim, paper)) * 100 > TOLERANCES["rate_pair_pp"],
                f"±{TOLERANCES['rate_pair_pp']:g} pp")
    return (sim != paper), "exact"


def _summaries(shared: tuple[str, int | None], seeds: list[int]) -> list[dict[str, float]]:
    cohort, n = shared
    return [summarize(simulate(cohort, n=n, seed=s), cohort) for s in seeds]


def check(cohort: str = "rr", seeds: int = 50, default_seed: int = 0, n: int | None = None,
          progress: Callable[[int], None] | None = None, *, backend: str = "joblib", n_jobs: int = 1,
          scheduler: str | None = None) -> list[dict[str, Any]]:
    """Compare simulated cohorts with every published target.

    Returns one row per statistic: ``key``, ``paper``, ``value`` (the summary over
    ``seeds`` cohorts, seeds 0 .. seeds-1, that the flag uses), ``summary``
    (``"median"`` for median targets, ``"mean"`` otherwise), ``mean``,
    ``default`` (seed ``default_seed``), ``tolerance`` and ``off`` (True when
    ``value`` is outside the tolerance).

    Median targets are summarised by the median over seeds: the Kaplan-Meier
    median of a small group (e.g. ~53 adverse-risk patients) is right-skewed
    across samples, so its mean over seeds lies above the population median
    (by about 4% at n = 53; docs/simulation.md) while its median over seeds does
    not. Seeds where a KM median is not reached count as +inf in the median
    over seeds and are left out of ``mean`` (``not_reached`` counts them).

    Cohort *s* is drawn from seed *s* alone, so the rows are the same whether the
    cohorts are drawn serially, on ``n_jobs`` local processes (``backend="joblib"``)
    or on a Dask cluster (``backend="dask"``, ``scheduler`` address); see
    :func:`venprs.resampling.map_replicates`. ``progress(k)`` is called as ``k``
    more cohorts are done.

    Parameters
    ----------
    cohort : {"rr", "first-line"}
        The simulated cohort (:func:`venprs.simulation.simulate`): relapsed/refractory or
        first-line validation.
    seeds : int
        Number of simulated cohorts (seeds 0 .. seeds-1).
    default_seed : int
        Seed of the cohort reported as ``default``.
    n : int, optional
        Patients per cohort (default: the published size).
    progress : callable, optional
        ``progress(k)``, called as ``k`` more cohorts are done.
    backend : {"joblib", "dask"}
        Where the cohorts are drawn (fewer than 4 cohorts: serially).
    n_jobs : int
        Local processes with ``backend="joblib"`` (-1: all cores).
    scheduler : str, optional
        Dask scheduler address with ``backend="dask"``.

    Returns
    -------
    list of dict
        One row per statistic of :func:`paper_rows`, with ``value``, ``summary``, ``mean``,
        ``default``, ``tolerance``, ``off`` and ``not_reached``.
    """
    sums = map_replicates(_summaries, (cohort, n), list(range(seeds)), backend=backend, n_jobs=n_jobs,
                          scheduler=scheduler, progress=progress, serial_below=4)
    default = sums[default_seed] if default_seed < seeds else summarize(simulate(cohort, n=n, seed=default_seed), cohort)
    rows = []
    for r in paper_rows(cohort):
        vals: list[Any] = [x[r["key"]] for x in sums if r["key"] in x]
        not_reached = 0
        mean: Any
        value: Any
        summary = "median" if r["kind"] == "median" else "mean"
        if r["kind"] == "rate_pair":
            mean = [float(np.nanmean([v[i] for v in vals])) for i in range(2)]
            value = mean
        else:
            arr = np.asarray(vals, float)
            not_reached = int(np.sum(np.isinf(arr)))
            mean = float(np.nanmean(arr[np.isfinite(arr)])) if np.isfinite(arr).any() else float("nan")
            value = float(np.median(arr[~np.isnan(arr)])) if summary == "median" and (~np.isnan(arr)).any() else mean
        off, tol = _off(r["kind"], r["paper"], value)
        rows.append(dict(r, value=value, summary=summary, mean=mean, default=default.get(r["key"]), tolerance=tol,
                         off=bool(off), not_reached=not_reached))
    return rows
