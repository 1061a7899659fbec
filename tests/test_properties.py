"""Property tests (hypothesis): monotonicity of the score in each factor."""

from hypothesis import given, settings
from hypothesis import strategies as st

import venprs
from venprs.scoring import FACTORS

ADVERSE = ["extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53"]
states = st.fixed_dictionaries({f: st.sampled_from([True, False, None]) for f in FACTORS})
RANK = {"favorable": 0, "intermediate": 1, "adverse": 2}


@settings(max_examples=300, deadline=None)
@given(states, st.sampled_from(ADVERSE))
def test_adverse_factor_never_lowers(values, factor):
    lo = venprs.score(**{**values, factor: False})
    hi = venprs.score(**{**values, factor: True})
    for ep in ("os", "efs"):
        a, b = lo[ep], hi[ep]
        assert b.score_range[0] >= a.score_range[0] and b.score_range[1] >= a.score_range[1]
        assert RANK[b.possible_groups[0]] >= RANK[a.possible_groups[0]]
        assert RANK[b.possible_groups[-1]] >= RANK[a.possible_groups[-1]]


@settings(max_examples=300, deadline=None)
@given(states)
def test_sf3b1_never_raises(values):
    wt = venprs.score(**{**values, "sf3b1": False})
    mut = venprs.score(**{**values, "sf3b1": True})
    for ep in ("os", "efs"):
        assert mut[ep].score_range[1] <= wt[ep].score_range[1]
        assert RANK[mut[ep].possible_groups[-1]] <= RANK[wt[ep].possible_groups[-1]]


@settings(max_examples=300, deadline=None)
@given(states)
def test_unknown_range_contains_every_completion(values):
    r = venprs.score(**values)
    for f in FACTORS:
        if values[f] is None:
            for v in (True, False):
                c = venprs.score(**{**values, f: v})
                for ep in ("os", "efs"):
                    assert r[ep].score_range[0] <= c[ep].score_range[0] <= c[ep].score_range[1] <= r[ep].score_range[1]
                    assert set(c[ep].possible_groups) <= set(r[ep].possible_groups)
