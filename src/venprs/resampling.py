"""One place that maps resampling replicates over one core, local cores or a Dask cluster.

Calibration splits and simulation replicates are independent: replicate *k* draws
only from its own random stream ``numpy.random.SeedSequence(seed).spawn(n)[k]``, so
the results do not depend on where, in which order or how many times (a Dask task
re-run after its worker died) a replicate runs. :func:`map_replicates` cuts the
replicates into chunks, runs ``fn(shared, chunk)`` per chunk serially, with joblib
(local processes) or on a ``distributed`` scheduler, and returns the results in
replicate order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from .errors import InputError

T = TypeVar("T")
R = TypeVar("R")

BACKENDS = ("joblib", "dask")


def replicate_seeds(seed: int, n: int) -> list[np.random.SeedSequence]:
    """One independent random stream per replicate: ``SeedSequence(seed).spawn(n)``.

    Parameters
    ----------
    seed : int
        The seed of the whole resampling run (``--seed``, ``--split-seed``).
    n : int
        Number of replicates; stream *k* does not depend on ``n``.

    Returns
    -------
    list of numpy.random.SeedSequence
        Stream *k* for replicate *k* (``numpy.random.default_rng(stream)``).

    References
    ----------
    .. [1] NumPy. "Parallel random number generation" (numpy.random.SeedSequence.spawn).
    """
    return list(np.random.SeedSequence(seed).spawn(n))


def _chunks(items: Sequence[T], k: int) -> list[list[T]]:
    k = max(1, min(k, len(items)))
    size = -(-len(items) // k)
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def map_replicates(fn: Callable[..., list[R]], shared: Any, items: Sequence[T], *, backend: str = "joblib",
                   n_jobs: int = 1, scheduler: str | None = None, client: Any = None,
                   progress: Callable[[int], None] | None = None, serial_below: int = 20,
                   **kwargs: Any) -> list[R]:
    """Run ``fn(shared, chunk, **kwargs)`` over chunks of ``items``; results in the order of ``items``.

    Parameters
    ----------
    fn : a module-level function (picklable) returning one result per item of its chunk
    shared : data every chunk needs (sent once to each Dask worker / joblib process)
    items : the replicates (e.g. their ``SeedSequence`` streams)
    backend : ``"joblib"`` (one core with ``n_jobs=1``, local processes otherwise) or ``"dask"``
    n_jobs : joblib processes (-1: all cores)
    scheduler : Dask scheduler address (``tcp://host:8786``) with ``backend="dask"``
    client : an existing ``distributed.Client`` (instead of ``scheduler``)
    progress : called with the number of replicates finished each time a chunk ends
    serial_below : fewer items than this run on one core whatever ``n_jobs``
    **kwargs : further keyword arguments of ``fn`` (the same for every chunk)

    Returns
    -------
    list
        ``fn``'s results concatenated in replicate order, identical for every backend.

    References
    ----------
    .. [1] Dask.distributed documentation, "Futures" (Client.scatter, Client.map, as_completed).
    """
    if backend not in BACKENDS:
        raise InputError(f"backend must be 'joblib' or 'dask', not {backend!r}")
    items = list(items)
    if not items:
        return []
    if backend == "dask":
        return _map_dask(fn, shared, items, scheduler, client, progress, kwargs)
    if n_jobs == 1 or len(items) < serial_below:
        out: list[R] = []
        for part in _chunks(items, max(1, len(items) // 10)):
            out.extend(fn(shared, part, **kwargs))
            if progress is not None:
                progress(len(part))
        return out
    from joblib import Parallel, delayed

    parts = _chunks(items, (n_jobs if n_jobs > 0 else 2) * 2)
    res: list[list[R]] = []
    for r in Parallel(n_jobs=n_jobs, return_as="generator")(delayed(fn)(shared, p, **kwargs) for p in parts):
        res.append(r)
        if progress is not None:
            progress(len(r))
    return [x for part in res for x in part]


def _map_dask(fn, shared, items, scheduler, client, progress, kwargs):
    from distributed import Client, as_completed

    own = client is None
    cl = client if client is not None else Client(scheduler)
    try:
        n_workers = max(1, len(cl.scheduler_info().get("workers", {})))
        parts = _chunks(items, n_workers * 4)
        [fut_shared] = cl.scatter([shared], broadcast=True)  # one future even if shared is a tuple or list
        futs = cl.map(fn, [fut_shared] * len(parts), parts, pure=False, **kwargs)
        if progress is not None:
            for f in as_completed(futs):
                progress(len(parts[futs.index(f)]))
        res = cl.gather(futs)
    finally:
        if own:
            cl.close()
    return [x for part in res for x in part]
