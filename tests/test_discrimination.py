"""Time-dependent AUC (Heagerty NNE, IPCW) and Harrell's / Uno's C against R, scikit-survival and properties.

Reference values: tests/data/discrimination_reference.json, written by
tests/r/discrimination_reference.R (versions in its ``meta``: R 4.2.2, survival 3.5-3,
survivalROC 1.0.3.1, timeROC 0.4, riskRegression 2022.11.28) on
tests/data/discrimination_cohorts.csv (tests/data/make_discrimination_cohorts.py) and
tests/data/eval_cohort.csv. R calls, per cohort and marker x (horizon 10 months):

    survivalROC(Stime = t, status = e, marker = x, predict.time = 10, method = "NNE", span = s)
    survivalROC(..., lambda = l)
    timeROC(T = t, delta = e, marker = x, cause = 1, weighting = "marginal", times = 10)
    Score(list(m = x), Surv(t, e) ~ 1, data, times = 10, metrics = "auc", cens.model = "km")
    concordance(Surv(t, e) ~ x, reverse = TRUE)                       # Harrell
    concordance(Surv(t, e) ~ x, reverse = TRUE, timewt = "n/G2")      # Uno
    concordance(..., timewt = "n/G2", ymax = 8)
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venprs.evaluation.discrimination import (
    default_span,
    discrimination,
    harrell_c,
    heagerty_auc,
    heagerty_roc,
    ipcw_auc,
    ipcw_roc,
    uno_c,
)
from venprs.survival.concordance import censoring_survival_before, concordance, prefix_rank_counts

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "discrimination_reference.json").read_text())
COHORTS = pd.read_csv(DATA / "discrimination_cohorts.csv")
EVAL = pd.read_csv(DATA / "eval_cohort.csv")
TOL = 1e-8
H = REF["meta"]["horizon"]


def _data(name, marker):
    if name.startswith("eval_"):
        ep = name[5:]
        return (EVAL[f"{ep}_months"].to_numpy(float), EVAL[f"{ep}_event"].to_numpy(int),
                EVAL[f"{ep}_score"].to_numpy(float))
    d = COHORTS[COHORTS["cohort"] == name]
    return d["time"].to_numpy(float), d["event"].to_numpy(int), d[marker].to_numpy(float)


CASES = [(name, marker) for name, v in REF["cohorts"].items() for marker in v]
NAMED = [c for c in CASES if not c[0].startswith("random_")]
RANDOM = [c for c in CASES if c[0].startswith("random_")]


def _eq(got, want):
    if want is None:
        assert got is None or not np.isfinite(got), got
    else:
        assert got == pytest.approx(want, abs=TOL)


NNE_VARIANTS = {"nne_default": {}, "nne_span_005": {"span": 0.05}, "nne_span_03": {"span": 0.3},
                "nne_lambda_002": {"lambda_": 0.02}, "nne_lambda_05": {"lambda_": 0.5}}


def _check_all(name, marker):
    r = REF["cohorts"][name][marker]
    t, e, x = _data(name, marker)
    for key, kw in NNE_VARIANTS.items():
        ref = r[key]
        got = heagerty_roc(t, e, x, H, **kw)
        if ref["error"] or ref["auc"] is None:  # survivalROC stops (no event by the horizon) or gives NaN
            assert math.isnan(got["auc"]) and got["note"], (key, got)
            continue
        _eq(got["auc"], ref["auc"])
        np.testing.assert_allclose(got["tp"], ref["tp"], atol=TOL, err_msg=key)
        np.testing.assert_allclose(got["fp"], ref["fp"], atol=TOL, err_msg=key)
        _eq(got["survival"], ref["survival"])
    tr = r["timeroc"]
    got = ipcw_roc(t, e, x, H, cases="timeROC")
    _eq(got["auc"], tr["auc"])
    if tr["auc"] is not None:
        np.testing.assert_allclose(got["tp"], tr["tp"], atol=TOL)
        np.testing.assert_allclose(got["fp"], tr["fp"], atol=TOL)
    _eq(ipcw_auc(t, e, x, H)[0], r["score_auc"])
    _eq(harrell_c(t, e, x), r["c_harrell"])
    _eq(uno_c(t, e, x), r["c_uno"])
    _eq(uno_c(t, e, x, tau=8), r["c_uno_ymax8"])


@pytest.mark.parametrize("name,marker", NAMED, ids=[f"{a}-{b}" for a, b in NAMED])
def test_equals_r_on_named_cohorts(name, marker):
    _check_all(name, marker)


def test_random_batch_equals_r():
    # 40 small random cohorts (n 8-40, whole-month times 0-14, heavy ties) x 2 markers
    assert len(RANDOM) == 80
    for name, marker in RANDOM:
        _check_all(name, marker)


def test_reference_covers_the_edge_cases():
    # the cohorts hold what the issue asks for: ties at the horizon, zero times, an event at a censoring
    # time, n <= 30, no censoring before the horizon, no event by the horizon (R stops: NaN here)
    t, e, _ = _data("ties", "score")
    assert ((t == H) & (e == 1)).any() and len(set(t[e == 1]) & set(t[e == 0])) > 3
    t, e, _ = _data("zero_times", "score")
    assert ((t == 0) & (e == 1)).any() and ((t == 0) & (e == 0)).any()
    assert len(_data("tiny", "score")[0]) == 8 and len(_data("small", "score")[0]) == 24
    t, e, _ = _data("late_censoring", "score")
    assert t[e == 0].min() > H
    assert REF["cohorts"]["no_event_by_h"]["score"]["nne_default"]["error"]
    assert REF["cohorts"]["no_event_by_h"]["score"]["score_auc"] is None


def test_timeroc_and_score_differ_only_by_events_at_the_horizon():
    # timeROC counts cases at T < t, riskRegression::Score at T <= t
    t, e, x = _data("ties", "score")
    assert ((t == H) & (e == 1)).any()
    r = REF["cohorts"]["ties"]["score"]
    assert abs(r["timeroc"]["auc"] - r["score_auc"]) > 1e-4
    t2 = np.where(t == H, H + 0.5, t)  # move them: both definitions agree
    assert ipcw_auc(t2, e, x, H)[0] == pytest.approx(ipcw_auc(t2, e, x, H, cases="timeROC")[0], abs=1e-15)


# ------------------------------------------------------------------ scikit-survival

def test_ipcw_auc_equals_scikit_survival_without_censoring_at_event_times():
    # scikit-survival takes G(T_i) where R takes G(T_i-): equal when no censoring shares a case's time
    from sksurv.metrics import cumulative_dynamic_auc
    from sksurv.util import Surv

    t, e, x = _data("continuous", "cont")
    y = Surv.from_arrays(event=e.astype(bool), time=t)
    ref = cumulative_dynamic_auc(y, y, x, [H])[0][0]
    assert ipcw_auc(t, e, x, H)[0] == pytest.approx(ref, abs=1e-12)


def test_ipcw_auc_differs_from_scikit_survival_at_tied_censoring():
    from sksurv.metrics import cumulative_dynamic_auc
    from sksurv.util import Surv

    t, e, x = _data("eval_efs", "score")
    y = Surv.from_arrays(event=e.astype(bool), time=t)
    sk = cumulative_dynamic_auc(y, y, x, [H])[0][0]
    r = REF["cohorts"]["eval_efs"]["score"]["score_auc"]
    assert abs(sk - r) > 1e-5 and ipcw_auc(t, e, x, H)[0] == pytest.approx(r, abs=TOL)


def test_harrell_equals_scikit_survival():
    from sksurv.metrics import concordance_index_censored

    for name in ("ties", "zero_times", "continuous", "small"):
        for marker in ("score", "cont"):
            t, e, x = _data(name, marker)
            assert harrell_c(t, e, x) == pytest.approx(concordance_index_censored(e.astype(bool), t, x)[0],
                                                       abs=1e-12)


def test_uno_equals_scikit_survival_without_censoring_at_event_times():
    from sksurv.metrics import concordance_index_ipcw
    from sksurv.util import Surv

    t, e, x = _data("continuous", "cont")
    y = Surv.from_arrays(event=e.astype(bool), time=t)
    tau = 8.0
    assert uno_c(t, e, x, tau=tau) == pytest.approx(concordance_index_ipcw(y, y, x, tau=tau)[0], abs=1e-12)


# ------------------------------------------------------------------ building blocks

def test_censoring_survival_before_hand_computed():
    # times 1 2 2 3 4, events 1 0 1 0 1: at 2 the event leaves first, so G jumps by 1 - 1/3 at 2 and
    # by 1 - 1/2 at 3; G(s-) just before 1, 2, 2, 3, 4 and 5
    t, e = [1, 2, 2, 3, 4], [1, 0, 1, 0, 1]
    got = censoring_survival_before(t, e, [1, 2, 2, 3, 4, 5])
    np.testing.assert_allclose(got, [1, 1, 1, 2 / 3, 1 / 3, 1 / 3])


@pytest.mark.parametrize("table_limit", [0, 1 << 20], ids=["dyadic", "table"])
def test_prefix_rank_counts_brute_force(table_limit, monkeypatch):
    # both paths: dyadic blocks (many distinct ranks) and the count table (few, e.g. a score)
    import venprs.survival.concordance as conc

    monkeypatch.setattr(conc, "_TABLE_LIMIT", table_limit)
    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 64, 65, 300):
        r = rng.integers(0, 9, n)
        P = rng.integers(0, n + 1, 50)
        q = rng.integers(-1, 11, 50)
        lt, le = prefix_rank_counts(r, P, q)
        assert lt.tolist() == [int((r[:p] < v).sum()) for p, v in zip(P, q)]
        assert le.tolist() == [int((r[:p] <= v).sum()) for p, v in zip(P, q)]


def test_concordance_rejects_unknown_weight():
    with pytest.raises(ValueError, match="timewt must be 'n' or 'n/G2'"):
        concordance([1, 2], [1, 1], [1, 2], timewt="S/G")


def test_heagerty_nne_window_hand_computed():
    # x = 1..4, span 0.5: k = trunc(4 * 0.5 + 0.5) = 2; survivalROC's half-width for x = 1 is
    # X_(1+2) - 1 = 2 (neighbours 1, 2, 3), for 2: X_(4) - 2 = 2 (all), for 3: X_(4) - 3 = 1 (2, 3, 4),
    # for 4: 0 (itself). Times 2 5 1 3, events 1 0 1 1, horizon 4; S(4|x) = KM in each neighbourhood
    # at the event times 1, 2, 3: x=1 {2e, 5c, 1e}: (1-1/3)(1-1/2) = 1/3; x=2 (all): (1-1/4)(1-1/3)(1-1/2)
    # = 1/4; x=3 {5c, 1e, 3e}: (1-1/3)(1-1/2) = 1/3; x=4 {3e}: 0.
    roc = heagerty_roc([2, 5, 1, 3], [1, 0, 1, 1], [1, 2, 3, 4], horizon=4, span=0.5)
    S = np.array([1 / 3, 1 / 4, 1 / 3, 0])
    Sm = S.mean()
    assert roc["survival_nne"] == pytest.approx(Sm)
    assert roc["survival"] == pytest.approx(0.25)  # whole-sample KM: (1-1/4)(1-1/3)(1-1/2)
    p_gt = np.array([4, 3, 2, 1, 0]) / 4
    s_gt = np.array([S.sum(), S[1:].sum(), S[2:].sum(), S[3:].sum(), 0]) / 4
    np.testing.assert_allclose(roc["tp"], (p_gt - s_gt) / (1 - Sm), atol=1e-15)
    np.testing.assert_allclose(roc["fp"], s_gt / Sm, atol=1e-15)


def test_heagerty_huge_lambda_is_uninformative():
    # every Gaussian weight is non-zero: each neighbourhood is the whole sample, S(t|x) = KM, AUC = 1/2
    t, e, x = _data("ties", "score")
    assert heagerty_auc(t, e, x, H, lambda_=1e6) == pytest.approx(0.5, abs=1e-12)


def test_heagerty_without_censoring_is_the_empirical_auc():
    # no censoring before the horizon, neighbourhoods = tied marker values (k = 0): the empirical
    # P(X_case > X_control) + 1/2 P(tie), by brute force
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, 80).astype(float)
    t = rng.exponential(10 * np.exp(-0.3 * x))
    e = np.ones(80, dtype=int)
    cases, controls = x[t <= 10], x[t > 10]
    emp = ((cases[:, None] > controls[None, :]).mean() + 0.5 * (cases[:, None] == controls[None, :]).mean())
    assert heagerty_auc(t, e, x, 10, span=1e-6) == pytest.approx(emp, abs=1e-12)


def test_heagerty_rejects_bad_lambda():
    with pytest.raises(ValueError, match="lambda must be positive"):
        heagerty_roc([1, 2], [1, 0], [1, 2], 10, lambda_=0)


def test_discrimination_notes_say_why_an_auc_is_missing():
    t, e, x = _data("no_event_by_h", "score")
    d = discrimination(t, e, x, H, n_boot=0).to_dict()
    assert d["auc_10m"]["heagerty"]["estimate"] is None and d["auc_10m"]["ipcw"]["estimate"] is None
    assert any("Heagerty AUC: no event at or before 10 months" in n for n in d["notes"])
    assert any("IPCW AUC: no case" in n for n in d["notes"])
    assert d["c_harrell"]["estimate"] is not None


def test_discrimination_json_shape_and_span():
    t, e, x = _data("ties", "score")
    d = discrimination(t, e, x, H, n_boot=10, seed=2).to_dict()
    assert set(d["auc_10m"]) == {"heagerty", "ipcw"}
    assert d["auc_10m"]["heagerty"]["span"] == pytest.approx(round(default_span(len(t)), 6))
    for k in ("c_harrell", "c_uno"):
        assert set(d[k]) == {"estimate", "ci"}
    assert d["auc_10m"]["heagerty"]["estimate"] == pytest.approx(REF["cohorts"]["ties"]["score"]["nne_default"]["auc"],
                                                                 abs=1e-6)


# ------------------------------------------------------------------ properties (hypothesis)

@st.composite
def cohorts(draw, min_n=2, max_n=40):
    n = draw(st.integers(min_n, max_n))
    t = draw(st.lists(st.integers(0, 14), min_size=n, max_size=n))
    e = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    x = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    return np.array(t, float), np.array(e, int), np.array(x, float)


def _finite_or_nan_equal(a, b, tol=1e-12):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_measures_lie_in_unit_interval(c):
    t, e, x = c
    for v in (heagerty_auc(t, e, x, H), ipcw_auc(t, e, x, H)[0], harrell_c(t, e, x), uno_c(t, e, x)):
        assert math.isnan(v) or -1e-12 <= v <= 1 + 1e-12


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_rank_measures_invariant_to_monotone_transforms(c):
    # IPCW AUC and both C-indices use only the order of the marker
    t, e, x = c
    y = np.exp(x / 3) * 7 - 100  # strictly increasing
    assert _finite_or_nan_equal(ipcw_auc(t, e, x, H)[0], ipcw_auc(t, e, y, H)[0])
    assert _finite_or_nan_equal(harrell_c(t, e, x), harrell_c(t, e, y))
    assert _finite_or_nan_equal(uno_c(t, e, x), uno_c(t, e, y))


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_nne_invariant_to_exact_affine_transforms(c):
    # the NNE windows are symmetric in marker distance: invariant to x -> 4 x + 3 (exact in floating point)
    t, e, x = c
    assert _finite_or_nan_equal(heagerty_auc(t, e, x, H, span=0.2), heagerty_auc(t, e, 4 * x + 3, H, span=0.2))


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_reversed_marker_mirrors_rank_measures(c):
    t, e, x = c
    for f in (lambda m: ipcw_auc(t, e, m, H)[0], lambda m: harrell_c(t, e, m), lambda m: uno_c(t, e, m)):
        a, b = f(x), f(-x)
        assert _finite_or_nan_equal(a, 1 - b)


@settings(max_examples=100, deadline=None)
@given(st.integers(3, 40), st.data())
def test_perfect_marker_has_auc_one_and_reversed_zero(n, data):
    # distinct times, marker = -time: every case has a higher marker than every control
    t = np.array(data.draw(st.lists(st.integers(0, 60), min_size=n, max_size=n, unique=True)), float)
    e = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), int)
    x = -t
    a = ipcw_auc(t, e, x, H)[0]
    if not math.isnan(a):
        assert a == pytest.approx(1.0, abs=1e-12)
        assert ipcw_auc(t, e, -x, H)[0] == pytest.approx(0.0, abs=1e-12)
        if not ((e == 0) & (t <= H)).any():  # single-patient neighbourhoods: a censored one has S = 1
            assert heagerty_auc(t, e, x, H, span=1e-6) == pytest.approx(1.0, abs=1e-12)
            assert heagerty_auc(t, e, -x, H, span=1e-6) == pytest.approx(0.0, abs=1e-12)
    if e.sum() and not math.isnan(harrell_c(t, e, x)):
        assert harrell_c(t, e, x) == pytest.approx(1.0, abs=1e-12)
        assert uno_c(t, e, x) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(cohorts(min_n=2, max_n=25))
def test_concordance_equals_brute_force_pairs(c):
    t, e, x = c
    G = censoring_survival_before(t, e)
    for uno in (False, True):
        w = 1 / G ** 2 if (uno and e.sum() >= 2) else np.ones(len(t))
        num = den = 0.0
        for i in np.flatnonzero(e == 1):
            comp = (t > t[i]) | ((t == t[i]) & (e == 0))
            den += w[i] * comp.sum()
            num += w[i] * ((x[comp] < x[i]).sum() + 0.5 * (x[comp] == x[i]).sum())
        want = num / den if den else float("nan")
        got = uno_c(t, e, x) if uno else harrell_c(t, e, x)
        assert _finite_or_nan_equal(got, want, 1e-12)


@settings(max_examples=100, deadline=None)
@given(cohorts(min_n=2, max_n=25))
def test_nne_equals_brute_force_window(c):
    # survivalROC's window and Kaplan-Meier, written out patient by patient
    t, e, x = c
    span = 0.3
    n = len(t)
    k = int(n * span + 0.5)
    xs = np.sort(x)
    got = heagerty_roc(t, e, x, H, span=span)
    if math.isnan(got["auc"]):
        assert not ((e == 1) & (t <= H)).any() or got["survival_nne"] == 0 or got["survival_nne"] == 1
        return
    evt = np.unique(t[(e == 1) & (t <= H)])
    S = {}
    for u in np.unique(x):
        lam = xs[min(int((x < u).sum()) + k, n - 1)] - u
        w = np.abs(x - u) <= lam
        s = 1.0
        for tt in evt:
            r = (w & (t >= tt)).sum()
            d = (w & (t == tt) & (e == 1)).sum()
            if r:
                s *= 1 - d / r
        S[u] = s
    Si = np.array([S[v] for v in x])
    assert got["survival_nne"] == pytest.approx(Si.mean(), abs=1e-12)
