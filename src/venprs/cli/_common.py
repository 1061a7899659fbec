"""Shared CLI plumbing: user errors with exit code 2, the citation, reading tables, output helpers."""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
from pathlib import Path
from typing import Callable, Iterator, Optional, TypeVar

import typer

from ..errors import InputError, InputErrors, Problem
from ..io import os_reason
from ..model import load_model

F = TypeVar("F", bound=Callable)

EXIT_USER_ERROR = 2

# Options of the commands that read a cohort (defined once; venprs validate uses them).
OPT_COHORT = typer.Argument(..., help="Cohort table (.csv, .tsv, .xlsx, .parquet), one row per patient.")
OPT_OUT = typer.Option(..., "--out", "-o", help="Output folder (created): report.html, results.json, figures/.")
OPT_COLUMNS = typer.Option(None, "--columns", help="YAML file mapping canonical names to your column names.")
OPT_TIME_UNIT = typer.Option("months", "--time-unit", help="Unit of the time columns: months or days.")
OPT_PDF = typer.Option(False, "--pdf", help="Also write report.pdf (A4), printed by headless Chromium (Playwright); "
                                           "exit 2 if either is missing.")

OPT_KM_CI = typer.Option(False, "--km-ci", help="Shade the pointwise 95% CI (R survfit conf.type \"log\") of every "
                                               "group's Kaplan-Meier curve.")


def check_pdf(pdf: bool) -> None:
    """With ``--pdf``, refuse at once (before any work) if Chromium or Playwright is missing."""
    if pdf:
        from ..reporting.pdf import chromium_executable

        chromium_executable()


def wrote_line(out: Path, pdf: bool) -> str:
    """The summary line naming the report's files."""
    pdf_part = f"{out / 'report.pdf'}, " if pdf else ""
    return f"wrote {out / 'report.html'}, {pdf_part}{out / 'results.json'}, {out / 'figures'}/"


def citation() -> str:
    """One-line citation of the paper (read from the model file)."""
    m = load_model()
    return f"{m.citation} doi:{m.doi}"


def command_line(ctx: typer.Context) -> str:
    """The running command as a re-runnable line: ``venprs <command>`` and every parameter with its value.

    Built from the parsed parameters (defaults included), so re-running it gives the same run.
    """
    import shlex

    words = ["venprs", ctx.info_name or ""]
    args = []
    for p in ctx.command.params:
        v = ctx.params.get(p.name)
        if v is None or v == [] or v == ():
            continue
        if p.param_type_name == "argument":
            args += [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
            continue
        name = max(p.opts, key=len)
        if getattr(p, "is_flag", False):
            if v:
                words.append(name)
            continue
        for x in (v if isinstance(v, (list, tuple)) else [v]):
            words += [name, str(x)]
    return shlex.join(words[:2] + args + words[2:])


def input_record(*paths) -> list[dict]:
    """File name, size and SHA-256 of each input file (``None`` entries skipped); a YAML/JSON map's content too."""
    import hashlib

    out = []
    for p in paths:
        if p is None:
            continue
        p = Path(p)
        data = p.read_bytes()
        rec = {"file": p.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if p.suffix.lower() in (".yaml", ".yml", ".json"):
            rec["content"] = data.decode("utf-8", errors="replace")
        out.append(rec)
    return out


def fail(message: str) -> "typer.Exit":
    """Print ``venprs: error: <message>`` on stderr and return the exit (raise it)."""
    print(f"venprs: error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_USER_ERROR)


EXIT_INTERNAL_ERROR = 1


def user_errors(func: F) -> F:
    """Decorator: one line on stderr instead of a traceback, for every failure.

    :class:`InputError` and operating-system errors (file missing, no permission,
    disk full, connection refused) are user errors: exit code 2. Anything else is
    a bug in venprs: one line asking for a report, exit code 1 (set
    ``VENPRS_DEBUG=1`` to see the traceback).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            refuse_repeated_options(func)
            return func(*args, **kwargs)
        except InputError as e:
            raise fail(str(e)) from None
        except BrokenPipeError:  # the reader went away (venprs model | head -1): nothing more to say
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as e:
            where = f"{e.filename}: " if getattr(e, "filename", None) else ""
            raise fail(f"{where}{os_reason(e)}") from None
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as e:
            if os.environ.get("VENPRS_DEBUG"):
                raise
            first = (str(e).strip().splitlines() or [""])[0][:200]
            print(f"venprs: internal error ({type(e).__name__}: {first}); please report it "
                  "(VENPRS_DEBUG=1 shows the traceback)", file=sys.stderr)
            raise typer.Exit(EXIT_INTERNAL_ERROR) from None

    return wrapper  # type: ignore[return-value]


def _single_value_options(func) -> dict[str, str]:
    """The command-line spellings of ``func``'s options that take one value -> the option's long name."""
    import typing

    import typer.models

    try:
        hints = typing.get_type_hints(func)
    except Exception:  # an annotation that cannot be resolved: no check rather than no command
        return {}
    out: dict[str, str] = {}
    for name, prm in inspect.signature(func).parameters.items():
        info = prm.default
        if not isinstance(info, typer.models.OptionInfo):
            continue
        kind = hints.get(name)
        args = typing.get_args(kind) or (kind,)
        if bool in args or any(typing.get_origin(a) in (list, tuple) for a in args):
            continue  # flags, and options that may be repeated
        decls = [d for d in (info.param_decls or ()) if d.startswith("-")] or ["--" + name.replace("_", "-")]
        long = max(decls, key=len)
        out.update({d: long for d in decls})
    return out


def refuse_repeated_options(func, argv: Optional[list[str]] = None) -> None:
    """Refuse an option that takes one value given more than once (``--tp53 mut --tp53 wt``).

    Click keeps the last value silently; for a patient's factors that would score a value the user also
    said was not so. Checked on the command line as typed (``sys.argv`` of the ``venprs`` command).

    Raises
    ------
    InputError
        Naming the option and its values.
    """
    argv = sys.argv if argv is None else argv
    if not argv or not (argv[0].endswith("venprs") or argv[0].endswith(os.path.join("venprs", "__main__.py"))):
        return  # not the venprs command line (called from Python)
    single = _single_value_options(func)
    given: dict[str, list[str]] = {}
    args = argv[2:]  # after the command's name
    for i, tok in enumerate(args):
        if tok == "--":
            break
        key, eq, value = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        if key in single:
            given.setdefault(single[key], []).append(value if eq else (args[i + 1] if i + 1 < len(args) else ""))
    twice = {k: v for k, v in given.items() if len(v) > 1}
    if twice:
        raise InputError("; ".join(f"{k} is given {len(v)} times ({', '.join(v)}): give it once"
                                   for k, v in twice.items()))


def check_seed(option: str, value: int) -> None:
    """Refuse a negative seed (numpy seeds are non-negative integers)."""
    if value < 0:
        raise InputError(f"{option} must be a whole number >= 0, not {value}")


#: ``--sheet``: for every command that reads a table.
OPT_SHEET = typer.Option(None, "--sheet", help="Excel input: the sheet's name or 1-based position "
                                               "(default: the first visible sheet).")
#: ``--errors FILE``: every problem of the input as CSV.
OPT_ERRORS = typer.Option(None, "--errors", help="Write every problem of the input (row, sheet row, patient, "
                                                 "column, value, problem) to this CSV file.")


def read_input(path: Path, sheet: Optional[str] = None):
    """Read a table with :func:`venprs.io.read_table`; ``(df, how)`` with ``how`` the log's description
    (file, encoding, delimiter, sheet; never its content)."""
    from .. import io as vio

    df = vio.read_table(path, sheet=sheet)
    info = vio.source_info(df)
    return df, (info.describe() if info is not None else str(path))


_PROBLEM_COLUMNS = ["row", "sheet_row", "patient", "column", "value", "problem"]


@contextlib.contextmanager
def reported_problems(errors: Optional[Path], input: Path) -> Iterator[None]:
    """Name ``input`` in any :class:`InputError` raised inside; with ``errors``, write every problem as CSV.

    The terminal gets the short summary (count and first lines); ``--errors FILE`` all of them: the bad
    cells of the table, or the one problem that stopped the run (a missing column, a mutation file's
    fault). A run without problems writes the file with its header only, so that an earlier run's list is
    never left behind as if it were this one's.
    """
    from .. import io as vio

    if errors is not None:
        if errors.resolve() == Path(input).resolve():
            raise InputError("--errors must not be the input file")
        if vio.SUFFIXES.get(errors.suffix.lower()) != "csv":
            raise InputError(f"--errors {errors}: the file must end in .csv")
    import pandas as pd

    def write(problems: list) -> None:
        assert errors is not None
        vio.write_table(pd.DataFrame([p.as_dict() for p in problems], columns=_PROBLEM_COLUMNS), errors)

    try:
        yield
    except InputErrors as e:
        e = e if e.file else e.with_file(input)
        if errors is not None:
            write(e.problems)
            raise InputError(f"{e}\nvenprs: all {len(e.problems)} problems written to {errors}") from None
        raise (InputError(f"{e}\nvenprs: --errors FILE writes all {len(e.problems)} problems as CSV")
               if len(e.problems) > 10 else e) from None
    except InputError as e:
        e = e.with_file(input) if e.file is None else e
        if errors is not None:
            write([Problem(e.message, row=e.row, column=e.column, value=None if e.value is None else str(e.value))])
            raise InputError(f"{e}\nvenprs: the problem is written to {errors}") from None
        raise e from None
    if errors is not None:
        write([])


class ProgressBars:
    """Rich progress bars on stderr: one for the steps of a command, one per resampling loop.

    ``update(title, i, n)`` moves the step bar (e.g. analyze's sections);
    ``replicates(description, total)`` adds a bar for a resampling loop and returns its
    ``advance(k)`` (calibration splits, simulated cohorts; venprs.resampling).
    """

    def __init__(self, progress) -> None:
        self._p = progress
        self._step = None
        self._loop = None

    def update(self, title: str, i: int, n: int) -> None:
        if self._step is None:
            self._step = self._p.add_task(title[:60], total=n)
        self._p.update(self._step, description=title[:60], completed=i, total=n)

    def replicates(self, description: str, total: int) -> Callable[[int], None]:
        if self._loop is not None:
            self._p.remove_task(self._loop)
        task = self._loop = self._p.add_task(description[:60], total=total)

        def advance(k: int = 1) -> None:
            self._p.advance(task, k)
        return advance


@contextlib.contextmanager
def progress_bars(quiet: bool) -> Iterator[Optional[ProgressBars]]:
    """:class:`ProgressBars` when stderr is a terminal (and not ``quiet``), else ``None``: never in pipes or logs."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as p:
        yield ProgressBars(p)
