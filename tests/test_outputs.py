"""Outputs a hospital can trust (issue 10): atomic files and report folders, cleanup on SIGTERM,
modes from the umask, output never = input, failed writes, the .xlsx row limit, the formula guard,
and one-line errors for bad option values. The CLI runs as real subprocesses."""

import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import cli_env
from conftest import run_cli as run
from venprs import io as vio
from venprs.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "patients.csv"
FACTORS = ("extramedullary", "prior_hma", "nf1", "ptpn11", "flt3", "tp53", "sf3b1")


def one_line_error(p, code=2):
    """The process failed with ``code`` and printed exactly one line, no traceback."""
    assert p.returncode == code, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr, p.stderr
    return p.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(x.name for x in folder.iterdir() if x.name.startswith("."))


def write_patients(path: Path, n: int, ids=None) -> None:
    """``n`` patients, every factor known (a plain text file, written fast)."""
    row = ",no,yes,wt,wt,mut,wt,wt\n"
    with open(path, "w") as fh:
        fh.write("patient_id," + ",".join(FACTORS) + "\n")
        for i in range(n):
            fh.write((ids[i] if ids else f"P{i}") + row)


# ------------------------------------------------------------------ output = input


def test_score_refuses_output_equal_to_input(tmp_path):
    src = tmp_path / "in.csv"
    write_patients(src, 3)
    before = src.read_bytes()
    err = one_line_error(run("score", "-i", src, "-o", src))
    assert "is also the output" in err and str(src) in err
    assert src.read_bytes() == before and leftovers(tmp_path) == []


@pytest.mark.parametrize("link", ["hardlink", "symlink", "relative"])
def test_score_refuses_same_file_by_another_name(tmp_path, link):
    src = tmp_path / "in.csv"
    write_patients(src, 3)
    before = src.read_bytes()
    if link == "hardlink":
        other = tmp_path / "other.csv"
        os.link(src, other)
    elif link == "symlink":
        other = tmp_path / "other.csv"
        other.symlink_to(src)
    else:
        (tmp_path / "sub").mkdir()
        other = tmp_path / "sub" / ".." / "in.csv"
    one_line_error(run("score", "-i", src, "-o", other))
    assert src.read_bytes() == before


def test_analyze_refuses_input_inside_the_report_folder(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "results.json").write_text(json.dumps({"schema": "venprs.results/1"}))
    src = out / "cohort.csv"
    src.write_text("patient_id\nP1\n")
    err = one_line_error(run("analyze", src, "-o", out))
    assert "inside the output folder" in err and src.exists()


# ------------------------------------------------------------------ modes, failed writes, limits


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_mode_follows_the_umask(tmp_path, umask, mode):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_patients(src, 2)
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(out)],
                       capture_output=True, text=True, env=cli_env(), preexec_fn=lambda: os.umask(umask))
    assert p.returncode == 0, p.stderr
    assert out.stat().st_mode & 0o777 == mode  # as `open()` would create it: 0666 & ~umask


def _limit_file_size(nbytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


def test_failed_write_is_one_line_and_leaves_nothing(tmp_path):
    """A write that fails half-way (here: file size limit, EFBIG, as a full disk gives ENOSPC)."""
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_patients(src, 2000)
    out.write_text("earlier output\n")
    p = subprocess.run([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(out)],
                       capture_output=True, text=True, env=cli_env(), preexec_fn=_limit_file_size(100_000))
    err = one_line_error(p)
    assert err == f"venprs: error: {out}: cannot write: File too large\n"
    assert out.read_text() == "earlier output\n" and leftovers(tmp_path) == []


def test_atomic_write_turns_os_errors_into_input_errors(tmp_path, monkeypatch):
    """Disk full, in-process: ENOSPC while writing."""
    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(vio, "write_csv", full)
    with pytest.raises(InputError, match="cannot write: No space left on device"):
        vio.write_table(pd.DataFrame({"a": ["1"]}), tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_xlsx_over_the_row_limit_is_refused_before_scoring(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.xlsx"
    write_patients(src, vio.XLSX_MAX_ROWS + 1)
    t0 = time.perf_counter()
    err = one_line_error(run("score", "-i", src, "-o", out))
    assert "1,048,576 rows do not fit in an .xlsx sheet (at most 1,048,575 rows)" in err
    assert not out.exists() and leftovers(tmp_path) == []
    assert time.perf_counter() - t0 < 60


def test_xlsx_row_limit_in_write_table(tmp_path):
    df = pd.DataFrame({"a": range(3)})
    vio.check_output_rows(vio.XLSX_MAX_ROWS, tmp_path / "ok.xlsx")
    vio.check_output_rows(vio.XLSX_MAX_ROWS + 1, tmp_path / "ok.csv")  # CSV has no limit
    with pytest.raises(InputError, match="1,048,576 rows do not fit"):
        vio.check_output_rows(vio.XLSX_MAX_ROWS + 1, tmp_path / "no.xlsx")
    vio.write_table(df, tmp_path / "ok.xlsx")


# ------------------------------------------------------------------ SIGTERM


def _wait_for(pred, proc, timeout=120.0):
    t0 = time.monotonic()
    while not pred():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, "timed out"
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_score_leaves_no_hidden_file(tmp_path, sig):
    """SIGTERM/SIGINT while the output is being written: the hidden temp file with patient rows goes."""
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_patients(src, 400_000)
    proc = subprocess.Popen([sys.executable, "-m", "venprs", "score", "-i", str(src), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    _wait_for(lambda: leftovers(tmp_path), proc)  # the temporary ".out.csv.XXXX.csv" exists
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig
    assert err == f"venprs: stopped by {sig.name}; no output written\n"
    assert leftovers(tmp_path) == [] and not out.exists()


@pytest.mark.slow
def test_sigterm_during_analyze_keeps_the_earlier_report(tmp_path):
    from _cohort import make_cohort

    src = tmp_path / "cohort.csv"
    make_cohort(120).to_csv(src, index=False)
    out = tmp_path / "report"
    out.mkdir()
    (out / "results.json").write_text(json.dumps({"schema": "venprs.results/1", "earlier": True}))
    proc = subprocess.Popen([sys.executable, "-m", "venprs", "analyze", str(src), "-o", str(out), "-q",
                             "--splits", "5", "--bootstrap", "5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    _wait_for(lambda: any((tmp_path / x).is_dir() for x in leftovers(tmp_path)), proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert json.loads((out / "results.json").read_text())["earlier"] is True
    assert sorted(x.name for x in out.iterdir()) == ["results.json"]
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ report folders


def _fake_report(monkeypatch, fail: bool):
    """run_report with one section that writes a figure file and then (optionally) fails."""
    from venprs.reporting import registry, report

    def build(ctx):
        (ctx.out_dir / "figures" / "new.png").write_bytes(b"png")
        if fail:
            raise RuntimeError("late failure")
        return registry.SectionOutput({"x": 1}, "<p>x</p>")

    monkeypatch.setattr(report, "sections", lambda *a, **k: [registry.Section("x", "X", 0, build)])
    return report.run_report


@pytest.fixture
def earlier_report(tmp_path):
    out = tmp_path / "report"
    (out / "figures").mkdir(parents=True)
    (out / "results.json").write_text(json.dumps({"schema": "venprs.results/1", "earlier": True}))
    (out / "figures" / "stale.png").write_bytes(b"old")
    return out


def test_failed_report_leaves_the_earlier_one_untouched(monkeypatch, earlier_report):
    run_report = _fake_report(monkeypatch, fail=True)
    with pytest.raises(RuntimeError):
        run_report(None, earlier_report)
    assert json.loads((earlier_report / "results.json").read_text())["earlier"] is True
    assert sorted(p.name for p in (earlier_report / "figures").iterdir()) == ["stale.png"]
    assert leftovers(earlier_report.parent) == []


def test_new_report_replaces_the_earlier_one_whole(monkeypatch, earlier_report):
    os.umask(old := os.umask(0o022))
    run_report = _fake_report(monkeypatch, fail=False)
    res = run_report(None, earlier_report)
    assert res["x"] == 1
    assert sorted(p.name for p in (earlier_report / "figures").iterdir()) == ["new.png"]  # nothing old mixed in
    assert json.loads((earlier_report / "results.json").read_text())["schema"] == "venprs.results/1"
    assert (earlier_report / "report.html").exists()
    assert earlier_report.stat().st_mode & 0o777 == 0o777 & ~old
    assert leftovers(earlier_report.parent) == []


def test_report_into_a_new_or_empty_folder(monkeypatch, tmp_path):
    run_report = _fake_report(monkeypatch, fail=False)
    (tmp_path / "empty").mkdir()
    for name in ("new", "empty"):
        run_report(None, tmp_path / name)
        assert (tmp_path / name / "figures" / "new.png").exists()
    assert leftovers(tmp_path) == []


def test_report_refuses_a_folder_that_is_not_a_report(monkeypatch, tmp_path):
    run_report = _fake_report(monkeypatch, fail=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(InputError, match="not empty and holds no venprs report"):
        run_report(None, tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.docx").read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ formula guard

HOSTILE = ["=HYPERLINK(\"http://x\",\"click\")", "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "-1.5", "+3",
           "1e5", "plain"]


def _hostile_input(path: Path) -> None:
    rows = [{"patient_id": f"P{i}", "note": v, **{f: "no" for f in FACTORS}} for i, v in enumerate(HOSTILE)]
    with open(path, "w", newline="", encoding="utf-8") as fh:  # "\r" kept inside quotes
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def notes_of(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [r["note"] for r in csv.DictReader(fh)]


def test_formula_guard_csv(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _hostile_input(src)
    p = run("score", "-i", src, "-o", out)
    assert p.returncode == 0, p.stderr
    notes = notes_of(out)
    assert notes == ["'=HYPERLINK(\"http://x\",\"click\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\tTAB", "'\rCR",
                     "-1.5", "+3", "1e5", "plain"]  # numbers untouched (OWASP CSV injection)
    scores = pd.read_csv(out)["os_score"]
    assert (scores == 0.0).all()  # numeric columns untouched


def test_formula_guard_arrow_fast_path_equals_the_regular_expression():
    """The Arrow fast path of guard_formulas (first byte of each value, issue 14: 0.45 -> 0.10 s CPU per
    million scored rows) marks exactly the cells the regular expression marks: empty strings, nulls,
    non-ASCII first characters, a sliced and a chunked array, string and large_string."""
    import numpy as np
    import pyarrow as pa

    values = HOSTILE + ["", None, "é=1", "€", "=", "-", "Ω+", " =1", "@", None, ""]
    expected = vio.guard_formulas(pd.DataFrame({"v": pd.Series(values, dtype=object)}))["v"].tolist()
    regex = pd.Series(values, dtype=object).fillna("").str.match(r"[=+\-@\t\r]").to_numpy(bool)
    arrays = {"string": pa.array(values, pa.string()), "large_string": pa.array(values, pa.large_string()),
              "sliced": pa.array(["=x", *values, "+y"], pa.string()).slice(1, len(values)),
              "chunked": pa.chunked_array([pa.array(values[:7]), pa.array(values[7:])])}
    for name, arr in arrays.items():
        s = pd.Series(pd.arrays.ArrowExtensionArray(arr))
        assert np.array_equal(vio._arrow_formula_start(s), regex), name
        got = vio.guard_formulas(pd.DataFrame({"v": s}))["v"].tolist()
        assert [None if pd.isna(v) else v for v in got] == [None if v is None else v for v in expected], name
    assert vio._arrow_formula_start(pd.Series(["=1"], dtype=object)) is None  # other columns: the regex


def test_no_formula_guard_writes_text_unchanged(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _hostile_input(src)
    assert run("score", "-i", src, "-o", out, "--no-formula-guard").returncode == 0
    assert notes_of(out) == HOSTILE


def test_xlsx_output_has_string_cells_never_formulas(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.xlsx"
    _hostile_input(src)
    assert run("score", "-i", src, "-o", out).returncode == 0
    ws = openpyxl.load_workbook(out).active
    col = [c.value for c in ws[1]].index("note")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    # the text itself; XML (so .xlsx) stores a carriage return as a line feed (known, see docs/outputs.md)
    assert [c.value for c in cells] == [v.replace("\r", "\n") for v in HOSTILE]
    assert {c.data_type for c in cells} == {"s"}  # never "f" (formula)


def test_xlsx_writer_streams_the_cells_pandas_writes(tmp_path):
    """The streamed .xlsx writer (openpyxl write-only; issue 14: 1,048,575 scored rows took 7.4 GB with
    pandas' to_excel) writes the values and types pandas' ``to_excel`` writes, cell by cell, over more rows
    than one chunk; only "=..." text differs: a text cell, where pandas writes a formula."""
    import itertools

    import numpy as np

    n = vio.XLSX_CHUNK_ROWS + 7
    rng = np.random.default_rng(1)
    f = rng.normal(size=n)
    f[[0, 5]] = np.nan
    f[3], f[4] = np.inf, -np.inf
    df = pd.DataFrame({
        "id": [f"P{i}" for i in range(n)], "f": f, "i": rng.integers(-5, 5, n), "b": rng.random(n) < 0.5,
        "cat": pd.Categorical(rng.choice(["favorable", "adverse", None], n), categories=["favorable", "adverse"]),
        "obj": pd.Series(rng.choice(["x", None, "=1+2"], n), dtype=object),
        "arrow": pd.Series(rng.choice(["a", "b"], n), dtype="string[pyarrow]"),
        "mixed": pd.Series([1, "two", 3.5, None] * (n // 4) + [1] * (n % 4), dtype=object)})
    ours, ref = tmp_path / "ours.xlsx", tmp_path / "ref.xlsx"
    vio.write_table(df, ours, formula_guard=False)
    df.to_excel(ref, index=False)
    a = list(openpyxl.load_workbook(ours, read_only=True).active.iter_rows())
    b = list(openpyxl.load_workbook(ref, read_only=True).active.iter_rows())
    assert len(a) == len(b) == n + 1
    formula = 0
    for ra, rb in zip(a, b):
        for ca, cb in itertools.zip_longest(ra, rb):  # read-only rows end at their last written cell
            if ca is None or cb is None:
                assert (ca or cb).value is None
                continue
            assert ca.value == cb.value
            if cb.data_type == "f":
                formula += 1
                assert ca.data_type == "s"
            elif cb.value is not None:  # an empty cell: pandas writes an empty string, we write no cell
                assert ca.data_type == cb.data_type
    assert formula > 1000  # the "=1+2" cells: formulas in pandas' file, text in ours
    assert all(c.font.b for c in a[0])  # bold header, as pandas


def test_web_download_applies_the_same_guard(tmp_path):
    from fastapi.testclient import TestClient

    from venprs.web.app import create_app

    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _hostile_input(src)
    assert run("score", "-i", src, "-o", out).returncode == 0
    with TestClient(create_app()) as client:
        r = client.post("/api/v1/score-table", files={"file": ("in.csv", src.read_bytes(), "text/csv")})
    assert r.status_code == 200
    assert r.content == out.read_bytes()  # CLI and web: byte-identical, guard included


# ------------------------------------------------------------------ bad option values


@pytest.mark.parametrize("args,message", [
    (["calibrate", "{c}", "-o", "{o}", "--n-jobs", "0"], "--n-jobs must be a number of processes >= 1"),
    (["calibrate", "{c}", "-o", "{o}", "--seed", "-1"], "--seed must be a whole number >= 0, not -1"),
    (["calibrate", "{c}", "-o", "{o}", "--train-fraction", "1.5"], "--train-fraction must be between 0 and 1"),
    (["calibrate", "{c}", "-o", "{o}", "--backend", "dask", "--scheduler", "tcp://127.0.0.1:1"],
     "--scheduler tcp://127.0.0.1:1: cannot reach the Dask scheduler (Connection refused)"),
    (["calibrate", "{c}", "-o", "{o}", "--backend", "dask", "--scheduler", "nonsense:x"],
     "is not a Dask scheduler address"),
    (["analyze", "{c}", "-o", "{o}", "--split-seed", "-1"], "--split-seed must be a whole number >= 0"),
    (["analyze", "{c}", "-o", "{o}", "--n-jobs", "-5"], "--n-jobs must be"),
    (["reproduce", "-o", "{o}", "--seed", "-1"], "--seed must be a whole number >= 0"),
    (["simulate", "-o", "{o}.csv", "--seed", "-1"], "--seed must be a whole number >= 0"),
    (["score", "-i", "{c}", "-o", "{o}.docx"], "unknown file extension '.docx'"),
])
def test_bad_option_values_are_one_line(tmp_path, args, message):
    c = tmp_path / "cohort.csv"
    write_patients(c, 3)
    out = tmp_path / "out"
    p = run(*[a.format(c=c, o=out) for a in args])
    assert message in one_line_error(p)
    assert not out.exists() and leftovers(tmp_path) == []


def test_unexpected_errors_are_one_line_too(tmp_path):
    """A bug (not a user error) still prints one line, exit code 1; VENPRS_DEBUG=1 shows the traceback."""
    code = ("import venprs.cli._score as s, venprs.cli as c\n"
            "def boom(*a, **k): raise RuntimeError('bug')\n"
            "s.score = boom\nc.main()\n")
    for debug, expect in (("", "venprs: internal error (RuntimeError: bug); please report it"),
                          ("1", "Traceback")):
        p = subprocess.run([sys.executable, "-c", code, "score", "--flt3", "yes"], capture_output=True,
                           text=True, env={**cli_env(), "VENPRS_DEBUG": debug})
        assert p.returncode == 1 and expect in p.stderr


def test_formula_guard_covers_the_header_row(tmp_path):
    """A column named like a formula is a cell of the header row: it gets the ' too, on the streamed text
    path and on the whole-file path alike (differential fuzz 2026-12-04: names were written unchanged)."""
    src = tmp_path / "in.csv"
    src.write_text('patient_id,emd,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1,"=HYPERLINK(""http://x"";""y"")",-1\n'
                   "P1,no,no,wt,wt,wt,wt,wt,a,b\n")
    for name, extra in (("stream.csv", []), ("whole.xlsx", []), ("off.csv", ["--no-formula-guard"])):
        out = tmp_path / name
        p = run("score", "-i", src, "-o", out, *extra)
        assert p.returncode == 0, p.stderr
        if name.endswith(".csv"):
            header = out.read_text().splitlines()[0]
            guarded = "'=HYPERLINK" in header
            assert guarded == (name == "stream.csv"), header
            assert ',"-1",' in header  # a plain number is left alone
    whole = tmp_path / "whole.csv"
    from venprs import io as vio
    from venprs.scoring import score_table
    vio.write_table(score_table(vio.read_table(src)), whole)
    assert whole.read_bytes() == (tmp_path / "stream.csv").read_bytes()
