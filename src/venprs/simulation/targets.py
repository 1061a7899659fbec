"""The published targets file ``data/paper_targets.json``: lookup of targets, shares, levels and cohort sizes."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["load_targets", "target", "share", "levels", "split_counts", "cohort_size"]


@lru_cache(maxsize=1)
def load_targets() -> dict[str, Any]:
    """The published targets file ``data/paper_targets.json``.

    Returns
    -------
    dict
        ``{"about", "keys", "kinds", "cohorts", "targets"}``; ``cohorts`` holds the
        published cohort sizes, ``targets`` one entry per published number, each with
        its ``source``.
    """
    text = resources.files("venprs").joinpath("data", "paper_targets.json").read_text(encoding="utf-8")
    return json.loads(text)


def share(key: str) -> float:
    """A count target as the exact fraction count/denominator (a proportion target: its value).

    Parameters
    ----------
    key : str
        Target key in ``paper_targets.json``, e.g. ``"table3.entire.crc"``.

    Returns
    -------
    float
        ``count / denominator``, or the target's ``value``.

    Raises
    ------
    KeyError
        No such target.
    """
    t = target(key)
    return t["count"] / t["denominator"] if "count" in t else float(t["value"])


def target(key: str) -> dict[str, Any]:
    """One target entry by key, e.g. ``target("km.os.median")["value"]`` (7.9).

    Parameters
    ----------
    key : str
        Target key in ``paper_targets.json``.

    Returns
    -------
    dict
        The entry: ``kind``, ``value`` and ``source``, and depending on the kind ``count`` and
        ``denominator``, ``range``, ``ci``, ``unit`` or ``note``.

    Raises
    ------
    KeyError
        No such target.
    """
    t = load_targets()["targets"]
    if key not in t:
        raise KeyError(f"no target {key!r} in paper_targets.json")
    return t[key]


def cohort_size(cohort: str) -> int:
    """Published size of a cohort.

    Parameters
    ----------
    cohort : {"entire", "molecular", "first-line"}
        ``"entire"``: the R/R cohort (240); ``"molecular"``: its patients with
        molecular data, the derivation cohort (174); ``"first-line"``: the first-line
        validation cohort (189).

    Returns
    -------
    int

    Examples
    --------
    >>> cohort_size("entire"), cohort_size("molecular"), cohort_size("first-line")
    (240, 174, 189)

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 1; Results).
    """
    if cohort == "first-line":
        return int(target("first_line.n")["value"])
    return int(load_targets()["cohorts"][cohort]["n"])


def levels(prefix: str) -> dict[str, int]:
    """``{level: count}`` for the count targets under ``prefix.`` (``missing`` included when present).

    Parameters
    ----------
    prefix : str
        Key prefix, e.g. ``"table3.entire.best_response"``.

    Returns
    -------
    dict of str to int
        Published count per level (the key after the prefix).

    Raises
    ------
    KeyError
        No count target under ``prefix``.
    """
    out = {}
    for k, v in load_targets()["targets"].items():
        if k.startswith(prefix + ".") and v["kind"] == "count":
            out[k[len(prefix) + 1:]] = int(v["count"])
    if not out:
        raise KeyError(f"no count targets under {prefix!r}")
    return out


def split_counts(prefix_entire: str, prefix_mol: str) -> tuple[dict[str, int], dict[str, int]]:
    """Counts for the molecular cohort and for the other patients (entire minus molecular).

    Parameters
    ----------
    prefix_entire : str
        Key prefix of the entire cohort's counts (:func:`levels`).
    prefix_mol : str
        Key prefix of the molecular cohort's counts.

    Returns
    -------
    molecular, other : dict of str to int
        Count per level; ``other`` has the levels of the entire cohort (a level missing in the
        molecular cohort counts as 0 there).
    """
    e, mo = levels(prefix_entire), levels(prefix_mol)
    other = {k: e[k] - mo.get(k, 0) for k in e}
    return mo, other
