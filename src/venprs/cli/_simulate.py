"""CLI command ``venprs simulate``: synthetic cohorts, and the check against the paper's numbers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import InputError
from . import _calibrate as _ev
from ._common import check_seed, citation, progress_bars, user_errors


def _fmt(kind: str, v) -> str:
    if v is None:
        return "-"
    if kind == "rate_pair":
        return " vs ".join("-" if x != x else f"{100 * x:.0f}%" for x in v)
    if v != v or v == float("inf"):  # NaN / not reached
        return "NR"
    if kind == "proportion":
        return f"{100 * v:.1f}%"
    if kind == "group_n":
        return f"{v:.1f}"
    return f"{v:.3g}" if kind != "total" else f"{v:.0f}"


@user_errors
def simulate_cmd(
    cohort: str = typer.Option("rr", "--cohort", help="rr (relapsed/refractory, N = 240) or first-line (N = 189)."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives a byte-identical file."),
    n: Optional[int] = typer.Option(None, "--n", help="Number of patients (default: the published cohort size)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Output file: .csv, .tsv, .xlsx or .parquet (extension picks the format)."),
    check: bool = typer.Option(False, "--check", help="Compare simulated cohorts with every published target."),
    seeds: int = typer.Option(50, "--seeds", help="With --check: number of simulated cohorts (seeds 0..N-1)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = typer.Option(False, "--json", help="With --check: print the rows as JSON."),
    backend: str = _ev.OPT_BACKEND,
    scheduler: Optional[str] = _ev.OPT_SCHEDULER,
    n_jobs: int = _ev.OPT_NJOBS,
) -> None:
    """Draw a synthetic cohort that matches the paper, or check the simulator against the paper.

    Synthetic patients have IDs starting with SYN-; every file says it is
    synthetic (Parquet/XLSX metadata; a companion <file>.README.txt for CSV).
    """
    import importlib

    sim = importlib.import_module("venprs.simulation")

    if cohort not in sim.COHORTS:
        raise InputError(f"--cohort: unknown cohort {cohort!r}; accepted: {', '.join(sim.COHORTS)}")
    check_seed("--seed", seed)
    if n is not None and n < 1:
        raise InputError(f"--n: must be a positive number of patients, got {n}")
    if n is not None:
        from ..limits import check_simulate
        check_simulate(n)
    if check:
        if output is not None:
            raise InputError("--check cannot be combined with --output")
        if seeds < 1:
            raise InputError(f"--seeds: must be at least 1, got {seeds}")
        _ev.check_resampling(backend, scheduler, n_jobs)
        where = {"backend": backend, "scheduler": scheduler, "n_jobs": n_jobs}
        _run_check(sim, cohort, seeds, seed, n, quiet or as_json, as_json, where)
        return
    if output is None:
        raise InputError("--output FILE is needed (.csv, .tsv, .xlsx or .parquet), or use --check")
    from .. import io as vio
    if vio.file_kind(output) == "excel" and (n or 0) > 1_048_575:
        raise InputError(f"--n {n}: an .xlsx sheet holds at most 1,048,575 patients; use .csv or .parquet")
    df = sim.simulate(cohort, n=n, seed=seed)
    written = sim.write_cohort(df, output, cohort=cohort, seed=seed)
    print(f"venprs: wrote {len(df)} synthetic patients ({cohort}, seed {seed}) -> {', '.join(written)}",
          file=sys.stderr)


def _run_check(sim, cohort: str, seeds: int, default_seed: int, n, quiet: bool, as_json: bool = False,
               where: Optional[dict] = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    with progress_bars(quiet) as bars:
        rows = sim.check(cohort, seeds=seeds, default_seed=default_seed, n=n, **(where or {}),
                         progress=bars.replicates(f"simulating {seeds} cohorts", seeds) if bars else None)
    if as_json:
        import json
        import math

        def clean(v):
            if isinstance(v, float) and not math.isfinite(v):
                return None
            return [clean(x) for x in v] if isinstance(v, list) else v
        print(json.dumps([{k: clean(v) for k, v in r.items()} for r in rows], indent=1))
        return
    tol = sim.TOLERANCES
    table = Table(title=(f"venprs simulate --check: cohort {cohort}, {seeds} seeds (median over seeds for median "
                         f"targets, mean otherwise), default seed {default_seed}"),
                  caption=("Tolerances on the median over seeds (medians) or the mean over seeds (all others): "
                           f"proportions ±{tol['proportion_pp']:g} percentage points "
                           f"(OS group sizes: of 174), medians ±{tol['median_rel']:.0%}, CR/CRi rate pairs "
                           f"±{tol['rate_pair_pp']:g} pp. OFF = outside tolerance. Known conflicts between published "
                           "numbers: docs/simulation.md."))
    for col in ("target", "paper", "simulated (median / mean)", "default seed", "tolerance", "flag", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        mean = (_fmt(r["kind"], r["value"]) + (" (median)" if r["summary"] == "median" else "")
                + (f" (NR in {r['not_reached']})" if r.get("not_reached") else ""))
        table.add_row(r["key"], _fmt(r["kind"], r["paper"]), mean,
                      _fmt(r["kind"], r["default"]), r["tolerance"], "OFF" if r["off"] else "ok", r["source"])
    console.print(table)
    off = sum(r["off"] for r in rows)
    console.print(f"{len(rows)} targets, {off} outside tolerance.")


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to ``app``."""
    app.command("simulate", help=(simulate_cmd.__doc__ or "") + "\n\n" + citation())(simulate_cmd)
