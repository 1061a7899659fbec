"""The 4-gene molecular prognostic risk signature for HMA plus venetoclax (VIALE-A).

Rule (primary definition): *TP53* mutated -> lower benefit; otherwise *FLT3*-ITD
or *NRAS*/*KRAS* mutated -> intermediate benefit; otherwise higher benefit.
Groups are reported as ``favorable`` (higher benefit), ``intermediate`` and
``adverse`` (lower benefit), the labels Shahswar et al. used when they applied
it to the R/R cohort (Results; Supplementary Fig. S15).

Inputs: ``tp53``, ``nras``, ``kras`` (yes/no), and FLT3-ITD from ``flt3_itd``
(yes/no) or ``flt3_type`` (ITD/TKD/other). Unknown values keep the group only
when it cannot change (e.g. TP53 mutated decides alone).

References
----------
.. [1] Döhner H, Pratz KW, DiNardo CD, et al. ELN risk stratification is not
   predictive of outcomes for treatment-naive patients with AML treated with
   venetoclax and azacitidine. Blood. 2022;140:1441-1444 (reference 25 of
   Shahswar et al.; the 4-gene signature).
.. [2] Bataller A, Bazinet A, DiNardo CD, et al. Prognostic risk signature in
   patients with acute myeloid leukemia treated with hypomethylating agents and
   venetoclax. Blood Adv. 2024;8:927-935.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import Classification, classify_tristate, flt3_itd_codes, gene_aliases, tristate

NAME = "four_gene"
LEVELS = ("favorable", "intermediate", "adverse")
SOURCE = "Döhner H, et al. Blood. 2022;140:1441-1444; Bataller A, et al. Blood Adv. 2024;8:927-935"


def rule(x) -> np.ndarray:
    """Group index (0 favorable, 1 intermediate, 2 adverse) from boolean arrays tp53, flt3_itd, nras, kras.

    Parameters
    ----------
    x : Mapping of str to numpy.ndarray of bool
        Arrays ``tp53``, ``flt3_itd``, ``nras`` and ``kras`` of the same length (True: mutated).

    Returns
    -------
    numpy.ndarray of int
        2 where TP53 is mutated, else 1 where FLT3-ITD, NRAS or KRAS is mutated, else 0.

    References
    ----------
    .. [1] Döhner H, et al. Blood. 2022;140:1441-1444.
    .. [2] Bataller A, et al. Blood Adv. 2024;8:927-935.
    """
    return np.where(x["tp53"], 2, np.where(x["flt3_itd"] | x["nras"] | x["kras"], 1, 0))


def classify(df: pd.DataFrame) -> Classification:
    """Classify every row of ``df`` by the 4-gene signature (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with yes/no columns ``tp53``, ``nras``, ``kras`` (or their aliases) and
        FLT3-ITD (``flt3_itd`` or ``flt3_type``).

    Returns
    -------
    Classification
        Groups and reachable groups per row (``""`` where an unknown input could change the
        group); ``skipped`` names the missing input columns.

    References
    ----------
    .. [1] Döhner H, et al. Blood. 2022;140:1441-1444.
    .. [2] Bataller A, et al. Blood Adv. 2024;8:927-935.
    """
    res = Classification(NAME, "4-gene signature (VIALE-A)", LEVELS, source=SOURCE)
    inputs, missing = {}, []
    for g in ("tp53", "nras", "kras"):
        c = tristate(df, gene_aliases(g), g)
        if c is None:
            missing.append(g)
        else:
            inputs[g] = c
    itd, how = flt3_itd_codes(df)
    if itd is None:
        missing.append("flt3_itd or flt3_type")
    else:
        inputs["flt3_itd"] = itd
        res.notes.append(how)
    if missing:
        res.skipped = "missing input columns: " + ", ".join(missing)
        return res
    res.groups, res.possible = classify_tristate(inputs, rule, LEVELS, df.index)
    return res
