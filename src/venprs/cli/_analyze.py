"""CLI commands ``venprs analyze`` (the paper's analysis on your cohort) and ``venprs reproduce``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from . import _calibrate as _ev  # cohort analysis II options (issue 5)
from ._common import (
    OPT_KM_CI,
    OPT_PDF,
    OPT_SHEET,
    check_pdf,
    check_seed,
    citation,
    command_line,
    input_record,
    progress_bars,
    user_errors,
    wrote_line,
)


def _run(cohort, out: Path, *, paper, command: str, quiet: bool, options: dict | None = None) -> dict:
    from ..reporting.report import run_report

    with progress_bars(quiet) as bars:
        if bars is not None:
            options = dict(options or {}, replicate_progress=bars.replicates)
        results = run_report(cohort, out, paper=paper, command=command, progress=bars.update if bars else None,
                             options=options,
                             title="VEN-PRS: reproduction on the synthetic cohort" if paper else
                             "VEN-PRS: the paper's analysis on " + cohort.source)
    if not quiet:
        med = results["km"]["os"]["median"]
        med_text = "not reached" if med is None else f"{med:.1f} months"
        print(f"venprs: {cohort.n} patients; median OS {med_text}; "
              + wrote_line(out, bool((options or {}).get("pdf"))), file=sys.stderr)
        for s in results["skipped"]:
            print(f"venprs: skipped {s['analysis']}: {s['reason']}", file=sys.stderr)
    return results


@user_errors
def analyze_cmd(
    ctx: typer.Context,
    cohort: Path = typer.Argument(..., help="Cohort table (.csv, .tsv, .xlsx, .parquet), one row per patient."),
    out: Path = _ev.OPT_OUT,
    columns: Optional[Path] = typer.Option(None, "--columns", help="YAML file mapping canonical names to your column names."),
    time_unit: str = typer.Option("months", "--time-unit", help="Unit of the time columns: months or days."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
    # --- cohort analysis II options (issue 5; defined in _calibrate.py) ---
    validation: Optional[Path] = _ev.OPT_VALIDATION,
    comparators: Optional[list[Path]] = _ev.OPT_COMPARATORS,
    splits: int = _ev.OPT_SPLITS,
    split_seed: int = _ev.OPT_SPLIT_SEED,
    train_fraction: float = _ev.OPT_TRAIN,
    bootstrap: int = _ev.OPT_BOOT,
    backend: str = _ev.OPT_BACKEND,
    scheduler: Optional[str] = _ev.OPT_SCHEDULER,
    n_jobs: int = _ev.OPT_NJOBS,
    sheet: Optional[str] = OPT_SHEET,
    rare_factors: str = _ev.OPT_RARE,
    pdf: bool = OPT_PDF,
    km_ci: bool = OPT_KM_CI,
) -> None:
    """Run the paper's derivation analysis on your cohort.

    Needs patient_id, the seven factors, os_months, os_event, efs_months, efs_event
    (see docs/data-dictionary.md); optional columns (age, wbc, platelets,
    best_response, rfs_months/rfs_event, disease_status, prior_lines, ...) enable
    more analyses. Analyses whose columns are absent are skipped with the reason.
    """
    from .. import io as vio
    from ..evaluation.cohort import prepare_cohort, read_columns_map

    check_pdf(pdf)
    if time_unit not in ("months", "days"):
        raise InputError(f"--time-unit {time_unit!r} is not accepted; use months or days")
    opts = _ev.evaluation_options(splits=splits, seed=split_seed, train_fraction=train_fraction, bootstrap=bootstrap,
                                  backend=backend, scheduler=scheduler, n_jobs=n_jobs, comparators=comparators,
                                  rare_factors=rare_factors, seed_option="--split-seed")
    vio.refuse_same_file(out, [cohort, columns, validation, *(comparators or [])], folder=True)
    cmap = read_columns_map(columns) if columns else None
    try:
        df = vio.read_table(cohort, sheet=sheet)
        c = prepare_cohort(df, columns=cmap, time_unit=time_unit, source=cohort.name)
    except InputError as e:
        raise (e.with_file(cohort) if e.file is None else e) from None
    opts["validation"] = _ev.read_cohort(validation, columns, time_unit) if validation else None  # issue 5
    _ev.print_notes(c, quiet)
    _run(c, out, paper=None, command=command_line(ctx), quiet=quiet,
         options={**opts, "pdf": pdf, "km_ci": km_ci, "inputs": input_record(cohort, columns, validation, *(comparators or []))})


@user_errors
def reproduce_cmd(
    ctx: typer.Context,
    out: Path = _ev.OPT_OUT,
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic R/R cohort."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
    # --- cohort analysis II options (issue 5; defined in _calibrate.py) ---
    splits: int = _ev.OPT_SPLITS,
    split_seed: int = _ev.OPT_SPLIT_SEED,
    bootstrap: int = _ev.OPT_BOOT,
    n_jobs: int = _ev.OPT_NJOBS,
    rare_factors: str = _ev.OPT_RARE,
    pdf: bool = OPT_PDF,
) -> None:
    """Reproduce the paper's analysis on the synthetic R/R cohort, with the published value beside each number."""
    from ..evaluation.cohort import prepare_cohort
    from ..reporting.paper import paper_values

    check_pdf(pdf)
    check_seed("--seed", seed)
    _ev.evaluation_options(splits=splits, seed=split_seed, train_fraction=_ev.PAPER_TRAIN_FRACTION,
                           bootstrap=bootstrap, backend="joblib", scheduler=None, n_jobs=n_jobs,
                           rare_factors=rare_factors, seed_option="--split-seed")  # check the options before any work
    df = _synthetic_cohort(seed)
    c = prepare_cohort(df, source=f"synthetic R/R cohort (venprs.simulate, cohort='rr', seed={seed})")
    opts = _ev.evaluation_options(splits=splits, seed=split_seed, train_fraction=_ev.PAPER_TRAIN_FRACTION,
                                  bootstrap=bootstrap, backend="joblib", scheduler=None, n_jobs=n_jobs,
                                  validation=_first_line_cohort(seed), rare_factors=rare_factors,
                                  seed_option="--split-seed")
    opts["validation_is_first_line"] = opts["validation"] is not None
    _run(c, out, paper=paper_values(), command=command_line(ctx),
         quiet=quiet,
         options={**opts, "seed": seed, "pdf": pdf})


def _synthetic_cohort(seed: int):
    from ..simulation import simulate

    return simulate(cohort="rr", seed=seed)


def _first_line_cohort(seed: int):
    """The synthetic first-line cohort for external validation (issue 5), or ``None`` if unavailable."""
    from ..evaluation.cohort import prepare_cohort
    from ..simulation import simulate

    df = simulate(cohort="first-line", seed=seed)
    return prepare_cohort(df, source=f"synthetic first-line cohort (venprs.simulate, cohort='first-line', "
                                     f"seed={seed})")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``reproduce`` to ``app``."""
    app.command("analyze", help=(analyze_cmd.__doc__ or "") + "\n\n" + citation())(analyze_cmd)
    app.command("reproduce", help=(reproduce_cmd.__doc__ or "") + "\n\n" + citation())(reproduce_cmd)
