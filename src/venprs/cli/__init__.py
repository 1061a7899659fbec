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



def _version(value: bool) -> None:
    if value:
        from ..render import version_line

        print(version_line())
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the versions of venprs and of the model, then exit.")) -> None:
    return None


for _mod in (_score, _simulate, _analyze, _calibrate, _validate, _serve):
    _mod.register(app)


def main() -> None:
    """Console-script entry point (SIGTERM/SIGINT remove partial outputs first).

    Once the command has finished (its outputs closed, its messages printed),
    the process ends with :func:`os._exit` after the first steps of the
    interpreter's own shutdown (waiting for other threads and their exit
    hooks, then the ``atexit`` handlers) and flushing stdout and stderr. Ending the ordinary way tears
    down the interpreter while pyarrow's native thread pools may still hold a
    worker; that teardown now and then aborts the process
    (``terminate called without an active exception``, exit -6) after a
    successful run or a clean exit-2 error. See apache/arrow issue 34314.
    """
    import atexit
    import os
    import sys
    import threading

    from ..io import install_signal_cleanup

    install_signal_cleanup()
    try:
        app()
        code: object = 0
    except SystemExit as e:
        code = e.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): the message on stderr, exit 1
        print(code, file=sys.stderr)
        code = 1
    # what the interpreter's own shutdown does first, in its order: wait for the other threads and run the
    # threading exit hooks (joblib/loky stops its worker pool there), then the atexit handlers (which join
    # the pool's processes: without the first step they would wait for ever)
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (venprs ... | head): nothing more to say
            pass
    os._exit(code)


__all__ = ["app", "main"]
