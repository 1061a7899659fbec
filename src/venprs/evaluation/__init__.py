"""The paper's analyses on any cohort: derivation (tables, KM, Cox, score), later calibration etc."""
