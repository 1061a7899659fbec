"""The published VEN-PRS model, loaded from the one data file that holds it.

Every published number that venprs uses (coefficients, hazard ratios, cut-points,
group outcomes) is read from ``venprs_2025.json`` next to this module; nothing
is typed twice in code.

References
----------
.. [1] Shahswar R, et al. A novel prognostic risk model for patients with
   refractory/relapsed acute myeloid leukemia receiving venetoclax plus
   hypomethylating agents. Leukemia. 2025;39:614-622.
   doi:10.1038/s41375-024-02501-6
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Term", "Endpoint", "Model", "load_model", "model_json", "calibration_protocol", "published_groups_table", "to_units", "GROUPS", "ENDPOINTS"]

MODEL_FILE = "venprs_2025.json"
GROUPS: tuple[str, ...] = ("favorable", "intermediate", "adverse")
ENDPOINTS: tuple[str, ...] = ("os", "efs")


def to_units(value: str | Decimal, scale: int) -> int:
    """Convert a decimal string to an exact integer number of ``1/scale`` units.

    Parameters
    ----------
    value : str or decimal.Decimal
        The number, read exactly as ``Decimal(str(value))`` (no binary floating point).
    scale : int
        Units per 1 (the model file's scale, 100 for hundredths).

    Returns
    -------
    int
        ``value * scale``.

    Raises
    ------
    ValueError
        If the value is not an exact multiple of ``1/scale``.

    Examples
    --------
    >>> to_units("0.75", 100), to_units("-1.2", 100)
    (75, -120)
    """
    d = Decimal(str(value)) * scale
    if d != d.to_integral_value():
        raise ValueError(f"{value!r} is not a multiple of 1/{scale}")
    return int(d)


@dataclass(frozen=True)
class Term:
    """One factor of one endpoint's Cox model (Table 4)."""

    factor: str
    coefficient: Decimal
    units: int
    hr: float
    ci: tuple[float, float]
    p: str
    univariate: dict[str, Any]
    source: str


@dataclass(frozen=True)
class Endpoint:
    """The model for one endpoint (``os`` or ``efs``)."""

    name: str
    label: str
    terms: tuple[Term, ...]
    group_outcomes: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)

    @property
    def factors(self) -> tuple[str, ...]:
        """Canonical names of the factors in this endpoint's model, in model order."""
        return tuple(t.factor for t in self.terms)

    def term(self, factor: str) -> Term | None:
        """The term for ``factor``, or ``None`` if the factor is not in this model."""
        for t in self.terms:
            if t.factor == factor:
                return t
        return None


@dataclass(frozen=True)
class Model:
    """The VEN-PRS model: factors, per-endpoint terms, cut-points, published outcomes.

    Scores are kept as integers in units of ``1/scale`` (hundredths), so sums and
    comparisons with the cut-points are exact.
    """

    name: str
    version: str
    doi: str
    citation: str
    scale: int
    low_units: int
    high_units: int
    factors: tuple[dict[str, Any], ...]
    endpoints: dict[str, Endpoint]
    raw: dict[str, Any] = field(repr=False)

    @property
    def factor_names(self) -> tuple[str, ...]:
        """The seven canonical factor names, in the model file's order."""
        return tuple(f["name"] for f in self.factors)

    def group_of_units(self, units: int) -> str:
        """Risk group of a score given in exact units (Table 4 footnote rule)."""
        if units < self.low_units:
            return "favorable"
        if units > self.high_units:
            return "adverse"
        return "intermediate"

    def from_units(self, units: int) -> float:
        """The float nearest to an exact score (for display and JSON)."""
        return units / self.scale


def _build(raw: dict[str, Any]) -> Model:
    scale = int(raw["scale"])
    names = [f["name"] for f in raw["factors"]]
    endpoints = {}
    for ep, spec in raw["endpoints"].items():
        terms = []
        for t in spec["terms"]:
            if t["factor"] not in names:
                raise ValueError(f"model file: endpoint {ep} names unknown factor {t['factor']!r}")
            terms.append(
                Term(
                    factor=t["factor"],
                    coefficient=Decimal(t["coefficient"]),
                    units=to_units(t["coefficient"], scale),
                    hr=float(t["hr"]),
                    ci=(float(t["ci"][0]), float(t["ci"][1])),
                    p=str(t["p"]),
                    univariate=dict(t.get("univariate", {})),
                    source=t["source"],
                )
            )
        endpoints[ep] = Endpoint(ep, spec["label"], tuple(terms), dict(spec["group_outcomes"]), spec)
    th = raw["thresholds"]
    return Model(
        name=raw["name"],
        version=raw["version"],
        doi=raw["reference"]["doi"],
        citation=raw["reference"]["citation"],
        scale=scale,
        low_units=to_units(th["favorable_below"], scale),
        high_units=to_units(th["adverse_above"], scale),
        factors=tuple(raw["factors"]),
        endpoints=endpoints,
        raw=raw,
    )


def calibration_protocol() -> tuple[int, float, float]:
    """The paper's calibration protocol: (splits, training fraction, horizon in months).

    200 random splits into 100 training and 74 test patients, 10-month survival
    (Methods; the model file's ``performance.calibration``). The 10-month horizon is
    also the paper's time-dependent AUC horizon (Supplementary Fig. S12).

    Returns
    -------
    tuple of (int, float, float)
        Splits, training fraction, horizon in months.

    Examples
    --------
    >>> calibration_protocol()
    (200, 0.5747126436781609, 10.0)
    """
    c = load_model().raw["performance"]["calibration"]
    return int(c["splits"]), c["train"] / (c["train"] + c["test"]), float(c["horizon_months"])


@lru_cache(maxsize=1)
def published_groups_table(endpoint: str) -> dict[str, Any]:
    """The published risk-group outcomes of ``endpoint`` as flat rows (what reports put beside ours).

    Returns
    -------
    dict
        ``{group: {"n", "median", "ci_low", "ci_high", "source"}, "logrank_p": ...}`` from the model
        file's ``group_outcomes`` (Results; Fig. 2 and 3).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622 (Results; Fig. 2, Fig. 3).
    """
    go = load_model().endpoints[endpoint].group_outcomes
    out: dict[str, Any] = {g: {"n": go[g].get("n"), "median": go[g].get("median_months"),
                               "ci_low": (go[g].get("ci") or [None])[0],
                               "ci_high": (go[g].get("ci") or [None, None])[1],
                               "source": go[g].get("source", "")} for g in GROUPS if g in go}
    out["logrank_p"] = go.get("logrank_p")
    return out


def model_json() -> str:
    """The model file's text, exactly as shipped.

    Returns
    -------
    str
        The JSON text of the model file.
    """
    return resources.files(__name__).joinpath(MODEL_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_model() -> Model:
    """Load (once) and return the published VEN-PRS model.

    Examples
    --------
    >>> m = load_model()
    >>> m.endpoints["os"].term("sf3b1").coefficient
    Decimal('-0.98')
    >>> m.low_units, m.high_units
    (25, 75)
    """
    return _build(json.loads(model_json()))
