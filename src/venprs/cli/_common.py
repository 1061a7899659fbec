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
