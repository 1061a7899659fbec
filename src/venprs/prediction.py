"""Predicted survival for a VEN-PRS score: S(t | S) = S0(t) ** exp(S).

The paper gives the Cox model but not the baseline survival S0(t). venprs
reconstructs one per endpoint from the published group medians and their 95%
CIs (Results; Fig. 2 and 3): a Weibull S0(t) = exp(-(t/scale)^shape) whose
group medians, averaged over each group's score distribution, match the
published medians in weighted least squares. The fitted parameters are stored
in the model file under ``"baseline_survival"``, labelled as a venprs
reconstruction (not published by the authors); see docs/model-notes.md.

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

from .errors import InputError
from .model import ENDPOINTS, GROUPS, load_model


class _Lazy:
    """A scipy submodule imported on first use (keeps ``import venprs`` fast)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib
        return getattr(importlib.import_module(f"scipy.{self._name}"), attr)


optimize = _Lazy("optimize")
stats = _Lazy("stats")

__all__ = [
    "WeibullBaseline", "StepBaseline", "predict_survival", "median_survival", "load_baseline",
    "model_baseline", "reconstruct_baseline", "predicted_summary", "HORIZONS",
    "supported_score_range", "derive_supported_scores",
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
    """The reconstructed baseline stored in the model file for ``endpoint``."""
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
    """Predicted median survival (months) for a score; ``None`` when not reached."""
    return _resolve(endpoint, baseline).median(float(score))


def load_baseline(path: str | Path) -> dict[str, StepBaseline]:
    """Read a user baseline survival (step function) from CSV or JSON.

    CSV: columns ``time`` and ``surv`` (S0 at and after ``time``), optional
    ``endpoint`` (``os``/``efs``; without it the file is the OS baseline). JSON:
    ``{"os": {"time": [...], "surv": [...]}, "efs": {...}}`` or a list of records
    with the same fields as the CSV.

    Returns
    -------
    dict ``{endpoint: StepBaseline}``, usable as ``baseline=`` everywhere.

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
        import pandas as pd
        df = pd.DataFrame.from_records(records)
    else:
        from .io import read_table
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
    """One readable line for the score output."""
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


# ---------------------------------------------------------------- reconstruction

def _group_score_distribution(endpoint: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per risk group, the scores and their probabilities in the molecular cohort (venprs.simulate joint)."""
    from .scoring import score_codes
    from .simulation import factor_joint
    combos, p = factor_joint()
    r = score_codes(combos, endpoint)
    scores = r["lo"] / load_model().scale
    out = {}
    for g, bit in zip(GROUPS, (1, 2, 4)):
        sel = r["possible"] == bit
        vals, inv = np.unique(scores[sel], return_inverse=True)
        w = np.bincount(inv, weights=p[sel])
        out[g] = (vals, w / w.sum())
    return out


def _mixture_median(shape, scale, scores, weights) -> float:
    def f(logt):
        return float(np.sum(weights * np.exp(-(math.exp(logt) / scale) ** shape * np.exp(scores)))) - 0.5
    from scipy import optimize

    return math.exp(optimize.brentq(f, -15, 15, xtol=1e-12))


def reconstruct_baseline(endpoint: str) -> dict[str, Any]:
    """Fit the Weibull baseline for ``endpoint`` to the published group medians.

    Each group's model median is the median of the mixture
    sum_s w_s S0(t)^exp(s) over the group's score distribution (from the
    molecular-cohort factor distribution of :func:`venprs.simulation.factor_joint`).
    (log scale, log shape) minimise sum_g ((log m_g - log m_g,published) / se_g)^2
    with se_g = (log upper - log lower) / (2 * 1.96) from the published 95% CI.

    Returns
    -------
    dict with ``parameters`` (shape, scale), ``fitted_group_medians``,
    ``published_group_medians`` and ``weights_se``.
    """
    from scipy import optimize, stats

    ep = load_model().endpoints[endpoint]
    dist = _group_score_distribution(endpoint)
    z = stats.norm.ppf(0.975)
    pub = {g: float(ep.group_outcomes[g]["median_months"]) for g in GROUPS}
    se = {g: (math.log(ep.group_outcomes[g]["ci"][1]) - math.log(ep.group_outcomes[g]["ci"][0])) / (2 * z)
          for g in GROUPS}

    def resid(theta):
        shape, scale = math.exp(theta[0]), math.exp(theta[1])
        return [(math.log(_mixture_median(shape, scale, *dist[g])) - math.log(pub[g])) / se[g] for g in GROUPS]

    fit = optimize.least_squares(resid, x0=[0.0, math.log(pub["favorable"])], xtol=1e-12, ftol=1e-12, gtol=1e-12)
    shape, scale = math.exp(fit.x[0]), math.exp(fit.x[1])
    return {
        "parameters": {"shape": round(shape, 6), "scale": round(scale, 6)},
        "fitted_group_medians": {g: round(_mixture_median(shape, scale, *dist[g]), 3) for g in GROUPS},
        "published_group_medians": pub,
        "weights_se": {g: round(se[g], 4) for g in GROUPS},
    }


#: Fewest derivation patients expected at or beyond a score for it to count as supported.
SUPPORT_MIN_EXPECTED = 1.0


def derive_supported_scores(endpoint: str, min_expected: float = SUPPORT_MIN_EXPECTED,
                            n: int | None = None) -> tuple[float, float]:
    """The score range supported by the derivation data (recomputes the model file's entry).

    Expected numbers of the ``n`` (174) molecular-cohort patients at each score come
    from the factor joint distribution of :func:`venprs.simulation.factor_joint`
    (the published prevalences of extramedullary disease, prior HMA, FLT3 and
    TP53, venprs's reasoned counts for NF1, PTPN11 and SF3B1, and the published
    OS group sizes 46/75/53). The supported range runs from the lowest score
    ``s`` with at least ``min_expected`` patients expected at a score <= ``s``
    to the highest score with at least ``min_expected`` patients expected at a
    score >= it: beyond these ends fewer than one patient of the derivation
    cohort is expected, so the fitted model is extrapolating.

    >>> derive_supported_scores("os"), derive_supported_scores("efs")
    ((-0.98, 2.03), (-0.87, 1.75))

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 1; Results).
    """
    from .scoring import score_codes
    from .simulation import factor_joint
    m = load_model()
    n = m.endpoints[endpoint].raw["n_derivation"] if n is None else n
    combos, p = factor_joint()
    units = score_codes(combos, endpoint)["lo"]
    vals = np.unique(units)
    w = np.array([p[units == v].sum() for v in vals]) * n
    below, above = np.cumsum(w), np.cumsum(w[::-1])[::-1]
    lo = vals[np.flatnonzero(below >= min_expected)[0]]
    hi = vals[np.flatnonzero(above >= min_expected)[-1]]
    return m.from_units(int(lo)), m.from_units(int(hi))


def supported_score_range(endpoint: str) -> tuple[float, float]:
    """The supported score range stored in the model file (``baseline_survival.supported_scores``).

    Predicted survival is withheld for scores outside it (see docs/web.md).
    """
    lo, hi = load_model().raw["baseline_survival"]["supported_scores"]["endpoints"][endpoint]
    return float(lo), float(hi)


def supported_scores_entry() -> dict[str, Any]:
    """The ``"supported_scores"`` block of the model file's ``baseline_survival`` (recomputed)."""
    return {
        "rule": (f"a score is supported when at least {SUPPORT_MIN_EXPECTED:g} of the derivation patients "
                 "is expected at that score or beyond it (toward the nearer end); expected numbers from "
                 "venprs.simulation.factor_joint (published prevalences and OS group sizes; NF1, PTPN11 and "
                 "SF3B1 counts reasoned, not published). Recompute with "
                 "venprs.prediction.supported_scores_entry(); see docs/web.md."),
        "min_expected_patients": SUPPORT_MIN_EXPECTED,
        "endpoints": {ep: list(derive_supported_scores(ep)) for ep in ENDPOINTS},
    }


def baseline_entry() -> dict[str, Any]:
    """The ``"baseline_survival"`` block of the model file (recomputed)."""
    return {
        "label": "venprs reconstruction - NOT published by the authors",
        "form": "Weibull: S0(t) = exp(-(t/scale)^shape), t in months; S(t | S) = S0(t)^exp(S), S = VEN-PRS score",
        "method": ("Weighted least squares on log group medians: each group's median is the median of "
                   "sum_s w_s S0(t)^exp(s) over the group's score distribution in the molecular cohort "
                   "(venprs.simulation.factor_joint); weights from the published 95% CIs. Recompute with "
                   "venprs.prediction.baseline_entry(); see docs/model-notes.md."),
        "sources": ("Results, 'Predictors of overall and event-free survival' (group medians and 95% CIs); "
                    "Fig. 2, Fig. 3"),
        "endpoints": {ep: reconstruct_baseline(ep) for ep in ENDPOINTS},
        "supported_scores": supported_scores_entry(),
    }


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(baseline_entry(), indent=2))
