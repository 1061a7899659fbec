"""``exp``, ``log`` and ``log1p`` of float arrays as the C library computes them (as R does), on every CPU.

On a CPU with AVX-512, numpy computes float64 ``exp``, ``log`` and ``log1p``
with its own vector code (numpy's SIMD kernels and Intel's SVML), which is
within an ulp of the C library's but not equal to it: on 1,000,000 values
(numpy 2.4.6, AMD EPYC with AVX-512) 4.6% of ``exp``, 0.1% of ``log`` and 8.6%
of ``log1p`` results differed in the last place. On a CPU without AVX-512 the
same numpy calls the C library, as R does. A Cox fit stops when the
log-likelihood changes by less than R's ``eps`` (1e-9), so one last-place
difference can change the number of Newton steps: on the awkward test cohorts
(``tests/test_awkward_cohorts.py``) the coefficients then differed from
``survival::coxph`` by up to 3e-7 relative, and by 10.6 in a fit that diverges,
and a resampling run on a cluster of mixed CPUs would not give the same numbers
on every worker.

So the survival layer uses these functions. When numpy's function gives the C
library's result on a fixed sample of 20,000 values (checked once, at import),
it is numpy's; otherwise each value goes through :mod:`math` (the C library:
about 0.2 us a value against 2 ns). Where numpy's vector code is in use, about
one value in twenty differs, so a sample of 20,000 cannot miss it.

References
----------
.. [1] numpy/SVML, https://github.com/numpy/svml: Intel's Short Vector Math Library as numpy
   vendors it (x86_64 AVX-512 only).
.. [2] R Core Team. R: A Language and Environment for Statistical Computing
   (``exp``, ``log`` and ``log1p`` call the C library).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["exp", "log", "log1p", "NUMPY_IS_LIBM"]


def _c_exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:  # numpy: inf (and a warning)
        return math.inf


def _c_log(v: float) -> float:
    if v > 0:
        return math.log(v)
    return -math.inf if v == 0 else math.nan  # numpy: -inf at 0, nan below 0 and for nan


def _c_log1p(v: float) -> float:
    if v > -1:
        return math.log1p(v)
    return -math.inf if v == -1 else math.nan


def _each(fn: Callable[[float], float], a: np.ndarray) -> np.ndarray:
    return np.fromiter(map(fn, a.ravel().tolist()), float, a.size).reshape(a.shape)


def _agrees(ufunc, fn: Callable[[float], float], sample: np.ndarray) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.array_equal(ufunc(sample), _each(fn, sample), equal_nan=True))


_rng = np.random.default_rng(20261204)
_SPREAD = _rng.normal(0.0, 4.0, 20_000)
_POSITIVE = np.abs(_SPREAD) * 10.0 ** _rng.uniform(-6, 6, 20_000)

#: Whether numpy's ``exp``, ``log`` and ``log1p`` are the C library's on this CPU (checked at import).
NUMPY_IS_LIBM: dict[str, bool] = {
    "exp": _agrees(np.exp, _c_exp, _SPREAD),
    "log": _agrees(np.log, _c_log, _POSITIVE),
    "log1p": _agrees(np.log1p, _c_log1p, np.concatenate([_POSITIVE, -np.abs(_SPREAD) / 4.1 % 1.0])),
}


_SECTIONS = """

    Parameters
    ----------
    x : array_like of float

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``
    """


def _elementwise(name: str, c_fn: Callable[[float], float], summary: str) -> Callable[[ArrayLike], np.ndarray]:
    ufunc = getattr(np, name)

    def f(x: ArrayLike) -> np.ndarray:
        a = np.asarray(x, float)
        return ufunc(a) if NUMPY_IS_LIBM[name] else _each(c_fn, a)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = summary + _SECTIONS
    return f


exp = _elementwise("exp", _c_exp, "``exp`` of each value, as the C library gives it (``inf`` on overflow, as numpy).")
log = _elementwise("log", _c_log, "Natural logarithm of each value, as the C library gives it (``-inf`` at 0, "
                   "``nan`` below, as numpy).")
log1p = _elementwise("log1p", _c_log1p, "``log(1 + x)`` of each value, as the C library's ``log1p`` gives it "
                     "(``-inf`` at -1, ``nan`` below).")
