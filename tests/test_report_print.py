"""The report in print and to assistive technology (issue 16): ``--pdf`` (Chromium print), the print CSS
checked on ``report.pdf``'s text page by page (no screenshots), and axe-core on ``report.html``.

Reports are made by the real CLI (``venprs analyze --pdf``, ``venprs validate --pdf``) in pytest
temporary folders. Chromium is Debian's (``/usr/bin/chromium``), Playwright and axe-core as in
``test_web_bedside`` (``scripts/install.sh --test``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from _cohort import make_cohort
from conftest import cli_env, run_cli
from test_web_bedside import AXE
from test_web_browser import CHROMIUM, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """An analyze and a validate report, each with ``--pdf``: ``{"analyze": folder, "validate": folder}``."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `bash scripts/install.sh --test` installs Debian's chromium")
    d = tmp_path_factory.mktemp("print")
    make_cohort().to_csv(d / "c.csv", index=False)
    out = {}
    p = run_cli("analyze", d / "c.csv", "-o", d / "analyze", "--pdf", "--bootstrap", "20", "--splits", "20", "-q")
    assert p.returncode == 0, p.stderr
    out["analyze"] = d / "analyze"
    p = run_cli("validate", ROOT / "examples" / "registry_export.csv", "--columns",
                ROOT / "examples" / "registry_columns.yaml", "--time-unit", "days", "--bootstrap", "20",
                "-o", d / "validate", "--pdf", "--km-ci")
    assert p.returncode == 0, p.stderr
    assert f"{d / 'validate' / 'report.pdf'}, " in p.stderr  # the summary names it
    out["validate"] = d / "validate"
    return out


class _Report(HTMLParser):
    """Headings (h1-h3), and each table's caption, header cells and body rows, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.tables: list[dict] = []
        self._text: list[str] | None = None
        self._row: list[str] | None = None
        self._where = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "caption", "th", "td"):
            self._text = []
        if tag == "table":
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag in ("thead", "tbody"):
            self._where = tag
        elif tag == "tr":
            self._row = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text or []).split())
        if tag in ("h1", "h2", "h3"):
            self.headings.append(text)
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            t = self.tables[-1]
            if self._where == "thead":
                t["header"] = self._row
            else:
                t["rows"].append(self._row)
            self._row = None
        if tag in ("h1", "h2", "h3", "caption", "th", "td"):
            self._text = None


def _squash(s: str) -> str:
    """Text compared without spaces or line breaks (PDF text wraps where the page does), ligatures undone."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def _pages(pdf: Path) -> list[str]:
    """Each page's text, squashed, without the footer's page number (``i / n``)."""
    pages = []
    for p in pypdf.PdfReader(pdf).pages:
        lines = p.extract_text().splitlines()
        if lines and re.fullmatch(r"\s*\d+ / \d+\s*", lines[-1]):
            lines = lines[:-1]
        pages.append(_squash("\n".join(lines)))
    return pages


def _check_print(folder: Path, min_pages: int, max_pages: int) -> list[str]:
    """Problems of ``report.pdf``'s pagination (empty list when it reads well)."""
    doc = _Report()
    doc.feed((folder / "report.html").read_text(encoding="utf-8"))
    pages = _pages(folder / "report.pdf")
    problems = []
    if not min_pages <= len(pages) <= max_pages:
        problems.append(f"{len(pages)} pages, expected {min_pages}-{max_pages}")
    # page 1 is not nearly empty: the header and the first section's start fill at least half of it
    if len(pages[0]) < 0.5 * max(len(p) for p in pages):
        problems.append(f"page 1 holds only {len(pages[0])} characters")
    # no page ends with a heading, a caption or a table's header row
    ends = {_squash(h) for h in doc.headings} | {_squash(t["caption"]) for t in doc.tables if t["caption"]}
    ends |= {_squash(" ".join(t["header"])) for t in doc.tables if _squash(" ".join(t["header"]))}
    for i, page in enumerate(pages[:-1], 1):
        for e in ends:
            if len(e) > 3 and page.endswith(e):
                problems.append(f"page {i} ends with {e!r}")
    # a table continued on another page starts there with its repeated header row
    all_rows = [_squash(" ".join(r)) for t in doc.tables for r in t["rows"]]
    split = 0
    for t in doc.tables:
        header = _squash(" ".join(t["header"]))
        on = []  # (page, row) for body rows found on exactly one page and unique in the report
        for r in t["rows"]:
            r = _squash(" ".join(r))
            if len(r) < 12 or all_rows.count(r) != 1:
                continue
            where = [i for i, p in enumerate(pages) if r in p]
            if len(where) == 1:
                on.append((where[0], r))
        for k in range(1, len(on)):
            (p0, _), (p1, row) = on[k - 1], on[k]
            if p1 > p0:
                split += 1
                pos = pages[p1].find(header)
                if not header or pos < 0 or pos > pages[p1].find(row):
                    problems.append(f"table {t['caption']!r} continues on page {p1 + 1} without its header row")
    return problems, split


def test_analyze_report_pdf_reads_well_in_print(reports):
    out = reports["analyze"]
    assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"
    problems, split = _check_print(out, 10, 40)
    assert problems == []
    assert split >= 1  # the check saw at least one table continued on a next page (so it checks something)


def test_validate_report_pdf_reads_well_in_print(reports):
    out = reports["validate"]
    assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"
    problems, _ = _check_print(out, 4, 30)
    assert problems == []


def test_the_print_check_catches_a_split_table(reports, tmp_path):
    """Without the print CSS's repeated header, the check reports the continued table."""
    src = reports["analyze"]
    html = (src / "report.html").read_text(encoding="utf-8")
    html = html.replace("thead { display: table-header-group; }", "thead { display: table-row-group; }")
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    # its own process: Playwright's sync API does not run inside another Playwright session (the browser fixture)
    p = subprocess.run([sys.executable, "-c", "import sys, pathlib; from venprs.reporting.pdf import write_pdf; "
                        "write_pdf(*map(pathlib.Path, sys.argv[1:]))", tmp_path / "report.html",
                        tmp_path / "report.pdf"], capture_output=True, text=True, env=cli_env(), timeout=120)
    assert p.returncode == 0, p.stderr
    problems, _ = _check_print(tmp_path, 1, 100)
    assert any("without its header row" in p for p in problems), problems


def test_pdf_without_chromium_is_one_line_exit_2_and_no_folder(tmp_path):
    make_cohort(n=60).to_csv(tmp_path / "c.csv", index=False)
    for cmd in (["analyze", tmp_path / "c.csv"], ["validate", tmp_path / "c.csv"], ["reproduce"]):
        p = run_cli(*cmd, "-o", tmp_path / "out", "--pdf", VENPRS_CHROMIUM=str(tmp_path / "no-chromium"))
        assert p.returncode == 2, p.stderr
        assert p.stderr.count("\n") == 1 and p.stderr.startswith("venprs: error: --pdf needs Chromium"), p.stderr
        assert "install.sh --test" in p.stderr
        assert sorted(x.name for x in tmp_path.iterdir()) == ["c.csv"]  # no folder, no hidden temporary one


def test_km_ci_option_shades_the_group_curves(reports):
    """--km-ci (the validate report here) shades every group curve and says so; without it (analyze), none."""
    from venprs.reporting.figures import KM_CI_NOTE
    from venprs.reporting.html import esc

    shaded = f"by published VEN-PRS group, with the paper's medians (\u25bc); shaded: {KM_CI_NOTE}"
    html = (reports["validate"] / "report.html").read_text(encoding="utf-8")
    assert html.count(esc(shaded)) == 4  # OS and EFS, each in the image's alt text and its caption
    html = (reports["analyze"] / "report.html").read_text(encoding="utf-8")
    assert "by published VEN-PRS group (figures/" in html and "group; shaded" not in html
    assert "--km-ci" in (reports["validate"] / "results.json").read_text()  # the re-runnable command


@pytest.mark.parametrize("kind", ["analyze", "validate"])
def test_axe_no_violations_on_report_html(reports, browser, kind):  # noqa: F811
    if not AXE.exists():
        pytest.fail(f"{AXE} not found: `bash scripts/install.sh --test` installs axe-core from the npm registry")
    page = browser.new_page()
    try:
        page.goto((reports[kind] / "report.html").as_uri())
        page.add_script_tag(path=str(AXE))
        res = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        page.close()
    assert [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in res["violations"]] == []
