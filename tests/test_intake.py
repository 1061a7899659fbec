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
