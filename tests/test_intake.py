"""The intake corpus (tests/data/intake/): every file through the CLI and through the web upload.

Each case of ``tests/data/intake/cases.json`` (written by ``make_corpus.py``, which documents the
format) is run as a user would: ``venprs score --input FILE --output OUT`` in a subprocess, and
``POST /api/v1/score-table`` on the app of :func:`venprs.web.app.create_app`. Accepted files must
give exactly the expected patient IDs and groups, and the same bytes from both; refused files must
give exit code 2 / HTTP 422 with the expected message, no traceback and no file left behind.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import run_cli
from venprs.io import input_kind
from venprs.web.app import create_app

HERE = Path(__file__).resolve().parent / "data" / "intake"
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), raise_server_exceptions=False)


def _out_name(file: str) -> str:
    try:
        tsv = input_kind(file)[0] == "tsv"
    except Exception:
        tsv = False
    return "scored.tsv" if tsv else "scored.csv"


def _columns(data: bytes, delimiter: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter, strict=True))
    return {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}


def test_corpus_is_large_and_documented():
    assert len(CASES) >= 40
    assert len({c["file"] for c in CASES}) == len(CASES)
    for c in CASES:
        assert (HERE / c["file"]).is_file(), c["file"]
        assert c["expect"] in ("ok", "error") and c["why"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_case_cli_and_web(case, client, tmp_path):
    src = HERE / case["file"]
    out = tmp_path / _out_name(case["file"])
    args = [sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out)]
    form = {}
    if "sheet" in case:
        args += ["--sheet", case["sheet"]]
        form["sheet"] = case["sheet"]
    if case.get("missing_as_unknown"):
        args.append("--missing-as-unknown")
        form["missing_as_unknown"] = "true"
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    r = client.post("/api/v1/score-table", files={"file": (case["file"], src.read_bytes())}, data=form)
    assert "Traceback" not in p.stderr and r.status_code < 500, (p.stderr, r.text)

    if case["expect"] == "ok":
        assert p.returncode == 0, p.stderr
        assert r.status_code == 200, r.text
        cli = out.read_bytes()
        assert r.content == cli, "the CLI and the web gave different bytes"
        cols = _columns(cli, "\t" if out.suffix == ".tsv" else ",")
        id_col = next(c for c in cols if c.lower().replace(" ", "_") == "patient_id")
        assert cols[id_col] == case["ids"]
        assert cols["os_possible_groups"] == case["os_groups"]
        assert cols["efs_possible_groups"] == case["efs_groups"]
        assert sorted(x.name for x in tmp_path.iterdir()) == [out.name]
        return

    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.startswith("venprs: error: ")
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    web = "\n".join(d["msg"] for d in detail)
    for fragment in case["messages"]:
        assert fragment in p.stderr, (fragment, p.stderr)
        if fragment != "--errors FILE" and not fragment.endswith(" problems") and "problems (" not in fragment:
            assert fragment in web, (fragment, web)
    if "problems" in case:
        assert len(detail) == case["problems"]
    assert list(tmp_path.iterdir()) == [], "a refused file must leave no output behind"


def test_errors_file_lists_every_problem(tmp_path):
    src = HERE / "fifteen_bad_cells.csv"
    errs = tmp_path / "problems.csv"
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output",
                        str(tmp_path / "o.csv"), "--errors", str(errs)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and f"all 15 problems written to {errs}" in p.stderr
    assert p.stderr.count("\n") == 12  # the count, 10 problems, and where all of them are
    rows = list(csv.DictReader(io.StringIO(errs.read_text(encoding="utf-8"))))
    assert [r["patient"] for r in rows] == [f"M{i:02d}" for i in range(15)]
    assert [r["sheet_row"] for r in rows] == [str(i + 2) for i in range(15)]
    assert {r["column"] for r in rows} == {"EMD"} and {r["value"] for r in rows} == {"maybe"}
    assert not (tmp_path / "o.csv").exists()


def test_web_problem_entries_name_row_sheet_row_patient(client):
    r = client.post("/api/v1/score-table", files={"file": ("x.csv", (HERE / "null_none_na.csv").read_bytes())})
    first = r.json()["detail"][0]
    assert (first["row"], first["sheet_row"], first["patient"], first["column"], first["value"]) == \
        (1, 2, "X1", "EMD", "NULL")


@pytest.mark.parametrize("command", ["analyze", "calibrate"])
def test_sheet_option_on_cohort_commands(command, tmp_path):
    """analyze and calibrate read their cohort through the same reader and take --sheet."""
    p = subprocess.run([sys.executable, "-m", "venprs", command, str(HERE / "sheet_by_name.xlsx"), "--out",
                        str(tmp_path / "rep"), "--sheet", "Nope"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "no sheet 'Nope'; sheets: 'Lookup' (hidden), 'Old', 'Second'" in p.stderr
    assert not (tmp_path / "rep").exists()


def _formula_workbook(path: Path, *, computed: bool) -> None:
    """A sheet whose prior HMA of P2 and whole row P3 are formulas. As openpyxl writes it (``computed=False``):
    no stored values and ``fullCalcOnLoad``; as Excel saves it (``computed=True``): each formula's value stored."""
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["patient_id", "EMD", "prior HMA", "NF1", "PTPN11", "FLT3", "TP53", "SF3B1"])
    ws.append(["P1", "no", "no", "wt", "wt", "wt", "wt", "wt"])
    ws.append(["P2", "no", '=IF(1>0,"yes","no")', "wt", "wt", "wt", "wt", "wt"])
    ws.append(['="P"&3', "=B2", "=C2", "=D2", "=E2", "=F2", "=G2", "=H2"])
    wb.save(path)
    if not computed:
        return
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    values = {b"C3": b"yes", b"A4": b"P3", b"B4": b"no", b"C4": b"no"}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref in ("C3", "A4", "B4", "C4", "D4", "E4", "F4", "G4", "H4"):
        v = values.get(ref.encode(), b"wt").decode()
        head, _, rest = sheet.partition(f'<c r="{ref}">')
        formula, _, tail = rest.partition("<v />")
        sheet = f'{head}<c r="{ref}" t="str">{formula}<v>{v}</v>{tail}'
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_formula_without_computed_value_is_refused(client, tmp_path):
    """A formula whose value was never computed used to be read as an empty cell: P2's prior HMA became
    unknown (a range instead of its group) and P3, all formulas, was dropped without a word."""
    src = tmp_path / "formulas.xlsx"
    _formula_workbook(src, computed=False)
    out = tmp_path / "o.csv"
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True, timeout=300)
    r = client.post("/api/v1/score-table", files={"file": ("formulas.xlsx", src.read_bytes())})
    assert p.returncode == 2 and "Traceback" not in p.stderr and not out.exists()
    assert "formulas.xlsx, sheet 'S': 9 problems" in p.stderr
    assert ("row 2 (sheet row 3), patient P2, column 'prior HMA': cell C3 holds the formula "
            "=IF(1>0,\"yes\",\"no\") but no computed value") in p.stderr
    assert "open and save it in Excel or LibreOffice, or write the values" in p.stderr
    assert r.status_code == 422
    assert [(d["column"], d["value"]) for d in r.json()["detail"]][:2] == [("prior HMA", '=IF(1>0,"yes","no")'),
                                                                           ("patient_id", '="P"&3')]


def test_formula_with_its_computed_value_is_read(client, tmp_path):
    src = tmp_path / "saved.xlsx"
    _formula_workbook(src, computed=True)
    out = tmp_path / "o.csv"
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    cols = _columns(out.read_bytes(), ",")
    assert cols["patient_id"] == ["P1", "P2", "P3"] and cols["prior HMA"] == ["no", "yes", "no"]
    # P2: prior HMA alone, OS 0.64 adverse, EFS 0.45 intermediate (Table 4)
    assert cols["os_score"] == ["0", "0.64", "0"] and cols["efs_possible_groups"][1] == "intermediate"
    r = client.post("/api/v1/score-table", files={"file": ("saved.xlsx", src.read_bytes())})
    assert r.status_code == 200 and r.content == out.read_bytes()


def test_classic_mac_line_ends_cr_only(client, tmp_path):
    """Lines ended by CR alone (Excel for Mac's "CSV (Macintosh)") used to crash the delimiter detection
    (exit 1, "internal error"); the parser itself reads them, so the file is scored like its LF twin."""
    src = tmp_path / "mac.csv"
    src.write_bytes(b'patient_id,EMD,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,note\r'
                    b'A,yes,no,wt,wt,wt,wt,wt,"two\rlines"\r\rB,no,no,wt,wt,wt,wt,wt,x\r')
    out = tmp_path / "o.csv"
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    cols = _columns(out.read_bytes(), ",")
    assert cols["patient_id"] == ["A", "B"] and cols["note"] == ["two\rlines", "x"]
    # A: extramedullary disease alone: OS 0.90 adverse, EFS 0.57 intermediate (Table 4)
    assert cols["os_score"] == ["0.9", "0"] and cols["efs_possible_groups"] == ["intermediate", "favorable"]
    r = client.post("/api/v1/score-table", files={"file": ("mac.csv", src.read_bytes())})
    assert r.status_code == 200 and r.content == out.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(src.read_bytes().replace(b"B,no,", b"B,maybe,"))
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(bad), "--output", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "row 2 (sheet row 4), patient B, column 'EMD': 'maybe' is not accepted" in p.stderr


def test_zero_padded_number_format_ids_are_read_as_the_sheet_shows_them(client, tmp_path):
    """Identifiers stored as numbers with the format 00000 show as 00123 in Excel; they were read as 123,
    so the scored table's IDs no longer matched the registry's."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["patient_id", "EMD", "prior HMA", "NF1", "PTPN11", "FLT3", "TP53", "SF3B1", "size"])
    for pid in (123, 7, "00042", 5):
        ws.append([pid, 1, 0, 0, 0, 0, 0, 0, 1.5])
    for ref in ("A2", "A3", "I2"):
        ws[ref].number_format = "00000"
    ws["B2"].number_format = "0"   # the built-in whole-number format pads nothing
    src = tmp_path / "ids.xlsx"
    wb.save(src)
    out = tmp_path / "o.csv"
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    cols = _columns(out.read_bytes(), ",")
    assert cols["patient_id"] == ["00123", "00007", "00042", "5"]
    assert cols["size"] == ["1.5"] * 4 and cols["EMD"] == ["1"] * 4   # not a whole number: unchanged
    assert cols["os_score"] == ["0.9"] * 4                             # extramedullary disease, Table 4
    r = client.post("/api/v1/score-table", files={"file": ("ids.xlsx", src.read_bytes())})
    assert r.status_code == 200 and r.content == out.read_bytes()


def test_merged_cells_over_table_rows_are_refused(client, tmp_path):
    """A value merged over two patients' rows is stored in the first cell only: the second patient's
    extramedullary disease was read as empty (unknown) although the sheet shows 'yes' for both."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])   # two blank rows above the header, merged for the layout
    ws.append([])
    ws.append(["patient_id", "EMD", "prior HMA", "NF1", "PTPN11", "FLT3", "TP53", "SF3B1"])
    ws.append(["A", "yes", "no", "wt", "wt", "wt", "wt", "wt"])
    ws.append(["B", None, "no", "wt", "wt", "wt", "wt", "wt"])
    ws.merge_cells("A1:C2")
    ws.merge_cells("B4:B5")
    src = tmp_path / "merged.xlsx"
    wb.save(src)
    out = tmp_path / "o.csv"
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and not out.exists(), p.stderr
    assert ("row 1 (sheet row 4), patient A, column 'EMD': cells B4:B5 are merged: the sheet shows 'yes' across "
            "them, but the file holds it in B4 only") in p.stderr
    r = client.post("/api/v1/score-table", files={"file": ("merged.xlsx", src.read_bytes())})
    assert r.status_code == 422 and len(r.json()["detail"]) == 1
    ws.unmerge_cells("B4:B5")
    ws["B5"] = "yes"
    ws["D4"] = None
    ws["D5"] = None
    ws.merge_cells("D4:D5")   # blank cells merged for the layout hide nothing
    wb.save(src)
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(src), "--output", str(out),
                        "--missing-as-unknown"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    # both: extramedullary disease 0.90, NF1 unknown: OS 0.90 to 0.90 + 0.94, adverse either way (Table 4)
    assert _columns(out.read_bytes(), ",")["os_possible_groups"] == ["adverse", "adverse"]


def test_errors_file_has_one_problem_that_stops_the_run_and_none_after_a_clean_run(tmp_path):
    """--errors holds whatever the terminal reports: a missing column too; after a clean run only the header,
    so a list from an earlier run is never read as this one's (newcomer trial 2026-12-04: it was kept)."""
    errs = tmp_path / "problems.csv"
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("patient_id,emd,prior_hma,nf1,ptpn11,flt3,tp53\nP1,no,no,wt,wt,wt,wt\n")
    p = run_cli("score", "-i", nocol, "-o", tmp_path / "o.csv", "--errors", errs)
    assert p.returncode == 2 and f"the problem is written to {errs}" in p.stderr
    rows = list(csv.DictReader(io.StringIO(errs.read_text(encoding="utf-8"))))
    assert len(rows) == 1 and "sf3b1" in rows[0]["problem"].lower()
    good = tmp_path / "good.csv"
    good.write_text("patient_id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1\nP1,no,no,wt,wt,wt,wt,wt\n")
    p = run_cli("score", "-i", good, "-o", tmp_path / "o.csv", "--errors", errs)
    assert p.returncode == 0, p.stderr
    assert errs.read_text(encoding="utf-8").splitlines() == ['"row","sheet_row","patient","column","value","problem"']


@pytest.mark.parametrize("option", ["--errors", "--mutation-audit"])
def test_every_output_is_checked_before_the_scored_file_is_written(option, tmp_path):
    """An output in a folder that does not exist, or the same file as --output, is refused before any work:
    exit 2 and no scored file (newcomer trial 2026-12-04: the scored file was written, then exit 2)."""
    lab = Path(__file__).parent / "data" / "lab"
    extra = ["--mutations", lab / "cohort.maf", "--panel", "NF1,PTPN11,FLT3,TP53,SF3B1"] \
        if option == "--mutation-audit" else []
    out = tmp_path / "o.csv"
    p = run_cli("score", "-i", lab / "clinical.csv", "-o", out, *extra, option, tmp_path / "nodir" / "a.csv")
    assert p.returncode == 2 and "output folder does not exist" in p.stderr, p.stderr
    assert not out.exists()
    p = run_cli("score", "-i", lab / "clinical.csv", "-o", out, *extra, option, out)
    assert p.returncode == 2 and f"{option} must not be the --output file" in p.stderr, p.stderr
    assert list(tmp_path.iterdir()) == []
