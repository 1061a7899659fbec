"""Kaplan-Meier figures of the reports (issue 16): as survminer's ggsurvplot(risk.table = TRUE,
risk.table.col = "strata") draws them, nothing outside the canvas, colour-blind-safe, PNG at 300 dpi."""

import struct

import numpy as np
import pytest
from matplotlib.colors import to_hex

from venprs.reporting.figures import COLORS, MARK_GRID, OKABE_ITO, FigureStore, censor_marks, km_figure
from venprs.survival import kaplan_meier


def _curves(labels):
    rng = np.random.default_rng(1)
    out = {}
    for i, lab in enumerate(labels):
        t = rng.exponential(6 + 3 * i, 60)
        e = rng.random(60) < 0.8
        out[lab] = kaplan_meier(t, e)
    return out


@pytest.mark.parametrize("labels", [["Relapse-free survival"], ["favorable", "intermediate", "adverse"],
                                    ["Event-free survival, entire cohort", "a much longer stratum label here"]])
def test_nothing_outside_the_canvas(labels):
    fig = km_figure(_curves(labels), title="Relapse-free survival (patients in CR/CRi)", ci=True,
                    annotation="log-rank p 0.003")
    r = fig.canvas.get_renderer()
    tight = fig.get_tightbbox(r)  # inches: every artist's extent, text included
    box = fig.bbox_inches
    assert tight.x0 >= box.x0 - 1e-6 and tight.y0 >= box.y0 - 1e-6
    assert tight.x1 <= box.x1 + 1e-6 and tight.y1 <= box.y1 + 1e-6


def test_risk_table_coloured_by_stratum_and_censor_marks():
    fig = km_figure(_curves(["favorable", "intermediate", "adverse"]), title="OS by group",
                    annotation="log-rank p 0.003")
    tax = fig.axes[1]
    by_colour = {}
    for t in tax.texts:
        by_colour.setdefault(to_hex(t.get_color()).upper(), []).append(t.get_text())
    for g in ("favorable", "intermediate", "adverse"):
        assert g in by_colour[COLORS[g].upper()]  # the stratum's label and its numbers share its colour
        assert len(by_colour[COLORS[g].upper()]) > 2
    ax = fig.axes[0]
    assert any(line.get_marker() == "+" for line in ax.lines)  # censoring marks
    assert any("log-rank p" in t.get_text() for t in ax.texts)
    # Okabe-Ito colours (colour-blind-safe)
    assert set(COLORS.values()) <= set(OKABE_ITO.values())


def test_png_300_dpi_and_svg(tmp_path):
    store = FigureStore(tmp_path)
    fig = km_figure(_curves(["Overall survival"]), title="OS")
    w_in, h_in = fig.get_size_inches()
    store.save(fig, "km", "OS")
    png = (tmp_path / "figures" / "km.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    assert (width, height) == (round(w_in * 300), round(h_in * 300))
    assert (tmp_path / "figures" / "km.svg").read_text().lstrip().startswith("<?xml")


def test_km_ci_bands_are_the_log_transform_cis():
    """--km-ci: each group's band is its pointwise CI (kaplan_meier, conf.type "log": equal to R survfit in
    test_survival.py), in the group's colour; without it, no band."""
    curves = _curves(["favorable", "intermediate", "adverse"])
    assert len(km_figure(curves, title="OS by group").axes[0].collections) == 0
    ax = km_figure(curves, title="OS by group", ci=True).axes[0]
    bands = ax.collections[: len(curves)]
    assert len(bands) == 3
    for band, (g, km) in zip(bands, curves.items()):
        assert to_hex(band.get_facecolor()[0]).upper() == COLORS[g].upper()
        y = band.get_paths()[0].vertices[:, 1]
        tab = km.table
        for v in (tab["lower"].dropna(), tab["upper"].dropna()):
            assert np.isin(np.round(v.to_numpy(), 12), np.round(y, 12)).all()


def test_one_colour_blind_safe_palette_for_figures_and_page():
    """Okabe & Ito (2008): the group colours of every figure are the page's group marks (style.css)."""
    import re
    from pathlib import Path

    import venprs.web
    from venprs.reporting.figures import COLORS, OKABE_ITO

    assert set(COLORS.values()) <= set(OKABE_ITO.values())
    css = (Path(venprs.web.__file__).parent / "static" / "style.css").read_text()
    marks = dict(re.findall(r"--(fav|int|adv)-mark:\s*(#[0-9A-Fa-f]{6})", css))
    assert {k: v.upper() for k, v in marks.items()} == {
        "fav": COLORS["favorable"].upper(), "int": COLORS["intermediate"].upper(), "adv": COLORS["adverse"].upper()}
    src = (Path(venprs.web.__file__).parents[1] / "reporting" / "sections_validate.py").read_text()
    assert "#2166ac" not in src  # the validate figures use the palette too


def test_censor_marks_on_the_same_spot_are_drawn_once():
    """Large cohorts (issue 14): one censoring mark per 1/2000 of the axes, not one per patient; marks
    further apart are all kept, in time order, each at the survival of its own time."""
    t = np.array([1.0, 1.001, 1.002, 5.0, 5.0004, 9.0])
    s = np.array([0.9, 0.9, 0.9, 0.5, 0.5, 0.2])
    kt, ks = censor_marks(t, s, 20.0)  # cells of 0.01 months
    assert kt.tolist() == [1.0, 5.0, 9.0] and ks.tolist() == [0.9, 0.5, 0.2]
    kt, ks = censor_marks(t, s, 1.0)  # cells of 0.0005 months: the first three are apart
    assert kt.tolist() == [1.0, 1.001, 1.002, 5.0, 9.0]
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 40, 100_000))
    kt, ks = censor_marks(t, np.exp(-t / 10), 40.0)
    assert len(kt) <= 2 * MARK_GRID and np.all(np.diff(kt) > 0)
    fig = km_figure({"A": kaplan_meier(t, np.zeros_like(t))}, title="all censored")
    marks = [ln for ln in fig.axes[0].lines if ln.get_marker() == "+"][0]
    assert 1000 < len(marks.get_xdata()) <= MARK_GRID  # all at S = 1: one mark per x cell at most
