"""Batch scoring: rows, order, ids and every input column kept; formats; errors."""

import numpy as np
import pandas as pd
import pytest

import venprs
from venprs.io import read_table, write_table
from venprs.scoring import OUTPUT_COLUMNS


def cohort(n=500, seed=3):
    rng = np.random.default_rng(seed)
    vals = np.array(["mut", "wt", "", "yes", "no", "nd"], dtype=object)
    df = pd.DataFrame({"patient_id": [f"P{i:05d}" for i in rng.permutation(n)]})
    for c in ["EMD", "prior HMA", "NF1", "PTPN11", "FLT3", "TP53", "SF3B1"]:
        df[c] = vals[rng.integers(0, len(vals), n)]
    df["free text, with comma"] = "note \"quoted\", " + df["patient_id"]
    return df


def test_rows_order_ids_and_columns_kept():
    df = cohort()
    df.index = pd.RangeIndex(100, 100 + len(df))
    out = venprs.score_table(df)
    assert list(out.columns) == list(df.columns) + list(OUTPUT_COLUMNS)
    assert len(out) == len(df)
    assert out.index.equals(df.index)
    pd.testing.assert_frame_equal(out[df.columns], df)


def test_table_agrees_with_single_patient_api():
    df = cohort(200)
    out = venprs.score_table(df)
    names = ["extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1"]
    for (_, row), (_, res) in zip(df.iterrows(), out.iterrows()):
        r = venprs.score(**dict(zip(names, row.iloc[1:8])))
        for ep in ("os", "efs"):
            e = r[ep]
            assert (res[f"{ep}_score"] == e.score) if e.score is not None else np.isnan(res[f"{ep}_score"])
            assert (res[f"{ep}_score_min"], res[f"{ep}_score_max"]) == e.score_range
            assert res[f"{ep}_possible_groups"] == "|".join(e.possible_groups)
            assert bool(res[f"{ep}_determinate"]) == e.determinate
            assert (res[f"{ep}_group"] if pd.notna(res[f"{ep}_group"]) else None) == e.group


def test_missing_column_is_an_error_unless_allowed():
    df = cohort(10).drop(columns=["SF3B1"])
    with pytest.raises(venprs.InputError, match=r"no column for factor sf3b1 \(SF3B1 mutation\); accepted column names: sf3b1, sf3b1_mut"):
        venprs.score_table(df)
    out = venprs.score_table(df, missing_columns="unknown")
    assert out["os_score"].isna().all()  # SF3B1 unknown for everyone -> no exact OS score


def test_bad_value_names_row_and_column():
    df = cohort(10)
    df.loc[6, "FLT3"] = "ITD?"
    df.loc[2, "TP53"] = "None"
    with pytest.raises(venprs.InputErrors) as ei:
        venprs.score_table(df)
    first, second = ei.value.problems  # every bad cell at once, in row order
    assert (first.row, first.column, first.value) == (3, "TP53", "None")
    assert first.patient == df.loc[2, "patient_id"] and first.sheet_row is None  # no file: no sheet row
    assert "could mean 'no mutation' or 'not known'" in first.message
    assert str(second).startswith(f"row 7, patient {df.loc[6, 'patient_id']}, column 'FLT3': 'ITD?' is not "
                                  "accepted for flt3 (did you mean 'itd'?)")


def test_flt3_subtypes_only_for_flt3():
    df = cohort(4)
    df["FLT3"] = ["ITD", "TKD", "ITD+TKD", "itd/tkd"]
    assert venprs.score_table(df)["os_score_min"].notna().all()
    df.loc[0, "NF1"] = "ITD"
    with pytest.raises(venprs.InputError, match=r"ITD is a FLT3 subtype; this column is not FLT3"):
        venprs.score_table(df)


def test_already_scored_input_is_refused():
    out = venprs.score_table(cohort(5))
    with pytest.raises(venprs.InputError, match=r"input already has output column 'os_score'"):
        venprs.score_table(out)


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".xlsx", ".parquet"])
def test_round_trip_formats(tmp_path, ext):
    df = cohort(50)
    src = tmp_path / f"in{ext}"
    write_table(df, src)
    back = read_table(src)
    assert list(back["patient_id"]) == list(df["patient_id"])
    out = venprs.score_table(back)
    dst = tmp_path / f"out{ext}"
    write_table(out, dst)
    again = read_table(dst)
    assert list(again.columns) == list(df.columns) + list(OUTPUT_COLUMNS)
    assert list(again["patient_id"]) == list(df["patient_id"])
    exp = venprs.score_table(df)
    assert list(again["os_possible_groups"].astype(str)) == list(exp["os_possible_groups"].astype(str))


def test_csv_text_is_kept_exactly(tmp_path):
    p = tmp_path / "ids.csv"
    p.write_text("patient_id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,comment\n"
                 "007,no,no,wt,wt,wt,wt,wt,\"multi\nline, text\"\n"
                 "1e3,yes,NA,wt,wt,wt,wt,wt,NA\n", encoding="utf-8")
    df = read_table(p)
    assert list(df["patient_id"]) == ["007", "1e3"]
    assert list(df["comment"]) == ["multi\nline, text", "NA"]
    out = venprs.score_table(df)
    assert out["os_possible_groups"].tolist() == ["favorable", "adverse"]  # 0.90 or 0.90 + 0.64: both adverse


def test_read_errors(tmp_path):
    with pytest.raises(venprs.InputError, match=r"nope.csv: file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(venprs.InputError, match=r"unknown file extension '.json'; accepted: .csv"):
        read_table(tmp_path / "x.json")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(venprs.InputError, match=r"bad.xlsx: cannot read this Excel file"):
        read_table(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(venprs.InputError, match=r"column name\(s\) 'a' appear more than once in the header"):
        read_table(dup)
