"""Predicted survival for a VEN-PRS score: S(t | S) = S0(t) ** exp(S).

The paper gives the Cox model but not the baseline survival S0(t). venprs
reconstructs one per endpoint from the published group medians and their 95%
CIs (Results; Fig. 2 and 3): a Weibull S0(t) = exp(-(t/scale)^shape) whose
group medians, averaged over each group's score distribution, match the
published medians in weighted least squares. The fitted parameters are stored
in the model file under ``"baseline_survival"``, labelled as a venprs
reconstruction (not published by the authors); see docs/model-notes.md. The fit
itself is an offline build step (:mod:`venprs.simulation.baseline_fit`); this
module only reads its result.

A user can replace it with a baseline estimated on their own cohort
(:func:`load_baseline`: a step function with columns ``time``, ``surv`` and
optionally ``endpoint``).

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods, 'Comprehensive risk
   model': h(t, X) = h0(t) exp(sum beta_i X_i); Results: group medians and CIs).
.. [2] Cox DR. Regression models and life-tables. J R Stat Soc B. 1972;34:187-220.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .io import read_table
from .model import ENDPOINTS, load_model

__all__ = [
    "WeibullBaseline", "StepBaseline", "predict_survival", "median_survival", "load_baseline",
    "model_baseline", "predicted_summary", "predicted_text", "HORIZONS",
    "supported_score_range",
]

#: Months at which the score output reports predicted survival.
HORIZONS: tuple[int, ...] = (6, 12, 24)


@dataclass(frozen=True)
class WeibullBaseline:
    """Weibull baseline survival S0(t) = exp(-(t/scale)^shape), t in months."""

    shape: float
    scale: float
    endpoint: str = "os"
    source: str = "venprs reconstruction"

    def surv0(self, times) -> np.ndarray:
        t = np.asarray(times, dtype=float)
        return np.exp(-np.power(np.maximum(t, 0) / self.scale, self.shape))

    def survival(self, score: float, times) -> np.ndarray:
        """S(t | score) = S0(t) ** exp(score)."""
        t = np.asarray(times, dtype=float)
        return np.exp(-np.power(np.maximum(t, 0) / self.scale, self.shape) * math.exp(score))

    def median(self, score: float) -> float | None:
        """Median survival (months) for ``score``."""
        return self.scale * (math.log(2) / math.exp(score)) ** (1 / self.shape)


@dataclass(frozen=True)
class StepBaseline:
    """Step-function baseline S0 (e.g. a Breslow estimate on a user's own cohort).

    ``surv[i]`` is S0 on ``[time[i], time[i+1])``; S0 = 1 before ``time[0]``.
    """

    time: tuple[float, ...]
    surv: tuple[float, ...]
    endpoint: str = "os"
    source: str = "user-supplied"

    def surv0(self, times) -> np.ndarray:
        t = np.asarray(times, dtype=float)
        idx = np.searchsorted(np.asarray(self.time), t, side="right") - 1
        s = np.asarray(self.surv)
        return np.where(idx >= 0, s[np.clip(idx, 0, None)], 1.0)

    def survival(self, score: float, times) -> np.ndarray:
        return np.power(self.surv0(times), math.exp(score))

    def median(self, score: float) -> float | None:
        """Smallest time with S(t | score) <= 0.5, or ``None`` if not reached.

        As R's ``survfit``: when S is exactly 0.5 on a step, the midpoint between
        that step and the next one.
        """
        s = np.power(np.asarray(self.surv), math.exp(score))
        hit = np.flatnonzero(s <= 0.5 + 1e-12)
        if not len(hit):
            return None
        i = int(hit[0])
        if abs(s[i] - 0.5) <= 1e-12 and i + 1 < len(s):
            return (self.time[i] + self.time[i + 1]) / 2
        return float(self.time[i])


Baseline = WeibullBaseline | StepBaseline


def model_baseline(endpoint: str = "os") -> WeibullBaseline:
    """The reconstructed baseline stored in the model file for ``endpoint``.

    Parameters
    ----------
    endpoint : {"os", "efs"}
        The endpoint.

    Returns
    -------
    WeibullBaseline
        Shape and scale of the reconstruction (``baseline_survival`` in the model file), with
        its label as ``source``.

    Raises
    ------
    RuntimeError
        The model file has no ``baseline_survival``.
    """
    b = load_model().raw.get("baseline_survival")
    if not b:
        raise RuntimeError("the model file has no baseline_survival")
    p = b["endpoints"][endpoint]["parameters"]
    return WeibullBaseline(shape=float(p["shape"]), scale=float(p["scale"]), endpoint=endpoint,
                           source=b["label"])


def _resolve(endpoint: str, baseline) -> Any:
    if endpoint not in ENDPOINTS:
        raise InputError(f"unknown endpoint {endpoint!r}; accepted: {', '.join(ENDPOINTS)}", field="endpoint")
    if baseline is None:
        return model_baseline(endpoint)
    if isinstance(baseline, dict):
        if endpoint not in baseline:
            raise InputError(f"the baseline has no endpoint {endpoint!r} (has: {', '.join(baseline)})")
        return baseline[endpoint]
    return baseline


def predict_survival(score: float, times, endpoint: str = "os", baseline=None) -> np.ndarray:
    """Predicted survival probabilities S(t | score) = S0(t) ** exp(score).

    Parameters
    ----------
    score : float
        VEN-PRS score for ``endpoint`` (sum of the Table 4 coefficients).
    times : float or array of float
        Months from the start of HMA/venetoclax.
    endpoint : {"os", "efs"}
    baseline : WeibullBaseline, StepBaseline, dict of them by endpoint, or None
        ``None``: the venprs reconstruction in the model file.

    Returns
    -------
    numpy.ndarray of survival probabilities, same shape as ``times``.

    Examples
    --------
    >>> s = predict_survival(0.0, [0, 12], "os")
    >>> float(s[0]), bool(0 < s[1] < 1)
    (1.0, True)

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods).
    """
    return _resolve(endpoint, baseline).survival(float(score), times)


def median_survival(score: float, endpoint: str = "os", baseline=None) -> float | None:
    """Predicted median survival (months) for a score; ``None`` when not reached.

    Parameters
    ----------
    score : float
        VEN-PRS score for ``endpoint``.
    endpoint : {"os", "efs"}
        The endpoint.
    baseline : WeibullBaseline, StepBaseline, dict of them by endpoint, or None
        ``None``: the venprs reconstruction in the model file (:func:`model_baseline`).

    Returns
    -------
    float or None
        The time at which ``S0(t) ** exp(score)`` reaches 0.5 (for a step baseline the first
        step at or below 0.5, R's ``survfit`` rule), ``None`` when a step baseline does not
        reach it.

    Raises
    ------
    InputError
        Unknown endpoint, or a baseline dict without it.
    """
    return _resolve(endpoint, baseline).median(float(score))


def load_baseline(path: str | Path) -> dict[str, StepBaseline]:
    """Read a user baseline survival (step function) from CSV or JSON.

    CSV: columns ``time`` and ``surv`` (S0 at and after ``time``), optional
    ``endpoint`` (``os``/``efs``; without it the file is the OS baseline). JSON:
    ``{"os": {"time": [...], "surv": [...]}, "efs": {...}}`` or a list of records
    with the same fields as the CSV.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; ``.json`` is read as JSON, any other suffix as a table (:func:`venprs.io.read_table`).

    Returns
    -------
    dict of str to StepBaseline
        ``{endpoint: StepBaseline}``, usable as ``baseline=`` everywhere.

    Raises
    ------
    InputError
        Missing columns, times not increasing, survival outside [0, 1] or increasing.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except ValueError as e:
            raise InputError(f"cannot read this JSON file: {e}", file=p) from None
        if isinstance(data, dict):
            records = [{"endpoint": ep, "time": t, "surv": s}
                       for ep, v in data.items() if ep in ENDPOINTS for t, s in zip(v["time"], v["surv"])]
        else:
            records = list(data)
        df = pd.DataFrame.from_records(records)
    else:
        df = read_table(p, text=False)
    cols = {str(c).strip().lower(): c for c in df.columns}
    for need in ("time", "surv"):
        if need not in cols:
            raise InputError(f"no column {need!r}; a baseline needs columns time, surv (and optionally endpoint)",
                             file=p, column=need)
    ep_col = cols.get("endpoint")
    out: dict[str, StepBaseline] = {}
    eps = df[ep_col].astype(str).str.strip().str.lower() if ep_col is not None else None
    for ep in (ENDPOINTS if eps is not None else ("os",)):
        rows = np.flatnonzero((eps == ep).to_numpy()) if eps is not None else np.arange(len(df))
        if eps is not None:
            bad = sorted(set(eps) - set(ENDPOINTS))
            if bad:
                r = int(np.flatnonzero((eps == bad[0]).to_numpy())[0]) + 1
                raise InputError(f"endpoint must be one of {', '.join(ENDPOINTS)}", file=p, row=r,
                                 column=str(ep_col), value=bad[0])
        if not len(rows):
            continue
        t = _numeric(df[cols["time"]].to_numpy()[rows], p, rows, str(cols["time"]))
        s = _numeric(df[cols["surv"]].to_numpy()[rows], p, rows, str(cols["surv"]))
        for i in range(len(t)):
            if not 0 <= s[i] <= 1:
                raise InputError("survival must be between 0 and 1", file=p, row=int(rows[i]) + 1,
                                 column=str(cols["surv"]), value=s[i])
            if i and t[i] <= t[i - 1]:
                raise InputError("times must increase", file=p, row=int(rows[i]) + 1, column=str(cols["time"]),
                                 value=t[i])
            if i and s[i] > s[i - 1] + 1e-12:
                raise InputError("survival must not increase over time", file=p, row=int(rows[i]) + 1,
                                 column=str(cols["surv"]), value=s[i])
        out[ep] = StepBaseline(tuple(map(float, t)), tuple(map(float, s)), endpoint=ep, source=f"user: {p.name}")
    if not out:
        raise InputError("no baseline rows", file=p)
    return out


def _numeric(values, path, rows, column) -> np.ndarray:
    out = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise InputError("not a number", file=path, row=int(rows[i]) + 1, column=column, value=v) from None
        if math.isnan(out[i]):
            raise InputError("missing value", file=path, row=int(rows[i]) + 1, column=column, value=v)
    return out


# ---------------------------------------------------------------- single-patient summary

def predicted_summary(lo: float, hi: float, endpoint: str, baseline=None) -> dict[str, Any]:
    """Median and 6/12/24-month survival for a score (or a score range ``[lo, hi]``).

    For a range the values are ``{"lo": ..., "hi": ...}`` over the range (the
    best case is the lowest score: longest median, highest survival).

    Parameters
    ----------
    lo, hi : float
        Lowest and highest possible score for ``endpoint`` (equal for a known score).
    endpoint : {"os", "efs"}
        The endpoint.
    baseline : WeibullBaseline, StepBaseline, dict of them by endpoint, or None
        As for :func:`predict_survival` (``None``: the model file's reconstruction).

    Returns
    -------
    dict
        ``median_months`` (1 decimal, ``None`` if not reached), ``survival_6m``,
        ``survival_12m``, ``survival_24m`` (3 decimals) and ``baseline`` (its source); each
        value a ``{"lo": ..., "hi": ...}`` pair for a range.
    """
    b = _resolve(endpoint, baseline)

    def med(s):
        m = b.median(s)
        return None if m is None else round(float(m), 1)

    def surv(s, h):
        return round(float(b.survival(s, [h])[0]), 3)

    out: dict[str, Any] = {}
    if lo == hi:
        out["median_months"] = med(lo)
        for h in HORIZONS:
            out[f"survival_{h}m"] = surv(lo, h)
    else:
        m_best, m_worst = med(lo), med(hi)
        out["median_months"] = {"lo": m_worst, "hi": m_best}
        for h in HORIZONS:
            out[f"survival_{h}m"] = {"lo": surv(hi, h), "hi": surv(lo, h)}
    out["baseline"] = getattr(b, "source", "")
    return out


def predicted_text(endpoint: str, pred: dict[str, Any]) -> str:
    """One readable line for the score output.

    Parameters
    ----------
    endpoint : {"os", "efs"}
        The endpoint (shown upper case).
    pred : dict
        :func:`predicted_summary` result, optionally with ``withheld`` (the reason why no
        prediction is given).

    Returns
    -------
    str
        ``predicted OS: median <m> months; 6m <p>%, 12m <p>%, 24m <p>% [<baseline>]`` (a range
        as ``<lo> to <hi>``, ``not reached`` for no median), the reconstructed baseline labelled
        as not published.
    """
    name = endpoint.upper()

    def fm(v, pct=False):
        if v is None:
            return "not reached"
        if isinstance(v, dict):
            return f"{fm(v['lo'], pct)} to {fm(v['hi'], pct)}"
        return f"{100 * v:.0f}%" if pct else f"{v:.1f} months"

    src = pred.get("baseline", "")
    label = "venprs reconstructed baseline, not published" if "reconstruction" in src else src
    if pred.get("withheld"):
        return f"predicted {name}: not given - {pred['withheld']} [{label}]"
    parts = ", ".join(f"{h}m {fm(pred[f'survival_{h}m'], True)}" for h in HORIZONS)
    return f"predicted {name}: median {fm(pred['median_months'])}; {parts} [{label}]"


# ---------------------------------------------------------------- supported scores

def supported_score_range(endpoint: str) -> tuple[float, float]:
    """The supported score range stored in the model file (``baseline_survival.supported_scores``).

    Predicted survival is withheld for scores outside it (see docs/web.md).

    Parameters
    ----------
    endpoint : {"os", "efs"}
        Endpoint whose score range is read.

    Returns
    -------
    lo, hi : float
        Lowest and highest supported score.
    """
    lo, hi = load_model().raw["baseline_survival"]["supported_scores"]["endpoints"][endpoint]
    return float(lo), float(hi)
