"""Tolerances and verdicts of the "paper vs this run" rows (issue 16): venprs.reporting.verdict."""

import math

import pytest

from venprs.reporting.paper import compare_row
from venprs.reporting.verdict import tolerance, verdict_summary
from venprs.simulation.assumptions import TOLERANCES


def test_count_uses_sampling_error_or_the_simulator_tolerance():
    # 60 of 240 complete responses: 1.96 * sqrt(0.25 * 0.75 / 240) = 0.0548 > 2 pp -> +-13.1 patients
    tol, ok = tolerance("count", 60, 76, n=240)
    half = 1.96 * math.sqrt(0.25 * 0.75 / 240) * 240
    assert tol["high"] == pytest.approx(60 + half) and tol["text"] == f"±{half:.1f}"
    assert ok is False and "n = 240" in tol["reason"]
    assert tolerance("count", 60, 70, n=240)[1] is True
    # a rare level: the simulator's +-2 pp is the larger (2 pp of 240 = 4.8 patients)
    tol, _ = tolerance("count", 0, 3, n=240)
    assert tol["high"] == pytest.approx(TOLERANCES["proportion_pp"] / 100 * 240)


def test_hr_and_coefficient_within_the_papers_ci():
    # Table 4, OS extramedullary: coefficient 0.90, HR 2.46 (1.5-4.0): 0.42 is just inside log(1.5) = 0.405
    tol, ok = tolerance("coef", 0.90, 0.42, ci=(1.5, 4.0))
    assert tol["low"] == pytest.approx(math.log(1.5)) and ok is True
    assert tolerance("coef", 0.90, 0.30, ci=(1.5, 4.0))[1] is False
    assert tolerance("hr", 2.46, 1.6, ci=(1.5, 4.0)) == ({"text": "1.50-4.00", "reason": "the paper's 95% CI",
                                                          "low": 1.5, "high": 4.0}, True)


def test_median_p_aic_and_missing():
    # adverse OS median 3.1 (1.5-6.7) months (Fig. 2): 5.3 is inside the published CI
    assert tolerance("median", 3.1, 5.3, ci=(1.5, 6.7))[1] is True
    assert tolerance("median", 7.1, 8.0)[0]["text"] == "±10%" and tolerance("median", 7.1, 8.0)[1] is False
    assert tolerance("p", 0.001, 0.03)[1] is True and tolerance("p", 0.001, 0.2)[1] is False
    assert tolerance("aic", -26.67, -15.86)[1] is True
    assert tolerance("median", 3.1, None)[1] is None
    assert tolerance("median", "not reached", "not reached")[1] is True
    assert tolerance("median", "not reached", 9.5)[1] is False


def test_compare_row_carries_the_verdict():
    r = compare_row("OS adverse median (months)", 3.1, 5.3, 1, "Fig. 2", judge="median", ci=(1.5, 6.7))
    assert {"quantity", "paper", "this_run", "difference", "tolerance", "within_tolerance", "source"} <= set(r)
    assert r["difference"] == pytest.approx(2.2) and r["within_tolerance"] is True
    rows = [r, compare_row("x", 60, 76, 0, judge="count", n=240), compare_row("y", 1, None)]
    assert verdict_summary(rows) == "1 of 2 within tolerance"
