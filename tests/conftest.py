"""Shared test helpers."""

import json
import os
import socket
import subprocess
import sys
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
