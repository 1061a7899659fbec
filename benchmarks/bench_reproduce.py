"""Wall time of ``venprs reproduce`` (the README's main-job command), as a user runs it.

Usage: ``PYTHONPATH=src python benchmarks/bench_reproduce.py [--repeat 3]``.
Runs the CLI in a fresh process each time (imports included) and prints the
wall times and the CPU time (user + system) of the child process: on a machine
shared with other jobs the CPU time is the load-independent figure (the run is
single-threaded, so on an idle machine wall ~ CPU). Target: under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    times, cpu = [], []
    for _ in range(a.repeat):
        with tempfile.TemporaryDirectory() as d:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "venprs", "reproduce", "--out", os.path.join(d, "out"),
                            "--seed", str(a.seed), "--quiet"], check=True)
            times.append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    print(f"venprs reproduce: wall median {statistics.median(times):.2f} s (min {min(times):.2f}, "
          f"max {max(times):.2f}); CPU median {statistics.median(cpu):.2f} s; {a.repeat} runs; "
          f"cpu count {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
