"""Thin survival-analysis wrappers that match R's ``survival`` package (KM, log-rank, Cox)."""

from .cox import CoxResult, fit_cox
from .km import KMResult, kaplan_meier, logrank, reverse_km_median_followup

__all__ = ["KMResult", "kaplan_meier", "logrank", "reverse_km_median_followup", "CoxResult", "fit_cox"]
