"""The paper's derivation workflow on a cohort: tables, Kaplan-Meier, Cox, the score two ways.

Each function mirrors one part of Shahswar et al. (2025) and returns plain
results (JSON-ready dicts) plus, where a figure needs them, the fitted objects.
All survival statistics come from :mod:`venprs.survival` (R ``survival``
conventions); published scores and groups from :mod:`venprs.scoring`.

Every analysis states the number of patients used and why others were excluded
(missing time/event, unknown factor, indeterminate score). An analysis whose
columns are absent returns ``None`` from :func:`skip_reason` checks upstream.

References
----------
.. [1] Shahswar R, Gabdoulline R, Krueger K, et al. A novel prognostic risk model for
   patients with refractory/relapsed acute myeloid leukemia receiving venetoclax plus
   hypomethylating agents. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from scipy import stats

from ..cohort_fields import COHORT_FIELDS
from ..model import GROUPS, load_model
from ..scoring import score_codes
from ..survival import CoxResult, KMResult, fit_cox, kaplan_meier, logrank, reverse_km_median_followup
from ..survival.cox import baseline_hazard
from .cohort import FACTORS, OTHER_GENES, RESPONSES, Cohort

__all__ = ["GENES", "molecular_mask", "table1", "response_table", "response_associations", "km_endpoint",
           "followup", "univariate_candidates", "cox_univariate", "cox_multivariate", "published_groups",
           "hundredths", "derived_units", "derived_groups", "groups_of_units", "group_km", "subgroups", "baseline_table", "GroupKM"]

#: The molecular factors of the model (genes).
GENES = ("nf1", "ptpn11", "flt3", "tp53", "sf3b1")
LABELS = {f["name"]: f["label"] for f in load_model().factors}
LABELS.update({"age_gt70": "Age > 70 years", "sex_male": "Male sex", "complex_karyotype": "Complex karyotype",
               "wbc_gt5": "WBC > 5 x10^9/L", "platelets_gt30": "Platelets > 30 x10^9/L",
               "refractory": "Refractory (vs relapsed)", "prior_lines_gt1": "More than one prior line",
               "prior_allohct": "Prior alloHCT", "prior_intensive": "Prior intensive chemotherapy",
               "decitabine": "Decitabine (vs azacitidine)", "eln2022_adverse": "ELN 2022 adverse",
               "age": "Age (years)", "sex": "Sex", "ecog": "ECOG", "icc2022": "ICC 2022 classification",
               "ontogeny": "ICC 2022 diagnostic qualifier", "eln2022": "ELN 2022 risk group",
               "disease_status": "Relapsed/refractory disease", "prior_lines": "Prior lines of treatment",
               "hma_agent": "Combination partner", "wbc": "WBC at start (x10^9/L)",
               "hemoglobin": "Hemoglobin at start (g/dL)", "platelets": "Platelets at start (x10^9/L)",
               "bm_blasts": "Blasts in BM (%)", "pb_blasts": "Blasts in PB (%)",
               "time_cr_to_relapse_months": "Time from CR to relapse (months)"})
# every other cohort column (e.g. NPM1 mutation) with its label from the one cohort description
for _f in COHORT_FIELDS:
    LABELS.setdefault(_f.name, _f.label)


def _num(x):
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


def molecular_mask(c: Cohort) -> tuple[np.ndarray, str]:
    """Patients of the molecular cohort and how it was defined.

    Parameters
    ----------
    c : Cohort
        The cohort; its ``molecular`` column or the five model gene columns are read.

    Returns
    -------
    mask : numpy.ndarray of bool
        True for the patients of the molecular cohort: ``molecular`` = yes where the
        cohort has that column, else every one of the five model genes known.
    definition : str
        How the mask was defined (for the report).
    """
    d = c.data
    if "molecular" in d:
        return (d["molecular"] == 1).to_numpy(), "column 'molecular' = yes"
    return d[list(GENES)].notna().all(axis=1).to_numpy(), "all five model genes known (no 'molecular' column)"


# ------------------------------------------------------------------ Table 1

_T1_CONT = ("age", "wbc", "hemoglobin", "platelets", "bm_blasts", "pb_blasts", "prior_lines",
            "time_cr_to_relapse_months")
_T1_CAT = ("sex", "ecog", "icc2022", "ontogeny", "eln2022", "complex_karyotype", "extramedullary",
           "disease_status", "prior_allohct", "prior_intensive", "prior_hma", "hma_agent", *GENES)


def table1(c: Cohort) -> dict:
    """Table 1 (tableone) for the entire and the molecular cohort.

    Continuous variables as median [min, max] (the paper gives median and range);
    categorical as n (%), with missing counts. Variables absent from the cohort or
    missing for every patient are left out (the latter listed in ``all_missing``).

    Parameters
    ----------
    c : Cohort
        The cohort; the Table 1 variables present in ``c.data`` are summarised.

    Returns
    -------
    dict
        ``rows``: list of ``{variable, level, entire, molecular, missing_entire}``;
        ``n`` (patients of the entire and the molecular cohort); ``molecular_definition``
        (:func:`molecular_mask`); ``variables``; ``all_missing``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    from tableone import TableOne

    d = c.data
    all_missing = [v for v in (*_T1_CONT, *_T1_CAT) if v in d and d[v].isna().all()]
    cont = [v for v in _T1_CONT if v in d and v not in all_missing]
    cat = [v for v in _T1_CAT if v in d and v not in all_missing]
    data = d[cont + cat].copy()
    for v in cat:
        data[v] = data[v].map(lambda x: None if x is None or (isinstance(x, float) and np.isnan(x))
                              else ("yes" if x == 1 else "no") if isinstance(x, float) else str(x))
    mol, how = molecular_mask(c)
    tables = {}
    for name, mask in (("entire", np.ones(len(d), bool)), ("molecular", mol)):
        sub = data.loc[mask]
        if len(sub) == 0:
            continue
        t = TableOne(sub, columns=cont + cat, categorical=cat, nonnormal=cont, min_max=cont, missing=True,
                     rename={v: LABELS.get(v, v) for v in cont + cat}, decimals=1)
        tab = t.tableone
        tab.columns = [name if str(col) == "Overall" else str(col) for col in tab.columns]
        tables[name] = tab
    rows = []
    if tables:
        base = tables["entire"]
        for idx in base.index:
            var, level = idx if isinstance(idx, tuple) else (idx, "")
            row = {"variable": str(var), "level": "missing" if str(level) == "None" else str(level),
                   "entire": str(base.loc[idx, "entire"])}
            if "molecular" in tables and idx in tables["molecular"].index:
                row["molecular"] = str(tables["molecular"].loc[idx, "molecular"])
            else:
                row["molecular"] = ""
            if "Missing" in base.columns:
                row["missing_entire"] = str(base.loc[idx, "Missing"])
            rows.append(row)
    return {"rows": rows, "n": {"entire": int(len(d)), "molecular": int(mol.sum())},
            "molecular_definition": how, "variables": cont + cat, "all_missing": all_missing}


# ------------------------------------------------------------------ Table 3 and Fisher tests

def response_table(c: Cohort) -> dict:
    """Best response counts (Table 3) in the entire and molecular cohorts: n (%), CR/CRi, ORR.

    Parameters
    ----------
    c : Cohort
        The cohort, with its ``best_response`` column.

    Returns
    -------
    dict
        ``{"entire": ..., "molecular": ...}``, each with ``n`` (patients with a best response),
        ``n_missing``, ``counts`` per response plus ``CR/CRi`` and ``ORR (CR, CRi, MLFS)``, and
        ``percent`` of ``n`` (``None`` when ``n`` is 0).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """

    d = c.data
    mol, _ = molecular_mask(c)
    out = {}
    for name, mask in (("entire", np.ones(len(d), bool)), ("molecular", mol)):
        r = d.loc[mask, "best_response"]
        known = r.notna()
        n = int(known.sum())
        counts = {k: int((r == k).sum()) for k in RESPONSES}
        counts["CR/CRi"] = counts["CR"] + counts["CRi"]
        counts["ORR (CR, CRi, MLFS)"] = counts["CR/CRi"] + counts["MLFS"]
        out[name] = {"n": n, "n_missing": int((~known).sum()),
                     "counts": counts, "percent": {k: (100 * v / n if n else None) for k, v in counts.items()}}
    return out


def _fisher(yes: np.ndarray, x: np.ndarray) -> dict:
    ok = ~np.isnan(x) & ~np.isnan(yes)
    y, g = yes[ok].astype(bool), x[ok].astype(bool)
    tab = np.array([[np.sum(g & y), np.sum(g & ~y)], [np.sum(~g & y), np.sum(~g & ~y)]])
    res = {"n": int(ok.sum()), "n_excluded": int((~ok).sum()), "table": tab.tolist(),
           "rate_present": _num(tab[0, 0] / tab[0].sum()) if tab[0].sum() else None,
           "rate_absent": _num(tab[1, 0] / tab[1].sum()) if tab[1].sum() else None}
    if tab.sum(axis=1).min() == 0 or tab.sum(axis=0).min() == 0:
        res.update(odds_ratio=None, p=None, note="a row or column of the 2x2 table is empty")
    else:
        f = stats.fisher_exact(tab)
        res.update(odds_ratio=_num(f.statistic), p=_num(f.pvalue))
    return res


def response_associations(c: Cohort) -> dict:
    """CR/CRi by WBC <= 5, platelets > 30 and each gene, Fisher's exact test (two-sided).

    WBC and platelets in the entire and the molecular cohort; genes (the model's
    and any other gene column present, e.g. IDH2, STAG2) in the molecular cohort.
    Patients without a best response are excluded; "died before assessment" counts
    as no CR/CRi.

    Parameters
    ----------
    c : Cohort
        The cohort, with ``best_response`` and any of ``wbc``, ``platelets`` and gene columns.

    Returns
    -------
    dict
        ``{"entire": {var: result}, "molecular": {var: result}}``; each result has ``label``,
        ``n``, ``n_excluded``, the 2x2 ``table`` (present/absent x CR/CRi yes/no), the CR/CRi
        rates ``rate_present`` and ``rate_absent``, and Fisher's ``odds_ratio`` (the
        sample odds ratio of :func:`scipy.stats.fisher_exact`) and ``p`` (``None`` with a
        ``note`` when a row or column of the table is empty).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """

    d = c.data
    resp = d["best_response"]
    crc = np.where(resp.isna(), np.nan, resp.isin(["CR", "CRi"]).astype(float))
    mol, _ = molecular_mask(c)
    out: dict = {"entire": {}, "molecular": {}}
    for name, mask in (("entire", np.ones(len(d), bool)), ("molecular", mol)):
        if "wbc" in d:
            x = np.where(d.wbc.isna() | ~mask, np.nan, d.wbc <= 5)
            out[name]["wbc_le5"] = {"label": "WBC <= 5 x10^9/L", **_fisher(crc, x)}
        if "platelets" in d:
            x = np.where(d.platelets.isna() | ~mask, np.nan, d.platelets > 30)
            out[name]["platelets_gt30"] = {"label": "Platelets > 30 x10^9/L", **_fisher(crc, x)}
    for g in (*GENES, *(g for g in OTHER_GENES if g in d)):
        x = np.where(mol, d[g].to_numpy(float), np.nan)
        out["molecular"][g] = {"label": LABELS.get(g, g.upper() + " mutation"), **_fisher(crc, x)}
    return out


# ------------------------------------------------------------------ Kaplan-Meier

def _complete(c: Cohort, ep: str, mask=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = c.data
    t = d[f"{ep}_months"].to_numpy(float)
    e = d[f"{ep}_event"].to_numpy(float)
    ok = ~np.isnan(t) & ~np.isnan(e)
    if mask is not None:
        ok &= mask
    return t, e, ok


def km_endpoint(c: Cohort, ep: str, mask=None, population: str = "entire cohort") -> tuple[dict, KMResult]:
    """Kaplan-Meier median with R's default 95% CI for one endpoint.

    Parameters
    ----------
    c : Cohort
        The cohort (``<ep>_months``, ``<ep>_event``).
    ep : {"os", "efs"}
        The endpoint (columns ``<ep>_months`` and ``<ep>_event``).
    mask : numpy.ndarray of bool, optional
        The patients of the population (default: every patient).
    population : str
        Name of the population, stored in the result.

    Returns
    -------
    result : dict
        :meth:`venprs.survival.KMResult.to_dict` (median, CI, n, events) with ``population``,
        ``n_excluded`` (patients of the population without time or event) and
        ``excluded_reason``.
    km : KMResult
        The Kaplan-Meier fit (for figures).

    Raises
    ------
    ValueError
        No patient of the population has a time and an event.
    """
    t, e, ok = _complete(c, ep, mask)
    base = int(mask.sum()) if mask is not None else c.n
    if ok.sum() == 0:
        raise ValueError(f"no patient with {ep}_months and {ep}_event")
    km = kaplan_meier(t[ok], e[ok])
    res = km.to_dict()
    res.update(population=population, n_excluded=base - int(ok.sum()),
               excluded_reason=f"missing {ep}_months or {ep}_event" if base - int(ok.sum()) else "")
    return res, km


def followup(c: Cohort) -> dict:
    """Median follow-up (OS) by reverse Kaplan-Meier.

    Parameters
    ----------
    c : Cohort
        The cohort (``os_months``, ``os_event``).

    Returns
    -------
    dict
        ``median`` and ``ci`` (months) of :func:`venprs.survival.reverse_km_median_followup`
        on the patients with an OS time and event, ``n`` and ``method``.

    References
    ----------
    .. [1] Schemper M, Smith TL. Control Clin Trials. 1996;17:343-346.
    """
    t, e, ok = _complete(c, "os")
    fu = reverse_km_median_followup(t[ok], e[ok])
    return {"median": fu.median, "ci": list(fu.ci), "n": int(ok.sum()), "method": "reverse Kaplan-Meier (OS)"}


# ------------------------------------------------------------------ Cox

def univariate_candidates(c: Cohort) -> pd.DataFrame:
    """0/1 candidate variables: the seven factors, clinical variables derived from present columns, other genes.

    Derived where the source column is present (NaN where it is missing): ``age_gt70``
    (age > 70), ``sex_male``, ``wbc_gt5`` (WBC > 5), ``platelets_gt30`` (platelets > 30),
    ``refractory`` (disease status), ``prior_lines_gt1``, ``decitabine`` (vs azacitidine;
    other agents missing) and ``eln2022_adverse``; ``complex_karyotype``,
    ``prior_allohct``, ``prior_intensive`` and the other gene columns
    (:data:`venprs.evaluation.cohort.OTHER_GENES`) as they are.

    Parameters
    ----------
    c : Cohort
        The cohort; the factor columns and the clinical and gene columns present are read.

    Returns
    -------
    pandas.DataFrame
        One column per candidate (1.0, 0.0 or NaN), same rows as ``c.data``.
    """
    d = c.data
    out = pd.DataFrame({f: d[f] for f in FACTORS})

    def derive(name, cond, src):
        out[name] = np.where(src.isna(), np.nan, cond.astype(float))

    if "age" in d:
        derive("age_gt70", d.age > 70, d.age)
    if "sex" in d:
        s = d.sex.astype(object).where(d.sex.notna(), None).map(lambda v: None if v is None else str(v).lower())
        derive("sex_male", s.isin(["m", "male"]), s)
    if "complex_karyotype" in d:
        out["complex_karyotype"] = d.complex_karyotype
    if "wbc" in d:
        derive("wbc_gt5", d.wbc > 5, d.wbc)
    if "platelets" in d:
        derive("platelets_gt30", d.platelets > 30, d.platelets)
    if "disease_status" in d:
        derive("refractory", d.disease_status == "refractory", d.disease_status)
    if "prior_lines" in d:
        derive("prior_lines_gt1", d.prior_lines > 1, d.prior_lines)
    for b in ("prior_allohct", "prior_intensive"):
        if b in d:
            out[b] = d[b]
    if "hma_agent" in d:
        a = d.hma_agent.map(lambda v: None if v is None else str(v).lower()[:3])
        derive("decitabine", a == "dec", a.where(a.isin(["aza", "dec"]), None))
    if "eln2022" in d:
        e = d.eln2022.map(lambda v: None if v is None else str(v).lower())
        derive("eln2022_adverse", e == "adverse", e)

    for g in OTHER_GENES:  # other molecular candidates (Supplementary Table S5), when present
        if g in d:
            out[g] = d[g]
    return out


def _cox_terms(fit: CoxResult) -> dict:
    return {k: {kk: v[kk] for kk in ("coef", "se", "hr", "ci_low", "ci_high", "p", "estimable", "carriers",
                                     "carrier_events", "flag")} for k, v in fit.to_dict()["terms"].items()}


def cox_univariate(c: Cohort, ep: str, cand: pd.DataFrame, rare_factors: str = "r") -> dict:
    """One Cox model per candidate (patients with the candidate known); ``rare_factors`` as :func:`fit_cox`.

    Parameters
    ----------
    c : Cohort
        The cohort, for the endpoint's time and event.
    ep : {"os", "efs"}
        The endpoint (columns ``<ep>_months`` and ``<ep>_event``).
    cand : pandas.DataFrame
        Candidate variables (:func:`univariate_candidates`), same rows as ``c.data``.
    rare_factors : {"r", "drop"}
        Cox policy for rare or monotone factors (:func:`venprs.survival.fit_cox`).

    Returns
    -------
    dict
        Per candidate: ``label``, ``n``, ``n_excluded``, the term's ``coef``, ``se``, ``hr``,
        ``ci_low``, ``ci_high``, ``p``, ``estimable``, ``carriers``, ``carrier_events`` and
        ``flag``, and ``n_events``, ``notes``, ``flags``, ``converged``; a candidate whose model
        cannot be fitted gets ``None`` values, ``estimable = False`` and the reason in ``notes``.
    """
    t, e, ok = _complete(c, ep)
    out = {}
    for v in cand.columns:
        df = pd.DataFrame({v: cand[v], "t": t, "e": e}).loc[ok]
        known = df[v].notna()
        entry = {"label": LABELS.get(v, v), "n": int(known.sum()), "n_excluded": int((~known).sum()) + int((~ok).sum())}
        try:
            fit = fit_cox(df.loc[known], [v], "t", "e", rare_factors=rare_factors)
            entry.update(_cox_terms(fit)[v], n_events=fit.n_events, notes=fit.notes,
                         flags=fit.to_dict()["flags"], converged=fit.converged)
        except ValueError as err:
            entry.update(coef=None, se=None, hr=None, ci_low=None, ci_high=None, p=None, estimable=False,
                         notes=[str(err)])
        out[v] = entry
    return out


def cox_multivariate(c: Cohort, ep: str, factors, rare_factors: str = "r") -> tuple[dict, CoxResult | None]:
    """Multivariate Cox with the VEN-PRS factors (complete cases); ``rare_factors`` as :func:`fit_cox`.

    When no complete case has an event, nothing is estimable: every term is
    returned with ``estimable = False`` and the fit is ``None``.

    Parameters
    ----------
    c : Cohort
        The cohort with the factor columns and the endpoint's time and event.
    ep : {"os", "efs"}
        The endpoint (columns ``<ep>_months`` and ``<ep>_event``).
    factors : sequence of str
        The factor columns of the model.
    rare_factors : {"r", "drop"}
        Cox policy for rare or monotone factors (:func:`venprs.survival.fit_cox`).

    Returns
    -------
    results : dict
        ``terms`` (per factor: the :class:`venprs.survival.CoxResult` term with ``label``) and
        ``fit`` (n, events, log-likelihoods, AIC, notes, flags, ``n_excluded``,
        ``excluded_reason``, ``estimable``).
    fit : CoxResult or None
        The fitted model, ``None`` when it is not estimable.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    t, e, ok = _complete(c, ep)
    tn, en = f"{ep}_months", f"{ep}_event"
    df = c.data[list(factors)].assign(**{tn: t, en: e}).loc[ok]
    try:
        fit = fit_cox(df, list(factors), tn, en, rare_factors=rare_factors)
    except ValueError as err:
        complete = int(df.notna().all(axis=1).sum())
        why = (f"not estimable: {complete} patient(s) with every factor of the model known and time/event "
               f"recorded, {int(df.loc[df.notna().all(axis=1), en].sum())} event(s) among them ({err})")
        na_terms = {f: {"coef": None, "se": None, "hr": None, "ci_low": None, "ci_high": None, "p": None,
                     "estimable": False, "carriers": None, "carrier_events": None, "flag": None,
                     "label": LABELS.get(f, f)}
                 for f in factors}
        na_summary = {"n": complete, "n_events": 0, "n_excluded": c.n - complete, "k": 0, "loglik": None,
                   "loglik_null": None, "aic": None, "aic_null": None, "ties": "efron", "notes": [why],
                   "rare_factors": rare_factors, "flags": [], "r_warnings": [], "converged": None,
                   "excluded_reason": "missing time/event or an unknown factor of the model", "estimable": False}
        return {"terms": na_terms, "fit": na_summary}, None
    summary = fit.to_dict()
    terms = summary.pop("terms")
    for k in terms:
        terms[k]["label"] = LABELS.get(k, k)
    summary["n_excluded"] = int((~ok).sum()) + fit.n_excluded
    summary["excluded_reason"] = "missing time/event or an unknown factor of the model"
    summary["estimable"] = True
    return {"terms": terms, "fit": summary}, fit


# ------------------------------------------------------------------ scores and groups

def _codes(c: Cohort) -> np.ndarray:
    return np.nan_to_num(c.data[list(FACTORS)].to_numpy(float), nan=-1).astype(np.int8)


def published_groups(c: Cohort, ep: str) -> tuple[np.ndarray, np.ndarray]:
    """Published VEN-PRS group of each patient (``""`` when indeterminate) and the exact score (NaN if unknown).

    Parameters
    ----------
    c : Cohort
        The cohort; its seven factor columns (1/0/NaN) are scored.
    ep : {"os", "efs"}
        The endpoint whose score is used.

    Returns
    -------
    groups : numpy.ndarray of object
        ``"favorable"``, ``"intermediate"``, ``"adverse"`` or ``""`` (unknown factors leave
        more than one group possible).
    score : numpy.ndarray of float
        The published score (:func:`venprs.scoring.score_codes`), NaN where a factor that
        matters is unknown.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    m = load_model()
    r = score_codes(_codes(c), ep)
    names = {1: "favorable", 2: "intermediate", 4: "adverse"}
    grp = np.array([names.get(int(b), "") for b in r["possible"]], dtype=object)
    score = np.where(r["known"], r["lo"] / m.scale, np.nan)
    return grp, score


def hundredths(b: float) -> int:
    """A coefficient in exact hundredths, as the paper reports them (Table 4: 2 decimals).

    Rounding is half away from zero on the *decimal* value that ``repr`` shows (so 0.125 -> 13 and
    -0.125 -> -13, and 1.005 -> 101 although ``1.005 * 100`` is 100.49999999999999 in binary); a
    coefficient that is not finite gets 0. The one rounding rule for every re-derived score.

    Parameters
    ----------
    b : float
        A Cox coefficient.

    Returns
    -------
    int
        ``b`` in hundredths (``round(100 * b)``, half away from zero on the decimal value).

    Examples
    --------
    >>> hundredths(0.125), hundredths(-0.125), hundredths(1.005), hundredths(float("nan"))
    (13, -13, 101, 0)
    """
    if not np.isfinite(b):
        return 0
    return int(Decimal(repr(float(b))).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)


def derived_units(fit: CoxResult) -> dict[str, int]:
    """The re-derived coefficients in hundredths (:func:`hundredths`).

    A factor without a coefficient (R: NA, or dropped) gets 0. A large estimate R keeps
    ("may be infinite") is rounded as it is.

    Parameters
    ----------
    fit : CoxResult
        The Cox fit of the re-derivation (:func:`cox_multivariate`).

    Returns
    -------
    dict of str to int
        Coefficient of each covariate of ``fit`` in hundredths.
    """
    return {f: hundredths(fit.coef[f]) for f in fit.covariates}


def derived_groups(c: Cohort, units: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Groups from the re-derived (rounded) coefficients with the published cut-points.

    See :func:`groups_of_units` (the one grouping rule of re-derived scores).

    Parameters
    ----------
    c : Cohort
        The cohort; its factor columns hold 1, 0 or NaN (unknown).
    units : dict of str to int
        Coefficient of each factor in hundredths (:func:`derived_units`).

    Returns
    -------
    groups : ndarray of object
        Group name, or ``""`` where the unknown factors leave it open.
    score : ndarray of float
        The re-derived score (NaN where a factor is unknown).
    """
    return groups_of_units(c.data[list(units)].to_numpy(float), np.array(list(units.values()), dtype=np.int64))


def groups_of_units(X: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of a score in hundredths, with the published cut-points: the one rule for re-derived scores.

    A patient with unknown factors gets a group only if every completion of the
    unknown factors falls in the same group: the rule of the published score
    (:func:`venprs.scoring.score_table`), so the published and the re-derived
    classifications are compared on the same patients.

    Parameters
    ----------
    X : ndarray of float, shape (n, p)
        Factor values 1 / 0, NaN for unknown.
    units : ndarray of int, shape (p,)
        Coefficients in hundredths (:func:`hundredths`).

    Returns
    -------
    groups : ndarray of object
        Group name, or ``""`` where the unknown factors leave it open.
    score : ndarray of float
        The score (NaN where a factor is unknown).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (cut-points, Table 4).
    """
    m = load_model()
    u = np.asarray(units, dtype=np.int64)
    known = ~np.isnan(X)
    base = np.where(known, X, 0).astype(np.int64) @ u
    lo = base + (~known).astype(np.int64) @ np.minimum(u, 0)
    hi = base + (~known).astype(np.int64) @ np.maximum(u, 0)
    g_lo = np.array([m.group_of_units(int(v)) for v in lo], dtype=object)
    g_hi = np.array([m.group_of_units(int(v)) for v in hi], dtype=object)
    grp = np.where(g_lo == g_hi, g_lo, "")
    score = np.where(known.all(axis=1), base / m.scale, np.nan)
    return grp.astype(object), score


@dataclass
class GroupKM:
    """KM by risk group: per-group results, the fits (for figures) and the log-rank test."""

    results: dict
    fits: dict[str, KMResult] = field(default_factory=dict)


def group_km(c: Cohort, ep: str, groups: np.ndarray, mask=None) -> GroupKM:
    """Group sizes, KM medians with CI and the k-group log-rank test (groups with >= 1 patient).

    Parameters
    ----------
    c : Cohort
        The cohort whose patients ``groups`` classifies (same rows).
    ep : {"os", "efs"}
        The endpoint (columns ``<ep>_months`` and ``<ep>_event``).
    groups : numpy.ndarray of object
        Risk group of each patient (``"favorable"``, ``"intermediate"``, ``"adverse"``),
        ``""`` where not determinate (left out).
    mask : numpy.ndarray of bool, optional
        The patients of a subgroup (default: every patient).

    Returns
    -------
    GroupKM
        ``results``: per group ``n``, ``n_events``, ``median``, ``ci_low``, ``ci_high``; the
        log-rank ``logrank_chi2``, ``logrank_df``, ``logrank_p`` (``None`` with a
        ``logrank_note`` when fewer than two groups have patients or there is no event);
        ``n_used``, ``n_excluded``, ``n_indeterminate``, ``excluded_reason``. ``fits``: the
        Kaplan-Meier fit of each non-empty group.
    """
    t, e, ok = _complete(c, ep, mask)
    has = groups != ""
    base = int(mask.sum()) if mask is not None else c.n
    use = ok & has
    res: dict = {}
    fits = {}
    for g in GROUPS:
        sel = use & (groups == g)
        if sel.sum() == 0:
            res[g] = {"n": 0, "n_events": 0, "median": None, "ci_low": None, "ci_high": None}
            continue
        km = kaplan_meier(t[sel], e[sel])
        fits[g] = km
        res[g] = {"n": int(sel.sum()), "n_events": km.n_events, "median": km.median, "ci_low": km.ci[0],
                  "ci_high": km.ci[1]}
    present = [g for g in GROUPS if res[g]["n"] > 0]
    if len(present) >= 2 and e[use].sum() > 0:
        chi2, df, p = logrank(t[use], e[use], groups[use])
        res.update(logrank_chi2=chi2, logrank_df=df, logrank_p=p)
    else:
        res.update(logrank_chi2=None, logrank_df=None, logrank_p=None,
                   logrank_note="fewer than two non-empty groups")
    res.update(n_used=int(use.sum()), n_excluded=base - int(use.sum()),
               n_indeterminate=int((ok & ~has).sum()),
               excluded_reason="missing time/event, or a score that unknown factors leave indeterminate")
    return GroupKM(res, fits)


def subgroups(c: Cohort) -> dict[str, np.ndarray]:
    """Subgroup masks as in the paper: relapsed vs refractory; one vs more than one prior line.

    Parameters
    ----------
    c : Cohort
        The cohort; ``disease_status`` and ``prior_lines`` are read when present.

    Returns
    -------
    dict of str to numpy.ndarray of bool
        ``relapsed`` and ``refractory`` (with a ``disease_status`` column),
        ``one_prior_line`` and ``more_than_one_prior_line`` (with a ``prior_lines`` column).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    d = c.data
    out = {}
    if "disease_status" in d:
        out["relapsed"] = (d.disease_status == "relapsed").to_numpy()
        out["refractory"] = (d.disease_status == "refractory").to_numpy()
    if "prior_lines" in d:
        out["one_prior_line"] = (d.prior_lines == 1).to_numpy()
        out["more_than_one_prior_line"] = (d.prior_lines > 1).to_numpy()
    return out


def baseline_table(c: Cohort, ep: str, coefs: dict[str, float], ctype: int = 1) -> pd.DataFrame:
    """Baseline survival S0(t) (all factors absent) for fixed coefficients, on the complete cases.

    ``ctype=1`` is R's ``survfit(fit, ctype = 1)`` (Breslow); evaluate it as a
    right-continuous step function.

    Parameters
    ----------
    c : Cohort
        The cohort with the factor columns of ``coefs`` and the endpoint's time and event.
    ep : {"os", "efs"}
        The endpoint (columns ``<ep>_months`` and ``<ep>_event``).
    coefs : dict of str to float
        Fixed coefficient of each factor column; patients with any of them unknown are left out.
    ctype : {1, 2}
        Baseline hazard increments (:func:`venprs.survival.cox.baseline_hazard`): 1 Breslow,
        2 Efron-adjusted.

    Returns
    -------
    pandas.DataFrame
        Columns ``endpoint``, ``time`` (each distinct event time) and ``surv``
        (``exp(-cumulative hazard)``).
    """
    t, e, ok = _complete(c, ep)
    X = c.data[list(coefs)].to_numpy(float)
    ok &= ~np.isnan(X).any(axis=1)
    lp = X[ok] @ np.array(list(coefs.values()), float)
    b = baseline_hazard(t[ok], e[ok], lp, ctype=ctype)
    return pd.DataFrame({"endpoint": ep, "time": b.time, "surv": b.surv})
