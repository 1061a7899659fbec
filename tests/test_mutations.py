"""Mutation lists (MAF, long table, annotated VCF) -> the five VEN-PRS gene factors.

Files: tests/data/lab/ (synthetic patients; each variant chosen for its class). Scores are
checked against Table 4 of Shahswar et al., Leukemia 2025;39:614-622 (multivariate
coefficients, typed here independently of the model file).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

import venprs
from conftest import TABLE4, run_cli
from venprs.errors import InputError
from venprs.mutations import GENE_FACTORS, mutation_factors, read_mutations, read_panel

LAB = Path(__file__).parent / "data" / "lab"
GENES = ["nf1", "ptpn11", "flt3", "tp53", "sf3b1"]
FIVE = "NF1,PTPN11,FLT3,TP53,SF3B1"
# Table 4, multivariate: OS and EFS coefficients (tests/data/table4.json)
OS = {k: float(v) for k, v in TABLE4["os"].items()}
EFS = {k: float(v) for k, v in TABLE4["efs"].items()}


def clinical() -> pd.DataFrame:
    return venprs.io.read_table(LAB / "clinical.csv")


def calls_of(path, **kw) -> dict[str, dict[str, str]]:
    t = mutation_factors(clinical(), LAB / path, **kw).table
    return {r["patient_id"]: {g: r[g] for g in GENES} for _, r in t.iterrows()}


def row(nf1="absent", ptpn11="absent", flt3="absent", tp53="absent", sf3b1="absent"):
    return dict(nf1=nf1, ptpn11=ptpn11, flt3=flt3, tp53=tp53, sf3b1=sf3b1)


UNK = {g: "unknown" for g in GENES}


def test_gene_factors_are_the_model_genes():
    assert GENE_FACTORS == {"nf1": "NF1", "ptpn11": "PTPN11", "flt3": "FLT3", "tp53": "TP53", "sf3b1": "SF3B1"}


def test_maf_silent_intronic_utr_do_not_count_flt3_itd_does():
    got = calls_of("cohort.maf", panel=FIVE)
    assert got["P01"] == row(flt3="present")            # In_Frame_Ins (FLT3-ITD); TP53 Silent ignored
    assert got["P02"] == row(ptpn11="present")          # Missense; NF1 Intron ignored
    assert got["P03"] == row(sf3b1="present")           # SF3B1 K700E; DNMT3A not a VEN-PRS gene
    assert got["P04"] == row(tp53="present")            # Nonsense; FLT3 3'UTR ignored
    assert got["P05"] == row()                          # sequenced, nothing found: all absent
    assert got["P06"] == UNK                            # sequenced = no
    assert got["P07"] == row()                          # not stated: --panel takes it as sequenced


def test_maf_audit_lists_every_variant_and_why():
    audit = mutation_factors(clinical(), LAB / "cohort.maf", panel=FIVE).audit
    got = [(r.patient_id, r.gene, r.variant_class, r.counted) for r in audit.itertuples()]
    assert got == [("P01", "FLT3", "in-frame insertion", "yes"), ("P01", "TP53", "silent", "no"),
                   ("P02", "NF1", "intronic", "no"), ("P02", "PTPN11", "missense", "yes"),
                   ("P03", "SF3B1", "missense", "yes"), ("P04", "TP53", "nonsense", "yes"),
                   ("P04", "FLT3", "UTR", "no")]
    # t_alt_count / t_depth of the MAF rows
    assert audit.loc[0, "vaf"] == pytest.approx(82 / 410)
    assert audit.loc[0, "source"] == "cohort.maf:4"       # line 4 of the file (2 '#' lines, header)


def test_scores_from_maf_match_table4():
    calls = mutation_factors(clinical(), LAB / "cohort.maf", panel=FIVE)
    scored = venprs.score_table(calls.table)
    s = dict(zip(scored["patient_id"], scored["os_score"]))
    e = dict(zip(scored["patient_id"], scored["efs_score"]))
    assert s["P01"] == pytest.approx(OS["prior_hma"] + OS["flt3"])           # 1.13 adverse
    assert e["P01"] == pytest.approx(EFS["prior_hma"] + EFS["flt3"])         # 1.05
    assert s["P02"] == pytest.approx(OS["extramedullary"] + OS["ptpn11"])    # 1.70
    assert s["P03"] == pytest.approx(OS["sf3b1"])                            # -0.98 favorable
    assert s["P04"] == pytest.approx(OS["prior_hma"] + OS["tp53"])           # 1.03
    assert e["P04"] == pytest.approx(EFS["prior_hma"])                       # TP53 not in EFS: 0.45
    assert list(scored["os_group"].astype(str)[:5]) == ["adverse", "adverse", "favorable", "adverse", "favorable"]
    p06 = scored[scored["patient_id"] == "P06"].iloc[0]                      # not sequenced: a range
    assert pd.isna(p06["os_score"])
    assert (p06["os_score_min"], p06["os_score_max"]) == pytest.approx(
        (OS["extramedullary"] + OS["prior_hma"] + OS["sf3b1"], sum(v for v in OS.values() if v > 0)))


def test_long_table_wild_type_rows_and_percent_vaf():
    got = calls_of("long.csv")                       # no panel: only listed genes are known
    assert got["P01"] == {**UNK, "flt3": "present"}  # ITD; TP53 synonymous leaves TP53 unknown (no panel)
    assert got["P02"] == {**UNK, "ptpn11": "present", "nf1": "absent"}   # 'not detected' = tested negative
    assert got["P03"] == {**UNK, "sf3b1": "present", "tp53": "present"}
    assert got["P04"] == {**UNK, "flt3": "present", "nf1": "present"}    # TKD; nonsense
    assert got["P05"] == UNK and got["P07"] == UNK   # no sample, no panel: unknown
    long = read_mutations(LAB / "long.csv")
    assert long.loc[0, "vaf"] == pytest.approx(0.12)  # "12%"


def test_min_vaf_drops_low_variants_and_unknown_vaf_stays_unknown():
    got = calls_of("long.csv", panel=FIVE, min_vaf=0.05)
    assert got["P02"]["ptpn11"] == "absent"          # VAF 0.04 < 0.05
    assert got["P04"]["nf1"] == "unknown"            # nonsense without VAF: cannot check 0.05
    assert got["P04"]["flt3"] == "present"           # 0.18
    audit = mutation_factors(clinical(), LAB / "long.csv", panel=FIVE, min_vaf=0.05).audit
    r = audit[(audit.patient_id == "P02") & (audit.gene == "PTPN11")].iloc[0]
    assert (r.counted, r.reason) == ("no", "VAF below min_vaf 0.05")


def test_snpeff_vcf():
    got = calls_of("snpeff.vcf", panel=FIVE)
    # P01: FLT3 disruptive_inframe_insertion (ITD) counts; TP53 synonymous, SF3B1 upstream do not
    assert got["P01"] == row(flt3="present")
    # P02: PTPN11 missense (AD 50,10); NF1 intron; TP53 missense has GT 0/0 (not carried)
    assert got["P02"] == row(ptpn11="present")
    assert got["P03"] == row()                  # not in the VCF but sequenced on the panel
    long = read_mutations(LAB / "snpeff.vcf")
    assert long[long.gene == "PTPN11"]["vaf"].item() == pytest.approx(10 / 60)


def test_vep_vcf():
    got = calls_of("vep.vcf", panel=FIVE)
    assert got["P03"] == row(sf3b1="present")   # K700E; NF1 frameshift is 0/0 in P03
    # P04: TP53 stop_gained, FLT3 D835Y (TKD; the splice_region&intron one does not count), NF1 frameshift
    assert got["P04"] == row(tp53="present", flt3="present", nf1="present")
    long = read_mutations(LAB / "vep.vcf")
    assert long[(long["sample"] == "P04") & (long.gene == "NF1")]["vaf"].item() == pytest.approx(0.08)


@pytest.mark.parametrize("gene", GENES)
def test_panel_with_and_without_each_gene(gene):
    without = ",".join(g for g in FIVE.split(",") if g.lower() != gene)
    on = calls_of("cohort.maf", panel=FIVE)["P05"]
    off = calls_of("cohort.maf", panel=without)
    assert on[gene] == "absent"
    assert off["P05"][gene] == "unknown"        # off the panel: unknown, never absent
    # a counted variant is present even off the panel (it was found, so it was sequenced)
    carrier = {"flt3": "P01", "ptpn11": "P02", "sf3b1": "P03", "tp53": "P04"}.get(gene)
    if carrier:
        assert off[carrier][gene] == "present"


def test_panel_file_and_per_patient_panel_column():
    assert read_panel(panel_file=LAB / "panel_myeloid.txt") == (
        "ASXL1", "DNMT3A", "FLT3", "IDH1", "IDH2", "NF1", "NPM1", "PTPN11", "RUNX1", "SF3B1", "SRSF2", "TET2", "TP53")
    df = clinical()
    df["panel_genes"] = ["NF1;FLT3", "", "", "", "TP53 SF3B1", "", ""]
    t = mutation_factors(df, LAB / "cohort.maf").table.set_index("patient_id")
    assert dict(t.loc["P01", GENES]) == row(flt3="present", ptpn11="unknown", tp53="unknown", sf3b1="unknown")
    assert dict(t.loc["P05", GENES]) == {**UNK, "tp53": "absent", "sf3b1": "absent"}
    assert dict(t.loc["P02", GENES]) == {**UNK, "ptpn11": "present"}  # in the file, no panel stated


def test_unsequenced_patients_are_all_unknown():
    got = calls_of("cohort.maf", panel=FIVE)
    assert got["P06"] == UNK
    got = calls_of("cohort.maf")                     # no panel: P05 and P07 have no sample
    assert got["P05"] == UNK and got["P07"] == UNK


@pytest.mark.parametrize("cell", ["not done", "pending", "NA", "unknown", "Not tested"])
def test_sequenced_not_known_never_gives_wild_type(cell):
    """A ``sequenced`` cell saying the sequencing is not done or not known (newcomer trial 2026-12-04: these
    were taken as sequenced under --panel, so all five genes came out absent): genes without a counted
    variant are unknown; counted variants still count (docs/lab-results.md)."""
    df = clinical()
    df.loc[df.patient_id == "P05", "sequenced"] = cell   # no variant in the MAF
    df.loc[df.patient_id == "P01", "sequenced"] = cell   # FLT3-ITD in the MAF
    got = {r["patient_id"]: {g: r[g] for g in GENES}
           for _, r in mutation_factors(df, LAB / "cohort.maf", panel=FIVE).table.iterrows()}
    assert got["P05"] == UNK
    assert got["P01"] == {**UNK, "flt3": "present"}
    assert got["P03"] == row(sf3b1="present")        # the others as before
    df.loc[df.patient_id == "P05", "sequenced"] = ""  # empty: not stated, --panel takes it as sequenced
    t = mutation_factors(df, LAB / "cohort.maf", panel=FIVE).table.set_index("patient_id")
    assert dict(t.loc["P05", GENES]) == row()


@pytest.mark.parametrize("name", ["molecular_data", "NGS", "Sequencing", "ngs_performed"])
def test_sequencing_status_under_other_names(name):
    df = clinical().rename(columns={"sequenced": name})
    got = {r["patient_id"]: {g: r[g] for g in GENES}
           for _, r in mutation_factors(df, LAB / "cohort.maf", panel=FIVE).table.iterrows()}
    assert got["P06"] == UNK                          # 'no': not sequenced, not five times wild-type


def test_vaf_zero_is_not_detected():
    """A variant row with allele fraction 0 (a hotspot reported "not detected", no alt reads) does not count:
    the gene is absent on the panel, as a VCF sample with AF 0 (newcomer trial 2026-12-04: it was present)."""
    long = pd.DataFrame({"Patient": ["P01", "P02", "P03"], "Gene": ["TP53", "FLT3", "NF1"],
                         "Consequence": ["missense", "ITD", "nonsense"], "VAF": ["0.0", "0%", "0.02"]})
    calls = mutation_factors(clinical(), long, panel=FIVE)
    t = calls.table.set_index("patient_id")
    assert t.loc["P01", "tp53"] == "absent" and t.loc["P02", "flt3"] == "absent"
    assert t.loc["P03", "nf1"] == "present"
    a = calls.audit.set_index("patient_id")
    assert (a.loc["P01", "counted"], a.loc["P01", "reason"]) == ("no", "VAF 0: not detected")


def test_sample_matching_no_patient_is_an_error_listing_them():
    df = clinical()
    df = df[~df["patient_id"].isin(["P02", "P04"])]
    with pytest.raises(InputError, match=r"2 sample\(s\) in the mutation file match no patient in column "
                                         r"'patient_id': P02, P04"):
        mutation_factors(df, LAB / "cohort.maf", panel=FIVE)


def test_not_sequenced_patient_with_variants_is_an_error():
    df = clinical()
    df.loc[0, "sequenced"] = "no"
    with pytest.raises(InputError, match="patient P01 is marked not sequenced but has variants"):
        mutation_factors(df, LAB / "cohort.maf", panel=FIVE)


def test_conflicting_records_for_one_gene(tmp_path):
    p = tmp_path / "conflict.csv"
    p.write_text("patient,gene,class\nP01,FLT3,ITD\nP01,FLT3,wt\n")
    with pytest.raises(InputError, match=r"sample P01: FLT3 is listed both with a counted variant and as "
                                         r"wild-type \(conflict.csv row 1, conflict.csv row 2\)"):
        mutation_factors(clinical(), p)


@pytest.mark.parametrize("written, gene", [("FLT3-ITD", "FLT3"), ("flt3-tkd", "FLT3"), ("TP-53", "TP53"),
                                           ("p53", "TP53"), ("NF-1", "NF1"), ("SHP2", "PTPN11"),
                                           ("CD135", "FLT3"), ("SAP155", "SF3B1")])
def test_gene_written_other_than_its_hgnc_symbol_is_refused_not_ignored(tmp_path, written, gene):
    # A lab export listing the marker "FLT3-ITD" (or TP-53, an alias such as p53/SHP2) in the gene column
    # was taken as another gene and ignored; with a panel the VEN-PRS gene was then read as wild-type.
    p = tmp_path / "marker.csv"
    p.write_text(f"patient,gene,class\nP01,{written},ITD\n")
    with pytest.raises(InputError, match=rf"row 1, column 'gene': sample P01: gene '{written}' is not the HGNC "
                                         rf"symbol but names {gene}; write {gene} in column 'gene'"):
        mutation_factors(clinical(), p, panel=FIVE)


def test_other_genes_with_a_hyphen_are_still_ignored(tmp_path):
    p = tmp_path / "other.csv"  # HLA-A, and a non-coding neighbour named after TP53 (HGNC's -AS1 convention)
    p.write_text("patient,gene,class\nP01,HLA-A,missense\nP01,TP53-AS1,missense\nP01,FLT3LG,missense\n")
    assert mutation_factors(clinical(), p, panel=FIVE).table.loc[0, GENES].tolist() == ["absent"] * 5


def _snpeff_vcf(tmp_path, *records: str) -> Path:
    head = [ln for ln in (LAB / "snpeff.vcf").read_text().splitlines() if ln.startswith("##")]
    p = tmp_path / "multi.vcf"
    p.write_text("\n".join(head + ["#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP01\tP02\tP03",
                                  *records]) + "\n")
    return p


def test_vcf_multiallelic_line_counts_the_allele_each_sample_carries(tmp_path):
    # ALT T is synonymous, ALT A missense (SnpEff names each annotation's allele): P01 carries only T,
    # P02 only A. All annotations used to be pooled, making P01's silent variant a TP53 mutation.
    ann = ("ANN=T|synonymous_variant|LOW|TP53|TP53|transcript|ENST00000269305|protein_coding|1/1|c.215C>T|p.Pro72Pro"
           "|||||,A|missense_variant|MODERATE|TP53|TP53|transcript|ENST00000269305|protein_coding|1/1|c.215C>A"
           "|p.Pro72His|||||")
    p = _snpeff_vcf(tmp_path, f"chr17\t7676152\t.\tG\tT,A\t60\tPASS\t{ann}\tGT:AD\t0/1:60,40,0\t0/2:70,0,30"
                              "\t0/0:100,0,0")
    calls = mutation_factors(clinical(), p, panel=FIVE)
    got = dict(zip(calls.table["patient_id"], calls.table["tp53"]))
    assert (got["P01"], got["P02"], got["P03"]) == ("absent", "present", "absent")
    a = calls.audit
    assert a[["patient_id", "variant", "variant_class", "counted"]].values.tolist() == [
        ["P01", "p.Pro72Pro", "silent", "no"], ["P02", "p.Pro72His", "missense", "yes"]]
    assert a["vaf"].tolist() == pytest.approx([0.4, 0.3])   # AD of the carried allele: 40/100, 30/100
    # VEP writes the allele without the first base REF and ALT share ("-" for a deletion)
    csq = ("CSQ=-|frameshift_variant|HIGH|NF1|ENSG00000196712|Transcript|ENST00000358273|protein_coding|21/58||"
           "c.2033_2034del|p.Pro678fs|YES,A|inframe_deletion|MODERATE|NF1|ENSG00000196712|Transcript|ENST00000358273|"
           "protein_coding|21/58||c.2034del|p.Pro678del|YES")
    vep = [ln for ln in (LAB / "vep.vcf").read_text().splitlines() if ln.startswith("##")]
    q = tmp_path / "vep_multi.vcf"
    q.write_text("\n".join(vep + ["#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP01\tP02",
                                 f"chr17\t31229000\t.\tCAT\tC,CA\t60\tPASS\t{csq}\tGT:AF\t0/1:0.2,0\t0/2:0,0.1"])
                 + "\n")
    long = read_mutations(q)
    assert long[["sample", "variant_class", "vaf"]].values.tolist() == [
        ["P01", "frameshift", 0.2], ["P02", "in-frame deletion", 0.1]]


def test_vcf_no_call_leaves_the_gene_unknown_not_wild_type(tmp_path):
    # P03's genotype is not called (./.) at a TP53 missense site: it may carry it, so TP53 is unknown,
    # not absent (it used to be read as not carried, hence wild-type on the panel).
    ann = "ANN=T|missense_variant|MODERATE|TP53|TP53|transcript|ENST00000269305|protein_coding|1/1|c.743G>A|p.Arg248Gln"
    p = _snpeff_vcf(tmp_path, f"chr17\t7674220\t.\tC\tT\t60\tPASS\t{ann}\tGT:AD\t0/1:50,50\t0/0:80,0\t./.:.")
    calls = mutation_factors(clinical(), p, panel=FIVE)
    got = dict(zip(calls.table["patient_id"], calls.table["tp53"]))
    assert (got["P01"], got["P02"], got["P03"]) == ("present", "absent", "unknown")
    r = calls.audit.iloc[-1]
    assert (r.patient_id, r.counted) == ("P03", "unknown") and r.reason.startswith("no genotype call")
    # P03 (no extramedullary disease, no prior HMA, other genes absent): OS 0 or TP53 0.39 (Table 4)
    scored = venprs.score_table(calls.table).set_index("patient_id")
    assert (scored.loc["P03", "os_score_min"], scored.loc["P03", "os_score_max"]) == (0, OS["tp53"])
    assert scored.loc["P03", "os_possible_groups"] == "favorable|intermediate"
    half = _snpeff_vcf(tmp_path, f"chr17\t7674220\t.\tC\tT\t60\tPASS\t{ann}\tGT:AD\t0/1:50,50\t0/0:80,0\t0/.:.")
    assert mutation_factors(clinical(), half, panel=FIVE).table.loc[2, "tp53"] == "unknown"   # half call


def test_patient_without_a_sample_id_is_unknown_not_wild_type():
    # Only sequenced patients have a sample_id. P02 (no sample) used to be read as wild-type on all five
    # genes under --panel, and two such patients were "repeated patient identifier(s): " (the empty one).
    clin = pd.DataFrame({"patient_id": ["P01", "P02", "P03"], "sample_id": ["S1", "", None],
                         "extramedullary": ["no", "no", "yes"], "prior_hma": ["yes", "no", "no"]})
    muts = pd.DataFrame({"sample": ["S1"], "gene": ["FLT3"], "variant_class": ["ITD"]})
    t = mutation_factors(clin, muts, panel=FIVE).table
    assert t[GENES].values.tolist() == [["absent", "absent", "present", "absent", "absent"], ["unknown"] * 5,
                                        ["unknown"] * 5]
    s = venprs.score_table(t)
    # P03: extramedullary disease 0.90, genes unknown: OS from 0.90 - 0.98 to 0.90 + 0.94 + 0.80 + 0.49 + 0.39
    assert (s.loc[2, "os_score_min"], s.loc[2, "os_score_max"]) == pytest.approx(
        (OS["extramedullary"] + OS["sf3b1"], sum(OS[f] for f in ("extramedullary", *GENES[:4]))))
    assert s.loc[0, "os_score"] == pytest.approx(OS["prior_hma"] + OS["flt3"])   # 1.13
    clin["sequenced"] = ["yes", "yes", ""]
    with pytest.raises(InputError, match=r"row 2, column 'sample_id': patient P02 is marked sequenced but has no "
                                         r"identifier in column 'sample_id'"):
        mutation_factors(clin, muts, panel=FIVE)


def test_gene_column_in_clinical_table_is_refused():
    df = clinical()
    df["FLT3_mut"] = "no"
    with pytest.raises(InputError, match="already has gene column 'FLT3_mut'"):
        mutation_factors(df, LAB / "cohort.maf")


def test_malformed_maf_reports_every_problem_with_its_line(tmp_path):
    text = (LAB / "cohort.maf").read_text().splitlines()
    cols = text[2].split("\t")
    ci, gi, si = cols.index("Variant_Classification"), cols.index("Hugo_Symbol"), cols.index("Tumor_Sample_Barcode")
    bad = [ln.split("\t") for ln in text[3:]]
    bad[0][ci] = "Missense"           # fine (plain word)
    bad[1][ci] = "Funny_Mutation"     # line 5
    bad[2][gi] = "NF 1"               # line 6
    bad[3][si] = ""                   # line 7
    p = tmp_path / "bad.maf"
    p.write_text("\n".join(text[:3] + ["\t".join(r) for r in bad]) + "\n")
    with pytest.raises(InputError) as ei:
        read_mutations(p)
    msg = str(ei.value)
    assert msg.startswith(f"{p}: 3 problems:")
    assert "line 5, sample P01: variant class 'Funny_Mutation' of TP53 is not known; accepted: counted: missense" in msg
    assert "line 6, sample P02: gene 'NF 1' is not a gene symbol" in msg
    assert "line 7: empty sample in column 'Tumor_Sample_Barcode'" in msg


def test_malformed_vcf(tmp_path):
    lines = (LAB / "vep.vcf").read_text().splitlines()
    p = tmp_path / "x.vcf"
    p.write_text("\n".join(lines[:-1] + [lines[-1].rsplit("\t", 1)[0]]) + "\n")   # one field short
    with pytest.raises(InputError, match=r"x.vcf: line 16: 10 tab-separated fields, the #CHROM line has 11"):
        read_mutations(p)
    p.write_text("\n".join(ln for ln in lines if "CSQ" not in ln or not ln.startswith("##")) + "\n")
    with pytest.raises(InputError, match="no SnpEff ANN or VEP CSQ annotation"):
        read_mutations(p)
    p.write_text("##fileformat=VCFv4.2\nchr1\t1\n")
    with pytest.raises(InputError, match="line 2: data before the #CHROM header line"):
        read_mutations(p)
    bad_gt = lines[:-1] + [lines[-1].replace("0/1:0.08", "x/1:0.08")]
    p.write_text("\n".join(bad_gt) + "\n")
    with pytest.raises(InputError, match=r"line 16, sample P04: GT 'x/1' is not a genotype"):
        read_mutations(p)


def test_bad_vaf_and_min_vaf(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text("patient,gene,class,vaf\nP01,FLT3,ITD,35\n")
    with pytest.raises(InputError, match=r"VAF '35' is not a fraction between 0 and 1 \(write 35% or 0.35\)"):
        read_mutations(p)
    with pytest.raises(InputError, match="min_vaf 5 is not a fraction"):
        read_mutations(LAB / "long.csv", min_vaf=5)


def test_bad_panel_genes():
    with pytest.raises(InputError, match=r"not gene symbols: 'FLT3\?'"):
        read_panel("NF1, FLT3?")
    with pytest.raises(InputError, match="either as a list"):
        read_panel("NF1", LAB / "panel_myeloid.txt")


def test_upload_bytes_and_dataframe_inputs_agree():
    a = mutation_factors(clinical(), LAB / "cohort.maf", panel=FIVE).table
    b = mutation_factors(clinical(), (LAB / "cohort.maf").read_bytes(), mutations_name="cohort.maf",
                         panel=FIVE).table
    pd.testing.assert_frame_equal(a, b)
    c = mutation_factors(clinical(), (LAB / "long.csv").read_bytes(), mutations_name="long.csv").table
    d = mutation_factors(clinical(), pd.read_csv(LAB / "long.csv", dtype=str)).table
    pd.testing.assert_frame_equal(c, d)


# ---------------------------------------------------------------- CLI


def test_cli_mutations_panel_audit(tmp_path):
    out, audit = tmp_path / "scored.csv", tmp_path / "audit.csv"
    r = run_cli("score", "--input", LAB / "clinical.csv", "--mutations", LAB / "cohort.maf",
                "--panel-file", LAB / "panel_myeloid.txt", "--mutation-audit", audit, "--output", out)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    assert [x["patient_id"] for x in rows] == [f"P0{i}" for i in range(1, 8)]
    assert rows[0]["note"] == "FLT3-ITD plus a silent TP53 variant"          # text passes unchanged
    assert [rows[0][g] for g in GENES] == ["absent", "absent", "present", "absent", "absent"]
    assert float(rows[0]["os_score"]) == pytest.approx(OS["prior_hma"] + OS["flt3"])
    assert rows[5]["os_possible_groups"] == "intermediate|adverse"            # P06 not sequenced
    a = list(csv.DictReader(audit.open()))
    assert len(a) == 7 and a[1]["reason"] == "silent: not protein-altering"


def test_cli_errors_are_one_line_exit_2(tmp_path):
    r = run_cli("score", "--input", LAB / "clinical.csv", "--mutations", LAB / "cohort.maf", "--panel", "NF1",
                "--panel-file", LAB / "panel_myeloid.txt", "--output", tmp_path / "o.csv")
    assert r.returncode == 2 and "either as a list (--panel) or a file (--panel-file)" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("score", "--input", LAB / "clinical.csv", "--min-vaf", "0.1", "--output", tmp_path / "o.csv")
    assert r.returncode == 2 and "--min-vaf: only with --mutations FILE" in r.stderr
    r = run_cli("score", "--flt3", "yes", "--mutations", LAB / "cohort.maf")
    assert r.returncode == 2 and "--mutations: only with --input FILE and --output FILE" in r.stderr
    assert not (tmp_path / "o.csv").exists()



def test_cli_clinical_table_errors_name_the_file_sheet_row_and_patient(tmp_path):
    # the 'sequenced' and 'panel_genes' problems were reported as "clinical table: row 1: ..." (no file, no
    # patient, no sheet row)
    c, m = tmp_path / "clin.csv", tmp_path / "muts.csv"
    m.write_text("patient,gene,class\nP01,FLT3,ITD\n")
    c.write_text("patient_id,extramedullary,prior_hma,sequenced\nP01,no,yes,maybe\nP02,no,no,done\n")
    r = run_cli("score", "--input", c, "--mutations", m, "--output", tmp_path / "o.csv")
    assert r.returncode == 2 and f"venprs: error: {c}: 2 problems:" in r.stderr
    assert "row 2 (sheet row 3), patient P02, column 'sequenced': 'done' is not accepted for 'sequenced'" in r.stderr
    c.write_text("patient_id,extramedullary,prior_hma,panel_genes\nP01,no,yes,NF1\nP02,no,no,NF1;TP53?\n")
    r = run_cli("score", "--input", c, "--mutations", m, "--output", tmp_path / "o.csv")
    assert r.returncode == 2 and (f"{c}: row 2 (sheet row 3), patient P02, column 'panel_genes': not gene "
                                  "symbols: 'TP53?'") in r.stderr
    assert not (tmp_path / "o.csv").exists()


def test_a_panel_name_in_the_panel_column_is_refused(tmp_path):
    # a registry's 'panel' column holding the panel's name was read as a one-gene list: every VEN-PRS gene
    # became unknown for those patients, silently overriding --panel
    c, m = tmp_path / "clin.csv", tmp_path / "muts.csv"
    m.write_text("patient,gene,class\nP01,FLT3,ITD\n")
    c.write_text("patient_id,extramedullary,prior_hma,panel\nP01,no,yes,Myeloid-54\nP02,no,no,TSO500\n"
                 "P03,no,no,NF1;PTPN11;FLT3;TP53;SF3B1\n")
    r = run_cli("score", "--input", c, "--mutations", m, "--panel", FIVE, "--output", tmp_path / "o.csv")
    assert r.returncode == 2 and f"venprs: error: {c}: 2 problems:" in r.stderr
    assert ("row 1 (sheet row 2), patient P01, column 'panel': 'Myeloid-54' names none of the five VEN-PRS "
            "genes (NF1, PTPN11, FLT3, TP53, SF3B1)") in r.stderr
    assert "patient P02, column 'panel': 'TSO500'" in r.stderr and "P03" not in r.stderr
    assert not (tmp_path / "o.csv").exists()


# ---------------------------------------------------------------- web batch upload


@pytest.fixture(scope="module")
def client():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from venprs.web import create_app

    return TestClient(create_app(max_upload_bytes=200_000), raise_server_exceptions=False)


def _upload(client, mutations="cohort.maf", **form):
    files = {"file": ("clinical.csv", (LAB / "clinical.csv").read_bytes(), "text/csv")}
    if mutations:
        files["mutations"] = (mutations, (LAB / mutations).read_bytes(), "text/plain")
    return client.post("/api/v1/score-table", files=files, data=form)


def test_web_batch_with_mutations_equals_cli(client, tmp_path):
    r = _upload(client, panel=FIVE)
    assert r.status_code == 200, r.text
    web = list(csv.DictReader(r.text.splitlines()))
    out = tmp_path / "o.csv"
    assert run_cli("score", "--input", LAB / "clinical.csv", "--mutations", LAB / "cohort.maf", "--panel", FIVE,
                   "--output", out).returncode == 0
    assert web == list(csv.DictReader(out.open()))
    r = _upload(client, mutations="vep.vcf", panel=FIVE, min_vaf="0.1")
    rows = {x["patient_id"]: x for x in csv.DictReader(r.text.splitlines())}
    assert (rows["P04"]["nf1"], rows["P04"]["flt3"]) == ("absent", "present")   # NF1 VAF 0.08 < 0.1


def test_web_batch_mutation_errors_are_422_naming_the_upload(client):
    r = _upload(client, panel="NF1, FLT3?")
    assert r.status_code == 422 and "not gene symbols: 'FLT3?'" in r.json()["detail"][0]["msg"]
    r = _upload(client, mutations=None, panel="NF1")
    assert r.status_code == 422 and r.json()["detail"][0]["msg"].startswith("clinical.csv: panel, min_vaf")
    r = _upload(client, min_vaf="five")
    assert r.status_code == 422 and "min_vaf 'five' is not a number" in r.json()["detail"][0]["msg"]
    files = {"file": ("clinical.csv", (LAB / "clinical.csv").read_bytes(), "text/csv"),
             "mutations": ("m.vcf", b"##fileformat=VCFv4.2\nchr1\t1\n", "text/plain")}
    r = client.post("/api/v1/score-table", files=files)
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["loc"] == ["body", "mutations"] and "m.vcf: line 2: data before the #CHROM header line" in d["msg"]


def test_web_batch_gives_one_entry_per_bad_line_of_the_mutation_file(client):
    # a bad mutation file was one 'detail' entry with every problem in one multi-line msg
    bad = b"patient_id,gene,class,vaf\nP01,FLT3-ITD,ITD,0.3\nP02,TP53,stop_gained,high\nP03,NF1,Funny,0.2\n"
    files = {"file": ("clinical.csv", (LAB / "clinical.csv").read_bytes(), "text/csv"),
             "mutations": ("long.csv", bad, "text/csv")}
    r = client.post("/api/v1/score-table", files=files, data={"panel": FIVE})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert len(d) == 3 and all(e["loc"] == ["body", "mutations"] and "\n" not in e["msg"] for e in d)
    assert [e["row"] for e in d] == [1, 2, 3]
    assert "names FLT3; write FLT3" in d[0]["msg"] and d[0]["value"] == "FLT3-ITD"
    assert "variant class 'Funny' of NF1 is not known" in d[2]["msg"]


def test_cli_mutation_columns(tmp_path):
    p = tmp_path / "lab.csv"
    p.write_text("Pat,Symbol,Effect,AF\nP01,FLT3,ITD,0.3\nP02,TP53,stop_gained,0.4\n")
    out = tmp_path / "o.csv"
    r = run_cli("score", "--input", LAB / "clinical.csv", "--mutations", p, "--panel", FIVE, "--output", out,
                "--mutation-columns", "sample=Pat,gene=Symbol,variant_class=Effect,vaf=AF")
    assert r.returncode == 0, r.stderr
    rows = {x["patient_id"]: x for x in csv.DictReader(out.open())}
    assert (rows["P01"]["flt3"], rows["P02"]["tp53"], rows["P02"]["flt3"]) == ("present", "present", "absent")
    r = run_cli("score", "--input", LAB / "clinical.csv", "--mutations", p, "--output", out)
    assert r.returncode == 2 and "lab.csv: no column for sample; accepted names" in r.stderr
    r = run_cli("score", "--input", LAB / "clinical.csv", "--mutations", p, "--output", out,
                "--mutation-columns", "patient=Pat")
    assert r.returncode == 2 and "'patient=Pat' is not FIELD=COLUMN" in r.stderr


def test_docs_worked_example_matches_the_cli():
    """docs/lab-results.md shows the MAF example's output table: it must be what the code gives."""
    doc = (Path(__file__).parents[1] / "docs" / "lab-results.md").read_text()
    block = doc.split("## Worked example: MAF", 1)[1].split("| patient_id | nf1 |", 1)[1].split("\n\n", 1)[0]
    rows = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", ln.strip().strip("|"))]
            for ln in block.splitlines()[2:]]
    scored = venprs.score_table(mutation_factors(clinical(), LAB / "cohort.maf", panel=FIVE).table)
    for r, (_, s) in zip(rows, scored.iterrows(), strict=True):
        assert r[0] == s["patient_id"] and r[1:6] == [s[g] for g in GENES]
        assert r[6] == ("" if pd.isna(s["os_score"]) else f"{s['os_score']:g}")
        assert r[7] == s["os_possible_groups"]


@pytest.mark.parametrize("panel,message", [
    ("Myeloid-54", "names none of the five VEN-PRS genes"),
    ("TP-53,FLT3", "'TP-53' (write TP53)"),
    ("NF1,P53", "'P53' (write TP53)"),
    ("2322,TP53", "not gene symbols: '2322'"),
])
def test_panel_written_other_than_by_symbols_is_refused(panel, message):
    """--panel as a panel's name or with a look-alike of a VEN-PRS gene would leave genes off the panel
    silently (newcomer trial 2026-12-04); refused like a panel_genes cell and a mutation file's gene."""
    with pytest.raises(InputError, match=re.escape(message)):
        read_panel(panel)


def test_entrez_id_in_the_gene_column_is_refused():
    long = pd.DataFrame({"Patient": ["P01"], "Gene": ["2322"], "Consequence": ["missense"]})
    with pytest.raises(InputError, match="gene '2322' is not a gene symbol"):
        mutation_factors(clinical(), long, panel=FIVE)


def test_a_result_column_says_what_was_found():
    """A lab table that lists every hotspot tested with a Result column: 'not detected' is a tested-negative
    row (absent), 'pending' or empty is not known (unknown), 'detected' counts (newcomer trial 2026-12-04: the
    column was ignored, so a hotspot 'not detected' counted as mutated)."""
    long = pd.DataFrame({"Patient": ["P01", "P02", "P03", "P04"], "Gene": ["TP53", "FLT3", "NF1", "SF3B1"],
                         "Consequence": ["missense", "ITD", "nonsense", "missense"],
                         "Result": ["not detected", "Detected", "pending", ""]})
    calls = mutation_factors(clinical(), long, panel=FIVE)
    t = calls.table.set_index("patient_id")
    assert (t.loc["P01", "tp53"], t.loc["P02", "flt3"], t.loc["P03", "nf1"], t.loc["P04", "sf3b1"]) == (
        "absent", "present", "unknown", "unknown")
    a = calls.audit.set_index("gene")
    assert a.loc["NF1", "reason"] == "result pending: not known"
    long.loc[0, "Result"] = "maybe"
    with pytest.raises(InputError, match="result 'maybe' of TP53 is not accepted; accepted: detected"):
        mutation_factors(clinical(), long, panel=FIVE)
