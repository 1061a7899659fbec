"""The input description: every field's canonical name, label, aliases and accepted values.

This one declarative description drives value parsing, column matching, the CLI
options, the web form and ``docs/data-dictionary.md`` (see
:func:`data_dictionary_markdown`; a test checks the document against it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .cohort_fields import data_dictionary_sections
from .errors import InputError
from .model import load_model

__all__ = [
    "Field", "FACTOR_FIELDS", "TRUE_TOKENS", "FALSE_TOKENS", "UNKNOWN_TOKENS",
    "normalize_name", "parse_value", "parse_column", "match_columns", "data_dictionary_markdown",
    "ACCEPTED_TEXT",
]

#: Text values meaning "present / mutated" (compared after lower-casing and stripping).
TRUE_TOKENS: tuple[str, ...] = ("1", "yes", "true", "mut", "mutated", "positive", "pos", "present")
#: Text values meaning "absent / wild-type".
FALSE_TOKENS: tuple[str, ...] = ("0", "no", "false", "wt", "wildtype", "wild-type", "wild type",
                                 "negative", "neg", "absent")
#: Text values meaning "unknown" (not tested, pending). Empty text is unknown too.
UNKNOWN_TOKENS: tuple[str, ...] = ("", "na", "n/a", "nan", "unknown", "nd", "not done")

ACCEPTED_TEXT = (
    "present: " + "/".join(TRUE_TOKENS) + " or a boolean True; "
    "absent: " + "/".join(FALSE_TOKENS) + " or a boolean False; "
    "unknown: empty/" + "/".join(t for t in UNKNOWN_TOKENS if t) + " or None/NaN"
)

_TOKEN_CODE: dict[str, int] = {
    **{t: 1 for t in TRUE_TOKENS}, **{t: 0 for t in FALSE_TOKENS}, **{t: -1 for t in UNKNOWN_TOKENS},
}
# "1.0"/"0.0" as spreadsheets export numbers
_TOKEN_CODE.update({"1.0": 1, "0.0": 0})


@dataclass(frozen=True)
class Field:
    """One input field.

    Attributes
    ----------
    name : canonical name (used in the API, files and JSON)
    label : human label
    aliases : other column names accepted (matched after :func:`normalize_name`)
    kind : ``"factor"`` for the seven VEN-PRS factors
    help : one line on what counts
    accepted : description of the accepted values
    """

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "factor"
    help: str = ""
    accepted: str = ACCEPTED_TEXT
    cli_option: str = field(default="")


def normalize_name(name: object) -> str:
    """Normalise a column name for matching: lower case, runs of space/``_``/``-``/``.`` to ``_``.

    >>> normalize_name("  HMA pretreatment ")
    'hma_pretreatment'
    >>> normalize_name("Extramedullary-Disease")
    'extramedullary_disease'
    """
    return re.sub(r"[\s_\-.]+", "_", str(name).strip().lower()).strip("_")


def _gene_aliases(symbol: str) -> tuple[str, ...]:
    s = symbol.lower()
    return (s, f"{s}_mut", f"{s}_mutated", f"{s}_mutation", f"{s}_status", f"mut_{s}")


_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "extramedullary": ("emd", "extramedullary_disease", "extramedullary_aml", "extramedullary_manifestation",
                       "extramedullary_involvement"),
    "prior_hma": ("hma_pretreatment", "hma_pretreated", "prior_hma_treatment", "previous_hma", "hma_prior",
                  "prior_hypomethylating_agent"),
    "nf1": _gene_aliases("NF1"),
    "ptpn11": _gene_aliases("PTPN11"),
    "flt3": _gene_aliases("FLT3") + ("flt3_any", "any_flt3"),
    "tp53": _gene_aliases("TP53"),
    "sf3b1": _gene_aliases("SF3B1"),
}


def _factor_fields() -> tuple[Field, ...]:
    out = []
    for f in load_model().factors:
        aliases = tuple(a for a in _EXTRA_ALIASES.get(f["name"], ()) if a != f["name"])
        out.append(Field(name=f["name"], label=f["label"], aliases=aliases, help=f["help"],
                         cli_option="--" + f["name"].replace("_", "-")))
    return tuple(out)


#: The seven VEN-PRS factors, in model order.
FACTOR_FIELDS: tuple[Field, ...] = _factor_fields()
_FACTOR_BY_NAME = {f.name: f for f in FACTOR_FIELDS}


def _code_of_scalar(value: object) -> int | None:
    """1/0/-1 for an accepted scalar, ``None`` if not accepted."""
    if value is None or value is pd.NA or value is pd.NaT:
        return -1
    if isinstance(value, (bool, np.bool_)):
        return int(bool(value))
    if isinstance(value, (int, np.integer)):
        return int(value) if value in (0, 1) else None
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return -1
        return int(value) if value in (0.0, 1.0) else None
    if isinstance(value, str):
        return _TOKEN_CODE.get(value.strip().lower())
    return None


def _reject(factor: str, value: object, row=None, column=None) -> InputError:
    return InputError(
        f"value {value!r} is not accepted for {factor}; accepted: {ACCEPTED_TEXT}",
        row=row, column=column, value=value, field=factor,
    )


def parse_value(factor: str, value: object) -> bool | None:
    """Parse one factor value: ``True`` (present), ``False`` (absent) or ``None`` (unknown).

    >>> parse_value("flt3", " Mut ")
    True
    >>> parse_value("nf1", "wild-type")
    False
    >>> parse_value("tp53", "not done") is None
    True
    """
    if factor not in _FACTOR_BY_NAME:
        raise InputError(f"unknown factor {factor!r}; factors are {', '.join(_FACTOR_BY_NAME)}", field=factor)
    code = _code_of_scalar(value)
    if code is None:
        raise _reject(factor, value)
    return None if code < 0 else bool(code)


def _factorize(values) -> tuple[np.ndarray, list]:
    """Codes (-1 for missing) and distinct values; fast path for Arrow-backed text."""
    if isinstance(getattr(values, "dtype", None), pd.ArrowDtype) or hasattr(values, "__arrow_array__"):
        import pyarrow as pa

        arr = pa.chunked_array(values.__arrow_array__() if hasattr(values, "__arrow_array__")
                               else pa.array(values))
        enc = arr.dictionary_encode().combine_chunks()
        idx = enc.indices.to_numpy(zero_copy_only=False)
        codes = np.where(enc.indices.is_null().to_numpy(zero_copy_only=False), -1, idx).astype(np.int64) \
            if enc.indices.null_count else idx.astype(np.int64)
        return codes, enc.dictionary.to_pylist()
    codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    return codes, list(uniques)


def parse_column(values, factor: str, column: str | None = None) -> np.ndarray:
    """Parse a column of factor values into int8 codes: 1 present, 0 absent, -1 unknown.

    Works on the distinct values only (``pandas.factorize``), so it is fast on
    large tables. The first bad value raises :class:`InputError` with its
    1-based data row.
    """
    codes, uniques = _factorize(values)
    table = np.empty(len(uniques) + 1, dtype=np.int8)
    table[-1] = -1  # NA sentinel (code -1) -> unknown
    for i, u in enumerate(uniques):
        c = _code_of_scalar(u)
        if c is None:
            row = int(np.flatnonzero(codes == i)[0]) + 1
            raise _reject(factor, u, row=row, column=column if column is not None else factor)
        table[i] = c
    return table[codes]


def match_columns(columns, factors=None) -> dict[str, str]:
    """Map each factor to the input column that holds it (case-insensitive, with aliases).

    Returns ``{factor: column}`` for the factors found. Raises :class:`InputError`
    if two columns match the same factor.
    """
    wanted = FACTOR_FIELDS if factors is None else tuple(_FACTOR_BY_NAME[f] for f in factors)
    lookup = {}
    for f in wanted:
        for a in (f.name, *f.aliases):
            lookup[normalize_name(a)] = f.name
    found: dict[str, str] = {}
    for col in columns:
        fac = lookup.get(normalize_name(col))
        if fac is None:
            continue
        if fac in found:
            raise InputError(
                f"columns {found[fac]!r} and {col!r} both name factor {fac}; keep one", column=col, field=fac)
        found[fac] = col
    return found


def data_dictionary_markdown() -> str:
    """The data dictionary (``docs/data-dictionary.md``) generated from this module."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `venprs.fields` (`python -m venprs.fields > docs/data-dictionary.md`);",
        "a test checks that this file matches the code.",
        "",
        "## VEN-PRS factors",
        "",
        "Column names are matched case-insensitively; spaces, `_`, `-` and `.` are interchangeable.",
        "",
        "| canonical name | label | accepted column names | what counts |",
        "| --- | --- | --- | --- |",
    ]
    for f in FACTOR_FIELDS:
        al = ", ".join(f"`{a}`" for a in (f.name, *f.aliases))
        lines.append(f"| `{f.name}` | {f.label} | {al} | {f.help} |")
    lines += [
        "",
        "## Accepted values (every factor)",
        "",
        "Compared after lower-casing and removing surrounding spaces.",
        "",
        "| meaning | values |",
        "| --- | --- |",
        "| present / mutated | " + ", ".join(f"`{t}`" for t in TRUE_TOKENS) + ", `1.0`, boolean true |",
        "| absent / wild-type | " + ", ".join(f"`{t}`" for t in FALSE_TOKENS) + ", `0.0`, boolean false |",
        "| unknown (not tested, pending) | empty, " + ", ".join(f"`{t}`" for t in UNKNOWN_TOKENS if t)
        + ", None, NaN |",
        "",
        "Anything else is an error naming the row, column and value. Unknown is never read as absent:",
        "the score becomes a range over every completion (see the README).",
        "",
        "`flt3` means any FLT3 mutation (ITD, TKD or atypical; Table 4 footnote c). A column holding",
        "only FLT3-ITD (e.g. `flt3_itd`) is deliberately not accepted as `flt3`.",
    ]
    extra = _extra_sections()
    return "\n".join(lines + extra) + "\n"


def _extra_sections() -> list[str]:
    """Further sections: the cohort columns (:mod:`venprs.cohort_fields`)."""
    return data_dictionary_sections()


if __name__ == "__main__":  # pragma: no cover
    print(data_dictionary_markdown(), end="")
