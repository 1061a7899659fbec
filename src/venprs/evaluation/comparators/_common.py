"""Shared plumbing for the comparator classifications: column lookup, tri-state inputs, results.

Every comparator returns a :class:`Classification`: one group label per input row
(same rows, same order), or a skip reason when the cohort lacks its inputs.

Missing values are never read as "absent". A classifier is written as a function
of boolean arrays; :func:`classify_tristate` evaluates it for every completion of
the unknown inputs of each row (grouped by which inputs are unknown) and keeps the
group only when every completion gives the same one ("determinate"), exactly the
policy of :mod:`venprs.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import InputError
from ...fields import normalize_name, parse_column

__all__ = ["Classification", "find_column", "tristate", "classify_tristate", "gene_aliases"]


@dataclass
class Classification:
    """Groups of one classification for every row of a cohort.

    Attributes
    ----------
    name : machine name (``"eln2022"``, ``"four_gene"``, ...; the key in results.json)
    label : human label
    levels : group labels from best to worst prognosis
    groups : pandas.Series of str (same index as the cohort); ``""`` when the
        group is not determinate (unknown inputs that matter)
    possible : pandas.Series of ``|``-joined reachable groups
    skipped : reason, when the classification could not be evaluated (then
        ``groups`` is ``None``)
    notes : what was assumed or how inputs were read
    source : primary reference
    """

    name: str
    label: str
    levels: tuple[str, ...]
    groups: pd.Series | None = None
    possible: pd.Series | None = None
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)
    source: str = ""
    score: pd.Series | None = None

    @property
    def n_determinate(self) -> int:
        return 0 if self.groups is None else int((self.groups != "").sum())

    def summary(self) -> dict:
        """JSON-ready summary: group counts, indeterminate count, skip reason, notes, source."""
        out: dict = {"label": self.label, "source": self.source, "notes": list(self.notes)}
        if self.skipped is not None:
            out["skipped"] = self.skipped
            return out
        groups = pd.Series(self.groups)
        counts = groups.value_counts()
        out["n"] = {g: int(counts.get(g, 0)) for g in self.levels}
        out["n_indeterminate"] = int((groups == "").sum())
        return out


def gene_aliases(symbol: str) -> tuple[str, ...]:
    """Accepted column names for a gene's mutation status."""
    s = symbol.lower()
    return (s, f"{s}_mut", f"{s}_mutated", f"{s}_mutation", f"{s}_status", f"mut_{s}")


def find_column(df: pd.DataFrame, names: Sequence[str]) -> str | None:
    """The column of ``df`` whose normalised name is one of ``names`` (first match), else ``None``."""
    wanted = {normalize_name(n) for n in names}
    for c in df.columns:
        if normalize_name(c) in wanted:
            return c
    return None


def tristate(df: pd.DataFrame, names: Sequence[str], label: str) -> np.ndarray | None:
    """Parse a yes/no column into int8 codes 1/0/-1 (unknown), or ``None`` if there is no column."""
    col = find_column(df, names)
    if col is None:
        return None
    return parse_column(df[col].to_numpy(), label, column=str(col))


def classify_tristate(
    inputs: Mapping[str, np.ndarray],
    rule: Callable[[Mapping[str, np.ndarray]], np.ndarray],
    levels: Sequence[str],
    index: pd.Index,
    *,
    max_unknown: int = 12,
) -> tuple[pd.Series, pd.Series]:
    """Evaluate ``rule`` over every completion of unknown (-1) inputs.

    Parameters
    ----------
    inputs : dict of int8 arrays (1/0/-1), all of length n
    rule : function of a dict of bool arrays returning int group indices (into ``levels``)
    levels : group labels
    index : index of the output Series
    max_unknown : rows with more unknown inputs than this that matter are reported
        as reaching every level (no enumeration)

    Returns
    -------
    (groups, possible) : pandas.Series of str
    """
    names = list(inputs)
    codes = np.column_stack([np.asarray(inputs[k], dtype=np.int8) for k in names]) if names else \
        np.zeros((len(index), 0), dtype=np.int8)
    n = len(index)
    unknown = codes < 0
    weights = (1 << np.arange(len(names), dtype=np.int64))
    mask = unknown.astype(np.int64) @ weights
    bits = np.zeros(n, dtype=np.int64)
    full = (1 << len(levels)) - 1
    for mk in np.unique(mask):
        rows = np.flatnonzero(mask == mk)
        unk = [j for j in range(len(names)) if int(mk) >> j & 1]
        if len(unk) > max_unknown:
            bits[rows] = full
            continue
        sub = codes[rows]
        acc = np.zeros(len(rows), dtype=np.int64)
        for combo in product((0, 1), repeat=len(unk)):
            filled = sub.copy()
            for j, v in zip(unk, combo):
                filled[:, j] = v
            g = np.asarray(rule({k: filled[:, i] == 1 for i, k in enumerate(names)}), dtype=np.int64)
            acc |= (1 << g)
            if (acc == full).all():
                break
        bits[rows] = acc
    lv = np.array(list(levels), dtype=object)
    single = (bits & (bits - 1)) == 0
    gi = np.where(single, np.log2(np.maximum(bits, 1)).astype(int), 0)
    groups = np.where(single & (bits > 0), lv[gi], "")
    joined = np.array(["|".join(lv[i] for i in range(len(lv)) if b >> i & 1) for b in range(full + 1)],
                      dtype=object)
    return pd.Series(groups, index=index, dtype=object), pd.Series(joined[bits], index=index, dtype=object)


def require(df: pd.DataFrame, spec: Mapping[str, Sequence[str]]) -> tuple[dict[str, str], list[str]]:
    """Look up required columns: ``({key: column}, [missing keys])``."""
    found, missing = {}, []
    for key, names in spec.items():
        c = find_column(df, names)
        if c is None:
            missing.append(key)
        else:
            found[key] = c
    return found, missing


def bad_value(column, row0: int, value, accepted: str) -> InputError:
    """An :class:`InputError` for a value in ``column`` at 0-based position ``row0``."""
    return InputError(f"value {value!r} is not accepted; accepted: {accepted}", row=row0 + 1,
                      column=str(column), value=value)


_FLT3_TYPE_NAMES = ("flt3_type", "flt3_mutation_type", "flt3_subtype")
_FLT3_ITD_NAMES = ("flt3_itd", "flt3itd", "itd")
_NOT_ITD = {"tkd", "other", "atypical", "wt", "wildtype", "wild-type", "none", "no", "negative", "neg", "0",
            "absent", "not mutated"}
_UNKNOWN = {"", "na", "n/a", "nan", "unknown", "nd", "not done"}


def flt3_itd_codes(df: pd.DataFrame) -> tuple[np.ndarray | None, str]:
    """FLT3-ITD status as int8 codes 1/0/-1, and how it was read.

    Read from a yes/no column ``flt3_itd`` if there is one; otherwise from
    ``flt3_type`` (ITD / TKD / other; a value containing "ITD", e.g. "ITD+TKD",
    is ITD), where an empty type with ``flt3`` (any FLT3 mutation) recorded as
    absent means no ITD. ``None`` when neither column exists.
    """
    c = tristate(df, _FLT3_ITD_NAMES, "flt3_itd")
    if c is not None:
        return c, "FLT3-ITD read from the flt3_itd column"
    col = find_column(df, _FLT3_TYPE_NAMES)
    if col is None:
        return None, "no FLT3-ITD information (columns flt3_itd or flt3_type)"
    values = df[col].to_numpy()
    out = np.full(len(values), -1, dtype=np.int8)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        t = str(v).strip().lower()
        if "itd" in t:
            out[i] = 1
        elif t in _NOT_ITD:
            out[i] = 0
        elif t in _UNKNOWN:
            continue
        else:
            raise bad_value(col, i, v, "ITD, TKD, other/atypical, wt/none, or empty for unknown "
                            "(a value containing 'ITD' counts as ITD)")
    anyc = tristate(df, ("flt3", "flt3_any", "flt3_mut", "flt3_mutated", "flt3_mutation"), "flt3")
    if anyc is not None:
        out = np.where((out < 0) & (anyc == 0), 0, out).astype(np.int8)
    return out, f"FLT3-ITD read from {col!r} (empty type with FLT3 wild-type = no ITD)"
