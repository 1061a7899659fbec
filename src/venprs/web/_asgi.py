"""Small pure-ASGI middlewares: security headers and a request body size limit.

They are plain ASGI (not Starlette's ``BaseHTTPMiddleware``) so that they add
almost nothing to the cost of a request.

References
----------
.. [1] ASGI HTTP connection scope and messages:
   https://asgi.readthedocs.io/en/latest/specs/www.html
.. [2] Content Security Policy Level 3: https://www.w3.org/TR/CSP3/
.. [3] RFC 8259, section 4: "The names within an object SHOULD be unique"; with duplicate names
   "the behavior of software that receives such an object is unpredictable".
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Iterable, cast

from starlette.middleware.cors import CORSMiddleware

__all__ = ["SecurityHeaders", "BodyLimit", "ConcurrencyLimit", "PathCors", "UniqueJsonKeys", "CSP",
           "SECURITY_HEADERS"]

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Only the app's own origin: no inline scripts or styles, no frames, no plug-ins.
#: ``data:`` images are allowed for the small SVG icons in Swagger UI's stylesheet.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

#: Headers added to every response.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response.

    Responses under ``no_store_prefixes`` (the API) also get ``Cache-Control:
    no-store``, so no proxy or browser cache keeps a patient's result.
    """

    def __init__(self, app: ASGIApp, no_store_prefixes: Iterable[str] = ("/api/",)):
        self.app = app
        self.no_store = tuple(no_store_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"].startswith(self.no_store) or scope["method"] == "POST"

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ())
                           if h[0].lower() not in _OVERRIDDEN]
                headers.extend(SECURITY_HEADERS)
                if no_store:
                    headers.append(_NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OVERRIDDEN = frozenset(h[0] for h in SECURITY_HEADERS) | {b"cache-control"}


class BodyLimit:
    """Refuse request bodies larger than a limit with HTTP 413 (JSON).

    A declared ``Content-Length`` over the limit is refused before anything is
    read; a chunked body is counted as it arrives and refused as soon as it
    passes the limit.

    Parameters
    ----------
    app : ASGI app
    default : int
        Limit in bytes for every path not in ``per_path``.
    per_path : dict
        Path -> limit in bytes (e.g. a larger one for file upload).
    """

    def __init__(self, app: ASGIApp, default: int, per_path: dict[str, int] | None = None):
        self.app = app
        self.default = default
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _too_large(send, limit, "invalid Content-Length")
                    return
                if declared > limit:
                    await _too_large(send, limit)
                    return
                break
        received = 0
        started = False
        refused = False

        async def counting_receive() -> dict:
            nonlocal received, started, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    refused = True
                    if not started:
                        started = True
                        await _too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; drop whatever the app answers
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:
                raise
            # the app saw a disconnect after the 413 was sent: nothing more to do


async def _too_large(send: Send, limit: int, why: str = "") -> None:
    msg = why or f"request body too large: at most {limit} bytes ({limit / 1e6:g} MB) accepted"
    body = json.dumps({"detail": [{"loc": ["body"], "msg": msg, "type": "body_too_large"}]}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class ConcurrencyLimit:
    """Answer 503 with ``Retry-After`` when more than ``limit`` requests to ``paths`` run at once.

    Bounds the memory a burst of table uploads can take (each is parsed and
    scored in memory); other routes are not limited.
    """

    def __init__(self, app: ASGIApp, limit: int, paths: Iterable[str], retry_after: int = 5):
        self.app = app
        self.limit = limit
        self.paths = frozenset(paths)
        self.retry_after = retry_after
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            body = json.dumps({"detail": [{"loc": ["request"], "msg": f"busy: {self.limit} uploads are being "
                                           f"scored; try again in {self.retry_after} s", "type": "busy"}]}).encode()
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", str(self.retry_after).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


class PathCors:
    """Cross-origin resource sharing on the paths under ``prefix`` only.

    Starlette's :class:`~starlette.middleware.cors.CORSMiddleware` answers the preflight and adds
    the ``Access-Control-*`` headers for the listed origins; every other path is passed through
    untouched (the calculator and the API stay same-origin).

    Parameters
    ----------
    app : ASGI app
    prefix : str
        Path prefix, e.g. ``"/cds-services"``.
    origins : iterable of str
        Allowed origins (``"*"`` for any).
    """

    def __init__(self, app: ASGIApp, prefix: str, origins: Iterable[str]):
        self.app = app
        self.prefix = prefix
        # Starlette types scopes as MutableMapping, these middlewares as dict: same objects at run time
        self.cors: Any = CORSMiddleware(cast(Any, app), allow_origins=list(origins), allow_methods=["GET", "POST"],
                                   allow_headers=["Authorization", "Content-Type"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"] == self.prefix or scope["path"].startswith(self.prefix + "/")):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class _DuplicateKey(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict:
    d = dict(pairs)  # the common case at C speed; only a repeated key takes the loop
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return d


class UniqueJsonKeys:
    """Refuse a JSON request body in which an object has the same key twice (HTTP 422).

    Python's JSON reader keeps the last value of a repeated key, so ``{"tp53": true, "tp53": false}``
    would silently score TP53 as wild-type. Bodies of POST requests to ``paths`` whose content type
    is JSON (``application/json``, ``application/fhir+json``, ...) are read whole (after
    :class:`BodyLimit`) and checked; a body that is not valid JSON is passed on unchanged, for the app
    to answer with its own error.

    Parameters
    ----------
    app : ASGI app
    paths : iterable of str
        The JSON routes to check.
    """

    def __init__(self, app: ASGIApp, paths: Iterable[str]):
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        ctype = dict(scope.get("headers", ())).get(b"content-type", b"").split(b";")[0].strip().lower()
        if not (ctype == b"application/json" or ctype.endswith(b"+json")):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # disconnect (or BodyLimit's 413): let the app see it
                replay: list[dict] = [message]
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        else:
            body = b"".join(chunks)
            replay = [{"type": "http.request", "body": body, "more_body": False}]
            try:
                json.loads(body, object_pairs_hook=_unique_pairs)
            except _DuplicateKey as e:
                msg = (f"the key {e.args[0]!r} appears twice in one JSON object; send each key once "
                       "(RFC 8259: names within an object should be unique)")
                out = json.dumps({"detail": [{"loc": ["body"], "msg": msg, "type": "json_duplicate_key"}]}).encode()
                await send({"type": "http.response.start", "status": 422,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(out)).encode())]})
                await send({"type": "http.response.body", "body": out})
                return
            except ValueError:
                pass  # not JSON: the app answers its own 422

        async def replayed() -> dict:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed, send)
