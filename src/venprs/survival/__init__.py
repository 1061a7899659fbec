"""Survival analysis that matches R's ``survival`` package (KM, log-rank, Cox).

Kaplan-Meier and the log-rank test follow ``survfit`` and ``survdiff`` (:mod:`venprs.survival.km`);
the Cox model is venprs' own engine
(:mod:`venprs.survival.cox`: :func:`fit_cox` for reported fits, :func:`fast_cox`
for resampling loops).
"""

from .cox import CoxResult, FastCox, fast_cox, fit_cox
from .km import KMResult, kaplan_meier, logrank, reverse_km_median_followup

__all__ = ["KMResult", "kaplan_meier", "logrank", "reverse_km_median_followup", "CoxResult", "fit_cox",
           "FastCox", "fast_cox"]
