"""Write tests/data/cox_rare_cohorts.csv: small cohorts with rare and monotone factors.

Run from the repository root: ``python tests/data/make_cox_rare_cohorts.py``; then
``Rscript tests/r/cox_rare_factors.R`` writes the R reference values. Each cohort has
``time`` (whole months: heavy ties), ``event`` and 0/1 factors ``x1``-``x4``:

- ``no_carriers``: x3 has no carrier;
- ``all_carriers``: every patient carries x3;
- ``censored_carriers``: x3's 4 carriers are all censored (monotone likelihood);
- ``earliest_events``: x3's 3 carriers hold the 3 earliest events (monotone likelihood);
- ``collinear``: x4 = x1;
- ``small_n``: 24 patients, no rare factor;
- ``heavy_ties``: 150 patients in 3-month bins (a dozen distinct times).
"""

import numpy as np
import pandas as pd


def cohort(name: str, n: int, seed: int, bin_months: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = (rng.random((n, 4)) < [0.4, 0.3, 0.2, 0.5]).astype(int)
    lp = x @ np.array([0.7, -0.4, 0.5, 0.3])
    t = rng.exponential(12 / np.exp(lp))
    c = rng.uniform(3, 36, n)
    d = pd.DataFrame({"cohort": name, "time": np.ceil(np.minimum(t, c) / bin_months) * bin_months,
                      "event": (t <= c).astype(int)})
    for j in range(4):
        d[f"x{j + 1}"] = x[:, j]
    return d


def main() -> None:
    parts = []
    d = cohort("no_carriers", 60, 1)
    d["x3"] = 0
    parts.append(d)
    d = cohort("all_carriers", 60, 2)
    d["x3"] = 1
    parts.append(d)
    d = cohort("censored_carriers", 60, 3)
    d["x3"] = 0
    d.loc[d.index[d.event == 0][:4], "x3"] = 1
    parts.append(d)
    d = cohort("earliest_events", 60, 4)
    d["x3"] = 0
    first = d[d.event == 1].sort_values("time", kind="stable").index[:3]
    d.loc[first, "x3"] = 1
    d.loc[first, "time"] = [0.25, 0.5, 0.75]  # before any other time (whole months)
    parts.append(d)
    d = cohort("collinear", 60, 5)
    d["x4"] = d["x1"]
    parts.append(d)
    parts.append(cohort("small_n", 24, 6))
    parts.append(cohort("heavy_ties", 150, 7, bin_months=3.0))
    pd.concat(parts, ignore_index=True).to_csv("tests/data/cox_rare_cohorts.csv", index=False)


if __name__ == "__main__":
    main()
