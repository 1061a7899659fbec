"""The published values that ``venprs reproduce`` puts beside each of its numbers.

Read from the model file (Table 4 coefficients, HRs, CIs and p; group sizes and
medians) and from ``venprs/data/paper_targets.json`` (other published cohort
numbers, each with its source), never typed in code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..model import load_model, published_groups_table
from .verdict import tolerance

__all__ = ["paper_values", "compare_row"]


def _targets() -> dict:
    try:
        text = resources.files("venprs").joinpath("data/paper_targets.json").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return {}
    return json.loads(text)


@lru_cache(maxsize=1)
def paper_values() -> dict:
    """Published numbers, by analysis: ``cox``, ``groups`` (model file) and ``targets`` (paper_targets.json)."""
    m = load_model()
    cox, groups = {}, {}
    for ep, spec in m.endpoints.items():
        cox[ep] = {
            "multivariate": {t.factor: {"coef": float(t.coefficient), "hr": t.hr, "ci_low": t.ci[0],
                                        "ci_high": t.ci[1], "p": t.p, "source": t.source} for t in spec.terms},
            "univariate": {t.factor: {"hr": t.univariate.get("hr"), "ci_low": (t.univariate.get("ci") or [None])[0],
                                      "ci_high": (t.univariate.get("ci") or [None, None])[1],
                                      "p": t.univariate.get("p"), "source": t.source}
                           for t in spec.terms if t.univariate},
        }
        groups[ep] = published_groups_table(ep)
    return {"cox": cox, "groups": groups, "targets": _targets()}


def compare_row(quantity: str, paper, this_run, digits: int = 2, source: str = "", kind: str = "value", *,
                judge: str | None = None, n: int | None = None, ci: tuple | None = None) -> dict:
    """One comparison row: quantity, paper, this run, difference (this run - paper), tolerance and verdict.

    Parameters
    ----------
    quantity : str
        What is compared (the row's label).
    paper : float, str or None
        The published value (from :func:`paper_values`).
    this_run : float, str or None
        This run's value.
    digits : int, default 2
        Decimals to show (stored in the row for the formatting).
    source : str, default ""
        Where the published value is in the paper (table, figure or text).
    kind : str, default "value"
        What the quantity is (the kinds of :func:`venprs.reporting.verdict.tolerance`); ``"p"`` marks a
        p-value (shown as ``<0.001`` when small; no difference).
    judge : str or None, default None
        The tolerance kind, when it differs from ``kind``; ``None`` uses ``kind``.
    n : int or None, default None
        Cohort size, for the ``count`` and ``auc`` tolerances.
    ci : tuple or None, default None
        The paper's 95% CI, for the ``hr``, ``coef`` and ``median`` tolerances.

    Returns
    -------
    dict
        ``quantity``, ``paper``, ``this_run``, ``difference`` (``this_run - paper`` rounded to 10 decimals
        when both are numbers and ``kind`` is not ``"p"``, else ``None``), ``tolerance`` (the dict of
        :func:`~venprs.reporting.verdict.tolerance`), ``within_tolerance`` (bool, or ``None`` when this run
        has no value), ``source``, ``digits`` and ``kind``.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    diff = None
    if kind != "p" and isinstance(paper, (int, float)) and isinstance(this_run, (int, float)) \
            and not isinstance(paper, bool):
        diff = round(float(this_run) - float(paper), 10)
    tol, within = tolerance(judge or kind, paper, this_run, n=n, ci=ci)
    return {"quantity": quantity, "paper": paper, "this_run": this_run, "difference": diff, "tolerance": tol,
            "within_tolerance": within, "source": source, "digits": digits, "kind": kind}
