"""Report sections: one registry that the report and ``results.json`` are built from.

A section is a function ``build(ctx) -> SectionOutput`` registered with
:func:`section`. The report runs every registered section in ``order``; each
returns a fragment of ``results.json`` (merged at the top level) and an HTML
fragment. A section that cannot run on this cohort returns
``SectionOutput.skip(reason)``; the reason appears in the report and under
``skipped`` in ``results.json``. Sections share computed objects (fits,
groups) through ``ctx.state``.

To add sections (e.g. calibration, discrimination), write a module that
decorates its builders with :func:`section` and add the module's name to
:data:`SECTION_MODULES`; nothing else changes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["SectionOutput", "Section", "Context", "section", "sections", "SECTION_MODULES"]

#: Modules whose import registers sections (in addition to those already imported).
SECTION_MODULES: list[str] = [
    "venprs.reporting.sections_derivation",
    "venprs.reporting.sections_evaluation",  # cohort analysis II (issue 5)
    "venprs.reporting.sections_validate",  # venprs validate (issue 11; report "validate")
]


@dataclass
class SectionOutput:
    """What a section contributes: a results.json fragment, HTML, and skipped analyses."""

    results: dict[str, Any] = field(default_factory=dict)
    html: str = ""
    skipped: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def skip(cls, analysis: str, reason: str) -> "SectionOutput":
        """A section that did not run, with the reason."""
        return cls(skipped=[{"analysis": analysis, "reason": reason}])


@dataclass
class Section:
    """A registered section."""

    key: str
    title: str
    order: int
    build: Callable[["Context"], SectionOutput]
    #: The reports this section belongs to (``"analysis"``: analyze/reproduce/calibrate; ``"validate"``).
    reports: tuple[str, ...] = ("analysis",)


@dataclass
class Context:
    """Everything a section needs.

    Attributes
    ----------
    cohort : venprs.evaluation.cohort.Cohort
    out_dir : Path
    figures : venprs.reporting.figures.FigureStore
    paper : dict or None
        Published values to compare with (``venprs reproduce``), else ``None``.
    state : dict
        Objects shared between sections (e.g. ``state["cox"]["os"]``).
    options : dict
        Run options (e.g. ``seed``, ``quick``).
    """

    cohort: Any
    out_dir: Path
    figures: Any
    paper: dict | None = None
    state: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def resampling(ctx: Context, description: str, total: int) -> dict[str, Any]:
    """Where a resampling loop runs and its progress bar: keywords for ``calibrate`` and ``discrimination``.

    ``backend``, ``n_jobs`` and ``scheduler`` come from the run options (``--backend``, ``--n-jobs``,
    ``--scheduler``; default one core); ``progress`` is a new bar of ``total`` steps when the CLI
    draws bars (``options["replicate_progress"]``, stderr a terminal), else ``None``.
    """
    o = ctx.options
    bar = o.get("replicate_progress")
    return {"backend": str(o.get("backend") or "joblib"), "n_jobs": int(o.get("n_jobs") or 1),
            "scheduler": o.get("scheduler"), "progress": bar(description, total) if bar and total else None}


_REGISTRY: dict[str, Section] = {}


def section(key: str, title: str, order: int, reports: tuple[str, ...] = ("analysis",)):
    """Decorator registering ``build(ctx) -> SectionOutput`` as a section of the given ``reports``.

    Parameters
    ----------
    key : str
        The section's key (its results go under this key in ``results.json``); registering a key again
        replaces the earlier section.
    title : str
        The section's title in the report.
    order : int
        Position in the report (sections run in ``(order, key)`` order).
    reports : tuple of str, default ("analysis",)
        The reports the section belongs to (``"analysis"``: analyze/reproduce/calibrate; ``"validate"``).

    Returns
    -------
    callable
        The decorator; it registers the function and returns it unchanged.
    """

    def deco(fn: Callable[[Context], SectionOutput]):
        _REGISTRY[key] = Section(key, title, order, fn, tuple(reports))
        return fn

    return deco


def sections(report: str = "analysis") -> list[Section]:
    """The sections of ``report``, in report order (imports :data:`SECTION_MODULES` first).

    Parameters
    ----------
    report : str, default "analysis"
        The report (``"analysis"`` or ``"validate"``).

    Returns
    -------
    list of Section
        The registered sections whose ``reports`` include ``report``, sorted by ``(order, key)``.
    """
    for m in SECTION_MODULES:
        importlib.import_module(m)
    return sorted((s for s in _REGISTRY.values() if report in s.reports), key=lambda s: (s.order, s.key))
