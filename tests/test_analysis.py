"""The derivation workflow (``venprs analyze`` / ``venprs reproduce``): outputs, contract, robustness.

The cohorts here are small seeded synthetic tables (no clinical meaning); the
statistics themselves are checked against R in ``tests/test_survival.py``.
"""

import hashlib
import json
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _cohort import make_report_cohort
from conftest import run_cli as _run_cli
from venprs.errors import InputError
from venprs.evaluation import derivation as dv
from venprs.evaluation.cohort import DAYS_PER_MONTH, prepare_cohort
from venprs.model import GROUPS, load_model
from venprs.reporting.report import run_report

FACTORS = list(load_model().factor_names)
SRC = str(Path(__file__).resolve().parents[1] / "src")


def get(d, path):
    for k in path.split("."):
        d = d[k]
    return d


def run_cli(*args):
    return _run_cli(*args, PATH="/usr/bin:/bin")  # nothing else needed on PATH


CONTRACT = ["km.{ep}.median", "km.{ep}.ci", "groups.{ep}.published.logrank_p", "groups.{ep}.derived.logrank_p"]


def check_contract(r):
    """The documented results.json keys (docs/results-json.md) exist with sane values."""
    assert r["schema"] == "venprs.results/1"
    for ep in ("os", "efs"):
        for key in CONTRACT:
            get(r, key.format(ep=ep))
        km = r["km"][ep]
        assert km["median"] is None or km["median"] > 0
        assert len(km["ci"]) == 2
        if km["ci"][0] is not None and km["median"] is not None:
            assert km["ci"][0] <= km["median"]
        for kind in ("multivariate", "univariate"):
            for f in load_model().endpoints[ep].factors:
                term = r["cox"][ep][kind][f]
                for k in ("coef", "hr", "ci_low", "ci_high", "p", "estimable"):
                    assert k in term
                if term["estimable"] and term.get("flag") != "may_be_infinite":  # else the CI may reach inf
                    assert term["ci_low"] < term["hr"] < term["ci_high"]
                    assert term["hr"] == pytest.approx(np.exp(term["coef"]))
                    assert 0 <= term["p"] <= 1
        for kind in ("published", "derived"):
            g = r["groups"][ep][kind]
            for grp in GROUPS:
                assert set(g[grp]) >= {"n", "median", "ci_low", "ci_high"}
            assert sum(g[grp]["n"] for grp in GROUPS) == g["n_used"]
            assert 0 <= g["logrank_p"] <= 1
    assert "tp53" not in r["cox"]["efs"]["multivariate"]  # EFS: the six factors without TP53


def check_html(out: Path):
    html = (out / "report.html").read_text()
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', html, re.I), "report must not load anything"
    assert "<img" in html and "data:image/png;base64," in html
    for f in ("km_os", "km_efs", "km_os_published", "km_efs_derived"):
        assert (out / "figures" / f"{f}.png").stat().st_size > 1000
        assert (out / "figures" / f"{f}.svg").read_text().lstrip().startswith("<?xml")


def test_analyze_cli_end_to_end(tmp_path):
    make_report_cohort().to_csv(tmp_path / "c.csv", index=False)
    out = tmp_path / "out"
    p = run_cli("analyze", str(tmp_path / "c.csv"), "--out", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    r = json.loads((out / "results.json").read_text())
    check_contract(r)
    check_html(out)
    assert r["input"]["n_patients"] == 160
    assert r["skipped"] == []
    assert set(r["km"]) == {"os", "efs", "rfs"}
    # the TP53-unknown patients: OS multivariate excludes them, EFS (no TP53) does not
    assert r["cox"]["os"]["multivariate_fit"]["n"] == 150
    assert r["cox"]["efs"]["multivariate_fit"]["n"] == 160
    base = pd.read_csv(out / "baseline_survival.csv")
    assert list(base.columns) == ["endpoint", "time", "surv"]
    assert set(base.endpoint) == {"os", "efs"}
    assert (np.diff(base[base.endpoint == "os"].surv) <= 0).all()
    # the calculator's loader reads both exported baselines as step functions
    from venprs.prediction import load_baseline

    for name in ("baseline_survival.csv", "baseline_survival_published.csv"):
        b = load_baseline(out / name)
        assert set(b) == {"os", "efs"}


def test_km_results_equal_survival_module(tmp_path):
    d = make_report_cohort(full=False)
    c = prepare_cohort(d)
    res, km = dv.km_endpoint(c, "os")
    from venprs.survival import kaplan_meier

    ref = kaplan_meier(d.os_months, d.os_event)
    assert (res["median"], tuple(res["ci"])) == (ref.median, ref.ci)


def test_minimal_cohort_skips_with_reasons(tmp_path):
    c = prepare_cohort(make_report_cohort(n=120, full=False))
    r = run_report(c, tmp_path / "o", options={"quick": True})
    check_contract(r)
    skipped = {s["analysis"]: s["reason"] for s in r["skipped"]}
    assert "response" in skipped and "best_response" in skipped["response"]
    assert "km.rfs" in skipped and "subgroups.relapsed_refractory" in skipped
    html = (tmp_path / "o" / "report.html").read_text()
    assert "Skipped response: no best_response column" in html


def _rare_cohort():
    d = make_report_cohort(n=140, full=False)
    d["nf1"] = 0
    censored = np.flatnonzero(d.os_event.to_numpy() == 0)[:2]
    d.loc[censored, "nf1"] = 1  # two carriers, both censored for OS: monotone likelihood
    d.loc[censored, "efs_event"] = 0
    d["sf3b1"] = 0  # no carriers at all
    return prepare_cohort(d)


def test_rare_factor_as_r_by_default(tmp_path):
    r = run_report(_rare_cohort(), tmp_path / "o", options={"quick": True})
    check_contract(r)
    mv = r["cox"]["os"]["multivariate"]
    # R: nf1's large estimate kept with R's warning; sf3b1 NA (no warning from R)
    assert mv["nf1"]["estimable"] is True and mv["nf1"]["coef"] < -10 and mv["nf1"]["flag"] == "may_be_infinite"
    assert mv["sf3b1"]["estimable"] is False and mv["sf3b1"]["coef"] is None and mv["sf3b1"]["flag"] == "na"
    fit = r["cox"]["os"]["multivariate_fit"]
    assert fit["rare_factors"] == "r" and fit["r_warnings"] == [
        "Loglik converged before variable  3 ; coefficient may be infinite. "]
    assert r["rare_factors"]["policy"] == "r"
    mine = {(e["analysis"], e["endpoint"], e["factor"], e["flag"]): e["r_message"] for e in r["rare_factors"]["flagged"]}
    assert mine[("cox multivariate", "os", "nf1", "may_be_infinite")] == fit["r_warnings"][0]
    assert mine[("cox multivariate", "os", "sf3b1", "na")] is None
    assert ("cox univariate", "os", "sf3b1", "na") in mine
    assert r["groups"]["os"]["derived"]["not_estimable"] == ["sf3b1"]
    html = (tmp_path / "o" / "report.html").read_text()
    assert "--rare-factors r, the default" in html and "Flagged Cox fits" in html
    assert "Loglik converged before variable  3 ; coefficient may be infinite." in html


def test_rare_factor_dropped_with_drop_policy(tmp_path):
    r = run_report(_rare_cohort(), tmp_path / "o", options={"quick": True, "rare_factors": "drop"})
    check_contract(r)
    assert r["rare_factors"]["policy"] == "drop"
    assert all(e["r_message"] is None and e["flag"] == "dropped" for e in r["rare_factors"]["flagged"]
               if e["analysis"].startswith("cox"))
    mv = r["cox"]["os"]["multivariate"]
    assert mv["nf1"]["estimable"] is False and mv["nf1"]["coef"] is None and mv["nf1"]["carriers"] == 2
    assert mv["sf3b1"]["estimable"] is False and mv["sf3b1"]["carriers"] == 0
    assert mv["ptpn11"]["estimable"] is True
    notes = " ".join(r["cox"]["os"]["multivariate_fit"]["notes"])
    assert "nf1" in notes and "monotone" in notes and "sf3b1" in notes and "no carriers" in notes
    assert r["cox"]["os"]["univariate"]["nf1"]["estimable"] is False
    der = r["groups"]["os"]["derived"]
    assert der["coefficients"]["nf1"] == "0.00" and set(der["not_estimable"]) == {"nf1", "sf3b1"}
    html = (tmp_path / "o" / "report.html").read_text()
    assert "not estimable" in html and "monotone likelihood" in html


def test_derived_units_round_half_away_and_groups():
    class Fit:
        covariates = ["a", "b", "c", "d"]
        coef = pd.Series({"a": 0.125, "b": -0.125, "c": np.nan, "d": 0.904})

    assert dv.derived_units(Fit()) == {"a": 13, "b": -13, "c": 0, "d": 90}
    c = prepare_cohort(make_report_cohort(n=30, full=False))
    units = {f: 0 for f in FACTORS}
    units.update(prior_hma=25, extramedullary=51)
    grp, score = dv.derived_groups(c, units)
    d = c.data
    s = 25 * d.prior_hma + 51 * d.extramedullary
    want = np.where(s < 25, "favorable", np.where(s > 75, "adverse", "intermediate"))
    assert (grp == want).all()  # 0.25 exactly is intermediate, 0.76 adverse (Table 4 footnote rule)


def test_time_unit_days(tmp_path):
    d = make_report_cohort(n=80, full=False)
    days = d.assign(os_months=d.os_months * DAYS_PER_MONTH, efs_months=d.efs_months * DAYS_PER_MONTH)
    a = dv.km_endpoint(prepare_cohort(d), "os")[0]
    b = dv.km_endpoint(prepare_cohort(days, time_unit="days"), "os")[0]
    assert b["median"] == pytest.approx(a["median"], rel=1e-12)


def test_columns_map(tmp_path):
    d = make_report_cohort(n=60, full=False).rename(columns={"os_months": "OS time", "flt3": "FLT3 any mutation"})
    (tmp_path / "map.yaml").write_text("os_months: OS time\nflt3: FLT3 any mutation\n")
    from venprs.evaluation.cohort import read_columns_map

    c = prepare_cohort(d, columns=read_columns_map(tmp_path / "map.yaml"))
    assert c.columns["os_months"] == "OS time" and c.columns["flt3"] == "FLT3 any mutation"
    with pytest.raises(InputError, match="required column 'flt3' is missing"):
        prepare_cohort(d)
    # the canonical name wins over an alias; two aliases are ambiguous
    d2 = make_report_cohort(n=20, full=False).assign(id=range(20))
    assert prepare_cohort(d2).columns["patient_id"] == "patient_id"
    d3 = make_report_cohort(n=20, full=False).rename(columns={"patient_id": "id"}).assign(pid=range(20))
    with pytest.raises(InputError, match="both name patient_id"):
        prepare_cohort(d3)


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d.assign(os_months=d.os_months.where(d.index != 4, -2.0)), r"row 5.*'os_months'.*negative time"),
    (lambda d: d.assign(efs_event=d.efs_event.where(d.index != 2, 2)), r"row 3.*'efs_event'.*event value '2'"),
    (lambda d: d.drop(columns=["efs_event"]), r"required column 'efs_event' is missing"),
    (lambda d: d.assign(os_event=0), r"all 40 patients are censored for OS"),
    (lambda d: d.assign(os_months=d.os_months.astype(object).where(d.index != 0, "soon")),
     r"row 1.*'os_months'.*'soon' is not a number"),
    (lambda d: d.assign(ptpn11=d.ptpn11.astype(object).where(d.index != 6, "maybe")), r"row 7.*'ptpn11'.*'maybe'"),
    (lambda d: d.assign(patient_id="P1"), r"row 2.*patient_id 'P1' appears twice"),
])
def test_malformed_cohorts(mutate, match):
    d = mutate(make_report_cohort(n=40, full=False))
    with pytest.raises(InputError, match=match):
        prepare_cohort(d)


def test_malformed_cohort_cli_one_line_exit_2(tmp_path):
    d = make_report_cohort(n=40, full=False)
    d.loc[4, "os_months"] = -1
    d.to_csv(tmp_path / "bad.csv", index=False)
    p = run_cli("analyze", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o"))
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0
    assert "bad.csv" in p.stderr and "row 5" in p.stderr and "os_months" in p.stderr and "-1" in p.stderr
    assert not (tmp_path / "o" / "results.json").exists()


def test_reproduce_cli_end_to_end(tmp_path):
    out = tmp_path / "rep"
    p = run_cli("reproduce", "--out", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    r = json.loads((out / "results.json").read_text())
    check_contract(r)
    check_html(out)
    assert r["input"]["n_patients"] == 240 and r["input"]["n_molecular"] == 174
    assert r["skipped"] == []
    assert set(r["km"]) == {"os", "efs", "rfs"}
    # every published value shown comes from the model file / paper_targets.json (never typed in code)
    m = load_model()
    comp = {row["quantity"]: row for rows in r["comparison"].values() for row in rows}
    nf1 = comp["OS multivariate HR nf1"]
    assert nf1["paper"] == m.endpoints["os"].term("nf1").hr
    assert nf1["difference"] == pytest.approx(nf1["this_run"] - nf1["paper"])
    assert comp["OS favorable n"]["paper"] == m.endpoints["os"].group_outcomes["favorable"]["n"]
    from venprs.simulation import target

    assert comp["OS median (months)"]["paper"] == target("km.os.median")["value"]
    assert comp["entire: sex = male (n)"]["paper"] == target("table1.entire.sex.male")["count"]
    # issue 16: every comparison row carries a tolerance with its reason and a verdict
    keys = {"quantity", "paper", "this_run", "difference", "tolerance", "within_tolerance", "source"}
    for section, rows in r["comparison"].items():
        for row in rows:
            assert keys <= set(row), (section, row["quantity"])
            assert row["tolerance"]["text"] and row["tolerance"]["reason"], (section, row["quantity"])
            assert row["within_tolerance"] in (True, False) or row["this_run"] is None, (section, row["quantity"])
    # the paper's HR 95% CI is the tolerance of an HR (Table 4)
    assert nf1["tolerance"]["reason"] == "the paper's 95% CI"
    assert nf1["within_tolerance"] == (m.endpoints["os"].term("nf1").ci[0] <= nf1["this_run"]
                                       <= m.endpoints["os"].term("nf1").ci[1])
    assert r["verdict"]["summary"].endswith("within tolerance")
    assert r["versions"]["venprs"] == "0.1.0" and r["versions"]["model"] == m.version
    html = (out / "report.html").read_text()
    assert "this run" in html and "difference" in html
    assert r["verdict"]["summary"] in html and "joint distribution" in html
    assert not re.search(r"<th[^>]*>\s*</th>", html)  # no empty table headers
    assert "AML with myelodysplasia-related cytogenetic abnormality" in html  # Table 1 labels, not codes
    assert ">mrca<" not in html and ">post_mds_mpn<" not in html
    # sections without a published value say so
    from venprs.reporting.report import NO_PUBLISHED_VALUE

    uncompared = [x["key"] for x in r["sections"] if x.get("compared_with_paper") is False and x["key"] != "input"]
    assert "subgroups" in uncompared and html.count(NO_PUBLISHED_VALUE) == len(uncompared)
    # the rare-factor policy is stated, and the change of numbers since venprs 0.1 said plainly
    assert r["rare_factors"]["policy"] == "r" and "--rare-factors r" in r["command"]
    assert "Changed in this version (issue 9)" in html and "are not adjusted" in html
    # subgroups as the paper did (Supplementary Figs. S7-S10)
    assert set(r["subgroups"]) == {"relapsed", "refractory", "one_prior_line", "more_than_one_prior_line"}
    assert r["subgroups"]["relapsed"]["n"] + r["subgroups"]["refractory"]["n"] == 240


def test_parallel_figures_give_the_same_results(tmp_path):
    c = prepare_cohort(make_report_cohort(n=100, full=False))
    a = run_report(c, tmp_path / "a", options={"quick": True, "workers": 1})
    b = run_report(c, tmp_path / "b", options={"quick": True, "workers": 2})
    for r in (a, b):
        r.pop("generated_utc")
    assert a == b
    assert (tmp_path / "a" / "report.html").read_text().count("data:image/png") == \
        (tmp_path / "b" / "report.html").read_text().count("data:image/png") == len(a["figures"]) // 2


@pytest.mark.parametrize("n,no_genes", [(60, True), (6, False)])
def test_nothing_estimable_still_reports(tmp_path, n, no_genes):
    # no gene known (no molecular data), or 6 patients whose TP53 is unknown: no multivariate OS model
    d = make_report_cohort(n=n, full=True, seed=5)
    if no_genes:
        for g in ("nf1", "ptpn11", "flt3", "tp53", "sf3b1"):
            d[g] = ""
    r = run_report(prepare_cohort(d), tmp_path / "o", options={"quick": True})
    fit = r["cox"]["os"]["multivariate_fit"]
    assert fit["estimable"] is False and fit["n"] == 0 and "not estimable" in fit["notes"][0]
    assert all(not t["estimable"] for t in r["cox"]["os"]["multivariate"].values())
    assert r["groups"]["os"]["derived"]["n_used"] == 0 and r["groups"]["os"]["derived"]["logrank_p"] is None
    assert {"analysis": "baseline.os", "reason": "the multivariate Cox model is not estimable"} in r["skipped"]
    assert r["km"]["os"]["n"] == n


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet"])
def test_file_formats_read_the_same(tmp_path, ext):
    from venprs.io import read_table
    from venprs.simulation import simulate

    d = simulate(cohort="rr", seed=0)
    ref = prepare_cohort(d).data
    path = tmp_path / f"c.{ext}"
    {"csv": lambda: d.to_csv(path, index=False), "xlsx": lambda: d.to_excel(path, index=False),
     "parquet": lambda: d.to_parquet(path, index=False)}[ext]()
    got = prepare_cohort(read_table(path)).data
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)


# ---------------------------------------------------------------- the pipeline against R, end to end
# tests/r/analysis_reference.R on tests/data/analysis_cohort.csv (venprs.simulate(cohort="rr", seed=0),
# frozen as a file so that changes to the simulator do not move these references).
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def frozen():
    from venprs.io import read_table

    ref = json.loads((DATA / "analysis_reference.json").read_text())
    return prepare_cohort(read_table(DATA / "analysis_cohort.csv")), ref


def test_pipeline_km_and_followup_match_r(frozen):
    c, ref = frozen
    crc = c.data.best_response.isin(["CR", "CRi"]).to_numpy()
    for ep, mask in (("os", None), ("efs", None), ("rfs", crc)):
        res, _ = dv.km_endpoint(c, ep, mask)
        r = ref["km"][ep]
        assert (res["n"], res["n_events"]) == (r["n"], r["events"])
        assert res["median"] == pytest.approx(r["median"], abs=1e-9)
        assert res["ci"][0] == pytest.approx(r["lcl"], abs=1e-9)
        assert (res["ci"][1] is None) == (r["ucl"] is None)
        if r["ucl"] is not None:
            assert res["ci"][1] == pytest.approx(r["ucl"], abs=1e-9)
    assert dv.followup(c)["median"] == pytest.approx(ref["followup"]["median"], abs=1e-9)


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_pipeline_cox_matches_r(frozen, ep):
    c, ref = frozen
    factors = load_model().endpoints[ep].factors
    multi, fit = dv.cox_multivariate(c, ep, factors)
    r = ref["cox"][ep]
    assert fit.n == r["n"] and fit.n_events == r["nevent"]
    for f in factors:
        assert multi["terms"][f]["coef"] == pytest.approx(r["coef"][f], abs=1e-6)
        assert multi["terms"][f]["se"] == pytest.approx(r["se"][f], abs=1e-6)
    assert fit.loglik == pytest.approx(r["loglik"][1], abs=1e-6)
    uni = dv.cox_univariate(c, ep, dv.univariate_candidates(c))
    for f in factors:
        ru = ref["univariate"][ep][f]
        assert uni[f]["n"] == ru["n"]
        assert uni[f]["coef"] == pytest.approx(ru["coef"], abs=1e-6)
        assert uni[f]["se"] == pytest.approx(ru["se"], abs=1e-6)


@pytest.mark.parametrize("ep", ["os", "efs"])
def test_pipeline_published_groups_match_r(frozen, ep):
    c, ref = frozen
    grp, _ = dv.published_groups(c, ep)
    res = dv.group_km(c, ep, grp).results
    r = ref["groups"][ep]
    assert res["n_used"] == r["n_used"]
    for i, g in enumerate(r["group"]):
        assert res[g]["n"] == r["n"][i]
        assert res[g]["median"] == pytest.approx(r["median"][i][0], abs=1e-9)
        assert res[g]["ci_low"] == pytest.approx(r["lcl"][i][0], abs=1e-9)
        assert res[g]["ci_high"] == pytest.approx(r["ucl"][i][0], abs=1e-9)
    assert res["logrank_chi2"] == pytest.approx(r["chisq"], rel=1e-8)
    assert res["logrank_p"] == pytest.approx(r["p"], rel=1e-6)


def test_pipeline_fisher_matches_r(frozen):
    c, ref = frozen
    a = dv.response_associations(c)
    assert a["entire"]["wbc_le5"]["p"] == pytest.approx(ref["fisher"]["wbc_le5"], rel=1e-9)
    assert a["molecular"]["ptpn11"]["p"] == pytest.approx(ref["fisher"]["ptpn11"], rel=1e-9)


def test_analyze_cli_columns_map_and_days(tmp_path):
    d = make_report_cohort(n=60, full=False)
    days = d.assign(os_months=d.os_months * DAYS_PER_MONTH, efs_months=d.efs_months * DAYS_PER_MONTH)
    days.rename(columns={"os_months": "OS days", "efs_months": "EFS days"}).to_excel(tmp_path / "c.xlsx", index=False)
    (tmp_path / "map.yaml").write_text("os_months: OS days\nefs_months: EFS days\n")
    p = run_cli("analyze", str(tmp_path / "c.xlsx"), "--out", str(tmp_path / "o"), "--columns",
                str(tmp_path / "map.yaml"), "--time-unit", "days")
    assert p.returncode == 0, p.stderr
    assert "median OS" in p.stderr and "skipped response" in p.stderr
    r = json.loads((tmp_path / "o" / "results.json").read_text())
    ref, _ = dv.km_endpoint(prepare_cohort(d), "os")
    assert r["km"]["os"]["median"] == pytest.approx(ref["median"], rel=1e-12)
    assert r["input"]["columns"]["os_months"] == "OS days" and r["input"]["time_unit_input"] == "days"
    # issue 16: the summary is rounded; the command is the full one and re-running it gives the same results
    assert re.search(r"median OS (\d+\.\d months|not reached);", p.stderr), p.stderr
    assert "--columns" in r["command"] and "--time-unit days" in r["command"]
    ins = {i["file"]: i for i in r["inputs"]}
    assert ins["map.yaml"]["content"] == "os_months: OS days\nefs_months: EFS days\n"
    assert ins["c.xlsx"]["sha256"] == hashlib.sha256((tmp_path / "c.xlsx").read_bytes()).hexdigest()
    assert ins["c.xlsx"]["bytes"] == (tmp_path / "c.xlsx").stat().st_size
    # every table of the report also as CSV next to it
    assert r["tables"] and all((tmp_path / "o" / t).is_file() for t in r["tables"])
    t1 = next(t for t in r["tables"] if "continuous_median" in t)
    head = (tmp_path / "o" / t1).read_text().splitlines()[0]
    assert head.startswith("characteristic,level,entire cohort (N = 60)")
    (tmp_path / "o").rename(tmp_path / "first")
    argv = shlex.split(r["command"])
    assert argv[0] == "venprs"
    p2 = run_cli(*argv[1:])
    assert p2.returncode == 0, p2.stderr
    r2 = json.loads((tmp_path / "o" / "results.json").read_text())
    assert {k: v for k, v in r2.items() if k != "generated_utc"} == {k: v for k, v in r.items() if k != "generated_utc"}
    p = run_cli("analyze", str(tmp_path / "c.xlsx"), "--out", str(tmp_path / "o2"), "--time-unit", "weeks")
    assert p.returncode == 2 and "weeks" in p.stderr


def test_every_cox_term_has_a_human_label():
    """Univariate tables read "NPM1 mutation" like "NF1 mutation", not the code ``npm1`` (labels from
    the one cohort description, venprs.cohort_fields)."""
    from venprs.evaluation.cohort import OTHER_GENES

    assert dv.LABELS["nf1"] == "NF1 mutation"
    assert {g: dv.LABELS[g] for g in OTHER_GENES} == {g: f"{g.upper()} mutation" for g in OTHER_GENES}
