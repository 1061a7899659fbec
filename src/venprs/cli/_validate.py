"""CLI command ``venprs validate``: external validation of the published VEN-PRS on your cohort."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from ..model import calibration_protocol
from ._calibrate import OPT_BACKEND, OPT_NJOBS, OPT_SCHEDULER, check_resampling, print_notes, read_cohort
from ._common import (
    OPT_COHORT,
    OPT_COLUMNS,
    OPT_KM_CI,
    OPT_OUT,
    OPT_PDF,
    OPT_TIME_UNIT,
    check_pdf,
    citation,
    command_line,
    input_record,
    progress_bars,
    user_errors,
    wrote_line,
)

_HORIZON = calibration_protocol()[2]


@user_errors
def validate_cmd(
    ctx: typer.Context,
    cohort: Path = OPT_COHORT,
    out: Path = OPT_OUT,
    columns: Optional[Path] = OPT_COLUMNS,
    time_unit: str = OPT_TIME_UNIT,
    horizon: float = typer.Option(_HORIZON, "--horizon", help="Months for AUC, calibration and the decision curve (paper: 10)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Baseline survival file (CSV/JSON: time, surv[, endpoint]); "
                                            "default: the venprs reconstruction (NOT published)."),
    bootstrap: int = typer.Option(500, "--bootstrap", help="Bootstrap resamples for the C and AUC CIs."),
    seed: int = typer.Option(1, "--seed", help="Seed of the bootstrap."),
    backend: str = OPT_BACKEND,
    scheduler: Optional[str] = OPT_SCHEDULER,
    n_jobs: int = OPT_NJOBS,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary on stderr."),
    pdf: bool = OPT_PDF,
    km_ci: bool = OPT_KM_CI,
) -> None:
    """Validate the published VEN-PRS, unchanged, on your cohort (TRIPOD-style report).

    Risk groups beside the paper's medians, discrimination (Harrell's and Uno's C,
    time-dependent AUC), calibration (slope, in-the-large with O/E, smoothed curve
    with ICI/E50/E90, by group), a decision curve, model updating and whether the
    cohort is large enough. Needs patient_id, the seven factors, os_months,
    os_event, efs_months, efs_event (see docs/data-dictionary.md; docs/validate.md).
    """
    from ..prediction import load_baseline
    from ..reporting.report import run_report

    check_pdf(pdf)
    if time_unit not in ("months", "days"):
        raise InputError(f"--time-unit {time_unit!r} is not accepted; use months or days")
    if not horizon > 0:
        raise InputError(f"--horizon must be a positive number of months, not {horizon:g}")
    if bootstrap < 0:
        raise InputError(f"--bootstrap must be >= 0, not {bootstrap}")
    base = load_baseline(baseline) if baseline else None
    c = read_cohort(cohort, columns, time_unit)
    print_notes(c, quiet)  # e.g. times that look like days (--time-unit days), as analyze and calibrate
    _check_enough(c, horizon)
    check_resampling(backend, scheduler, n_jobs)
    opts = {"report": "validate", "horizon": horizon, "baseline": base, "n_boot": bootstrap, "seed": seed, "pdf": pdf, "km_ci": km_ci,
            "inputs": input_record(cohort, columns, baseline), "backend": backend, "scheduler": scheduler,
            "n_jobs": n_jobs}
    with progress_bars(quiet) as bars:
        if bars is not None:
            opts["replicate_progress"] = bars.replicates
        res = run_report(c, out, command=command_line(ctx), options=opts, progress=bars.update if bars else None,
                         title="VEN-PRS: external validation of the published model on " + cohort.name)
    if not quiet:
        for line in res.get("summary", []):
            print("venprs: " + line, file=sys.stderr)
        if any(res["baseline"][ep]["reconstructed"] for ep in res["baseline"]):
            print("venprs: WARNING: predicted risks use the venprs reconstructed baseline survival, which is NOT "
                  "published; give yours with --baseline FILE", file=sys.stderr)
        print("venprs: " + wrote_line(out, pdf), file=sys.stderr)


#: Fewest patients with a complete score and outcome per endpoint (fewer: exit 2 with the counts).
MIN_PATIENTS = 20


def _check_enough(c, horizon: float) -> None:
    """Refuse a cohort too small or too short for any of the measures, naming the counts."""
    import numpy as np

    from ..scoring import score_table

    sc = score_table(c.data, missing_columns="unknown")
    problems = []
    for ep in ("os", "efs"):
        t, e = c.data[f"{ep}_months"].to_numpy(float), c.data[f"{ep}_event"].to_numpy(float)
        ok = np.isfinite(t) & np.isfinite(e) & np.isfinite(sc[f"{ep}_score"].to_numpy(float))
        ev = int(e[ok].sum())
        if ok.sum() < MIN_PATIENTS or ev < 2:
            problems.append(f"{ep.upper()}: {int(ok.sum())} patient(s) with every factor known and an outcome, "
                            f"{ev} event(s) (at least {MIN_PATIENTS} patients and 2 events are needed)")
        elif not (t[ok] > horizon).any():
            problems.append(f"{ep.upper()}: no patient followed beyond the horizon of {horizon:g} months "
                            "(check --time-unit, or choose a shorter --horizon)")
    if problems:
        raise InputError("cannot validate: " + "; ".join(problems), file=c.source)


def register(app: typer.Typer) -> None:
    """Add ``validate`` to ``app``."""
    import inspect

    app.command("validate", help=inspect.cleandoc(validate_cmd.__doc__ or "") + "\n\n" + citation())(validate_cmd)
