"""Wall time of ``venprs reproduce`` (the README's main-job command), as a user runs it.

Usage: ``PYTHONPATH=src python benchmarks/bench_reproduce.py [--repeat 3]``.
Runs the CLI in a fresh process each time (imports included) and prints the
times; the target is under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    times = []
    for _ in range(a.repeat):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "venprs", "reproduce", "--out", os.path.join(d, "out"),
                            "--seed", str(a.seed), "--quiet"], check=True)
            times.append(time.perf_counter() - t0)
    print(f"venprs reproduce: median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
          f"max {max(times):.2f} s over {a.repeat} runs (cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
