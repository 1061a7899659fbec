"""Declarative description of the cohort columns (synthetic cohorts, and the analysis input).

One entry per column: name, label, type and unit, accepted values, description
and source. :func:`data_dictionary_sections` renders them for
``docs/data-dictionary.md`` (appended by :func:`venprs.fields.data_dictionary_markdown`).
The seven VEN-PRS factor columns are described in the "VEN-PRS factors" section
and listed here only by name.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Tables 1-3).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CohortField", "COHORT_FIELDS", "data_dictionary_sections", "column_names", "LEVEL_LABELS", "level_label"]

_BOOL = "true / false; empty = unknown"
_GENE = "true (mutated) / false (wild-type); empty = not tested"


@dataclass(frozen=True)
class CohortField:
    """One cohort column.

    Attributes
    ----------
    name : column name
    label : human label
    type : ``text``, ``boolean``, ``integer``, ``number`` or ``category``
    unit : unit, or ``""``
    accepted : accepted values / range
    description : what the column holds
    source : where its distribution comes from (paper table) for synthetic cohorts
    """

    name: str
    label: str
    type: str
    unit: str
    accepted: str
    description: str
    source: str = ""


def _gene(symbol: str, source: str = "venprs assumption (prevalence not reported)") -> CohortField:
    return CohortField(symbol.lower(), f"{symbol} mutation", "boolean", "", _GENE,
                       f"{symbol} mutated at the start of HMA/venetoclax.", source)


COHORT_FIELDS: tuple[CohortField, ...] = (
    CohortField("patient_id", "Patient ID", "text", "", "unique; synthetic IDs start with `SYN-`",
                "Pseudonymous patient identifier. `SYN-RR-` / `SYN-FL-` marks synthetic patients.", "-"),
    CohortField("cohort", "Cohort", "category", "", "`rr`, `first-line`",
                "Relapsed/refractory (R/R) cohort or first-line validation cohort.", "Methods"),
    CohortField("molecular_data", "Molecular data available", "boolean", "", "true / false",
                "Part of the molecular cohort (n = 174 of 240); when false every gene column is empty.", "Results"),
    CohortField("age", "Age at start of HMA/VEN", "integer", "years", "18-100", "Age in whole years.", "Table 1"),
    CohortField("sex", "Sex", "category", "", "`male`, `female`", "", "Table 1"),
    CohortField("ecog", "ECOG performance status", "category", "", "`0`, `1`, `2`, `3-4`; empty = missing",
                "ECOG at start (3 and 4 pooled, as in Table 1).", "Table 1"),
    CohortField("disease_status", "Disease status", "category", "", "`relapsed`, `refractory`, `first-line`",
                "Relapsed or refractory AML (R/R cohort); `first-line` in the first-line cohort.", "Table 1"),
    CohortField("time_cr_to_relapse_months", "Time from CR to relapse", "number", "months",
                "> 0; empty if not relapsed or missing", "Relapse-free interval before HMA/VEN (Breems index input).",
                "Table 1 (bands <= 6, 7-18, > 18 months)"),
    CohortField("prior_lines", "Prior treatment lines", "integer", "lines", "0-10",
                "Number of prior lines of therapy.", "Table 1"),
    CohortField("prior_allohct", "Prior alloHCT", "boolean", "", _BOOL,
                "Allogeneic transplant before HMA/VEN.", "Table 1"),
    CohortField("prior_intensive", "Prior intensive chemotherapy", "boolean", "", _BOOL, "", "Table 1"),
    CohortField("prior_hma", "Prior HMA treatment", "boolean", "", "VEN-PRS factor (see above)", "", "Table 1"),
    CohortField("extramedullary", "Extramedullary disease", "boolean", "", "VEN-PRS factor (see above)", "", "Table 1"),
    CohortField("icc_class", "ICC 2022 classification", "category", "",
                "`recurrent_genetic`, `mrgm`, `mrca`, `tp53`, `nos`",
                "AML with recurrent genetic abnormality / myelodysplasia-related gene mutations / "
                "myelodysplasia-related cytogenetic abnormality / mutated TP53 / not otherwise specified.", "Table 1"),
    CohortField("icc_qualifier", "ICC 2022 diagnostic qualifier", "category", "",
                "`de_novo`, `therapy_related`, `post_mds`, `post_mds_mpn`; empty = missing", "", "Table 1"),
    CohortField("eln2022", "ELN 2022 risk group", "category", "",
                "`favorable`, `intermediate`, `adverse`; empty = missing", "", "Table 1"),
    CohortField("complex_karyotype", "Complex karyotype", "boolean", "", _BOOL, "", "Table 1"),
    CohortField("cytogenetics_dx", "Cytogenetics at diagnosis (Breems)", "category", "",
                "`t(8;21)`, `inv(16)/t(16;16)`, `other`; empty = missing",
                "Cytogenetic group of the Breems prognostic index.",
                "venprs assumption (within ICC 'recurrent genetic abnormality'; not reported)"),
    CohortField("wbc", "WBC at start of VEN", "number", "10^9/L", ">= 0", "", "Table 1"),
    CohortField("hb", "Haemoglobin at start of VEN", "number", "g/dL", "> 0", "", "Table 1"),
    CohortField("platelets", "Platelets at start of VEN", "number", "10^9/L", ">= 0", "", "Table 1"),
    CohortField("bm_blasts", "Bone-marrow blasts at start of VEN", "number", "%", "0-100", "", "Table 1"),
    CohortField("pb_blasts", "Peripheral-blood blasts at start of VEN", "number", "%", "0-100", "", "Table 1"),
    CohortField("hma_partner", "HMA combination partner", "category", "", "`azacitidine`, `decitabine`", "", "Table 2"),
    CohortField("ven_dose_mg", "Venetoclax steady-state dose", "integer", "mg", "50-800; empty = missing", "", "Table 2"),
    CohortField("ven_days", "Venetoclax days per cycle", "integer", "days", "1-28; empty = missing", "", "Table 2"),
    CohortField("nf1", "NF1 mutation", "boolean", "", "VEN-PRS factor (see above)", "",
                "venprs choice (not reported): docs/simulation.md"),
    CohortField("ptpn11", "PTPN11 mutation", "boolean", "", "VEN-PRS factor (see above)", "",
                "venprs choice (not reported): docs/simulation.md"),
    CohortField("flt3", "FLT3 mutation (any)", "boolean", "", "VEN-PRS factor (see above)", "", "Table 4 footnote c"),
    CohortField("tp53", "TP53 mutation", "boolean", "", "VEN-PRS factor (see above)", "", "Results (18%)"),
    CohortField("sf3b1", "SF3B1 mutation", "boolean", "", "VEN-PRS factor (see above)", "",
                "venprs choice (not reported): docs/simulation.md"),
    CohortField("flt3_type", "FLT3 mutation type", "category", "",
                "`itd`, `tkd`, `other`; empty if FLT3 wild-type or not tested",
                "ITD, TKD or atypical FLT3 mutation.", "Table 4 footnote c"),
    _gene("NPM1", "Table 1 (nucleophosmin, 19 of 174)"),
    _gene("IDH1"), _gene("IDH2"), _gene("NRAS"), _gene("KRAS"),
    _gene("TET2", "Results (20%)"), _gene("ASXL1", "Results (18%)"), _gene("DNMT3A", "Results (17%)"),
    _gene("RUNX1", "Results (19%)"), _gene("SRSF2"), _gene("STAG2"),
    CohortField("no_mutation", "No detectable mutation", "boolean", "", _GENE.replace("mutated", "none found"),
                "No mutation in the sequenced panel.", "Results (11%)"),
    CohortField("best_response", "Best response to HMA/VEN", "category", "",
                "`CR`, `CRi`, `MLFS`, `PR`, `SD/RD`, `died before assessment`", "", "Table 3"),
    CohortField("os_months", "Overall survival time", "number", "months", ">= 0",
                "From start of HMA/VEN to death or last follow-up.", "Results; Fig. 1A"),
    CohortField("os_event", "Death", "integer", "", "1 = died, 0 = censored", "", "Results"),
    CohortField("efs_months", "Event-free survival time", "number", "months", ">= 0; <= os_months",
                "From start of HMA/VEN to treatment failure, relapse or death, or last follow-up.", "Results; Fig. 1B"),
    CohortField("efs_event", "EFS event", "integer", "", "1 = event, 0 = censored", "", "Results"),
    CohortField("rfs_months", "Relapse-free survival time", "number", "months", ">= 0; CR/CRi patients only",
                "From CR/CRi to relapse or death, or last follow-up.", "Results; Fig. 1C"),
    CohortField("rfs_event", "RFS event", "integer", "",
                "1 = relapse or death, 0 = censored; empty if no CR/CRi", "", "Results"),
)


#: Human labels of coded category values, by column (reports show these; files keep the codes).
#: ICC 2022 classes and qualifiers as the ``icc_class`` description above (Arber DA, et al. Blood 2022).
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "cohort": {"rr": "relapsed/refractory", "first-line": "first-line"},
    "icc_class": {"recurrent_genetic": "AML with recurrent genetic abnormality",
                  "mrgm": "AML with myelodysplasia-related gene mutations",
                  "mrca": "AML with myelodysplasia-related cytogenetic abnormality",
                  "tp53": "AML with mutated TP53", "nos": "AML, not otherwise specified"},
    "icc_qualifier": {"de_novo": "de novo", "therapy_related": "therapy-related", "post_mds": "post-MDS",
                      "post_mds_mpn": "post-MDS/MPN"},
    "flt3_type": {"itd": "FLT3-ITD", "tkd": "FLT3-TKD", "other": "other FLT3 mutation"},
}
#: Other names of the same columns (the analysis input, venprs.evaluation.cohort).
_LEVEL_ALIASES = {"icc2022": "icc_class", "ontogeny": "icc_qualifier"}


def level_label(column: str, value) -> str:
    """The human label of a coded value of ``column`` (the value itself when it has none).

    Parameters
    ----------
    column : str
        A cohort column with coded values (``cohort``, ``icc_class``, ``icc_qualifier``, ``flt3_type``) or
        its analysis-input name (``icc2022``, ``ontogeny``); other columns have no labels.
    value : object
        The coded value, compared as ``str(value)`` with the codes in :data:`LEVEL_LABELS`.

    Returns
    -------
    str
        The label, or ``str(value)`` when the column or the value has none.

    Examples
    --------
    >>> level_label("icc2022", "mrgm"), level_label("flt3_type", "itd"), level_label("sex", "f")
    ('AML with myelodysplasia-related gene mutations', 'FLT3-ITD', 'f')
    """
    labels = LEVEL_LABELS.get(_LEVEL_ALIASES.get(column, column), {})
    return labels.get(str(value), str(value))


def column_names() -> tuple[str, ...]:
    """Cohort column names, in file order.

    Returns
    -------
    tuple of str
        The canonical cohort column names.
    """
    return tuple(f.name for f in COHORT_FIELDS)


def data_dictionary_sections() -> list[str]:
    """Markdown lines for ``docs/data-dictionary.md``: the cohort columns.

    Returns
    -------
    list of str
        Markdown lines, one per line of the section.
    """
    lines = [
        "",
        "## Cohort columns",
        "",
        "Columns of a cohort file (as written by `venprs simulate`; the analysis reads the same names).",
        "Booleans are written `true`/`false`; an empty cell is unknown/missing. Synthetic files are marked",
        "as synthetic (IDs start with `SYN-`; Parquet/XLSX metadata; a `<file>.README.txt` next to a CSV).",
        "",
        "| column | label | type | unit | accepted values | description | source (synthetic cohorts) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in COHORT_FIELDS:
        lines.append(f"| `{f.name}` | {f.label} | {f.type} | {f.unit or '-'} | {f.accepted} | "
                     f"{f.description or '-'} | {f.source or '-'} |")
    return lines
