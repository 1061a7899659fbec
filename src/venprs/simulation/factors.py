"""The joint distribution of the seven VEN-PRS factors in the molecular cohort, and its evidence.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 1, Table 4, Results).
.. [2] Deming WE, Stephan FF. On a least squares adjustment of a sampled frequency
   table when the expected marginal totals are known. Ann Math Stat.
   1940;11:427-44 (iterative proportional fitting).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import optimize, stats

from ..model import load_model
from ..scoring import score_codes
from .assumptions import ASSUMPTIONS, FACTORS
from .targets import cohort_size, share, target

__all__ = ["factor_margins", "factor_joint", "expected_group_sizes", "prevalence_reasoning"]


def factor_margins() -> np.ndarray:
    """Molecular-cohort prevalence of each factor, in FACTORS order.

    Returns
    -------
    numpy.ndarray
        Prevalences (0-1), one per factor.
    """
    a = ASSUMPTIONS
    n_mol = cohort_size("molecular")
    return np.array([
        share("table1.molecular.extramedullary.yes"),
        share("table1.molecular.prior_hma.yes"),
        a["nf1_count"] / n_mol, a["ptpn11_count"] / n_mol,
        share("text.molecular.gene.flt3"),
        share("text.molecular.gene.tp53"),
        a["sf3b1_count"] / n_mol,
    ])


def _combos() -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=len(FACTORS))), dtype=np.int8)


def _os_groups_of_combos(combos: np.ndarray) -> np.ndarray:
    bits = score_codes(combos, "os")["possible"]
    return np.select([bits == 1, bits == 2, bits == 4], [0, 1, 2], -1)


def _independent(combos: np.ndarray, margins: np.ndarray) -> np.ndarray:
    return np.prod(np.where(combos == 1, margins, 1 - margins), axis=1)


@lru_cache(maxsize=4)
def _joint_cached(margins: tuple, groups: tuple | None) -> tuple[np.ndarray, np.ndarray]:
    combos = _combos()
    m = np.array(margins)
    p = _independent(combos, m)
    if groups is not None:
        gid = _os_groups_of_combos(combos)
        target_g = np.array(groups, dtype=float) / sum(groups)
        for _ in range(5000):
            for j in range(len(FACTORS)):
                on = combos[:, j] == 1
                s = p[on].sum()
                p = np.where(on, p * m[j] / s, p * (1 - m[j]) / (1 - s))
            for k in range(3):
                s = p[gid == k].sum()
                p = np.where(gid == k, p * target_g[k] / s, p)
            err = max(abs(p[combos[:, j] == 1].sum() - m[j]) for j in range(len(FACTORS)))
            if err < 1e-12:
                break
        p = p / p.sum()
    return combos, p


def factor_joint(margins=None, groups="published") -> tuple[np.ndarray, np.ndarray]:
    """Joint distribution of the seven VEN-PRS factors in the molecular cohort.

    The distribution closest to independence (minimum Kullback-Leibler divergence,
    i.e. maximum entropy relative to independence) that has the given factor
    prevalences *and* the published OS risk-group proportions 46/75/53 of 174;
    found by iterative proportional fitting [2]_.

    Parameters
    ----------
    margins : sequence of 7 floats, optional
        Prevalences in :data:`FACTORS` order; default: published ones plus
        :data:`ASSUMPTIONS` for NF1, PTPN11 and SF3B1.
    groups : ``"published"``, ``None`` or 3 counts
        OS group sizes to impose; ``None`` gives independent factors.

    Returns
    -------
    combos : int8 array (128, 7)
    probs : float array (128,)

    References
    ----------
    .. [2] Deming WE, Stephan FF. Ann Math Stat. 1940;11:427-44.
    """
    m = tuple(float(x) for x in (factor_margins() if margins is None else margins))
    if isinstance(groups, str):
        go = load_model().endpoints["os"].group_outcomes
        groups = tuple(int(go[g]["n"]) for g in ("favorable", "intermediate", "adverse"))
    elif groups is not None:
        groups = tuple(groups)
    combos, p = _joint_cached(m, groups)
    return combos.copy(), p.copy()


def expected_group_sizes(margins=None, groups="published", n: int | None = None,
                         endpoint: str = "os") -> dict[str, float]:
    """Expected VEN-PRS group sizes among ``n`` molecular-cohort patients.

    With ``groups=None`` the factors are independent: this shows that under
    independence the published 46/75/53 cannot be reached with plausible NF1,
    PTPN11 and SF3B1 prevalences (see :func:`prevalence_reasoning`).

    Parameters
    ----------
    margins, groups
        As :func:`factor_joint`.
    n : int, optional
        Number of patients (default: the molecular cohort, 174).
    endpoint : {"os", "efs"}

    Returns
    -------
    dict ``{group: expected count}``

    Examples
    --------
    >>> {k: round(v, 1) for k, v in expected_group_sizes().items()}
    {'favorable': 46.0, 'intermediate': 75.0, 'adverse': 53.0}

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results: 46/75/53 of 174).
    """
    n = cohort_size("molecular") if n is None else n
    combos, p = factor_joint(margins, groups)
    bits = score_codes(combos, endpoint)["possible"]
    return {g: float(n * p[bits == b].sum()) for g, b in (("favorable", 1), ("intermediate", 2), ("adverse", 4))}


def _implied_events(ci: tuple[float, float], total_events: float) -> float:
    """Events in the exposed group implied by a binary covariate's 95% CI of the HR.

    Uses var(log HR) ~ 1/d1 + 1/d0 with d0 = total_events - d1 (the Cox score-test
    information for a binary covariate with equal risk sets).
    """
    se = math.log(ci[1] / ci[0]) / (2 * stats.norm.ppf(0.975))
    return optimize.brentq(lambda d1: 1 / d1 + 1 / (total_events - d1) - se ** 2, 0.01, total_events / 2)


def _univariate_ci(endpoint: str, factor: str) -> tuple[float, float]:
    """The published univariate 95% CI of the HR of ``factor`` (Table 4)."""
    term = load_model().endpoints[endpoint].term(factor)
    if term is None:
        raise KeyError(f"no {factor!r} term for {endpoint!r} in the model file")
    lo, hi = term.univariate["ci"]
    return float(lo), float(hi)


def prevalence_reasoning() -> dict[str, Any]:
    """The evidence behind the NF1, PTPN11 and SF3B1 counts in :data:`ASSUMPTIONS`.

    Returns a dict with, per gene, the counts implied by the response findings
    (Results, 'Clinical and molecular signatures of response') and by the
    widths of the univariate Table 4 CIs, and the expected OS group sizes under
    independence and under the fitted joint distribution.

    Returns
    -------
    dict
        Per gene, the implied counts and the expected OS group sizes.
    """
    n_mol = cohort_size("molecular")
    deaths_mol = target("km.os.deaths")["count"] * n_mol / cohort_size("entire")
    crc = target("table3.molecular.crc")["count"]
    out: dict[str, Any] = {"deaths_molecular_approx": deaths_mol}
    # PTPN11: 0% CR/CRi in mutated vs 38% in wild-type, p = 0.06 (Fisher exact test, two-sided)
    out["ptpn11_fisher_p"] = {k: float(stats.fisher_exact([[0, k], [crc, n_mol - k - crc]])[1]) for k in range(3, 11)}
    # NF1: 14% CR/CRi = 1 of n
    out["nf1_one_responder_rate"] = {k: 1 / k for k in range(5, 10)}
    for g in ("nf1", "ptpn11", "sf3b1"):
        out[f"{g}_implied_os_deaths"] = _implied_events(_univariate_ci("os", g), deaths_mol)
    # EFS events >= deaths; approximate
    out["sf3b1_implied_efs_events"] = _implied_events(_univariate_ci("efs", "sf3b1"), deaths_mol)
    out["groups_independent"] = expected_group_sizes(groups=None)
    out["groups_independent_without_sf3b1"] = expected_group_sizes(
        margins=[*factor_margins()[:6], 0.0], groups=None)
    out["groups_joint"] = expected_group_sizes()
    out["chosen_counts"] = {g: ASSUMPTIONS[f"{g}_count"] for g in ("nf1", "ptpn11", "sf3b1")}
    return out
