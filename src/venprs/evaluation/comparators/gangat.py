"""Gangat et al. risk model for HMA plus venetoclax (Am J Hematol 2024): not built in.

Shahswar et al. describe it as an HR-weighted score of failure to achieve
CR/CRi, adverse karyotype, *TP53* mutation and absence of an *IDH2* mutation, in
three groups (low, intermediate, high). The points and cut-offs of the primary
article could not be sourced for this project, and venprs does not guess
clinical numbers. The comparator is therefore skipped with that reason unless
the user supplies the definition as a score file (``--comparators FILE``; see
:mod:`venprs.evaluation.comparators.custom`), e.g. with factors
``best_response`` (present_values: the non-CR/CRi responses), adverse karyotype,
``tp53`` and ``idh2`` (``invert: true``), and the published weights and
cut-points typed from the article by the user.

References
----------
.. [1] Gangat N, Karrar O, Iftikhar M, et al. Venetoclax and hypomethylating agent
   combination therapy in newly diagnosed acute myeloid leukemia: genotyping
   signatures for response and survival among 301 consecutive patients.
   Am J Hematol. 2024;99:193-202.
"""

from __future__ import annotations

import pandas as pd

from ._common import Classification

NAME = "gangat"
LEVELS = ("favorable", "intermediate", "adverse")
SOURCE = "Gangat N, et al. Am J Hematol. 2024;99:193-202"
REASON = ("the point table of Gangat et al. (Am J Hematol 2024;99:193) could not be sourced; supply it as a "
          "score file with --comparators FILE (see docs/evaluation.md)")


def classify(df: pd.DataFrame) -> Classification:
    """Always skipped with :data:`REASON` (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table (not read).

    Returns
    -------
    Classification
        With ``skipped`` set to :data:`REASON` and no groups.
    """
    return Classification(NAME, "Gangat et al. 2024", LEVELS, skipped=REASON, source=SOURCE)
