"""Accepted values, column aliases, error messages, and the data dictionary document."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import venprs
from venprs.fields import FACTOR_FIELDS, data_dictionary_markdown, match_columns, normalize_name, parse_column

ROOT = Path(__file__).resolve().parents[1]

PRESENT = [True, 1, 1.0, np.True_, np.int64(1), "1", "1.0", "yes", "YES", " Yes ", "true", "True", "mut", "MUT",
           "mutated", "Mutated", "positive", "pos", "present", "Present", "Y", "y"]
ABSENT = [False, 0, 0.0, np.False_, "0", "0.0", "no", "No", "false", "FALSE", "wt", "WT", "wildtype", "WildType",
          "wild-type", "wild type", "negative", "neg", "absent", "  absent  ", "N", "n"]
UNKNOWN = [None, math.nan, np.nan, pd.NA, "", "  ", "NA", "na", "n/a", "N/A", "nan", "NaN", "unknown", "Unknown",
           "nd", "ND", "not done", "Not Done", "pending", "Pending", "not tested"]


@pytest.mark.parametrize("value", PRESENT)
def test_present_values(value):
    assert venprs.score(flt3=value).inputs["flt3"] is True


@pytest.mark.parametrize("value", ABSENT)
def test_absent_values(value):
    assert venprs.score(flt3=value).inputs["flt3"] is False


@pytest.mark.parametrize("value", UNKNOWN)
def test_unknown_values(value):
    assert venprs.score(flt3=value).inputs["flt3"] is None


@pytest.mark.parametrize("value", ["maybe", "2", 2, -1, 0.5, "mutant?", "+", [1], "None", "NULL", "#N/A", "-",
                                   "ITD"])
def test_bad_values_raise_input_error(value):
    with pytest.raises(venprs.InputError, match=r"is not accepted for tp53(.*; accepted: yes/no, mut/wt, 1/0|: )"):
        venprs.score(tp53=value)
    assert issubclass(venprs.InputError, ValueError)


@pytest.mark.parametrize("value", ["ITD", "tkd", "ITD+TKD", "ITD/TKD", " itd "])
def test_flt3_subtypes_mean_flt3_mutated(value):
    """The flt3 factor is any FLT3 mutation (Table 4 footnote c): a subtype means mutated."""
    assert venprs.score(flt3=value).inputs["flt3"] is True


@pytest.mark.parametrize("value,hint", [
    ("None", "could mean 'no mutation' or 'not known'"), ("NULL", "a database's empty value"),
    ("#N/A", "a spreadsheet lookup error"), ("mutatd", "did you mean 'mutated'?"),
    ("wildtyp", "did you mean 'wildtype'?"), ("ITD", "ITD is a FLT3 subtype"), ("maybe", None)])
def test_refusals_say_why_or_suggest(value, hint):
    with pytest.raises(venprs.InputError) as ei:
        venprs.score(tp53=value)
    msg = str(ei.value)
    assert (hint in msg) if hint else ("(" not in msg.split("accepted:")[0])
    assert "boolean" not in msg and "NaN" not in msg


def test_score_is_keyword_only():
    with pytest.raises(TypeError):
        venprs.score(True)  # type: ignore[misc]


ALIASES = {
    "extramedullary": ["EMD", "extramedullary_disease", "Extramedullary disease", "extramedullary-AML",
                       "EXTRAMEDULLARY"],
    "prior_hma": ["HMA pretreatment", "prior HMA", "Prior_HMA", "hma_pretreated", "previous HMA"],
    "nf1": ["NF1", "nf1_mut", "NF1 mutation", "NF1_status"],
    "ptpn11": ["PTPN11", "PTPN11_mutated"],
    "flt3": ["FLT3", "FLT3 any", "flt3_mutation"],
    "tp53": ["TP53", "tp53 status"],
    "sf3b1": ["SF3B1", "mut_SF3B1"],
}


@pytest.mark.parametrize("factor,alias", [(f, a) for f, al in ALIASES.items() for a in al])
def test_column_aliases(factor, alias):
    assert match_columns([alias, "patient_id"]) == {factor: alias}


def test_every_declared_alias_matches():
    for f in FACTOR_FIELDS:
        for a in (f.name, *f.aliases):
            assert match_columns([a.upper()]) == {f.name: a.upper()}


def test_flt3_itd_is_not_any_flt3():
    assert match_columns(["FLT3_ITD", "flt3-itd"]) == {}


def test_two_columns_for_one_factor():
    with pytest.raises(venprs.InputError, match=r"columns 'NF1' and 'nf1_mut' both name factor nf1"):
        match_columns(["NF1", "nf1_mut"])


def test_parse_column_names_first_bad_row():
    with pytest.raises(venprs.InputErrors) as ei:
        parse_column(pd.Series(["wt", "mut", "pending?", "x", "pending?"]), "tp53", column="TP53")
    assert [(p.row, p.value) for p in ei.value.problems] == [(3, "pending?"), (4, "x"), (5, "pending?")]
    assert str(ei.value).splitlines()[1] == ("  row 3, column 'TP53': 'pending?' is not accepted for tp53 "
                                             "(did you mean 'pending'?); accepted: yes/no, mut/wt, 1/0, "
                                             "true/false; empty, NA or pending for unknown")


def test_normalize_name():
    assert normalize_name(" Prior--HMA  ") == "prior_hma"


def test_data_dictionary_document_is_current():
    doc = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert doc == data_dictionary_markdown(), "regenerate: python -m venprs.fields > docs/data-dictionary.md"
