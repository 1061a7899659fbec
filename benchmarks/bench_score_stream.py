"""Benchmark (issue 14): streaming ``venprs score`` at 1M and 5M rows beside pyarrow's own read + write.

Targets: peak memory independent of the number of rows (5,000,000 rows within 400 MB peak RSS) and wall time
at most 1.2x pyarrow reading and writing the same file. Every run is its own process (as a user calls it),
writing a new file; peak memory is that child's maximum resident set and CPU its user + system time
(``os.wait4`` rusage). ``venprs score`` and pyarrow take turns, ``--repeat`` times each; the medians are
printed (on a virtual machine the kernel's first touch of memory makes single runs vary by 50%). The
load average is printed beside every figure.

Run by hand:   PYTHONPATH=src python benchmarks/bench_score_stream.py [--rows 1000000 5000000] [--repeat 3]
               [--parquet]
Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import PYARROW_RW, load, run_child, run_child_usage  # noqa: E402

PYARROW_PARQUET_RW = "import sys, pyarrow.parquet as q; q.write_table(q.read_table(sys.argv[1]), sys.argv[2])"


def make_input(d: Path, n: int, parquet: bool) -> Path:
    """``n`` rows: a text ID and the seven factors drawn from accepted tokens (unknowns included)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from venprs.scoring import FACTORS

    rng = np.random.default_rng(0)
    tokens = pa.array(["mut", "wt", "", "yes", "no", "nd", "1", "0"])
    cols = {"patient_id": pa.array([f"P{i:07d}" for i in range(n)])}
    for f in FACTORS:
        cols[f] = tokens.take(pa.array(rng.integers(0, len(tokens), n)))
    table = pa.table(cols)
    src = d / f"in_{n}.{'parquet' if parquet else 'csv'}"
    if parquet:
        pq.write_table(table, src)
    else:
        pcsv.write_csv(table, src, pcsv.WriteOptions(quoting_style="needed"))
    return src


#: Above this many rows pyarrow's whole-table read + write of the scored output is not run (it holds the
#: whole output in memory: about 10 GB at 50M rows).
OUTPUT_RW_MAX = 10_000_000


def medians(runs: list[tuple[float, float, float, float]]) -> str:
    wall, mb, user, system = (statistics.median(x) for x in zip(*runs))
    return (f"{wall:7.1f} s (min {min(r[0] for r in runs):.1f})  {max(r[1] for r in runs):6.0f} MB peak  "
            f"CPU {user:.1f} user + {system:.1f} sys")


def bench(d: Path, n: int, parquet: bool, repeat: int) -> None:
    # the input is written by a child: a forked child starts with its parent's peak resident set, so this
    # process must stay small for the children's figures to be their own
    run_child([sys.executable, __file__, "--make", str(n), str(d), *(["--parquet"] if parquet else [])])
    src = d / f"in_{n}.{'parquet' if parquet else 'csv'}"
    ext = src.suffix
    fmt = f"{ext[1:]} -> {ext[1:]}"
    ours, theirs = [], []
    for _ in range(repeat):
        out, pa_out = d / f"out{ext}", d / f"pa{ext}"
        ours.append(run_child_usage([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(out)]))
        out.unlink()
        theirs.append(run_child_usage([sys.executable, "-c", PYARROW_PARQUET_RW if parquet else PYARROW_RW, str(src),
                               str(pa_out)]))
        pa_out.unlink()
    print(f"score {n:>9,} rows {fmt}: {medians(ours)}  ({load()})", flush=True)
    print(f"pyarrow read + write {n:>9,} rows: {medians(theirs)}  ({load()})")
    w, wa = statistics.median(r[0] for r in ours), statistics.median(r[0] for r in theirs)
    print(f"ratio venprs / pyarrow (median wall): {w / wa:.2f} x", flush=True)
    if n > OUTPUT_RW_MAX:
        print(f"(pyarrow read + write of the scored output not run above {OUTPUT_RW_MAX:,} rows: memory)")
        for p in d.iterdir():
            p.unlink()
        return
    # the output has 12 more columns (numbers, groups, booleans): pyarrow reading and writing that table
    run_child([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(d / f"out{ext}")])
    wo, mbo = run_child([sys.executable, "-c", PYARROW_PARQUET_RW if parquet else PYARROW_RW, str(d / f"out{ext}"),
                         str(d / f"pa_out{ext}")])
    print(f"pyarrow read + write of the scored output: {wo:7.1f} s  {mbo:6.0f} MB peak; "
          f"ratio venprs / that: {w / wo:.2f} x  ({load()})", flush=True)
    for p in d.iterdir():
        p.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 5_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command (medians are printed)")
    ap.add_argument("--parquet", action="store_true", help="also Parquet -> Parquet")
    ap.add_argument("--make", nargs=2, metavar=("N", "DIR"), help="only write the input of N rows into DIR")
    a = ap.parse_args()
    if a.make:
        make_input(Path(a.make[1]), int(a.make[0]), a.parquet)
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.rows:
            for parquet in (False, True) if a.parquet else (False,):
                bench(Path(tmp), n, parquet, a.repeat)


if __name__ == "__main__":
    main()
