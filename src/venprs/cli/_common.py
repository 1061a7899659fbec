"""Shared CLI plumbing: one-line user errors with exit code 2, the citation, output helpers."""

from __future__ import annotations

import functools
import sys
from typing import Callable, TypeVar

import typer

from ..errors import InputError
from ..model import load_model

F = TypeVar("F", bound=Callable)

EXIT_USER_ERROR = 2

# Options of the commands that read a cohort (defined once; venprs validate uses them).
OPT_COHORT = typer.Argument(..., help="Cohort table (.csv, .tsv, .xlsx, .parquet), one row per patient.")
OPT_OUT = typer.Option(..., "--out", "-o", help="Output folder (created): report.html, results.json, figures/.")
OPT_COLUMNS = typer.Option(None, "--columns", help="YAML file mapping canonical names to your column names.")
OPT_TIME_UNIT = typer.Option("months", "--time-unit", help="Unit of the time columns: months or days.")


def citation() -> str:
    """One-line citation of the paper (read from the model file)."""
    m = load_model()
    return f"{m.citation} doi:{m.doi}"


def fail(message: str) -> "typer.Exit":
    """Print ``venprs: error: <message>`` on stderr and return the exit (raise it)."""
    print(f"venprs: error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_USER_ERROR)


def user_errors(func: F) -> F:
    """Decorator: turn :class:`InputError` (and file errors) into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as e:
            raise fail(str(e)) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
            raise fail(f"{e.filename}: {e.strerror}") from None

    return wrapper  # type: ignore[return-value]
