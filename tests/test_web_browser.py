"""The calculator page in a real browser: Debian's Chromium, headless, driven by Playwright.

The server is the real ``venprs serve`` command (a subprocess on a free loopback
port). Screenshots go to ``$VENPRS_TEST_ARTIFACTS`` (or a pytest temporary folder;
``tests/_artifacts/`` is git-ignored) and are not committed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

import venprs
from conftest import free_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def base_url():
    port = free_port()
    env = dict(os.environ)
    src = str(Path(venprs.__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-m", "venprs", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"venprs serve did not start:\n{out}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        # privacy: the server logs no request (access log is off by default), so no factor value
        log = out.decode(errors="replace")
        assert "/api/v1/score" not in log and "extramedullary" not in log, log


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: the browser tests need Debian's chromium "
                    "(`apt-get install chromium`, done by `scripts/install.sh --test`)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    d = os.environ.get("VENPRS_TEST_ARTIFACTS")
    path = Path(d) if d else tmp_path_factory.mktemp("web-screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Recorder:
    """Every request the page makes, and every console error (CSP violations show up there)."""

    def __init__(self, page, base_url):
        self.base = base_url
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self, expected_errors: str | None = None):
        foreign = [u for u in self.urls if not (u.startswith(self.base + "/") or u.startswith("blob:")
                                                or u.startswith("data:"))]
        assert not foreign, f"the page requested other hosts: {foreign}"
        errors = [e for e in self.errors if not (expected_errors and expected_errors in e)]
        assert not errors, errors


def badge(page, ep):
    return page.locator(f"#ep-{ep} [data-field=group]")


def test_set_factors_by_keyboard_and_mouse(browser, base_url, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    rec = Recorder(page, base_url)
    page.goto(base_url + "/")
    # everything unknown at first: every group possible
    assert badge(page, "os").inner_text() == "Indeterminate"
    # mouse: click the labels
    page.get_by_role("group", name="Extramedullary disease").get_by_label("Present").click()
    page.get_by_role("group", name="Prior HMA treatment").get_by_label("Present").click()
    # keyboard: arrow keys move within a radio group, Tab to the next group
    page.focus("#nf1-unknown")
    page.keyboard.press("ArrowLeft")            # NF1: absent
    page.keyboard.press("Tab")                  # -> PTPN11 group (its checked radio: unknown)
    page.keyboard.press("ArrowLeft")            # PTPN11: absent
    page.keyboard.press("Tab")                  # -> FLT3
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")            # FLT3: present
    page.keyboard.press("Tab")                  # -> TP53 (left unknown)
    page.keyboard.press("Tab")                  # -> SF3B1
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")            # SF3B1: present
    for name, want in (("nf1", "absent"), ("ptpn11", "absent"), ("flt3", "present"), ("tp53", "unknown"),
                       ("sf3b1", "present")):
        assert page.is_checked(f"#{name}-{want}"), name
    # EFS: 0.57 + 0.45 + 0.60 - 0.87 = 0.75 -> intermediate (Table 4 and its footnote)
    expect(page.locator("#ep-efs [data-field=score]")).to_have_text("0.75")
    assert badge(page, "efs").inner_text() == "Intermediate risk"
    assert badge(page, "efs").get_attribute("data-group") == "intermediate"
    # OS: 0.90 + 0.64 + 0.49 - 0.98 = 1.05, + 0.39 if TP53 is mutated -> adverse either way
    assert page.inner_text("#ep-os [data-field=score]") == "1.05 to 1.44"
    assert badge(page, "os").inner_text() == "Adverse risk"
    assert "TP53 mutation" in page.inner_text("#ep-os [data-field=unknowns]")
    # screen readers hear one sentence (a polite live region), not the whole panel
    assert page.text_content("#live") == ("OS Adverse risk, score 1.05 to 1.44. "
                                          "EFS Intermediate risk, score 0.75.")
    assert "n = 53, median OS 3.1 months (95% CI 1.5 to 6.7)" in page.inner_text("#ep-os")
    page.screenshot(path=str(artifacts / "calculator-desktop.png"), full_page=True)
    # one click more: TP53 absent -> OS exactly 1.05
    page.get_by_role("group", name="TP53 mutation").get_by_label("Absent").click()
    expect(page.locator("#ep-os [data-field=score]")).to_have_text("1.05")
    assert page.locator("#ep-os [data-field=unknowns]").is_hidden()
    # reset: back to all unknown
    page.click("#reset")
    expect(badge(page, "os")).to_have_text("Indeterminate")
    assert "Favorable" in page.inner_text("#ep-os [data-field=possible]")
    # the paper's numbers as printed (Results; Fig. 2): "7.0", not "7"
    assert "n = 75, median OS 7.0 months (95% CI 5.0 to 13.2)" in page.inner_text("#ep-os")
    assert "api/v1/score" in " ".join(rec.urls)  # scored by the server, not in the page
    rec.check()
    page.close()


@pytest.mark.parametrize("width", [390, 640])  # a phone; 1280 px at 200% zoom
def test_phone_width_and_zoom_no_horizontal_scroll(browser, base_url, artifacts, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    rec = Recorder(page, base_url)
    page.goto(base_url + "/")
    page.get_by_role("group", name="FLT3 mutation (any)").get_by_label("Present").click()
    expect(page.locator("#ep-os [data-field=score]")).to_contain_text(" to ")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px at {width}px"
    if width < 500:
        assert page.locator("#summary").is_visible()  # the group stays in view on a phone
    page.screenshot(path=str(artifacts / f"calculator-{width}px.png"))
    rec.check()
    page.close()


def _with_prediction(route):
    """Add a made-up two-curve ``predicted`` block where the API sent none or withheld it (layout test only)."""
    resp = route.fetch()
    data = resp.json()
    for ep in ("os", "efs"):
        if (data[ep].get("predicted") or {}).get("withheld"):
            del data[ep]["predicted"]
        data[ep].setdefault("predicted", {
            "survival_12m": {"lo": 0.1, "hi": 0.5}, "median_months": {"lo": 3.0, "hi": 12.0},
            "baseline": "made up for a layout test",
            "curve_best": [[t / 2, 0.5 ** (t / 24)] for t in range(73)],
            "curve_worst": [[t / 2, 0.5 ** (t / 6)] for t in range(73)]})
    route.fulfill(response=resp, json=data)


def test_print_fits_one_page(browser, base_url, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.route("**/api/v1/score", _with_prediction)  # the longest result: with two curves per endpoint
    page.goto(base_url + "/")
    for f in ("extramedullary", "flt3"):
        page.check(f"#{f}-present")
    expect(page.locator("#ep-os [data-field=score]")).to_contain_text(" to ")
    expect(page.locator("#ep-efs [data-field=predicted] svg")).to_be_visible()
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "calculator-print-media.png"), full_page=True)
    for fmt in ("A4", "Letter"):
        pdf = page.pdf(format=fmt, print_background=True)
        (artifacts / f"calculator-print-{fmt}.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"print view has {pages} {fmt} pages"
    page.close()


def test_batch_tab_upload_and_download(browser, base_url, artifacts, tmp_path):
    src = tmp_path / "cohort.csv"
    src.write_text("id,EMD,prior HMA,NF1,PTPN11,FLT3,TP53,SF3B1\n"
                   "b,yes,yes,wt,wt,mut,wt,mut\n"
                   "a,no,no,wt,wt,wt,wt,wt\n")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    rec = Recorder(page, base_url)
    page.goto(base_url + "/")
    page.get_by_role("tab", name="Batch (table)").click()
    assert page.locator("#patient").is_hidden()
    page.set_input_files("#batch-file", str(src))
    with page.expect_download() as dl:
        page.get_by_role("button", name="Score and download").click()
    assert dl.value.suggested_filename == "cohort-scored.csv"
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text())))
    assert [r["id"] for r in rows] == ["b", "a"]
    assert rows[0]["efs_score"] == "0.75" and rows[0]["efs_group"] == "intermediate"
    # a bad value: the row, column and value are shown on the page
    src.write_text("id,EMD,prior HMA,NF1,PTPN11,FLT3,TP53,SF3B1\n1,perhaps,no,wt,wt,wt,wt,wt\n")
    page.set_input_files("#batch-file", str(src))
    page.get_by_role("button", name="Score and download").click()
    expect(page.locator("#batch-status")).to_have_class("error")
    msg = page.inner_text("#batch-status")
    assert "row 1" in msg and "'perhaps'" in msg and "EMD" in msg
    page.screenshot(path=str(artifacts / "batch.png"))
    rec.check(expected_errors="status of 422")
    page.close()


def test_docs_offline(browser, base_url, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    rec = Recorder(page, base_url)
    page.goto(base_url + "/docs")
    page.wait_for_selector(".opblock-summary-path >> text=score-table", timeout=10000)
    page.screenshot(path=str(artifacts / "docs.png"))
    rec.check()
    page.close()


def test_works_without_javascript(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    rec = Recorder(page, base_url)
    page.goto(base_url + "/")
    for f, v in (("extramedullary", "present"), ("prior_hma", "present"), ("nf1", "absent"),
                 ("ptpn11", "absent"), ("flt3", "present"), ("tp53", "absent"), ("sf3b1", "present")):
        page.check(f"#{f}-{v}")
    page.click("#calc")
    page.wait_for_load_state()
    assert badge(page, "efs").inner_text() == "Intermediate risk"
    assert page.inner_text("#ep-os [data-field=score]") == "1.05"
    assert page.is_checked("#sf3b1-present")
    rec.check()
    ctx.close()


def test_predicted_curve_is_drawn_when_the_api_sends_one(browser, base_url, artifacts):
    """The page's hook for the baseline survival: it draws ``predicted.curve`` when present.

    The response is the server's, with a made-up ``predicted`` block added in the
    browser (a shape test of the drawing code, not clinical numbers).
    """
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    rec = Recorder(page, base_url)

    def add_prediction(route):
        resp = route.fetch()
        data = resp.json()
        if data["os"]["score"] is not None:
            data["os"]["predicted"] = {"survival_12m": 0.5, "median_months": 12.0, "baseline": "made up",
                                       "curve": [[t, 0.5 ** (t / 12)] for t in range(0, 37, 3)]}
        else:
            data["os"]["predicted"] = {"survival_12m": {"lo": 0.25, "hi": 0.5}, "median_months": {"lo": 6.0, "hi": None},
                                       "curve_best": [[t, 0.5 ** (t / 12)] for t in range(0, 37, 3)],
                                       "curve_worst": [[t, 0.5 ** (t / 6)] for t in range(0, 37, 3)]}
        data["efs"].pop("predicted", None)  # the EFS block shows what the API sends: here nothing
        route.fulfill(response=resp, json=data)

    page.route("**/api/v1/score", add_prediction)
    page.goto(base_url + "/")
    box = page.locator("#ep-os [data-field=predicted]")
    page.check("#flt3-present")  # a range: best and worst case
    expect(box).to_be_visible()
    assert "12-month OS 25% to 50%" in box.inner_text() and "median 6.0 months to not reached" in box.inner_text()
    assert "best case" in box.inner_text()
    assert page.locator("#ep-os [data-field=predicted] svg path").count() == 2
    for f in venprs.load_model().factor_names:
        page.check(f"#{f}-absent")
    expect(box).to_contain_text("12-month OS 50%")
    assert "median 12.0 months" in box.inner_text()
    assert page.locator("#ep-os [data-field=predicted] svg path").count() == 1
    assert page.locator("#ep-efs [data-field=predicted]").is_hidden()
    page.locator("#ep-os").screenshot(path=str(artifacts / "predicted-hook.png"))
    rec.check()
    page.close()

