"""Plain-text rendering of results and of the model, shared by the CLI (and the docs)."""

from __future__ import annotations

from .model import load_model
from .prediction import predicted_text
from .scoring import EndpointResult, ScoreResult, scenario_text
from .version import __version__

__all__ = ["format_result", "format_model", "format_ci", "version_line"]


def version_line() -> str:
    """The tool's and the model's versions as one line: ``venprs 0.1.0, model VEN-PRS 1.0.0``.

    Returns
    -------
    str
        The line.
    """
    m = load_model()
    return f"venprs {__version__}, model {m.name} {m.version}"


def format_ci(ci) -> str:
    """``[lo, hi]`` as ``lo-hi``; a missing bound is written ``NR`` (not reached).

    Parameters
    ----------
    ci : sequence of two numbers or None
        The lower and upper bound; ``None`` for a bound that was not reached.

    Returns
    -------
    str
        ``"lo-hi"``, each bound as ``str`` gives it.

    Examples
    --------
    >>> format_ci([1.2, 3.4]), format_ci((5.1, None))
    ('1.2-3.4', '5.1-NR')
    """
    lo, hi = ci
    return f"{'NR' if lo is None else lo}-{'NR' if hi is None else hi}"


def _value_word(v: bool | None) -> str:
    return "unknown" if v is None else ("present" if v else "absent")


def _endpoint_lines(r: EndpointResult) -> list[str]:
    m = load_model()
    ep = m.endpoints[r.endpoint]
    name = r.endpoint.upper()
    if r.score is not None:
        head = f"{name:<4} score {r.score:.2f}"
    else:
        head = f"{name:<4} score range {r.score_range[0]:.2f} to {r.score_range[1]:.2f} (unknown: {', '.join(r.unknown_factors)})"
    if r.group:
        head += f"  ->  {r.group.upper()} risk"
    else:
        head += "  ->  not determinate; possible groups: " + ", ".join(r.possible_groups)
    lines = [head]
    text = scenario_text(r)
    if text:
        sc = r.scenarios
        lines.append("     " + text)
        lines.append(f"     scenarios: every unknown absent -> {sc['unknown_absent']['group']} "
                     f"({sc['unknown_absent']['score']:.2f}); every unknown present -> "
                     f"{sc['unknown_present']['group']} ({sc['unknown_present']['score']:.2f}); deciding: "
                     + (", ".join(r.deciding_factors) or "none"))
    for g in r.possible_groups:
        o = ep.group_outcomes[g]
        n = "n not reported" if o.get("n") is None else f"n = {o['n']}"
        lines.append(f"     paper, {g} group: {n}, median {name} {o['median_months']} months "
                     f"(95% CI {format_ci(o['ci'])}) [{o['source']}]")
    if r.extras.get("predicted"):

        lines.append("     " + predicted_text(r.endpoint, r.extras["predicted"]))
    return lines


def format_result(result: ScoreResult) -> str:
    """Human-readable report of one patient's OS and EFS result.

    Parameters
    ----------
    result : ScoreResult
        The result of :func:`venprs.score` for one patient.

    Returns
    -------
    str
        Several lines: the version and the seven inputs; for OS then EFS the score (or its range over the
        unknown factors) and risk group (or the possible groups), the scenarios when factors are unknown,
        the published median survival of each possible group and, when present, the predicted survival;
        then the cut-point rule, the source and a not-a-medical-device line.
    """
    m = load_model()
    lines = [version_line() + ": " + ", ".join(f"{k}={_value_word(v)}" for k, v in result.inputs.items())]
    lines += _endpoint_lines(result.os)
    lines += _endpoint_lines(result.efs)
    lines.append(f"Cut-points: {m.raw['thresholds']['rule']}.")
    lines.append(f"Source: {m.citation} doi:{m.doi}")
    lines.append("Decision support for professionals and research use; not a medical device.")
    return "\n".join(lines)


def format_model() -> str:
    """The model as text: factors, coefficients, HRs with CI, cut-points and sources.

    Returns
    -------
    str
        Lines of text joined by newlines.
    """
    m = load_model()
    out = [f"{version_line()} - {m.raw['long_name']}", f"Source: {m.citation} doi:{m.doi}", ""]
    for key, ep in m.endpoints.items():
        out.append(f"{ep.label} ({key.upper()}), {ep.raw['coefficients_source']}:")
        out.append(f"  {'factor':<16}{'coefficient':>12}{'HR':>7}  {'95% CI':<12}{'p':<8}source")
        for t in ep.terms:
            out.append(f"  {t.factor:<16}{str(t.coefficient):>12}{t.hr:>7}  {format_ci(t.ci):<12}{t.p:<8}{t.source}")
        out.append("  group outcomes:")
        for g in m.raw["groups"]:
            o = ep.group_outcomes[g]
            n = "n not reported" if o.get("n") is None else f"n = {o['n']}"
            out.append(f"    {g:<13} {n:<16} median {o['median_months']} months (95% CI {format_ci(o['ci'])})"
                       f"  [{o['source']}]")
        out.append("")
    out.append(f"Cut-points: {m.raw['thresholds']['rule']}  [{m.raw['thresholds']['source']}]")
    out.append(f"Score: {m.raw['score_definition']['text']}")
    return "\n".join(out)
