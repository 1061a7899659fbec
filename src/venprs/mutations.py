"""From mutation lists (MAF, long tables, annotated VCF) to the five VEN-PRS gene factors.

Five of the seven VEN-PRS factors are gene mutations (NF1, PTPN11, FLT3, TP53, SF3B1).
A mutation list names the variants found, not the genes that were looked at, so a gene
with no variant listed is *wild-type only if it was sequenced*:

* a **counted** variant (protein-altering: missense, nonsense, frameshift, in-frame
  insertion/deletion, splice site, start/stop lost, FLT3-ITD/TKD) makes its gene present;
* a gene **on the panel** of a sequenced patient with no counted variant is absent;
* a gene **off the panel**, and every gene of a patient who was **not sequenced**, is unknown.

Silent, intronic, UTR, flanking, splice-region and non-coding variants never count.
``min_vaf`` (default none: the paper gives no threshold) drops variants below a variant
allele fraction; a variant of unknown VAF then leaves its gene unknown rather than absent.

The steps are visible: :func:`read_mutations` reads any of the formats into one long table
(one row per variant and gene, with its class and whether it counts);
:func:`mutation_factors` joins it to the clinical table and returns the clinical table with
the five gene columns filled in (ready for :func:`venprs.score_table`) and an audit table.

References
----------
.. [1] Shahswar R, et al. Leukemia. 2025;39:614-622, Table 4 (footnote c: any FLT3 mutation,
   ITD, TKD or atypical) and Methods (molecular cohort).
.. [2] GDC MAF format (``Variant_Classification``):
   https://docs.gdc.cancer.gov/Data/File_Formats/MAF_Format/
.. [3] Sequence Ontology consequence terms as used by Ensembl VEP (``CSQ``) and SnpEff (``ANN``):
   https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html ;
   https://pcingola.github.io/SnpEff/adds/VCFannotationformat_v1.0.pdf
"""

from __future__ import annotations

import functools
import gzip
import io as _stdio
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import io as vio
from .errors import InputError, InputErrors, Problem
from .fields import (
    ACCEPTED_SHORT,
    FACTOR_FIELDS,
    FALSE_TOKENS,
    FLT3_PRESENT_TOKENS,
    PATIENT_ID_ALIASES,
    UNKNOWN_TOKENS,
    find_id_column,
    normalize_name,
    yes_no_code,
)
from .model import load_model

__all__ = [
    "GENE_FACTORS", "GENE_ALIASES", "VARIANT_CLASSES", "MutationCalls", "read_mutations", "read_panel", "mutation_factors",
    "ID_COLUMNS",
]


def _gene_factors() -> dict[str, str]:
    return {f["name"]: f["name"].upper() for f in load_model().factors if f.get("kind") == "molecular"}


#: VEN-PRS factor name -> HGNC gene symbol, for the five gene factors (model order).
GENE_FACTORS: dict[str, str] = _gene_factors()
_FACTOR_OF_GENE = {g: f for f, g in GENE_FACTORS.items()}

#: Clinical-table column names that link patients to the mutation file's samples (first found
#: wins): a sample column, else the patient identifier (:data:`venprs.fields.PATIENT_ID_ALIASES`).
SAMPLE_ID_ALIASES: tuple[str, ...] = ("sample_id", "sample", "tumor_sample_barcode")
ID_COLUMNS: tuple[str, ...] = SAMPLE_ID_ALIASES + PATIENT_ID_ALIASES

# ---------------------------------------------------------------- variant classes

_COUNTED = {
    # MAF Variant_Classification (GDC MAF format)
    "missense_mutation": "missense", "nonsense_mutation": "nonsense", "frame_shift_del": "frameshift",
    "frame_shift_ins": "frameshift", "in_frame_del": "in-frame deletion", "in_frame_ins": "in-frame insertion",
    "splice_site": "splice site", "translation_start_site": "start lost", "nonstop_mutation": "stop lost",
    # Sequence Ontology terms (VEP CSQ Consequence, SnpEff ANN Annotation)
    "missense_variant": "missense", "stop_gained": "nonsense", "frameshift_variant": "frameshift",
    "inframe_insertion": "in-frame insertion", "inframe_deletion": "in-frame deletion",
    "disruptive_inframe_insertion": "in-frame insertion", "disruptive_inframe_deletion": "in-frame deletion",
    "conservative_inframe_insertion": "in-frame insertion", "conservative_inframe_deletion": "in-frame deletion",
    "splice_acceptor_variant": "splice site", "splice_donor_variant": "splice site", "start_lost": "start lost",
    "stop_lost": "stop lost", "protein_altering_variant": "protein altering", "exon_loss_variant": "exon loss",
    "transcript_ablation": "transcript ablation", "initiator_codon_variant": "start lost",
    # plain words of lab exports and long tables
    "missense": "missense", "nonsense": "nonsense", "stop_gain": "nonsense", "frameshift": "frameshift",
    "frame_shift": "frameshift", "fs": "frameshift", "inframe": "in-frame indel", "in_frame": "in-frame indel",
    "inframe_indel": "in-frame indel", "in_frame_indel": "in-frame indel", "inframe_del": "in-frame deletion",
    "inframe_ins": "in-frame insertion", "splice": "splice site", "splice_site_variant": "splice site",
    "itd": "FLT3-ITD", "flt3_itd": "FLT3-ITD", "internal_tandem_duplication": "FLT3-ITD",
    "tkd": "FLT3-TKD", "flt3_tkd": "FLT3-TKD",
    **{t: "FLT3-ITD/TKD" for t in FLT3_PRESENT_TOKENS if t not in ("itd", "tkd")},
}
_NOT_COUNTED = {
    "silent": "silent", "intron": "intronic", "3'utr": "UTR", "5'utr": "UTR", "3'flank": "flanking",
    "5'flank": "flanking", "igr": "intergenic", "rna": "non-coding", "lincrna": "non-coding",
    "splice_region": "splice region", "de_novo_start_inframe": "UTR", "de_novo_start_outofframe": "UTR",
    "targeted_region": "non-coding",
    "synonymous_variant": "silent", "stop_retained_variant": "silent", "start_retained_variant": "silent",
    "intron_variant": "intronic", "5_prime_utr_variant": "UTR", "3_prime_utr_variant": "UTR",
    "5_prime_utr_premature_start_codon_gain_variant": "UTR", "upstream_gene_variant": "flanking",
    "downstream_gene_variant": "flanking", "intergenic_region": "intergenic", "intergenic_variant": "intergenic",
    "splice_region_variant": "splice region", "splice_donor_5th_base_variant": "splice region",
    "splice_donor_region_variant": "splice region", "splice_polypyrimidine_tract_variant": "splice region",
    "non_coding_transcript_exon_variant": "non-coding", "non_coding_transcript_variant": "non-coding",
    "non_coding_exon_variant": "non-coding", "nmd_transcript_variant": "non-coding",
    "mature_mirna_variant": "non-coding", "regulatory_region_variant": "non-coding",
    "tf_binding_site_variant": "non-coding", "coding_sequence_variant": "coding, consequence undetermined",
    "incomplete_terminal_codon_variant": "coding, consequence undetermined", "sequence_feature": "non-coding",
    "intragenic_variant": "intronic", "synonymous": "silent", "intronic": "intronic", "utr": "UTR",
    "3_utr": "UTR", "5_utr": "UTR", "flanking": "flanking", "upstream": "flanking", "downstream": "flanking",
}
# tested and nothing found (long tables): the gene is sequenced and wild-type for this patient
# ("none" is refused, as everywhere in venprs: it could mean "not known")
_WILD_TYPE = {normalize_name(t) for t in FALSE_TOKENS} | {"not_detected", "no_mutation", "no_variant"}

#: Every accepted variant class (normalised) -> (counts?, plain label).
VARIANT_CLASSES: dict[str, tuple[bool, str]] = {**{k: (True, v) for k, v in _COUNTED.items()},
                                                **{k: (False, v) for k, v in _NOT_COUNTED.items()}}


@functools.lru_cache(maxsize=4096)
def _norm_class(text: str) -> str:
    t = str(text).strip().lower()
    if t.startswith(("3'", "5'")):
        return re.sub(r"[\s\-]+", "_", t)
    return normalize_name(t).replace("'", "")


@functools.lru_cache(maxsize=4096)
def _classify(terms: tuple[str, ...]) -> tuple[bool | None, str]:
    """(counts?, label) for one variant's class term(s) (``&``-joined SO terms count if any counts).

    Returns ``(None, term)`` for the first term that is not known.
    """
    found = []
    for term in terms:
        key = _norm_class(term)
        if key not in VARIANT_CLASSES:
            return None, term
        found.append(VARIANT_CLASSES[key])
    if not found:
        return None, ""
    counted = [label for c, label in found if c]
    return (True, counted[0]) if counted else (False, found[0][1])


_ACCEPTED_CLASSES = ("counted: missense, nonsense, frameshift, in-frame insertion/deletion, splice site "
                     "(donor/acceptor), start/stop lost, ITD, TKD (MAF Variant_Classification and Sequence "
                     "Ontology names accepted); not counted: silent/synonymous, intronic, UTR, flanking "
                     "(upstream/downstream), splice region, intergenic, non-coding; "
                     "tested negative: wt, not detected, no mutation")

# ---------------------------------------------------------------- reading


#: Columns of the normalised long table returned by :func:`read_mutations`.
LONG_COLUMNS = ("sample", "gene", "factor", "variant", "variant_class", "counted", "reason", "vaf", "source")

_LONG_ALIASES = {
    "sample": ("sample", "sample_id", "tumor_sample_barcode", "patient", "patient_id", "id", "case_id",
               "subject_id"),
    "gene": ("gene", "hugo_symbol", "gene_symbol", "symbol", "gene_name"),
    "variant_class": ("variant_class", "variant_classification", "class", "consequence", "effect",
                      "variant_type", "type", "mutation_type"),
    "variant": ("variant", "hgvsp", "hgvsp_short", "protein_change", "hgvs_p", "aa_change", "hgvsc", "mutation",
                "alteration"),
    "vaf": ("vaf", "tumor_f", "allele_fraction", "af", "variant_allele_fraction", "t_vaf"),
    "result": ("result", "call", "detected", "test_result", "mutation_status", "finding"),
}
#: A long table's result column (what the lab found for the row's variant or hotspot) is read with the one
#: yes/no vocabulary (:func:`venprs.fields.yes_no_code`), the tested-negative words of :data:`_WILD_TYPE`
#: and these lab words.
_RESULT_WORDS = {"detected": 1, "not_mutated": 0, "failed": -1}
_RESULT_ACCEPTED = ("detected/positive/mutated/yes, not detected/negative/wild-type/no; empty, pending, "
                    "failed or NA for not known")


@dataclass(frozen=True)
class MutationCalls:
    """Result of :func:`mutation_factors`.

    Attributes
    ----------
    table : pandas.DataFrame
        The clinical table (same rows, same order, same columns) followed by one column per
        gene factor (``nf1``, ``ptpn11``, ``flt3``, ``tp53``, ``sf3b1``) holding
        ``present``/``absent``/``unknown``: ready for :func:`venprs.score_table`.
    audit : pandas.DataFrame
        One row per variant in the five genes found in the mutation file: patient, sample,
        gene, variant, class, VAF, whether it counted and why (``reason``), and where it was
        read (``source``: file and line).
    """

    table: pd.DataFrame
    audit: pd.DataFrame


def _detect_format(name: str, head: str) -> str:
    low = name.lower()
    if low.endswith((".vcf", ".vcf.gz")) or head.startswith("##fileformat=VCF"):
        return "vcf"
    first = next((ln for ln in head.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return "maf" if _is_maf(re.split(r"[\t,;]", first)) else "long"


def _open_text(path: Path) -> str:
    return _decode(_gunzip(path.read_bytes(), str(path)), path.name)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start}); save the file as UTF-8", file=name) from None


def read_mutations(source: str | os.PathLike | bytes, *, name: str | None = None, fmt: str | None = None,
                   min_vaf: float | None = None, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a mutation file (MAF, long table or annotated VCF) into one long table.

    Parameters
    ----------
    source : path-like or bytes
        The file, or its bytes (an upload; ``name`` then gives its file name).
    name : str, optional
        File name used in messages and for the format (default: the path).
    fmt : {"maf", "long", "vcf"}, optional
        Format; detected from the name and content when omitted (VCF: ``.vcf``/``.vcf.gz``
        or a ``##fileformat=VCF`` line; MAF: ``Hugo_Symbol``, ``Tumor_Sample_Barcode`` and
        ``Variant_Classification`` columns; anything else: a long table).
    min_vaf : float, optional
        Variants with a VAF below this fraction (0-1) do not count.
    columns : mapping, optional
        For long tables: ``{"sample": "MyPatientCol", "gene": ..., "variant_class": ...,
        "variant": ..., "vaf": ...}`` when the column names are not among the accepted ones.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LONG_COLUMNS`; one row per variant and gene for the five VEN-PRS genes
        (rows of other genes are dropped), plus ``variant_class == "wild-type"`` rows for
        long-table rows that report a gene as tested negative. ``counted`` is ``True`` for a
        variant that makes its gene present, ``False`` for one that does not, and missing
        (``pd.NA``) when ``min_vaf`` is set and the VAF is unknown. Samples with no variant in
        the five genes keep one row with ``gene`` missing, so that every sample of the file
        is known to the caller.

    Raises
    ------
    InputError
        Every problem of the file at once, each naming the line, column and value.

    References
    ----------
    .. [1] GDC MAF format: https://docs.gdc.cancer.gov/Data/File_Formats/MAF_Format/
    .. [2] VCF 4.3 specification (INFO, FORMAT): https://samtools.github.io/hts-specs/VCFv4.3.pdf
    """
    if min_vaf is not None and not (0 < float(min_vaf) <= 1):
        raise InputError(f"min_vaf {min_vaf!r} is not a fraction in (0, 1]; write 0.05 for 5%")
    if isinstance(source, (bytes, bytearray)):
        label = name or "upload"
        raw: bytes | None = bytes(source)
        path: Path | None = None
    else:
        path = Path(source)
        label = name or str(path)
        if not path.exists():
            raise InputError("file not found", file=label)
        if path.is_dir():
            raise InputError("is a folder, not a file", file=label)
        raw = None
    table_kind = _table_kind(label)
    if table_kind in ("excel", "parquet") and fmt in (None, "long", "maf"):  # binary tables: the io reader
        df = vio.read_table(_source(path, raw), filename=PurePath(label).name)
        rows, samples = _rows_from_table(df, fmt or ("maf" if _is_maf(df.columns) else "long"), label, 1,
                                         columns or {})
        return _finish(rows, samples, min_vaf)
    if path is not None:
        text = _open_text(path)
    else:
        assert raw is not None
        text = _decode(_gunzip(raw, label), label)
    kind = fmt or _detect_format(label, text[:65536])
    if kind not in ("maf", "long", "vcf"):
        raise InputError(f"unknown mutation file format {kind!r}; accepted: maf, long, vcf", file=label)
    if kind == "vcf":
        rows, samples = _read_vcf(text, label)
    else:
        if table_kind is not None and not text.startswith("#"):
            # a plain table: the io reader (encoding, delimiter, row checks)
            df, first_line = vio.read_table(_source(path, raw), filename=PurePath(label).name), 1
        else:
            df, first_line = _read_commented(text, label)
        rows, samples = _rows_from_table(df, kind, label, first_line, columns or {})
    return _finish(rows, samples, min_vaf)


def _table_kind(label: str) -> str | None:
    """The :func:`venprs.io.read_table` format of a file name, or ``None`` (``.maf``, ``.vcf``, ...)."""
    try:
        return vio.input_kind(label)[0]
    except InputError:
        return None


def _is_maf(columns) -> bool:
    return {"hugo_symbol", "tumor_sample_barcode", "variant_classification"} <= {normalize_name(c) for c in columns}


def _gunzip(raw: bytes, label: str) -> bytes:
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError) as e:
        raise InputError(f"cannot read this gzip file: {e}", file=label) from None


def _read_commented(text: str, label: str) -> tuple[pd.DataFrame, int]:
    """A tab- or comma-separated table after its ``#`` comment lines (MAF ``#version``), all text.

    Returns the table and the file line number of its header (1-based). :func:`venprs.io.read_table`
    reads every other table; it does not skip comment lines.
    """
    lines = text.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and (lines[skip].startswith("#") or not lines[skip].strip()):
        skip += 1
    body = "".join(lines[skip:])
    if not body.strip():
        raise InputError("empty file (no header row)", file=label)
    header = lines[skip]
    sep = "\t" if header.count("\t") >= max(1, header.count(",")) else ","
    try:
        df = pd.read_csv(_stdio.StringIO(body), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         engine="c", quoting=3 if sep == "\t" else 0)
    except (ValueError, pd.errors.ParserError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"cannot read this table: {first}", file=label) from None
    cols = list(df.columns)
    dup = sorted({c for c in cols if re.sub(r"\.\d+$", "", c) in cols and c != re.sub(r"\.\d+$", "", c)})
    if dup:
        raise InputError(f"repeated column name(s) in the header: {', '.join(map(repr, dup))}", file=label)
    return df, skip + 1


def _find(df_cols: list[str], field: str, given: Mapping[str, str], label: str) -> str | None:
    if field in given:
        if given[field] not in df_cols:
            raise InputError(f"column {given[field]!r} (given for {field}) is not in the file; columns: "
                             + ", ".join(df_cols), file=label)
        return given[field]
    lookup = {normalize_name(c): c for c in df_cols}
    for a in _LONG_ALIASES[field]:
        if a in lookup:
            return lookup[a]
    return None


def _result_code(text: str) -> int | None:
    """A result cell: 1 found, 0 not found (tested negative), -1 not known (empty, pending, failed), ``None``
    when not accepted."""
    code = yes_no_code(text)
    if code is not None:
        return code
    key = normalize_name(text)
    return 0 if key in _WILD_TYPE else _RESULT_WORDS.get(key)


def _rows_from_table(df: pd.DataFrame, kind: str, label: str, first_line: int,
                     given: Mapping[str, str]) -> tuple[list[dict], list[str]]:
    cols = [str(c) for c in df.columns]
    if kind == "maf":
        given = {"sample": "Tumor_Sample_Barcode", "gene": "Hugo_Symbol",
                 "variant_class": "Variant_Classification", **dict(given)}
    names = {f: _find(cols, f, given, label) for f in ("sample", "gene", "variant_class", "variant", "vaf", "result")}
    missing = [f for f in ("sample", "gene", "variant_class") if names[f] is None]
    if missing:
        raise InputError(
            "no column for " + ", ".join(missing) + "; accepted names: "
            + "; ".join(f"{f}: " + ", ".join(_LONG_ALIASES[f]) for f in missing)
            + " (or map them: --mutation-columns sample=COL,gene=COL,variant_class=COL)", file=label)
    lookup = {normalize_name(c): c for c in cols}
    alt, depth, ref = (lookup.get("t_alt_count"), lookup.get("t_depth"), lookup.get("t_ref_count"))
    hgvsp_short = lookup.get("hgvsp_short")

    sample_s = _text(df[names["sample"]]).str.strip()
    gene_raw = _text(df[names["gene"]])
    gene_s = gene_raw.str.strip().str.upper()
    no_sample = (sample_s == "").to_numpy()
    bad_gene = ~no_sample & ~(gene_s.str.fullmatch(_GENE_RE) & ~gene_s.str.isdigit()).to_numpy(dtype=bool)  # 2322: an Entrez ID
    ours = ~no_sample & ~bad_gene & gene_s.isin(list(_FACTOR_OF_GENE)).to_numpy()
    # FLT3-ITD, TP-53, p53, SHP2 ...: not one of the five symbols, but would hide a variant of one of them
    maybe = ~no_sample & ~bad_gene & ~ours & (gene_s.str.contains(r"[^A-Z0-9]")
                                              | gene_s.isin(list(GENE_ALIASES))).to_numpy(dtype=bool)
    lookalike = {i: g for i in np.flatnonzero(maybe).tolist() if (g := _looks_like(gene_s.iat[i]))}
    samples = sample_s[~no_sample].tolist()
    idx = np.flatnonzero(no_sample | bad_gene | ours | maybe)  # only these rows need a closer look

    def take(c):
        return _text(df[c].iloc[idx]).tolist() if c else [""] * len(idx)

    sample_v, gene_v, raw_gene_v = sample_s.iloc[idx].tolist(), gene_s.iloc[idx].tolist(), gene_raw.iloc[idx].tolist()
    class_v, variant_v = take(names["variant_class"]), take(names["variant"])
    for extra in (hgvsp_short, lookup.get("hgvsc")):  # MAF: protein change, else the cDNA change
        if kind == "maf" and extra and extra != names["variant"]:
            variant_v = [v or x for v, x in zip(variant_v, take(extra))]
    vaf_v, alt_v, dep_v, ref_v = take(names["vaf"]), take(alt), take(depth), take(ref)
    result_v = take(names["result"]) if names["result"] else None
    errors: list[InputError] = []
    rows: list[dict] = []
    short = PurePath(label).name
    for k, i in enumerate(idx.tolist()):
        line = first_line + 1 + i if kind == "maf" or first_line > 1 else None
        where = dict(file=label, row=None if line else i + 1)
        src = f"{short}:{line}" if line else f"{short} row {i + 1}"
        s, gene = sample_v[k], gene_v[k]
        if no_sample[i]:
            errors.append(InputError(_at(line, f"empty sample in column {names['sample']!r}"), **where,
                                     column=names["sample"]))
            continue
        if bad_gene[i]:
            errors.append(InputError(_at(line, f"gene {raw_gene_v[k]!r} is not a gene symbol (e.g. FLT3)", s), **where,
                                     column=names["gene"], value=raw_gene_v[k]))
            continue
        if i in lookalike:
            g = lookalike[i]
            errors.append(InputError(_at(line, f"gene {raw_gene_v[k]!r} is not the HGNC symbol but names {g}; write {g} in "
                                     f"column {names['gene']!r} (the variant type, e.g. ITD, in column "
                                     f"{names['variant_class']!r}), or it would not count for {g}", s), **where,
                                     column=names["gene"], value=raw_gene_v[k]))
            continue
        if not ours[i]:
            continue
        cls = class_v[k].strip()
        key = _norm_class(cls)
        found: bool | None = True  # no result column: a listed variant was found
        if result_v is not None:
            code = _result_code(result_v[k])
            if code is not None:
                found = None if code < 0 else bool(code)
            else:
                errors.append(InputError(_at(line, f"result {result_v[k].strip()!r} of {gene} is not accepted; "
                                         f"accepted: {_RESULT_ACCEPTED}", s), **where, column=names["result"],
                                         value=result_v[k]))
                continue
        if found is False or (key in _WILD_TYPE and not variant_v[k].strip()):  # tested, nothing found
            rows.append(dict(sample=s, gene=gene, variant="", variant_class="wild-type", counted=False,
                             reason="tested, no variant", vaf=np.nan, source=src))
            continue
        counted, lab = _classify(tuple(t for t in re.split(r"[&,;]", cls) if t.strip()))
        if counted is None:
            errors.append(InputError(_at(line, f"variant class {cls!r} of {gene} is not known; accepted: "
                                     + _ACCEPTED_CLASSES, s), **where, column=names["variant_class"], value=cls))
            continue
        try:
            vaf = _vaf(vaf_v[k], alt_v[k], dep_v[k], ref_v[k])
        except InputError as e:
            errors.append(InputError(_at(line, f"{gene}: {e.message}", s), **where,
                                     column=names["vaf"] or "t_alt_count",
                                     value=e.value))
            continue
        if found is None and counted:  # the lab has not said whether it was found
            said = result_v[k].strip() if result_v is not None else ""
            rows.append(dict(sample=s, gene=gene, variant=variant_v[k].strip(), variant_class=lab, counted=pd.NA,
                             reason=f"result {said or 'empty'}: not known", vaf=vaf, source=src))
            continue
        rows.append(dict(sample=s, gene=gene, variant=variant_v[k].strip(), variant_class=lab, counted=counted,
                         reason="" if counted else f"{lab}: not protein-altering", vaf=vaf, source=src))
    _raise_all(errors, label)
    return rows, samples


_GENE_RE = r"[A-Z0-9][A-Z0-9\-.]*"

#: Other names of the five genes (upper case) -> the HGNC symbol. A mutation list that names a gene
#: so is refused: the variant would otherwise be taken as one of another gene, and the VEN-PRS gene
#: as wild-type. Alias symbols of the HGNC symbol reports (genenames.org; HGNC:11998 TP53,
#: HGNC:9644 PTPN11, HGNC:3765 FLT3, HGNC:10768 SF3B1), only those that are no other gene's symbol.
#: FLT3's were checked against NCBI Gene 2322 ("also known as FLK2; STK1; CD135; FLK-2") and PTPN11's
#: against the Atlas of Genetics and Oncology; the others are not re-checked. The list only ever makes
#: venprs refuse a row (never count a variant), so a missing alias leaves the old behaviour.
GENE_ALIASES: dict[str, str] = {
    "P53": "TP53", "TRP53": "TP53",
    "SHP2": "PTPN11", "SHP-2": "PTPN11", "SH-PTP2": "PTPN11", "PTP2C": "PTPN11",
    "FLK2": "FLT3", "FLK-2": "FLT3", "STK1": "FLT3", "CD135": "FLT3",
    "SAP155": "SF3B1", "SF3B155": "SF3B1",
}
# HGNC names non-coding genes after their neighbour with these suffixes (e.g. TP53-AS1 would be one)
_RNA_SUFFIX = re.compile(r".+-(?:AS|IT|OT)\d*|.+-DT")


def _looks_like(gene: str) -> str | None:
    """The VEN-PRS gene an upper-case symbol that is not one of the five names (``FLT3-ITD``,
    ``TP-53``, ``P53``), else ``None``."""
    if gene in GENE_ALIASES:
        return GENE_ALIASES[gene]
    squeezed = re.sub(r"[^A-Z0-9]", "", gene)
    if squeezed in _FACTOR_OF_GENE:
        return squeezed
    if _RNA_SUFFIX.fullmatch(gene):
        return None
    head = re.match(r"[A-Z0-9]+", gene)
    return head.group(0) if head and head.group(0) in _FACTOR_OF_GENE and head.end() < len(gene) else None


def _text(col: pd.Series) -> pd.Series:
    """A column as plain text, missing values as ``""``."""
    return col.astype("string[pyarrow]").fillna("")


def _at(line: int | None, msg: str, sample: str | None = None) -> str:
    where = ", ".join(([f"line {line}"] if line else []) + ([f"sample {sample}"] if sample else []))
    return f"{where}: {msg}" if where else msg


def _raise_all(errors: list[InputError], label: str) -> None:
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    # one Problem per bad line: the CLI prints them together, the web API gives one entry each
    raise InputErrors([Problem(e.message, row=e.row, column=e.column, value=None if e.value is None else str(e.value))
                       for e in errors], file=label)


def _float(text: str, what: str) -> float | None:
    t = str(text).strip()
    if t.lower() in UNKNOWN_TOKENS or t == ".":  # "." is VCF's missing value
        return None
    pct = t.endswith("%")
    try:
        v = float(t[:-1] if pct else t)
    except ValueError:
        hint = " (write a fraction such as 0.35, or a percentage such as 35%)" if what == "VAF" else ""
        raise InputError(f"{what} {text!r} is not a number{hint}", value=text) from None
    return v / 100 if pct else v


def _vaf(vaf: str, alt: str, depth: str, ref: str) -> float:
    v = _float(vaf, "VAF")
    if v is not None:
        if not 0 <= v <= 1:
            raise InputError(f"VAF {vaf!r} is not a fraction between 0 and 1 (write 35% or 0.35)", value=vaf)
        return v
    a = _float(alt, "t_alt_count")
    d = _float(depth, "t_depth")
    if d is None:
        r = _float(ref, "t_ref_count")
        d = None if r is None or a is None else a + r
    if a is None or not d:
        return math.nan
    if a < 0 or a > d:
        raise InputError(f"alt count {alt!r} is not between 0 and the depth {d:g}", value=alt)
    return a / d


# ---------------------------------------------------------------- VCF

_ANN_DEFAULT = ("Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type", "Feature_ID",
                "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p")


def _info_format(header_lines: list[str], key: str) -> list[str] | None:
    for ln in header_lines:
        if ln.startswith(f"##INFO=<ID={key},"):
            m = re.search(r"Format:\s*([^\"]+)", ln) or re.search(r"'([^']+)'", ln)
            if m:
                return [p.strip() for p in m.group(1).strip().strip("'").split("|")]
            return list(_ANN_DEFAULT) if key == "ANN" else None
    return None


def _read_vcf(text: str, label: str) -> tuple[list[dict], list[str]]:
    """Variants of the five genes in an annotated VCF (SnpEff ``ANN`` or VEP ``CSQ``).

    A plain-text reader of the VCF columns and the INFO field: both annotations are text
    fields whose layout is given in the header (``Format: Allele|Consequence|...``), which
    cyvcf2/pysam would hand back as the same undivided string. A sample carries a variant
    when its ``GT`` holds an alternate allele (or, without ``GT``, its ``AF`` is above 0);
    its VAF is ``FORMAT/AF`` or ``AD`` (alt / total).
    """
    name = PurePath(label).name
    header_lines: list[str] = []
    errors: list[InputError] = []
    rows: list[dict] = []
    samples: list[str] = []
    columns: list[str] | None = None
    ann = csq = None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("##"):
            header_lines.append(line)
            continue
        if line.startswith("#CHROM"):
            columns = line[1:].rstrip("\r\n").split("\t")
            ann, csq = _info_format(header_lines, "ANN"), _info_format(header_lines, "CSQ")
            if ann is None and csq is None:
                raise InputError("this VCF has no SnpEff ANN or VEP CSQ annotation in its header; annotate it "
                                 "(SnpEff or VEP) or export a MAF / long table", file=label)
            samples = columns[9:] if len(columns) > 9 else []
            if not samples:
                raise InputError("this VCF has no sample columns (after FORMAT); the sample names are what "
                                 "links variants to patients", file=label)
            if len(set(samples)) != len(samples):
                raise InputError("repeated sample name in the #CHROM line", file=label)
            continue
        if columns is None:
            raise InputError(f"line {n}: data before the #CHROM header line", file=label)
        f = line.rstrip("\r\n").split("\t")
        if len(f) != len(columns):
            errors.append(InputError(f"line {n}: {len(f)} tab-separated fields, the #CHROM line has "
                                     f"{len(columns)}", file=label))
            continue
        info = {k: v for k, _, v in (kv.partition("=") for kv in f[7].split(";"))}
        alts = f[4].split(",")
        entries = []
        for key, layout, gene_f, cons_f, hgvs_f, hgvsc_f in (
                ("ANN", ann, "Gene_Name", "Annotation", "HGVS.p", "HGVS.c"),
                ("CSQ", csq, "SYMBOL", "Consequence", "HGVSp", "HGVSc")):
            if layout is None or key not in info:
                continue
            try:
                gi, ci = layout.index(gene_f), layout.index(cons_f)
            except ValueError:
                raise InputError(f"the {key} header lacks a {gene_f} or {cons_f} field", file=label) from None
            hi = layout.index(hgvs_f) if hgvs_f in layout else None
            hc = layout.index(hgvsc_f) if hgvsc_f in layout else None
            ni = layout.index("ALLELE_NUM") if "ALLELE_NUM" in layout else None
            for e in info[key].split(","):
                p = e.split("|")
                if len(p) <= max(gi, ci):
                    errors.append(InputError(f"line {n}: {key} entry {e!r} has {len(p)} fields; the header "
                                             f"declares {len(layout)}", file=label))
                    continue
                hgvs = next((p[k] for k in (hi, hc) if k is not None and k < len(p) and p[k]), "")
                num = p[ni] if ni is not None and ni < len(p) else ""
                entries.append((_allele_index(p[0], num, f[3], alts), p[gi].strip().upper(), p[ci], hgvs))
        by_gene: dict[str, list[tuple[int | None, str, str]]] = {}
        for allele, gene, cons, hgvs in entries:
            if gene in _FACTOR_OF_GENE:
                by_gene.setdefault(gene, []).append((allele, cons, hgvs))
        if not by_gene:
            continue
        fmt = f[8].split(":")
        for gene, ents in by_gene.items():
            counted, lab = _classify(tuple(t for _, cons, _ in ents for t in cons.split("&") if t))
            if counted is None:
                errors.append(InputError(f"line {n}: consequence {lab!r} of {gene} is not known; accepted: "
                                         + _ACCEPTED_CLASSES, file=label, value=lab))
                continue
            for s_name, s_val in zip(samples, f[9:]):
                try:
                    carried, vafs = _vcf_sample(fmt, s_val.split(":"), len(alts))
                except InputError as e:
                    errors.append(InputError(f"line {n}, sample {s_name}: {e.message}", file=label, value=e.value))
                    continue
                # the annotations of the alleles this sample carries (an annotation that names no
                # allele of the line applies to every allele); all of them when it was not called
                mine = [x for x in ents if carried is None or x[0] is None or x[0] in carried]
                if carried is not None and not carried or not mine:
                    continue
                s_counted, s_lab = _classify(tuple(t for _, cons, _ in mine for t in cons.split("&") if t))
                if carried is None and not s_counted:
                    continue  # whatever it carries here would not count
                hgvs = (next((h for _, c, h in mine if h and (not s_counted or _classify(tuple(c.split("&")))[0])),
                             "") or f"{f[0]}:{f[1]} {f[3]}>{f[4]}")
                vaf = math.fsum(vafs[j - 1] for j in carried) if carried else math.nan
                if carried is None:
                    reason = f"no genotype call ({fmt[0]} {s_val!r}): cannot tell whether the sample carries it"
                else:
                    reason = "" if s_counted else f"{s_lab}: not protein-altering"
                rows.append(dict(sample=s_name, gene=gene, variant=hgvs, variant_class=s_lab,
                                 counted=pd.NA if carried is None else s_counted, reason=reason, vaf=vaf,
                                 source=f"{name}:{n}"))
    if columns is None:
        raise InputError("no #CHROM header line: not a VCF file", file=label)
    _raise_all(errors, label)
    return rows, samples


def _allele_index(allele: str, number: str, ref: str, alts: list[str]) -> int | None:
    """The 1-based alternate allele an ``ANN``/``CSQ`` annotation is about, ``None`` when it
    cannot be told (it then applies to every allele of the line).

    A single-allele line: 1. VEP's ``ALLELE_NUM`` when present; else the annotation's
    ``Allele`` matched against ``ALT`` as written (SnpEff) or without the first base that
    ``REF`` and every ``ALT`` share (VEP's trimmed form, ``-`` for a deletion).
    """
    if len(alts) == 1:
        return 1
    if number.strip().isdigit() and 1 <= int(number) <= len(alts):
        return int(number)
    if allele in alts:
        return alts.index(allele) + 1
    if ref and all(a[:1] == ref[:1] for a in alts):
        trimmed = [a[1:] or "-" for a in alts]
        if allele in trimmed and trimmed.count(allele) == 1:
            return trimmed.index(allele) + 1
    return None


def _vcf_sample(fmt: list[str], vals: list[str], n_alt: int) -> tuple[set[int] | None, list[float]]:
    """The alternate alleles (1-based) one sample carries, ``None`` when its genotype is not
    called (``./.``, a half call ``0/.``, or no ``GT`` and no allele fraction), and the allele
    fraction of each alternate allele (``FORMAT/AF``, else ``AD``; NaN when not given)."""
    d = dict(zip(fmt, vals))
    gt = d.get("GT")
    carried: set[int] | None = None
    if gt is not None and gt not in (".", "./.", ".|."):
        alleles = re.split(r"[/|]", gt)
        if not all(a == "." or a.isdigit() for a in alleles):
            raise InputError(f"GT {gt!r} is not a genotype", value=gt)
        carried = {int(a) for a in alleles if a not in (".", "0")}
        if any(j > n_alt for j in carried):
            raise InputError(f"GT {gt!r} names allele {max(carried)}; the line has {n_alt} alternate "
                             f"allele(s)", value=gt)
        if not carried and "." in alleles:
            carried = None  # one allele not called: it could be an alternate one
    vafs = [math.nan] * n_alt
    if d.get("AF") not in (None, ".", ""):
        for j, a in enumerate(d["AF"].split(",")[:n_alt]):
            v = _float(a, "FORMAT/AF")
            vafs[j] = math.nan if v is None else v
    elif d.get("AD") not in (None, ".", ""):
        try:
            ad = [int(x) for x in d["AD"].split(",")]
        except ValueError:
            raise InputError(f"AD {d['AD']!r} is not a list of counts", value=d["AD"]) from None
        if sum(ad) > 0 and len(ad) > 1:
            vafs = [(ad[j] if j < len(ad) else 0) / sum(ad) for j in range(1, n_alt + 1)]
    for v in vafs:
        if not math.isnan(v) and not 0 <= v <= 1:
            raise InputError(f"VAF {v!r} is not between 0 and 1", value=v)
    if carried is None:  # not called: the allele fractions say what it carries, if given
        known = [j + 1 for j, v in enumerate(vafs) if not math.isnan(v)]
        carried = {j for j in known if vafs[j - 1] > 0} if known else None
    return carried, vafs


def _finish(rows: list[dict], samples: list[str], min_vaf: float | None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=[c for c in LONG_COLUMNS if c != "factor"])
    df.insert(2, "factor", df["gene"].map(_FACTOR_OF_GENE))
    df["counted"] = df["counted"].astype("boolean")
    variant = df["variant_class"] != "wild-type"
    # an allele fraction of 0 is a variant looked for and not found (a hotspot reported "not detected", a
    # MAF row with no alt reads): it does not count, as a VCF sample with AF 0 does not
    zero = variant & df["counted"].fillna(False) & (df["vaf"] == 0)
    df.loc[zero, "counted"] = False
    df.loc[zero, "reason"] = "VAF 0: not detected"
    if min_vaf is not None and len(df):
        low = variant & df["counted"].fillna(False) & (df["vaf"] < float(min_vaf))
        unknown = variant & df["counted"].fillna(False) & df["vaf"].isna()
        df.loc[low, "counted"] = False
        df.loc[low, "reason"] = f"VAF below min_vaf {min_vaf:g}"
        df.loc[unknown, "counted"] = pd.NA
        df.loc[unknown, "reason"] = f"VAF unknown: cannot check min_vaf {min_vaf:g}"
    seen = set(df["sample"])
    rest = [s for s in dict.fromkeys(samples) if s not in seen]
    if rest:
        empty = pd.DataFrame({"sample": rest})
        df = pd.concat([df, empty], ignore_index=True)[list(LONG_COLUMNS)]
        df["counted"] = df["counted"].astype("boolean")
    return df.reset_index(drop=True)


# ---------------------------------------------------------------- panels


def _gene_list(items: Iterable[str], label: str, *, any_of_ours: bool = True) -> tuple[str, ...]:
    out, bad, alike = [], [], []
    for raw in items:
        g = raw.strip().upper()
        if not g:
            continue
        if not re.fullmatch(_GENE_RE, g) or g.isdigit():  # an Entrez Gene ID (2322) is not a symbol
            bad.append(raw.strip())
            continue
        if g not in _FACTOR_OF_GENE and (like := _looks_like(g)):  # TP-53, P53, FLT3-ITD
            alike.append(f"{raw.strip()!r} (write {like})")
            continue
        out.append(g)
    if bad:
        raise InputError("not gene symbols: " + ", ".join(map(repr, bad)) + " (write HGNC symbols such as FLT3, "
                         "separated by commas, spaces or new lines)", file=label)
    if alike:
        raise InputError("not the HGNC symbols of VEN-PRS genes: " + ", ".join(alike)
                         + "; as written they would leave the gene off the panel", file=label)
    if not out:
        raise InputError("the panel lists no genes", file=label)
    if any_of_ours and not set(out) & set(_FACTOR_OF_GENE):
        raise InputError(f"the panel names none of the five VEN-PRS genes ({', '.join(_FACTOR_OF_GENE)}): list "
                         "the genes sequenced, not the panel's name (a panel without any of them leaves all "
                         "five unknown: then give no panel)", file=label)
    return tuple(dict.fromkeys(out))


def read_panel(panel: str | Iterable[str] | None = None, panel_file: str | os.PathLike | None = None
               ) -> tuple[str, ...] | None:
    """The genes of a sequencing panel, from a list/text (``"NF1,FLT3 TP53"``) or a file.

    A panel file is plain text with gene symbols separated by commas, spaces or new lines
    (``#`` starts a comment), or a table (``.csv``/``.tsv``/``.xlsx``) with a ``gene``
    (or ``Hugo_Symbol``) column.

    Parameters
    ----------
    panel : str or iterable of str, optional
        Gene symbols: one string separated by commas, semicolons or white space, or a list. Symbols are
        upper-cased; repeats are dropped (first order kept).
    panel_file : path-like, optional
        A panel file as above (a table's gene column may also be named ``symbol`` or ``gene_symbol``;
        ``.parquet`` is read as a table too).

    Returns
    -------
    tuple of str or None
        The genes, in the order given; ``None`` when neither ``panel`` nor ``panel_file`` is given.

    Raises
    ------
    InputError
        If both are given, the file does not exist or has no gene column, an item is not a gene symbol,
        or the panel lists no genes.

    Examples
    --------
    >>> read_panel("nf1, FLT3  tp53")
    ('NF1', 'FLT3', 'TP53')
    """
    if panel is not None and panel_file is not None:
        raise InputError("give the panel either as a list (--panel) or a file (--panel-file), not both")
    if panel is not None:
        items = re.split(r"[\s,;]+", panel) if isinstance(panel, str) else list(panel)
        return _gene_list(items, "--panel")
    if panel_file is None:
        return None
    p = Path(panel_file)
    if not p.exists():
        raise InputError("file not found", file=p)
    if p.suffix.lower() in (".csv", ".tsv", ".xlsx", ".parquet"):
        df = vio.read_table(p)
        col = next((c for c in df.columns if normalize_name(c) in ("gene", "hugo_symbol", "symbol", "gene_symbol")),
                   None)
        if col is None:
            raise InputError("no 'gene' column; columns: " + ", ".join(map(str, df.columns)), file=p)
        return _gene_list([str(x) for x in df[col].tolist() if x is not None], str(p))
    text = _open_text(p)
    items = re.split(r"[\s,;]+", "\n".join(ln.split("#", 1)[0] for ln in text.splitlines()))
    return _gene_list(items, str(p))


# ---------------------------------------------------------------- joining


def _find_id_column(df: pd.DataFrame, id_column: str | None) -> str:
    cols = [str(c) for c in df.columns]
    if id_column is not None:
        if id_column not in cols:
            raise InputError(f"no column {id_column!r} (given as the patient identifier); columns: "
                             + ", ".join(cols), column=id_column)
        return id_column
    lookup = {normalize_name(c): c for c in reversed(cols)}
    found = next((lookup[a] for a in SAMPLE_ID_ALIASES if a in lookup), None) or find_id_column(cols)
    if found is None:
        raise InputError("no patient identifier column to match the mutation file's samples; name one of: "
                         + ", ".join(ID_COLUMNS) + " (or give --id-column)")
    return found


#: Names (normalised) of the clinical table's column that says whether a patient was sequenced.
SEQUENCED_COLUMNS = ("sequenced", "ngs_done", "sequencing_done", "molecular_data", "ngs", "ngs_performed",
                     "sequencing", "sequencing_performed")

#: A ``sequenced`` cell with an unknown token (``not done``, ``pending``, ``NA``, ``unknown``): not known to
#: have been sequenced, so no gene is taken as wild-type (an empty cell is "not stated": see the panel).
NOT_KNOWN = "not known"


def _sequenced_column(df: pd.DataFrame) -> list[bool | str | None] | None:
    col = next((c for c in df.columns if normalize_name(c) in SEQUENCED_COLUMNS), None)
    if col is None:
        return None
    out: list[bool | str | None] = []
    bad = []
    for i, v in enumerate(df[col].tolist(), start=1):
        code = yes_no_code(v)
        if code is None:
            bad.append(Problem(f"{v!r} is not accepted for {str(col)!r} (was the patient sequenced?); accepted: "
                               f"{ACCEPTED_SHORT}", row=i, column=str(col), value=str(v)))
        if code is None:
            out.append(None)
        elif code >= 0:
            out.append(bool(code))
        else:  # empty: not stated; a token such as "not done" or "pending": not known to be sequenced
            out.append(None if pd.isna(v) or not str(v).strip() else NOT_KNOWN)
    InputErrors.raise_if_any(vio.locate(df, bad))  # the row, sheet row and patient, as for a factor column
    return out


def mutation_factors(clinical: pd.DataFrame, mutations: str | os.PathLike | bytes | pd.DataFrame, *,
                     panel: Iterable[str] | str | None = None, min_vaf: float | None = None,
                     id_column: str | None = None, mutations_name: str | None = None,
                     columns: Mapping[str, str] | None = None) -> MutationCalls:
    """Set the five gene factors of a clinical table from a mutation file.

    Parameters
    ----------
    clinical : pandas.DataFrame
        One row per patient; gives ``extramedullary``, ``prior_hma`` and anything else, an
        identifier column (:data:`ID_COLUMNS` or ``id_column``) matching the mutation file's
        samples, optionally a ``sequenced`` column (yes/no/empty) and a ``panel_genes``
        column (this patient's panel, genes separated by ``;``, ``,`` or spaces). It must not
        already hold a column for one of the five genes.
    mutations : path-like, bytes or DataFrame
        The mutation file (see :func:`read_mutations`), or its long table.
    panel : str or iterable of str, optional
        Genes sequenced for every patient (see :func:`read_panel`). With a panel, every patient
        is taken as sequenced on it unless ``sequenced`` says otherwise.
    min_vaf : float, optional
        Variants with a lower VAF (fraction 0-1) do not count; default none (the paper gives none).
    id_column : str, optional
        The clinical column holding the sample/patient identifier; default: the column named as in
        :data:`ID_COLUMNS` (sample identifiers first, then :func:`venprs.fields.find_id_column`).
    mutations_name : str, optional
        Name of the mutation file in messages (default: its path, ``"upload"`` for bytes,
        ``"mutation table"`` for a DataFrame).
    columns : mapping, optional
        For a long table whose column names are not among the accepted ones: ``{"sample": ...,
        "gene": ..., "variant_class": ..., "variant": ..., "vaf": ...}`` (see :func:`read_mutations`).

    Returns
    -------
    MutationCalls
        ``.table`` (clinical table + the five gene columns) and ``.audit``.

    Notes
    -----
    For each patient and gene: ``present`` if a counted variant is listed; otherwise
    ``unknown`` if the patient was not sequenced (``sequenced`` false, an empty identifier, or no
    ``sequenced`` column, no panel and no sample in the file), or is not known to have been (a
    ``sequenced`` cell such as ``not done``, ``pending``, ``NA``: only counted variants count), or the
    gene is off the panel, or a variant
    of unknown VAF could not be checked against ``min_vaf``; otherwise ``absent``. A
    long-table row reporting the gene as tested negative (``wt``, ``not detected``; ``none`` is refused)
    puts the gene on this patient's panel. Without any panel a sequenced patient's genes
    without a counted variant stay unknown.

    Raises
    ------
    InputError
        Samples matching no patient (all listed), a patient marked not sequenced who has
        variants, a gene reported both mutated and wild-type for one patient, a gene column
        already in the clinical table, duplicate patient identifiers.

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Table 4; footnote c: any FLT3 mutation).

    Examples
    --------
    >>> clinical = pd.DataFrame({"patient_id": ["P1", "P2", "P3"], "sequenced": ["yes", "yes", "no"]})
    >>> muts = pd.DataFrame({"sample": ["P1", "P1"], "gene": ["FLT3", "TP53"],
    ...                      "variant_class": ["ITD", "Silent"]})
    >>> calls = mutation_factors(clinical, muts, panel="NF1,PTPN11,FLT3,TP53")
    >>> calls.table[["flt3", "tp53", "sf3b1"]].values.tolist()
    [['present', 'absent', 'unknown'], ['absent', 'absent', 'unknown'], ['unknown', 'unknown', 'unknown']]
    >>> calls.audit[["patient_id", "gene", "variant_class", "counted"]].values.tolist()
    [['P1', 'FLT3', 'FLT3-ITD', 'yes'], ['P1', 'TP53', 'silent', 'no']]
    """
    clash = [c for c in clinical.columns if normalize_name(c) in GENE_FACTORS
             or normalize_name(c) in {normalize_name(a) for a in _gene_column_aliases()}]
    if clash:
        raise InputError(f"the clinical table already has gene column {clash[0]!r}, and the mutation file sets the "
                         "five genes; drop the column or leave out --mutations", column=str(clash[0]))
    id_col = _find_id_column(clinical, id_column)
    ids = ["" if pd.isna(x) else str(x).strip() for x in clinical[id_col].tolist()]
    # an empty identifier (no sample: not sequenced) links no variant; its genes stay unknown
    named = [i for i in ids if i]
    dup = sorted({i for i in named if named.count(i) > 1}) if len(set(named)) != len(named) else []
    if dup:
        raise InputError("repeated patient identifier(s) in column " f"{id_col!r}: " + ", ".join(dup[:20]),
                         column=id_col)
    if isinstance(mutations, pd.DataFrame):
        long = _long_from_frame(mutations, min_vaf, columns)
        mname = mutations_name or "mutation table"
    else:
        mname = mutations_name or (str(mutations) if not isinstance(mutations, (bytes, bytearray)) else "upload")
        long = read_mutations(mutations, name=mname, min_vaf=min_vaf, columns=columns)
    panel_genes = read_panel(panel) if panel is not None and not isinstance(panel, tuple) else panel
    known = set(ids)
    stray = sorted(set(long["sample"]) - known)
    if stray:
        raise InputError(f"{len(stray)} sample(s) in the mutation file match no patient in column {id_col!r}: "
                         + ", ".join(stray[:30]) + (" ..." if len(stray) > 30 else "")
                         + "; add them to the clinical table, remove them, or pick the identifier column "
                         "(--id-column)", file=mname)
    sequenced = _sequenced_column(clinical)
    per_patient_panel = _panel_column(clinical)
    has_sample = set(long["sample"])
    var = long[long["gene"].notna()]
    counted = var[var["counted"].fillna(False).astype(bool)]
    uncertain = var[var["counted"].isna()]
    wild = var[var["variant_class"] == "wild-type"]
    pres = set(zip(counted["sample"], counted["factor"]))
    unc = set(zip(uncertain["sample"], uncertain["factor"]))
    wt = set(zip(wild["sample"], wild["factor"]))
    errors = []
    conflicts = sorted(pres & wt)
    if conflicts:
        where = var.groupby(["sample", "factor"], sort=False)["source"].agg(", ".join).to_dict()
    for s, fac in conflicts:
        src = where[(s, fac)]
        errors.append(InputError(f"sample {s}: {GENE_FACTORS[fac]} is listed both with a counted variant and as "
                                 f"wild-type ({src}); keep one", file=mname))
    tested: dict[str, set[str]] = {}
    for smp, fac in wt:
        tested.setdefault(smp, set()).add(GENE_FACTORS[fac])
    with_variants = {smp for smp, _ in pres | wt}
    out: dict[str, list[str]] = {f: [] for f in GENE_FACTORS}
    for i, pid in enumerate(ids):
        seq = sequenced[i] if sequenced is not None else None
        if not pid:
            if seq is True:
                pcol = find_id_column([str(c) for c in clinical.columns])
                who = str(clinical[pcol].iloc[i]).strip() if pcol is not None and pcol != id_col else ""
                errors.append(InputError(f"{'patient ' + who if who else 'this patient'} is marked sequenced but "
                                         f"has no identifier in column {id_col!r} to find the variants by; give it, "
                                         "or leave 'sequenced' empty", row=i + 1, column=id_col))
            for f in GENE_FACTORS:
                out[f].append("unknown")
            continue
        listed = pid in has_sample
        pp = per_patient_panel[i] if per_patient_panel is not None else None
        genes_panel = set(pp if pp is not None else (panel_genes or ()))
        genes_panel |= tested.get(pid, set())
        if seq is False:
            if pid in with_variants:
                errors.append(InputError(f"patient {pid} is marked not sequenced but has variants in the mutation "
                                         "file", row=i + 1, column="sequenced"))
            is_seq = False
        elif seq is True:
            is_seq = True
        elif seq == NOT_KNOWN:  # "not done", "pending", "unknown": counted variants only, no wild-type
            is_seq = False
        else:
            is_seq = listed or bool(panel_genes) or pp is not None
        for f, gene in GENE_FACTORS.items():
            if (pid, f) in pres:
                v = "present"
            elif not is_seq or gene not in genes_panel or (pid, f) in unc:
                v = "unknown"
            else:
                v = "absent"
            out[f].append(v)
    _raise_all(errors, mname)
    table = clinical.copy(deep=False)
    for f, vals in out.items():
        table[f] = pd.array(vals, dtype="string")
    audit = _audit(var[var["variant_class"] != "wild-type"], id_col)
    return MutationCalls(table=table, audit=audit)


def _source(path: Path | None, raw: bytes | None) -> Path | bytes:
    """The file's path, or its bytes for an upload (exactly one is set)."""
    if path is not None:
        return path
    assert raw is not None
    return raw


def _gene_column_aliases() -> tuple[str, ...]:
    return tuple(a for f in FACTOR_FIELDS if f.name in GENE_FACTORS for a in (f.name, *f.aliases))


def _panel_column(df: pd.DataFrame) -> list[tuple[str, ...] | None] | None:
    col = next((c for c in df.columns if normalize_name(c) in ("panel_genes", "panel")), None)
    if col is None:
        return None
    out: list[tuple[str, ...] | None] = []
    problems: list[Problem] = []
    for i, v in enumerate(df[col].tolist(), start=1):
        s = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
        if not s.strip():
            out.append(None)
            continue
        try:
            genes = _gene_list(re.split(r"[\s,;]+", s), "clinical table", any_of_ours=False)  # said below
        except InputError as e:
            problems.append(Problem(e.message, row=i, column=str(col), value=s))
            continue
        if not set(genes) & set(_FACTOR_OF_GENE):
            # a panel's name ('Myeloid-54', 'TSO500') read as a gene list would make all five genes unknown
            problems.append(Problem(
                f"{s.strip()!r} names none of the five VEN-PRS genes ({', '.join(_FACTOR_OF_GENE)}); the column lists the genes "
                "sequenced for the patient, e.g. 'NF1;PTPN11;FLT3;TP53;SF3B1', not the panel's name (for a panel "
                "that covers none of them, leave the cell empty and set the sequenced column to no)",
                row=i, column=str(col), value=s))
            continue
        out.append(genes)
    if problems:
        raise InputErrors(vio.locate(df, problems))
    return out


def _long_from_frame(df: pd.DataFrame, min_vaf, columns) -> pd.DataFrame:
    if list(df.columns) == list(LONG_COLUMNS):
        return df
    text_df = df.astype("string").fillna("")
    rows, samples = _rows_from_table(text_df, "long", "mutation table", 1, columns or {})
    return _finish(rows, samples, min_vaf)


def _audit(var: pd.DataFrame, id_col: str) -> pd.DataFrame:
    cols = ["sample", "gene", "factor", "variant", "variant_class", "vaf", "counted", "reason", "source"]
    a = var[cols].copy()
    a["counted"] = a["counted"].map(lambda x: "unknown" if x is pd.NA else ("yes" if x else "no")).astype("string")
    return a.rename(columns={"sample": id_col}).reset_index(drop=True)
