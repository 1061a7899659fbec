"""CLI commands ``venprs score`` and ``venprs model``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .. import io as vio
from ..errors import InputError
from ..fields import ACCEPTED_TEXT, FACTOR_FIELDS
from ..model import model_json
from ..render import format_model, format_result
from ..scoring import score, score_table
from ._common import citation, user_errors

_F = {f.name: f for f in FACTOR_FIELDS}


def _opt(name: str):
    f = _F[name]
    return typer.Option(None, f.cli_option, help=f"{f.label}. {f.help} Omit for unknown.", show_default=False)


@user_errors
def score_cmd(
    extramedullary: Optional[str] = _opt("extramedullary"),
    prior_hma: Optional[str] = _opt("prior_hma"),
    nf1: Optional[str] = _opt("nf1"),
    ptpn11: Optional[str] = _opt("ptpn11"),
    flt3: Optional[str] = _opt("flt3"),
    tp53: Optional[str] = _opt("tp53"),
    sf3b1: Optional[str] = _opt("sf3b1"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Score a table (.csv, .tsv, .xlsx, .parquet)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where to write the scored table (extension picks the format)."),
    missing_as_unknown: bool = typer.Option(
        False, "--missing-as-unknown", help="With --input: a factor with no column is unknown for every row (default: error)."),
    formula_guard: bool = typer.Option(
        True, "--formula-guard/--no-formula-guard",
        help="CSV/TSV output: prefix ' to text cells starting with = + - @ (tab, CR) so a spreadsheet does not run "
             "them as formulas (numbers untouched; default). --no-formula-guard writes them unchanged, for "
             "pipelines. .xlsx text is always written as text cells."),
) -> None:
    """Score one patient (factor options) or a whole table (--input/--output).

    Factor values: present = yes/mut/1/true/...; absent = no/wt/0/false/...; an
    omitted factor is unknown and gives a score range, never "absent".
    """
    values = dict(extramedullary=extramedullary, prior_hma=prior_hma, nf1=nf1, ptpn11=ptpn11, flt3=flt3,
                  tp53=tp53, sf3b1=sf3b1)
    if input is not None:
        given = [_F[k].cli_option for k, v in values.items() if v is not None]
        if given:
            raise InputError(f"{', '.join(given)} cannot be combined with --input (the table holds the factors)")
        if output is None:
            raise InputError("--input needs --output FILE (.csv, .tsv, .xlsx or .parquet)")
        vio._kind(output)  # check the output extension before any work
        vio.refuse_same_file(output, [input])
        try:
            df = vio.read_table(input)
            vio.check_output_rows(len(df), output)
            scored = score_table(df, missing_columns="unknown" if missing_as_unknown else "error")
        except InputError as e:
            raise e.with_file(input) if e.file is None else e from None
        vio.write_table(scored, output, formula_guard=formula_guard)
        n_det = int(scored["os_determinate"].sum())
        print(f"venprs: scored {len(scored)} rows from {input} -> {output} "
              f"(OS determinate: {n_det}, indeterminate: {len(scored) - n_det})", file=sys.stderr)
        return
    if output is not None:
        raise InputError("--output needs --input FILE")
    try:
        result = score(**values)
    except InputError as e:
        raise InputError(f"{_F[e.field].cli_option}: {e.message}") from None
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_result(result))


def model_cmd(as_json: bool = typer.Option(False, "--json", help="Print the model file itself.")) -> None:
    """Print the published model: factors, coefficients, HRs with CI, cut-points and sources."""
    print(model_json() if as_json else format_model())


def register(app: typer.Typer) -> None:
    """Add ``score`` and ``model`` to ``app``."""
    app.command("score", help=(score_cmd.__doc__ or "") + "\n\nAccepted values: " + ACCEPTED_TEXT
                + "\n\n" + citation())(score_cmd)
    app.command("model", help=(model_cmd.__doc__ or "") + "\n\n" + citation())(model_cmd)
