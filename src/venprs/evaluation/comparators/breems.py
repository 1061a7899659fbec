"""Breems prognostic index for AML in first relapse (J Clin Oncol 2005).

Points (sum of four factors) and groups:

============================================  ======  =====================
factor                                        points  value
============================================  ======  =====================
relapse-free interval after first CR          0       > 18 months
                                              3       7-18 months
                                              5       < 7 months
cytogenetics at diagnosis                     0       inv(16) or t(16;16)
                                              3       t(8;21)
                                              5       other
age at relapse                                0       <= 35 years
                                              1       36-45 years
                                              2       > 45 years
stem-cell transplantation before relapse      0       no
                                              2       yes
============================================  ======  =====================

Groups: 1-6 points favorable, 7-9 intermediate, 10-14 poor (reported here as
``adverse``).

Provenance of the point table: the primary article (reference 1) was not
available to this project in full text. The table above was taken from a public
reproduction of the index that cites it (reference 2) and agrees with the
description in Shahswar et al. (the four factors and three groups). Check it
against Table 4 of the primary article before relying on absolute point values;
a user can override it with a score file (``--comparators``) if they differ.

How inputs are read (documented decisions):

- Relapse-free interval in months: ``time_cr_to_relapse_months`` (aliases
  ``cr_to_relapse_months``, ``rfi_months``, ``relapse_free_interval_months``, ``time_cr_to_relapse``).
  Boundaries as printed: < 7 -> 5 points, 7 to 18 -> 3, > 18 -> 0.
- Refractory patients (no first CR) are outside the index's definition: their
  group is empty (not classified) and counted in the notes; a missing interval
  for a relapsed patient is unknown.
- Age at relapse: the ``age`` column (age at start of HMA/venetoclax) is used as
  the proxy, in completed years (36-45 means 36 <= floor(age) <= 45).
- Prior stem-cell transplantation: ``prior_allohct`` (aliases ``prior_sct``,
  ``prior_transplant``, ``prior_hct``); autologous SCT is not recorded by the
  registry format and counts as no.
- Cytogenetics at diagnosis: the ``cytogenetics_dx`` codes of
  :mod:`venprs.evaluation.comparators.eln2022` (inv(16)/t(16;16); t(8;21);
  ``other`` and any other known code = other).
- The index was developed in patients aged 15-60 years after intensive
  chemotherapy; it is applied here outside that population, as Shahswar et al. did.

References
----------
.. [1] Breems DA, Van Putten WLJ, Huijgens PC, et al. Prognostic index for adult
   patients with acute myeloid leukemia in first relapse. J Clin Oncol.
   2005;23:1969-1978.
.. [2] Prognosis of relapsed AML: prognostic index for adults with first relapse
   of acute myeloid leukemia. bloodref.com (reproduction of reference 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import Classification, bad_value, find_column, require, tristate
from .eln2022 import CYTO_COLUMNS, parse_cytogenetics

NAME = "breems"
LEVELS = ("favorable", "intermediate", "adverse")
SOURCE = "Breems DA, et al. J Clin Oncol. 2005;23:1969-1978 (point table via a public reproduction)"
RFI_COLUMNS = ("cr_to_relapse_months", "time_cr_to_relapse_months", "rfi_months", "relapse_free_interval_months", "time_cr_to_relapse",
               "cr1_duration_months", "time_from_cr_to_relapse_months")
AGE_COLUMNS = ("age", "age_years", "age_at_relapse", "age_at_treatment")
SCT_COLUMNS = ("prior_allohct", "prior_sct", "prior_transplant", "prior_hct", "prior_allo_hct", "prior_alloHCT")
STATUS_COLUMNS = ("disease_status", "status", "relapsed_refractory")


def points(rfi: np.ndarray, cyto: np.ndarray, age: np.ndarray, sct: np.ndarray) -> np.ndarray:
    """Breems points; NaN where an input is unknown.

    Sum of the four factors' points (module docstring): relapse-free interval
    > 18 months 0, 7-18 months 3, < 7 months 5; cytogenetics inv(16)/t(16;16) 0,
    t(8;21) 3, other 5; age (completed years) <= 35 0, 36-45 1, > 45 2; prior
    stem-cell transplantation 2.

    Parameters
    ----------
    rfi : numpy.ndarray of float
        Relapse-free interval after first CR in months (NaN unknown).
    cyto : numpy.ndarray of int
        Cytogenetics at diagnosis: 0 inv(16)/t(16;16), 1 t(8;21), 2 other, -1 unknown.
    age : numpy.ndarray of float
        Age in years (NaN unknown); its floor is used.
    sct : numpy.ndarray of int
        Stem-cell transplantation before relapse: 1 yes, 0 no, -1 unknown.

    Returns
    -------
    numpy.ndarray of float
        Points (0-14) per patient, NaN where any input is unknown.

    References
    ----------
    .. [1] Breems DA, Van Putten WLJ, Huijgens PC, et al. Prognostic index for adult
       patients with acute myeloid leukemia in first relapse. J Clin Oncol.
       2005;23:1969-1978.

    Examples
    --------
    >>> points(np.array([20., 10., 3.]), np.array([0, 1, 2]), np.array([30., 40., 60.]), np.array([0, 0, 1]))
    array([ 0.,  7., 14.])
    """
    rfi = np.asarray(rfi, dtype=float)
    age_y = np.floor(np.asarray(age, dtype=float))
    p_rfi = np.where(rfi > 18, 0, np.where(rfi >= 7, 3, 5)).astype(float)
    p_cyto = np.choose(np.clip(cyto, 0, 2), [0, 3, 5]).astype(float)
    p_age = np.where(age_y <= 35, 0, np.where(age_y <= 45, 1, 2)).astype(float)
    p_sct = np.where(np.asarray(sct) == 1, 2, 0).astype(float)
    total = p_rfi + p_cyto + p_age + p_sct
    unknown = np.isnan(rfi) | (np.asarray(cyto) < 0) | np.isnan(age_y) | (np.asarray(sct) < 0)
    return np.where(unknown, np.nan, total)


def group_of_points(p: np.ndarray) -> np.ndarray:
    """Group labels from points: <= 6 favorable, 7-9 intermediate, >= 10 adverse; '' for NaN.

    Parameters
    ----------
    p : numpy.ndarray of float
        Breems points (:func:`points`), NaN where unknown.

    Returns
    -------
    numpy.ndarray of str
        ``"favorable"``, ``"intermediate"`` or ``"adverse"`` (the index's "poor") per
        patient, ``""`` where the points are NaN.
    """
    p = np.asarray(p, dtype=float)
    return np.where(np.isnan(p), "", np.where(p <= 6, "favorable", np.where(p <= 9, "intermediate", "adverse")))


def _numbers(df: pd.DataFrame, col) -> np.ndarray:
    s = df[col]
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    text = s.astype(str).str.strip().str.lower()
    blank = s.isna() | text.isin(["", "na", "nan", "n/a", "unknown", "nd"])
    bad = np.flatnonzero(np.isnan(num) & ~blank.to_numpy())
    if len(bad):
        raise bad_value(col, int(bad[0]), s.iloc[bad[0]], "a number (months or years), or empty for unknown")
    return num


def classify(df: pd.DataFrame) -> Classification:
    """Classify every row of ``df`` by the Breems prognostic index (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with the relapse-free interval, ``cytogenetics_dx``, ``age`` and
        prior stem-cell transplantation columns (or their aliases, module docstring); an
        optional ``disease_status`` column marks refractory patients, who are not classified.

    Returns
    -------
    Classification
        Groups per row (``""`` where not classified), reachable groups (``possible``),
        ``score`` (the points) and notes; ``skipped`` names the missing input columns
        when one of the four inputs has no column.

    Raises
    ------
    InputError
        A value that is not a number (interval, age), a negative interval, or an
        unreadable yes/no or cytogenetics value (naming row and column).

    References
    ----------
    .. [1] Breems DA, Van Putten WLJ, Huijgens PC, et al. Prognostic index for adult
       patients with acute myeloid leukemia in first relapse. J Clin Oncol.
       2005;23:1969-1978.
    """
    res = Classification(NAME, "Breems prognostic index", LEVELS, source=SOURCE)
    found, missing = require(df, {"cr_to_relapse_months": RFI_COLUMNS, "cytogenetics_dx": CYTO_COLUMNS,
                                  "age": AGE_COLUMNS, "prior_allohct": SCT_COLUMNS})
    if missing:
        res.skipped = "missing input columns: " + ", ".join(missing)
        return res
    rfi = _numbers(df, found["cr_to_relapse_months"])
    if (rfi[~np.isnan(rfi)] < 0).any():
        i = int(np.flatnonzero(rfi < 0)[0])
        raise bad_value(found["cr_to_relapse_months"], i, df[found["cr_to_relapse_months"]].iloc[i],
                        "months >= 0")
    age = _numbers(df, found["age"])
    sct = tristate(df, (found["prior_allohct"],), "prior_allohct")
    assert sct is not None  # the column was found above
    flags = parse_cytogenetics(df[found["cytogenetics_dx"]].to_numpy(), str(found["cytogenetics_dx"]))
    cyto = np.where(flags["inv16"] == 1, 0, np.where(flags["t8_21"] == 1, 1, 2))
    cyto = np.where(flags["inv16"] < 0, -1, cyto)
    p = points(rfi, cyto, age, sct)
    groups = group_of_points(p)
    scol = find_column(df, STATUS_COLUMNS)
    if scol is not None:
        refractory = df[scol].astype(str).str.strip().str.lower().str.startswith("refract").to_numpy()
        groups = np.where(refractory, "", groups)
        p = np.where(refractory, np.nan, p)
        res.notes.append(f"{int(refractory.sum())} refractory patients (no first CR) not classified: "
                         "the index is defined for first relapse")
    else:
        res.notes.append("no disease_status column: patients without a relapse-free interval are unknown")
    res.notes.append("age at HMA/venetoclax start used for age at relapse; prior_allohct for prior SCT")
    res.groups = pd.Series(groups, index=df.index, dtype=object)
    res.possible = res.groups.where(res.groups != "", "|".join(LEVELS))
    res.score = pd.Series(p, index=df.index)
    return res
