"""Load test of ``POST /api/v1/score`` on loopback: throughput and p50/p99 latency.

Starts ``venprs serve`` (uvicorn) on a free 127.0.0.1 port, warms it up, then
drives it with 50 concurrent keep-alive connections, each run bounded by a fixed
time and a request cap. The request bodies cycle through all 3^7 = 2,187
combinations of present/absent/unknown. Two runs:

1. open loop at the target rate (1,000 req/s offered, spread over the 50
   connections; latency counted from each request's scheduled time, so queueing
   is not hidden): does the server meet p99 <= 20 ms at that load?
2. closed loop (each connection sends its next request as soon as the answer
   arrives): the capacity, and the latency at saturation. Generator: ``wrk``
   (C, Debian package ``wrk``) when it is on PATH, otherwise the asyncio client in
   this file (it needs a core of its own, so it gives a lower bound).

The generator runs on the same machine as the server, so on 2 cores they compete
for CPU; anything else running at the same time shows in the tail latency (the
1-minute load average before the run is printed).

Usage::

    PYTHONPATH=src python benchmarks/bench_web.py                  # 2 workers, 10 s, 50 connections
    PYTHONPATH=src python benchmarks/bench_web.py --workers 1 --generator python --json

Targets (issue 6): >= 1,000 requests/s, p99 <= 20 ms, 0 errors, on 2 cores.
Results: ``benchmarks/README.md`` (section "Web API load test").
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"  # loopback only, never another host
PATH = "/api/v1/score"
FACTORS = ("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1")
TARGET_RPS, TARGET_P99_MS = 1000.0, 20.0


def bodies() -> list[bytes]:
    """All 2,187 present/absent/unknown combinations as JSON request bodies."""
    out = []
    for combo in itertools.product((True, False, None), repeat=len(FACTORS)):
        out.append(json.dumps(dict(zip(FACTORS, combo)), separators=(",", ":")).encode())
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-m", "venprs", "serve", "--host", HOST, "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("bench_web: the server did not start")


# ---------------------------------------------------------------- wrk

_LUA = """
local bodies = {%s}
local i = 0
local n = 0
local cap = %d
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
response = function(status, headers, body)
  n = n + 1
  if n >= cap then wrk.thread:stop() end
end
"""


def run_wrk(url: str, connections: int, duration: float, cap: int, threads: int) -> dict:
    lua_bodies = ",".join("'" + b.decode() + "'" for b in bodies())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_LUA % (lua_bodies, max(1, cap // threads)))
        script = f.name
    try:
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration:g}s",
                              "--latency", "-s", script, url], capture_output=True, text=True, check=True,
                             timeout=duration + 60).stdout
    finally:
        os.unlink(script)

    def ms(s: str) -> float:
        v, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", s).groups()
        return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    n = int(re.search(r"(\d+) requests in", out).group(1))
    elapsed = ms(re.search(r"requests in ([\d.]+(?:us|ms|s))", out).group(1)) / 1e3
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"generator": f"wrk -t{threads}", "requests": n, "seconds": elapsed, "rps": n / elapsed,
            "p50_ms": ms(lat["50"]), "p99_ms": ms(lat["99"]), "errors": errors, "raw": out}


# ---------------------------------------------------------------- asyncio generator


async def _connection(port: int, payloads: list[bytes], index: int, stride: int, stop_at: float,
                      budget: list[int], lat_ns: list[int], errors: list[int], rate: float | None,
                      t0_ns: int) -> None:
    """One keep-alive connection. Closed loop (``rate=None``): send as soon as the answer
    came. Open loop: request ``m = index + k * stride`` is due at ``t0 + m / rate`` and
    its latency counts from that time, so a slow answer delays (and is charged to) the
    requests queued behind it (no coordinated omission)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    head = (f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n")
    m = index
    try:
        while budget[0] > 0:
            if rate is None:
                if time.perf_counter() >= stop_at:
                    break
                start = time.perf_counter_ns()
            else:
                start = t0_ns + int(m * 1e9 / rate)
                if start / 1e9 >= stop_at:
                    break
                wait = (start - time.perf_counter_ns()) / 1e9
                if wait > 0:
                    await asyncio.sleep(wait)
            budget[0] -= 1
            body = payloads[m % len(payloads)]
            m += stride
            writer.write((head % len(body)).encode() + body)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            lat_ns.append(time.perf_counter_ns() - start)
            if status_line[9:12] != b"200":
                errors[0] += 1
    except (OSError, asyncio.IncompleteReadError):
        errors[0] += 1
    finally:
        writer.close()


async def _run_python(port: int, connections: int, duration: float, cap: int, rate: float | None) -> dict:
    payloads = bodies()
    lat: list[int] = []
    errors = [0]
    budget = [cap]
    t0 = time.perf_counter()
    t0_ns = time.perf_counter_ns()
    await asyncio.gather(*(_connection(port, payloads, k, connections, t0 + duration, budget, lat, errors,
                                       rate, t0_ns) for k in range(connections)))
    elapsed = time.perf_counter() - t0
    lat.sort()

    def q(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] / 1e6 if lat else float("nan")

    name = "python-asyncio " + (f"open loop at {rate:g} req/s" if rate else "closed loop")
    return {"generator": name, "requests": len(lat), "seconds": elapsed, "rps": len(lat) / elapsed,
            "p50_ms": q(0.50), "p99_ms": q(0.99), "max_ms": q(1.0), "errors": errors[0]}


def run_python(port: int, connections: int, duration: float, cap: int, rate: float | None = None) -> dict:
    try:
        import uvloop  # noqa: PLC0415
        return uvloop.run(_run_python(port, connections, duration, cap, rate))
    except ImportError:
        return asyncio.run(_run_python(port, connections, duration, cap, rate))


# ---------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2: one per core)")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of measured load (default 10)")
    ap.add_argument("--max-requests", type=int, default=500_000, help="request cap (default 500,000)")
    ap.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                    help="closed-loop (saturation) generator; auto: wrk if on PATH")
    ap.add_argument("--rate", type=float, default=TARGET_RPS,
                    help="offered load of the open-loop run, req/s (default 1000, the target)")
    ap.add_argument("--wrk-threads", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    a = ap.parse_args(argv)
    if not (0 < a.duration <= 120 and 0 < a.max_requests <= 5_000_000 and 0 < a.connections <= 1000):
        ap.error("keep the load bounded: duration <= 120 s, max-requests <= 5,000,000, connections <= 1000")
    gen = a.generator
    if gen == "auto":
        gen = "wrk" if shutil.which("wrk") else "python"
    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_server(port, a.workers)
    try:
        # warm-up: every worker imports, the response cache fills
        warm = run_python(port, 8, 2.0, 20_000)
        if warm["errors"]:
            raise SystemExit(f"bench_web: {warm['errors']} errors during warm-up")
        # 1. the target: 1,000 req/s offered over 50 connections (open loop)
        fixed = run_python(port, a.connections, a.duration, a.max_requests, rate=a.rate)
        # 2. capacity: as fast as the server answers (closed loop)
        if gen == "wrk":
            sat = run_wrk(f"http://{HOST}:{port}{PATH}", a.connections, a.duration, a.max_requests, a.wrk_threads)
        else:
            sat = run_python(port, a.connections, a.duration, a.max_requests)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    sat.pop("raw", None)
    met = (fixed["rps"] >= 0.99 * TARGET_RPS and fixed["p99_ms"] <= TARGET_P99_MS and fixed["errors"] == 0
           and sat["errors"] == 0)
    res = {"workers": a.workers, "connections": a.connections, "cpus": os.cpu_count(),
           "load_average_before": load_before, "open_loop": fixed, "closed_loop": sat, "target_met": met}
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"POST {PATH}, {a.connections} connections, {a.workers} uvicorn worker(s), {os.cpu_count()} CPUs, "
              f"1-min load average before the run {load_before:.2f}")
        for r in (fixed, sat):
            print(f"  {r['generator']:<42} {r['requests']:>7} requests in {r['seconds']:4.1f} s: "
                  f"{r['rps']:7.0f} req/s, p50 {r['p50_ms']:6.2f} ms, p99 {r['p99_ms']:6.2f} ms, errors {r['errors']}")
        print(f"  target (>= {TARGET_RPS:.0f} req/s with p99 <= {TARGET_P99_MS:.0f} ms, 0 errors): "
              f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
