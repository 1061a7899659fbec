"""Comparator classifications: one known-answer test per published rule.

Sources next to each case: ELN 2022 = Döhner et al. Blood 2022;140:1345, Table 6 and
footnotes; 4-gene = Döhner et al. / Bataller et al. Blood Adv 2024;8:927; Breems =
J Clin Oncol 2005;23:1969 (point table, see breems.py for its provenance).
"""

from itertools import product

import numpy as np
import pandas as pd
import pytest

import venprs
from venprs.errors import InputError
from venprs.evaluation.comparators import breems, classify_all, eln2022, four_gene, gangat
from venprs.evaluation.comparators.custom import load_score, parse_score, shipped_venprs_text, venprs_spec, venprs_yaml

GENES = ("npm1", "tp53", "asxl1", "bcor", "ezh2", "runx1", "sf3b1", "srsf2", "stag2", "u2af1", "zrsr2",
         "cebpa_bzip")


def eln_row(cyto="normal", itd="wt", **genes):
    row = {"cytogenetics_dx": cyto, "flt3_type": itd}
    row.update({g: "wt" for g in GENES})
    row.update(genes)
    return row


ELN_CASES = [
    # (description, row, expected)                                                   Table 6 line / footnote
    ("t(8;21) favorable", eln_row("t(8;21)"), "favorable"),
    ("inv(16) favorable", eln_row("inv(16)"), "favorable"),
    ("t(16;16) favorable", eln_row("t(16;16)"), "favorable"),
    ("CBF with FLT3-ITD stays favorable", eln_row("t(8;21)", itd="ITD"), "favorable"),  # footnote: KIT/FLT3
    ("CBF with MR gene stays favorable", eln_row("inv(16)", asxl1="mut"), "favorable"),  # footnote: MR genes
    ("CBF with -7 stays favorable", eln_row("t(8;21)|-7"), "favorable"),  # class-defining, monosomal excl. CBF
    ("NPM1 without ITD favorable", eln_row(npm1="mut"), "favorable"),
    ("NPM1 with ITD intermediate", eln_row(npm1="mut", itd="ITD"), "intermediate"),
    ("NPM1 with TKD only favorable", eln_row(npm1="mut", itd="TKD"), "favorable"),
    ("NPM1 with adverse cytogenetics adverse", eln_row("-7", npm1="mut"), "adverse"),  # footnote
    ("NPM1 with complex karyotype adverse", eln_row("complex", npm1="mut"), "adverse"),  # footnote
    ("NPM1 with MR gene stays favorable", eln_row(npm1="mut", srsf2="mut"), "favorable"),  # footnote
    ("bZIP CEBPA favorable", eln_row(cebpa_bzip="mut"), "favorable"),
    ("bZIP CEBPA with MR gene favorable", eln_row(cebpa_bzip="mut", runx1="mut"), "favorable"),
    ("wt NPM1 with ITD intermediate", eln_row(itd="ITD"), "intermediate"),
    ("wt NPM1 with ITD and MR gene adverse", eln_row(itd="ITD", asxl1="mut"), "adverse"),
    ("t(9;11) intermediate", eln_row("t(9;11)"), "intermediate"),
    ("t(9;11) precedes adverse gene mutation", eln_row("t(9;11)", runx1="mut"), "intermediate"),  # footnote
    ("t(9;11) with complex is not complex", eln_row("t(9;11)|complex"), "intermediate"),  # CK definition
    ("normal karyotype intermediate", eln_row(), "intermediate"),
    ("other non-adverse abnormality intermediate", eln_row("other_nonadverse"), "intermediate"),
    ("Breems 'other' leaves adverse cytogenetics open", eln_row("other"), ""),
    ("Breems 'other' with TP53 is adverse", eln_row("other", tp53="mut"), "adverse"),
    ("t(6;9) adverse", eln_row("t(6;9)"), "adverse"),
    ("KMT2A-r adverse", eln_row("kmt2a_r"), "adverse"),
    ("t(9;22) adverse", eln_row("t(9;22)"), "adverse"),
    ("t(8;16) adverse", eln_row("t(8;16)"), "adverse"),
    ("inv(3) adverse", eln_row("inv(3)"), "adverse"),
    ("t(3;3) adverse", eln_row("t(3;3)"), "adverse"),
    ("MECOM-r adverse", eln_row("mecom_r"), "adverse"),
    ("-5 adverse", eln_row("-5"), "adverse"),
    ("del(5q) adverse", eln_row("del(5q)"), "adverse"),
    ("-7 adverse", eln_row("-7"), "adverse"),
    ("-17/abn(17p) adverse", eln_row("abn(17p)"), "adverse"),
    ("complex adverse", eln_row("complex"), "adverse"),
    ("monosomal adverse", eln_row("monosomal"), "adverse"),
    ("hyperdiploid trisomies only is not complex", eln_row("complex|hyperdiploid_trisomies"), "intermediate"),
    ("TP53 adverse", eln_row(tp53="mut"), "adverse"),
] + [(f"{g.upper()} adverse", eln_row(**{g: "mut"}), "adverse")
     for g in ("asxl1", "bcor", "ezh2", "runx1", "sf3b1", "srsf2", "stag2", "u2af1", "zrsr2")]


@pytest.mark.parametrize("desc,row,expected", ELN_CASES, ids=[c[0] for c in ELN_CASES])
def test_eln2022_rules(desc, row, expected):
    res = eln2022.classify(pd.DataFrame([row]))
    assert res.skipped is None
    assert res.groups.iloc[0] == expected, desc


def test_eln2022_complex_flag_column_and_hyperdiploid():
    df = pd.DataFrame([eln_row("other_nonadverse"), eln_row("hyperdiploid_trisomies")])
    df["complex_karyotype"] = ["yes", "yes"]
    assert eln2022.classify(df).groups.tolist() == ["adverse", "intermediate"]


def test_eln2022_unknown_inputs_kept_only_when_determinate():
    df = pd.DataFrame([eln_row("t(8;21)", tp53=""), eln_row(tp53=""), eln_row("", npm1="")])
    res = eln2022.classify(df)
    assert res.groups.tolist() == ["favorable", "", ""]
    assert res.possible.iloc[1] == "intermediate|adverse"
    assert res.possible.iloc[2] == "favorable|intermediate|adverse"


def test_eln2022_missing_mr_genes_assumed_wt_and_stated():
    df = pd.DataFrame([{"cytogenetics_dx": "normal", "flt3_type": "", "flt3": "wt", "npm1": "mut",
                        "tp53": "wt"}])
    res = eln2022.classify(df)
    assert res.groups.iloc[0] == "favorable"  # empty flt3_type + FLT3 wt = no ITD
    assert any("BCOR" in n for n in res.notes) and any("CEBPA" in n for n in res.notes)


def test_eln2022_recorded_group_fills_undecided_rows_only_when_allowed():
    df = pd.DataFrame([eln_row("other"), eln_row("other"), eln_row("other", npm1="mut"), eln_row("t(8;21)")])
    df["eln2022"] = ["intermediate", "favorable", "adverse", "adverse"]
    res = eln2022.classify(df)
    # row 2: favorable is impossible without CBF/NPM1/CEBPA -> stays open; row 4: derived wins
    assert res.groups.tolist() == ["intermediate", "", "adverse", "favorable"]
    assert any("recorded ELN 2022 group used" in n and "contradict" in n for n in res.notes)


def test_eln2022_recorded_fallback_and_skip():
    rec = eln2022.classify(pd.DataFrame({"ELN2022": ["fav", "Adverse", ""]}))
    assert rec.groups.tolist() == ["favorable", "adverse", ""]
    assert "recorded" in rec.notes[0]
    assert "missing input columns" in eln2022.classify(pd.DataFrame({"x": [1]})).skipped


def test_eln2022_bad_cytogenetics_names_row_and_column():
    with pytest.raises(InputError, match=r"row 2, column 'cytogenetics_dx'.*accepted"):
        eln2022.classify(pd.DataFrame([eln_row(), eln_row("t(1;2)")]))


FOUR = [({"tp53": "mut", "nras": "mut", "kras": "wt", "flt3_type": "ITD"}, "adverse"),  # TP53 decides
        ({"tp53": "wt", "nras": "wt", "kras": "wt", "flt3_type": "ITD"}, "intermediate"),
        ({"tp53": "wt", "nras": "mut", "kras": "wt", "flt3_type": "wt"}, "intermediate"),
        ({"tp53": "wt", "nras": "wt", "kras": "mut", "flt3_type": "TKD"}, "intermediate"),
        ({"tp53": "wt", "nras": "wt", "kras": "wt", "flt3_type": "TKD"}, "favorable"),  # TKD is not ITD
        ({"tp53": "mut", "nras": "", "kras": "", "flt3_type": ""}, "adverse"),  # determinate despite unknowns
        ({"tp53": "wt", "nras": "", "kras": "wt", "flt3_type": "wt"}, "")]


def test_four_gene_rules():
    df = pd.DataFrame([r for r, _ in FOUR])
    assert four_gene.classify(df).groups.tolist() == [e for _, e in FOUR]
    assert "missing input columns: nras" in four_gene.classify(df.drop(columns="nras")).skipped


def test_breems_points_and_groups():
    # points: RFI >18:0, 7-18:3, <7:5; inv16 0, t(8;21) 3, other 5; age <=35 0, 36-45 1, >45 2; SCT 2
    df = pd.DataFrame({
        "cr_to_relapse_months": ["19", "18", "7", "6.9", "30", "", "12"],
        "cytogenetics_dx": ["inv(16)", "t(8;21)", "other", "normal", "inv(16)", "other", "t(8;21)"],
        "age": ["35.9", "36", "45", "46", "20", "50", "40"],
        "prior_allohct": ["no", "no", "yes", "yes", "yes", "no", "no"],
        "disease_status": ["relapsed"] * 6 + ["refractory"],
    })
    res = breems.classify(df)
    assert res.score.tolist()[:5] == [0, 7, 11, 14, 2]  # 3+5+1+2 = 11
    assert res.groups.tolist() == ["favorable", "intermediate", "adverse", "adverse", "favorable", "", ""]
    assert "1 refractory" in res.notes[0]


def test_gangat_skipped_with_reason():
    res = gangat.classify(pd.DataFrame({"x": [1]}))
    assert res.groups is None and "could not be sourced" in res.skipped


# ------------------------------------------------------------------ user-defined scores

def test_shipped_venprs_file_is_generated_from_model():
    assert shipped_venprs_text() == venprs_yaml()


def test_venprs_score_file_reproduces_score_table_on_all_128_combinations(tmp_path):
    p = tmp_path / "v.yaml"
    p.write_text(shipped_venprs_text())
    sc = load_score(p)
    factors = [f.name for f in venprs.scoring.FACTOR_FIELDS]
    df = pd.DataFrame([dict(zip(factors, v)) for v in product(["yes", "no"], repeat=7)])
    ref = venprs.score_table(df)
    for ep in ("os", "efs"):
        res = sc.classify(df, ep)
        assert res.groups.tolist() == ref[f"{ep}_group"].astype(object).fillna("").tolist()
        np.testing.assert_array_equal(res.score.to_numpy(), ref[f"{ep}_score"].to_numpy())


def test_venprs_score_file_unknowns_match_score_table():
    sc = parse_score(venprs_spec())
    factors = [f.name for f in venprs.scoring.FACTOR_FIELDS]
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.choice(["yes", "no", ""], size=(300, 7)), columns=factors)
    ref = venprs.score_table(df)
    for ep in ("os", "efs"):
        res = sc.classify(df, ep)
        assert res.groups.tolist() == ref[f"{ep}_group"].astype(object).fillna("").tolist()
        assert res.possible.tolist() == ref[f"{ep}_possible_groups"].tolist()


def test_custom_score_categorical_invert_and_boundaries(tmp_path):
    p = tmp_path / "s.json"
    p.write_text('{"name": "demo", "scale": 10, "factors": ['
                 '{"name": "no_cr", "columns": ["best_response"], "present_values": ["PR", "SD/RD"],'
                 ' "absent_values": ["CR", "CRi"], "weight": "1"},'
                 '{"name": "idh2_wt", "columns": ["idh2"], "invert": true, "weight": "1.5"}],'
                 '"groups": [{"label": "low", "below": "1"}, {"label": "mid", "at_most": "1.5"},'
                 ' {"label": "high"}]}')
    sc = load_score(p)
    df = pd.DataFrame({"best_response": ["CR", "PR", "CR", "PR", "MLFS"], "idh2": ["mut", "mut", "wt", "wt", "mut"]})
    res = sc.classify(df, "os")
    # scores 0, 1, 1.5, 2.5, unknown (0 or 1)
    assert res.score.tolist()[:4] == [0, 1, 1.5, 2.5]
    assert res.groups.tolist() == ["low", "mid", "mid", "high", ""]
    assert res.possible.iloc[4] == "low|mid"


@pytest.mark.parametrize("spec,msg", [
    ({"name": "X", "factors": [], "groups": []}, "name"),
    ({"name": "a", "factors": [{"name": "f", "weight": "0.123"}],
      "groups": [{"label": "l", "below": "1"}, {"label": "h"}]}, "not a multiple"),
    ({"name": "a", "factors": [{"name": "f", "weight": "1"}], "groups": [{"label": "l", "below": "1"},
                                                                         {"label": "h", "below": "2"}]},
     "no bound"),
])
def test_custom_score_errors(spec, msg):
    with pytest.raises(InputError, match=msg):
        parse_score(spec)


def test_classify_all_skips_missing_and_user_replaces_builtin():
    df = pd.DataFrame({"tp53": ["mut"], "nras": ["wt"], "kras": ["wt"], "flt3_itd": ["no"]})
    spec = dict(venprs_spec(), name="gangat")
    out = classify_all(df, "os", [parse_score(spec)])
    assert out["four_gene"].groups.tolist() == ["adverse"]
    assert out["breems"].skipped.startswith("missing input columns")
    assert out["gangat"].skipped is None and out["gangat"].label == "VEN-PRS (published)"
