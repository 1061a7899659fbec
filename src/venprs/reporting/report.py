"""Run the registered sections on a cohort and write ``report.html``, ``results.json`` and ``figures/``.

``results.json`` is a documented contract (``docs/results-json.md``); the HTML
report is one self-contained file (figures embedded as base64 PNG, no network
requests, print CSS).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import InputError
from ..io import atomic_dir, atomic_write
from ..model import load_model
from ..version import __version__
from .figures import FigureStore
from .html import collect_tables, note
from .pdf import chromium_executable, write_pdf
from .registry import Context, SectionOutput, sections
from .verdict import SYNTHETIC_SCOPE, verdict_summary

__all__ = ["run_report", "SCHEMA", "to_jsonable"]

#: Identifier and version of the results.json layout.
SCHEMA = "venprs.results/1"


def to_jsonable(x: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, NaN/inf to ``None``, tuples to lists.

    Parameters
    ----------
    x : object
        A value, converted recursively through dicts (keys become ``str``), lists, tuples and NumPy arrays.
        Other values (strings, ``None``, ...) are returned unchanged.

    Returns
    -------
    object
        The same structure with only ``dict``, ``list``, ``bool``, ``int``, ``float`` (finite) and the
        unchanged other values.

    Examples
    --------
    >>> to_jsonable({1: (np.int64(2), np.float64("nan"), np.bool_(True))})
    {'1': [2, None, True]}
    """
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        f = float(x)
        return f if math.isfinite(f) else None
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    return x


def run_report(cohort, out_dir, *, paper: dict | None = None, title: str = "VEN-PRS cohort analysis",
               command: str = "venprs analyze", options: dict | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Run every section and write the outputs into ``out_dir``.

    Parameters
    ----------
    cohort : venprs.evaluation.cohort.Cohort
        The prepared cohort (:func:`venprs.evaluation.cohort.prepare_cohort`).
    out_dir : path-like
        Created if missing (its parent must exist). The report is built in a
        temporary sibling folder and renamed onto ``out_dir`` when complete
        (:func:`venprs.io.atomic_dir`): an earlier report there is replaced whole,
        a failed run leaves it untouched, any other non-empty folder is refused.
    paper : dict, optional
        Published values (:func:`venprs.reporting.paper.paper_values`) to show beside ours.
    title : str, default "VEN-PRS cohort analysis"
        Title of ``report.html``.
    command : str, default "venprs analyze"
        The command that made the report, stored under ``command`` in ``results.json``.
    progress : callable, optional
        ``progress(section_title, i, n)`` called before each section.
    options : dict, optional
        ``report`` (default ``"analysis"``; ``"validate"`` for ``venprs validate``): which
        registered sections run. ``workers`` (default 1): processes drawing the Kaplan-Meier figures (Linux
        ``fork``; on a busy 2-core machine 1 is as fast); ``quick``: omit the
        subgroup figures; ``pdf``: also print ``report.pdf`` with headless Chromium
        (:func:`venprs.reporting.pdf.write_pdf`), inside the same folder; checked before any
        work (:class:`InputError` if Chromium or Playwright is missing, and no folder is made).
        Also passed to the sections (``ctx.options``).

    Returns
    -------
    dict
        The results (as written to ``results.json``).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    chromium = chromium_executable() if (options or {}).get("pdf") else None  # before any work or folder
    with atomic_dir(out_dir) as out:  # built whole in a temporary sibling folder, then renamed
        results = _write_report(cohort, out, paper=paper, title=title, command=command, options=options,
                                progress=progress)
        if chromium:
            if progress:
                progress("printing report.pdf", 1, 1)
            write_pdf(out / "report.html", out / "report.pdf", executable=chromium)
    return results


def _write_report(cohort, out: Path, *, paper, title, command, options, progress) -> dict:
    from jinja2 import Environment, PackageLoader, select_autoescape

    opts = dict(options or {})
    figs = FigureStore(out, workers=int(opts.get("workers", 1)))
    ctx = Context(cohort=cohort, out_dir=out, figures=figs, paper=paper, options=opts)
    m = load_model()
    results: dict[str, Any] = {
        "schema": SCHEMA,
        "venprs_version": _version(),
        "generated_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "model": {"name": m.name, "version": m.version, "doi": m.doi, "citation": m.citation},
        "inputs": list(opts.get("inputs") or []),
        "versions": _versions(),
        "time_unit": "months",
        "rare_factors": {"policy": opts.get("rare_factors") or "r", "flagged": []},
        "skipped": [],
        "sections": [],
    }
    rendered: list[Any] = []
    secs = sections(str(opts.get("report", "analysis")))
    if ctx.options.get("only"):  # run a subset (``venprs calibrate``: input + calibration)
        secs = [s for s in secs if s.key in ctx.options["only"]]
    try:
        with collect_tables() as tables:
            _run_sections(secs, ctx, results, rendered, progress)
        if progress:
            progress("finishing figures", len(secs), len(secs))
        for r in rendered:
            r["html"] = figs.resolve(r["html"])
    finally:
        figs.close()
    results["figures"] = [f"figures/{n}.{ext}" for n in figs.saved for ext in ("png", "svg")]
    rows = [r for rs in results.get("comparison", {}).values() for r in rs]
    if rows:
        results["verdict"] = {"summary": verdict_summary(rows), "scope": SYNTHETIC_SCOPE}
    results["tables"] = _write_tables(out, tables)
    results = to_jsonable(results)
    with atomic_write(out / "results.json") as tmp:
        tmp.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    env = Environment(loader=PackageLoader("venprs.reporting", "templates"), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(title=title, results=results, sections=rendered,
                                                     citation=m.citation, doi=m.doi, paper=paper is not None)
    with atomic_write(out / "report.html") as tmp:
        tmp.write_text(html, encoding="utf-8")
    return results


def _run_sections(secs, ctx, results, rendered, progress) -> None:
    for i, s in enumerate(secs):
        if progress:
            progress(s.title, i, len(secs))
        try:
            so = s.build(ctx)
        except InputError:
            raise
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as err:  # too few patients/values
            why = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            so = SectionOutput.skip(s.key, f"cannot be computed on this cohort ({why})")
        for k, v in so.results.items():
            if k == "comparison":
                results.setdefault("comparison", {}).update(v)
            elif k == "rare_factors":  # one policy (set by run_report); every section's flagged fits
                results["rare_factors"]["flagged"].extend(v["flagged"])
            else:
                results[k] = v
        results["skipped"].extend(so.skipped)
        status = "skipped" if (not so.html and so.skipped) else "done"
        compared = bool(so.results.get("comparison"))
        html = so.html
        if ctx.paper is not None and so.html and not compared and s.key not in _NOT_COMPARED:
            html += note(NO_PUBLISHED_VALUE)
        results["sections"].append({"key": s.key, "title": s.title, "status": status,
                                    **({"compared_with_paper": compared} if ctx.paper is not None else {})})
        rendered.append({"key": s.key, "title": s.title, "html": html, "skipped": so.skipped})


#: Said (``reproduce``) in a section with no published number beside its own.
NO_PUBLISHED_VALUE = ("No published value for this section: neither the model file nor paper_targets.json holds a "
                      "number to compare with, so nothing here is judged against the paper.")
_NOT_COMPARED = {"input"}  # descriptive sections


def _write_tables(out: Path, tables: list) -> list[str]:
    """Write every report table as ``tables/NN_<caption>.csv`` (header row, then the cells as shown)."""
    import csv
    import io
    import re

    if not tables:
        return []
    (out / "tables").mkdir(exist_ok=True)
    names = []
    for i, (caption, header, rows) in enumerate(tables, 1):
        slug = re.sub(r"[^a-z0-9]+", "_", (caption or "table").lower()).strip("_")[:50] or "table"
        name = f"tables/{i:02d}_{slug}.csv"
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([h or "level" for h in header])
        w.writerows(rows)
        with atomic_write(out / name) as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        names.append(name)
    return names


def _versions() -> dict:
    """Versions of venprs, the model, Python and the libraries the numbers come from."""
    import platform
    from importlib import metadata

    out = {"venprs": _version(), "model": load_model().version, "python": platform.python_version()}
    for lib in ("numpy", "pandas", "scipy", "lifelines", "scikit-survival", "matplotlib"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            continue
    return out


def _version() -> str:

    return __version__
