"""Benchmark: reading tables (issue 10). Excel through python-calamine (venprs' reader) against
openpyxl's read-only mode, on the same sheet; CSV through ``venprs.io.read_table`` (encoding and
delimiter detection, ragged-row and quote checks) against the bare pyarrow call it wraps.

Run by hand:  PYTHONPATH=src python benchmarks/bench_intake.py [--xlsx-rows 100000] [--csv-rows 1000000]
Results go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.csv as pcsv

from venprs.io import read_table

HEADER = ["patient_id", "EMD", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1", "age", "note"]
TOKENS = np.array(["mut", "wt", "", "yes", "no", "NA"], dtype=object)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def make_rows(n: int, seed: int = 1) -> list[list]:
    rng = np.random.default_rng(seed)
    facs = TOKENS[rng.integers(0, len(TOKENS), (n, 7))]
    ages = rng.integers(20, 90, n)
    return [[f"P{i:07d}", *facs[i], int(ages[i]), "synthetic note"] for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--csv-rows", type=int, default=1_000_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        x = Path(d) / "big.xlsx"
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Patients")
        ws.append(HEADER)
        for r in make_rows(a.xlsx_rows):
            ws.append(r)
        wb.save(x)
        t_cal, df = timed(lambda: read_table(x))
        assert len(df) == a.xlsx_rows

        def with_openpyxl():
            book = openpyxl.load_workbook(x, read_only=True, data_only=True)
            return [r for r in book.worksheets[0].iter_rows(values_only=True)]

        t_opx, rows = timed(with_openpyxl)
        assert len(rows) == a.xlsx_rows + 1
        print(f"xlsx {a.xlsx_rows} rows x {len(HEADER)} columns: venprs (calamine, all cells as text) "
              f"{t_cal:.2f} s; openpyxl read-only (values only, no text conversion) {t_opx:.2f} s; "
              f"ratio {t_opx / t_cal:.1f}x")

        c = Path(d) / "big.csv"
        rows = make_rows(a.csv_rows)
        with open(c, "w", encoding="utf-8") as fh:
            fh.write(",".join(HEADER) + "\n")
            fh.writelines(",".join(map(str, r)) + "\n" for r in rows)
        t_bare, _ = timed(lambda: pcsv.read_csv(  # the reader venprs had before issue 10
            c, parse_options=pcsv.ParseOptions(newlines_in_values=True), convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in HEADER}, strings_can_be_null=False)).to_pandas(
            types_mapper=__import__("pandas").ArrowDtype))
        t_vio, df = timed(lambda: read_table(c))
        assert len(df) == a.csv_rows
        print(f"csv {a.csv_rows} rows: venprs read_table {t_vio:.2f} s; bare pyarrow read (the reader before issue 10) {t_bare:.2f} s; "
              f"overhead {t_vio - t_bare:+.2f} s")


if __name__ == "__main__":
    main()
