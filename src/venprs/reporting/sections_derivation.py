"""Report sections for the derivation workflow (Table 1, Table 3, KM, Cox, scores, subgroups, baseline).

Each builder mirrors one part of Shahswar et al. (2025) and returns its
``results.json`` fragment and HTML (see :mod:`venprs.reporting.registry`).

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..cohort_fields import level_label
from ..evaluation import derivation as dv
from ..io import write_table
from ..model import ENDPOINTS, GROUPS, load_model
from .html import esc, fmt, fmt_ci, fmt_p, note, table
from .paper import compare_row
from .rare_factors import flagged_entries, flagged_html, policy_note
from .registry import Context, SectionOutput, section
from .verdict import SYNTHETIC_SCOPE, verdict_summary

EP_LABEL = {"os": "Overall survival", "efs": "Event-free survival", "rfs": "Relapse-free survival"}


def comparison_html(rows: list[dict], caption: str) -> str:
    """A "paper | this run | difference" table.

    Parameters
    ----------
    rows : list of dict
        Comparison rows of :func:`venprs.reporting.paper.compare_row`.
    caption : str
        The table caption.

    Returns
    -------
    str
        A verdict paragraph (:func:`venprs.reporting.verdict.verdict_summary` and the synthetic-cohort scope)
        followed by the table: quantity, paper, this run, difference, tolerance (reason), verdict
        (``within``, ``OUTSIDE`` or ``-``) and the paper source.
    """
    def show(v, d):
        return fmt(v, d, none="-") if not isinstance(v, str) else v

    def cell(r, v):
        return fmt_p(v) if r.get("kind") == "p" and v is not None else show(v, r["digits"])

    def verdict(r):
        w = r.get("within_tolerance")
        return "-" if w is None else ("within" if w else "OUTSIDE")

    body = [[r["quantity"], cell(r, r["paper"]), cell(r, r["this_run"]), show(r["difference"], r["digits"]),
             f"{r['tolerance']['text']} ({r['tolerance']['reason']})", verdict(r), r.get("source", "")]
            for r in rows]
    return (f"<p class=\"verdict\"><strong>{esc(verdict_summary(rows))}</strong>. {esc(SYNTHETIC_SCOPE)}</p>"
            + table(["quantity", "paper", "this run", "difference", "tolerance (reason)", "verdict", "paper source"],
                    body, caption=caption, cls="compare"))


def _add_comparison(ctx: Context, out: SectionOutput, key: str, rows: list[dict], caption: str):
    rows = [r for r in rows if r["paper"] is not None]
    if ctx.paper is None or not rows:
        return
    out.results.setdefault("comparison", {})[key] = rows
    out.html += comparison_html(rows, caption)


# ------------------------------------------------------------------ input

@section("input", "Cohort", order=10, reports=("analysis", "validate"))
def build_input(ctx: Context) -> SectionOutput:
    """The "Cohort" section: source, size, molecular cohort and the columns used.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort``).

    Returns
    -------
    SectionOutput
        ``input``: ``source``, ``n_patients``, ``time_unit_input``, ``time_unit`` (months), ``columns``
        (canonical name -> input column), ``notes``, ``n_molecular`` and ``molecular_definition``
        (:func:`venprs.evaluation.derivation.molecular_mask`); HTML: one paragraph and the notes.
    """
    c = ctx.cohort
    mol, how = dv.molecular_mask(c)
    res = {"input": {"source": c.source, "n_patients": c.n, "time_unit_input": c.time_unit,
                     "time_unit": "months", "columns": dict(c.columns), "notes": list(c.notes),
                     "n_molecular": int(mol.sum()), "molecular_definition": how}}
    used = ", ".join(k if k == v else f"{k} (from column {v!r})" for k, v in c.columns.items())
    html = (f"<p>{esc(c.source)}: {c.n} patients; molecular cohort {int(mol.sum())} ({esc(how)}). "
            "Times in months.</p>" + "".join(note(n) for n in c.notes) + note("Columns used: " + used))
    return SectionOutput(res, html)


# ------------------------------------------------------------------ Table 1

@section("table1", "Table 1: patient characteristics", order=20)
def build_table1(ctx: Context) -> SectionOutput:
    """The "Table 1" section: patient characteristics of the entire and the molecular cohort.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort``; with ``ctx.paper``, the published Table 1 counts and
        medians of ``paper_targets.json`` are compared).

    Returns
    -------
    SectionOutput
        ``table1``: :func:`venprs.evaluation.derivation.table1` (continuous: median [min, max];
        categorical: n (%)); with ``ctx.paper`` also ``comparison.table1``. The HTML notes the columns
        absent from the cohort and those empty for every patient.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    t1 = dv.table1(ctx.cohort)
    column_of = {v: k for k, v in dv.LABELS.items()}
    rows, prev = [], None
    for r in t1["rows"]:
        rows.append(["" if r["variable"] == prev else r["variable"],
                     level_label(column_of.get(r["variable"].split(",")[0], r["variable"]), r["level"]), r["entire"],
                     r["molecular"]])
        prev = r["variable"]
    n = t1["n"]
    html = table(["characteristic", "level", f"entire cohort (N = {n['entire']})", f"molecular cohort (n = {n['molecular']})"],
                 rows, caption="Continuous: median [min, max]; categorical: n (%). Made with tableone.")
    out = SectionOutput({"table1": t1}, html)
    if ctx.paper:
        _add_comparison(ctx, out, "table1", _table1_comparison(ctx), "Table 1: paper vs this run (counts; medians)")
    missing = [v for v in ("age", "sex", "ecog", "eln2022", "wbc", "platelets", "prior_lines", "disease_status")
               if v not in ctx.cohort.data]
    if missing:
        out.html += note("Columns not in this cohort (not shown): " + ", ".join(missing))
    if t1["all_missing"]:
        out.html += note("Columns empty for every patient (not shown): " + ", ".join(t1["all_missing"]))
    return out


_T1_VAR = {"hb": "hemoglobin", "icc_class": "icc2022", "icc_qualifier": "ontogeny",
           "time_cr_to_relapse": "time_cr_to_relapse_months", "no_mutation": "no_mutation"}


def _targets(ctx: Context, prefix: str) -> dict:
    t = (ctx.paper or {}).get("targets", {})
    t = t.get("targets", t)
    return {k[len(prefix):]: v for k, v in t.items() if k.startswith(prefix)}


def _level_count(col, level: str) -> int:
    import pandas as pd

    s = pd.Series(col)
    if level == "missing":
        return int(s.isna().sum())
    if s.dtype.kind == "f" and set(s.dropna().unique()) <= {0.0, 1.0}:
        return int((s == (1.0 if level == "yes" else 0.0)).sum()) if level in ("yes", "no") else 0
    return int((s.astype(object).map(lambda v: None if v is None else str(v)) == level).sum())


def _table1_comparison(ctx: Context) -> list[dict]:
    c = ctx.cohort
    d = c.data
    mol, _ = dv.molecular_mask(c)
    rows = []
    for cohort, mask in (("entire", np.ones(c.n, bool)), ("molecular", mol)):
        for key, v in _targets(ctx, f"table1.{cohort}.").items():
            var, _, level = key.partition(".")
            col = _T1_VAR.get(var, var)
            src = v.get("source", "")
            ours: float | None
            if var == "relapse_timing" and "time_cr_to_relapse_months" in d:
                t = d.time_cr_to_relapse_months.where(mask & (d.get("disease_status") == "relapsed"))
                rel = mask & (d.get("disease_status") == "relapsed").to_numpy()
                bins = {"le6": t <= 6, "7to18": (t > 6) & (t <= 18), "gt18": t > 18}
                ours = int(t[rel].isna().sum()) if level == "missing" else int(bins[level].sum()) if level in bins \
                    else None
            elif col not in d:
                continue
            elif v.get("kind") == "median":
                ours = float(np.nanmedian(d.loc[mask, col].to_numpy(float)))
                rows.append(compare_row(f"{cohort}: {var} median", v["value"], ours, 1, src, judge="median"))
                continue
            else:
                ours = _level_count(d.loc[mask, col].to_numpy(), level)
            if v.get("kind") == "count" and ours is not None:
                rows.append(compare_row(f"{cohort}: {var} = {level} (n)", v["count"], ours, 0, src, judge="count",
                                        n=int(mask.sum())))
    return rows


# ------------------------------------------------------------------ Table 3

@section("response", "Table 3: treatment response", order=30)
def build_response(ctx: Context) -> SectionOutput:
    """The "Table 3" section: best response, and its association with clinical variables and genes.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort``; with ``ctx.paper``, the published Table 3 counts and
        CR/CRi rates are compared).

    Returns
    -------
    SectionOutput
        ``response``: ``table`` (:func:`venprs.evaluation.derivation.response_table`, n and % by best
        response in the entire and the molecular cohort) and ``associations``
        (:func:`venprs.evaluation.derivation.response_associations`: CR/CRi rates with and without each
        variable, two-sided Fisher's exact p); with ``ctx.paper`` also ``comparison.response``. Skipped
        without a ``best_response`` column.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    c = ctx.cohort
    if "best_response" not in c.data:
        return SectionOutput.skip("response", "no best_response column")
    tab = dv.response_table(c)
    assoc = dv.response_associations(c)
    keys = list(tab["entire"]["counts"])
    rows = []
    for k in keys:
        row = [k]
        for name in ("entire", "molecular"):
            cnt, pct = tab[name]["counts"][k], tab[name]["percent"][k]
            row.append(f"{cnt} ({fmt(pct, 0, '-')}%)")
        rows.append(row)
    html = table(["best response", f"entire (n = {tab['entire']['n']})", f"molecular (n = {tab['molecular']['n']})"],
                 rows, caption="Best response, n (%) of patients with a recorded response")
    arows = [[cohort, a["label"], a["n"],
              fmt(None if a["rate_present"] is None else 100 * a["rate_present"], 0, "-"),
              fmt(None if a["rate_absent"] is None else 100 * a["rate_absent"], 0, "-"), fmt_p(a.get("p"))]
             for cohort, per in assoc.items() for a in per.values()]
    html += table(["cohort", "variable", "n", "CR/CRi % if present", "CR/CRi % if absent", "Fisher p"], arows,
                  caption="Association with CR/CRi (Fisher's exact test, two-sided)")
    out = SectionOutput({"response": {"table": tab, "associations": assoc}}, html)
    if ctx.paper:
        _add_comparison(ctx, out, "response", _response_comparison(ctx, tab, assoc),
                        "Response: paper vs this run")
    return out


_RESP_LEVEL = {"cr": "CR", "cri": "CRi", "mlfs": "MLFS", "pr": "PR", "sd_rd": "SD/RD",
               "died_before_assessment": "died before assessment"}
_ASSOC_VAR = {"wbc": "wbc_le5", "platelets": "platelets_gt30"}


def _response_comparison(ctx: Context, tab: dict, assoc: dict) -> list[dict]:
    rows = []
    n_of = {"entire": ctx.cohort.n, "molecular": int(dv.molecular_mask(ctx.cohort)[0].sum())}
    for cohort in ("entire", "molecular"):
        for key, v in _targets(ctx, f"table3.{cohort}.").items():
            if key.startswith("best_response."):
                level = _RESP_LEVEL.get(key.split(".", 1)[1])
            else:
                level = {"crc": "CR/CRi", "orr": "ORR (CR, CRi, MLFS)"}.get(key)
            if level is None or v.get("kind") != "count":
                continue
            rows.append(compare_row(f"{cohort}: {level} (n)", v["count"], tab[cohort]["counts"][level], 0,
                                    v.get("source", ""), judge="count", n=int(n_of[cohort])))
        for key, v in _targets(ctx, f"response.{cohort}.crc_by_").items():
            var = _ASSOC_VAR.get(key, key)
            a = assoc.get(cohort, {}).get(var)
            if a is None or v.get("kind") != "rate_pair":
                continue
            labels = v.get("labels", ["", ""])
            first, second = (a["rate_present"], a["rate_absent"])
            if var == "wbc_le5" and labels and "<=" not in labels[0]:
                first, second = second, first
            what = "" if var in ("wbc_le5", "platelets_gt30") else f"{key.upper()} "
            rows.append(compare_row(f"{cohort}: CR/CRi % {what}{labels[0]}", round(100 * v["value"][0], 6),
                                    None if first is None else 100 * first, 0, v.get("source", ""), judge="percent"))
            rows.append(compare_row(f"{cohort}: CR/CRi % {what}{labels[1]}", round(100 * v["value"][1], 6),
                                    None if second is None else 100 * second, 0, v.get("source", ""), judge="percent"))
            rows.append(compare_row(f"{cohort}: Fisher p ({key})", v.get("p"), a.get("p"), 3, v.get("source", ""),
                                    kind="p"))
    return rows


# ------------------------------------------------------------------ KM

@section("km", "Kaplan-Meier: overall, event-free and relapse-free survival", order=40)
def build_km(ctx: Context) -> SectionOutput:
    """The Kaplan-Meier section: OS, EFS and RFS medians with 95% CIs, follow-up, and the figures.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort``; draws into ``ctx.figures``; with ``ctx.paper``, the published
        medians, their CIs, the number of deaths and the median follow-up are compared). Stores the
        Kaplan-Meier fits in ``ctx.state["km"]``.

    Returns
    -------
    SectionOutput
        ``km.<ep>`` (:func:`venprs.evaluation.derivation.km_endpoint`; medians and CIs as R's ``survfit``,
        ``conf.type = "log"``) for ``os`` and ``efs`` on the entire cohort and ``rfs`` on the patients
        with CR/CRi, and ``followup`` (reverse Kaplan-Meier on OS); with ``ctx.paper`` also
        ``comparison.km``. RFS is skipped, with the reason, without ``rfs_months``, ``rfs_event`` and
        ``best_response`` or without a CR/CRi patient with both RFS columns.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    c = ctx.cohort
    res, html, skipped, kms = {}, "", [], {}
    for ep in ENDPOINTS:
        r, km = dv.km_endpoint(c, ep)
        res[ep], kms[ep] = r, km
    if c.has("rfs_months", "rfs_event", "best_response"):
        crc = c.data.best_response.isin(["CR", "CRi"]).to_numpy()
        try:
            r, km = dv.km_endpoint(c, "rfs", crc, population="patients with CR/CRi")
            res["rfs"], kms["rfs"] = r, km
        except ValueError:
            skipped.append({"analysis": "km.rfs", "reason": f"no patient with CR/CRi ({int(crc.sum())}) has both "
                                                           "rfs_months and rfs_event"})
    else:
        skipped.append({"analysis": "km.rfs", "reason": "needs rfs_months, rfs_event and best_response columns"})
    fu = dv.followup(c)
    rows = [[EP_LABEL[ep], r["population"], r["n"], r["n_events"], fmt(r["median"], 1), fmt_ci(*r["ci"])]
            for ep, r in res.items()]
    html += (f"<p>Median follow-up (reverse Kaplan-Meier, OS): {fmt(fu['median'], 1)} months "
             f"(95% CI {fmt_ci(*fu['ci'])}).</p>")
    html += table(["endpoint", "population", "n", "events", "median (months)", "95% CI"], rows,
                  caption="Medians and 95% CIs as R survival::survfit (conf.type = \"log\", Greenwood)")
    for ep, km in kms.items():
        html += ctx.figures.km({EP_LABEL[ep]: km}, f"km_{ep}", f"Kaplan-Meier {EP_LABEL[ep]}",
                               title=f"{EP_LABEL[ep]} ({res[ep]['population']})", ci=True)
        if res[ep]["n_excluded"]:
            html += note(f"{EP_LABEL[ep]}: {res[ep]['n_excluded']} patient(s) excluded ({res[ep]['excluded_reason']}).")
    ctx.state["km"] = kms
    out = SectionOutput({"km": res, "followup": fu}, html, skipped)
    rows_c = []
    tk = _targets(ctx, "km.") if ctx.paper else {}
    for ep in ("os", "efs", "rfs"):
        v = tk.get(f"{ep}.median")
        if v and ep in res:
            src = v.get("source", "")
            ci = v.get("ci") or [None, None]
            rows_c.append(compare_row(f"{ep.upper()} median (months)", v["value"], res[ep]["median"], 1, src,
                                      judge="median", ci=tuple(ci)))
            rows_c.append(compare_row(f"{ep.upper()} 95% CI low", ci[0], res[ep]["ci"][0], 1, src, judge="median"))
            rows_c.append(compare_row(f"{ep.upper()} 95% CI high", "not reached" if ci[1] is None else ci[1],
                                      "not reached" if res[ep]["ci"][1] is None else res[ep]["ci"][1], 1, src,
                                      judge="median"))
    if "os.deaths" in tk:
        rows_c.append(compare_row("deaths (OS events)", tk["os.deaths"]["count"], res["os"]["n_events"], 0,
                                  tk["os.deaths"].get("source", ""), judge="count", n=res["os"]["n"]))
    if "followup.median" in tk:
        rows_c.append(compare_row("median follow-up (months)", tk["followup.median"]["value"], fu["median"], 1,
                                  tk["followup.median"].get("source", ""), judge="median"))
    _add_comparison(ctx, out, "km", rows_c, "Kaplan-Meier: paper vs this run")
    return out


# ------------------------------------------------------------------ Cox

def _cox_rows(terms: dict) -> list[list]:
    return [[v.get("label", k), v.get("n", ""), fmt(v["coef"], 3, "-"), fmt(v["hr"], 2, "-"),
             fmt_ci(v["ci_low"], v["ci_high"], 2) if v["hr"] is not None else "-", fmt_p(v["p"]),
             "yes" if v["estimable"] else "no", v.get("flag") or ""] for k, v in terms.items()]


@section("cox", "Cox regression: univariate and multivariate (Efron ties)", order=50)
def build_cox(ctx: Context) -> SectionOutput:
    """The Cox section: univariate and multivariate Cox models (Efron ties) for OS and EFS.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort`` and ``ctx.options["rare_factors"]``, default ``"r"``; with
        ``ctx.paper``, the published Table 4 HRs and coefficients are compared). Stores the multivariate
        fits in ``ctx.state["cox"]`` (by endpoint; absent when not estimable).

    Returns
    -------
    SectionOutput
        ``cox.<ep>``: ``univariate`` (one model per candidate of
        :func:`venprs.evaluation.derivation.univariate_candidates`), ``multivariate`` (the model file's
        factors of the endpoint), ``multivariate_fit``, ``multivariate_factors``; ``rare_factors``
        (``policy`` and every ``flagged`` fit); with ``ctx.paper`` also ``comparison.cox``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    .. [2] R package ``survival`` 3.5-3: ``coxph`` (``ties = "efron"``), ``coxph.control``.
    """
    c = ctx.cohort
    m = load_model()
    cand = dv.univariate_candidates(c)
    rare = ctx.options.get("rare_factors") or "r"
    res, html, fits = {}, policy_note(rare), {}
    comp, flagged = [], []
    for ep in ENDPOINTS:
        uni = dv.cox_univariate(c, ep, cand, rare_factors=rare)
        factors = m.endpoints[ep].factors
        multi, fit = dv.cox_multivariate(c, ep, factors, rare_factors=rare)
        flagged += flagged_entries(multi["fit"]["flags"], analysis="cox multivariate", endpoint=ep)
        for k, v in uni.items():
            flagged += flagged_entries([{**f, "factor": k} for f in v.get("flags", [])],
                                       analysis="cox univariate", endpoint=ep)
        if fit is not None:
            fits[ep] = fit
        res[ep] = {"univariate": uni, "multivariate": multi["terms"], "multivariate_fit": multi["fit"],
                   "multivariate_factors": list(factors)}
        html += f"<h3>{EP_LABEL[ep]}</h3>"
        html += table(["variable", "n", "coef", "HR", "95% CI", "p", "estimable", "flag"], _cox_rows(uni),
                      caption=f"Univariate Cox models, {EP_LABEL[ep]} (each on the patients with that variable known)")
        mf = multi["fit"]
        html += table(["factor", "n", "coef", "HR", "95% CI", "p", "estimable", "flag"], _cox_rows(multi["terms"]),
                      caption=f"Multivariate Cox model, {EP_LABEL[ep]}: n = {mf['n']}, events = {mf['n_events']}, "
                              f"excluded = {mf['n_excluded']} ({mf['excluded_reason']}); AIC {fmt(mf['aic'], 1)}")
        for n_ in mf["notes"]:
            html += note(f"{EP_LABEL[ep]} multivariate: {n_}")
        for k, v in uni.items():
            for n_ in v.get("notes", []):
                html += note(f"{EP_LABEL[ep]} univariate {k}: {n_}")
        if ctx.paper:
            pc = ctx.paper["cox"][ep]
            for f in factors:
                p, ours = pc["multivariate"][f], multi["terms"][f]
                comp.append(compare_row(f"{ep.upper()} multivariate HR {f}", p["hr"], ours["hr"], 2, p["source"],
                                        judge="hr", ci=(p["ci_low"], p["ci_high"])))
                comp.append(compare_row(f"{ep.upper()} multivariate coef {f}", p["coef"], ours["coef"], 2, p["source"],
                                        judge="coef", ci=(p["ci_low"], p["ci_high"])))
                if f in pc["univariate"]:
                    pu = pc["univariate"][f]
                    comp.append(compare_row(f"{ep.upper()} univariate HR {f}", pu["hr"], uni[f]["hr"], 2, pu["source"],
                                            judge="hr", ci=(pu["ci_low"], pu["ci_high"])))
    ctx.state["cox"] = fits
    html += flagged_html(flagged, "Flagged Cox fits")
    out = SectionOutput({"cox": res, "rare_factors": {"policy": rare, "flagged": flagged}}, html)
    _add_comparison(ctx, out, "cox", comp, "Cox models: paper (Table 4) vs this run")
    return out


# ------------------------------------------------------------------ score groups

def _group_rows(r: dict) -> list[list]:
    return [[g, r[g]["n"], r[g]["n_events"], fmt(r[g]["median"], 1), fmt_ci(r[g]["ci_low"], r[g]["ci_high"])]
            for g in GROUPS]


@section("groups", "The VEN-PRS: published and re-derived scores", order=60)
def build_groups(ctx: Context) -> SectionOutput:
    """The VEN-PRS section: risk groups by the published and by the re-derived score, with Kaplan-Meier curves.

    The re-derived score uses this cohort's multivariate coefficients (from ``ctx.state["cox"]``, so
    :func:`build_cox` runs first) rounded to hundredths, 0 for a factor that is not estimable, and the
    published cut-points. Patients whose unknown factors leave the group undetermined are excluded.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort``, ``ctx.state["cox"]`` and ``ctx.options["km_ci"]``; with
        ``ctx.paper``, the published group sizes, medians with CIs and log-rank p are compared). Stores the
        groups in ``ctx.state["groups"]`` by ``(endpoint, "published" | "derived")``.

    Returns
    -------
    SectionOutput
        ``groups.<ep>.published`` and ``groups.<ep>.derived`` (:func:`venprs.evaluation.derivation.group_km`:
        n, events, median and CI by group, log-rank test; ``coefficients``; ``derived`` also
        ``not_estimable``, and a ``note`` with every group empty when the multivariate model is not
        estimable); with ``ctx.paper`` also ``comparison.groups``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    c = ctx.cohort
    m = load_model()
    fits = ctx.state.get("cox") or {}
    res: dict[str, Any] = {}
    html, comp = "", []
    groups_state = {}
    html += note("Published: the paper's coefficients (Table 4). Re-derived: this cohort's multivariate "
                 "coefficients rounded to hundredths (as the paper reports them; half away from zero), "
                 "factors that are not estimable get 0; same cut-points (S < 0.25 favorable, "
                 "0.25 <= S <= 0.75 intermediate, S > 0.75 adverse). Patients whose unknown factors leave "
                 "the group undetermined are excluded.")
    for ep in ENDPOINTS:
        pub, _ = dv.published_groups(c, ep)
        res[ep] = {}
        gk = dv.group_km(c, ep, pub)
        res[ep]["published"] = {**gk.results, "coefficients": {t.factor: str(t.coefficient)
                                                              for t in m.endpoints[ep].terms}}
        groups_state[(ep, "published")] = pub
        if ep in fits:
            units = dv.derived_units(fits[ep])
            der, _ = dv.derived_groups(c, units)
            gd = dv.group_km(c, ep, der)
            res[ep]["derived"] = {**gd.results, "coefficients": {f: f"{u / 100:.2f}" for f, u in units.items()},
                                  "not_estimable": [f for f in units if not fits[ep].estimable[f]]}
            groups_state[(ep, "derived")] = der
        else:
            # no multivariate model on this cohort: same layout, no patient in any group
            gd = None
            empty = dv.group_km(c, ep, np.full(c.n, "", dtype=object)).results
            res[ep]["derived"] = {**empty, "coefficients": {}, "not_estimable": list(m.endpoints[ep].factors),
                                  "note": "the multivariate Cox model is not estimable on this cohort"}
            html += note(f"{EP_LABEL[ep]}: no re-derived score (the multivariate Cox model is not estimable).")
        html += f"<h3>{EP_LABEL[ep]}</h3>"
        for kind, gkm in (("published", gk), ("derived", gd)):
            if gkm is None:
                continue
            r = gkm.results
            html += table(["group", "n", "events", "median (months)", "95% CI"], _group_rows(r),
                          caption=f"{kind} VEN-PRS, {EP_LABEL[ep]}: log-rank p {fmt_p(r['logrank_p'])} "
                                  f"(chi2 {fmt(r['logrank_chi2'], 2, '-')}, df {r['logrank_df'] or '-'}); "
                                  f"{r['n_used']} patients, {r['n_excluded']} excluded "
                                  f"({r['n_indeterminate']} indeterminate)")
            if gkm.fits:
                html += ctx.figures.km({gg.capitalize(): k for gg, k in gkm.fits.items()}, f"km_{ep}_{kind}",
                                       f"{EP_LABEL[ep]} by {kind} VEN-PRS group",
                                       title=f"{EP_LABEL[ep]} by {kind} VEN-PRS group",
                                       annotation=f"log-rank p {fmt_p(r['logrank_p'])}",
                                       ci=bool(ctx.options.get("km_ci")))
        if "derived" in res[ep]:
            coefs = res[ep]["derived"]["coefficients"]
            html += table(["factor", "published", "re-derived"],
                          [[f, res[ep]["published"]["coefficients"].get(f, "-"), coefs[f]] for f in coefs],
                          caption=f"Score coefficients, {EP_LABEL[ep]}")
        if ctx.paper:
            pg = ctx.paper["groups"][ep]
            n_groups = sum(int(res[ep]["published"][g]["n"]) for g in GROUPS if g in res[ep]["published"])
            for g in GROUPS:
                if g in pg:
                    ours = res[ep]["published"][g]
                    comp.append(compare_row(f"{ep.upper()} {g} n", pg[g]["n"], ours["n"], 0, pg[g]["source"],
                                            judge="count", n=n_groups))
                    comp.append(compare_row(f"{ep.upper()} {g} median (months)", pg[g]["median"], ours["median"], 1,
                                            pg[g]["source"], judge="median", ci=(pg[g]["ci_low"], pg[g]["ci_high"])))
                    for q in ("ci_low", "ci_high"):
                        comp.append(compare_row(f"{ep.upper()} {g} median 95% CI {q[3:]}", pg[g][q], ours[q], 1,
                                                pg[g]["source"], judge="median"))
            comp.append(compare_row(f"{ep.upper()} log-rank p", pg.get("logrank_p"),
                                    res[ep]["published"]["logrank_p"], 4, "Fig. 2/3", kind="p"))
    ctx.state["groups"] = groups_state
    out = SectionOutput({"groups": res}, html)
    _add_comparison(ctx, out, "groups", comp, "Published VEN-PRS groups: paper vs this run")
    return out


# ------------------------------------------------------------------ subgroups

SUBGROUP_LABEL = {"relapsed": "Relapsed", "refractory": "Refractory", "one_prior_line": "One prior line",
                  "more_than_one_prior_line": "More than one prior line"}


@section("subgroups", "Subgroups: relapsed vs refractory, one vs more than one prior line", order=70)
def build_subgroups(ctx: Context) -> SectionOutput:
    """The subgroup section: published VEN-PRS groups in relapsed vs refractory and one vs more prior lines.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort``; ``ctx.options["quick"]`` omits the figures,
        ``ctx.options["km_ci"]`` shades their CIs).

    Returns
    -------
    SectionOutput
        ``subgroups.<name>`` for the subgroups of :func:`venprs.evaluation.derivation.subgroups`: ``n`` and,
        for ``os`` and ``efs``, the fields of :func:`venprs.evaluation.derivation.group_km` (a ``note`` for
        an empty subgroup). The relapsed/refractory pair is skipped without a ``disease_status`` column, the
        prior-lines pair without ``prior_lines``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622, Supplementary Figs. S7-S10.
       doi:10.1038/s41375-024-02501-6
    """
    c = ctx.cohort
    masks = dv.subgroups(c)
    out = SectionOutput()
    if "relapsed" not in masks:
        out.skipped.append({"analysis": "subgroups.relapsed_refractory", "reason": "no disease_status column"})
    if "one_prior_line" not in masks:
        out.skipped.append({"analysis": "subgroups.prior_lines", "reason": "no prior_lines column"})
    if not masks:
        return out
    res: dict[str, dict[str, Any]] = {}
    html = note("Published VEN-PRS groups within each subgroup (as Supplementary Figs. S7-S10).")
    for name, mask in masks.items():
        res[name] = {"n": int(mask.sum())}
        if mask.sum() == 0:
            res[name]["note"] = "no patients"
            continue
        for ep in ENDPOINTS:
            pub, _ = dv.published_groups(c, ep)
            g = dv.group_km(c, ep, pub, mask)
            res[name][ep] = g.results
            html += table(["group", "n", "events", "median (months)", "95% CI"], _group_rows(g.results),
                          caption=f"{SUBGROUP_LABEL[name]} (n = {int(mask.sum())}), {EP_LABEL[ep]}: "
                                  f"log-rank p {fmt_p(g.results['logrank_p'])}")
            if g.fits and not ctx.options.get("quick"):
                html += ctx.figures.km({gg.capitalize(): k for gg, k in g.fits.items()}, f"km_{ep}_{name}",
                                       f"{EP_LABEL[ep]} by VEN-PRS group, {SUBGROUP_LABEL[name].lower()}",
                                       title=f"{EP_LABEL[ep]}, {SUBGROUP_LABEL[name].lower()}",
                                       annotation=f"log-rank p {fmt_p(g.results['logrank_p'])}",
                                       ci=bool(ctx.options.get("km_ci")))
    out.results, out.html = {"subgroups": res}, html
    return out


# ------------------------------------------------------------------ baseline

@section("baseline", "Baseline survival (Breslow) for the calculator", order=80)
def build_baseline(ctx: Context) -> SectionOutput:
    """The baseline-survival section: Breslow S0(t) of OS and EFS, written as CSV files for the calculator.

    For each endpoint with a multivariate fit (``ctx.state["cox"]``), two baselines on this cohort: with the
    re-derived (unrounded) coefficients (``baseline_survival.csv``) and with the published coefficients held
    fixed (``baseline_survival_published.csv``); columns ``endpoint``, ``time``, ``surv``. S0(t) is the
    survival of a patient with no factor present, so ``S(t | x) = S0(t) ** exp(x beta)``.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort`` and ``ctx.state["cox"]``; writes the files into
        ``ctx.out_dir``).

    Returns
    -------
    SectionOutput
        ``baseline``: the file names, ``columns``, ``time_unit``, ``convention`` and per endpoint ``n``,
        ``n_events``, ``n_times``; HTML: S0 at 6, 12 and 24 months from both files. An endpoint whose
        multivariate model is not estimable is skipped (no files when neither is).

    References
    ----------
    .. [1] R package ``survival`` 3.5-3: ``survfit.coxph`` (``ctype = 1``, Breslow).
    """
    c = ctx.cohort
    fits = ctx.state.get("cox") or {}
    import pandas as pd

    frames_der, frames_pub = [], []
    info = {}
    for ep in ENDPOINTS:
        if ep not in fits:
            continue
        fit = fits[ep]
        coefs = {f: float(fit.used_coef[f]) for f in fit.covariates}
        frames_der.append(dv.baseline_table(c, ep, coefs, ctype=1))
        pub = {t.factor: float(t.coefficient) for t in load_model().endpoints[ep].terms}
        frames_pub.append(dv.baseline_table(c, ep, pub, ctype=1))
        info[ep] = {"n": fit.n, "n_events": fit.n_events, "n_times": len(frames_der[-1])}
    skipped = [{"analysis": f"baseline.{ep}", "reason": "the multivariate Cox model is not estimable"}
               for ep in ENDPOINTS if ep not in fits]
    if not frames_der:
        return SectionOutput(skipped=skipped)
    der = pd.concat(frames_der, ignore_index=True)
    pub = pd.concat(frames_pub, ignore_index=True)
    write_table(der, ctx.out_dir / "baseline_survival.csv")
    write_table(pub, ctx.out_dir / "baseline_survival_published.csv")
    res: dict[str, Any] = {"baseline": {
        "derived_file": "baseline_survival.csv", "published_file": "baseline_survival_published.csv",
        "columns": ["endpoint", "time", "surv"], "time_unit": "months",
        "convention": "Breslow (R survfit(fit, newdata = all factors absent, ctype = 1)); S0(t) for a patient "
                      "with no factor present; right-continuous step function: S(t | x) = S0(t) ** exp(x beta)",
        "derived": "re-derived (unrounded) multivariate coefficients of this cohort",
        "published": "published coefficients (Table 4) held fixed, Breslow estimator on this cohort",
        "endpoints": info}}
    rows = []
    for ep in info:
        d = der[der.endpoint == ep]
        p = pub[pub.endpoint == ep]
        for t in (6, 12, 24):
            i = np.searchsorted(d.time.to_numpy(), t, side="right")
            j = np.searchsorted(p.time.to_numpy(), t, side="right")
            rows.append([ep.upper(), t, fmt(1.0 if i == 0 else d.surv.iloc[i - 1], 3),
                         fmt(1.0 if j == 0 else p.surv.iloc[j - 1], 3)])
    html = (note(res["baseline"]["convention"] + ". Files: baseline_survival.csv (re-derived coefficients), "
                 "baseline_survival_published.csv (published coefficients).")
            + table(["endpoint", "month", "S0 re-derived", "S0 published coefficients"], rows,
                    caption="Baseline survival at selected times"))
    return SectionOutput(res, html, skipped)
