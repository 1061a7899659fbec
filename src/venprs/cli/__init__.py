"""The ``venprs`` command line: a thin shell over the library.

Each sub-module registers its commands; errors a user can fix are printed as one
line on stderr with exit code 2 (see :mod:`venprs.cli._common`).
"""

from __future__ import annotations

import typer

from . import _analyze, _calibrate, _score, _serve, _simulate, _validate
from ._common import citation

app = typer.Typer(
    name="venprs",
    help="VEN-PRS: venetoclax prognostic risk score for relapsed/refractory AML.\n\n" + citation(),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for _mod in (_score, _simulate, _analyze, _calibrate, _validate, _serve):
    _mod.register(app)


def main() -> None:
    """Console-script entry point (SIGTERM/SIGINT remove partial outputs first)."""
    from ..io import install_signal_cleanup

    install_signal_cleanup()
    app()


__all__ = ["app", "main"]
