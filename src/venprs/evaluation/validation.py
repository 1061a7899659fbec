"""External validation of the published VEN-PRS in another cohort (``--validation OTHER``).

For each endpoint, in the validation cohort: Kaplan-Meier by published VEN-PRS
group (median with R's log CI), the k-group log-rank test, the AIC difference
against the null model, discrimination at 10 months (Heagerty and IPCW AUC,
Harrell's and Uno's C, bootstrap CIs) and the calibration of the *published*
model: predicted 10-month survival ``S0(10)^exp(S)`` per group against the
observed Kaplan-Meier estimate, plus ICI/E50 at 10 months.

The published model has coefficients but no published baseline survival. The
baseline is taken from the model file when it holds one (``baseline_survival``,
a reconstruction), else estimated on the derivation cohort with the published
score as a fixed offset (Efron-adjusted Breslow estimator, the published
coefficients are not refitted); ``baseline_source`` says which.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (first-line validation, n = 189;
   Supplementary Fig. S13).
.. [2] Royston P, Altman DG. External validation of a Cox prognostic model:
   principles and methods. BMC Med Res Methodol. 2013;13:33.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..model import ENDPOINTS, GROUPS, load_model
from ..prediction import predict_survival
from ..scoring import score_table
from ..survival import kaplan_meier, logrank
from ..survival.cox import baseline_hazard
from .aic import aic_delta
from .calibration import PAPER_HORIZON, TIME_COLUMNS, km_at, landmark_calibration
from .discrimination import discrimination

__all__ = ["validate", "published_baseline"]


def _outcome(df: pd.DataFrame, ep: str):
    tcol, ecol = TIME_COLUMNS[ep]
    return (pd.to_numeric(df[tcol], errors="coerce").to_numpy(float),
            pd.to_numeric(df[ecol], errors="coerce").to_numpy(float))


def published_baseline(endpoint: str, derivation: pd.DataFrame | None, horizon: float) -> tuple[float | None, str]:
    """Baseline survival S0(horizon) of the published model, and where it came from.

    The reconstructed baseline of the model file when it holds one; else the
    Efron-adjusted Breslow estimate on ``derivation`` (patients with a published score
    and an outcome) with the published score as a fixed offset.

    Parameters
    ----------
    endpoint : {"os", "efs"}
        The endpoint.
    derivation : pandas.DataFrame or None
        Derivation cohort (factor, time and event columns), used only when the model
        file holds no baseline survival.
    horizon : float
        Time in months at which S0 is read (step function).

    Returns
    -------
    s0 : float or None
        S0(horizon), ``None`` when neither source provides a baseline.
    source : str
        Where the baseline came from (for ``baseline_source``).
    """
    m = load_model()
    if m.raw.get("baseline_survival") is not None:  # the reconstructed baseline in the model file
        s = predict_survival(0.0, [horizon], endpoint=endpoint)
        return float(np.asarray(s).ravel()[0]), "model file (reconstructed baseline survival)"
    if derivation is None:
        return None, "no baseline survival: neither the model file nor a derivation cohort provides one"
    sc = score_table(derivation, missing_columns="unknown")
    t, e = _outcome(derivation, endpoint)
    s = sc[f"{endpoint}_score"].to_numpy(float)
    ok = np.isfinite(s) & np.isfinite(t) & np.isfinite(e)
    b = baseline_hazard(t[ok], e[ok].astype(int), s[ok], ctype=2)
    i = np.searchsorted(b["time"].to_numpy(), horizon, side="right") - 1
    return (1.0 if i < 0 else float(b["surv"].iloc[i])), (
        f"derivation cohort (n = {int(ok.sum())}), published score as offset, Efron-adjusted Breslow")


def validate(validation: pd.DataFrame, derivation: pd.DataFrame | None = None, *, horizon: float = PAPER_HORIZON,
             n_boot: int = 200, seed: int = 1) -> dict[str, Any]:
    """External validation results per endpoint (JSON-ready; see the module docstring).

    Patients with a time, an event and a determinate published group are used.

    Parameters
    ----------
    validation : pandas.DataFrame
        Validation cohort with the factor, time and event columns.
    derivation : pandas.DataFrame, optional
        Derivation cohort, for the baseline survival when the model file holds none
        (:func:`published_baseline`).
    horizon : float
        Horizon of discrimination and calibration in months (paper: 10).
    n_boot : int
        Bootstrap resamples of the discrimination CIs.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    dict
        ``n`` and per endpoint: ``n``, ``n_excluded``, ``groups`` (n, KM median and CI,
        observed survival at the horizon, keyed ``observed_10m`` at 10 months), ``logrank``
        (two or more groups), ``aic`` (:func:`venprs.evaluation.aic.aic_delta`),
        ``discrimination`` and ``calibration`` (``baseline_source``, predicted and observed
        survival per group, ``landmark``).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    .. [2] Royston P, Altman DG. BMC Med Res Methodol. 2013;13:33.
    """
    sc = score_table(validation, missing_columns="unknown")
    out: dict[str, Any] = {"n": int(len(validation))}
    for ep in ENDPOINTS:
        t, e = _outcome(validation, ep)
        s = sc[f"{ep}_score"].to_numpy(float)
        g = sc[f"{ep}_group"].astype(object).fillna("").to_numpy(object)
        ok = np.isfinite(t) & np.isfinite(e) & (g != "")
        res: dict[str, Any] = {"n": int(ok.sum()), "n_excluded": int((~ok).sum()), "groups": {}}
        for gname in GROUPS:
            m = ok & (g == gname)
            if not m.any():
                res["groups"][gname] = {"n": 0}
                continue
            km = kaplan_meier(t[m], e[m])
            res["groups"][gname] = {"n": int(m.sum()), "median": km.median, "ci": list(km.ci),
                                    "observed_10m" if horizon == 10 else "observed": km_at(t[m], e[m].astype(int), horizon)}
        present = [x for x in GROUPS if (ok & (g == x)).any()]
        if len(present) >= 2:
            stat, df_, p = logrank(t[ok], e[ok], g[ok])
            res["logrank"] = {"chisq": float(stat), "df": int(df_), "p": float(p)}
        res["aic"] = aic_delta(g[ok], t[ok], e[ok], list(GROUPS))
        try:
            res["discrimination"] = discrimination(t[ok], e[ok], s[ok], horizon, n_boot=n_boot,
                                                   seed=seed).to_dict()
        except ValueError as err:
            res["discrimination"] = {"skipped": f"not estimable: {err}"}
        try:
            s0, source = published_baseline(ep, derivation, horizon)
        except ValueError as err:
            s0, source = None, f"no baseline survival: {err}"
        cal: dict[str, Any] = {"baseline_source": source}
        if s0 is not None:
            pred = s0 ** np.exp(s[ok])
            for gname in GROUPS:
                m = g[ok] == gname
                cal[gname] = {"predicted": float(pred[m].mean()) if m.any() else None,
                              "observed": km_at(t[ok][m], e[ok][m].astype(int), horizon) if m.any() else None}
            try:
                cal["landmark"] = landmark_calibration(t[ok], e[ok], pred, horizon)
            except ValueError as err:
                cal["landmark_skipped"] = f"not estimable: {err}"
        res["calibration"] = cal
        out[ep] = res
    return out
