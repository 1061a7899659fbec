"""Tolerances and verdicts for "paper vs this run" rows: the one definition the reports use.

A tolerance says how far this run may lie from the published value before the
difference is more than noise, and why: the simulator's stated tolerances
(:data:`venprs.simulation.assumptions.TOLERANCES`, the ones ``venprs simulate
--check`` flags OFF with), the sampling error of a proportion for the cohort
size, or the paper's own 95% confidence interval.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from ..simulation.assumptions import TOLERANCES

__all__ = ["tolerance", "verdict_summary", "SYNTHETIC_SCOPE"]

#: What a synthetic cohort can and cannot reproduce (said at the head of every comparison).
SYNTHETIC_SCOPE = ("The synthetic cohort is tuned to the paper's published margins (Table 1-3 counts, "
                   "Kaplan-Meier medians, group sizes): those should agree within tolerance. It does not "
                   "carry the registry's joint distribution, so multivariable coefficients, p-values, AIC and "
                   "AUC agree only in direction and rough size.")


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def tolerance(kind: str, paper: Any, this_run: Any, *, n: Optional[int] = None,
              ci: Optional[tuple] = None) -> tuple[dict, Optional[bool]]:
    """The tolerance of one comparison row and whether this run lies within it.

    Parameters
    ----------
    kind : str
        ``count`` (patients, of ``n``), ``percent`` (a response rate in %),
        ``median`` (months), ``hr`` or ``coef`` (Cox; ``ci`` the paper's 95% CI
        of the HR), ``p`` (a p-value), ``aic`` (AIC difference vs the null
        model), ``auc``, or ``value`` (exact).
    paper, this_run
        The published value and this run's (numbers, ``None`` or text such as
        ``"not reached"``).
    n : int, optional
        Cohort size, for ``count`` and ``auc``.
    ci : tuple, optional
        The paper's 95% CI (HR scale for ``hr``/``coef``; months for ``median``).

    Returns
    -------
    (dict, bool or None)
        ``{"text", "reason", "low", "high"}`` and the verdict (``None`` when
        this run has no value).

    References
    ----------
    .. [1] Shahswar R et al. Leukemia 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    pp = TOLERANCES["proportion_pp"]
    if this_run is None or (isinstance(this_run, float) and math.isnan(this_run)):
        return {"text": "-", "reason": "no value in this run", "low": None, "high": None}, None
    if not _num(paper) or not _num(this_run):
        same = str(paper) == str(this_run) or (paper in (None, "not reached") and this_run in (None, "not reached"))
        return {"text": "same", "reason": "not a number: the two must agree", "low": None, "high": None}, same
    paper, ours = float(paper), float(this_run)
    if kind == "count" and n:
        p = min(max(paper / n, 0.0), 1.0)
        half = max(pp / 100, 1.96 * math.sqrt(p * (1 - p) / n)) * n
        tol = {"text": f"±{half:.1f}", "reason": f"larger of the simulator's ±{pp:g} pp and 1.96 sampling SE of a "
               f"proportion for n = {n}", "low": paper - half, "high": paper + half}
    elif kind == "percent":
        half = TOLERANCES["rate_pair_pp"]
        tol = {"text": f"±{half:g} pp", "reason": "simulator's stated tolerance for response rates "
               "(simulate --check)", "low": paper - half, "high": paper + half}
    elif kind == "median" and ci is not None and _num(ci[0]) and _num(ci[1]):
        tol = {"text": f"{ci[0]:g}-{ci[1]:g}", "reason": "the paper's 95% CI", "low": float(ci[0]),
               "high": float(ci[1])}
    elif kind == "median":
        half = TOLERANCES["median_rel"] * abs(paper)
        tol = {"text": f"±{TOLERANCES['median_rel']:.0%}", "reason": "simulator's stated tolerance for medians "
               "(simulate --check)", "low": paper - half, "high": paper + half}
    elif kind in ("hr", "coef") and ci is not None and _num(ci[0]) and _num(ci[1]) and ci[0] > 0:
        lo, hi = (float(ci[0]), float(ci[1])) if kind == "hr" else (math.log(ci[0]), math.log(ci[1]))
        tol = {"text": f"{lo:.2f}-{hi:.2f}", "reason": "the paper's 95% CI" + (" (log scale)" if kind == "coef"
               else ""), "low": lo, "high": hi}
    elif kind == "p":
        within = (paper < 0.05) == (ours < 0.05)
        return {"text": "same side of 0.05", "reason": "p-values vary widely between samples; the verdict asks "
                "for the same conclusion at alpha = 0.05", "low": None, "high": None}, within
    elif kind == "aic":
        within = paper != 0 and (paper < 0) == (ours < 0)
        return {"text": "same sign", "reason": "no sampling error is published for AIC differences; the verdict "
                "asks that both prefer the same model", "low": None, "high": None}, within
    elif kind == "auc" and n:
        half = 1.96 * math.sqrt(max(paper * (1 - paper), 0.0) / (n / 2))
        tol = {"text": f"±{half:.2f}", "reason": f"1.96 sampling SE (binomial approximation, n = {n})",
               "low": paper - half, "high": paper + half}
    else:
        return {"text": "exact", "reason": "a fixed quantity", "low": paper, "high": paper}, ours == paper
    return tol, bool(tol["low"] - 1e-9 <= ours <= tol["high"] + 1e-9)


def verdict_summary(rows: list[dict]) -> str:
    """``"N of M within tolerance"`` for comparison rows (rows without a verdict are not counted).

    Parameters
    ----------
    rows : list of dict
        Comparison rows of :func:`venprs.reporting.paper.compare_row` (their ``within_tolerance``:
        ``True``, ``False`` or ``None``).

    Returns
    -------
    str
        ``"N of M within tolerance"``: M rows with a verdict, N of them within tolerance.

    Examples
    --------
    >>> verdict_summary([{"within_tolerance": True}, {"within_tolerance": False}, {"within_tolerance": None}])
    '1 of 2 within tolerance'
    """
    judged = [r for r in rows if r.get("within_tolerance") is not None]
    return f"{sum(bool(r['within_tolerance']) for r in judged)} of {len(judged)} within tolerance"
