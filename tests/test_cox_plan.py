"""The vectorised risk-set plan of the Cox fit (issue 14: it was a per-patient Python loop) is the loop's, exactly.

The loop below is the former ``venprs.survival.cox._plan`` (R's ``coxfit6`` walk from the last time to the
first); the R-equality tests of the Cox fits (tests/test_survival.py, test_cox_rare.py) are the proof
against R, this test the proof that the order of every term is unchanged.
"""

import numpy as np
import pytest

from venprs.survival.cox import _plan


def _loop_plan(time, status):
    n = len(time)
    main, lls, blocks, div, pos, dead = [], [], [], [], [], []
    i = n - 1
    while i >= 0:
        j = i
        while j >= 0 and time[j] == time[i]:
            j -= 1
        block = range(i, j, -1)
        deaths = [q for q in block if status[q] == 1]
        main += [q for q in block if status[q] == 0]
        lls += deaths
        if deaths:
            for _ in deaths:
                t = len(blocks)
                blocks.append(len(dead))
                div.append(len(deaths))
                pos.append(len(main))
                main.append(n + t)
                lls.append(n + t)
            dead.append(deaths)
        i = j
    width = max((len(d) for d in dead), default=0)
    dd = np.full((len(dead), width), -1, dtype=np.int64)
    for b, d in enumerate(dead):
        dd[b, :len(d)] = d
    return main, blocks, div, pos, dd, lls


@pytest.mark.parametrize("n,levels,seed", [(1, 1, 0), (7, 3, 1), (200, 15, 2), (500, 500, 3), (1000, 40, 4)])
def test_plan_equals_the_loop(n, levels, seed):
    rng = np.random.default_rng(seed)
    time = np.sort(rng.integers(0, levels, n)).astype(float)
    status = rng.integers(0, 2, n)
    p = _plan(rng.normal(size=(n, 2)), time, status)
    main, blocks, div, pos, dd, lls = _loop_plan(time, status)
    assert p.main.tolist() == main and p.lls.tolist() == lls
    assert p.term_block.tolist() == blocks and p.term_div.tolist() == div and p.term_pos.tolist() == pos
    assert p.dead.tolist() == dd.tolist() and p.dead.shape == dd.shape


def test_plan_without_deaths():
    p = _plan(np.zeros((3, 1)), np.array([1.0, 2.0, 2.0]), np.array([0, 0, 0]))
    assert p.main.tolist() == [2, 1, 0] and p.lls.tolist() == [] and p.dead.shape == (0, 0)
