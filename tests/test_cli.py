"""The command line as a user calls it (subprocess): output, JSON, batch, errors, exit codes."""

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_cli as run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "patients.csv"


def test_score_text():
    p = run("score", "--extramedullary", "yes", "--prior-hma", "no", "--nf1", "wt", "--ptpn11", "wt",
            "--flt3", "mut", "--tp53", "wt", "--sf3b1", "wt")
    assert p.returncode == 0, p.stderr
    # OS 0.90 + 0.49 = 1.39 -> adverse; paper adverse group: n = 53, median 3.1 (1.5-6.7) months (Results, Fig. 2)
    assert "OS   score 1.39  ->  ADVERSE risk" in p.stdout
    assert "n = 53, median OS 3.1 months (95% CI 1.5-6.7)" in p.stdout
    # EFS 0.57 + 0.60 = 1.17 -> adverse; median EFS 1.8 (1.03-3.03)
    assert "EFS  score 1.17  ->  ADVERSE risk" in p.stdout
    assert "median EFS 1.8 months (95% CI 1.03-3.03)" in p.stdout
    assert "10.1038/s41375-024-02501-6" in p.stdout


def test_score_json_with_unknown():
    p = run("score", "--json", "--extramedullary", "no", "--prior-hma", "yes", "--nf1", "wt", "--ptpn11", "wt",
            "--flt3", "wt", "--sf3b1", "wt")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["os"]["score"] is None
    assert d["os"]["score_range"] == [0.64, 1.03]
    assert d["os"]["possible_groups"] == ["intermediate", "adverse"]
    assert d["os"]["group"] is None
    assert d["efs"]["score"] == 0.45 and d["efs"]["group"] == "intermediate"
    assert d["efs"]["published"]["median"] == 4.1  # Results: EFS intermediate 4.1 (3.33-6.2)
    assert d["os"]["published"] is None
    assert d["os"]["published_by_group"]["adverse"] == {
        "n": 53, "median": 3.1, "ci_low": 1.5, "ci_high": 6.7, "unit": "months", "source": "Results; Fig. 2"}
    assert d["model"]["doi"] == "10.1038/s41375-024-02501-6"


def test_efs_075_boundary_cli():
    p = run("score", "--json", "--extramedullary", "yes", "--prior-hma", "yes", "--nf1", "no", "--ptpn11", "no",
            "--flt3", "yes", "--tp53", "no", "--sf3b1", "yes")
    d = json.loads(p.stdout)
    assert d["efs"]["score"] == 0.75 and d["efs"]["group"] == "intermediate"


def test_bad_value_exit_2_one_line():
    p = run("score", "--flt3", "maybe")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("venprs: error: --flt3: 'maybe' is not accepted for flt3; accepted:")


def test_batch_csv(tmp_path):
    out = tmp_path / "scored.csv"
    p = run("score", "--input", EXAMPLE, "--output", out)
    assert p.returncode == 0, p.stderr
    src, res = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False), pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(res.columns[: len(src.columns)]) == list(src.columns)
    pd.testing.assert_frame_equal(res[src.columns], src)
    row = res.set_index("patient_id")
    assert row.loc["EX-003", "efs_score"] == "0.75" and row.loc["EX-003", "efs_group"] == "intermediate"
    assert row.loc["EX-004", "os_group"] == "" and row.loc["EX-004", "os_possible_groups"] == "favorable|intermediate|adverse"


@pytest.mark.parametrize("ext", [".xlsx", ".parquet"])
def test_batch_other_formats(tmp_path, ext):
    out = tmp_path / f"scored{ext}"
    p = run("score", "-i", EXAMPLE, "-o", out)
    assert p.returncode == 0, p.stderr
    df = pd.read_excel(out) if ext == ".xlsx" else pd.read_parquet(out)
    assert list(df["patient_id"]) == [f"EX-00{i}" for i in range(1, 7)]


def test_batch_bad_value_no_output(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE.read_text().replace("EX-005,no,no,wt,mut", "EX-005,no,no,wt,ITD?"))
    out = tmp_path / "out.csv"
    p = run("score", "--input", bad, "--output", out)
    assert p.returncode == 2
    assert p.stderr == f"venprs: error: {bad}: row 5 (sheet row 6), patient EX-005, column 'PTPN11': 'ITD?' is not " \
        "accepted for ptpn11; accepted: yes/no, mut/wt, 1/0, true/false; empty, NA or pending for unknown\n"
    assert p.stderr.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


@pytest.mark.parametrize("args,msg", [
    (["--input", "missing.csv", "--output", "o.csv"], "missing.csv: file not found"),
    (["--input", "x.json", "--output", "o.csv"], "unknown file extension '.json'"),
    (["--input", "in.csv", "--output", "o.txt2"], "unknown file extension '.txt2'"),
    (["--input", "in.csv"], "--input needs --output"),
    (["--input", "in.csv", "--output", "o.csv", "--nf1", "wt"], "--nf1 cannot be combined with --input"),
    (["--input", "nocol.csv", "--output", "o.csv"], "nocol.csv: no column for factor sf3b1"),
    (["--input", "in.csv", "--output", "nodir/o.csv"], "output folder does not exist"),
])
def test_user_errors(tmp_path, args, msg):
    (tmp_path / "in.csv").write_text(EXAMPLE.read_text())
    (tmp_path / "nocol.csv").write_text("emd,prior_hma,nf1,ptpn11,flt3,tp53\nno,no,wt,wt,wt,wt\n")
    p = run("score", *args, cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert msg in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.count("\n") == 1
    assert not (tmp_path / "o.csv").exists()


def test_missing_as_unknown(tmp_path):
    (tmp_path / "nocol.csv").write_text("emd,prior_hma,nf1,ptpn11,flt3,tp53\nno,no,wt,wt,wt,wt\n")
    p = run("score", "-i", "nocol.csv", "-o", "o.csv", "--missing-as-unknown", cwd=tmp_path)
    assert p.returncode == 0
    assert pd.read_csv(tmp_path / "o.csv")["os_possible_groups"].tolist() == ["favorable"]  # 0 or -0.98


def test_model_command():
    p = run("model")
    assert p.returncode == 0
    assert "sf3b1                  -0.98   0.38  0.2-0.8" in p.stdout
    assert "favorable: S < 0.25; intermediate: 0.25 <= S <= 0.75; adverse: S > 0.75" in p.stdout
    j = json.loads(run("model", "--json").stdout)
    assert j["reference"]["doi"] == "10.1038/s41375-024-02501-6"


def test_help_cites_paper():
    for args in ([], ["score"], ["model"]):
        p = run(*args, "--help")
        assert p.returncode == 0
        assert "Leukemia. 2025;39:614-622" in p.stdout.replace("\n", " ").replace("  ", " ")


# ---------------------------------------------------------------- issue 16: the small things a newcomer trips on

def test_version_prints_tool_and_model():
    from venprs import __version__
    from venprs.model import load_model

    p = run("--version")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"venprs {__version__}, model VEN-PRS {load_model().version}"
    assert p.stdout.strip() == "venprs 0.1.0, model VEN-PRS 1.0.0"  # pyproject.toml; model file "version"


def test_score_and_model_print_both_versions():
    p = run("score", "--extramedullary", "no", "--prior-hma", "no", "--nf1", "wt", "--ptpn11", "wt",
            "--flt3", "wt", "--tp53", "wt", "--sf3b1", "wt")
    assert p.stdout.startswith("venprs 0.1.0, model VEN-PRS 1.0.0: "), p.stdout
    m = run("model")
    assert m.stdout.startswith("venprs 0.1.0, model VEN-PRS 1.0.0 - ")
    assert "n/r" not in m.stdout
    # the model file gives no EFS group sizes (Results report medians only): said in words
    assert "n not reported" in m.stdout


@pytest.mark.parametrize("command", ["analyze", "reproduce", "calibrate", "validate"])
def test_help_text_is_clean(command):
    p = run(command, "--help")
    assert p.returncode == 0, p.stderr
    assert "list[" not in p.stdout and "<list" not in p.stdout
    assert "0.5747126436781609" not in p.stdout


def test_json_with_input_is_refused(tmp_path):
    p = run("score", "--input", str(EXAMPLE), "--output", str(tmp_path / "o.csv"), "--json")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("venprs: error: --json")
    assert not (tmp_path / "o.csv").exists()


def test_readme_usage_says_how_to_run():
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/venprs" in text and ". .venv/bin/activate" in text
    assert not re.search(r"^\$ venprs ", text, re.M)  # shell examples run the installed script


def test_an_option_given_twice_is_refused():
    """Click keeps the last of a repeated option silently: `--tp53 mut --tp53 wt` scored TP53 as wild-type
    (newcomer trial 2026-12-04). Refused for every single-value option, with both values; flags may repeat."""
    r = run("score", "--tp53", "mut", "--nf1", "wt", "--tp53=wt")
    assert r.returncode == 2 and r.stderr == "venprs: error: --tp53 is given 2 times (mut, wt): give it once\n"
    r = run("simulate", "--n", "10", "--n", "20", "--output", "x.csv")
    assert r.returncode == 2 and "--n is given 2 times (10, 20)" in r.stderr
    r = run("score", "--tp53", "mut", "--json", "--json")
    assert r.returncode == 0, r.stderr


def test_missing_factor_columns_are_all_named_with_the_columns_that_look_like_them(tmp_path):
    """Every missing factor in one error, with the column that looks like it; with --missing-as-unknown a
    note says which factors are unknown for every row (newcomer trial 2026-12-04: only the first was named,
    and --missing-as-unknown said nothing)."""
    src = tmp_path / "in.csv"
    src.write_text("patient_id,emd,prior_hma,nf1,ptpn11,FLT3-ITD,TP53 (NGS),sf3b1\nP1,no,no,wt,wt,mut,mut,wt\n")
    r = run("score", "-i", src, "-o", tmp_path / "o.csv")
    assert r.returncode == 2
    assert "no column for factor flt3 (FLT3 mutation (any)) (there is 'FLT3-ITD': if it holds this factor, " \
           "name it flt3)" in r.stderr and "no column for factor tp53 (TP53 mutation) (there is 'TP53 (NGS)'" \
           in r.stderr and "or score them as unknown" in r.stderr
    r = run("score", "-i", src, "-o", tmp_path / "o.csv", "--missing-as-unknown")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("venprs: note: no column for flt3 (there is 'FLT3-ITD': if it holds this factor, "
                               "name it flt3), tp53 (there is 'TP53 (NGS)': if it holds this factor, name it "
                               "tp53): unknown for every row\n")
