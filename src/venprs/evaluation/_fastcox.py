"""Alias kept for old imports: the fast Cox fit is :func:`venprs.survival.cox.fast_cox`.

There is one Cox engine in venprs, :mod:`venprs.survival.cox`; import from there.
"""

from ..survival.cox import FastCox, fast_cox

__all__ = ["FastCox", "fast_cox"]
