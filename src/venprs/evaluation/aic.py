"""AIC of a Cox model with a classification as a categorical factor, minus AIC of the null model.

``delta = AIC(coxph(Surv ~ factor(group))) - AIC(null)``, with
``AIC = -2 loglik + 2 k`` (k = estimated coefficients, i.e. the number of
groups present minus one) and the null model's ``-2 loglik(beta = 0)``, as R's
``AIC(fit) - AIC(coxph(Surv ~ 1))`` on the same patients. A negative delta means
the classification carries prognostic information (paper: VEN-PRS -26.67 OS,
-20.11 EFS). Patients with an indeterminate group or a missing outcome are
excluded (counted). The reference level is the first group present (best
prognosis); the fit is :func:`venprs.survival.fit_cox` (Efron ties), so groups
that cannot be estimated (e.g. a group without events) are dropped and noted.

References
----------
.. [1] Akaike H. A new look at the statistical model identification. IEEE Trans
   Automat Contr. 1974;19:716-723.
.. [2] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results, "Comparison of VEN-PRS
   to other AML risk models").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..survival import fit_cox

__all__ = ["aic_delta"]


def aic_delta(groups, time, event, levels=None) -> dict:
    """AIC difference against the null model for one classification and endpoint.

    Parameters
    ----------
    groups : array-like of str (``""`` or NaN = not classified)
    time, event : array-like
    levels : group order (reference = first present); default: sorted distinct groups

    Returns
    -------
    dict
        ``delta, aic, aic_null, k, n, n_events, n_excluded, levels, notes``; ``delta`` is
        ``None`` when fewer than two groups are present.
    """
    g = pd.Series(np.asarray(groups, dtype=object)).fillna("").astype(str)
    t = pd.to_numeric(pd.Series(np.asarray(time)), errors="coerce")
    e = pd.to_numeric(pd.Series(np.asarray(event)), errors="coerce")
    ok = (g != "") & t.notna() & e.notna()
    n_excl = int((~ok).sum())
    g, t, e = g[ok].reset_index(drop=True), t[ok].reset_index(drop=True), e[ok].reset_index(drop=True)
    present = [lv for lv in (levels or sorted(g.unique())) if (g == lv).any()]
    out: dict[str, Any] = {"n": int(len(g)), "n_events": int(e.sum()), "n_excluded": n_excl, "levels": present, "notes": []}
    if n_excl:
        out["notes"].append(f"{n_excl} patient(s) without a group or outcome excluded")
    if len(present) < 2 or e.sum() == 0:
        out.update(delta=None, aic=None, aic_null=None, k=0)
        out["notes"].append("fewer than two groups (or no events): no comparison with the null model")
        return out
    X = pd.DataFrame({f"g_{lv}": (g == lv).astype(float) for lv in present[1:]})
    X["__t"], X["__e"] = t.to_numpy(float), e.to_numpy(int)
    try:
        fit = fit_cox(X, [c for c in X.columns if c.startswith("g_")], "__t", "__e")
    except ValueError as err:
        out.update(delta=None, aic=None, aic_null=None, k=0)
        out["notes"].append(f"Cox model not estimable: {err}")
        return out
    out["notes"] += [n.replace("g_", "group ") for n in fit.notes]
    out.update(delta=float(fit.aic - fit.aic_null), aic=float(fit.aic), aic_null=float(fit.aic_null), k=fit.k)
    return out
