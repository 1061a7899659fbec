"""Write the calibration replay inputs: tests/data/calibration_replay_cohort.csv and _splits.json.

Run from the repository root: ``python tests/data/make_calibration_replay.py``; then
``Rscript tests/r/calibration_replay.R`` replays the splits in R. The cohort is
``tests/_cohort.py`` ``make_cohort(80, seed=3)`` with two rare factors, so that some
training parts have a factor without carriers (R: NA) or with a monotone likelihood:
NF1 has 2 carriers; PTPN11 has 3, all censored (OS and EFS). The splits file is what
``venprs calibrate COHORT --splits 40 --seed 5 --save-splits FILE`` writes.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _cohort import make_cohort  # noqa: E402
from venprs.evaluation.calibration import split_indices  # noqa: E402

SPLITS, SEED = 40, 5
COLUMNS = ["patient_id", "extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1",
           "os_months", "os_event", "efs_months", "efs_event"]


def cohort():
    d = make_cohort(80, seed=3)
    d["nf1"] = 0
    d.loc[[3, 40], "nf1"] = 1
    d["ptpn11"] = 0
    cens = d.index[(d.os_event == 0) & (d.efs_event == 0)][:3]
    d.loc[cens, "ptpn11"] = 1
    return d[COLUMNS]


def main() -> None:
    d = cohort()
    d.to_csv("tests/data/calibration_replay_cohort.csv", index=False)
    s = split_indices(d, splits=SPLITS, seed=SEED)
    Path("tests/data/calibration_replay_splits.json").write_text(json.dumps(s) + "\n")


if __name__ == "__main__":
    main()
