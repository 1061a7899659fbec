"""Make ``tests/data/survival_cohort.csv``: a small fixed synthetic cohort for the R reference values.

Run once (``python tests/data/make_survival_cohort.py``); the CSV is committed and
``tests/r/survival_reference.R`` reads it. Times are rounded to 0.5 months so that
there are many tied times (to exercise Efron ties). ``rare`` has 3 carriers, all
censored (monotone likelihood); ``group`` has three levels (log-rank test).
Nothing here is a clinical number: the hazards are arbitrary.
"""

from pathlib import Path

import numpy as np
import pandas as pd


def make(n: int = 200, seed: int = 20250101) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(1, 0.3, n)
    x2 = rng.binomial(1, 0.5, n)
    x3 = rng.binomial(1, 0.1, n)
    lp = 0.7 * x1 + 0.4 * x2 - 0.8 * x3
    t_event = rng.exponential(10.0 / np.exp(lp))
    t_cens = rng.uniform(2.0, 40.0, n)
    time = np.round(np.minimum(t_event, t_cens) * 2) / 2 + 0.5
    event = (t_event <= t_cens).astype(int)
    rare = np.zeros(n, dtype=int)
    censored = np.flatnonzero(event == 0)
    rare[censored[:3]] = 1
    group = np.where(lp < 0.3, "a", np.where(lp < 0.8, "b", "c"))
    return pd.DataFrame({"id": np.arange(1, n + 1), "time": time, "event": event, "x1": x1, "x2": x2,
                         "x3": x3, "rare": rare, "group": group})


if __name__ == "__main__":
    make().to_csv(Path(__file__).with_name("survival_cohort.csv"), index=False, lineterminator="\n")
