"""Comparator risk classifications, one module per classification with its primary source.

:func:`classify_all` evaluates the built-in ones (Breems, ELN 2022, the 4-gene
signature, Gangat) and any user-defined score files on a cohort. A comparator
whose inputs are missing comes back with ``skipped`` set to the reason.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from . import breems, eln2022, four_gene, gangat
from ._common import Classification, find_column
from .custom import CustomScore, load_score, parse_score, venprs_spec

__all__ = ["Classification", "classify_all", "BUILTIN", "CustomScore", "load_score", "parse_score",
           "venprs_spec", "find_column"]

#: Built-in comparators, in report order.
BUILTIN = {"breems": breems.classify, "eln2022": eln2022.classify, "four_gene": four_gene.classify,
           "gangat": gangat.classify}


def classify_all(df: pd.DataFrame, endpoint: str = "os", custom: Iterable[CustomScore] = ()) -> dict[str, Classification]:
    """Every built-in comparator plus the user-defined scores, as ``{name: Classification}``.

    A user-defined score named like a built-in one (e.g. ``gangat``) replaces it.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with the comparators' input columns (a comparator whose inputs
        are missing is returned with ``skipped`` set).
    endpoint : {"os", "efs"}
        Endpoint passed to the user-defined scores (a score may differ by endpoint);
        the built-in comparators do not depend on it.
    custom : iterable of CustomScore
        User-defined scores (:func:`load_score`).

    Returns
    -------
    dict of str to Classification
        ``breems``, ``eln2022``, ``four_gene``, ``gangat`` (report order), then the
        user-defined scores by name.
    """
    out = {name: f(df) for name, f in BUILTIN.items()}
    for s in custom:
        out[s.name] = s.classify(df, endpoint)
    return out
