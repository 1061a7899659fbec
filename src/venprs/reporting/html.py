"""Small HTML helpers for report fragments (escaped text, tables, numbers)."""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar
from html import escape
from typing import Iterator

__all__ = ["esc", "fmt", "fmt_p", "fmt_ci", "table", "note", "Raw", "collect_tables"]

#: While :func:`collect_tables` is active: every table made, as ``(caption, header, rows)`` of plain text.
_TABLES: ContextVar[list | None] = ContextVar("venprs_report_tables", default=None)


@contextlib.contextmanager
def collect_tables() -> Iterator[list]:
    """Collect every :func:`table` made inside (so that the report can also write them as CSV)."""
    tables: list = []
    token = _TABLES.set(tables)
    try:
        yield tables
    finally:
        _TABLES.reset(token)


def _text(v) -> str:
    return re.sub(r"<[^>]+>", "", v.html) if isinstance(v, Raw) else ("" if v is None else str(v))


def esc(x) -> str:
    """HTML-escape any value as text.

    Parameters
    ----------
    x : object
        The value, converted with ``str``; ``None`` is empty text.

    Returns
    -------
    str
        The text with ``&``, ``<``, ``>`` and quotes escaped (:func:`html.escape`).

    Examples
    --------
    >>> esc("a < b & c"), esc(None)
    ('a &lt; b &amp; c', '')
    """
    return escape("" if x is None else str(x))


def fmt(x, digits: int = 2, none: str = "NR") -> str:
    """A number with ``digits`` decimals; ``none`` for missing (NR = not reached).

    Parameters
    ----------
    x : float, str or None
        The value. A string is returned unchanged; ``None`` and NaN give ``none``; a value whose
        comparison raises ``TypeError`` is written with ``str``.
    digits : int, default 2
        Decimals.
    none : str, default "NR"
        Text for a missing value.

    Returns
    -------
    str
        The formatted number.

    Examples
    --------
    >>> fmt(1.005, 1), fmt(None), fmt(float("nan"), none="-"), fmt("n/a")
    ('1.0', 'NR', '-', 'n/a')
    """
    if x is None:
        return none
    if isinstance(x, str):
        return x
    try:
        if x != x:  # NaN
            return none
    except TypeError:
        return str(x)
    return f"{x:.{digits}f}"


def fmt_p(p) -> str:
    """A p-value as usually printed (``<0.001``).

    Parameters
    ----------
    p : float, str or None
        The p-value; a string is returned unchanged.

    Returns
    -------
    str
        ``"<0.001"`` below 0.001, otherwise three decimals; ``"-"`` for ``None``.

    Examples
    --------
    >>> fmt_p(0.0004), fmt_p(0.0312), fmt_p(None)
    ('<0.001', '0.031', '-')
    """
    if p is None:
        return "-"
    if isinstance(p, str):
        return p
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_ci(lo, hi, digits: int = 1) -> str:
    """``low-high`` with NR for a missing limit.

    Parameters
    ----------
    lo, hi : float or None
        The lower and upper limit, each formatted by :func:`fmt` (``None`` or NaN: ``NR``).
    digits : int, default 1
        Decimals.

    Returns
    -------
    str
        The two limits joined by an en dash.

    Examples
    --------
    >>> fmt_ci(2.34, None)
    '2.3–NR'
    """
    return f"{fmt(lo, digits)}\u2013{fmt(hi, digits)}"


def table(header: list[str], rows: list[list], caption: str = "", cls: str = "") -> str:
    """An HTML table; cells are escaped unless wrapped in :class:`Raw`.

    Inside :func:`collect_tables` the table is also recorded as plain text (``(caption, header, rows)``,
    tags removed from :class:`Raw` cells).

    Parameters
    ----------
    header : list
        Column headers (text or :class:`Raw`); an empty header is written as an empty ``td`` cell.
    rows : list of list
        The body rows; each cell is text (escaped, ``None`` empty) or :class:`Raw`.
    caption : str, default ""
        The table caption (omitted when empty).
    cls : str, default ""
        The ``class`` attribute of the table.

    Returns
    -------
    str
        The ``<table>`` element.
    """
    def cell(v, tag):
        return f"<{tag}>{v.html if isinstance(v, Raw) else esc(v)}</{tag}>"

    # an empty corner cell is a td: a th without text is an empty header to screen readers (axe-core)
    h = "".join(cell(x, "th") if (isinstance(x, Raw) or esc(x).strip()) else "<td></td>" for x in header)
    b = "".join("<tr>" + "".join(cell(x, "td") for x in r) + "</tr>" for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    collected = _TABLES.get()
    if collected is not None:
        collected.append((caption, [_text(x) for x in header], [[_text(x) for x in r] for r in rows]))
    return f'<table class="{esc(cls)}">{cap}<thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>'


class Raw:
    """Pre-rendered HTML for :func:`table` cells."""

    def __init__(self, html: str):
        self.html = html


def note(text: str) -> str:
    """A paragraph of notes.

    Parameters
    ----------
    text : str
        The note, escaped.

    Returns
    -------
    str
        ``<p class="note">...</p>``.
    """
    return f'<p class="note">{esc(text)}</p>'
