"""Drawing helpers: categorical columns with exact margins, continuous columns around published medians."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .targets import cohort_size, share, target

__all__ = ["draw_counts", "coded_numbers", "continuous", "logit", "expit", "log_odds_ratio", "relapse_months",
           "wbc_sd", "platelets_sd"]


def draw_counts(rng: np.random.Generator, counts: dict[str, int], n: int) -> np.ndarray:
    """Draw ``n`` labels with the proportions of ``counts`` held exactly (largest remainder), shuffled.

    Fixed margins make a 240-patient cohort reproduce Table 1 counts exactly; the
    joint of different columns is still random (independent permutations).

    Parameters
    ----------
    rng : numpy.random.Generator
        The cohort's random stream.
    counts : dict of str to int
        Published count per label; only their proportions are used.
    n : int
        Number of labels to draw.

    Returns
    -------
    numpy.ndarray of object
        ``n`` labels in random order, each label ``floor(n * share)`` times plus one for the
        largest remainders.
    """
    labels = list(counts)
    w = np.array([counts[k] for k in labels], dtype=float)
    exact = w / w.sum() * n
    k = np.floor(exact).astype(int)
    rem = n - k.sum()
    if rem:
        order = np.argsort(-(exact - k) + rng.random(len(k)) * 1e-9, kind="stable")
        k[order[:rem]] += 1
    out = np.repeat(np.array(labels, dtype=object), k)
    rng.shuffle(out)
    return out


def _median_other(total_med: float, mol_med: float, sd: float, frac_mol: float, g) -> float:
    """Transformed-scale median of the non-molecular part so that the mixture median is ``total_med``."""
    fm = stats.norm.cdf((g(total_med) - g(mol_med)) / sd)
    fo = (0.5 - frac_mol * fm) / (1 - frac_mol)
    fo = min(max(fo, 1e-3), 1 - 1e-3)
    return g(total_med) - sd * stats.norm.ppf(fo)


def coded_numbers(rng, codes: np.ndarray, fixed: dict, draws: dict) -> np.ndarray:
    """Numbers for category codes: ``fixed`` code -> value; ``draws`` code -> values drawn at random.

    The draws are made in the order of ``draws`` (so the random stream is reproducible);
    any other code gives NaN.

    Parameters
    ----------
    rng : numpy.random.Generator
        The cohort's random stream.
    codes : numpy.ndarray
        Category code of each patient.
    fixed : dict
        Code -> the number every patient with that code gets.
    draws : dict
        Code -> the numbers drawn from (uniformly, with replacement) for each patient with that code.

    Returns
    -------
    numpy.ndarray of float
        One number per patient.
    """
    out = np.full(len(codes), np.nan)
    for code, value in fixed.items():
        out[codes == code] = value
    for code, choices in draws.items():
        i = np.flatnonzero(codes == code)
        out[i] = rng.choice(choices, size=len(i))
    return out


def continuous(rng, n_mol, n_other, var, g, ginv, sd, decimals, other_median=None):
    """A continuous Table 1 variable: normal with SD ``sd`` on the scale ``g`` (inverse ``ginv``).

    The molecular cohort is centred on its published median, the other patients so
    that the entire cohort has its published median; values are clipped to the
    published ranges and rounded to ``decimals``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The cohort's random stream.
    n_mol : int
        Patients of the molecular cohort (the first ``n_mol`` values).
    n_other : int
        Other patients (the remaining values).
    var : str
        Variable name in ``paper_targets.json`` (``table1.<cohort>.<var>.median`` with its range).
    g : callable
        Transformation to the normal scale (e.g. ``numpy.log``).
    ginv : callable
        Its inverse.
    sd : float
        Standard deviation on the transformed scale.
    decimals : int
        Decimals of the returned values.
    other_median : float, optional
        Median of the other patients (default: chosen so that the entire cohort has its
        published median).

    Returns
    -------
    numpy.ndarray of float
        ``n_mol + n_other`` values, the molecular ones clipped to the molecular cohort's range,
        the others to the range of both cohorts.
    """
    e, mo = target(f"table1.entire.{var}.median"), target(f"table1.molecular.{var}.median")
    mu_m = g(mo["value"])
    frac_mol = cohort_size("molecular") / cohort_size("entire")
    mu_o = _median_other(e["value"], mo["value"], sd, frac_mol, g) if other_median is None else g(other_median)
    z = rng.standard_normal(n_mol + n_other)
    mu = np.r_[np.full(n_mol, mu_m), np.full(n_other, mu_o)]
    x = ginv(mu + sd * z)
    lo = min(e["range"][0], mo["range"][0])
    hi = max(e["range"][1], mo["range"][1])
    lo_m, hi_m = mo["range"]
    x[:n_mol] = np.clip(x[:n_mol], lo_m, hi_m)
    x[n_mol:] = np.clip(x[n_mol:], lo, hi)
    return np.round(x, decimals)


def logit(p):
    """log(p / (1 - p)).

    Parameters
    ----------
    p : float or numpy.ndarray
        Probabilities in (0, 1).

    Returns
    -------
    float or numpy.ndarray
        Log odds.
    """
    return np.log(p / (1 - p))


def expit(x):
    """1 / (1 + exp(-x)).

    Parameters
    ----------
    x : float or numpy.ndarray
        Log odds.

    Returns
    -------
    float or numpy.ndarray
        Probabilities.
    """
    return 1 / (1 + np.exp(-x))


def log_odds_ratio(pair) -> float:
    """Log odds ratio of two rates ``[a, b]`` (``a`` kept away from 0 and 1).

    Parameters
    ----------
    pair : sequence of two float
        Rates ``a`` and ``b`` (e.g. a published CR/CRi rate with and without a factor);
        ``a`` is clipped to ``[1e-6, 1 - 1e-6]``.

    Returns
    -------
    float
        ``logit(a) - logit(b)``.
    """
    a, b = pair
    a = min(max(a, 1e-6), 1 - 1e-6)
    return math.log(a / (1 - a)) - math.log(b / (1 - b))


def relapse_months(rng, band: np.ndarray) -> np.ndarray:
    """Months from CR to relapse within the Table 1 bands (<= 6, 7-18, > 18).

    Uniform within a band (from the published minimum to 6, from 6 to 18), an
    exponential tail above 18 months (mean 18 months), limited to the published range
    1.7-109.6 (read from ``paper_targets.json``); rounded to 0.1 month.

    Parameters
    ----------
    rng : numpy.random.Generator
        The cohort's random stream.
    band : numpy.ndarray of str
        Band of each patient: ``"le6"``, ``"7to18"``, ``"gt18"``; anything else gives NaN.

    Returns
    -------
    numpy.ndarray of float
        Months from CR to relapse.
    """
    lo, hi = target("table1.entire.time_cr_to_relapse.median")["range"]
    u = rng.random(len(band))
    x = np.full(len(band), np.nan)
    x = np.where(band == "le6", lo + (6 - lo) * u, x)
    x = np.where(band == "7to18", 6 + 12 * u, x)
    x = np.where(band == "gt18", np.minimum(18 - 18 * np.log1p(-u * 0.999), hi), x)
    return np.round(x, 1)


def wbc_sd() -> float:
    """Log-scale SD of WBC so that P(WBC <= 5) matches the CR/CRi split 46% vs 25% at 39% overall.

    p * 0.46 + (1 - p) * 0.25 = CR/CRi rate  =>  p = P(WBC <= 5); median WBC from Table 1.

    Returns
    -------
    float
        The standard deviation of log WBC.
    """
    hi, lo = target("response.entire.crc_by_wbc")["value"]
    crc = share("table3.entire.crc")
    p = (crc - lo) / (hi - lo)
    return math.log(5 / target("table1.entire.wbc.median")["value"]) / stats.norm.ppf(p)


def platelets_sd() -> float:
    """Log-scale SD of platelets so that P(platelets > 30) matches the CR/CRi split 46% vs 30%.

    Returns
    -------
    float
        The standard deviation of log platelets.
    """
    hi, lo = target("response.entire.crc_by_platelets")["value"]
    crc = share("table3.entire.crc")
    p = (crc - lo) / (hi - lo)
    return math.log(target("table1.entire.platelets.median")["value"] / 30) / stats.norm.ppf(p)
