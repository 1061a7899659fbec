"""Speed of venprs.mutations on a large synthetic MAF (python benchmarks/bench_mutations.py).

A MAF of N_ROWS variants (30 genes, the five VEN-PRS genes among them; mixed classes) for
N_PATIENTS patients, written to a temporary folder; times read_mutations and mutation_factors.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from venprs.mutations import mutation_factors, read_mutations

N_PATIENTS, N_ROWS = 10_000, 200_000


def main() -> None:
    rng = np.random.default_rng(0)
    genes = ["NF1", "PTPN11", "FLT3", "TP53", "SF3B1"] + [f"GENE{i}" for i in range(25)]
    classes = ["Missense_Mutation", "Silent", "Intron", "Nonsense_Mutation", "3'UTR", "In_Frame_Ins",
               "Frame_Shift_Del", "Splice_Site"]
    ids = [f"P{i:05d}" for i in range(N_PATIENTS)]
    maf = pd.DataFrame({
        "Hugo_Symbol": rng.choice(genes, N_ROWS), "Tumor_Sample_Barcode": rng.choice(ids, N_ROWS),
        "Variant_Classification": rng.choice(classes, N_ROWS), "HGVSp_Short": "p.X1Y",
        "t_depth": "100", "t_alt_count": rng.integers(1, 100, N_ROWS).astype(str)})
    clinical = pd.DataFrame({"patient_id": ids, "extramedullary": "no", "prior_hma": "yes"})
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "big.maf"
        with open(p, "w") as fh:
            fh.write("#version 2.4\n")
            maf.to_csv(fh, sep="\t", index=False)
        t0 = time.perf_counter()
        long = read_mutations(p)
        t1 = time.perf_counter()
        calls = mutation_factors(clinical, p, panel="NF1,PTPN11,FLT3,TP53,SF3B1")
        t2 = time.perf_counter()
    print(f"read_mutations: {N_ROWS} MAF rows -> {len(long)} rows of the five genes in {t1 - t0:.2f} s")
    print(f"mutation_factors: {N_PATIENTS} patients in {t2 - t1:.2f} s (incl. reading)")
    assert len(calls.table) == N_PATIENTS


if __name__ == "__main__":
    sys.exit(main())
