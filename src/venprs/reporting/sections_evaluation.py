"""Report sections for cohort analysis II: comparators, AIC, discrimination, calibration, validation.

Registered through :mod:`venprs.reporting.registry` (``SECTION_MODULES``). Run
options come from ``ctx.options`` (set by ``venprs analyze`` / ``reproduce`` /
``calibrate``): ``splits``, ``split_seed``, ``train_fraction``, ``n_boot``, ``n_jobs``,
``backend``, ``scheduler``, ``comparators`` (list of
:class:`~venprs.evaluation.comparators.CustomScore`), ``validation`` (a
:class:`~venprs.evaluation.cohort.Cohort`) and ``only`` (a set of section keys to
run; used by ``venprs calibrate``).

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods; Results, "Comparison of
   VEN-PRS to other AML risk models"; Supplementary Figs. S11-S16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..evaluation import (
    calibration_endpoints,
    discrimination_sample,
    evaluate_calibration,
    evaluate_comparators,
    evaluate_discrimination,
)
from ..evaluation.calibration import split_indices
from ..evaluation.cohort import DAYS_PER_MONTH
from ..evaluation.comparators import find_column
from ..evaluation.comparators.breems import RFI_COLUMNS
from ..evaluation.discrimination import auc_key
from ..evaluation.validation import validate
from ..io import atomic_write
from ..model import ENDPOINTS, GROUPS, calibration_protocol, load_model
from ..scoring import score_table
from .figures import COLORS, roc_figure
from .html import fmt, fmt_ci, fmt_p, note, table
from .paper import compare_row
from .rare_factors import flagged_entries, flagged_html, policy_note
from .registry import Context, SectionOutput, resampling, section
from .sections_derivation import comparison_html

if TYPE_CHECKING:
    from matplotlib.figure import Figure

EP_LABEL = {"os": "Overall survival", "efs": "Event-free survival"}
_SPLITS, _TRAIN, _HORIZON = calibration_protocol()
DEFAULTS = {"splits": _SPLITS, "split_seed": 1, "train_fraction": _TRAIN, "n_boot": 200, "n_jobs": 1,
            "backend": "joblib", "scheduler": None, "horizon": _HORIZON, "rare_factors": "r"}


def _opt(ctx: Context, key: str):
    v = ctx.options.get(key)
    return DEFAULTS.get(key) if v is None else v


def _wanted(ctx: Context, key: str) -> bool:
    only = ctx.options.get("only")
    return only is None or key in only


def _frame(ctx: Context) -> pd.DataFrame:
    """Canonical cohort columns plus the other input columns (comparator inputs), same rows."""
    c = ctx.cohort
    df = c.data.copy()
    raw = getattr(c, "raw", None)
    if raw is not None:
        used = set(c.columns.values())
        for col in raw.columns:
            if col not in used and col not in df.columns:
                df[col] = raw[col].to_numpy()
        if getattr(c, "time_unit", "months") == "days":

            rc = find_column(df, RFI_COLUMNS)
            if rc is not None:
                df[rc] = pd.to_numeric(df[rc], errors="coerce") / DAYS_PER_MONTH
    return df


def _ci3(pair) -> str:
    """A ``[low, high]`` pair with 3 digits."""
    lo, hi = pair
    return fmt_ci(lo, hi, digits=3)


def _perf() -> dict:
    return load_model().raw.get("performance", {})


# ------------------------------------------------------------------ comparators + AIC

@section("comparators", "Other risk classifications and AIC against the null model", order=90)
def build_comparators(ctx: Context) -> SectionOutput:
    """AIC against the null model and Kaplan-Meier medians of VEN-PRS and the other classifications.

    The numbers come from :func:`venprs.evaluation.evaluate_comparators`; this section formats them
    and puts the published values beside them (``venprs reproduce``).

    Parameters
    ----------
    ctx : Context
        The report context (cohort, options ``comparators`` and ``rare_factors``, paper values).

    Returns
    -------
    SectionOutput
        ``aic``, ``comparators``, ``rare_factors`` (and ``comparison`` with paper values) and the HTML.
    """
    if not _wanted(ctx, "comparators"):
        return SectionOutput()

    df = _frame(ctx)
    sc = score_table(df, missing_columns="unknown")
    custom = list(ctx.options.get("comparators") or [])
    rare = str(_opt(ctx, "rare_factors"))
    flagged: list[dict] = []
    res_aic: dict[str, Any] = {}
    res_cmp: dict[str, Any] = {}
    html = note("AIC difference = AIC of a Cox model with the classification as a categorical factor minus AIC "
                "of the null model, on the patients the classification can place (Efron ties; -2 log-likelihood "
                "+ 2 x number of coefficients). Negative = prognostic information. VEN-PRS: published "
                "coefficients; VEN-PRS re-derived: this cohort's coefficients (rounded to hundredths), same "
                "cut-points.")
    comp = []
    perf = _perf().get("aic_delta_vs_null", {})
    for ep in ENDPOINTS:
        r = evaluate_comparators(df, ep, custom, rare, scored=sc)
        flagged += flagged_entries(r["flags"], analysis="re-derived score (comparators)", endpoint=ep)
        rows: list[list[Any]] = []
        km_rows: list[list[Any]] = []
        for name, summary in r["comparators"].items():
            label, a = summary["label"], r["aic"][name]
            if "skipped" in summary:
                rows.append([label, "-", "-", "-", "skipped: " + summary["skipped"]])
                continue
            for lv, grp in summary["groups"].items():
                km_rows.append([label, lv, grp["n"], fmt(grp["median"], 1), fmt_ci(*grp["ci"])])
            notes = "; ".join(list(summary.get("notes", [])) + a["notes"])
            rows.append([label, a["n"], fmt(a["delta"], 2, "-"), fmt_p(summary.get("logrank_p")), notes])
            if ctx.paper is not None and name in perf and perf[name].get(ep) is not None:
                comp.append(compare_row(f"{ep.upper()} AIC difference, {label}", perf[name][ep], a["delta"], 2,
                                        perf[name].get("source", ""), judge="aic"))
        res_aic[ep], res_cmp[ep] = r["aic"], r["comparators"]
        html += f"<h3>{EP_LABEL[ep]}</h3>"
        html += table(["classification", "n", "AIC difference vs null", "log-rank p", "notes"], rows,
                      caption=f"{EP_LABEL[ep]}: AIC difference against the null model")
        html += table(["classification", "group", "n", "median (months)", "95% CI"], km_rows,
                      caption=f"{EP_LABEL[ep]}: Kaplan-Meier median by group")
    if ctx.paper is not None:
        for name, meds in _perf().get("comparator_group_median_os", {}).items():
            for lv in GROUPS:
                ours = res_cmp["os"].get(name, {}).get("groups", {}).get(lv, {}).get("median")
                if meds.get(lv) is not None:
                    comp.append(compare_row(f"OS median, {name} {lv} (months)", meds[lv], ours, 1,
                                            meds.get("source", ""), judge="median"))
    out = SectionOutput({"aic": res_aic, "comparators": res_cmp,
                         "rare_factors": {"policy": rare, "flagged": flagged}}, html)
    if comp:
        out.results["comparison"] = {"aic": comp}
        out.html += comparison_html(comp, "AIC differences and comparator medians: paper vs this run")
    return out


# ------------------------------------------------------------------ discrimination

@section("discrimination", "Discrimination: time-dependent AUC, Harrell's and Uno's C", order=92)
def build_discrimination(ctx: Context) -> SectionOutput:
    """Time-dependent AUC (Heagerty NNE, IPCW), Harrell's and Uno's C of the published score, ROC figure.

    The numbers come from :func:`venprs.evaluation.evaluate_discrimination` (bootstrap run where the
    options ``backend``, ``n_jobs``, ``scheduler`` say); an endpoint with too few patients is skipped
    (:func:`venprs.evaluation.too_few`).

    Parameters
    ----------
    ctx : Context
        The report context (cohort, options ``horizon``, ``n_boot``, ``split_seed``, paper values).

    Returns
    -------
    SectionOutput
        ``discrimination`` (and ``comparison``), the HTML with the ROC figure, skipped endpoints.
    """
    if not _wanted(ctx, "discrimination"):
        return SectionOutput()

    df = _frame(ctx)
    sc = score_table(df, missing_columns="unknown")
    horizon = float(_opt(ctx, "horizon"))
    n_boot = int(_opt(ctx, "n_boot"))
    res: dict[str, Any] = {}
    rows: list[list[Any]] = []
    comp: list[dict] = []
    skipped: list[dict] = []
    panels: dict[str, Any] = {}
    for ep in ENDPOINTS:
        sample = discrimination_sample(df, ep, horizon, scored=sc)
        if sample.skipped:
            skipped.append({"analysis": f"discrimination.{ep}", "reason": sample.skipped})
            continue
        r, d = evaluate_discrimination(sample, horizon, n_boot=n_boot, seed=int(_opt(ctx, "split_seed")),
                                       **resampling(ctx, f"bootstrap {EP_LABEL[ep]}", n_boot))
        key = auc_key(horizon)
        panels[EP_LABEL[ep]] = {
            f"Heagerty NNE (AUC {fmt(r[key]['heagerty']['estimate'], 3, '-')})": d.curves["heagerty"],
            f"IPCW (AUC {fmt(r[key]['ipcw']['estimate'], 3, '-')})": d.curves["ipcw"]}
        res[ep] = r
        auc = r[key]
        for label, item in ((f"AUC({horizon:g} m), Heagerty NNE", auc["heagerty"]),
                            (f"AUC({horizon:g} m), IPCW", auc["ipcw"]),
                            ("Harrell's C", r["c_harrell"]), ("Uno's C", r["c_uno"])):
            rows.append([EP_LABEL[ep], label, fmt(item["estimate"], 3, "-"), _ci3(item["ci"])])
        if ctx.paper is not None:
            p = _perf().get("auc_10m", {})
            if p.get(ep) is not None and horizon == _HORIZON:  # the paper's AUC is at its own horizon only
                comp.append(compare_row(f"{ep.upper()} AUC at {horizon:g} months", p[ep], auc["heagerty"]["estimate"], 2,
                                        p.get("source", ""), judge="auc", n=sample.n))
    html = note("Marker: the published VEN-PRS score (patients with every factor known). Each measure equals an R "
                "reference implementation (tests/r/discrimination_reference.R): Heagerty, Lumley & Pepe (2000) "
                "nearest-neighbour AUC = survivalROC 1.0.3.1 (method \"NNE\", span 0.25 n^-0.2, the survivalROC "
                "documentation's value); IPCW cumulative/dynamic AUC = riskRegression::Score (censoring weights "
                "1/G(T-)); Harrell's and Uno's C = survival::concordance (timewt \"n\" and \"n/G2\"). 95% CIs: "
                f"seeded percentile bootstrap ({n_boot} resamples).")
    html += note("Changed in this version: the Heagerty AUC now uses survivalROC's neighbourhood (symmetric in "
                 "marker distance, k = n x span neighbours above). Earlier venprs versions used a neighbourhood "
                 "of the marker's ranks, whose AUCs differed from survivalROC's by 0.02-0.07 (higher on the "
                 "synthetic R/R cohort of venprs reproduce; docs/evaluation.md gives the numbers), so this "
                 "report's Heagerty AUC differs from an earlier run's on the same cohort. The published AUCs "
                 "are the paper's, unchanged.")
    if not res:
        return SectionOutput(skipped=skipped)
    html += table(["endpoint", "measure", "estimate", "95% CI"], rows, caption="Discrimination")
    html += ctx.figures.save(roc_figure(panels, title=f"Time-dependent ROC curves at {horizon:g} months "
                                                      "(published VEN-PRS score)"), "roc_time_dependent",
                             f"Time-dependent ROC curves at {horizon:g} months, Heagerty NNE and IPCW, "
                             "overall and event-free survival")
    out = SectionOutput({"discrimination": res}, html, skipped)
    if comp:

        out.results["comparison"] = {"discrimination": comp}
        out.html += comparison_html(comp, "AUC: paper vs this run (paper: reference 24, Heagerty)")
    return out


# ------------------------------------------------------------------ calibration

def calibration_figure(cal: dict[str, Any], title: str) -> Figure:
    """Predicted vs observed survival at the horizon per group, with split-to-split 95% ranges.

    Parameters
    ----------
    cal : dict
        ``calibration`` results per endpoint (:func:`venprs.evaluation.evaluate_calibration`).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per endpoint.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(cal), figsize=(4.2 * len(cal), 4.0), squeeze=False)
    for ax, (ep, r) in zip(axes[0], cal.items()):
        ax.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--")
        for g in GROUPS:
            x, y = r[g]["predicted"], r[g]["observed"]
            if x is None or y is None:
                continue
            xe = np.array([[x - r[g]["predicted_ci"][0]], [r[g]["predicted_ci"][1] - x]])
            ye = np.array([[y - r[g]["observed_ci"][0]], [r[g]["observed_ci"][1] - y]])
            ax.errorbar([x], [y], xerr=xe, yerr=ye, fmt="o", color=COLORS[g], capsize=3, label=g.capitalize())
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"Predicted {r['horizon_months']:g}-month survival")
        ax.set_ylabel(f"Observed (Kaplan-Meier) {r['horizon_months']:g}-month survival")
        ax.set_title(f"{EP_LABEL[ep]} ({r['splits_used']} splits)")
        ax.legend(frameon=False, loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@section("calibration", "Calibration over random splits, and landmark calibration", order=94)
def build_calibration(ctx: Context) -> SectionOutput:
    """Calibration over random train/test splits and apparent landmark calibration, with the figure.

    The numbers come from :func:`venprs.evaluation.evaluate_calibration` (splits run where the options
    ``backend``, ``n_jobs``, ``scheduler`` say); endpoints with too few patients are skipped
    (:func:`venprs.evaluation.calibration_endpoints`). Option ``save_splits`` writes the split indices.

    Parameters
    ----------
    ctx : Context
        The report context (cohort, options ``splits``, ``split_seed``, ``train_fraction``, ``horizon``,
        ``rare_factors``).

    Returns
    -------
    SectionOutput
        ``calibration``, ``landmark_calibration``, ``rare_factors``, the HTML with the figure, skipped endpoints.
    """
    if not _wanted(ctx, "calibration"):
        return SectionOutput()

    df = _frame(ctx)
    horizon = float(_opt(ctx, "horizon"))
    eps, skipped = calibration_endpoints(df, horizon)
    if not eps:
        return SectionOutput(skipped=skipped)
    rare = str(_opt(ctx, "rare_factors"))
    split_args: dict[str, Any] = dict(splits=int(_opt(ctx, "splits")), seed=int(_opt(ctx, "split_seed")),
                                      train_fraction=float(_opt(ctx, "train_fraction")), horizon=horizon)
    ev = evaluate_calibration(df, eps, **split_args, rare_factors=rare,
                              **resampling(ctx, "calibration splits", int(split_args["splits"]) * len(eps)))
    cal, lm_res = ev["calibration"], ev["landmark_calibration"]
    if ctx.options.get("save_splits"):
        _save_splits(ctx.options["save_splits"], split_indices(df, endpoints=tuple(eps), **split_args))
    rows = []
    flagged: list[dict] = []
    html = note("Each split: the Cox model with the VEN-PRS factors is refitted on the training part (Efron ties); "
                "the test patients' predicted survival S0(t)^exp(lp) (Efron-adjusted baseline) is averaged per "
                "published VEN-PRS group and compared with the group's Kaplan-Meier estimate in the test part. "
                "Ranges: 2.5-97.5 percentiles over the splits. A split whose fit is flagged (a factor without "
                "carriers or with a monotone likelihood in the training part, or a fit that did not converge) "
                "is kept and counted as failed; every flagged split is listed below and in results.json.")
    html += policy_note(rare)
    if ctx.paper is not None and rare == "r":
        html += note("Changed in this version (issue 9): a split whose training fit is flagged (listed below) "
                     "now gets R's coxph fit instead of venprs 0.1's drop-and-refit, so the predicted values of "
                     "those splits, and the means over the splits, differ from earlier venprs output (on the "
                     "default synthetic cohort by at most 0.002); splits without a flag are unchanged, and so "
                     "are the observed values. --rare-factors drop gives the former numbers. The published "
                     "values are the paper's and are not adjusted.")
    for ep, r in cal.items():
        for g in GROUPS:
            x = r[g]
            rows.append([EP_LABEL[ep], g, fmt(x["predicted"], 3, "-"), _ci3(x["predicted_ci"]),
                         fmt(x["observed"], 3, "-"), _ci3(x["observed_ci"]),
                         fmt(x["observed_full"], 3, "-"), _ci3(x["observed_full_ci"])])
        det = r["failed_splits_detail"]
        counts = "; ".join(f"{flag}: " + ", ".join(f"{k} {v}" for k, v in by.items())
                           for flag, by in det["flag_counts"].items())
        html_f = (f"{EP_LABEL[ep]}: {r['n']} complete patients ({r['n_excluded_incomplete']} excluded for an "
                  f"unknown factor or outcome), {r['n_train']} train / {r['n_test']} test, seed {r['seed']}; "
                  f"failed splits {r['failed_splits']} of {r['splits']} (flagged fits: {det['flagged']}"
                  + (f" - {counts}" if counts else "")
                  + f"; no events in training: {det['excluded_no_events']}).")
        html += note(html_f)
        for f in r["flagged"]:
            flagged += flagged_entries([f], analysis="calibration", endpoint=ep, split=f["split"])
        flagged += flagged_entries(lm_res[ep]["flags"], analysis="landmark calibration (whole cohort)",
                                   endpoint=ep)
    html += table(["endpoint", "group", "predicted", "range", "observed (KM)", "range", "whole cohort KM",
                   "95% CI"], rows, caption=f"Predicted vs observed {horizon:g}-month survival")
    html += ctx.figures.save(calibration_figure(cal, "Calibration over random splits"), "calibration",
                             "Predicted vs observed 10-month survival per VEN-PRS group")
    html += table(["endpoint", "ICI", "E50", "E90", "n"],
                  [[EP_LABEL[ep], fmt(v["ici"], 3), fmt(v["e50"], 3), fmt(v["e90"], 3), v["n"]]
                   for ep, v in lm_res.items()],
                  caption=f"Landmark calibration at {horizon:g} months (Austin, Harrell & van Klaveren 2020): "
                          "apparent, model refitted on the whole cohort")
    html += flagged_html(flagged, "Flagged Cox fits (calibration)")
    return SectionOutput({"calibration": cal, "landmark_calibration": lm_res,
                          "rare_factors": {"policy": rare, "flagged": flagged}}, html, skipped)


def _save_splits(path, splits: dict) -> None:
    """Write the ``--save-splits`` file whole (or not at all)."""
    import json
    from pathlib import Path


    with atomic_write(Path(path)) as tmp:
        tmp.write_text(json.dumps(splits) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ external validation

@section("validation", "External validation of the published VEN-PRS", order=96)
def build_validation(ctx: Context) -> SectionOutput:
    """External validation of the published score in the ``validation`` cohort.

    The numbers come from :func:`venprs.evaluation.validation.validate`; without a validation cohort
    the section only says how to give one.

    Parameters
    ----------
    ctx : Context
        The report context (options ``validation``, ``horizon``, ``n_boot``, ``split_seed``,
        ``validation_is_first_line``; paper values).

    Returns
    -------
    SectionOutput
        ``validation`` (and ``comparison``) and the HTML.
    """
    if not _wanted(ctx, "validation"):
        return SectionOutput()
    other = ctx.options.get("validation")
    if other is None:
        return SectionOutput(html=note("No validation cohort given (venprs analyze COHORT --validation OTHER)."))

    vdf = other.data if hasattr(other, "data") else other
    name = getattr(other, "source", "validation cohort")
    horizon = float(_opt(ctx, "horizon"))
    key = auc_key(horizon)
    v = validate(vdf, _frame(ctx), horizon=horizon, n_boot=int(_opt(ctx, "n_boot")),
                 seed=int(_opt(ctx, "split_seed")))
    v["source"] = name
    html = note(f"Validation cohort: {name}, {v['n']} patients. Published coefficients and cut-points; "
                + v["os"]["calibration"]["baseline_source"] + " for predicted survival.")
    comp = []
    perf = _perf().get("aic_delta_vs_null", {}).get("venprs_first_line", {})
    for ep in ENDPOINTS:
        r = v[ep]
        rows = [[g, r["groups"][g].get("n", 0), fmt(r["groups"][g].get("median"), 1),
                 fmt_ci(*(r["groups"][g].get("ci") or [None, None]))] for g in GROUPS]
        d = r["discrimination"]
        if "skipped" in d:
            d = {key: {"heagerty": {"estimate": None}, "ipcw": {"estimate": None}},
                 "c_harrell": {"estimate": None}}
        html += f"<h3>{EP_LABEL[ep]}</h3>"
        html += table(["group", "n", "median (months)", "95% CI"], rows,
                      caption=f"{EP_LABEL[ep]} by published VEN-PRS group: log-rank p "
                              f"{fmt_p((r.get('logrank') or {}).get('p'))}; AIC difference vs null "
                              f"{fmt(r['aic']['delta'], 2, '-')}; AUC({horizon:g} m) Heagerty "
                              f"{fmt(d[key]['heagerty']['estimate'], 3, '-')}, IPCW "
                              f"{fmt(d[key]['ipcw']['estimate'], 3, '-')}; Harrell's C "
                              f"{fmt(d['c_harrell']['estimate'], 3, '-')}")
        cal = r["calibration"]
        if "landmark" in cal:
            html += table(["group", "predicted 10-month survival", "observed (KM)"],
                          [[g, fmt(cal[g]["predicted"], 3, "-"), fmt(cal[g]["observed"], 3, "-")] for g in GROUPS],
                          caption=f"Calibration of the published model: ICI {fmt(cal['landmark']['ici'], 3)}, "
                                  f"E50 {fmt(cal['landmark']['e50'], 3)}")
        if ctx.paper is not None and perf.get(ep) is not None and ctx.options.get("validation_is_first_line"):
            comp.append(compare_row(f"{ep.upper()} AIC difference, first-line validation", perf[ep],
                                    r["aic"]["delta"], 2, perf.get("source", ""), judge="aic"))
    out = SectionOutput({"validation": v}, html)
    if comp:

        out.results["comparison"] = {"validation": comp}
        out.html += comparison_html(comp, "External validation: paper vs this run")
    return out
