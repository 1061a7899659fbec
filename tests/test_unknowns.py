"""Unknown values: ranges over every completion, reachable groups, determinacy."""

from decimal import Decimal
from itertools import product

import numpy as np
import pytest

import venprs
from test_scoring import EFS, OS, ref_group
from venprs.scoring import FACTORS, score_codes


def brute_force(coefs, values):
    """All completions of the unknown factors (independent of venprs's lookup table)."""
    unknown = [f for f in coefs if values.get(f) is None]
    sums = []
    for bits in product([False, True], repeat=len(unknown)):
        full = {**values, **dict(zip(unknown, bits))}
        sums.append(sum((Decimal(c) for f, c in coefs.items() if full[f]), Decimal(0)))
    groups = tuple(g for g in ("favorable", "intermediate", "adverse") if g in {ref_group(s) for s in sums})
    return min(sums), max(sums), groups


@pytest.mark.parametrize("states", list(product([False, True, None], repeat=7))[::7])
def test_ranges_match_brute_force(states):
    # every 7th of the 3^7 = 2187 patterns (313 cases); the vectorised test below covers all of them
    values = dict(zip(FACTORS, states))
    r = venprs.score(**values)
    for res, coefs in ((r.os, OS), (r.efs, EFS)):
        lo, hi, groups = brute_force(coefs, values)
        assert res.score_range == (float(lo), float(hi))
        assert res.possible_groups == groups
        assert res.determinate == (len(groups) == 1)
        assert res.group == (groups[0] if len(groups) == 1 else None)
        model_unknown = [f for f in coefs if values[f] is None]
        assert res.unknown_factors == tuple(model_unknown)
        assert (res.score is None) == bool(model_unknown)


def test_all_3_pow_7_patterns_vectorised():
    states = np.array(list(product([0, 1, -1], repeat=7)), dtype=np.int8)
    bit = {"favorable": 1, "intermediate": 2, "adverse": 4}
    for ep, coefs in (("os", OS), ("efs", EFS)):
        r = score_codes(states, ep)
        for i, row in enumerate(states):
            values = {f: (None if v == -1 else bool(v)) for f, v in zip(FACTORS, row)}
            lo, hi, groups = brute_force(coefs, values)
            assert r["lo"][i] == int(lo * 100) and r["hi"][i] == int(hi * 100)
            assert r["possible"][i] == sum(bit[g] for g in groups)


def test_gap_in_reachable_scores_is_not_an_interval():
    # Known sum 0 and only NF1 unknown: reachable OS scores are {0, 0.94}. The range spans the
    # intermediate band, but no completion lands in it, so intermediate is not a possible group.
    r = venprs.score(extramedullary=False, prior_hma=False, ptpn11=False, flt3=False, tp53=False, sf3b1=False)
    assert r.os.score_range == (0.0, 0.94)
    assert r.os.possible_groups == ("favorable", "adverse")
    assert r.os.group is None


def test_tp53_unknown_does_not_affect_efs():
    # TP53 is in the OS model only (Table 4)
    r = venprs.score(extramedullary=False, prior_hma=True, nf1=False, ptpn11=False, flt3=False, sf3b1=False)
    assert r.efs.score == 0.45 and r.efs.group == "intermediate" and r.efs.unknown_factors == ()
    assert r.os.score is None and r.os.score_range == (0.64, 1.03)
    assert r.os.possible_groups == ("intermediate", "adverse")


def test_determinate_despite_unknown():
    # EMD + prior HMA + NF1 = 2.48 for OS; worst case for the unknowns cannot go below 2.48 - 0.98 = 1.50
    r = venprs.score(extramedullary=True, prior_hma=True, nf1=True)
    assert r.os.score is None
    assert r.os.score_range == (1.5, 4.16)
    assert r.os.group == "adverse" and r.os.determinate


def test_all_unknown():
    r = venprs.score()
    assert r.os.score_range == (-0.98, 4.16)
    assert r.efs.score_range == (-0.87, 3.16)
    assert r.os.possible_groups == ("favorable", "intermediate", "adverse")
