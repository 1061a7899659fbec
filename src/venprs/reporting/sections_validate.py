"""Report sections of ``venprs validate`` (report ``"validate"``), and the first-line validation of ``reproduce``.

The statistics come from :func:`venprs.evaluation.external.external_validation`,
computed once per report (``ctx.state["external"]``). Run options
(``ctx.options``): ``horizon``, ``n_boot``, ``seed``, ``baseline`` (dict by
endpoint or ``None``: the reconstructed baseline).

References
----------
.. [1] Collins GS, Reitsma JB, Altman DG, Moons KGM. TRIPOD. BMJ. 2015;350:g7594.
.. [2] Shahswar R, et al. Leukemia. 2025;39:614-622.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..evaluation.discrimination import PAPER_HORIZON
from ..evaluation.external import external_validation
from ..model import ENDPOINTS, GROUPS
from ..scoring import score_table
from ..survival import kaplan_meier
from .figures import COLORS, KM_CI_NOTE, OKABE_ITO, km_figure
from .html import esc, fmt, fmt_ci, fmt_p, note, table
from .registry import Context, SectionOutput, resampling, section

EP_LABEL = {"os": "Overall survival", "efs": "Event-free survival"}
MEASURE_LABEL = {"oe_ratio": "O/E", "calibration_slope": "calibration slope", "c_harrell": "Harrell's C"}
REPORT = ("validate",)


def _run(ctx: Context, cohort=None, key: str = "external") -> dict[str, Any]:
    """The validation results for this report (computed once, shared by the sections)."""
    if key not in ctx.state:

        o = ctx.options
        n_boot = int(o["n_boot"] if o.get("n_boot") is not None else 500)
        ctx.state[key] = external_validation(
            cohort if cohort is not None else ctx.cohort, horizon=float(o.get("horizon") or PAPER_HORIZON),
            baseline=o.get("baseline"), n_boot=n_boot, seed=int(o["seed"] if o.get("seed") is not None else 1),
            resampling=resampling(ctx, "bootstrap resamples (OS, EFS)", n_boot * len(ENDPOINTS)))
    return ctx.state[key]


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _ci(lo, hi, digits=2) -> str:
    return f"({fmt(lo, digits, '-')}\u2013{fmt(hi, digits, '-')})"


# ------------------------------------------------------------------ plain-language summary

def summary_lines(v: dict[str, Any]) -> list[str]:
    """The plain-language summary: one sentence per endpoint, then the precision statement.

    Parameters
    ----------
    v : dict
        The results of :func:`venprs.evaluation.external.external_validation`: its ``patients``, ``groups``,
        ``discrimination``, ``calibration`` and ``precision`` by endpoint, and ``horizon_months``.

    Returns
    -------
    list of str
        For OS and EFS: patients used, events, patients left without a group, the log-rank p of the published
        groups, Harrell's C and the calibration slope with 95% CIs, the observed vs predicted risk at the
        horizon with O/E (when estimable) and the ICI (when estimable); last, :func:`precision_sentence`.
    """
    h = v["horizon_months"]
    lines = []
    for ep in ENDPOINTS:
        p, g = v["patients"][ep], v["groups"][ep]["published"]
        cal, disc = v["calibration"][ep], v["discrimination"][ep]
        sl, itl = cal["slope"], cal["in_the_large"]
        lr = g.get("logrank_p")
        sep = (f"the published groups separated {ep.upper()} (log-rank p {fmt_p(lr) if fmt_p(lr).startswith('<') else '= ' + fmt_p(lr)})"
               if lr is not None else f"the published groups could not be compared for {ep.upper()}")
        s = (f"In {p['used']} patients with every {ep.upper()} factor known ({p['events']} events; of "
             f"{p['with_outcome']} with an outcome, {p['without_group']} left without a group by unknown factors) "
             f"{sep}; Harrell's C {fmt(disc['c_harrell']['estimate'], 2, '-')} "
             f"{_ci(*disc['c_harrell']['ci'])}; calibration slope {fmt(sl.get('estimate'), 2, '-')} "
             f"{_ci(sl.get('ci_low'), sl.get('ci_high'))} (1 is ideal)")
        if itl.get("oe_ratio") is not None:
            s += (f"; observed {h:g}-month risk {_pct(itl['observed'])} vs predicted {_pct(itl['expected'])} "
                  f"(O/E {fmt(itl['oe_ratio'], 2)} {_ci(itl['oe_ci_low'], itl['oe_ci_high'])})")
        if cal["curve"].get("ici") is not None:
            s += f"; ICI {fmt(cal['curve']['ici'], 3)}"
        lines.append(s + ".")
    lines.append(precision_sentence(v))
    return lines


def precision_sentence(v: dict[str, Any]) -> str:
    """Whether the cohort is large enough for a precise validation (first lines of the report).

    Parameters
    ----------
    v : dict
        Validation results (:func:`venprs.evaluation.external.external_validation`); the sentence uses
        ``precision.<ep>``.

    Returns
    -------
    str
        One sentence: per endpoint the events against the recommended minimum and ideal number, and whether
        every CI width meets its target; when not, each measure that misses its target with its CI width and
        about how many patients would be needed.

    References
    ----------
    .. [1] The precision targets of :func:`precision_html` (Riley et al. 2021 and 2022; Collins et al. 2016),
       cited there in full.
    """
    parts = []
    for ep in ENDPOINTS:
        pr = v["precision"][ep]
        short = [f"{MEASURE_LABEL[name]} CI width {fmt(m['ci_width'], 2)} (target {m['target']:g}; "
                 f"about {m['n_needed']} patients needed)"
                 for name, m in pr["measures"].items() if m["met"] is False]
        ev = f"{pr['events']} events (recommended: at least {pr['events_min']}, ideally {pr['events_ideal']})"
        if pr["adequate"]:
            parts.append(f"{ep.upper()}: large enough for a precise validation - {ev}, every CI within its target")
        else:
            parts.append(f"{ep.upper()}: NOT large enough for a precise validation - {ev}"
                         + ("; " + "; ".join(short) if short else ""))
    return "Sample size (Riley et al. 2021/2022 precision targets): " + ". ".join(parts) + "."


def baseline_warning(v: dict[str, Any]) -> str:
    """A loud box when predicted risks use the reconstructed (unpublished) baseline.

    Parameters
    ----------
    v : dict
        Output of :func:`venprs.evaluation.external.external_validation`; ``baseline.<ep>`` says whether the
        reconstruction was used, and ``horizon_months`` where S0 is read.

    Returns
    -------
    str
        HTML: a warning box naming the endpoints whose predictions use the venprs reconstruction, their S0 at
        the horizon and the measures that depend on it; when every endpoint uses the user's baseline
        (``--baseline``), a note naming its source instead.
    """
    rec = [ep for ep in ENDPOINTS if v["baseline"][ep]["reconstructed"]]
    if not rec:
        return note("Predicted risks use the baseline survival you supplied (--baseline): "
                    + "; ".join(f"{ep.upper()}: {v['baseline'][ep]['source']}" for ep in ENDPOINTS) + ".")
    h = v["horizon_months"]
    s0 = ", ".join(f"{ep.upper()} S0({h:g}) = {v['baseline'][ep]['survival_at_horizon']:.3f}" for ep in rec)
    return ('<div class="warning" style="border:2px solid #b2182b;background:#fdecea;padding:0.5rem 0.8rem;'
            'margin:0.8rem 0"><strong>Reconstructed baseline - NOT published.</strong> The paper publishes the '
            "coefficients but no baseline survival. Predicted risks for " + esc(", ".join(e.upper() for e in rec))
            + f" use the venprs reconstruction ({esc(s0)}; a Weibull fitted to the published group medians, "
            "docs/model-notes.md). Calibration-in-the-large, O/E, the calibration curve, grouped calibration, the "
            "Brier score and IPA, the decision curve and the recalibration comparisons depend on it; risk groups, log-rank, discrimination "
            "and the calibration slope do not. Supply a baseline with <code>--baseline FILE</code>.</div>")


@section("validate_summary", "Summary", order=5, reports=REPORT)
def build_summary(ctx: Context) -> SectionOutput:
    """The "Summary" section of ``venprs validate``: the plain-language summary and the baseline warning.

    The validation (:func:`venprs.evaluation.external.external_validation`) is computed on first use and
    shared with the other validate sections through ``ctx.state["external"]``.

    Parameters
    ----------
    ctx : Context
        The report context (reads ``ctx.cohort`` and the options ``horizon`` (default: the paper's),
        ``n_boot`` (default 500), ``seed`` (default 1), ``baseline`` and the resampling options).

    Returns
    -------
    SectionOutput
        ``horizon_months``, ``groups``, ``discrimination``, ``calibration``, ``brier``, ``decision_curve``,
        ``model_updating``, ``precision``, ``baseline``, ``patients`` (by endpoint) and ``summary`` (the
        lines of :func:`summary_lines`); HTML: the summary, :func:`baseline_warning` and a note on the model.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    .. [2] Collins GS, Reitsma JB, Altman DG, Moons KGM. Transparent reporting of a multivariable prediction
       model for individual prognosis or diagnosis (TRIPOD). BMJ. 2015;350:g7594.
    """
    v = _run(ctx)
    lines = summary_lines(v)
    html = "".join(f"<p>{esc(x)}</p>" for x in lines) + baseline_warning(v)
    html += note("The published VEN-PRS (Table 4 coefficients, published cut-points) applied unchanged; "
                 f"horizon {v['horizon_months']:g} months; score-based measures use the patients with every factor "
                 "of the endpoint known.")
    res = {k: v[k] for k in ("horizon_months", "groups", "discrimination", "calibration", "brier",
                             "decision_curve", "model_updating", "precision", "baseline", "patients")}
    res["summary"] = lines
    return SectionOutput(res, html)


# ------------------------------------------------------------------ groups

def _km_with_medians(ctx: Context, v: dict, ep: str, name: str) -> str:

    d = ctx.state.get("_cohort_for_" + name, ctx.cohort).data

    sc = score_table(d, missing_columns="unknown")
    grp = sc[f"{ep}_group"].astype(object).fillna("").to_numpy(object)
    t, e = d[f"{ep}_months"].to_numpy(float), d[f"{ep}_event"].to_numpy(float)
    ok = np.isfinite(t) & np.isfinite(e)
    curves = {g.capitalize(): kaplan_meier(t[ok & (grp == g)], e[ok & (grp == g)]) for g in GROUPS
              if (ok & (grp == g)).any()}
    if not curves:
        return ""
    g = v["groups"][ep]["published"]
    ci = bool(ctx.options.get("km_ci"))
    fig = km_figure(curves, title=f"{EP_LABEL[ep]} by published VEN-PRS group",
                    annotation=f"log-rank p {fmt_p(g.get('logrank_p'))}", ci=ci)
    ax = fig.axes[0]
    for grp_name in GROUPS:
        med = g[grp_name]["paper"].get("median")
        if med is not None:
            ax.plot([med], [0.5], marker="v", ms=7, color=COLORS[grp_name], ls="none")
    ax.axhline(0.5, color="#bbb", lw=0.6, ls=":")
    ax.text(0.98, 0.47, "\u25bc published medians", transform=ax.transAxes, ha="right", fontsize=7, color="#555")
    alt = f"{EP_LABEL[ep]} by published VEN-PRS group, with the paper's medians (\u25bc)"
    return ctx.figures.save(fig, name, alt + (f"; shaded: {KM_CI_NOTE}" if ci else ""))


def groups_html(ctx: Context, v: dict, prefix: str) -> str:
    """Per endpoint: the group table beside the paper's values and the KM figure.

    Parameters
    ----------
    ctx : Context
        The report context (its cohort, or ``ctx.state["_cohort_for_<figure name>"]`` when set, gives the
        curves; ``ctx.options["km_ci"]`` shades their CIs; the figures are saved into ``ctx.figures``).
    v : dict
        What :func:`venprs.evaluation.external.external_validation` returned; the tables show
        ``groups.<ep>.published``.
    prefix : str
        Prefix of the figure names (``<prefix>km_os``, ``<prefix>km_efs``).

    Returns
    -------
    str
        HTML: for OS and EFS, a table of n, events, median and 95% CI by published group beside the paper's n,
        median and CI (caption: log-rank p here and in the paper, patients without a group), and the
        Kaplan-Meier figure with the published medians marked.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    html = ""
    for ep in ENDPOINTS:
        g = v["groups"][ep]["published"]
        rows = []
        for name in GROUPS:
            r, p = g[name], g[name]["paper"]
            rows.append([name, r["n"], r["n_events"], fmt(r["median"], 1), fmt_ci(r["ci_low"], r["ci_high"]),
                         p.get("n", "-"), fmt(p.get("median"), 1, "-"), fmt_ci(p.get("ci_low"), p.get("ci_high"))])
        html += f"<h3>{EP_LABEL[ep]}</h3>"
        html += table(["group", "n", "events", "median (months)", "95% CI", "paper n", "paper median", "paper 95% CI"],
                      rows, caption=f"{EP_LABEL[ep]}: Kaplan-Meier by published group (log-rank p "
                                    f"{fmt_p(g.get('logrank_p'))}; paper {fmt_p(g.get('paper_logrank_p'))}). "
                                    f"{g['n_indeterminate']} patient(s) without a group (unknown factors), "
                                    f"{g['n_excluded'] - g['n_indeterminate']} without time/event.")
        html += _km_with_medians(ctx, v, ep, f"{prefix}km_{ep}")
    return html


@section("validate_groups", "Risk groups: Kaplan-Meier beside the paper", order=20, reports=REPORT)
def build_groups(ctx: Context) -> SectionOutput:
    """The "Risk groups" section of ``venprs validate``: Kaplan-Meier by published group beside the paper.

    Parameters
    ----------
    ctx : Context
        The report context: ``ctx.cohort`` gives the curves, ``ctx.options["km_ci"]`` shades their CIs
        (the validation itself is shared, see :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only (:func:`groups_html`; the numbers are in ``groups`` of :func:`build_summary`).
    """
    return SectionOutput(html=groups_html(ctx, _run(ctx), "validate_"))


# ------------------------------------------------------------------ discrimination

def discrimination_html(v: dict) -> str:
    """The discrimination table of the published score, per endpoint.

    Parameters
    ----------
    v : dict
        From :func:`venprs.evaluation.external.external_validation`: ``discrimination.<ep>`` (estimates,
        bootstrap CIs and the number of resamples).

    Returns
    -------
    str
        HTML: AUC at the horizon (Heagerty NNE and IPCW), Harrell's and Uno's C, each with its bootstrap
        95% CI, and a note on the methods and their R reference implementations.
    """
    rows = []
    for ep in ENDPOINTS:
        r = v["discrimination"][ep]
        auc = next(x for k, x in r.items() if k.startswith("auc_"))
        h = r["horizon_months"]
        for label, it in ((f"AUC({h:g} m), Heagerty NNE", auc["heagerty"]), (f"AUC({h:g} m), IPCW", auc["ipcw"]),
                          ("Harrell's C", r["c_harrell"]), ("Uno's C", r["c_uno"])):
            rows.append([EP_LABEL[ep], label, fmt(it["estimate"], 3, "-"), fmt_ci(it["ci"][0], it["ci"][1], digits=3)])
    n_boot = v["discrimination"]["os"]["bootstrap"]["n"]
    return (table(["endpoint", "measure", "estimate", "95% CI"], rows, caption="Discrimination of the published score")
            + note(f"Marker: the published VEN-PRS score. 95% CIs: seeded percentile bootstrap ({n_boot} resamples). "
                   "Heagerty NNE = R survivalROC (method \"NNE\", span 0.25 n^-0.2, the survivalROC "
                   "documentation's value); IPCW AUC = riskRegression::Score; Harrell's and Uno's C = "
                   "survival::concordance (docs/evaluation.md)."))


@section("validate_discrimination", "Discrimination", order=30, reports=REPORT)
def build_discrimination(ctx: Context) -> SectionOutput:
    """The "Discrimination" section of ``venprs validate``.

    Parameters
    ----------
    ctx : Context
        The report context; the bootstrap CIs follow ``ctx.options`` ``n_boot`` and ``seed`` (computed once
        for the report, see :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only (:func:`discrimination_html`; the numbers are in ``discrimination`` of :func:`build_summary`).
    """
    return SectionOutput(html=discrimination_html(_run(ctx)))


# ------------------------------------------------------------------ calibration

def calibration_figure(v: dict):
    """Smoothed calibration curve (risk scale) with the grouped points, per endpoint.

    Parameters
    ----------
    v : dict
        Results of :func:`venprs.evaluation.external.external_validation`; drawn from ``calibration.<ep>.curve``
        and ``.grouped`` at ``horizon_months``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (OS, EFS): predicted against observed risk at the horizon, the diagonal, the smoothed curve
        (when estimable, with its ICI) and each published group's mean predicted and observed risk with the
        observed risk's 95% CI.

    References
    ----------
    .. [1] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and the integrated
       calibration index (ICI) for survival models. Stat Med. 2020;39:2714-2742.
    """
    import matplotlib.pyplot as plt

    h = v["horizon_months"]
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.0), squeeze=False)
    for ax, ep in zip(axes[0], ENDPOINTS):
        cal = v["calibration"][ep]
        ax.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--")
        cur = cal["curve"]
        if "curve" in cur:
            x = 1 - np.asarray(cur["curve"]["predicted"], float)
            y = 1 - np.asarray(cur["curve"]["observed"], float)
            o = np.argsort(x)
            ax.plot(x[o], y[o], color=OKABE_ITO["blue"], lw=1.5, label=f"smoothed (ICI {cur['ici']:.3f})")
        for g in GROUPS:
            r = cal["grouped"][g]
            if r["predicted"] is None or r["observed"] is None:
                continue
            lo, hi = r["observed_ci"]
            yerr = None if lo is None or hi is None else [[r["observed"] - lo], [hi - r["observed"]]]
            ax.errorbar([r["predicted"]], [r["observed"]], yerr=yerr, fmt="o", color=COLORS[g], capsize=3,
                        label=g.capitalize())
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"Predicted {h:g}-month risk")
        ax.set_ylabel(f"Observed {h:g}-month risk")
        ax.set_title(EP_LABEL[ep], fontsize=10)
        ax.legend(frameon=False, loc="upper left", fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.13, wspace=0.3)
    return fig


def slope_notes(v: dict) -> list[str]:
    """What the report says beside a calibration slope from a fit that did not converge, or no slope.

    Parameters
    ----------
    v : dict
        Results of :func:`venprs.evaluation.external.external_validation` (``calibration.<ep>.slope``
        ``notes`` or ``note``).

    Returns
    -------
    list of str
        One line per endpoint with a note, e.g. ``"Overall survival calibration slope: the Newton-Raphson fit stopped ..."``.
    """
    out = []
    for ep in ENDPOINTS:
        sl = v["calibration"][ep]["slope"]
        if sl.get("notes") or sl.get("note"):
            out.append(f"{EP_LABEL[ep]} calibration slope: " + "; ".join(sl.get("notes") or [sl["note"]]))
    return out


def calibration_html(ctx: Context, v: dict, prefix: str) -> str:
    """The calibration tables and figure of the published model.

    Parameters
    ----------
    ctx : Context
        The report context (the figure is saved into ``ctx.figures``).
    v : dict
        Results of :func:`venprs.evaluation.external.external_validation`: ``calibration.<ep>`` (``slope``,
        ``in_the_large``, ``curve``, ``grouped``) at ``horizon_months``.
    prefix : str
        Prefix of the figure name (``<prefix>calibration``).

    Returns
    -------
    str
        HTML: per endpoint the calibration slope with 95% CI and p (slope = 1), observed and predicted risk
        at the horizon, O/E with 95% CI, ICI, E50 and E90; a note on the methods; grouped calibration by
        published group; :func:`calibration_figure`.

    References
    ----------
    .. [1] Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for risk models was defined:
       from utopia to empirical data. J Clin Epidemiol. 2016;74:167-176.
    .. [2] Austin PC, Harrell FE Jr, van Klaveren D. Graphical calibration curves and the integrated
       calibration index (ICI) for survival models. Stat Med. 2020;39:2714-2742.
    """
    h = v["horizon_months"]
    rows, grows = [], []
    for ep in ENDPOINTS:
        c = v["calibration"][ep]
        sl, itl, cur = c["slope"], c["in_the_large"], c["curve"]
        rows.append([EP_LABEL[ep], f"{fmt(sl.get('estimate'), 2, '-')} {_ci(sl.get('ci_low'), sl.get('ci_high'))}",
                     fmt_p(sl.get("p_slope_1")), _pct(itl["observed"]), _pct(itl["expected"]),
                     f"{fmt(itl['oe_ratio'], 2, '-')} {_ci(itl['oe_ci_low'], itl['oe_ci_high'])}",
                     fmt(cur.get("ici"), 3, "-"), fmt(cur.get("e50"), 3, "-"), fmt(cur.get("e90"), 3, "-")])
        for g in GROUPS:
            r = c["grouped"][g]
            grows.append([EP_LABEL[ep], g, r["n"], _pct(r["predicted"]), _pct(r["observed"]),
                          f"{_pct(r['observed_ci'][0])}\u2013{_pct(r['observed_ci'][1])}"])
    html = table(["endpoint", "calibration slope (95% CI)", "p (slope = 1)", f"observed {h:g}-m risk",
                  f"predicted {h:g}-m risk", "O/E (95% CI)", "ICI", "E50", "E90"], rows,
                 caption="Calibration of the published model")
    html += note("Calibration slope: coefficient of coxph(Surv ~ published score), Efron ties, Wald CI (1 is ideal; "
                 "does not depend on the baseline). In the large: observed = 1 - Kaplan-Meier at the horizon, "
                 "expected = mean predicted risk 1 - S0(h)^exp(S); O/E CI from the Greenwood SE (E fixed). "
                 "ICI/E50/E90: mean/median/90th percentile of |predicted - smoothed observed| (Cox model on a "
                 "restricted cubic spline of cloglog(predicted), Austin et al. 2020).")
    for line in slope_notes(v):
        html += note(line)
    html += table(["endpoint", "group", "n", "mean predicted risk", "observed risk (1 - KM)", "95% CI"], grows,
                  caption=f"Grouped calibration at {h:g} months by published group")
    html += ctx.figures.save(calibration_figure(v), f"{prefix}calibration",
                             f"Calibration at {h:g} months: smoothed curve and published groups")
    return html


@section("validate_calibration", "Calibration", order=40, reports=REPORT)
def build_calibration(ctx: Context) -> SectionOutput:
    """The "Calibration" section of ``venprs validate``.

    Parameters
    ----------
    ctx : Context
        The report context; predicted risks use ``ctx.options["baseline"]``, or the reconstructed baseline
        when it is ``None`` (the validation is shared, see :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only: :func:`baseline_warning` and :func:`calibration_html` (the numbers are in ``calibration``
        of :func:`build_summary`).
    """
    v = _run(ctx)
    return SectionOutput(html=baseline_warning(v) + calibration_html(ctx, v, "validate_"))


# ------------------------------------------------------------------ Brier score and IPA

def brier_sentence(b: dict, label: str) -> str:
    """One sentence interpreting the Brier score and IPA of one endpoint.

    Parameters
    ----------
    b : dict
        :func:`venprs.evaluation.external.brier_ipa` result (``model``, ``null``, ``horizon_months``, ``note``).
    label : str
        The endpoint's name in the sentence.

    Returns
    -------
    str
        E.g. "Overall survival: IPA 0.065 - the predicted 10-month risks lower the Brier score of giving
        everyone the cohort's Kaplan-Meier risk by 6.5% (0.234 vs 0.250)."; or why it is not estimable.
    """
    m, n, h = b["model"], b["null"], b["horizon_months"]
    if m["brier"] is None or m["ipa"] is None:
        return f"{label}: {b.get('note', 'not estimable')}."
    how = "lower" if m["ipa"] >= 0 else "raise"
    return (f"{label}: IPA {m['ipa']:.3f} - the predicted {h:g}-month risks {how} the Brier score of giving everyone "
            f"the cohort's Kaplan-Meier risk by {abs(m['ipa']) * 100:.1f}% ({m['brier']:.3f} vs {n['brier']:.3f}).")


def brier_html(v: dict) -> str:
    """The Brier score and IPA table of the published model at the horizon, per endpoint.

    Parameters
    ----------
    v : dict
        Results of :func:`venprs.evaluation.external.external_validation`: ``brier.<ep>``
        (:func:`venprs.evaluation.external.brier_ipa`) at ``horizon_months``.

    Returns
    -------
    str
        HTML: Brier score with 95% CI and IPA of the published model and of the null model (Kaplan-Meier),
        one interpreting sentence per endpoint (:func:`brier_sentence`) and a note on the method.

    References
    ----------
    .. [1] Graf E, Schmoor C, Sauerbrei W, Schumacher M. Stat Med. 1999;18:2529-2545.
    .. [2] Kattan MW, Gerds TA. The index of prediction accuracy. Diagn Progn Res. 2018;2:7.
    """
    h = v["horizon_months"]
    rows, lines = [], []
    for ep in ENDPOINTS:
        b = v["brier"][ep]
        for label, r in (("published model", b["model"]), ("null model (Kaplan-Meier)", b["null"])):
            rows.append([EP_LABEL[ep], label, fmt(r["brier"], 3, "-"), fmt_ci(r["ci_low"], r["ci_high"], digits=3),
                         fmt(r["ipa"], 3, "-")])
        lines.append(brier_sentence(b, EP_LABEL[ep]))
    return (table(["endpoint", "model", f"Brier score ({h:g} m)", "95% CI", "IPA"], rows,
                  caption=f"Overall accuracy at {h:g} months: Brier score and IPA")
            + "".join(f"<p>{esc(x)}</p>" for x in lines)
            + note("Brier score: mean squared difference between the event status by the horizon and the predicted "
                   "risk, inverse-probability-of-censoring weighted (reverse Kaplan-Meier; Graf et al. 1999); lower "
                   "is better. IPA = 1 - Brier / Brier of the null model (Kattan & Gerds 2018): 0 no better than "
                   "the Kaplan-Meier risk for everyone, 1 perfect, negative worse. SE and CI from the influence "
                   "function; equal to riskRegression::Score (cens.model = \"km\", null.model = TRUE). Depends on "
                   "the baseline survival."))


@section("validate_brier", "Overall accuracy: Brier score and IPA", order=45, reports=REPORT)
def build_brier(ctx: Context) -> SectionOutput:
    """The "Overall accuracy" section of ``venprs validate``: Brier score and IPA at the horizon.

    Parameters
    ----------
    ctx : Context
        The report context (the validation is shared, see :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only: :func:`brier_html` (the numbers are in ``brier`` of :func:`build_summary`).
    """
    return SectionOutput(html=brier_html(_run(ctx)))


# ------------------------------------------------------------------ decision curve

def decision_figure(v: dict):
    """Decision curves of the published model at the horizon, per endpoint.

    Parameters
    ----------
    v : dict
        :func:`venprs.evaluation.external.external_validation`'s results; the curves are
        ``decision_curve.<ep>.net_benefit`` over its ``thresholds``.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (OS, EFS): net benefit against the threshold risk for the model, treat all and treat none.

    References
    ----------
    .. [1] Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve analysis, a novel method for
       evaluating diagnostic tests, prediction models and molecular markers. BMC Med Inform Decis Mak.
       2008;8:53.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6), squeeze=False)
    for ax, ep in zip(axes[0], ENDPOINTS):
        dc = v["decision_curve"][ep]
        th = np.asarray(dc["thresholds"])
        nb = dc["net_benefit"]
        model = np.asarray(nb["model"], float)
        ax.plot(th, model, color=OKABE_ITO["blue"], lw=1.6, label="VEN-PRS (published)")
        ax.plot(th, nb["treat_all"], color="#777", lw=1.0, label="treat all")
        ax.plot(th, nb["treat_none"], color="#000", lw=0.8, label="treat none")
        top = max(0.02, float(np.nanmax(np.r_[model, nb["treat_all"]])) * 1.1)
        ax.set_ylim(-0.05, top)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"Threshold risk at {dc['horizon_months']:g} months")
        ax.set_ylabel("Net benefit")
        ax.set_title(EP_LABEL[ep], fontsize=10)
        ax.legend(frameon=False, fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15, wspace=0.3)
    return fig


def decision_html(ctx: Context, v: dict, prefix: str) -> str:
    """The decision-curve figure and the net benefit at selected thresholds.

    Parameters
    ----------
    ctx : Context
        Gives ``ctx.figures``, where the decision-curve figure is written and embedded from.
    v : dict
        Validation results (:func:`venprs.evaluation.external.external_validation`); its ``decision_curve``
        per endpoint and ``horizon_months`` are shown.
    prefix : str
        Start of the figure's file name, which ends in ``decision_curve``.

    Returns
    -------
    str
        HTML: :func:`decision_figure`, a table of the patients above the threshold and the net benefit of
        the model and of treat all at the thresholds 20%, 40%, 50%, 60% and 80% (those on the curve's grid),
        and a note on the method.

    References
    ----------
    .. [1] Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve analysis, a novel method for
       evaluating diagnostic tests, prediction models and molecular markers. BMC Med Inform Decis Mak.
       2008;8:53.
    """
    rows = []
    for ep in ENDPOINTS:
        dc = v["decision_curve"][ep]
        th = dc["thresholds"]
        for pt in (0.2, 0.4, 0.5, 0.6, 0.8):
            if pt in th:
                i = th.index(pt)
                rows.append([EP_LABEL[ep], f"{pt:.0%}", _pct(dc["treated"][i]),
                             fmt(dc["net_benefit"]["model"][i], 3, "-"), fmt(dc["net_benefit"]["treat_all"][i], 3, "-")])
    h = v["horizon_months"]
    return (ctx.figures.save(decision_figure(v), f"{prefix}decision_curve", f"Decision curve at {h:g} months")
            + table(["endpoint", "threshold", "patients above it", "net benefit: model", "net benefit: treat all"],
                    rows, caption="Net benefit at selected thresholds (treat none: 0)")
            + note("Net benefit = true positives/N - false positives/N x p/(1-p), with the event risk among the "
                   "patients above the threshold estimated by Kaplan-Meier (Vickers et al. 2008). The model is useful "
                   "where its curve lies above both treat all and treat none."))


@section("validate_decision", "Clinical usefulness: decision curve", order=50, reports=REPORT)
def build_decision(ctx: Context) -> SectionOutput:
    """The "Clinical usefulness" section of ``venprs validate``: the decision curve.

    Parameters
    ----------
    ctx : Context
        The report context; the net benefit uses the predicted risks at ``ctx.options["horizon"]`` (the
        validation is shared, see :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only (:func:`decision_html`; the numbers are in ``decision_curve`` of :func:`build_summary`).
    """
    return SectionOutput(html=decision_html(ctx, _run(ctx), "validate_"))


# ------------------------------------------------------------------ model updating

def updating_html(v: dict) -> str:
    """Model updating per endpoint: the published, recalibrated, slope-updated and refitted models side by side.

    Parameters
    ----------
    v : dict
        The validation (:func:`venprs.evaluation.external.external_validation`); its ``model_updating.<ep>``
        holds the four models and the tests.

    Returns
    -------
    str
        HTML: per endpoint a table of predicted and observed risk, O/E, ICI, Harrell's and Uno's C and the
        Heagerty AUC of each model present, the likelihood-ratio tests between the steps (closed testing),
        and the published against the refitted coefficients; a closing note on the updating steps.

    References
    ----------
    .. [1] Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019 (ch. 20, updating for a new
       setting).
    """
    html = ""
    for ep in ENDPOINTS:
        u = v["model_updating"][ep]
        rows = []
        for key, label in (("published", "published model"), ("recalibrated_baseline", "baseline re-estimated"),
                           ("slope_updated", "slope-updated score"), ("refit", "factors refitted (apparent)")):
            if key not in u:
                continue
            r = u[key]
            rows.append([label, _pct(r.get("expected")), _pct(r.get("observed")), fmt(r.get("oe_ratio"), 2, "-"),
                         fmt(r.get("ici"), 3, "-"), fmt(r.get("c_harrell"), 3, "-"), fmt(r.get("c_uno"), 3, "-"),
                         fmt(r.get("auc_heagerty"), 3, "-")])
        tests = []
        if "slope_updated" in u:
            lr = u["slope_updated"]["lr_vs_recalibrated"]
            tests.append(f"slope vs published weights: LR chi2 {lr['chisq']:.2f}, df 1, p {fmt_p(lr['p'])}")
        if "lr_vs_slope_updated" in u["refit"]:
            lr = u["refit"]["lr_vs_slope_updated"]
            tests.append(f"refitted factors vs slope-updated score: LR chi2 {lr['chisq']:.2f}, df {lr['df']}, "
                         f"p {fmt_p(lr['p'])}")
        coef = u["refit"]["coefficients"]
        pubc = u["refit"].get("published_coefficients") or {}
        crow = [[f, fmt(pubc.get(f), 2, "-"), fmt(c, 2, "not estimable")] for f, c in coef.items()]
        html += f"<h3>{EP_LABEL[ep]}</h3>"
        html += table(["model", "predicted risk", "observed risk", "O/E", "ICI", "Harrell's C", "Uno's C",
                       "AUC (Heagerty)"], rows, caption=f"{EP_LABEL[ep]}: updating the published model")
        if tests:
            html += note("Closed testing: " + "; ".join(tests) + ". A small p says the simpler model does not fit "
                         "this cohort as well.")
        html += table(["factor", "published coefficient", "refitted here"], crow,
                      caption="Do the published weights transfer?")
    return html + note("Updating (Steyerberg 2019, ch. 20): the baseline re-estimated with the published score as "
                       "offset keeps weights and ranking (same discrimination); the slope-updated score multiplies "
                       "the score by the calibration slope; the refit estimates every factor anew on this cohort - "
                       "its performance is apparent (measured on the patients it was fitted to) and optimistic.")


@section("validate_updating", "Model updating", order=60, reports=REPORT)
def build_updating(ctx: Context) -> SectionOutput:
    """The "Model updating" section of ``venprs validate``.

    Parameters
    ----------
    ctx : Context
        The report context; the updated models are fitted on ``ctx.cohort`` (the validation is shared, see
        :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only (:func:`updating_html`; the numbers are in ``model_updating`` of :func:`build_summary`).
    """
    return SectionOutput(html=updating_html(_run(ctx)))


# ------------------------------------------------------------------ precision

def precision_html(v: dict) -> str:
    """The precision table: CI widths against their targets, and the events against the recommended numbers.

    Parameters
    ----------
    v : dict
        Results of :func:`venprs.evaluation.external.external_validation`; one row per measure of
        ``precision.<ep>.measures``, then the events.

    Returns
    -------
    str
        HTML: per endpoint and measure (O/E, calibration slope, Harrell's C) the 95% CI width, its target,
        whether it is met and the patients needed (extrapolated, and for O/E the closed form); the events
        against at least 100 (ideally 200); a note on the targets.

    References
    ----------
    .. [1] Riley RD, Collins GS, Ensor J, et al. Minimum sample size calculations for external validation of a
       clinical prediction model with a time-to-event outcome. Stat Med. 2022;41:1280-1295.
    .. [2] Riley RD, Debray TPA, Collins GS, et al. Minimum sample size for external validation of a clinical
       prediction model with a binary outcome. Stat Med. 2021;40:4230-4251.
    .. [3] Collins GS, Ogundimu EO, Altman DG. Sample size considerations for the external validation of a
       multivariable prognostic model: a resampling study. Stat Med. 2016;35:214-226.
    """
    rows = []
    for ep in ENDPOINTS:
        pr = v["precision"][ep]
        for name, m in pr["measures"].items():
            rows.append([EP_LABEL[ep], MEASURE_LABEL[name], fmt(m["ci_width"], 3, "-"), m["target"],
                         {True: "yes", False: "no", None: "-"}[m["met"]], m["n_needed"] or "-",
                         m.get("n_needed_closed_form", "")])
        rows.append([EP_LABEL[ep], "events", pr["events"], f">= {pr['events_min']} (ideally {pr['events_ideal']})",
                     "yes" if pr["enough_events"] else "no", "", ""])
    return (table(["endpoint", "measure", "95% CI width", "target", "met", "patients needed (extrapolated)",
                   "patients needed (O/E closed form)"], rows, caption="Precision of this validation")
            + note("Targets: Riley et al. (2021, binary; 2022, time-to-event) - O/E and calibration slope CI width "
                   "0.2, C CI width 0.1 (the pmvalsampsize defaults); Collins et al. (2016): at least 100 events, "
                   "ideally 200. 'Patients needed (extrapolated)' scales this cohort by SE ~ 1/sqrt(N); the closed "
                   "form is Riley et al.'s O/E criterion N = (1 - phi)/(phi SE^2) with phi the observed risk at the "
                   "horizon (no censoring before the horizon: a lower bound). Riley et al.'s full time-to-event "
                   "calculation for the slope is simulation-based (pseudo-observations) and is not run here; "
                   "pmvalsampsize for Python (0.2.1) implements binary outcomes only."))


@section("validate_precision", "Sample size and precision", order=70, reports=REPORT)
def build_precision(ctx: Context) -> SectionOutput:
    """The "Sample size and precision" section of ``venprs validate``.

    Parameters
    ----------
    ctx : Context
        The report context; the precision is that of ``ctx.cohort``'s estimates (the validation is shared,
        see :func:`build_summary`).

    Returns
    -------
    SectionOutput
        HTML only (:func:`precision_html`; the numbers are in ``precision`` of :func:`build_summary`).
    """
    return SectionOutput(html=precision_html(_run(ctx)))


# ------------------------------------------------------------------ TRIPOD

#: TRIPOD 2015 items relevant to an external validation (numbering of Collins et al. 2015), and what this run covers.
TRIPOD_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("4a, 4b", "Source of data: study design, dates", "yours", "state the registry, period and follow-up end"),
    ("5a-5c", "Participants: setting, eligibility, treatments", "yours", "HMA + venetoclax, line of therapy"),
    ("6a", "Outcome definition", "partly", "OS and EFS as in the paper (Methods); confirm your definitions match"),
    ("7a", "Predictors: definition", "covered", "the seven factors of Table 4; columns used in 'Cohort'"),
    ("8", "Sample size", "covered", "section 'Sample size and precision'"),
    ("9", "Missing data", "covered", "unknown factors kept as unknown; patients without a group and without a "
                                      "complete score counted; score-based measures on complete cases"),
    ("10c", "How the predictions were calculated", "covered", "published coefficients and cut-points; the baseline "
                                                              "source is stated (reconstructed or --baseline)"),
    ("10d", "Performance measures", "covered", "discrimination, calibration hierarchy, Brier score and IPA, decision curve"),
    ("10e", "Model updating", "covered", "section 'Model updating'"),
    ("11", "Risk groups", "covered", "the published cut-points (S < 0.25, 0.25-0.75, > 0.75)"),
    ("12", "Differences from the development data", "partly", "group sizes and medians beside the paper; "
                                                               "setting and eligibility are yours"),
    ("13a", "Flow of participants", "partly", "patients used and excluded per endpoint; the flow diagram is yours"),
    ("13b", "Participant characteristics", "yours", "venprs analyze gives Table 1"),
    ("13c", "Comparison with the development data", "partly", "published groups and medians beside the paper"),
    ("16", "Performance measures with confidence intervals", "covered", "every measure with its 95% CI"),
    ("17", "Results of model updating", "covered", "section 'Model updating'"),
    ("18-20", "Limitations, interpretation, implications", "yours", ""),
)


@section("validate_tripod", "TRIPOD checklist (validation items)", order=80, reports=REPORT)
def build_tripod(ctx: Context) -> SectionOutput:
    """The TRIPOD section of ``venprs validate``: the validation items of TRIPOD 2015 and what this run covers.

    Parameters
    ----------
    ctx : Context
        The report context (not read: the checklist is :data:`TRIPOD_ITEMS`).

    Returns
    -------
    SectionOutput
        ``tripod``: a list of ``{item, topic, status, how}`` (``status``: ``covered``, ``partly`` or ``yours``);
        HTML: the same as a table and a note on the manuscript's items.

    References
    ----------
    .. [1] Collins GS, Reitsma JB, Altman DG, Moons KGM. Transparent reporting of a multivariable prediction
       model for individual prognosis or diagnosis (TRIPOD). BMJ. 2015;350:g7594.
    """
    rows = [[i, what, status, how] for i, what, status, how in TRIPOD_ITEMS]
    res = {"tripod": [{"item": i, "topic": w, "status": s, "how": h} for i, w, s, h in TRIPOD_ITEMS]}
    return SectionOutput(res, table(["item", "topic", "this report", "how / what is left"], rows,
                                    caption="TRIPOD 2015 items for an external validation (Collins et al. 2015); "
                                            "'yours': to report from your study")
                         + note("Items 1-3 and 21-22 (title, abstract, introduction, supplementary material, funding) "
                                "are the manuscript's."))


# ------------------------------------------------------------------ reproduce: first-line validation

@section("external_validation", "External validation on the synthetic first-line cohort (venprs validate)", order=97)
def build_reproduce_validation(ctx: Context) -> SectionOutput:
    """``venprs reproduce``: the ``venprs validate`` measures on the synthetic first-line cohort.

    Parameters
    ----------
    ctx : Context
        The report context: runs only when ``ctx.options["validation_is_first_line"]`` is set and
        ``ctx.options["validation"]`` holds the first-line cohort; its validation is kept in
        ``ctx.state["external_first_line"]``.

    Returns
    -------
    SectionOutput
        Empty when it does not run; else ``external_validation``: ``source``, ``summary``, ``horizon_months``,
        ``groups``, ``calibration``, ``brier``, ``decision_curve``, ``precision``, ``baseline`` and ``patients``;
        HTML: the summary, :func:`baseline_warning`, :func:`groups_html`, :func:`calibration_html`,
        :func:`brier_html` and :func:`decision_html`.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    other = ctx.options.get("validation")
    if not ctx.options.get("validation_is_first_line") or other is None:
        return SectionOutput()
    key = "external_first_line"
    ctx.state["_cohort_for_reproduce_fl_km_os"] = other
    ctx.state["_cohort_for_reproduce_fl_km_efs"] = other
    v = _run(ctx, other, key)
    html = note(f"{other.source}: the same code as venprs validate.") + "".join(
        f"<p>{esc(x)}</p>" for x in summary_lines(v)) + baseline_warning(v)
    html += groups_html(ctx, v, "reproduce_fl_") + calibration_html(ctx, v, "reproduce_fl_")
    html += brier_html(v) + decision_html(ctx, v, "reproduce_fl_")
    res = {k: v[k] for k in ("horizon_months", "groups", "calibration", "brier", "decision_curve", "precision",
                             "baseline", "patients")}
    res["source"] = other.source
    res["summary"] = summary_lines(v)
    return SectionOutput({"external_validation": res}, html)
