"""CLI commands ``venprs score`` and ``venprs model``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .. import io as vio
from ..errors import InputError
from ..fields import ACCEPTED_TEXT, FACTOR_FIELDS
from ..model import model_json
from ..render import format_model, format_result
from ..scoring import missing_factor_note, score, score_file, score_table
from ._common import OPT_ERRORS, OPT_SHEET, citation, progress_bars, read_input, reported_problems, user_errors

_F = {f.name: f for f in FACTOR_FIELDS}


def _note_missing(columns: list[str], missing_as_unknown: bool) -> None:
    """With --missing-as-unknown: say which factors had no column (and the columns that look like them)."""
    note = missing_factor_note(columns) if missing_as_unknown else None
    if note:
        print(f"venprs: note: {note}", file=sys.stderr)


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
    sheet: Optional[str] = OPT_SHEET,
    errors: Optional[Path] = OPT_ERRORS,
    mutations: Optional[Path] = typer.Option(
        None, "--mutations", help="With --input: a mutation list (MAF, long table or annotated VCF) that sets "
        "NF1, PTPN11, FLT3, TP53 and SF3B1; see docs/lab-results.md."),
    panel: Optional[str] = typer.Option(
        None, "--panel", help="With --mutations: genes sequenced for every patient, e.g. 'NF1,PTPN11,FLT3,TP53,SF3B1'. "
        "Genes off the panel stay unknown."),
    panel_file: Optional[Path] = typer.Option(None, "--panel-file", help="With --mutations: the panel's genes in a file."),
    min_vaf: Optional[float] = typer.Option(
        None, "--min-vaf", help="With --mutations: variants below this allele fraction (0-1) do not count (default: none)."),
    mutation_audit: Optional[Path] = typer.Option(
        None, "--mutation-audit", help="With --mutations: write every variant of the five genes, counted or not, and why."),
    id_column: Optional[str] = typer.Option(
        None, "--id-column", help="With --mutations: the --input column matching the mutation file's samples."),
    mutation_columns: Optional[str] = typer.Option(
        None, "--mutation-columns", help="With --mutations (long tables): column names, e.g. "
        "'sample=Patient,gene=Symbol,variant_class=Effect,vaf=AF'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="With --input: no progress bar (shown only on a terminal)."),
) -> None:
    """Score one patient (factor options) or a whole table (--input/--output).

    Factor values: present = yes/mut/1/true/...; absent = no/wt/0/false/...; an
    omitted factor is unknown and gives a score range, never "absent".
    """
    values = dict(extramedullary=extramedullary, prior_hma=prior_hma, nf1=nf1, ptpn11=ptpn11, flt3=flt3,
                  tp53=tp53, sf3b1=sf3b1)
    if input is not None:
        given = [_F[k].cli_option for k, v in values.items() if v is not None]
        if as_json:
            raise InputError("--json prints one patient's result; with --input the results go to --output "
                             "(use a .csv or .parquet file)")
        if given:
            raise InputError(f"{', '.join(given)} cannot be combined with --input (the table holds the factors)")
        if output is None:
            raise InputError("--input needs --output FILE (.csv, .tsv, .xlsx or .parquet)")
        vio.file_kind(output)  # check the output extension before any work
        vio.refuse_same_file(output, [input, mutations, panel_file])
        for other, option in ((errors, "--errors"), (mutation_audit, "--mutation-audit")):
            if other is not None:
                vio.check_output_folder(other)  # every output's folder, before the scored file is written
                vio.refuse_same_file(other, [input, mutations, panel_file])
                if Path(os.path.abspath(other)) == Path(os.path.abspath(output)):
                    raise InputError(f"{option} must not be the --output file")
        if errors is not None and mutation_audit is not None and os.path.abspath(errors) == os.path.abspath(
                mutation_audit):
            raise InputError("--errors and --mutation-audit must be different files")
        vio.check_output_folder(output)
        vio.keep_freed_memory()  # batches reuse freed buffers (benchmarks/README.md)
        audit = None
        if mutations is None:
            _no_mutation_options(None, panel, panel_file, min_vaf, mutation_audit, id_column, mutation_columns,
                                 needs="--mutations FILE")
        with progress_bars(quiet) as bars:
            with reported_problems(errors, input):
                if mutations is None and sheet is None:
                    unit = "rows" if vio.input_kind(str(input))[0] == "parquet" else "MB"

                    def advance(done: int, total: int) -> None:
                        if bars is not None:
                            scale = 1 if unit == "rows" else 1_000_000
                            bars.update(f"scoring {input.name} ({unit})", done // scale, max(1, total // scale))
                    try:
                        stream = vio.TableStream(input)
                        n, n_det, how = score_file(input, output, formula_guard=formula_guard,
                                                   missing_columns="unknown" if missing_as_unknown else "error",
                                                   stream=stream, progress=advance)
                    except vio.NotStreamable:
                        pass  # read whole below: other encodings and layouts, and the exact report of a fault
                    else:
                        _note_missing(stream.names, missing_as_unknown)
                        print(f"venprs: scored {n} rows from {how} -> {output} "
                              f"(OS determinate: {n_det}, indeterminate: {n - n_det})", file=sys.stderr)
                        return
                if bars is not None:
                    bars.update(f"reading {input.name}", 0, 3)
                df, how = read_input(input, sheet)
                vio.check_output_rows(len(df), output)
                if mutations is not None:
                    calls = _mutation_calls(df, input, output, mutations, panel, panel_file, min_vaf, mutation_audit,
                                            id_column, mutation_columns)
                    df, audit = calls.table, calls.audit
                if bars is not None:
                    bars.update(f"scoring {len(df):,} rows", 1, 3)
                scored = score_table(df, missing_columns="unknown" if missing_as_unknown else "error")
            if bars is not None:
                bars.update(f"writing {output.name}", 2, 3)
            vio.write_table(scored, output, formula_guard=formula_guard)
        if audit is not None and mutation_audit is not None:
            vio.write_table(audit, mutation_audit)
        _note_missing(list(df.columns), missing_as_unknown)
        n_det = int(scored["os_determinate"].sum())
        print(f"venprs: scored {len(scored)} rows from {how} -> {output} "
              f"(OS determinate: {n_det}, indeterminate: {len(scored) - n_det})", file=sys.stderr)
        return
    if output is not None:
        raise InputError("--output needs --input FILE")
    if sheet is not None or errors is not None:
        raise InputError("--sheet and --errors need --input FILE")
    _no_mutation_options(mutations, panel, panel_file, min_vaf, mutation_audit, id_column, mutation_columns)
    try:
        result = score(**values)
    except InputError as e:
        raise InputError(f"{_F[e.field].cli_option}: {e.message}") from None
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_result(result))


def _no_mutation_options(*values, needs: str = "--input FILE and --output FILE") -> None:
    names = ("--mutations", "--panel", "--panel-file", "--min-vaf", "--mutation-audit", "--id-column",
             "--mutation-columns")
    given = [n for n, v in zip(names, values) if v is not None]
    if given:
        raise InputError(f"{', '.join(given)}: only with {needs}")


def _mutation_calls(df, input, output, mutations, panel, panel_file, min_vaf, mutation_audit, id_column,
                    mutation_columns=None):
    """The clinical table with the five gene columns set from ``--mutations``."""
    from ..mutations import mutation_factors, read_panel

    if mutation_audit is not None:
        vio.file_kind(Path(mutation_audit))
        if Path(mutation_audit).resolve() in {Path(p).resolve() for p in (input, output, mutations)}:
            raise InputError("--mutation-audit must be a new file, not the input, output or mutation file",
                             file=mutation_audit)
    columns = {}
    for part in (mutation_columns or "").split(","):
        if not part.strip():
            continue
        key, sep, col = part.partition("=")
        if not sep or key.strip() not in ("sample", "gene", "variant_class", "variant", "vaf") or not col.strip():
            raise InputError(f"--mutation-columns: {part.strip()!r} is not FIELD=COLUMN with FIELD one of sample, "
                             "gene, variant_class, variant, vaf")
        columns[key.strip()] = col.strip()
    genes = read_panel(panel, panel_file)
    return mutation_factors(df, mutations, panel=genes, min_vaf=min_vaf, id_column=id_column,
                            mutations_name=str(mutations), columns=columns or None)


def model_cmd(as_json: bool = typer.Option(False, "--json", help="Print the model file itself.")) -> None:
    """Print the published model: factors, coefficients, HRs with CI, cut-points and sources."""
    print(model_json() if as_json else format_model())


def register(app: typer.Typer) -> None:
    """Add ``score`` and ``model`` to ``app``."""
    app.command("score", help=(score_cmd.__doc__ or "") + "\n\nAccepted values: " + ACCEPTED_TEXT
                + "\n\n" + citation())(score_cmd)
    app.command("model", help=(model_cmd.__doc__ or "") + "\n\n" + citation())(model_cmd)
