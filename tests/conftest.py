"""Shared test helpers."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli_env() -> dict:
    """The environment for CLI subprocesses: PYTHONPATH entries made absolute (works from any cwd)."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    return env


def run_cli(*args, cwd=None, timeout=300):
    """Run ``python -m venprs ARGS`` as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "venprs", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=cli_env())


def free_port() -> int:
    """A free TCP port on the loopback interface (for a real ``venprs serve``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
