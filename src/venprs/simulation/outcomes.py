"""Latent survival times from the Table 4 Cox models, and the censoring that gives the published follow-up.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 4; Results: median follow-up).
.. [2] Bender R, Augustin T, Blettner M. Generating survival times to simulate
   Cox proportional hazards models. Stat Med. 2005;24:1713-23.
"""

from __future__ import annotations

import math

import numpy as np

from ..model import load_model
from .assumptions import ASSUMPTIONS, FACTORS
from .targets import target

__all__ = ["baseline_parameters", "linear_predictor", "survival_times", "censor_admin_max"]


def baseline_parameters() -> dict[str, dict[str, float]]:
    """Weibull ``{"shape", "scale"}`` of the reconstructed baseline in the model file, per endpoint.

    Returns
    -------
    dict
        ``endpoint -> {"shape": float, "scale": float}``.
    """
    b = load_model().raw.get("baseline_survival")
    if not b:
        raise RuntimeError("model file has no baseline_survival (run python -m venprs.simulation.baseline_fit)")
    return {ep: b["endpoints"][ep]["parameters"] for ep in ("os", "efs")}


def linear_predictor(x: np.ndarray, endpoint: str) -> np.ndarray:
    """Linear predictor b'x with the Table 4 coefficients (exact units / scale), ``x`` in FACTORS order.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, 7)
        Factor values (1/0) in the order of :data:`venprs.simulation.assumptions.FACTORS`.
    endpoint : {"os", "efs"}
        The endpoint; a factor not in its model has coefficient 0.

    Returns
    -------
    numpy.ndarray of float
        ``x @ beta`` per patient (the endpoint's VEN-PRS score).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6 (Table 4).
    """
    m = load_model()
    ep = m.endpoints[endpoint]
    beta = np.array([t.units / m.scale if (t := ep.term(f)) else 0.0 for f in FACTORS])
    return x @ beta


def survival_times(rng, x: np.ndarray, offset: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Latent OS and EFS times (months) from the two Cox models, with EFS <= OS.

    Both endpoints are Weibull proportional-hazards models,
    H(t | x) = (t / scale)^shape * exp(b'x), with the Table 4 coefficients and the
    reconstructed baselines of the model file, drawn by inversion [2]_ from one
    shared uniform U (comonotone coupling: a patient who lives long relative to
    his risk is also event-free long):

        T_OS = scale_OS (-log U / exp(b_OS'x))^(1/shape_OS),
        T_EFS = min(scale_EFS (-log U / exp(b_EFS'x))^(1/shape_EFS), T_OS).

    The min() (an EFS event is at the latest the death) changes the EFS time only
    when the EFS draw exceeds the OS draw (patients whose OS score exceeds their
    EFS score by more than the baselines allow, mainly TP53-mutated patients at
    long times); docs/simulation.md reports how little this moves the EFS
    coefficients.

    ``offset`` (per endpoint, one value per patient) is added to b'x: the log
    hazard ratio of the patients without molecular data
    (``CALIBRATION["nonmolecular_log_hr_os"|"_efs"]``), 0 for the molecular cohort.

    Parameters
    ----------
    rng : numpy.random.Generator
        The cohort's random stream (one uniform per patient).
    x : numpy.ndarray, shape (n, 7)
        Factor values (1/0) in the order of :data:`venprs.simulation.assumptions.FACTORS`.
    offset : dict of str to numpy.ndarray, optional
        Per endpoint (``"os"``, ``"efs"``), added to the linear predictor (default 0).

    Returns
    -------
    dict of str to numpy.ndarray
        ``os`` and ``efs`` latent times in months, and ``u_efs`` = 1 - U, the patient's
        percentile given ``x`` (larger: longer survival), for the response copula.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6 (Table 4).
    .. [2] Bender R, Augustin T, Blettner M. Generating survival times to simulate
       Cox proportional hazards models. Stat Med. 2005;24:1713-23.
    """
    b = baseline_parameters()
    ko, lo = b["os"]["shape"], b["os"]["scale"]
    ke, le = b["efs"]["shape"], b["efs"]["scale"]
    e = -np.log1p(-rng.random(len(x)))  # -log U with U uniform on (0, 1]
    off = offset or {}
    t_os = lo * (e / np.exp(linear_predictor(x, "os") + off.get("os", 0.0))) ** (1 / ko)
    t_efs = np.minimum(le * (e / np.exp(linear_predictor(x, "efs") + off.get("efs", 0.0))) ** (1 / ke), t_os)
    # percentile of the patient's times given x (uniform, independent of x): larger = longer survival
    return {"os": t_os, "efs": t_efs, "u_efs": 1 - np.exp(-e)}


def censor_admin_max(loss_fraction: float, followup: float | None = None) -> float:
    """Upper end A of the administrative censoring Uniform(0, A) giving median follow-up ``followup``.

    Censoring C = min(Uniform(0, A), L): L is an exponential loss-to-follow-up time
    (mean ``ASSUMPTIONS["loss_mean_months"]``) for a share ``loss_fraction`` of the
    patients and infinite for the others. The reverse Kaplan-Meier estimates the
    distribution of C, whose median m solves
    (1 - m/A) (1 - f + f exp(-m/mean)) = 1/2.

    Parameters
    ----------
    loss_fraction : float
        Share of patients lost to follow-up.
    followup : float, optional
        Median follow-up in months (default: the published 31.5, ``km.followup.median``).

    Returns
    -------
    float
        A, in months.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results: median follow-up).
    """
    m = target("km.followup.median")["value"] if followup is None else followup
    keep = 1 - loss_fraction + loss_fraction * math.exp(-m / ASSUMPTIONS["loss_mean_months"])
    q = 0.5 / keep
    if q >= 1:
        raise ValueError("loss fraction too high for the median follow-up")
    return m / (1 - q)
