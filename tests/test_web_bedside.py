"""The calculator at the bedside (issue 12), in Debian's Chromium driven by Playwright, at a
1366x900 desktop and a 390x844 phone: the result stays in view, Calculate follows the factors,
pending genes are answered in words, permalinks reopen, print is one A4 / Letter page, the batch
tab previews, and axe-core finds no accessibility violation.

The server is the real ``venprs serve`` (fixtures of ``test_web_browser``). axe-core comes from the
npm registry (``scripts/install.sh --test`` puts it in the git-ignored ``.cache/npm``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

import venprs
from test_web_browser import Recorder, artifacts, badge, base_url, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE = Path(__file__).resolve().parents[1] / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
FACTORS = list(venprs.load_model().factor_names)
# Prior HMA present, extramedullary disease and FLT3 absent, four genes pending (issue 12's example).
# OS: 0.64; NF1 +0.94, PTPN11 +0.80, TP53 +0.39 each give > 0.75 (adverse); SF3B1 -0.98 gives -0.34
# (favorable); Table 4 and its footnote.
PENDING = {"extramedullary": "absent", "prior_hma": "present", "nf1": "unknown", "ptpn11": "unknown",
           "flt3": "absent", "tp53": "unknown", "sf3b1": "unknown"}
PENDING_TEXT = ("If the pending NF1, PTPN11, TP53, SF3B1 results are all wild-type: intermediate (0.64). "
                "NF1, PTPN11 or TP53 mutated would make it adverse; SF3B1 mutated, favorable.")
# Every factor known: OS 0.90 + 0.64 + 0.49 - 0.98 = 1.05 adverse; EFS 0.57 + 0.45 + 0.60 - 0.87 = 0.75
COMPLETE = {"extramedullary": "present", "prior_hma": "present", "nf1": "absent", "ptpn11": "absent",
            "flt3": "present", "tp53": "absent", "sf3b1": "present"}


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, base_url):  # noqa: F811
    pg = browser.new_page(viewport=VIEWPORTS[request.param], accept_downloads=True)
    pg.viewport_name = request.param
    pg.rec = Recorder(pg, base_url)
    yield pg
    pg.close()


def set_factors(page, values):
    for f, v in values.items():
        page.get_by_role("group", name=_label(f)).get_by_label(v.capitalize()).click()


def _label(factor):
    return next(f["label"] for f in venprs.load_model().factors if f["name"] == factor)


def in_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    vp = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= vp["height"] + 0.5 \
        and box["x"] >= 0 and box["x"] + box["width"] <= vp["width"] + 0.5


def test_result_in_view_after_the_seventh_factor(page, base_url, artifacts):  # noqa: F811
    page.goto(base_url + "/")
    set_factors(page, COMPLETE)  # the 7th click is SF3B1, at the bottom of the form
    expect(page.locator("#ep-os [data-field=score]")).to_have_text("1.05")
    summary = page.locator("#summary")
    expect(summary).to_contain_text("OS Adverse 1.05")
    expect(summary).to_contain_text("EFS Intermediate 0.75")
    assert in_viewport(page, "#summary"), page.locator("#summary").bounding_box()
    for ep in ("os", "efs"):
        assert page.get_attribute(f"[data-sum={ep}]", "data-group") == badge(page, ep).get_attribute("data-group")
    page.screenshot(path=str(artifacts / f"bedside-7th-factor-{page.viewport_name}.png"))
    # the radio ids and the group badges other tools drive the page by
    assert page.is_checked("#sf3b1-present") and badge(page, "os").get_attribute("data-group") == "adverse"
    page.rec.check()


def test_tab_enter_after_the_last_factor_keeps_the_entries(page, base_url):  # noqa: F811
    page.goto(base_url + "/")
    set_factors(page, COMPLETE)
    page.focus("#sf3b1-present")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "calc"  # Calculate, not "All unknown"
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    for f, v in COMPLETE.items():
        assert page.is_checked(f"#{f}-{v}"), f
    expect(page.locator("#ep-efs [data-field=score]")).to_have_text("0.75")
    # "All unknown" offers an undo that puts every entry back
    page.click("#reset")
    expect(badge(page, "os")).to_have_text("Indeterminate")
    expect(page.locator("#undo")).to_be_focused()
    page.keyboard.press("Enter")
    for f, v in COMPLETE.items():
        assert page.is_checked(f"#{f}-{v}"), f
    expect(page.locator("#ep-os [data-field=score]")).to_have_text("1.05")
    page.rec.check()


def test_pending_genes_sentence_and_honest_prediction(page, base_url, artifacts):  # noqa: F811
    page.goto(base_url + "/")
    # every factor unknown: no survival drawn
    expect(page.locator("#ep-os [data-field=predicted]")).to_contain_text("not shown: every factor is unknown")
    assert page.locator("#ep-os [data-field=predicted] svg").count() == 0
    set_factors(page, PENDING)
    expect(page.locator("#ep-os [data-field=scenarios]")).to_have_text(PENDING_TEXT)
    assert page.inner_text("#ep-os [data-field=score]") == "-0.34 to 2.77"  # the exact range, as before
    assert "Favorable" in page.inner_text("#ep-os [data-field=possible]")
    # the worst case (2.77) is beyond the scores the 174 derivation patients support (to 2.03): not drawn
    pred = page.locator("#ep-os [data-field=predicted]")
    expect(pred).to_contain_text("2.77, is outside the scores supported by the derivation data (-0.98 to 2.03)")
    assert page.locator("#ep-os [data-field=predicted] svg").count() == 0
    page.screenshot(path=str(artifacts / f"bedside-pending-{page.viewport_name}.png"), full_page=True)
    # once the panel comes back wild-type: an exact score inside the supported range, with its caveat
    set_factors(page, {"nf1": "absent", "ptpn11": "absent", "tp53": "absent", "sf3b1": "absent"})
    expect(page.locator("#ep-os [data-field=score]")).to_have_text("0.64")
    expect(pred).to_contain_text("not published by the authors and not validated")
    assert page.locator("#ep-os [data-field=predicted] svg path").count() == 1
    assert page.locator("#ep-os [data-field=scenarios]").is_hidden()
    page.rec.check()


def test_permalink_reopens_and_reload_restores(page, base_url, browser):  # noqa: F811
    page.goto(base_url + "/")
    set_factors(page, PENDING)
    page.fill("#patient-label", "Bed 7 Smith")
    expect(page.locator("#ep-os [data-field=scenarios]")).to_have_text(PENDING_TEXT)
    url = page.url
    assert url.startswith(base_url + "/#") and "prior_hma=present" in url and "nf1=unknown" in url
    assert "Smith" not in url  # the patient label is not in the link
    assert page.get_attribute("#permalink", "href") == url[len(base_url) + 1:]
    # reload: the same patient
    page.reload()
    expect(page.locator("#ep-os [data-field=scenarios]")).to_have_text(PENDING_TEXT)
    for f, v in PENDING.items():
        assert page.is_checked(f"#{f}-{v}"), f
    # reopened in another browser (a fresh context: no remembered form state)
    ctx = browser.new_context(viewport=page.viewport_size)
    other = ctx.new_page()
    rec = Recorder(other, base_url)
    posted = []
    other.on("request", lambda r: posted.append((r.url, r.post_data or "")))
    other.goto(url)
    expect(other.locator("#ep-os [data-field=scenarios]")).to_have_text(PENDING_TEXT)
    for f, v in PENDING.items():
        assert other.is_checked(f"#{f}-{v}"), f
    assert badge(other, "efs").get_attribute("data-group") == "indeterminate"
    # the fragment never reaches the server; the label is never sent nor stored
    assert all("#" not in u for u, _ in posted)
    assert all("Smith" not in body for _, body in page.rec.urls and posted)
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    rec.check()
    ctx.close()
    page.rec.check()


def test_a_new_link_never_keeps_the_previous_patients_factors(page, base_url):  # noqa: F811
    """Opening another link in the same tab (hashchange) sets every factor: one the link does not name, or
    names with a value the page does not know, is unknown, not left as the previous patient's; the previous
    patient's printout label is cleared."""
    page.goto(base_url + "/")
    set_factors(page, COMPLETE)
    page.fill("#patient-label", "Bed 7 Smith")
    expect(page.locator("#ep-efs [data-field=score]")).to_have_text("0.75")
    page.evaluate("location.hash = 'flt3=present&tp53=mut'")    # another patient's (hand-written) link
    for f in FACTORS:
        assert page.is_checked(f"#{f}-{'present' if f == 'flt3' else 'unknown'}"), f
    # FLT3 only (Table 4): OS 0.49 - 0.98 = -0.49 .. 0.49 + 0.90 + 0.64 + 0.94 + 0.80 + 0.39 = 4.16
    expect(page.locator("#ep-os [data-field=score]")).to_have_text("-0.49 to 4.16")
    assert page.input_value("#patient-label") == ""
    assert "flt3=present&tp53=unknown" in page.url
    page.rec.check()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("case", ["complete", "indeterminate"])
def test_print_is_one_a4_and_one_letter_page(page, base_url, artifacts, case):  # noqa: F811
    page.goto(base_url + "/")
    set_factors(page, {f: "absent" for f in FACTORS} if case == "complete" else PENDING)
    if case == "complete":  # score 0.00: inside the supported range, curves drawn
        expect(page.locator("#ep-efs [data-field=predicted] svg")).to_be_visible()
    else:
        expect(page.locator("#ep-os [data-field=scenarios]")).to_have_text(PENDING_TEXT)
    page.fill("#patient-label", "Bed 7 / test label")
    page.emulate_media(media="print")
    meta = page.inner_text("#print-meta")
    assert f"venprs {venprs.__version__}" in meta and "model VEN-PRS 1.0.0" in meta
    assert re.search(r"printed \d{4}-\d\d-\d\d \d\d:\d\d", meta), meta
    assert page.locator(".patient-label").is_visible()
    assert page.input_value("#patient-label") == "Bed 7 / test label"
    assert "Prior HMA treatment: " in page.inner_text("#print-inputs")
    assert page.locator("#intended-use").is_visible() and "doi:10.1038" in page.inner_text("footer.site")
    assert page.locator("#ep-os").is_visible() and page.locator("#ep-efs").is_visible()
    for fmt in ("A4", "Letter"):
        pdf = page.pdf(format=fmt, print_background=True)
        (artifacts / f"bedside-print-{case}-{page.viewport_name}-{fmt}.pdf").write_bytes(pdf)
        assert _pages(pdf) == 1, f"{case} {fmt}: {_pages(pdf)} pages"


def test_batch_upload_xlsx(page, base_url, tmp_path):  # noqa: F811
    src = tmp_path / "cohort.xlsx"
    pd.DataFrame({"id": ["b", "a"], "EMD": ["yes", "no"], "prior HMA": ["yes", "no"], "NF1": ["wt", "wt"],
                  "PTPN11": ["wt", "wt"], "FLT3": ["mut", "wt"], "TP53": ["wt", "wt"],
                  "SF3B1": ["mut", "wt"]}).to_excel(src, index=False)
    page.goto(base_url + "/")
    page.get_by_role("tab", name="Batch (table)").click()
    page.set_input_files("#batch-file", str(src))
    with page.expect_download(timeout=15000) as dl:
        page.get_by_role("button", name="Score and download").click()
    assert dl.value.suggested_filename == "cohort-scored.csv"
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text())))
    assert [r["id"] for r in rows] == ["b", "a"]
    assert rows[0]["efs_score"] == "0.75" and rows[0]["efs_group"] == "intermediate"
    expect(page.locator("#batch-counts")).to_contain_text("2 rows scored")


def test_batch_preview_counts_and_template(page, base_url, tmp_path):  # noqa: F811
    page.goto(base_url + "/")
    page.get_by_role("tab", name="Batch (table)").click()
    accept = page.get_attribute("#batch-file", "accept")
    assert {".csv", ".tsv", ".gz", ".xlsx", ".parquet"} <= set(accept.split(","))
    with page.expect_download() as dl:
        page.click("#batch-template")
    template = Path(dl.value.path()).read_text()
    assert template.splitlines()[0] == "id," + ",".join(FACTORS)
    # the template scores as it is: example-1 every factor known, example-2 genes pending
    src = tmp_path / "filled.csv"
    src.write_text(template + "c,no,no,wt,wt,wt,wt,wt\n")
    page.set_input_files("#batch-file", str(src))
    with page.expect_download():
        page.get_by_role("button", name="Score and download").click()
    # example-1: OS 0.90 + 0.49 = 1.39 adverse, EFS 0.57 + 0.60 = 1.17 adverse; example-2: OS 0.64 to
    # 2.77 (indeterminate); EFS 0.45 to 1.99 - 0.87 ... indeterminate; c: 0.00 favorable for both
    counts = page.locator("#batch-counts")
    expect(counts).to_have_text("3 rows scored. OS: 1 favorable, 0 intermediate, 1 adverse, 1 indeterminate. "
                                "EFS: 1 favorable, 0 intermediate, 1 adverse, 1 indeterminate.")
    table = page.locator("#batch-preview table")
    assert table.locator("tbody tr").count() == 3
    assert table.locator("th").all_inner_texts()[:2] == ["id", "extramedullary"]
    assert "adverse" in table.locator("tbody tr").first.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px"
    page.rec.check()


def _axe(page) -> list:
    if not AXE.exists():
        pytest.fail(f"{AXE} not found: `bash scripts/install.sh --test` installs axe-core from the npm registry")
    page.add_script_tag(path=str(AXE))
    res = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in res["violations"]]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_axe_no_violations(browser, base_url, viewport):  # noqa: F811
    # the page's CSP forbids inline scripts (add_script_tag inlines axe): this context bypasses it
    ctx = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = ctx.new_page()
    page.goto(base_url + "/")
    expect(page.locator("#ep-os [data-field=predicted]")).to_be_visible()
    assert _axe(page) == []
    set_factors(page, PENDING)
    expect(page.locator("#ep-os [data-field=scenarios]")).to_have_text(PENDING_TEXT)
    page.click("#reset")  # the undo offer
    expect(page.locator("#undo")).to_be_visible()
    v = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    assert v == [], json.dumps(v, indent=1)[:3000]
    page.get_by_role("tab", name="Batch (table)").click()
    v = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    assert v == [], json.dumps(v, indent=1)[:3000]
    ctx.close()


@pytest.mark.slow
def test_axe_no_violations_on_the_report(browser, tmp_path):  # noqa: F811
    """``report.html`` of ``venprs analyze`` on the seeded cohort of ``test_analysis``."""
    import subprocess
    import sys

    from _cohort import make_report_cohort as make_cohort

    make_cohort().to_csv(tmp_path / "c.csv", index=False)
    p = subprocess.run([sys.executable, "-m", "venprs", "analyze", str(tmp_path / "c.csv"), "--out",
                        str(tmp_path / "out"), "--quiet"], capture_output=True, text=True, timeout=900,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    ctx = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)
    page = ctx.new_page()
    page.goto((tmp_path / "out" / "report.html").as_uri())
    assert _axe(page) == []
    ctx.close()
