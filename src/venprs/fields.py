"""The input description: every field's canonical name, label, aliases and accepted values.

This one declarative description drives value parsing, column matching, the CLI
options, the web form and ``docs/data-dictionary.md`` (see
:func:`data_dictionary_markdown`; a test checks the document against it).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .cohort_fields import data_dictionary_sections
from .errors import InputError, InputErrors, Problem
from .model import load_model

__all__ = [
    "Field", "FACTOR_FIELDS", "TRUE_TOKENS", "FALSE_TOKENS", "UNKNOWN_TOKENS", "FLT3_PRESENT_TOKENS",
    "REFUSED_TOKENS", "EVENT_TOKENS", "PATIENT_ID_ALIASES", "accepted_text", "ACCEPTED_SHORT",
    "normalize_name", "parse_value", "parse_column", "column_codes", "match_columns", "find_id_column",
    "is_unknown", "yes_no_code", "data_dictionary_markdown", "ACCEPTED_TEXT",
]

# ---------------------------------------------------------------- the one vocabulary
# Every yes/no/unknown token of venprs is defined here, once: the seven factors, the
# cohort's yes/no columns (genes, prior alloHCT, ...), its event columns and its missing
# values all read these. Tokens are compared after lower-casing and stripping spaces.

#: Text values meaning "present / mutated / yes".
TRUE_TOKENS: tuple[str, ...] = ("1", "yes", "y", "true", "mut", "mutated", "positive", "pos", "present")
#: Text values meaning "absent / wild-type / no".
FALSE_TOKENS: tuple[str, ...] = ("0", "no", "n", "false", "wt", "wildtype", "wild-type", "wild type",
                                 "negative", "neg", "absent")
#: Text values meaning "unknown" (not tested, pending, missing). Empty text is unknown too.
UNKNOWN_TOKENS: tuple[str, ...] = ("", "na", "n/a", "nan", "unknown", "nd", "not done", "not tested", "pending")
#: FLT3 subtypes that mean "FLT3 mutated" for the ``flt3`` factor only (the factor is any FLT3
#: mutation: ITD, TKD or atypical; Table 4 footnote c).
FLT3_PRESENT_TOKENS: tuple[str, ...] = ("itd", "tkd", "itd+tkd", "itd/tkd")
#: Numbers as spreadsheets export them.
_NUMBER_TOKENS: dict[str, int] = {"1.0": 1, "0.0": 0}
#: Values refused everywhere, with the reason (they are ambiguous, or a software artefact).
REFUSED_TOKENS: dict[str, str] = {
    "none": "it could mean 'no mutation' or 'not known': write no/wt for absent, empty or NA for unknown",
    "null": "a database's empty value, not a result: write empty or NA for unknown",
    "#n/a": "a spreadsheet lookup error, not a result: fix the formula, or write NA for unknown",
    "-": "a dash is ambiguous: write no/wt for absent, empty or NA for unknown",
    "?": "write empty or NA for unknown",
}
#: Event columns (``os_event``, ...): 1 = event, 0 = censored; empty/NA = missing.
EVENT_TOKENS: dict[str, int] = {
    **{t: 1 for t in ("1", "1.0", "yes", "y", "true", "dead", "died", "event")},
    **{t: 0 for t in ("0", "0.0", "no", "n", "false", "alive", "censored")},
}
#: Column names taken as the patient identifier (after :func:`normalize_name`).
PATIENT_ID_ALIASES: tuple[str, ...] = ("patient_id", "id", "patient", "pid", "subject_id", "patient_number",
                                       "record_id", "mrn")


def _tokens_of(factor: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    present = TRUE_TOKENS + (FLT3_PRESENT_TOKENS if factor == "flt3" else ())
    return present, FALSE_TOKENS


def accepted_text(factor: str | None = None) -> str:
    """Every accepted value, in the user's words (``factor="flt3"`` adds the FLT3 subtypes).

    Parameters
    ----------
    factor : str or None, default None
        A factor name; ``"flt3"`` adds :data:`FLT3_PRESENT_TOKENS` to the present values, any other
        value (or ``None``) gives the common vocabulary.

    Returns
    -------
    str
        ``"present: ...; absent: ...; unknown: empty/..."``, the tokens of each meaning joined by ``/``.

    Examples
    --------
    >>> accepted_text().split(";")[0]
    'present: 1/yes/y/true/mut/mutated/positive/pos/present'
    """
    present, absent = _tokens_of(factor)
    return ("present: " + "/".join(present) + "; absent: " + "/".join(absent) + "; unknown: empty/"
            + "/".join(t for t in UNKNOWN_TOKENS if t))


#: Every accepted factor value (the flt3 factor also takes ITD/TKD/ITD+TKD/ITD/TKD).
ACCEPTED_TEXT = accepted_text() + " (flt3 also: " + "/".join(FLT3_PRESENT_TOKENS) + ")"
#: The accepted values in one short line, for error messages.
ACCEPTED_SHORT = "yes/no, mut/wt, 1/0, true/false; empty, NA or pending for unknown"


def _code_table(factor: str | None) -> dict[str, int]:
    present, absent = _tokens_of(factor)
    return {**{t: 1 for t in present}, **{t: 0 for t in absent}, **{t: -1 for t in UNKNOWN_TOKENS},
            **_NUMBER_TOKENS}


_CODES: dict[str | None, dict[str, int]] = {}


def _codes(factor: str | None) -> dict[str, int]:
    if factor not in _CODES:
        _CODES[factor] = _code_table(factor)
    return _CODES[factor]


def is_unknown(text: object) -> bool:
    """Whether a cell's text means unknown/missing (empty, NA, pending, ...).

    Parameters
    ----------
    text : object
        One cell. ``None`` and float NaN are unknown; a string is unknown when, stripped and
        lower-cased, it is one of :data:`UNKNOWN_TOKENS` (including empty text); anything else is not.

    Returns
    -------
    bool
        ``True`` if the cell means unknown.

    Examples
    --------
    >>> is_unknown(" NA "), is_unknown("pending"), is_unknown("None")
    (True, True, False)
    """
    if text is None:
        return True
    if isinstance(text, float) and math.isnan(text):
        return True
    return isinstance(text, str) and text.strip().lower() in UNKNOWN_TOKENS


def yes_no_code(text: object, factor: str | None = None) -> int | None:
    """1 (yes/present), 0 (no/absent), -1 (unknown) for one cell, ``None`` when not accepted.

    The same vocabulary for the seven factors and every yes/no column of a cohort;
    ``factor="flt3"`` also takes the FLT3 subtypes.

    Parameters
    ----------
    text : object
        One cell: a string (compared stripped and lower-cased with the token lists), a bool, the
        integers 0/1, the floats 0.0/1.0, or a missing value (``None``, NaN, ``pd.NA``, ``pd.NaT``:
        unknown).
    factor : str or None, default None
        The factor the cell belongs to; only ``"flt3"`` changes the vocabulary (adds
        :data:`FLT3_PRESENT_TOKENS`).

    Returns
    -------
    int or None
        1, 0 or -1; ``None`` if the value is not accepted (see :func:`refusal` for the message).

    Examples
    --------
    >>> yes_no_code("Y"), yes_no_code("wt"), yes_no_code("pending"), yes_no_code("ITD", "flt3"), yes_no_code("ITD")
    (1, 0, -1, 1, None)
    """
    return _code_of_scalar(text, factor)


def _suggestion(text: str, factor: str | None) -> str:
    key = text.strip().lower()
    if key in REFUSED_TOKENS:
        return REFUSED_TOKENS[key]
    if factor != "flt3" and key in FLT3_PRESENT_TOKENS:
        return f"{text.strip()} is a FLT3 subtype; this column is not FLT3"
    near = difflib.get_close_matches(key, [t for t in _codes(factor) if t], n=1, cutoff=0.75)
    return f"did you mean {near[0]!r}?" if near else ""


def refusal(text: object, factor: str | None = None, label: str | None = None) -> str:
    """The message for a refused yes/no value: the value, why, and what is accepted.

    >>> refusal("mutatd", "tp53")
    "'mutatd' is not accepted for tp53 (did you mean 'mutated'?); accepted: yes/no, mut/wt, 1/0, true/false; empty, NA or pending for unknown"
    """
    shown = text if isinstance(text, str) else str(text)
    what = f" for {label or factor}" if (label or factor) else ""
    if isinstance(text, str) and text.strip().lower() in REFUSED_TOKENS:
        return f"{shown!r} is not accepted{what}: {REFUSED_TOKENS[text.strip().lower()]}"
    hint = _suggestion(shown, factor) if isinstance(text, str) else ""
    accepted = ACCEPTED_SHORT + ("; ITD/TKD for FLT3" if factor == "flt3" else "")
    return f"{shown!r} is not accepted{what}" + (f" ({hint})" if hint else "") + f"; accepted: {accepted}"


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

    Parameters
    ----------
    name : object
        A column name (converted with ``str``); surrounding spaces and leading/trailing ``_`` are removed.

    Returns
    -------
    str
        The normalised name.

    Examples
    --------
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


def _code_of_scalar(value: object, factor: str | None = None) -> int | None:
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
        return _codes(factor).get(value.strip().lower())
    return None


def _reject(factor: str, value: object, row=None, column=None) -> InputError:
    return InputError(refusal(value, factor), row=row, column=column, value=value, field=factor)


def parse_value(factor: str, value: object) -> bool | None:
    """Parse one factor value: ``True`` (present), ``False`` (absent) or ``None`` (unknown).

    Parameters
    ----------
    factor : str
        One of the seven factor names (:data:`FACTOR_FIELDS`).
    value : object
        The value: accepted text (see :func:`accepted_text`), a bool, 0/1, 0.0/1.0, or a missing value.

    Returns
    -------
    bool or None
        ``True`` present, ``False`` absent, ``None`` unknown.

    Raises
    ------
    InputError
        If ``factor`` is not a factor name, or ``value`` is not accepted (the message says why and what is
        accepted).

    Examples
    --------
    >>> parse_value("flt3", " Mut ")
    True
    >>> parse_value("nf1", "wild-type")
    False
    >>> parse_value("tp53", "not done") is None
    True
    >>> parse_value("flt3", "ITD+TKD")
    True
    """
    if factor not in _FACTOR_BY_NAME:
        raise InputError(f"unknown factor {factor!r}; factors are {', '.join(_FACTOR_BY_NAME)}", field=factor)
    code = _code_of_scalar(value, factor)
    if code is None:
        raise _reject(factor, value)
    return None if code < 0 else bool(code)


def _factorize(values) -> tuple[np.ndarray, list]:
    """Codes (-1 for missing) and distinct values; fast path for Arrow arrays and Arrow-backed text."""
    native = type(values).__module__.startswith("pyarrow")  # a pyarrow Array or ChunkedArray
    if native or isinstance(getattr(values, "dtype", None), pd.ArrowDtype) or hasattr(values, "__arrow_array__"):
        import pyarrow as pa

        arr = pa.chunked_array(values) if native else pa.chunked_array(
            values.__arrow_array__() if hasattr(values, "__arrow_array__") else pa.array(values))
        enc = arr.dictionary_encode().combine_chunks()
        idx = enc.indices.to_numpy(zero_copy_only=False)
        codes = np.where(enc.indices.is_null().to_numpy(zero_copy_only=False), -1, idx).astype(np.int64) \
            if enc.indices.null_count else idx.astype(np.int64)
        return codes, enc.dictionary.to_pylist()
    codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
    return codes, list(uniques)


def column_codes(values, factor: str | None, *, decode=None) -> tuple[np.ndarray, list[tuple[int, object, str]]]:
    """Codes of a yes/no column (1, 0, -1 unknown) and every refused cell.

    Works on the distinct values only (``pandas.factorize``), so it is fast on
    large tables.

    Parameters
    ----------
    values : array-like
    factor : str or None
        The factor (``"flt3"`` also takes the FLT3 subtypes); ``None`` for another
        yes/no column (a gene of the cohort, prior alloHCT, ...).
    decode : callable, optional
        ``text -> code or None`` replacing the yes/no vocabulary (event columns).

    Returns
    -------
    codes : numpy.ndarray of int8
    bad : list of ``(row0, value, message)``
        0-based row, the cell, and the message, in row order.
    """
    codes, uniques = _factorize(values)
    table = np.empty(len(uniques) + 1, dtype=np.int8)
    table[-1] = -1  # NA sentinel (code -1) -> unknown
    bad_codes = {}
    for i, u in enumerate(uniques):
        c = _code_of_scalar(u, factor) if decode is None else decode(u)
        if c is None:
            bad_codes[i] = u
            c = -1
        table[i] = c
    bad: list[tuple[int, object, str]] = []
    if bad_codes:
        rows = np.flatnonzero(np.isin(codes, list(bad_codes)))
        msgs = {i: refusal(u, factor) for i, u in bad_codes.items()} if decode is None else {}
        bad = [(int(r), bad_codes[int(codes[r])], msgs.get(int(codes[r]), "")) for r in rows]
    return table[codes], bad


def parse_column(values, factor: str, column: str | None = None) -> np.ndarray:
    """Parse a column of factor values into int8 codes: 1 present, 0 absent, -1 unknown.

    Parameters
    ----------
    values : array-like
        The column's cells (a pandas Series, NumPy array, Arrow array or list), read as in
        :func:`column_codes`.
    factor : str
        The factor name (``"flt3"`` also accepts the FLT3 subtypes); used in the messages.
    column : str or None, default None
        The column name for the error messages; ``None`` uses ``factor``.

    Returns
    -------
    numpy.ndarray of int8
        One code per cell.

    Raises
    ------
    InputErrors
        Listing every refused cell with its 1-based data row, the column and the value (see
        :func:`column_codes`).
    """
    codes, bad = column_codes(values, factor)
    col = column if column is not None else factor
    InputErrors.raise_if_any(Problem(msg, row=r + 1, column=col, value=_text(v)) for r, v, msg in bad)
    return codes


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def find_id_column(columns) -> str | None:
    """The column holding the patient ID (``patient_id`` or an alias), or ``None``.

    Parameters
    ----------
    columns : iterable of str
        The input's column names, compared after :func:`normalize_name`.

    Returns
    -------
    str or None
        The column (as written in the input) matching the first alias in :data:`PATIENT_ID_ALIASES`
        order that is present; when several columns normalise to that alias, the first of them.
        ``None`` if no column matches.

    Examples
    --------
    >>> find_id_column(["EMD", "Patient ID", "FLT3"])
    'Patient ID'
    """
    by_name = {normalize_name(c): c for c in reversed(list(columns))}
    for a in PATIENT_ID_ALIASES:
        if a in by_name:
            return by_name[a]
    return None


def match_columns(columns, factors=None) -> dict[str, str]:
    """Map each factor to the input column that holds it (case-insensitive, with aliases).

    Parameters
    ----------
    columns : iterable of str
        The input's column names, compared after :func:`normalize_name` with each factor's name and aliases.
    factors : iterable of str or None, default None
        The factor names to look for; ``None`` means all seven.

    Returns
    -------
    dict of str to str
        ``{factor: column}`` for the factors found (factors without a column are absent).

    Raises
    ------
    InputError
        If two columns match the same factor.
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
    """The data dictionary (``docs/data-dictionary.md``) generated from this module.

    Returns
    -------
    str
        The Markdown text, ending with a newline.
    """
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
        "| present / mutated | " + ", ".join(f"`{t}`" for t in TRUE_TOKENS) + ", `1.0` |",
        "| present, for `flt3` only (any FLT3 mutation) | " + ", ".join(f"`{t}`" for t in FLT3_PRESENT_TOKENS)
        + " |",
        "| absent / wild-type | " + ", ".join(f"`{t}`" for t in FALSE_TOKENS) + ", `0.0` |",
        "| unknown (not tested, pending) | empty, " + ", ".join(f"`{t}`" for t in UNKNOWN_TOKENS if t) + " |",
        "",
        "The same values are read in every yes/no column of a cohort (genes, prior alloHCT, ...), and",
        "the unknown values mean missing in every cohort column. Refused everywhere, with the reason:",
        "",
        "| value | why |",
        "| --- | --- |",
        *[f"| `{t}` | {why} |" for t, why in REFUSED_TOKENS.items()],
        "",
        "Event columns (`os_event`, `efs_event`, `rfs_event`): "
        + ", ".join(f"`{t}`" for t, v in EVENT_TOKENS.items() if v == 1) + " = event; "
        + ", ".join(f"`{t}`" for t, v in EVENT_TOKENS.items() if v == 0) + " = censored; unknown values = missing.",
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
