"""Exact scoring: every combination against an independent Decimal computation (Table 4)."""

from decimal import Decimal
from itertools import product

import pytest

import venprs
from conftest import TABLE4

# Table 4 (Shahswar et al. 2025), multivariate coefficients: tests/data/table4.json, typed from the paper
# independently of the model file.
OS, EFS = TABLE4["os"], TABLE4["efs"]
FACTORS = list(OS)


def ref_group(s: Decimal) -> str:
    # Table 4 footnote: S < 0.25 favorable; 0.25 <= S <= 0.75 intermediate; S > 0.75 adverse
    if s < Decimal("0.25"):
        return "favorable"
    if s <= Decimal("0.75"):
        return "intermediate"
    return "adverse"


def ref_score(coefs, values):
    return sum((Decimal(c) for f, c in coefs.items() if values[f]), Decimal(0))


@pytest.mark.parametrize("bits", list(product([False, True], repeat=7)))
def test_all_128_combinations(bits):
    values = dict(zip(FACTORS, bits))
    r = venprs.score(**values)
    for res, coefs in ((r.os, OS), (r.efs, EFS)):
        s = ref_score(coefs, values)
        assert res.score == float(s)
        assert Decimal(str(res.score)) == s
        assert res.group == ref_group(s)
        assert res.possible_groups == (ref_group(s),)
        assert res.score_range == (float(s), float(s))


def test_efs_075_is_intermediate():
    # 0.57 + 0.45 + 0.60 - 0.87 = 0.75 exactly; float summation gives 0.7500000000000001
    assert 0.57 + 0.45 + 0.60 - 0.87 > 0.75
    r = venprs.score(extramedullary=True, prior_hma=True, nf1=False, ptpn11=False, flt3=True, tp53=False,
                     sf3b1=True)
    assert r.efs.score == 0.75
    assert r.efs.group == "intermediate"
