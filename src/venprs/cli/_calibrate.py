"""CLI command ``venprs calibrate``, and the evaluation options shared with ``analyze``/``reproduce``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from ..model import calibration_protocol
from ._common import OPT_SHEET, check_seed, citation, command_line, input_record, progress_bars, user_errors

PAPER_SPLITS, PAPER_TRAIN_FRACTION, _ = calibration_protocol()

# Options shared by analyze / reproduce / calibrate (defined once here).
OPT_OUT = typer.Option(..., "--out", "-o",
                       help="Output folder: report.html, results.json, figures/. Built whole in a hidden sibling "
                            "folder, then renamed; an earlier venprs report there is replaced as a whole, any other "
                            "non-empty folder is refused (docs/outputs.md).")
OPT_SPLITS = typer.Option(PAPER_SPLITS, "--splits", help="Random train/test splits for calibration (paper: 200).")
OPT_SPLIT_SEED = typer.Option(1, "--split-seed", help="Seed of the calibration splits and the bootstrap.")
OPT_TRAIN = typer.Option(PAPER_TRAIN_FRACTION, "--train-fraction", show_default="100/174",
                         help="Fraction of patients in each training part (paper: 100/174 = 0.5747).")
OPT_BOOT = typer.Option(200, "--bootstrap", help="Bootstrap resamples for the AUC and C-index CIs.")
OPT_BACKEND = typer.Option("joblib", "--backend", help="Where resampling runs: joblib (local) or dask.")
OPT_SCHEDULER = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786) with --backend dask.")
OPT_NJOBS = typer.Option(1, "--n-jobs", help="joblib worker processes (-1: all cores).")
OPT_COMPARATORS = typer.Option(None, "--comparators", metavar="FILE",
                               help="User-defined score file (YAML/JSON: factors, weights, cut-points, labels); "
                                    "repeatable. See docs/evaluation.md.")
OPT_VALIDATION = typer.Option(None, "--validation", help="External validation cohort (same columns).")
OPT_RARE = typer.Option("r", "--rare-factors",
                        help="Cox fits with rare or monotone factors: r (as R's coxph with its default control: "
                             "NA without carriers, large estimate kept and flagged 'may be infinite', at most 20 "
                             "iterations) or drop (drop the factor and refit, venprs 0.1). See docs/evaluation.md.")


def evaluation_options(*, splits: int, seed: int, train_fraction: float, bootstrap: int, backend: str,
                       scheduler: Optional[str], n_jobs: int, comparators: Optional[list[Path]] = None,
                       validation=None, rare_factors: str = "r", seed_option: Optional[str] = None) -> dict:
    """Check the evaluation options and return them as report ``options`` (see sections_evaluation)."""
    from ..evaluation.comparators import load_score

    if splits < 1:
        raise InputError(f"--splits must be at least 1, not {splits}")
    if not 0 < train_fraction < 1:
        raise InputError(f"--train-fraction must be between 0 and 1, not {train_fraction}")
    if bootstrap < 0:
        raise InputError(f"--bootstrap must be >= 0, not {bootstrap}")
    check_seed("--seed" if seed_option is None else seed_option, seed)
    if rare_factors not in ("r", "drop"):
        raise InputError(f"--rare-factors {rare_factors!r} is not accepted; use r or drop")
    check_resampling(backend, scheduler, n_jobs)
    scores = [load_score(p) for p in (comparators or [])]
    names = [s.name for s in scores]
    if len(set(names)) != len(names):
        raise InputError("two --comparators files use the same name: " + ", ".join(names))
    return {"splits": splits, "split_seed": seed, "train_fraction": train_fraction, "n_boot": bootstrap,
            "backend": backend, "scheduler": scheduler, "n_jobs": n_jobs, "comparators": scores,
            "validation": validation, "rare_factors": rare_factors}


def check_resampling(backend: str, scheduler: Optional[str], n_jobs: int) -> None:
    """Check ``--backend``, ``--scheduler`` and ``--n-jobs`` (where resampling runs; venprs.resampling)."""
    if n_jobs == 0 or n_jobs < -1:
        raise InputError(f"--n-jobs must be a number of processes >= 1, or -1 for all cores, not {n_jobs}")
    if backend not in ("joblib", "dask"):
        raise InputError(f"--backend {backend!r} is not accepted; use joblib or dask")
    if backend == "dask" and not scheduler:
        raise InputError("--backend dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
    if backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise InputError("--backend dask needs the 'distributed' package: pip install 'venprs[dask]'") from None
        check_scheduler(str(scheduler))


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Refuse a Dask scheduler address that is malformed or does not answer (one line, before any work)."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(address if "://" in address else "tcp://" + address)
    try:
        host, port = u.hostname, u.port
    except ValueError:
        host, port = None, None
    if u.scheme not in ("tcp", "tls") or not host or port is None:
        raise InputError(f"--scheduler {address!r} is not a Dask scheduler address; use tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        raise InputError(f"--scheduler {address}: cannot reach the Dask scheduler "
                         f"({e.strerror or type(e).__name__}); is it running?") from None


def print_notes(cohort, quiet: bool) -> None:
    """Print the cohort's plausibility warnings (``Cohort.warnings``) on stderr."""
    for w in getattr(cohort, "warnings", []):
        print(f"venprs: warning: {w}", file=sys.stderr)


def read_cohort(path: Path, columns: Optional[Path], time_unit: str, *, check_events: bool = True,
                sheet: Optional[str] = None):
    """Read and check a cohort file (as ``venprs analyze`` does; ``sheet``: the Excel sheet)."""
    from .. import io as vio
    from ..evaluation.cohort import prepare_cohort, read_columns_map

    if time_unit not in ("months", "days"):
        raise InputError(f"--time-unit {time_unit!r} is not accepted; use months or days")
    cmap = read_columns_map(columns) if columns else None
    try:
        df = vio.read_table(path, sheet=sheet)
        return prepare_cohort(df, columns=cmap, time_unit=time_unit, source=path.name, check_events=check_events)
    except InputError as e:
        raise (e.with_file(path) if e.file is None else e) from None


@user_errors
def calibrate_cmd(
    ctx: typer.Context,
    cohort: Path = typer.Argument(..., help="Cohort table (.csv, .tsv, .xlsx, .parquet), one row per patient."),
    out: Path = OPT_OUT,
    splits: int = OPT_SPLITS,
    seed: int = typer.Option(1, "--seed", help="Seed of the random splits."),
    train_fraction: float = OPT_TRAIN,
    backend: str = OPT_BACKEND,
    scheduler: Optional[str] = OPT_SCHEDULER,
    n_jobs: int = OPT_NJOBS,
    columns: Optional[Path] = typer.Option(None, "--columns", help="YAML file mapping canonical names to your column names."),
    time_unit: str = typer.Option("months", "--time-unit", help="Unit of the time columns: months or days."),
    rare_factors: str = OPT_RARE,
    save_splits: Optional[Path] = typer.Option(
        None, "--save-splits", help="Also write each split's training rows to this JSON file (format "
                                    "venprs.calibration_splits/1, docs/evaluation.md), for a replay in R "
                                    "(tests/r/calibration_replay.R)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary on stderr."),
    sheet: Optional[str] = OPT_SHEET,
) -> None:
    """Calibration of the VEN-PRS Cox model over random train/test splits (the paper's procedure).

    Each split refits the Cox model on the training part and compares predicted
    with observed (Kaplan-Meier) 10-month OS and EFS per VEN-PRS group in the test
    part. Writes the same report.html / results.json / figures/ as venprs analyze,
    with the calibration section only.
    """
    from .. import io as vio
    from ..reporting.report import run_report

    opts = evaluation_options(splits=splits, seed=seed, train_fraction=train_fraction, bootstrap=0,
                              backend=backend, scheduler=scheduler, n_jobs=n_jobs, rare_factors=rare_factors)
    vio.refuse_same_file(out, [cohort, columns], folder=True)
    opts["only"] = {"input", "calibration"}
    if save_splits is not None:
        vio.refuse_same_file(save_splits, [cohort, columns])
        if not save_splits.parent.exists():
            raise InputError("parent folder of the --save-splits file does not exist", file=save_splits)
        opts["save_splits"] = save_splits
    c = read_cohort(cohort, columns, time_unit, sheet=sheet)
    from ..limits import check_calibrate
    check_calibrate(splits, len(c.data), n_jobs if backend == "joblib" else 1)
    opts["inputs"] = input_record(cohort, columns)
    with progress_bars(quiet) as bars:
        if bars is not None:
            opts["replicate_progress"] = bars.replicates
        res = run_report(c, out, command=command_line(ctx), options=opts, title="VEN-PRS calibration on " + c.source)
    print_notes(c, quiet)
    if "calibration" not in res:
        why = "; ".join(s["reason"] for s in res["skipped"] if s["analysis"].startswith("calibration"))
        raise InputError(f"calibration could not be computed on this cohort: {why or 'see the report'}")
    if not quiet:
        for ep, r in res["calibration"].items():
            parts = ", ".join(f"{g} {r[g]['predicted']:.3f} vs {r[g]['observed']:.3f}" for g in
                              ("favorable", "intermediate", "adverse")
                              if r[g]["predicted"] is not None and r[g]["observed"] is not None)
            print(f"venprs: {ep.upper()} predicted vs observed 10-month survival: {parts}; "
                  f"failed splits {r['failed_splits']}/{r['splits']}", file=sys.stderr)
        print(f"venprs: wrote {out / 'report.html'}, {out / 'results.json'}"
              + (f", {save_splits}" if save_splits is not None else ""), file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to ``app``."""
    import inspect

    app.command("calibrate", help=inspect.cleandoc(calibrate_cmd.__doc__ or "") + "\n\n" + citation())(calibrate_cmd)
