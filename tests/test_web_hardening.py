"""Web hardening (issue 10) against a real ``venprs serve`` process, with raw sockets where the
behaviour is the HTTP server's: security headers on uvicorn's own 400s, request timeouts (408),
a cap on concurrent uploads (503 + Retry-After), any upload file name; plus the in-memory
upload (no spooling to disk) and a Schemathesis run over the OpenAPI schema with no 5xx."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import cli_env, free_port
from venprs.web._asgi import SECURITY_HEADERS

CSV = b"patient_id,extramedullary,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1\nP1,yes,no,wt,wt,mut,wt,wt\n"


def _wait_up(proc: subprocess.Popen, port: int) -> None:
    t0 = time.monotonic()
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except OSError:
            assert proc.poll() is None and time.monotonic() - t0 < 60, "server did not start"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "venprs", "serve", "--port", str(port), "--request-timeout", "2",
                             "--max-uploads", "1"], env=cli_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _wait_up(proc, port)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_access_log_has_no_query_string_nor_body():
    """--access-log: method, path, status only (docs/web.md); a query string or body never reaches the log."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "venprs", "serve", "--port", str(port), "--access-log"],
                            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(proc, port)
        urllib.request.urlopen(url + "/?tp53=SECRET-Q1", timeout=5)
        req = urllib.request.Request(url + "/api/v1/score?mrn=SECRET-Q2", data=b'{"tp53": "SECRET-B1"}',
                                     headers={"content-type": "application/json"})
        with pytest.raises(urllib.error.HTTPError):  # 422: not a tp53 value
            urllib.request.urlopen(req, timeout=5)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    log = out.decode(errors="replace")
    assert '"GET / HTTP/1.1" 200' in log and '"POST /api/v1/score HTTP/1.1" 422' in log, log
    assert "SECRET" not in log, log


def _exchange(port: int, data: bytes, wait: float = 10.0) -> bytes:
    """Send ``data`` on a new connection; read until the server closes it (or ``wait`` s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def _assert_security_headers(raw: bytes) -> None:
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    for name, value in SECURITY_HEADERS:
        assert (name + b": " + value).lower() in head, name


@pytest.mark.parametrize("garbage", [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
                                     b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40])
def test_malformed_http_gets_400_with_security_headers(server, garbage):
    raw = _exchange(server, garbage)
    assert raw.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    _assert_security_headers(raw)


@pytest.mark.parametrize("partial", [b"", b"GET / HTTP/1.1\r\nHost: x\r\n",
                                     b"POST /api/v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"])
def test_slow_clients_are_timed_out(server, partial):
    t0 = time.monotonic()
    raw = _exchange(server, partial, wait=15)
    took = time.monotonic() - t0
    assert raw.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and 1.5 < took < 10
    _assert_security_headers(raw)


def _upload(name: str, body: bytes = CSV) -> bytes:
    b = b"venprsboundary"
    part = (b"--" + b + b'\r\nContent-Disposition: form-data; name="file"; filename="' + name.encode() +
            b'"\r\nContent-Type: text/csv\r\n\r\n' + body + b"\r\n--" + b + b"--\r\n")
    return (b"POST /api/v1/score-table HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: multipart/form-data; boundary=" + b + b"\r\nContent-Length: " +
            str(len(part)).encode() + b"\r\n\r\n" + part)


@pytest.mark.parametrize("name", ["Łódź.csv", "患者.csv", 'a"b.csv', "x\\..\\y.csv", "naïve résumé.csv"])
def test_any_upload_file_name(server, name):
    raw = _exchange(server, _upload(name))
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n"), raw[:300]
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert "content-disposition: attachment; filename=\"" in head
    _assert_security_headers(raw)
    assert raw.split(b"\r\n\r\n", 1)[1].startswith(b'"patient_id",')


def test_concurrent_uploads_are_capped(server):
    """--max-uploads 1: while one upload is still arriving, a second gets 503 with Retry-After."""
    first = _upload("a.csv")
    with socket.create_connection(("127.0.0.1", server), timeout=10) as slow:
        slow.sendall(first[:-20])  # headers and most of the body: the first upload is in progress
        time.sleep(0.3)
        raw = _exchange(server, _upload("b.csv"))
        assert raw.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert b"retry-after: 5" in raw.lower()
        _assert_security_headers(raw)
        slow.sendall(first[-20:])
        assert slow.recv(65536).startswith(b"HTTP/1.1 200 OK")
    assert _exchange(server, _upload("c.csv")).startswith(b"HTTP/1.1 200 OK")  # the slot is free again


def test_uploads_never_touch_disk(monkeypatch):
    """Up to the body limit every upload stays in memory: the spooled file never rolls over to disk."""
    from fastapi.testclient import TestClient

    from venprs.web.app import create_app

    def rollover(self):
        raise AssertionError("an upload was written to disk")

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", rollover)
    limit = 2000
    with TestClient(create_app(max_upload_bytes=limit), raise_server_exceptions=True) as client:
        for size in (limit, limit + 1, limit + 50_000):  # under, just over (within multipart slack)
            body = CSV + b"P2,yes,no,wt,wt,mut,wt,wt\n" * ((size - len(CSV)) // 26 + 1)
            r = client.post("/api/v1/score-table", files={"file": ("x.csv", body[:size], "text/csv")})
            assert r.status_code in (200, 413, 422), r.text
            assert (r.status_code == 413) == (size > limit)
        r = client.post("/api/v1/score-table", files={"file": ("x.csv", CSV * 100_000, "text/csv")})
        assert r.status_code == 413  # over the whole body limit: refused before it is read


# ------------------------------------------------------------------ Schemathesis

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from venprs.web.app import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_fuzz_no_5xx(case):
    """Schemathesis fuzzes every operation of the OpenAPI schema (25 examples each): never a 5xx."""
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:200])
    assert response.headers.get("x-content-type-options") == ["nosniff"]
