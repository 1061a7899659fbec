"""Shared CLI plumbing: one-line user errors with exit code 2, the citation, output helpers."""

from __future__ import annotations

import functools
import os
import sys
from typing import Callable, TypeVar

import typer

from ..errors import InputError
from ..io import os_reason
from ..model import load_model

F = TypeVar("F", bound=Callable)

EXIT_USER_ERROR = 2


def citation() -> str:
    """One-line citation of the paper (read from the model file)."""
    m = load_model()
    return f"{m.citation} doi:{m.doi}"


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
            return func(*args, **kwargs)
        except InputError as e:
            raise fail(str(e)) from None
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


def check_seed(option: str, value: int) -> None:
    """Refuse a negative seed (numpy seeds are non-negative integers)."""
    if value < 0:
        raise InputError(f"{option} must be a whole number >= 0, not {value}")
