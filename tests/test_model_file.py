"""The model file: Table 4 values, the chosen readings of docs/model-notes.md, exactness."""

from decimal import Decimal
from itertools import product

import venprs
from conftest import TABLE4
from venprs.model import load_model, model_json


def test_model_file_coefficients_equal_table4_as_typed_from_the_paper():
    m = load_model()
    for ep in ("os", "efs"):
        assert {t.factor: t.coefficient for t in m.endpoints[ep].terms} == \
            {f: Decimal(v) for f, v in TABLE4[ep].items()}


def test_table4_coefficients_and_hrs():
    m = load_model()
    os_ = {t.factor: (t.coefficient, t.hr, t.ci) for t in m.endpoints["os"].terms}
    # Table 4, multivariate OS
    assert os_["nf1"] == (Decimal("0.94"), 2.6, (1.2, 5.4))  # not the Results text's 2.26 (1.5-3.4)
    assert os_["ptpn11"] == (Decimal("0.80"), 2.2, (1.3, 4.0))
    assert os_["sf3b1"] == (Decimal("-0.98"), 0.38, (0.2, 0.8))
    efs = {t.factor: t.coefficient for t in m.endpoints["efs"].terms}
    assert "tp53" not in efs and efs["flt3"] == Decimal("0.60")


def test_chosen_readings():
    m = load_model()
    assert (m.low_units, m.high_units) == (25, 75)
    assert m.raw["thresholds"]["rule"] == "favorable: S < 0.25; intermediate: 0.25 <= S <= 0.75; adverse: S > 0.75"
    g = m.endpoints["os"].group_outcomes
    assert [g[k]["median_months"] for k in ("favorable", "intermediate", "adverse")] == [14.2, 7.0, 3.1]
    assert [g[k]["n"] for k in ("favorable", "intermediate", "adverse")] == [46, 75, 53]
    assert "21.4" in g["alternative_reading"]


def test_no_combination_sums_to_the_ambiguous_cut_point():
    # Methods vs Table 4 differ only at S = 0.25 exactly (docs/model-notes.md #1): no patient can get it.
    for ep in ("os", "efs"):
        terms = load_model().endpoints[ep].terms
        for bits in product([0, 1], repeat=len(terms)):
            assert sum(b * t.units for b, t in zip(bits, terms)) != 25


def test_every_number_has_a_source():
    m = load_model()
    for ep in m.endpoints.values():
        assert all(t.source for t in ep.terms)
        assert all(ep.group_outcomes[g]["source"] for g in ("favorable", "intermediate", "adverse"))
    assert m.doi in model_json()
    assert venprs.__version__
