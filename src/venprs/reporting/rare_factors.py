"""The rare-factor policy in reports: what it does, and every flagged Cox fit.

Sections put their flagged fits into ``results["rare_factors"]["flagged"]`` (merged
by :func:`venprs.reporting.report.run_report`); each entry has ``analysis``,
``endpoint``, ``factor`` (``None`` for the whole fit), ``split`` (calibration only),
``flag`` (``na``, ``may_be_infinite``, ``not_converged``, ``dropped``), ``reason``
and ``r_message`` (R's warning, verbatim, only where R gives one).

References
----------
.. [1] R package ``survival`` 3.5-3: ``coxph``, ``coxph.control``.
"""

from __future__ import annotations

from .html import Raw, esc, note, table

__all__ = ["POLICY", "policy_note", "flagged_entries", "flagged_html"]

#: One sentence per policy (``--rare-factors``), shown in the report.
POLICY = {
    "r": ("Rare factors (--rare-factors r, the default): every Cox fit is R's coxph with its default "
          "coxph.control() (iter.max = 20, eps = 1e-9): a factor without information (no carriers, all "
          "carriers) gets no coefficient (R: NA) and the other coefficients are R's; a monotone factor keeps "
          "its large estimate with R's warning \"coefficient may be infinite\"; a fit that reaches 20 "
          "iterations stops there, as R does (\"Ran out of iterations and did not converge\")."),
    "drop": ("Rare factors (--rare-factors drop, venprs 0.1): a factor without carriers, with a monotone "
             "likelihood or a coefficient beyond +-10 is dropped and the model refitted without it (up to 100 "
             "iterations); the other coefficients then differ from R's coxph on the same data."),
}


def policy_note(policy: str) -> str:
    """The policy paragraph.

    Parameters
    ----------
    policy : {"r", "drop"}
        The rare-factor policy of the run (``--rare-factors``), a key of :data:`POLICY`.

    Returns
    -------
    str
        The policy's sentence as a note paragraph (:func:`venprs.reporting.html.note`).

    References
    ----------
    .. [1] R package ``survival`` 3.5-3: ``coxph``, ``coxph.control``.
    """
    return note(POLICY[policy])


def flagged_entries(flags, *, analysis: str, endpoint: str, split: int | None = None) -> list[dict]:
    """Report entries for the flags of one fit (``FastCox.flagged(names)`` / ``CoxResult.to_dict()["flags"]``).

    Parameters
    ----------
    flags : iterable of dict
        The fit's flags, each with ``flag`` and optionally ``factor``, ``reason`` and ``r_message``.
    analysis : str, keyword-only
        The analysis the fit belongs to (shown in the report).
    endpoint : str, keyword-only
        The endpoint of the fit (``"os"``, ``"efs"``, ...).
    split : int or None, keyword-only, default None
        The calibration split; ``None`` (other analyses) leaves ``split`` out of the entries.

    Returns
    -------
    list of dict
        One entry per flag: ``analysis``, ``endpoint``, ``factor`` (``None`` for the whole fit), ``flag``,
        ``reason`` (``""`` if none), ``r_message`` (``None`` if none) and, when given, ``split``.
    """
    out = []
    for f in flags:
        e = {"analysis": analysis, "endpoint": endpoint, "factor": f.get("factor"), "flag": f["flag"],
             "reason": f.get("reason", ""), "r_message": f.get("r_message")}
        if split is not None:
            e["split"] = split
        out.append(e)
    return out


def flagged_html(entries: list[dict], caption: str) -> str:
    """Every flagged fit as a table (folded when long).

    Parameters
    ----------
    entries : list of dict
        Entries of :func:`flagged_entries`; a ``split`` column is shown when any entry has one.
    caption : str
        The table caption (also the summary line when folded).

    Returns
    -------
    str
        ``""`` without entries; the table, inside a ``<details>`` element when there are more than 12 entries.
    """
    if not entries:
        return ""
    split = any("split" in e for e in entries)
    head = ["analysis", "endpoint"] + (["split"] if split else []) + ["factor", "flag", "R's message", "reason"]
    rows = [[e["analysis"], e["endpoint"].upper()] + ([e.get("split", "")] if split else [])
             + [e["factor"] or "(whole fit)", e["flag"],
                Raw(f"<code>{esc(e['r_message'])}</code>") if e["r_message"] else "- (R gives none)",
                e.get("reason", "")] for e in entries]
    t = table(head, rows, caption=caption)
    if len(entries) <= 12:
        return t
    return f"<details><summary>{esc(caption)}: {len(entries)} flagged fits</summary>{t}</details>"
