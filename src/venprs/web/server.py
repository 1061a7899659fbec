"""The HTTP protocol ``venprs serve`` runs: uvicorn's, plus a request timeout and security
headers on the server's own error responses.

uvicorn answers a malformed request (``400 Invalid HTTP request received.``)
itself, before any ASGI middleware sees it, and waits for a slow client's
headers for ever. :class:`Protocol` (uvicorn's httptools protocol) adds
:data:`venprs.web._asgi.SECURITY_HEADERS` to those answers and closes a
connection whose request (headers and body) has not arrived within
``REQUEST_TIMEOUT`` seconds with ``408 Request Timeout``.

References
----------
.. [1] RFC 9110, 15.5.9 (408 Request Timeout). https://www.rfc-editor.org/rfc/rfc9110
.. [2] uvicorn settings: https://www.uvicorn.org/settings/
"""

from __future__ import annotations

import copy
import logging
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ._asgi import SECURITY_HEADERS

__all__ = ["Protocol", "REQUEST_TIMEOUT", "TIMEOUT_ENV", "QuerylessAccessLog", "log_config"]

#: Seconds a client has to send a whole request (headers and body) once connected or
#: once it starts the next request on a kept-alive connection.
REQUEST_TIMEOUT = 30.0
#: Environment variable through which ``venprs serve --request-timeout`` reaches the workers.
TIMEOUT_ENV = "VENPRS_REQUEST_TIMEOUT"


def _plain(status: bytes, msg: str) -> bytes:
    body = msg.encode("ascii")
    lines = [b"HTTP/1.1 " + status + b"\r\n"]
    lines += [name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS]
    lines += [b"cache-control: no-store\r\n", b"content-type: text/plain; charset=utf-8\r\n",
              b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n", b"\r\n", body]
    return b"".join(lines)


class Protocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a request timeout and security headers on its own errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._timeout = float(os.environ.get(TIMEOUT_ENV, REQUEST_TIMEOUT))
        self._timer = None

    def _arm(self) -> None:
        self._disarm()
        self._timer = self.loop.call_later(self._timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(_plain(b"408 Request Timeout", "Request not received in time."))
        if self.cycle is not None:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._timer is None:
            self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        self.transport.write(_plain(b"400 Bad Request", msg))
        self.transport.close()


class QuerylessAccessLog(logging.Filter):
    """Drop the query string from uvicorn's access log lines (``--access-log``).

    The log promises method, path and status only; a query string (``/?tp53=mut``,
    ``/cds-services/...?patient=...``) may carry what a user or client put in the address.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the path argument of an access record (``client, method, path, version, status``)."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with :class:`QuerylessAccessLog` on the access handler.

    Returns
    -------
    dict
        A :func:`logging.config.dictConfig` dictionary for ``uvicorn.run(log_config=...)``.
    """
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg.setdefault("filters", {})["queryless"] = {"()": "venprs.web.server.QuerylessAccessLog"}
    cfg["handlers"]["access"]["filters"] = ["queryless"]
    return cfg
