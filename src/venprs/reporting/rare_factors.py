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
    """The policy paragraph."""
    return note(POLICY[policy])


def flagged_entries(flags, *, analysis: str, endpoint: str, split: int | None = None) -> list[dict]:
    """Report entries for the flags of one fit (``FastCox.flagged(names)`` / ``CoxResult.to_dict()["flags"]``)."""
    out = []
    for f in flags:
        e = {"analysis": analysis, "endpoint": endpoint, "factor": f.get("factor"), "flag": f["flag"],
             "reason": f.get("reason", ""), "r_message": f.get("r_message")}
        if split is not None:
            e["split"] = split
        out.append(e)
    return out


def flagged_html(entries: list[dict], caption: str) -> str:
    """Every flagged fit as a table (folded when long)."""
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
