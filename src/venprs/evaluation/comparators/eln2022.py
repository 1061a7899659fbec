"""ELN 2022 genetic risk classification (Döhner et al. Blood 2022, Table 6, with its footnotes).

Table 6 and its footnotes, as implemented (first matching step wins):

1. Core-binding-factor AML, t(8;21)(q22;q22.1)/RUNX1::RUNX1T1 or inv(16)/t(16;16)/
   CBFB::MYH11 -> **favorable**. Concurrent KIT/FLT3 mutations do not alter it
   (footnote); myelodysplasia-related (MR) gene mutations are not used as adverse
   markers with a favorable subtype (footnote); complex and monosomal karyotype
   are not applied (their definitions exclude class-defining abnormalities /
   core-binding-factor AML).
2. t(9;11)(p21.3;q23.3)/MLLT3::KMT2A -> **intermediate**; it takes precedence over
   concurrent adverse-risk gene mutations (footnote). Another adverse-risk
   cytogenetic abnormality of the list (step 3, not complex/monosomal) makes it
   adverse (decision: Table 6 does not say; we let the listed abnormality count).
3. Adverse-risk cytogenetics -> **adverse**: t(6;9)/DEK::NUP214; t(v;11q23.3)/
   KMT2A-rearranged (not KMT2A-PTD); t(9;22)/BCR::ABL1; t(8;16)/KAT6A::CREBBP;
   inv(3)/t(3;3)/GATA2,MECOM; t(3q26.2;v)/MECOM-rearranged; -5 or del(5q); -7;
   -17/abn(17p); complex karyotype (>= 3 unrelated abnormalities, *excluding
   hyperdiploid karyotypes with three or more trisomies/polysomies without
   structural abnormalities*, and not with a class-defining recurring
   abnormality); monosomal karyotype. This includes mutated NPM1 with adverse-risk
   cytogenetics (footnote: adverse).
4. Mutated NPM1: without FLT3-ITD -> **favorable** (MR gene mutations do not
   override it, footnote); with FLT3-ITD -> **intermediate** (FLT3-ITD allelic
   ratio is no longer considered in ELN 2022).
5. In-frame bZIP CEBPA mutation (mono- or biallelic) -> **favorable**.
6. Mutated TP53 (VAF >= 10%) -> **adverse**.
7. Mutated ASXL1, BCOR, EZH2, RUNX1, SF3B1, SRSF2, STAG2, U2AF1 or ZRSR2 -> **adverse**.
8. FLT3-ITD with wild-type NPM1 (no adverse lesion) -> **intermediate**.
9. Anything else (normal karyotype, other abnormalities) -> **intermediate**.

Decisions where Table 6 is silent (documented, tested):

- TP53 and MR gene mutations do not override the favorable class-defining
  subtypes (CBF, NPM1 without ITD, bZIP CEBPA) nor NPM1 with FLT3-ITD
  (intermediate): NPM1/CBF/CEBPA are class-defining in the ICC 2022 hierarchy
  that ELN 2022 follows, and take precedence over the TP53 and MR categories.
- TP53 VAF is rarely in a registry: a recorded TP53 mutation counts as >= 10%.
- bZIP detail of CEBPA is rarely recorded: a column ``cebpa_bzip`` (yes/no) is
  used if present; a generic ``cebpa`` column gives "not bZIP" when wild-type and
  unknown when mutated; no CEBPA column at all -> assumed absent (stated in the
  notes). MR genes with no column (often BCOR, EZH2, U2AF1, ZRSR2) are assumed
  not mutated and listed in the notes. A value that is empty in an existing
  column stays unknown; the group is kept only if it cannot change.
- Cytogenetics are those at diagnosis (ELN 2022 risk is defined at diagnosis).

Inputs
------
``cytogenetics_dx`` (aliases: ``cytogenetics``, ``cytogenetics_at_diagnosis``,
``karyotype_category``): ``|``-separated abnormality codes, case-insensitive:
``normal``, ``t(8;21)``, ``inv(16)`` (or ``t(16;16)``), ``t(9;11)``, ``t(6;9)``,
``kmt2a_r``, ``t(9;22)``, ``t(8;16)``, ``inv(3)`` (or ``t(3;3)``), ``mecom_r``,
``-5/del(5q)`` (or ``-5``, ``del(5q)``), ``-7``, ``-17/abn(17p)`` (or ``-17``,
``abn(17p)``, ``del(17p)``), ``complex``, ``monosomal``, ``hyperdiploid_trisomies``
(hyperdiploid with only trisomies/polysomies), ``other_nonadverse`` (an
abnormality that is none of the above), ``other`` (the Breems index' "other": not
core-binding factor, further details unknown, so the adverse-risk cytogenetic
flags are unknown); empty/``unknown`` = unknown. Optional yes/no ``complex_karyotype`` and ``monosomal_karyotype``.
Genes (yes/no): ``npm1``, FLT3-ITD (``flt3_itd`` or ``flt3_type``), ``tp53``, the
MR genes above, ``cebpa_bzip`` / ``cebpa``.

A recorded ELN 2022 group column (``eln2022``, ``eln2022_group``, ``eln_2022``,
``eln_risk``) is used where the derivation cannot decide (its inputs leave more
than one group possible), and alone when the derivation inputs are absent; the
notes give the counts and the agreement between derived and recorded groups.

References
----------
.. [1] Döhner H, Wei AH, Appelbaum FR, et al. Diagnosis and management of AML in
   adults: 2022 recommendations from an international expert panel on behalf of
   the ELN. Blood. 2022;140:1345-1377 (Table 6 and its footnotes).
.. [2] Arber DA, Orazi A, Hasserjian RP, et al. International Consensus
   Classification of Myeloid Neoplasms and Acute Leukemias. Blood.
   2022;140:1200-1228 (hierarchy of class-defining abnormalities).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._common import Classification, bad_value, classify_tristate, find_column, flt3_itd_codes, gene_aliases, tristate

NAME = "eln2022"
LEVELS = ("favorable", "intermediate", "adverse")
SOURCE = "Döhner H, et al. Blood. 2022;140:1345-1377, Table 6"
MR_GENES = ("asxl1", "bcor", "ezh2", "runx1", "sf3b1", "srsf2", "stag2", "u2af1", "zrsr2")
CYTO_COLUMNS = ("cytogenetics_dx", "cytogenetics", "cytogenetics_at_diagnosis", "karyotype_category",
                "cytogenetics_diagnosis")
RECORDED_COLUMNS = ("eln2022", "eln2022_group", "eln_2022", "eln_2022_group", "eln_risk", "eln2022_risk")

#: Cytogenetic codes -> the flag they set (``None``: known, no flag).
_CYTO_TOKENS: dict[str, str | None] = {
    "normal": None, "other_nonadverse": None,
    "t(8;21)": "t8_21", "runx1::runx1t1": "t8_21",
    "inv(16)": "inv16", "t(16;16)": "inv16", "inv(16)/t(16;16)": "inv16", "cbfb::myh11": "inv16",
    "t(9;11)": "t9_11", "mllt3::kmt2a": "t9_11",
    "t(6;9)": "adv_cyto", "dek::nup214": "adv_cyto",
    "kmt2a_r": "adv_cyto", "t(v;11q23.3)": "adv_cyto", "kmt2a-rearranged": "adv_cyto",
    "t(9;22)": "adv_cyto", "bcr::abl1": "adv_cyto",
    "t(8;16)": "adv_cyto", "kat6a::crebbp": "adv_cyto",
    "inv(3)": "adv_cyto", "t(3;3)": "adv_cyto", "inv(3)/t(3;3)": "adv_cyto",
    "mecom_r": "adv_cyto", "t(3q26.2;v)": "adv_cyto",
    "-5/del(5q)": "adv_cyto", "-5": "adv_cyto", "del(5q)": "adv_cyto",
    "-7": "adv_cyto", "-17/abn(17p)": "adv_cyto", "-17": "adv_cyto", "abn(17p)": "adv_cyto",
    "del(17p)": "adv_cyto",
    "complex": "complex", "monosomal": "monosomal",
    "hyperdiploid_trisomies": "hyperdiploid",
}
_CYTO_UNKNOWN = {"", "unknown", "na", "n/a", "nan", "nd", "not done", "failed"}
CYTO_FLAGS = ("t8_21", "inv16", "t9_11", "adv_cyto", "complex", "monosomal", "hyperdiploid")
ACCEPTED_CYTO = ", ".join(sorted([*_CYTO_TOKENS, "other"])) + "; several joined by '|'; empty/unknown for unknown"


def parse_cytogenetics(values, column: str = "cytogenetics_dx") -> dict[str, np.ndarray]:
    """Parse cytogenetic codes into int8 flags (1/0, -1 when the karyotype is unknown).

    Each value is one or more codes joined by ``|`` (case-insensitive, spaces ignored;
    accepted codes in the module docstring). An empty or unknown value makes every flag
    -1; the code ``other`` (not core-binding factor, details unknown) makes the
    adverse-risk, complex, monosomal and hyperdiploid flags -1 unless another code sets them.

    Parameters
    ----------
    values : sequence
        One cytogenetics value per patient (str, or None/NaN for unknown).
    column : str
        Column name used in error messages.

    Returns
    -------
    dict of str to numpy.ndarray
        One int8 array per flag of :data:`CYTO_FLAGS` (``t8_21``, ``inv16``, ``t9_11``,
        ``adv_cyto``, ``complex``, ``monosomal``, ``hyperdiploid``): 1 present, 0 absent,
        -1 unknown.

    Raises
    ------
    InputError
        A code that is not accepted (naming row, column and value).

    Examples
    --------
    >>> f = parse_cytogenetics(["t(8;21)|-7", "normal", ""])
    >>> f["t8_21"].tolist(), f["adv_cyto"].tolist()
    ([1, 0, -1], [1, 0, -1])
    """
    n = len(values)
    flags = {k: np.zeros(n, dtype=np.int8) for k in CYTO_FLAGS}
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip().lower() in _CYTO_UNKNOWN:
            for k in CYTO_FLAGS:
                flags[k][i] = -1
            continue
        for tok in re.split(r"\s*\|\s*", str(v).strip().lower()):
            tok = tok.replace(" ", "")
            if tok == "other":  # Breems' "other": not core-binding factor, details unknown
                for k in ("adv_cyto", "complex", "monosomal", "hyperdiploid"):
                    if flags[k][i] == 0:
                        flags[k][i] = -1
                continue
            if tok not in _CYTO_TOKENS:
                raise bad_value(column, i, v, ACCEPTED_CYTO)
            flag = _CYTO_TOKENS[tok]
            if flag is not None:
                flags[flag][i] = 1
    return flags


def rule(x) -> np.ndarray:
    """Group index (0 favorable, 1 intermediate, 2 adverse) from boolean arrays (steps 1-9 above).

    Complex karyotype counts only without hyperdiploidy and without a class-defining
    abnormality, monosomal karyotype only without core-binding-factor AML or t(9;11);
    the first matching step of the module docstring gives the group.

    Parameters
    ----------
    x : Mapping of str to numpy.ndarray of bool
        One boolean array per input, all of the same length: the cytogenetic flags of
        :func:`parse_cytogenetics`, ``npm1``, ``flt3_itd``, ``cebpa_bzip``, ``tp53`` and
        the genes of :data:`MR_GENES`.

    Returns
    -------
    numpy.ndarray of int
        Group index per patient.

    References
    ----------
    .. [1] Döhner H, et al. Blood. 2022;140:1345-1377 (Table 6 and its footnotes).
    """
    cbf = x["t8_21"] | x["inv16"]
    class_defining = cbf | x["t9_11"] | x["adv_cyto"]
    complex_eff = x["complex"] & ~x["hyperdiploid"] & ~class_defining
    monosomal_eff = x["monosomal"] & ~cbf & ~x["t9_11"]
    adverse_cyto = x["adv_cyto"] | complex_eff | monosomal_eff
    mr = np.zeros_like(cbf)
    for g in MR_GENES:
        mr = mr | x[g]
    npm1, itd = x["npm1"], x["flt3_itd"]
    return np.select(
        [cbf, x["t9_11"] & ~x["adv_cyto"], adverse_cyto, npm1 & ~itd, npm1 & itd, x["cebpa_bzip"],
         x["tp53"], mr],
        [0, 1, 2, 0, 1, 0, 2, 2],
        default=1,
    )


def derive(df: pd.DataFrame) -> Classification:
    """Derive the ELN 2022 genetic risk from cytogenetics and mutations (Table 6).

    Unknown inputs are completed both ways (every completion, up to 16 unknown inputs
    per patient); the group is kept only when every completion gives the same one. MR genes without a column are assumed not mutated, a missing CEBPA
    column means no in-frame bZIP mutation (both stated in the notes).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with ``cytogenetics_dx``, ``npm1``, FLT3-ITD (``flt3_itd`` or
        ``flt3_type``) and ``tp53`` (or their aliases), optionally the MR genes,
        ``cebpa_bzip`` / ``cebpa``, ``complex_karyotype`` and ``monosomal_karyotype``.

    Returns
    -------
    Classification
        Groups and reachable groups per row with notes on how the inputs were read;
        ``skipped`` names the missing required columns.

    References
    ----------
    .. [1] Döhner H, et al. Blood. 2022;140:1345-1377 (Table 6 and its footnotes).
    """
    res = Classification(NAME, "ELN 2022 genetic risk", LEVELS, source=SOURCE)
    n = len(df)
    missing = []
    inputs: dict[str, np.ndarray] = {}
    ccol = find_column(df, CYTO_COLUMNS)
    if ccol is None:
        missing.append("cytogenetics_dx")
    else:
        inputs.update(parse_cytogenetics(df[ccol].to_numpy(), str(ccol)))
        for key, names in (("complex", ("complex_karyotype", "complex", "ck")),
                           ("monosomal", ("monosomal_karyotype", "monosomal", "mk"))):
            c = tristate(df, names, key)
            if c is not None:
                # a flag column adds to the codes: 1 if either says so, unknown only if both are unknown
                inputs[key] = np.where((c == 1) | (inputs[key] == 1), 1,
                                       np.where((c == 0) | (inputs[key] == 0), 0, -1)).astype(np.int8)
    npm1 = tristate(df, gene_aliases("npm1"), "npm1")
    if npm1 is None:
        missing.append("npm1")
    else:
        inputs["npm1"] = npm1
    itd, how = flt3_itd_codes(df)
    if itd is None:
        missing.append("flt3_itd or flt3_type")
    else:
        inputs["flt3_itd"] = itd
    tp53 = tristate(df, gene_aliases("tp53"), "tp53")
    if tp53 is None:
        missing.append("tp53")
    else:
        inputs["tp53"] = tp53
    if missing:
        res.skipped = "missing input columns: " + ", ".join(missing)
        return res
    res.notes.append(how)
    res.notes.append("cytogenetics read from column " + repr(str(ccol)) + " (at diagnosis)")
    res.notes.append("a recorded TP53 mutation is taken as VAF >= 10% (VAF not recorded)")
    absent_genes = []
    for g in MR_GENES:
        c = tristate(df, gene_aliases(g), g)
        if c is None:
            absent_genes.append(g.upper())
            c = np.zeros(n, dtype=np.int8)
        inputs[g] = c
    if absent_genes:
        res.notes.append("no column, assumed not mutated: " + ", ".join(absent_genes))
    bz = tristate(df, ("cebpa_bzip", "cebpa_bzip_inframe", "cebpa_bzip_mut"), "cebpa_bzip")
    if bz is None:
        anyc = tristate(df, gene_aliases("cebpa"), "cebpa")
        if anyc is None:
            res.notes.append("no CEBPA column: in-frame bZIP CEBPA assumed absent")
            bz = np.zeros(n, dtype=np.int8)
        else:
            res.notes.append("CEBPA without bZIP detail: mutated = bZIP status unknown")
            bz = np.where(anyc == 0, 0, -1).astype(np.int8)
    inputs["cebpa_bzip"] = bz
    res.groups, res.possible = classify_tristate(inputs, rule, LEVELS, df.index, max_unknown=16)
    return res


_RECORDED = {"favorable": "favorable", "fav": "favorable", "favourable": "favorable",
             "intermediate": "intermediate", "int": "intermediate",
             "adverse": "adverse", "adv": "adverse", "poor": "adverse"}


def recorded(df: pd.DataFrame) -> Classification | None:
    """The ELN 2022 group as recorded in the cohort (``None`` if there is no such column).

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table, possibly with a recorded group column (``eln2022``, ``eln2022_group``,
        ``eln_2022``, ``eln_2022_group``, ``eln_risk``, ``eln2022_risk``).

    Returns
    -------
    Classification or None
        The recorded groups (``favorable``/``fav``/``favourable``, ``intermediate``/``int``,
        ``adverse``/``adv``/``poor``; empty or unknown gives ``""``), or ``None`` without
        such a column.

    Raises
    ------
    InputError
        A value that is not a group label (naming row, column and value).
    """
    col = find_column(df, RECORDED_COLUMNS)
    if col is None:
        return None
    res = Classification(NAME, "ELN 2022 genetic risk", LEVELS, source=SOURCE)
    out = []
    for i, v in enumerate(df[col].to_numpy()):
        t = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip().lower()
        if t in _RECORDED:
            out.append(_RECORDED[t])
        elif t in _CYTO_UNKNOWN:
            out.append("")
        else:
            raise bad_value(col, i, v, "favorable/fav, intermediate/int, adverse/adv, or empty for unknown")
    res.groups = pd.Series(out, index=df.index, dtype=object)
    res.possible = res.groups.where(res.groups != "", "|".join(LEVELS))
    res.notes.append(f"ELN 2022 group as recorded in column {str(col)!r}")
    return res


def classify(df: pd.DataFrame) -> Classification:
    """Derived ELN 2022 risk when the genetic inputs exist; else the recorded group; else skipped.

    When both exist, the notes give how often the derived and recorded groups agree, and a
    patient whose derived group is open gets the recorded group if the derivation allows it.

    Parameters
    ----------
    df : pandas.DataFrame
        Cohort table with the genetic inputs of :func:`derive` and/or a recorded ELN 2022
        group column (:func:`recorded`).

    Returns
    -------
    Classification
        The derived (or recorded) ELN 2022 genetic risk per row; ``skipped`` when neither the
        derivation inputs nor a recorded group exist.

    References
    ----------
    .. [1] Döhner H, et al. Blood. 2022;140:1345-1377 (Table 6 and its footnotes).
    """
    res = derive(df)
    rec = recorded(df)
    if res.skipped is not None:
        if rec is not None:
            rec.notes.append("not derived (" + res.skipped + ")")
            return rec
        return res
    if rec is not None:
        assert res.groups is not None and res.possible is not None and rec.groups is not None  # not skipped
        both = (res.groups != "") & (rec.groups != "")
        agree = int((res.groups[both] == rec.groups[both]).sum())
        res.notes.append(f"derived group agrees with the recorded column in {agree} of {int(both.sum())} "
                         "patients with both")
        fill = (res.groups == "") & (rec.groups != "")
        if fill.any():
            # only where the recorded group is one the derivation allows
            allowed = np.array([r in p.split("|") for r, p in zip(rec.groups[fill], res.possible[fill])])
            idx = res.groups.index[fill][allowed]
            res.groups.loc[idx] = rec.groups.loc[idx]
            res.possible.loc[idx] = rec.groups.loc[idx]
            res.notes.append(f"{len(idx)} patient(s) whose genetic inputs leave the group open: recorded ELN 2022 "
                             f"group used" + (f" ({int((~allowed).sum())} recorded group(s) contradict the "
                                             "inputs and were not used)" if (~allowed).any() else ""))
    return res
