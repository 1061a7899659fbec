"""Shared test helpers."""

import json
import os
import pty
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


SRC = ROOT / "src"

#: Table 4 of Shahswar et al. 2025 (multivariate coefficients as decimal strings), typed from the paper
#: into tests/data/table4.json, independently of the model file.
TABLE4: dict = json.loads((ROOT / "tests" / "data" / "table4.json").read_text())["coefficients"]


def cli_env(**overrides: str) -> dict:
    """The environment for CLI subprocesses: this checkout's ``src`` first on PYTHONPATH, entries made
    absolute (works from any cwd), matplotlib without a display; ``overrides`` replace variables."""
    env = dict(os.environ)
    paths = [str(SRC)] + [str(Path(p).resolve()) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["MPLBACKEND"] = "Agg"
    env.update(overrides)
    return env


def run_cli(*args, cwd=None, timeout=600, module="venprs", **env):
    """Run ``python -m venprs ARGS`` as a user would; returns the CompletedProcess (text output).

    The one CLI runner of the suite. ``env`` keywords replace environment variables (e.g.
    ``PATH="/usr/bin:/bin"``); ``module`` runs another ``-m`` entry point (``venprs.simulation``).
    """
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=cli_env(**env))


def free_port() -> int:
    """A free TCP port on the loopback interface (for a real ``venprs serve``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_on_pty(args: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run ``python -m venprs ARGS`` with stdout/stderr on a pseudo-terminal; return (exit code, output)."""
    master, slave = pty.openpty()
    env = cli_env(TERM="xterm-256color", COLUMNS="120", LINES="40")
    for k in ("NO_COLOR", "CI", "GITHUB_ACTIONS", "TERM_PROGRAM"):
        env.pop(k, None)
    proc = subprocess.Popen([sys.executable, "-m", "venprs", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return rc, b"".join(chunks).decode("utf-8", "replace")
