"""Reading and checking a cohort for the derivation analysis (``venprs analyze``).

A cohort is one row per patient with at least ``patient_id``, the seven VEN-PRS
factors and ``os_months, os_event, efs_months, efs_event``. Other columns
(clinical characteristics, best response, RFS) enable further analyses; an
analysis whose columns are absent is skipped with the reason stated. Column
names are matched case-insensitively with aliases (the factors through
:func:`venprs.fields.match_columns`); ``columns`` maps any other names.

Nothing is dropped silently: a malformed value (negative time, event not 0/1,
text in a numeric column) is an :class:`~venprs.errors.InputError` naming the
1-based row, column and value; missing values are allowed and each analysis
reports how many patients it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, InputErrors, Problem
from ..fields import (
    EVENT_TOKENS,
    FACTOR_FIELDS,
    PATIENT_ID_ALIASES,
    UNKNOWN_TOKENS,
    column_codes,
    match_columns,
    normalize_name,
)
from ..io import locate, source_info

__all__ = ["Cohort", "prepare_cohort", "read_columns_map", "DAYS_PER_MONTH", "REQUIRED", "OPTIONAL", "RESPONSES",
           "OTHER_GENES", "DAYS_SUSPECT_MEDIAN_MONTHS"]

#: Days per month used by ``--time-unit days`` (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12

FACTORS = tuple(f.name for f in FACTOR_FIELDS)
TIME_COLUMNS = ("os_months", "os_event", "efs_months", "efs_event")
REQUIRED = ("patient_id", *FACTORS, *TIME_COLUMNS)

#: Genes besides the model factors, used in the response associations when present.
OTHER_GENES = ("npm1", "idh1", "idh2", "nras", "kras", "tet2", "asxl1", "dnmt3a", "runx1", "srsf2", "stag2")


def _gene_aliases(g: str) -> tuple[str, ...]:
    return (f"{g}_mut", f"{g}_mutated", f"{g}_mutation", f"{g}_status")


#: Optional columns: canonical name -> (kind, aliases). kind: num, bin, cat.
OPTIONAL: dict[str, tuple[str, tuple[str, ...]]] = {
    "age": ("num", ("age_years", "age_at_start")),
    "sex": ("cat", ("gender",)),
    "ecog": ("cat", ("ecog_ps", "performance_status")),
    "eln2022": ("cat", ("eln_2022", "eln2022_risk", "eln_risk", "eln")),
    "icc2022": ("cat", ("icc_2022", "icc_classification", "icc_class")),
    "ontogeny": ("cat", ("icc_qualifier", "diagnostic_qualifier")),
    "complex_karyotype": ("bin", ("ck", "complex")),
    "disease_status": ("cat", ("relapsed_refractory", "rr_status", "status")),
    "prior_lines": ("num", ("n_prior_lines", "prior_treatment_lines", "lines_prior")),
    "prior_allohct": ("bin", ("prior_hct", "prior_transplant", "prior_allo_hct")),
    "prior_intensive": ("bin", ("prior_intensive_chemotherapy", "prior_intensive_chemo")),
    "hma_agent": ("cat", ("combination_partner", "hma", "hma_partner")),
    "wbc": ("num", ("wbc_count", "wbc_at_start")),
    "hemoglobin": ("num", ("hb", "haemoglobin")),
    "platelets": ("num", ("platelet_count", "plt")),
    "bm_blasts": ("num", ("bm_blast", "blasts_bm")),
    "pb_blasts": ("num", ("pb_blast", "blasts_pb")),
    "best_response": ("cat", ("response", "best_resp")),
    "rfs_months": ("num", ("rfs_time",)),
    "rfs_event": ("event", ()),
    "molecular": ("bin", ("molecular_cohort", "molecular_data", "has_molecular", "ngs_available")),
    "time_cr_to_relapse_months": ("num", ("time_cr_to_relapse", "time_to_relapse_months")),
    **{g: ("bin", _gene_aliases(g)) for g in OTHER_GENES},
}

#: Best-response categories (Table 3) and accepted spellings (after lower-casing).
RESPONSES: dict[str, tuple[str, ...]] = {
    "CR": ("cr",),
    "CRi": ("cri", "cr_i", "crh"),
    "MLFS": ("mlfs",),
    "PR": ("pr",),
    "SD/RD": ("sd/rd", "sd", "rd", "sd_rd", "nr", "no response", "refractory"),
    "died before assessment": ("died", "death", "died before assessment", "died_before_assessment", "ed",
                               "early death", "died before first assessment"),
}
_RESP = {normalize_name(a): k for k, v in RESPONSES.items() for a in (k, *v)}


@dataclass
class Cohort:
    """A checked cohort in canonical columns.

    ``data`` has ``patient_id``, the factors as float (1/0/NaN), times in months
    (float, NaN if missing), events (float 1/0/NaN) and the optional columns found.
    """

    data: pd.DataFrame
    source: str
    time_unit: str = "months"
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> input column
    notes: list[str] = field(default_factory=list)
    #: The input table as read (same rows, same order), for analyses that need other columns.
    raw: pd.DataFrame | None = field(default=None, repr=False)
    #: Plausibility warnings for the user (e.g. times that look like days).
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.data)

    def has(self, *names: str) -> bool:
        """Whether every named column is present."""
        return all(n in self.data.columns for n in names)


def read_columns_map(path) -> dict[str, str]:
    """Read ``--columns MAP.yaml``: ``canonical_name: input column name`` pairs.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file: one ``canonical_name: column name`` pair per line; every
        canonical name must be a required or optional cohort column.

    Returns
    -------
    dict of str to str
        Canonical name to input column name (column names given as numbers become text).

    Raises
    ------
    InputError
        The file is missing, is not valid YAML, is not such a mapping, or names an
        unknown canonical name.
    """
    import yaml

    p = Path(path)
    if not p.exists():
        raise InputError("column map file not found", file=p)
    try:
        m = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(f"cannot read YAML: {str(e).splitlines()[0]}", file=p) from None
    if not isinstance(m, dict) or not all(isinstance(k, str) and isinstance(v, (str, int)) for k, v in m.items()):
        raise InputError("expected a mapping 'canonical_name: column name' (one per line)", file=p)
    known = set(REQUIRED) | set(OPTIONAL)
    bad = [k for k in m if k not in known]
    if bad:
        raise InputError(f"unknown canonical name {bad[0]!r}; known: {', '.join(sorted(known))}", file=p)
    return {k: str(v) for k, v in m.items()}


def _find(columns, canonical: str, aliases) -> str | None:
    """The column for ``canonical``: its own name first, else exactly one alias."""
    exact = [c for c in columns if normalize_name(c) == normalize_name(canonical)]
    if len(exact) == 1:
        return exact[0]
    wanted = {normalize_name(canonical), *(normalize_name(a) for a in aliases)}
    hits = [c for c in columns if normalize_name(c) in wanted]
    if len(hits) > 1:
        raise InputError(f"columns {hits[0]!r} and {hits[1]!r} both name {canonical}; keep one or map with --columns",
                         column=hits[1])
    return hits[0] if hits else None


def _is_missing_text(s: pd.Series) -> np.ndarray:
    """Missing cells: NaN/None, or text that :mod:`venprs.fields` reads as unknown (empty, NA, pending, ...)."""
    return s.isna().to_numpy() | s.astype(str).str.strip().str.lower().isin(UNKNOWN_TOKENS).to_numpy()


#: Median recorded OS time (months) above which times probably are in days. A plausibility
#: heuristic for R/R AML, not a published number (the paper's median OS is 7.9 months).
DAYS_SUSPECT_MEDIAN_MONTHS = 120.0


def _cell(v) -> str:
    return v if isinstance(v, str) else str(v)


#: Thousands points: with a decimal comma (``1.210,5``) or more than one (``12.345.678``): unambiguous.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:(?:\.\d{3})+,\d*|(?:\.\d{3}){2,})")
#: ``1.210``: with a decimal comma the point is a thousands point (1210), yet it reads as 1.21: refused.
_THOUSANDS_ONLY = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


def _decimal_comma(v):
    """One cell of a decimal-comma file as numeric text: ``12,5`` -> ``12.5``, ``1.210,5`` -> ``1210.5``,
    ``12.345.678`` -> ``12345678``; a value with one point and no comma (``12.5``) is left as written."""
    if not isinstance(v, str):
        return v
    w = v.strip()
    if _THOUSANDS.fullmatch(w):
        return w.replace(".", "").replace(",", ".")
    return w.replace(",", ".") if "." not in w else v


def _numeric(s: pd.Series, column: str, problems: list[Problem], *, nonneg: bool = False,
             decimal: str = ".") -> np.ndarray:
    miss = _is_missing_text(s)
    t = s.where(~miss, None)
    ambiguous = np.zeros(len(s), bool)
    if decimal == "," and (t.dtype == object or isinstance(t.dtype, (pd.StringDtype, pd.ArrowDtype))):
        texts = t.tolist()
        ambiguous = np.array([isinstance(v, str) and _THOUSANDS_ONLY.fullmatch(v.strip()) is not None
                              for v in texts], bool)
        t = pd.Series([_decimal_comma(v) for v in texts], index=s.index, dtype=object)
    vals = pd.to_numeric(t, errors="coerce").to_numpy(float)
    if ambiguous.any():
        vals = vals.copy()  # to_numpy may give a read-only view
        vals[ambiguous] = np.nan
    for i in np.flatnonzero(~miss & ~np.isfinite(vals)):
        v = _cell(s.iloc[int(i)])
        if ambiguous[i]:
            plain = v.strip().replace(".", "")
            problems.append(Problem(
                f"{v!r} is ambiguous in a ';'-separated file (decimal comma): {plain} with a thousands point, or "
                f"{v.strip()} with a decimal point? Write {plain}, or {v.strip().replace('.', ',')} for the "
                "decimal", row=int(i) + 1, column=column, value=v))
            continue
        what = "is not a finite number" if np.isinf(vals[int(i)]) else "is not a number"
        problems.append(Problem(f"{v!r} {what}" + (" (decimal comma?)" if "," in v else ""),
                                row=int(i) + 1, column=column, value=v))
    if nonneg:
        for i in np.flatnonzero(np.isfinite(vals) & (vals < 0)):
            v = _cell(s.iloc[int(i)])
            problems.append(Problem(f"negative time {v!r}; times must be >= 0", row=int(i) + 1, column=column,
                                    value=v))
    return vals


def _event(s: pd.Series, column: str, problems: list[Problem]) -> np.ndarray:
    def decode(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return -1
        key = str(v).strip().lower()
        return -1 if key in UNKNOWN_TOKENS else EVENT_TOKENS.get(key)

    codes, bad = column_codes(s.to_numpy(), None, decode=decode)
    problems += [Problem(f"event value {_cell(v)!r} is not accepted; use 1 (event) or 0 (censored), empty = missing",
                         row=r + 1, column=column, value=_cell(v)) for r, v, _ in bad]
    out = codes.astype(float)
    out[codes < 0] = np.nan
    return out


def _binary(s: pd.Series, column: str, problems: list[Problem], factor: str | None = None) -> np.ndarray:
    """A yes/no column read with the factors' vocabulary (:func:`venprs.fields.yes_no_code`)."""
    codes, bad = column_codes(s.to_numpy(), factor)
    problems += [Problem(msg, row=r + 1, column=column, value=_cell(v)) for r, v, msg in bad]
    out = codes.astype(float)
    out[codes < 0] = np.nan
    return out


def _category(s: pd.Series) -> pd.Series:
    miss = _is_missing_text(s)
    return s.astype(str).str.strip().where(~miss, None)


def prepare_cohort(df: pd.DataFrame, *, columns: dict[str, str] | None = None, time_unit: str = "months",
                   source: str = "cohort", check_events: bool = True) -> Cohort:
    """Check a cohort table and return it in canonical columns.

    Parameters
    ----------
    df : pandas.DataFrame
        As read by :func:`venprs.io.read_table` (text or typed columns).
    columns : dict, optional
        ``canonical name -> input column`` overrides (from ``--columns MAP.yaml``).
    time_unit : {"months", "days"}
        Unit of ``os_months``/``efs_months``/``rfs_months`` in the input; days are
        converted to months (1 month = 365.25 / 12 days).
    source : str
        Name used in messages (the file name).
    check_events : bool
        Raise when an endpoint has no event (all censored).

    Returns
    -------
    Cohort
        The table in canonical columns (times in months), the columns found, notes and the raw input.

    Raises
    ------
    InputError
        Missing required column, negative time, event not 0/1, text in a numeric
        column, duplicated patient_id, a factor value not accepted, all censored.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Methods: endpoints and variables).
    """
    if time_unit not in ("months", "days"):
        raise InputError(f"time unit {time_unit!r} is not accepted; use months or days")
    columns = dict(columns or {})
    for k, v in columns.items():
        if v not in df.columns:
            raise InputError(f"column map names {v!r} for {k}, but the file has no such column; columns: "
                             + ", ".join(map(str, df.columns[:30])))
    found: dict[str, str] = {}
    fac = match_columns([c for c in df.columns if c not in columns.values()])
    for f in FACTORS:
        col = columns.get(f, fac.get(f))
        if col is not None:
            found[f] = col
    for name in ("patient_id", *TIME_COLUMNS):
        aliases = {"patient_id": PATIENT_ID_ALIASES,
                   "os_months": ("os_time", "os", "os_months"), "os_event": ("os_status", "death", "os_censor"),
                   "efs_months": ("efs_time", "efs"), "efs_event": ("efs_status",)}[name]
        col = columns.get(name) or _find([c for c in df.columns if c not in columns.values()], name, aliases)
        if col is not None:
            found[name] = col
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InputError(f"required column {missing[0]!r} is missing (required: {', '.join(REQUIRED)}); "
                         "map other names with --columns MAP.yaml", column=missing[0])
    for name, (_, aliases) in OPTIONAL.items():
        col = columns.get(name) or _find([c for c in df.columns if c not in set(found.values()) | set(columns.values())],
                                         name, aliases)
        if col is not None:
            found[name] = col

    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    problems: list[Problem] = []
    info = source_info(df)
    decimal = info.decimal if info is not None else "."
    idcol = found["patient_id"]
    ids = df[idcol].astype(str).str.strip()
    for i in np.flatnonzero(_is_missing_text(df[idcol])):
        problems.append(Problem("patient_id is empty", row=int(i) + 1, column=idcol))
    for i in np.flatnonzero(ids.duplicated(keep="first").to_numpy()):
        problems.append(Problem(f"patient_id {ids.iloc[i]!r} appears twice", row=int(i) + 1, column=idcol,
                                value=ids.iloc[i]))
    out["patient_id"] = ids.to_numpy()
    for f in FACTORS:
        out[f] = _binary(df[found[f]], found[f], problems, factor=f)
    scale = 1.0 / DAYS_PER_MONTH if time_unit == "days" else 1.0
    for ep in ("os", "efs", "rfs"):
        tcol, ecol = f"{ep}_months", f"{ep}_event"
        if tcol not in found or ecol not in found:
            continue
        out[tcol] = _numeric(df[found[tcol]], found[tcol], problems, nonneg=True, decimal=decimal) * scale
        out[ecol] = _event(df[found[ecol]], found[ecol], problems)
    for name, (kind, _) in OPTIONAL.items():
        if name not in found or name in ("rfs_months", "rfs_event"):
            continue
        s = df[found[name]]
        if kind == "num":
            out[name] = _numeric(s, found[name], problems, decimal=decimal)
        elif kind == "bin":
            out[name] = _binary(s, found[name], problems)
        else:
            out[name] = _category(s)
    if problems:
        order = {str(c): i for i, c in enumerate(df.columns)}
        problems.sort(key=lambda p: (p.row or 0, order.get(str(p.column), 0)))
        raise InputErrors(locate(df, problems), file=info.label if info is not None else None)
    for ep in ("os", "efs"):
        tcol, ecol = f"{ep}_months", f"{ep}_event"
        if check_events:
            t, e = out[tcol].to_numpy(), out[ecol].to_numpy()
            ok = ~np.isnan(t) & ~np.isnan(e)
            if not ok.any():
                raise InputError(f"no patient has both {tcol} and {ecol}", column=found[tcol])
            if np.nansum(e[ok]) == 0:
                raise InputError(f"all {int(ok.sum())} patients are censored for {ep.upper()} ({found[ecol]} is 0 "
                                 "everywhere): no events, nothing to estimate", column=found[ecol])
    if "best_response" in out:
        out["best_response"] = _normalise_response(out["best_response"], found["best_response"])
    if "disease_status" in out:
        out["disease_status"] = _normalise_status(out["disease_status"], found["disease_status"])
    notes = []
    if time_unit == "days":
        notes.append("times converted from days to months (1 month = 365.25/12 days)")
    warnings = _check_times(out, found, time_unit)
    return Cohort(data=out, source=source, time_unit=time_unit, columns=found, notes=notes, raw=df,
                  warnings=warnings)


def _check_times(out: pd.DataFrame, found: dict[str, str], time_unit: str) -> list[str]:
    """Plausibility of the times: EFS after OS is an error (naming the rows); times that look
    like days while read as months give a warning (returned)."""
    os_t, efs_t = out["os_months"].to_numpy(float), out["efs_months"].to_numpy(float)
    late = np.flatnonzero(efs_t > os_t + 1e-9)  # NaN compares False: only rows with both times
    if len(late):
        i = int(late[0])
        shown = ", ".join(f"row {int(j) + 1} (patient {out['patient_id'].iloc[int(j)]}: EFS {efs_t[j]:g}, "
                          f"OS {os_t[j]:g})" for j in late[:5])
        more = f" and {len(late) - 5} more" if len(late) > 5 else ""
        raise InputError(f"EFS time is longer than OS time in {len(late)} patient(s): {shown}{more}; an event-free "
                         "interval cannot outlast survival (check the columns or the units)", row=i + 1,
                         column=found["efs_months"], value=efs_t[i])
    warnings = []
    med = float(np.nanmedian(os_t)) if np.isfinite(os_t).any() else float("nan")
    if time_unit == "months" and med > DAYS_SUSPECT_MEDIAN_MONTHS:
        warnings.append(f"median recorded OS time is {med:g} months (column {found['os_months']!r}); in R/R AML "
                        "this suggests the times are in days: if so, run again with --time-unit days")
    return warnings


def _normalise_codes(s: pd.Series, column: str, mapping: dict[str, str], what: str, accepted: str) -> pd.Series:
    """Map free-text codes through ``mapping`` (keys normalised); ``None`` stays missing."""
    vals: list[str | None] = []
    for i, v in enumerate(s.tolist()):
        if v is None:
            vals.append(None)
            continue
        key = normalize_name(v)
        if key not in mapping:
            raise InputError(f"{what} {v!r} is not accepted; use {accepted}", row=i + 1, column=column, value=v)
        vals.append(mapping[key])
    return pd.Series(vals, index=s.index, dtype=object)


def _normalise_response(s: pd.Series, column: str) -> pd.Series:
    return _normalise_codes(s, column, _RESP, "best response",
                            "one of " + ", ".join(f"{k} ({'/'.join(a)})" for k, a in RESPONSES.items()))


_STATUS = {"relapsed": "relapsed", "relapse": "relapsed", "r": "relapsed", "refractory": "refractory",
           "ref": "refractory", "primary_refractory": "refractory", "first_line": "first-line",
           "firstline": "first-line", "newly_diagnosed": "first-line"}


def _normalise_status(s: pd.Series, column: str) -> pd.Series:
    return _normalise_codes(s, column, _STATUS, "disease status", "relapsed, refractory or first-line")
