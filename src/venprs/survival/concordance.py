"""Concordance counts in O(n log^2 n) and the censoring survival G(t-), as R's ``survival`` has them.

- :func:`censoring_survival_before`: G(t-), the Kaplan-Meier estimate of the
  censoring distribution just before ``t``, with the convention of R
  ``survival`` (``concordance``'s internal ``fastkm1``) and of ``prodlim``
  (``reverse = TRUE``, used by ``riskRegression::Score`` and ``timeROC``):
  at a time with both events and censorings, the events leave the risk set
  first, so the censoring hazard at ``s`` is ``c(s) / (n(s) - d(s))``.
- :func:`concordance_counts`: for every event, the number of comparable
  patients (later time, or the same time and censored) whose marker is
  lower, equal or higher; R's concordant / tied.x / discordant pairs
  (``reverse = TRUE``: a higher marker means a higher risk). Pairs of events
  at the same time are not comparable (R's tied.y).
- :func:`concordance`: Harrell's C (``timewt = "n"``) and Uno's C
  (``timewt = "n/G2"``, each pair weighted by 1 / G(T_i-)^2 of its earlier
  event) with R's ``ymax``: events after ``ymax`` carry no weight.

The counts use a dyadic decomposition of the comparable suffix of the
time-ordered sample: at each of log2(n) levels the marker ranks are sorted
within blocks once, and every event queries its blocks by binary search. No
n x n array is formed; time O(n log^2 n), memory O(n).

Times are compared exactly (R's ``timefix = TRUE`` merges times that differ
by less than about 1.5e-8 relative; venprs does not, so two times that close
are distinct here). Markers are compared exactly (R matches them to their
unique values; scikit-survival uses a tolerance of 1e-8).

References
----------
.. [1] Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of
   medical tests. JAMA. 1982;247:2543-2546.
.. [2] Uno H, Cai T, Pencina MJ, D'Agostino RB, Wei LJ. On the C-statistics for
   evaluating overall adequacy of risk prediction procedures with censored
   survival data. Stat Med. 2011;30:1105-1117.
.. [3] Therneau T. survival: Survival Analysis. R package version 3.5-3,
   ``concordance`` and its vignette "Concordance" (Therneau & Atkinson).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: largest n x (distinct ranks) for which :func:`prefix_rank_counts` uses a count table
_TABLE_LIMIT = 1 << 20

__all__ = ["censoring_survival_before", "concordance_counts", "concordance", "ConcordanceCounts",
           "prefix_rank_counts", "concordance_from_counts"]


def _arrays(time, event, marker=None):
    t = np.asarray(time, dtype=float)
    e = np.asarray(event).astype(int)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("time and event must be 1-d arrays of the same length")
    if marker is None:
        return t, e
    x = np.asarray(marker, dtype=float)
    if x.shape != t.shape:
        raise ValueError("marker must have the same length as time")
    return t, e, x


def censoring_survival_before(time, event, at=None) -> np.ndarray:
    """G(s-): Kaplan-Meier survival of the censoring times just before each ``s`` in ``at``.

    Parameters
    ----------
    time, event : array-like
        Follow-up times and event indicators (1 = event, 0 = censored) from
        which the censoring distribution is estimated.
    at : array-like, optional
        Times at which G(s-) is wanted (default: ``time``).

    Returns
    -------
    numpy.ndarray
        ``prod over censoring times c < s of (1 - C(c) / (N(c) - D(c)))``, where
        ``N(c)`` is the number at risk, ``D(c)`` the events and ``C(c)`` the
        censorings at ``c`` (events at ``c`` leave the risk set before the
        censorings).

    References
    ----------
    .. [1] Therneau T. survival 3.5-3, ``src/fastkm.c`` (G(t-) for ``concordance``).
    .. [2] Gerds TA. prodlim: ``prodlim(..., reverse = TRUE)`` with
       ``predictSurvIndividual(fit, lag = 1)`` (the weights of ``riskRegression::Score``
       and ``timeROC``).

    Examples
    --------
    >>> censoring_survival_before([1, 2, 2, 3], [1, 0, 1, 0]).tolist()
    [1.0, 1.0, 1.0, 0.5]
    """
    t, e = _arrays(time, event)
    s = t if at is None else np.asarray(at, dtype=float)
    u, inv = np.unique(t, return_inverse=True)
    d = np.bincount(inv, weights=e, minlength=len(u))
    tot = np.bincount(inv, minlength=len(u)).astype(float)
    n_risk = len(t) - np.concatenate([[0.0], np.cumsum(tot)[:-1]])
    c = tot - d
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(c > 0, 1.0 - c / (n_risk - d), 1.0)
    G = np.cumprod(factor)
    # G(s-) = G at the last censoring-table time strictly before s (1 before the first)
    k = np.searchsorted(u, s, side="left")
    return np.concatenate([[1.0], G])[k]


def prefix_rank_counts(ranks: np.ndarray, prefix: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each query k: ``#{p < prefix[k] : ranks[p] < query[k]}`` and ``... <= query[k]``.

    ``ranks`` are non-negative integers (positions p = 0..n-1 in a fixed
    order); ``prefix`` and ``query`` are integer arrays of the same length.
    Dyadic blocks: at level L the ranks are sorted within blocks of 2**L
    positions, and a prefix of length P is the union of the blocks given by
    the set bits of P. Time O((n + q) log^2 n), memory O(n + q). With few
    distinct ranks m (n m <= 2**20, e.g. a score) a cumulative count table is
    used instead: time and memory O(n m).

    Parameters
    ----------
    ranks : numpy.ndarray of int
        Rank (>= 0) of each position ``p = 0..n-1``.
    prefix : numpy.ndarray of int
        Length of the prefix of positions counted for each query (0..n).
    query : numpy.ndarray of int
        Rank compared with, one per query.

    Returns
    -------
    lt, le : numpy.ndarray of int
        Per query, the positions in the prefix with a rank below ``query[k]`` and with a
        rank at most ``query[k]``.
    """
    r = np.asarray(ranks, dtype=np.int64)
    P = np.asarray(prefix, dtype=np.int64)
    q = np.asarray(query, dtype=np.int64)
    n = len(r)
    lt = np.zeros(len(q), dtype=np.int64)
    le = np.zeros(len(q), dtype=np.int64)
    if n == 0 or len(q) == 0:
        return lt, le
    top = int(r.max())
    if n * (top + 1) <= _TABLE_LIMIT:
        # few distinct ranks (a score): cumulative count table, prefix x rank, O(n m)
        table = np.zeros((n + 1, top + 2), dtype=np.int64)
        np.add.at(table, (np.arange(1, n + 1), r), 1)
        table = np.cumsum(np.cumsum(table, axis=0), axis=1)  # [P, v] = #{p < P : r_p <= v}
        qc = np.clip(q, -1, top)
        le = np.where(qc >= 0, table[P, np.maximum(qc, 0)], 0)
        lt = np.where(qc >= 1, table[P, np.maximum(qc - 1, 0)], 0)
        lt = np.where(q > top, le, lt)
        return lt, le
    M = top + 3  # key = block * M + rank + 1 keeps blocks apart; queries are clipped to [-1, top + 1]
    r = r + 1
    q = np.clip(q, -1, top + 1) + 1
    pos = np.arange(n, dtype=np.int64)
    L = 0
    while (1 << L) <= n:
        width = 1 << L
        has = (P >> L) & 1 == 1
        if has.any():
            keys = np.sort((pos >> L) * M + r, kind="stable")  # sorted runs: timsort merges them
            sel = np.flatnonzero(has)
            b = (P[sel] >> L) - 1
            needle = b * M + q[sel]
            o = np.argsort(needle, kind="stable")  # sorted needles make the binary searches cache-friendly
            sel, b, needle = sel[o], b[o], needle[o]
            start = b * width
            lt[sel] += np.searchsorted(keys, needle, side="left") - start
            le[sel] += np.searchsorted(keys, needle, side="right") - start
        L += 1
    return lt, le


@dataclass(frozen=True)
class ConcordanceCounts:
    """Per-event counts of comparable patients (R's concordant / tied.x / discordant).

    ``index`` are the positions (in the input) of the events; ``lower``,
    ``tied`` and ``higher`` count the comparable patients whose marker is
    lower than, equal to or higher than the event's.
    """

    index: np.ndarray
    lower: np.ndarray
    tied: np.ndarray
    higher: np.ndarray


def concordance_counts(time, event, marker) -> ConcordanceCounts:
    """Per-event counts of comparable pairs by marker order (see the module docstring).

    A patient j is comparable with an event i when ``T_j > T_i``, or ``T_j ==
    T_i`` and j is censored (R ``survival::concordance``: censorings at a tied
    time count as later). Time O(n log^2 n).

    Parameters
    ----------
    time : array-like of float
        Follow-up times.
    event : array-like of int
        Event indicators (1 event, 0 censored).
    marker : array-like of float
        Risk marker (higher = higher risk).

    Returns
    -------
    ConcordanceCounts
        For each event (``index``, its position in the input), the comparable patients with a
        lower (concordant), equal (tied.x) and higher (discordant) marker.

    Raises
    ------
    ValueError
        The arrays are not 1-d or differ in length.

    References
    ----------
    .. [1] Therneau T. survival 3.5-3, ``concordance`` (vignette "Concordance").
    """
    t, e, x = _arrays(time, event, marker)
    n = len(t)
    # order: time ascending, events before censorings at a tied time; the comparable patients of an
    # event are the positions after the last event at its time
    order = np.lexsort((1 - e, t))
    ts, es = t[order], e[order]
    _, ranks = np.unique(x[order], return_inverse=True)
    ranks = ranks.astype(np.int64)
    ev_pos = np.flatnonzero(es == 1)
    te_sorted = ts[ev_pos]
    # the events of one time are contiguous and come first: last event position at T_i
    n_events_at = (np.searchsorted(te_sorted, te_sorted, side="right")
                   - np.searchsorted(te_sorted, te_sorted, side="left"))
    last_event = np.searchsorted(ts, te_sorted, side="left") + n_events_at - 1
    # comparable suffix = positions > last_event; reverse the order to make it a prefix
    rev = ranks[::-1]
    P = n - 1 - last_event
    lt, le = prefix_rank_counts(rev, P, ranks[ev_pos])
    n_comp = P
    lower, tied = lt, le - lt
    higher = n_comp - le
    return ConcordanceCounts(order[ev_pos], lower, tied, higher)


def concordance(time, event, marker, *, timewt: str = "n", ymax: float | None = None) -> float:
    """Harrell's (``timewt="n"``) or Uno's (``timewt="n/G2"``) C, as R ``survival::concordance``.

    Equals ``concordance(Surv(time, event) ~ marker, reverse = TRUE, timewt =
    timewt, ymax = ymax)$concordance`` of R ``survival`` 3.5-3 (a higher marker
    means a higher risk): ``(concordant + tied / 2) / (concordant + discordant +
    tied)``, each pair weighted by the time weight of its earlier event; with
    ``"n/G2"`` the weight is ``1 / G(T_i-)^2`` (:func:`censoring_survival_before`).
    Events after ``ymax`` get weight 0; as in R, fewer than two events make
    ``"n/G2"`` fall back to ``"n"``.

    Parameters
    ----------
    time, event, marker : array-like
    timewt : ``"n"`` or ``"n/G2"``
    ymax : float, optional
        Truncation time (R's ``ymax``): only pairs whose earlier event is at or
        before ``ymax`` count.

    Returns
    -------
    float
        NaN when there is no comparable pair.

    References
    ----------
    .. [1] Harrell FE, et al. JAMA. 1982;247:2543-2546.
    .. [2] Uno H, et al. Stat Med. 2011;30:1105-1117.
    .. [3] Therneau T. survival 3.5-3, ``concordance``.

    Examples
    --------
    >>> concordance([1, 2, 3, 4], [1, 1, 0, 1], [4, 3, 2, 1])
    1.0
    """
    if timewt not in ("n", "n/G2"):
        raise ValueError(f"timewt must be 'n' or 'n/G2', got {timewt!r}")
    t, e, x = _arrays(time, event, marker)
    return concordance_from_counts(concordance_counts(t, e, x), t, e, timewt=timewt, ymax=ymax)


def concordance_from_counts(cc: ConcordanceCounts, time, event, *, timewt: str = "n",
                            ymax: float | None = None) -> float:
    """:func:`concordance` from counts already made by :func:`concordance_counts` (same data).

    Lets Harrell's and Uno's C share one counting pass.

    Parameters
    ----------
    cc : ConcordanceCounts
        Result of :func:`concordance_counts` on ``time``, ``event`` and the marker.
    time : array-like of float
        Follow-up times (the same as for ``cc``).
    event : array-like of int
        Event indicators (the same as for ``cc``).
    timewt : {"n", "n/G2"}
        Time weight: ``"n"`` Harrell's C; ``"n/G2"`` Uno's C (weight ``1 / G(T_i-)^2``,
        ``"n"`` with fewer than two events). Any other value is treated as ``"n"``.
    ymax : float, optional
        Truncation time: events after ``ymax`` get weight 0.

    Returns
    -------
    float
        The concordance, NaN when there is no comparable pair with weight.

    References
    ----------
    .. [1] Harrell FE, et al. JAMA. 1982;247:2543-2546.
    .. [2] Uno H, et al. Stat Med. 2011;30:1105-1117.
    """
    t, e = _arrays(time, event)
    te = t[cc.index]
    if timewt == "n/G2" and e.sum() >= 2:
        w = 1.0 / censoring_survival_before(t, e, te) ** 2
    else:
        w = np.ones(len(te))
    if ymax is not None:
        w = np.where(te > ymax, 0.0, w)
    den = float(w @ (cc.lower + cc.tied + cc.higher))
    if den == 0:
        return float("nan")
    return float((w @ cc.lower + 0.5 * (w @ cc.tied)) / den)
