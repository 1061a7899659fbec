"""Kaplan-Meier figures with number-at-risk tables, saved as PNG and SVG and embedded in the report.

The curves are drawn from :class:`venprs.survival.KMResult` as right-continuous
steps (censoring marked with ``+``); the number at risk is counted at each x tick,
below the plot, as in the paper's figures.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..io import atomic_write  # noqa: E402
from .html import esc

__all__ = ["FigureStore", "km_figure", "censor_marks", "roc_figure", "COLORS", "OKABE_ITO"]

#: Okabe & Ito's colour-blind-safe palette (Okabe M, Ito K. Color Universal Design, 2008; jfly.uni-koeln.de).
OKABE_ITO = {"blue": "#0072B2", "vermillion": "#D55E00", "bluish_green": "#009E73", "reddish_purple": "#CC79A7",
             "orange": "#E69F00", "sky_blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000"}
COLORS = {"favorable": OKABE_ITO["bluish_green"], "intermediate": OKABE_ITO["orange"],
          "adverse": OKABE_ITO["vermillion"]}
_DEFAULT_COLORS = [OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange",
                                          "sky_blue")]
plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "venprs"})


#: What the shaded bands of a KM figure are (:func:`venprs.survival.kaplan_meier`, tested against R).
KM_CI_NOTE = 'pointwise 95% CI, R survfit conf.type = "log" (Greenwood)'


#: Censoring marks closer than 1/MARK_GRID of the axes (in x and in y) are drawn once (:func:`censor_marks`).
MARK_GRID = 2000


def censor_marks(time: np.ndarray, surv: np.ndarray, xspan: float) -> tuple[np.ndarray, np.ndarray]:
    """The censoring marks to draw: one per cell of a ``MARK_GRID`` x ``MARK_GRID`` grid over the axes.

    A 5-point ``+`` spans about 1/60 of the plot's width, so marks within 1/2000 of the axes of each other
    print as one mark: drawing one of them gives the same picture, and a 100,000-patient curve no longer
    puts one SVG element per censored patient into the report.

    Parameters
    ----------
    time, surv : numpy.ndarray
        Censoring times and the survival estimate at each.
    xspan : float
        Width of the x axis (months).

    Returns
    -------
    time, surv : numpy.ndarray
        The marks kept, in time order (the first of each grid cell).
    """
    if len(time) <= 1 or not xspan > 0:
        return time, surv
    cell = np.floor(time / xspan * MARK_GRID).astype(np.int64) * (MARK_GRID + 1) + \
        np.floor(surv * MARK_GRID).astype(np.int64)
    _, first = np.unique(cell, return_index=True)
    keep = np.sort(first)
    return time[keep], surv[keep]


def km_figure(curves: dict, *, title: str, xlabel: str = "Months", ci: bool = False, xmax: float | None = None,
              annotation: str = ""):
    """A Kaplan-Meier plot of one or more curves with a number-at-risk table below it.

    Drawn as survminer's ``ggsurvplot(risk.table = TRUE, risk.table.col = "strata")``: the at-risk numbers
    in each stratum's colour, censoring marked ``+``, the p-value in the plot, optional CIs; nothing
    outside the canvas.

    Parameters
    ----------
    curves : dict of str to KMResult
        ``label -> KMResult`` (in legend order); a label whose first word is a risk group
        (``favorable``, ``intermediate``, ``adverse``) gets that group's colour.
    title : str
        Title, placed top left.
    xlabel : str, default "Months"
        Label of the time axis.
    ci : bool, default False
        Shade the pointwise 95% CI (R's log transform) of every curve.
    xmax : float or None, default None
        Right end of the time axis (the axis runs to 1.02 times it); ``None`` uses the longest time
        of any curve.
    annotation : str, default ""
        Text placed in the plot (e.g. the log-rank p).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (Agg backend); the at-risk numbers are counted at the x ticks.
    """
    fig = plt.figure(figsize=(6.4, 3.2 + 0.22 * len(curves)))
    gs = fig.add_gridspec(2, 1, height_ratios=[4.0, 0.35 + 0.3 * len(curves)], hspace=0.45)
    ax = fig.add_subplot(gs[0])
    tmax = xmax or max(float(k.table["time"].max()) for k in curves.values())
    colors = [COLORS.get(str(label).split(" ")[0].lower(), _DEFAULT_COLORS[i % len(_DEFAULT_COLORS)])
              for i, label in enumerate(curves)]
    for color, (label, km) in zip(colors, curves.items()):
        tab = km.table
        x = np.concatenate([[0.0], tab["time"].to_numpy()])
        y = np.concatenate([[1.0], tab["surv"].to_numpy()])
        ax.step(x, y, where="post", color=color, lw=1.6, label=f"{label} (n={km.n})")
        ct = tab["time"].to_numpy()[tab["n_censor"].to_numpy() > 0]
        ct, cs = censor_marks(ct, km.survival_at(ct), tmax * 1.02)
        ax.plot(ct, cs, "+", color=color, ms=5, mew=0.8)
        if ci:
            lo = np.concatenate([[1.0], tab["lower"].fillna(0).to_numpy()])
            hi = np.concatenate([[1.0], tab["upper"].fillna(0).to_numpy()])
            ax.fill_between(x, lo, hi, step="post", color=color, alpha=0.15, lw=0)
    ax.set_xlim(0, tmax * 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("Probability")
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(frameon=False, loc="upper right", fontsize=8)
    if annotation:
        ax.text(0.98, 0.55, annotation, transform=ax.transAxes, ha="right", fontsize=8)
    ticks = [t for t in ax.get_xticks() if 0 <= t <= tmax * 1.02]
    ax.set_xticks(ticks)
    tax = fig.add_subplot(gs[1], sharex=ax)
    tax.set_title("Number at risk", loc="left", fontsize=8)
    labels = []
    for i, (color, (label, km)) in enumerate(zip(colors, curves.items())):
        yy = len(curves) - 1 - i
        for t, n in zip(ticks, km.at_risk(ticks)):
            tax.text(t, yy, str(n), ha="center", va="center", fontsize=8, color=color)
        labels.append(tax.text(-0.04, yy, str(label), ha="right", va="center", fontsize=8, color=color,
                               fontweight="bold", transform=tax.get_yaxis_transform()))
    tax.set_ylim(-0.6, len(curves) - 0.4)
    tax.axis("off")
    # fixed margins instead of a "tight" bounding box (half the drawing time); the left margin is made wide
    # enough for the longest at-risk label: its right end sits at left - 0.04 * (right - left)
    right = 0.97
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
    w = max(t.get_window_extent(renderer).width for t in labels) / fig.bbox.width
    left = min(0.6, max(0.11, (w + 0.015 + 0.04 * right) / 1.04))
    fig.subplots_adjust(left=left, right=right, top=0.92, bottom=0.03)
    return fig


def roc_figure(panels: dict, *, title: str):
    """Time-dependent ROC curves, one panel per endpoint (as the paper's Supplementary Fig. S12).

    Parameters
    ----------
    panels : dict
        ``panel title -> {curve label -> (fp, tp)}``; each curve is drawn as the
        polygon through its (FP, TP) points (the trapezoids whose area is the AUC),
        with the chance diagonal.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        One panel per endpoint.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.0 * len(panels), 4.1), squeeze=False)
    for ax, (name, curves) in zip(axes[0], panels.items()):
        ax.plot([0, 1], [0, 1], color="#999", lw=0.8, ls="--")
        for i, (label, (fp, tp)) in enumerate(curves.items()):
            fp, tp = np.asarray(fp, float), np.asarray(tp, float)
            ok = np.isfinite(fp) & np.isfinite(tp)  # points in cut order: the curve is monotone
            ax.plot(fp[ok], tp[ok], color=_DEFAULT_COLORS[i % len(_DEFAULT_COLORS)], lw=1.6, marker="o", ms=2.5,
                    label=label)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        ax.set_aspect("equal")
        ax.set_xlabel("False positive fraction (1 - specificity)")
        ax.set_ylabel("True positive fraction (sensitivity)")
        ax.set_title(name)
        ax.legend(frameon=False, loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.84, wspace=0.3)
    return fig


def _write_figure(fig, directory: Path, name: str, dpi: int) -> bytes:
    """Save ``fig`` as SVG and PNG (atomically) and return the PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    with atomic_write(directory / f"{name}.svg") as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None})
    plt.close(fig)
    png = buf.getvalue()
    with atomic_write(directory / f"{name}.png") as tmp:
        tmp.write_bytes(png)
    return png


def _render_km(curves: dict, kwargs: dict, directory: str, name: str, dpi: int) -> bytes:
    """Worker: draw and save one KM figure, return its PNG."""
    return _write_figure(km_figure(curves, **kwargs), Path(directory), name, dpi)


def _embed(png: bytes, name: str, alt: str) -> str:

    b64 = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{b64}">'
            f'<figcaption>{esc(alt)} (figures/{esc(name)}.png, .svg)</figcaption></figure>')


class FigureStore:
    """Save figures to ``<dir>/figures/<name>.png|.svg`` and give the HTML to embed them.

    :meth:`save` renders a finished matplotlib figure now. :meth:`km` may render
    in a worker process (``workers > 1``, Linux ``fork``) while the analysis goes
    on; it returns a placeholder that :meth:`resolve` replaces by the embedded
    figure once all figures are done. Results do not depend on ``workers``.
    """

    def __init__(self, out_dir: Path, dpi: int = 300, workers: int = 1):
        self.dir = Path(out_dir) / "figures"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dpi = dpi
        self.saved: list[str] = []
        self._pending: dict[str, tuple] = {}
        self._pool = None
        if workers > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            if "fork" in mp.get_all_start_methods():
                self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))

    def save(self, fig, name: str, alt: str) -> str:
        """Write PNG and SVG, close the figure and return an ``<img>`` with the PNG embedded as base64.

        The figure is saved as laid out (no "tight" bounding box): set its margins.
        """
        png = _write_figure(fig, self.dir, name, self.dpi)
        self.saved.append(name)
        return _embed(png, name, alt)

    def km(self, curves: dict, name: str, alt: str, **kwargs) -> str:
        """A Kaplan-Meier figure (see :func:`km_figure`): embedded HTML or a placeholder for :meth:`resolve`.

        With ``ci=True`` the caption says what the bands are.
        """
        if kwargs.get("ci"):
            alt += f"; shaded: {KM_CI_NOTE}"
        if self._pool is None:
            return self.save(km_figure(curves, **kwargs), name, alt)
        token = f"<!--venprs-figure:{name}-->"
        fut = self._pool.submit(_render_km, curves, kwargs, str(self.dir), name, self.dpi)
        self._pending[token] = (fut, name, alt)
        self.saved.append(name)
        return token

    def resolve(self, html: str) -> str:
        """Replace the placeholders in ``html`` by the finished figures."""
        for token, (fut, name, alt) in self._pending.items():
            if token in html:
                html = html.replace(token, _embed(fut.result(), name, alt))
        return html

    def close(self) -> None:
        """Wait for pending figures and stop the workers."""
        for fut, _, _ in self._pending.values():
            fut.result()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
