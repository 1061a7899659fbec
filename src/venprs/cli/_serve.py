"""CLI command ``venprs serve``: the web calculator and HTTP API (uvicorn)."""

from __future__ import annotations

import typer

from ._common import citation, fail


def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (e.g. one per core)."),
    access_log: bool = typer.Option(
        False, "--access-log/--no-access-log",
        help="Log one line per request (method, path without query, status; never bodies). Off by default."),
    request_timeout: float = typer.Option(
        30.0, "--request-timeout", min=0.1,
        help="Seconds a client has to send a whole request (headers and body), else 408 and the connection closes."),
    keep_alive: int = typer.Option(5, "--keep-alive", min=1, help="Seconds an idle kept-alive connection stays open."),
    max_uploads: int = typer.Option(
        4, "--max-uploads", min=1,
        help="Table uploads scored at once per worker; more get 503 with Retry-After (bounds memory)."),
) -> None:
    """Serve the calculator page at http://HOST:PORT/ and the HTTP API under /api/v1 (docs at /docs).

    Nothing a user enters is stored or logged. Every response, the server's own
    errors included, carries the security headers; a request must arrive within
    --request-timeout seconds; at most --max-uploads tables are scored at once.
    """
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - a dependency
        raise fail("uvicorn is not installed; reinstall venprs") from None
    import os

    from ..web.app import MAX_UPLOADS_ENV
    from ..web.server import TIMEOUT_ENV, Protocol, log_config

    os.environ[TIMEOUT_ENV] = str(request_timeout)  # read by every worker
    os.environ[MAX_UPLOADS_ENV] = str(max_uploads)
    try:
        uvicorn.run(
            "venprs.web.app:create_app", factory=True, host=host, port=port, workers=workers,
            access_log=access_log, log_level="info", server_header=False, proxy_headers=False,
            http=Protocol, timeout_keep_alive=keep_alive, log_config=log_config(),
        )
    except OSError as e:  # pragma: no cover - e.g. port in use
        raise fail(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve", help=(serve_cmd.__doc__ or "") + "\n\n" + citation())(serve_cmd)
