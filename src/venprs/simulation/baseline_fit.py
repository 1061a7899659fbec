"""Build step: the reconstructed baseline survival stored in the model file (``"baseline_survival"``).

The paper gives the Cox model but not the baseline survival S0(t). venprs
reconstructs one per endpoint from the published group medians and their 95% CIs
(Results; Fig. 2 and 3): a Weibull S0(t) = exp(-(t/scale)^shape) whose group
medians, averaged over each group's score distribution in the molecular cohort
(:func:`venprs.simulation.factor_joint`), match the published medians in weighted
least squares. This is an *offline* fit: runtime prediction
(:mod:`venprs.prediction`) only reads the stored parameters.

Run ``python -m venprs.simulation.baseline_fit`` to compare a fresh fit with the
model file (exit 1 when they differ) and ``... --write`` to store it (only the
``baseline_survival`` block of the model file is rewritten; other keys of that
block are kept). ``tests/test_prediction.py`` re-runs the fit and checks that it
reproduces the stored numbers.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results, 'Predictors of overall
   and event-free survival': group medians and 95% CIs; Fig. 2, Fig. 3).
"""

from __future__ import annotations

import json
import math
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize, stats

from ..model import ENDPOINTS, GROUPS, load_model
from ..scoring import score_codes
from .factors import factor_joint

__all__ = ["reconstruct_baseline", "derive_supported_scores", "supported_scores_entry", "SUPPORT_MIN_EXPECTED",
           "baseline_entry", "model_file_path", "write_baseline_entry"]

#: The label of the reconstructed baseline in the model file (it is not published by the authors).
LABEL = "venprs reconstruction - NOT published by the authors"


def _group_score_distribution(endpoint: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per risk group, the scores and their probabilities in the molecular cohort (venprs.simulate joint)."""
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

    return math.exp(optimize.brentq(f, -15, 15, xtol=1e-12))


def reconstruct_baseline(endpoint: str) -> dict[str, Any]:
    """Fit the Weibull baseline for ``endpoint`` to the published group medians.

    Each group's model median is the median of the mixture
    sum_s w_s S0(t)^exp(s) over the group's score distribution (from the
    molecular-cohort factor distribution of :func:`venprs.simulation.factor_joint`).
    (log scale, log shape) minimise sum_g ((log m_g - log m_g,published) / se_g)^2
    with se_g = (log upper - log lower) / (2 * 1.96) from the published 95% CI.

    Parameters
    ----------
    endpoint : {"os", "efs"}

    Returns
    -------
    dict with ``parameters`` (shape, scale), ``fitted_group_medians``,
    ``published_group_medians`` and ``weights_se``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results; Fig. 2, Fig. 3).
    """
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

    Parameters
    ----------
    endpoint : {"os", "efs"}
        The endpoint whose score is used.
    min_expected : float
        Fewest expected patients at or beyond an end of the range
        (:data:`SUPPORT_MIN_EXPECTED`).
    n : int, optional
        Size of the derivation cohort (default: the endpoint's ``n_derivation`` in the
        model file).

    Returns
    -------
    lo, hi : float
        Lowest and highest supported score.

    Examples
    --------
    >>> derive_supported_scores("os"), derive_supported_scores("efs")
    ((-0.98, 2.03), (-0.87, 1.75))

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 1; Results).
    """
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


def supported_scores_entry() -> dict[str, Any]:
    """The ``"supported_scores"`` block of the model file's ``baseline_survival`` (recomputed).

    Returns
    -------
    dict
        The block as written into the model file.
    """
    return {
        "rule": (f"a score is supported when at least {SUPPORT_MIN_EXPECTED:g} of the derivation patients "
                 "is expected at that score or beyond it (toward the nearer end); expected numbers from "
                 "venprs.simulation.factor_joint (published prevalences and OS group sizes; NF1, PTPN11 and "
                 "SF3B1 counts reasoned, not published). Recompute with "
                 "python -m venprs.simulation.baseline_fit; see docs/web.md."),
        "min_expected_patients": SUPPORT_MIN_EXPECTED,
        "endpoints": {ep: list(derive_supported_scores(ep)) for ep in ENDPOINTS},
    }


def baseline_entry() -> dict[str, Any]:
    """The ``"baseline_survival"`` block of the model file, recomputed.

    Returns
    -------
    dict with ``label``, ``form``, ``method``, ``sources`` and ``endpoints``
    (one :func:`reconstruct_baseline` result per endpoint).
    """
    return {
        "label": LABEL,
        "form": "Weibull: S0(t) = exp(-(t/scale)^shape), t in months; S(t | S) = S0(t)^exp(S), S = VEN-PRS score",
        "method": ("Weighted least squares on log group medians: each group's median is the median of "
                   "sum_s w_s S0(t)^exp(s) over the group's score distribution in the molecular cohort "
                   "(venprs.simulation.factor_joint); weights from the published 95% CIs. Recompute with "
                   "python -m venprs.simulation.baseline_fit; see docs/model-notes.md."),
        "sources": ("Results, 'Predictors of overall and event-free survival' (group medians and 95% CIs); "
                    "Fig. 2, Fig. 3"),
        "endpoints": {ep: reconstruct_baseline(ep) for ep in ENDPOINTS},
        "supported_scores": supported_scores_entry(),
    }


def model_file_path() -> Path:
    """The model file in the source tree (or installed package).

    Returns
    -------
    pathlib.Path
        The path of ``venprs_2025.json``.
    """
    return Path(str(resources.files("venprs").joinpath("model", "venprs_2025.json")))


def _block_span(text: str, key: str) -> tuple[int, int]:
    """Start and end offsets of the JSON value of top-level ``key`` in ``text``."""
    i = text.index(f'"{key}":') + len(key) + 3
    while text[i] in " \n":
        i += 1
    _, end = json.JSONDecoder().raw_decode(text, i)
    return i, end


def write_baseline_entry(path: Path, entry: dict[str, Any]) -> bool:
    """Store ``entry`` as the ``baseline_survival`` block of the model file at ``path``.

    Only that block is rewritten (its other keys, e.g. ``supported_scores``, are kept);
    the rest of the file keeps its bytes.

    Parameters
    ----------
    path : pathlib.Path
        The model file (:func:`model_file_path`).
    entry : dict
        Keys to set in the ``baseline_survival`` block (:func:`baseline_entry`).

    Returns
    -------
    bool
        True when the file changed (it is written only then).
    """
    text = path.read_text(encoding="utf-8")
    start, end = _block_span(text, "baseline_survival")
    block = dict(json.loads(text[start:end]), **entry)
    new = text[:start] + json.dumps(block, indent=2, ensure_ascii=False).replace("\n", "\n  ") + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    """``python -m venprs.simulation.baseline_fit [--write]``; returns the exit code."""
    fresh = baseline_entry()
    stored = load_model().raw.get("baseline_survival") or {}
    same = all(stored.get(k) == v for k, v in fresh.items())
    if "--write" in argv:
        changed = write_baseline_entry(model_file_path(), fresh)
        print(f"{'updated' if changed else 'unchanged'}: {model_file_path()}", file=sys.stderr)
        return 0
    print(json.dumps(fresh, indent=2))
    print("the model file " + ("matches this fit" if same else "DIFFERS from this fit (run with --write)"),
          file=sys.stderr)
    return 0 if same else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
