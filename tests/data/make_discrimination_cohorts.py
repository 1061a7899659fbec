"""Make ``tests/data/discrimination_cohorts.csv``: fixed synthetic cohorts for the discrimination references.

Run once (``python tests/data/make_discrimination_cohorts.py``); the CSV is committed and
``tests/r/discrimination_reference.R`` reads it. One row per patient, ``cohort`` names the
cohort, ``time``/``event`` the outcome (months; 1 = event), ``score`` an integer-valued
marker built from binary factors (as the VEN-PRS is) and ``cont`` a continuous marker.
The horizon is 10 months. Nothing here is a clinical number: hazards are arbitrary.

Cohorts
-------
``ties``            whole months: heavy ties, events at exactly 10 months, events and
                    censorings at one time
``zero_times``      a tenth of the times are 0 (events and censorings)
``no_carriers``     the score has a factor with no carrier (it adds nothing)
``monotone``        a factor whose carriers are all censored (monotone likelihood in Cox)
``small``           n = 24
``tiny``            n = 8
``late_censoring``  every censoring after the horizon (G = 1 before it)
``no_event_by_h``   no event at or before the horizon (every AUC undefined)
``continuous``      n = 300, continuous times and markers (NNE windows of single patients)
``random_<k>``      40 small random cohorts (n 8-40, times 0-14 whole months, score 0-5)
"""

from pathlib import Path

import numpy as np
import pandas as pd


def _factors(rng, n, p):
    return (rng.random((n, len(p))) < np.asarray(p)).astype(int)


def _cohort(name, rng, n, *, round_to=1.0, p=(0.3, 0.5, 0.2, 0.15), weights=(2, 1, 1, -1), cens=(1.0, 30.0),
            zero_frac=0.0, monotone=None, no_carrier=None):
    X = _factors(rng, n, p)
    if no_carrier is not None:
        X[:, no_carrier] = 0
    lp = X @ np.asarray(weights, float) * 0.4
    t_ev = rng.exponential(9.0 / np.exp(lp))
    t_c = rng.uniform(*cens, n)
    if monotone is not None:
        carriers = X[:, monotone] == 1
        t_c[carriers] = np.minimum(t_c[carriers], t_ev[carriers] * 0.9)  # carriers are all censored
    time = np.minimum(t_ev, t_c)
    event = (t_ev <= t_c).astype(int)
    time = np.round(time / round_to) * round_to if round_to else time
    if zero_frac:
        z = rng.random(n) < zero_frac
        time[z] = 0.0
    score = X @ np.asarray(weights)
    cont = lp + rng.normal(0, 0.5, n)
    return pd.DataFrame({"cohort": name, "time": time, "event": event, "score": score, "cont": np.round(cont, 6)})


def make(seed: int = 20261202) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = [
        _cohort("ties", rng, 150),
        _cohort("zero_times", rng, 80, zero_frac=0.1),
        _cohort("no_carriers", rng, 100, no_carrier=2),
        _cohort("monotone", rng, 100, monotone=3),
        _cohort("small", rng, 24),
        _cohort("tiny", rng, 8),
        _cohort("late_censoring", rng, 90, cens=(12.0, 30.0)),
        _cohort("continuous", rng, 300, round_to=0.0),
    ]
    late = _cohort("no_event_by_h", rng, 30)
    late["time"] = np.where(late["event"] == 1, 10.5 + late["time"], late["time"])  # events after 10
    parts.append(late)
    for k in range(40):
        n = int(rng.integers(8, 41))
        d = pd.DataFrame({"cohort": f"random_{k:02d}", "time": rng.integers(0, 15, n).astype(float),
                          "event": rng.integers(0, 2, n), "score": rng.integers(0, 6, n),
                          "cont": np.round(rng.normal(0, 1, n), 6)})
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out.insert(1, "id", np.arange(1, len(out) + 1))
    return out


if __name__ == "__main__":
    path = Path(__file__).with_name("discrimination_cohorts.csv")
    make().to_csv(path, index=False)
    print(f"wrote {path}")
