"""CDS Hooks 2.0 service and FHIR R4 output: the VEN-PRS in the electronic health record.

Routes (added to the app by :func:`register`)
---------------------------------------------
``GET /cds-services``                    discovery: one ``patient-view`` service and its prefetch templates
``POST /cds-services/venprs-patient-view`` the service: FHIR R4 resources in ``prefetch`` -> one card
``POST /api/v1/fhir/RiskAssessment``     a FHIR R4 ``RiskAssessment`` for a set of factor values

What is read from FHIR
----------------------
* The five genes from Genomics Reporting IG variant Observations: ``code`` LOINC 69548-6
  (Genetic variant assessment), ``valueCodeableConcept`` LOINC LA9633-4 (Present) or
  LA9634-2 (Absent), and a component LOINC 48018-6 (Gene studied) whose value is the HGNC id
  (:data:`HGNC_IDS`). Observations of other genes are ignored. Only a ``final``, ``amended`` or
  ``corrected`` Observation is a result; ``registered``, ``preliminary``, ``unknown`` or a
  ``dataAbsentReason`` leave the gene pending (unknown), never absent.
* Extramedullary disease and prior HMA only through a code map that the site supplies
  (:class:`CdsConfig`, ``VENPRS_CDS_CODE_MAP``): no SNOMED CT or LOINC code whose published
  definition matches either factor could be verified, so none is built in and both stay
  unknown unless mapped (docs/lab-results.md).
* Anything not present stays unknown; a record that contradicts another for the same factor,
  or a resource that is not well-formed, is refused with HTTP 422 naming the JSON path of the
  offending element (e.g. ``prefetch.variants.entry[2].resource.valueCodeableConcept``).

The FHIR server named in a request's ``fhirServer`` is only contacted when the service is
configured to allow it (``CdsConfig.allow_fhir_server``, ``VENPRS_CDS_ALLOW_FHIR_SERVER=1``);
off by default, so the service only ever sees what the CDS client chose to send. A searchset
Bundle that links to a ``next`` page is read to its last page from that server (never from another
host: the access token goes to ``fhirServer`` only); if the server may not be contacted, a paged
Bundle is refused (HTTP 422) rather than scored from its first page alone.

Browser-based CDS clients need CORS; it is off by default and allowed per origin with
``CdsConfig.allow_origins`` (``VENPRS_CDS_ALLOW_ORIGINS``), on the ``/cds-services`` routes only.

References
----------
.. [1] CDS Hooks 2.0 (HL7): https://cds-hooks.hl7.org/2.0/ (discovery, request, card, links,
   suggestions; prefetch tokens ``{{context.patientId}}``).
.. [2] HL7 FHIR R4 RiskAssessment: https://hl7.org/fhir/R4/riskassessment.html ; R4B leaves it
   unchanged apart from the status value set version (https://hl7.org/fhir/2021Mar/riskassessment.diff.json).
.. [3] HL7 Genomics Reporting IG, Variant profile (LOINC 69548-6, 48018-6; LA9633-4, LA9634-2).
.. [4] HGNC ids: NF1 HGNC:7765, PTPN11 HGNC:9644, FLT3 HGNC:3765, TP53 HGNC:11998, SF3B1 HGNC:10768
   (https://www.genenames.org).
.. [5] CDS Hooks 2.0, Security and Safety, Cross-Origin Resource Sharing ("CDS Services and
   browser-based CDS Clients will require CORS support").
.. [6] FHIR R4 Search, Paging (``Bundle.link`` with relation ``next``):
   https://hl7.org/fhir/R4/http.html#paging
.. [7] FHIR R4 status value sets: observation-status, condition-ver-status, event-status (Procedure),
   medication-statement-status, medicationrequest-status (https://hl7.org/fhir/R4/terminologies-valuesets.html).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from fastapi import Body, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ..errors import InputError
from ..fields import FACTOR_FIELDS
from ..model import ENDPOINTS, load_model
from ..mutations import GENE_FACTORS
from ..scoring import FACTORS, ScoreResult, scenario_text, score

__all__ = ["SERVICE_ID", "HGNC_IDS", "CdsConfig", "FhirError", "discovery", "factors_from_prefetch", "card",
           "risk_assessment", "page_fragment", "register", "MAX_CDS_BYTES"]

SERVICE_ID = "venprs-patient-view"
#: Largest CDS request body accepted (prefetch bundles can be large).
MAX_CDS_BYTES = 2 * 1024 * 1024
#: Most pages of one paged FHIR search read from the FHIR server.
MAX_FHIR_PAGES = 50

LOINC = "http://loinc.org"
HGNC_SYSTEM = "http://www.genenames.org/geneId"
VARIANT_ASSESSMENT = "69548-6"   # LOINC: Genetic variant assessment
GENE_STUDIED = "48018-6"         # LOINC: Gene studied [ID]
PRESENT, ABSENT = "LA9633-4", "LA9634-2"  # LOINC answers: Present / Absent
#: HGNC ids of the five VEN-PRS genes (https://www.genenames.org).
HGNC_IDS: dict[str, str] = {"nf1": "HGNC:7765", "ptpn11": "HGNC:9644", "flt3": "HGNC:3765",
                            "tp53": "HGNC:11998", "sf3b1": "HGNC:10768"}
assert set(HGNC_IDS) == set(GENE_FACTORS)
_FACTOR_OF_HGNC = {v: k for k, v in HGNC_IDS.items()}
_CLINICAL = tuple(f for f in FACTORS if f not in GENE_FACTORS)
_LABEL = {f.name: f.label for f in FACTOR_FIELDS}
_SOURCE_LABEL = "VEN-PRS (Shahswar et al., Leukemia 2025)"

# statuses that withdraw a record (it is then ignored)
_WITHDRAWN = {"entered-in-error", "cancelled", "refuted", "not-done", "not-taken", "stopped-in-error"}
# statuses under which a record is not (yet) a fact: it is ignored, so its factor stays unknown (pending).
# FHIR R4 value sets: observation-status (registered, preliminary: no final result yet; unknown),
# event-status of Procedure (preparation), medication-statement-status (intended: "may be taken at some time
# in the future"), medicationrequest-status (draft), and "unknown" for each of them.
_NOT_YET = {"Observation": {"registered", "preliminary", "unknown"}, "Procedure": {"preparation", "unknown"},
            "MedicationStatement": {"intended", "unknown"}, "MedicationRequest": {"draft", "unknown"},
            "MedicationAdministration": {"unknown"}}
# Condition.clinicalStatus values of a condition that is over (FHIR R4 condition-clinical); extramedullary
# disease counts only at the start of HMA/venetoclax (the model file's definition), so such a Condition is not read
_NOT_ACTIVE = {"inactive", "remission", "resolved"}
# statuses of a medication record that is going on now (FHIR R4 medication-statement-status active/on-hold,
# medicationrequest-status active/on-hold, medication-admin-status in-progress/on-hold): an HMA given now is
# most likely the HMA of the current HMA/venetoclax line, not a *prior* HMA (the model file's definition), so
# such a record does not set prior_hma (it stays unknown unless a completed or a dated-before record says so)
_CURRENT = {"active", "on-hold", "in-progress"}
_MEDICATIONS = {"MedicationStatement", "MedicationRequest", "MedicationAdministration"}
# MedicationRequest.intent values that are a suggestion, not an order (FHIR R4 medicationrequest-intent)
_NOT_AN_ORDER = {"proposal", "plan", "option"}
# Observation.status (1..1) values of a result (FHIR R4 observation-status; corrected is a kind of amended)
_OBSERVATION_RESULT = {"final", "amended", "corrected"}
# Condition.verificationStatus values that are not a diagnosis (FHIR R4 condition-ver-status)
_UNCONFIRMED = {"unconfirmed", "provisional", "differential"}
_CODE_PATHS = {"Condition": "code", "Observation": "code", "Procedure": "code",
               "MedicationStatement": "medicationCodeableConcept", "MedicationAdministration":
               "medicationCodeableConcept", "MedicationRequest": "medicationCodeableConcept"}


class FhirError(InputError):
    """A malformed CDS request or FHIR resource; ``path`` is the JSON path of the element."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}", field=path)


@dataclass(frozen=True)
class CdsConfig:
    """How the CDS service reads the record.

    Attributes
    ----------
    code_map : mapping
        ``{"extramedullary": {"present": ["system|code", ...], "absent": [...]},
        "prior_hma": {...}}``: codes (of ``Condition.code``, ``Observation.code``,
        ``Procedure.code`` or ``Medication*.medicationCodeableConcept``) that mean the factor is
        present or absent. Empty by default: both factors stay unknown (no verified code exists).
    allow_fhir_server : bool
        Fetch prefetch data the client did not send from the request's ``fhirServer``. Off by default.
    fhir_timeout : float
        Seconds per FHIR request.
    public_url : str, optional
        Base URL of the calculator page for the card's link (default: the request's own base URL).
    allow_origins : tuple of str
        Origins (``https://ehr.example.org``, or ``*`` for any) whose browser pages may call the
        ``/cds-services`` routes (CORS). Empty by default: no cross-origin access.
    """

    code_map: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    allow_fhir_server: bool = False
    fhir_timeout: float = 5.0
    public_url: Optional[str] = None
    allow_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "CdsConfig":
        """From ``VENPRS_CDS_CODE_MAP`` (path of a JSON code map), ``VENPRS_CDS_ALLOW_FHIR_SERVER``
        (``1``/``true``), ``VENPRS_PUBLIC_URL`` and ``VENPRS_CDS_ALLOW_ORIGINS`` (comma-separated)."""
        env = os.environ if environ is None else environ
        code_map: dict = {}
        path = env.get("VENPRS_CDS_CODE_MAP")
        if path:
            try:
                with open(path, encoding="utf-8") as fh:
                    code_map = json.load(fh)
            except (OSError, ValueError) as e:
                raise InputError(f"cannot read the CDS code map: {e}", file=path) from None
        return cls(code_map=parse_code_map(code_map, path or "code map"),
                   allow_fhir_server=env.get("VENPRS_CDS_ALLOW_FHIR_SERVER", "").lower() in ("1", "true", "yes"),
                   public_url=env.get("VENPRS_PUBLIC_URL") or None,
                   allow_origins=tuple(o.strip() for o in env.get("VENPRS_CDS_ALLOW_ORIGINS", "").split(",")
                                       if o.strip()))


def parse_code_map(raw: Any, name: str = "code map") -> dict[str, dict[str, tuple[str, ...]]]:
    """Check a code map (see :class:`CdsConfig`) and return it with tuples.

    >>> parse_code_map({"prior_hma": {"present": ["http://example.org/local|HMA-YES"]}})
    {'prior_hma': {'present': ('http://example.org/local|HMA-YES',), 'absent': ()}}
    """
    if not isinstance(raw, Mapping):
        raise InputError("the code map must be a JSON object {factor: {present: [...], absent: [...]}}", file=name)
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for factor, entry in raw.items():
        if factor not in _CLINICAL:
            raise InputError(f"code map factor {factor!r} is not one of {', '.join(_CLINICAL)} (the genes come "
                             "from variant Observations)", file=name)
        if not isinstance(entry, Mapping) or set(entry) - {"present", "absent"}:
            raise InputError(f"code map entry for {factor} must be {{'present': [...], 'absent': [...]}}", file=name)
        codes: dict[str, tuple[str, ...]] = {}
        for k in ("present", "absent"):
            vals = entry.get(k, [])
            if not isinstance(vals, list) or not all(isinstance(v, str) and "|" in v and v.split("|", 1)[1]
                                                     for v in vals):
                raise InputError(f"code map {factor}.{k} must be a list of 'system|code' strings", file=name)
            codes[k] = tuple(vals)
        out[factor] = codes
    return out


# ---------------------------------------------------------------- discovery


def discovery(config: CdsConfig) -> dict[str, Any]:
    """The ``GET /cds-services`` response: one ``patient-view`` service with its prefetch templates.

    Parameters
    ----------
    config : CdsConfig
        The service configuration; with a ``code_map`` the service also asks for the patient's
        Conditions, Observations, Procedures and MedicationStatements with the mapped codes.

    Returns
    -------
    dict
        ``{"services": [...]}`` with one service: ``hook`` (``patient-view``), ``id`` (:data:`SERVICE_ID`),
        ``title``, ``description`` (with the model's intended use) and ``prefetch`` (``patient``,
        ``variants``: the LOINC 69548-6 variant Observations, and the mapped record kinds).

    References
    ----------
    .. [1] CDS Hooks 2.0 (HL7), discovery: https://cds-hooks.hl7.org/2.0/
    """
    m = load_model()
    prefetch = {
        "patient": "Patient/{{context.patientId}}",
        "variants": f"Observation?patient={{{{context.patientId}}}}&code={LOINC}|{VARIANT_ASSESSMENT}",
    }
    kinds = {"Condition", "Observation", "Procedure", "MedicationStatement"}
    if config.code_map:
        for kind in sorted(kinds):
            codes = sorted({c for e in config.code_map.values() for v in e.values() for c in v})
            prefetch[kind.lower() + "s"] = f"{kind}?patient={{{{context.patientId}}}}&code=" + ",".join(codes)
    return {"services": [{
        "hook": "patient-view",
        "id": SERVICE_ID,
        "title": "VEN-PRS risk group (R/R AML, HMA plus venetoclax)",
        "description": (f"OS and EFS risk group of the {_SOURCE_LABEL} "
                        "from the patient's NF1, PTPN11, FLT3, TP53 and SF3B1 variant results"
                        + (" and mapped clinical records" if config.code_map else "")
                        + "; unknown factors give a range. " + m.raw.get("intended_use", "")),
        "prefetch": prefetch,
    }]}


# ---------------------------------------------------------------- reading FHIR


def _resources(value: Any, path: str) -> Iterator[tuple[dict, str]]:
    """The resources of one prefetch value (a resource or a Bundle), with their JSON paths."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise FhirError(path, f"must be a FHIR resource or Bundle (a JSON object), not {type(value).__name__}")
    rt = value.get("resourceType")
    if not isinstance(rt, str):
        raise FhirError(path, "has no resourceType")
    if rt == "OperationOutcome":  # a prefetch the client could not fulfil (CDS Hooks 2.0)
        return
    if rt != "Bundle":
        yield value, path
        return
    for e, p in _objects(value, "entry", path):
        if "resource" in e:
            yield from _resources(e["resource"], p + ".resource")


def _objects(parent: dict, key: str, path: str) -> Iterator[tuple[dict, str]]:
    """The objects of the list ``parent[key]`` (missing = empty), with their JSON paths."""
    items = parent.get(key, [])
    if not isinstance(items, list):
        raise FhirError(f"{path}.{key}", "must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise FhirError(f"{path}.{key}[{i}]", "must be an object")
        yield item, f"{path}.{key}[{i}]"


def _codings(cc: Any, path: str) -> list[tuple[str, str]]:
    if cc is None:
        return []
    if not isinstance(cc, dict):
        raise FhirError(path, "must be a CodeableConcept (an object)")
    codings = cc.get("coding", [])
    if not isinstance(codings, list):
        raise FhirError(path + ".coding", "must be a list")
    out = []
    for i, c in enumerate(codings):
        if not isinstance(c, dict) or not isinstance(c.get("system", ""), str) or not isinstance(c.get("code", ""), str):
            raise FhirError(f"{path}.coding[{i}]", "must be a Coding with text system and code")
        out.append((c.get("system", ""), c.get("code", "")))
    return out


def _withdrawn(res: dict, path: str) -> bool:
    """Whether a record does not count: withdrawn, not (yet) a fact, or an unconfirmed diagnosis."""
    status = res.get("status")
    if status is not None and not isinstance(status, str):
        raise FhirError(path + ".status", "must be a code (text)")
    rt = res["resourceType"]
    if rt == "Observation" and status not in _WITHDRAWN | _NOT_YET[rt] | _OBSERVATION_RESULT:
        raise FhirError(path + ".status", f"{status!r} is not an Observation status (FHIR R4: registered, "
                        "preliminary, final, amended, corrected, cancelled, entered-in-error, unknown)"
                        if status is not None else "is required (FHIR R4 Observation.status is 1..1)")
    if status in _WITHDRAWN or status in _NOT_YET.get(rt, ()):
        return True
    if rt == "MedicationRequest" and res.get("intent") in _NOT_AN_ORDER:
        return True
    vs = res.get("verificationStatus")
    return bool(vs) and any(c in _WITHDRAWN | _UNCONFIRMED for _, c in _codings(vs, path + ".verificationStatus"))


def _check_subject(res: dict, path: str, patient_id: str, server: Optional[str] = None) -> None:
    for key in ("subject", "patient"):
        ref = res.get(key)
        if ref is None:
            continue
        if not isinstance(ref, dict) or not isinstance(ref.get("reference", ""), str):
            raise FhirError(f"{path}.{key}", "must be a Reference object")
        r = ref.get("reference", "")
        if not r:  # an identifier or display only: cannot be matched to context.patientId
            raise FhirError(f"{path}.{key}.reference", "is required: a record must name its patient by reference "
                            f"(Patient/{patient_id}) to be read")
        if "://" in r and not (server and _on_server(r, server)):  # the same id on another FHIR server
            raise FhirError(f"{path}.{key}.reference", f"{r!r} is not on fhirServer {server!r}: not the patient in "
                            f"context (Patient/{patient_id})" if server else f"{r!r} is an absolute reference and "
                            "the request names no fhirServer: it cannot be matched to the patient in context")
        parts = r.split("/")
        if len(parts) >= 4 and parts[-2] == "_history":  # a versioned reference: Patient/123/_history/2
            parts = parts[:-2]
        if parts[-2:] != ["Patient", patient_id] and r != patient_id:
            raise FhirError(f"{path}.{key}.reference", f"{r!r} is not the patient in context (Patient/{patient_id})")


def _gene_of(obs: dict, path: str) -> Optional[str]:
    for comp, p in _objects(obs, "component", path):
        if (LOINC, GENE_STUDIED) in _codings(comp.get("code"), p + ".code"):
            for system, code in _codings(comp.get("valueCodeableConcept"), p + ".valueCodeableConcept"):
                if system == HGNC_SYSTEM and code in _FACTOR_OF_HGNC:
                    return _FACTOR_OF_HGNC[code]
    return None


def _mapped_value(obs: dict, path: str, sets: Mapping[str, set]) -> Optional[bool]:
    """The value of an Observation whose code is a mapped ``present`` code.

    No value (a finding) or ``valueBoolean: true`` is present, ``false`` absent, a ``valueCodeableConcept``
    coded with a mapped code that code's meaning; ``dataAbsentReason`` is unknown (``None``). Any other value
    (text, a number, an unmapped answer such as "No") is refused rather than read as present.
    """
    values = [k for k in obs if k.startswith("value")]
    if not values:
        return None if obs.get("dataAbsentReason") is not None else True
    if values == ["valueBoolean"] and isinstance(obs["valueBoolean"], bool):
        return obs["valueBoolean"]
    if values == ["valueCodeableConcept"]:
        answer = set(_codings(obs["valueCodeableConcept"], path + ".valueCodeableConcept"))
        yes, no = bool(answer & sets.get("present", set())), bool(answer & sets.get("absent", set()))
        if yes != no:
            return yes
    raise FhirError(f"{path}.{values[0]}", "cannot be read as present or absent: send valueBoolean, no value "
                    "(the code is the finding), or a valueCodeableConcept coded with a code of the code map")


def factors_from_prefetch(prefetch: Mapping[str, Any], patient_id: str, config: CdsConfig,
                          server: Optional[str] = None, *, conflicts_out: Optional[dict[str, str]] = None
                          ) -> tuple[dict[str, Optional[bool]], dict[str, list[str]]]:
    """Factor values from the FHIR resources of a CDS request's prefetch.

    Variant Observations (LOINC 69548-6) set the five genes; Conditions, Observations, Procedures and
    Medication resources set ``extramedullary`` and ``prior_hma`` only through ``config.code_map``.
    Withdrawn records (``entered-in-error``, ``refuted``, ...) are ignored.

    Parameters
    ----------
    prefetch : mapping
        The request's ``prefetch``: each value a FHIR resource or Bundle (``None`` or an
        ``OperationOutcome`` for a prefetch the client could not fulfil).
    patient_id : str
        The ``context.patientId``; a record whose ``subject``/``patient`` is another patient is refused.
    config : CdsConfig
        The service configuration (its ``code_map``).
    server : str, optional
        The request's ``fhirServer``: an absolute patient reference must lie under it.
    conflicts_out : dict, optional
        Filled with ``factor -> sentence`` for each factor that records give both as present and as
        absent (for example FLT3-ITD found by PCR and not by NGS). Such a factor is unknown: the score
        is the range over both values, never one of them chosen silently.

    Returns
    -------
    values : dict of str to bool or None
        Each of the seven factors: ``True``, ``False`` or ``None`` (unknown; the default for anything
        not present, and for a factor whose records disagree).
    evidence : dict of str to list of str
        Each known factor's references (``Observation/id``) or JSON paths it came from.

    Raises
    ------
    FhirError
        A malformed element or a record about another patient (the message names its path).
    """
    found: dict[str, dict[bool, list[tuple[str, str]]]] = {}

    def note(factor: str, value: bool, path: str, res: dict) -> None:
        ref = f"{res['resourceType']}/{res['id']}" if isinstance(res.get("id"), str) else ""
        found.setdefault(factor, {}).setdefault(value, []).append((path, ref))

    wanted = {f: {k: {tuple(c.split("|", 1)) for c in v} for k, v in e.items()} for f, e in config.code_map.items()}
    for key, value in prefetch.items():
        for res, path in _resources(value, f"prefetch.{key}"):
            rt = res["resourceType"]
            if rt == "Patient" and isinstance(res.get("id"), str) and res["id"] != patient_id:
                raise FhirError(path + ".id", f"{res['id']!r} is not the patient in context (Patient/{patient_id}): "
                                "the prefetch is about another patient")
            if rt not in _CODE_PATHS or _withdrawn(res, path):
                continue
            _check_subject(res, path, patient_id, server)
            codes = set(_codings(res.get(_CODE_PATHS[rt]), f"{path}.{_CODE_PATHS[rt]}"))
            if rt == "Observation" and (LOINC, VARIANT_ASSESSMENT) in codes:
                factor = _gene_of(res, path)
                if factor is None:
                    continue
                vals = set(_codings(res.get("valueCodeableConcept"), path + ".valueCodeableConcept"))
                if res.get("valueCodeableConcept") is None and res.get("dataAbsentReason") is not None:
                    continue  # no result (FHIR R4 Observation.dataAbsentReason): the gene stays unknown
                if {(LOINC, PRESENT), (LOINC, ABSENT)} <= vals:
                    raise FhirError(path + ".valueCodeableConcept", f"the variant assessment of {GENE_FACTORS[factor]} "
                                    f"is coded both {PRESENT} (Present) and {ABSENT} (Absent)")
                if (LOINC, PRESENT) in vals:
                    note(factor, True, path, res)
                elif (LOINC, ABSENT) in vals:
                    note(factor, False, path, res)
                else:
                    raise FhirError(path + ".valueCodeableConcept", f"a variant assessment of {GENE_FACTORS[factor]} "
                                    f"must be LOINC {PRESENT} (Present) or {ABSENT} (Absent)")
                continue
            past = rt == "Condition" and any(c in _NOT_ACTIVE for _, c in _codings(
                res.get("clinicalStatus"), path + ".clinicalStatus"))
            current = rt in _MEDICATIONS and res.get("status") in _CURRENT
            for factor, sets in wanted.items():
                if factor == "extramedullary" and past:  # the factor is disease at the start of HMA/venetoclax
                    continue
                if factor == "prior_hma" and current:  # an HMA going on now: the current line, not a prior one
                    continue
                if codes & sets.get("present", set()):
                    vb = _mapped_value(res, path, sets) if rt == "Observation" else True
                    if vb is not None:
                        note(factor, vb, path, res)
                elif codes & sets.get("absent", set()):
                    note(factor, False, path, res)
    values: dict[str, Optional[bool]] = {f: None for f in FACTORS}
    evidence: dict[str, list[str]] = {}
    conflicts: dict[str, str] = {}
    for factor, by_value in found.items():
        if len(by_value) > 1:  # e.g. FLT3-ITD found by PCR, not by NGS: unknown, and the card says why
            yes, no = (", ".join(ref or p for p, ref in by_value[v]) for v in (True, False))
            conflicts[factor] = (f"{_LABEL[factor]} is recorded as present ({yes}) and as absent ({no}): "
                                 "taken as unknown, so the score is the range over both; resolve the records")
            continue
        (v, items), = by_value.items()
        values[factor] = v
        evidence[factor] = [ref or p for p, ref in items]
    if conflicts_out is not None:
        conflicts_out.update(conflicts)
    return values, evidence


def _get(config: CdsConfig, url: str, token: Optional[str], path: str, what: str) -> Any:
    """One GET of the FHIR server, as JSON (at most :data:`MAX_CDS_BYTES`)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FhirError(path, "fhirServer must be an http(s) URL")
    req = urllib.request.Request(url, headers={"Accept": "application/fhir+json",
                                               **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=config.fhir_timeout) as r:  # noqa: S310 - scheme checked
            return json.loads(r.read(MAX_CDS_BYTES + 1))
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise FhirError(path, f"could not read {what} from the FHIR server: "
                        f"{getattr(e, 'reason', None) or type(e).__name__}") from None


def _fetch(config: CdsConfig, server: str, query: str, token: Optional[str], path: str) -> Any:
    return _get(config, server.rstrip("/") + "/" + query, token, path, query.split("?")[0])


def _next_page(value: Any) -> Optional[str]:
    """The ``next`` link of a Bundle (FHIR paging), if any."""
    if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
        return None
    links = value.get("link")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return link["url"]
    return None


def _on_server(url: str, server: str) -> bool:
    """Whether ``url`` lies under the base URL ``server`` (same scheme, host, port and path prefix)."""
    u, s = urllib.parse.urlsplit(url), urllib.parse.urlsplit(server.rstrip("/") + "/")
    return (u.scheme, u.netloc) == (s.scheme, s.netloc) and (u.path + "/").startswith(s.path)


def _all_pages(config: CdsConfig, value: Any, path: str, server: Optional[str], token: Optional[str]) -> Any:
    """A prefetch value with every page of a paged search Bundle read (FHIR R4 paging).

    A Bundle without a ``next`` link is returned as it is. Otherwise the pages are read from
    ``server`` (when allowed) and their entries appended; a paged Bundle that cannot be completed
    is refused, so a factor is never decided from the first page of the record alone.
    """
    url = _next_page(value)
    if url is None:
        return value
    if not (server and config.allow_fhir_server):
        raise FhirError(f"{path}.link", "is one page of a longer search result (it links to a next page); "
                        "send every result in the prefetch, or let the service read the rest from fhirServer "
                        "(VENPRS_CDS_ALLOW_FHIR_SERVER=1)")
    entries = list(value.get("entry") or [])
    for _ in range(MAX_FHIR_PAGES - 1):
        if not _on_server(url, server):
            raise FhirError(f"{path}.link", f"the next page {url!r} is not on fhirServer {server!r}; it is not "
                            "read (the access token is only sent to fhirServer)")
        page = _get(config, url, token, f"{path} (next page)", "the next page")
        if not isinstance(page, dict) or page.get("resourceType") != "Bundle":
            raise FhirError(f"{path} (next page)", "the FHIR server's next page is not a Bundle")
        more = page.get("entry") or []
        if not isinstance(more, list):
            raise FhirError(f"{path} (next page).entry", "must be a list")
        entries.extend(more)
        url = _next_page(page)
        if url is None:
            links = [x for x in value.get("link") or [] if not (isinstance(x, dict) and x.get("relation") == "next")]
            return {**value, "entry": entries, "link": links}
    raise FhirError(path, f"the search result has more than {MAX_FHIR_PAGES} pages; send the results in the "
                    "prefetch or narrow the search")


# ---------------------------------------------------------------- card and RiskAssessment


def page_fragment(values: Mapping[str, Optional[bool]]) -> str:
    """The calculator page's URL fragment for a set of values: ``factor=present|absent|unknown``.

    Parameters
    ----------
    values : mapping of str to bool or None
        Factor values by name (``True`` present, ``False`` absent, ``None`` unknown); a factor not in the
        mapping is unknown.

    Returns
    -------
    str
        ``factor=word`` for the seven factors in model order, joined by ``&`` (without the ``#``).

    Examples
    --------
    >>> page_fragment({"extramedullary": True, "nf1": None})
    'extramedullary=present&prior_hma=unknown&nf1=unknown&ptpn11=unknown&flt3=unknown&tp53=unknown&sf3b1=unknown'
    """
    word = {True: "present", False: "absent", None: "unknown"}
    return "&".join(f"{f}={word[values.get(f)]}" for f in FACTORS)


def _group_text(ep) -> str:
    labels = load_model().raw.get("group_labels", {})
    names = [labels.get(g, g.capitalize()) for g in ep.possible_groups]
    return names[0] if len(names) == 1 else _or(names) + " (indeterminate)"


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _score_text(ep) -> str:
    if ep.score is not None:
        return f"score {ep.score:.2f}"
    lo, hi = ep.score_range
    return f"score {lo:.2f} to {hi:.2f}"


def _published_text(ep) -> str:
    if ep.group is None:
        return ""
    o = ep.published[ep.group]
    ci = o.get("ci") or [None, None]
    return f"; published median {o['median_months']} months (95% CI {ci[0]}-{ci[1]})"


def pending_sentence(result: ScoreResult) -> str:
    """The unknown factors in words: per endpoint, the scenarios of :func:`venprs.scoring.scenario_text`.

    The group if every unknown factor is absent, which unknown factor would change it, and
    which cannot (the same sentence as the page and ``venprs score``).
    """
    if all(result.inputs.get(f) is not None for f in FACTORS):
        return "All seven factors are known."
    parts = []
    for ep in ENDPOINTS:
        text = scenario_text(result[ep])
        if text:
            parts.append(f"{ep.upper()}: {text}")
    return " ".join(parts)


def card(result: ScoreResult, page_url: str, conflicts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One CDS Hooks card for a result.

    The card gives the OS/EFS group or range, the pending sentence, source, intended use and a link to the
    calculator page with the inputs in the URL fragment.

    Parameters
    ----------
    result : ScoreResult
        The result of :func:`venprs.score`.
    page_url : str
        URL of the calculator page; any fragment (``#...``) is replaced by :func:`page_fragment` of the inputs.
    conflicts : mapping, optional
        Sentences of :func:`factors_from_prefetch` (``conflicts_out``): shown first in ``detail``, and the
        card's ``indicator`` is then ``warning``.

    Returns
    -------
    dict
        The card: ``uuid`` (random), ``summary`` (at most 139 characters), ``indicator`` (``info``,
        ``warning`` when records conflict),
        ``detail`` (Markdown: per endpoint score, group and published median; :func:`pending_sentence`;
        source; intended use), ``source`` and ``links`` (one absolute link to the page).

    References
    ----------
    .. [1] CDS Hooks 2.0 (HL7), card attributes: https://cds-hooks.hl7.org/2.0/
    .. [2] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
    """
    m = load_model()
    summary = "VEN-PRS: " + ", ".join(f"{ep.upper()} {_group_text(result[ep])}" for ep in ENDPOINTS)
    lines = [f"**{m.endpoints[ep].label}**: {_score_text(result[ep])}, {_group_text(result[ep]).lower()}"
             f"{_published_text(result[ep])}." for ep in ENDPOINTS]
    lines.append(pending_sentence(result))
    if conflicts:
        lines.insert(0, "**Conflicting records**: " + " ".join(f"{c}." for c in conflicts.values()))
    lines.append(f"Source: {m.citation} doi:{m.doi}")
    lines.append(m.raw.get("intended_use", ""))
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary[:139],
        "indicator": "warning" if conflicts else "info",
        "detail": "\n\n".join(x for x in lines if x),
        "source": {"label": _SOURCE_LABEL, "url": m.raw["reference"]["url"]},
        "links": [{"label": "Open in the VEN-PRS calculator", "url": page_url.split("#")[0] + "#"
                   + page_fragment(result.inputs), "type": "absolute"}],
    }


def risk_assessment(result: ScoreResult, subject: str, *, basis: list[str] | None = None,
                    when: _dt.datetime | None = None) -> dict[str, Any]:
    """A FHIR R4 ``RiskAssessment`` for a result (one prediction per endpoint).

    Parameters
    ----------
    result : ScoreResult
    subject : str
        Reference to the patient, e.g. ``"Patient/123"``.
    basis : list of str, optional
        References of the records the inputs came from (``Observation/abc``).
    when : datetime, optional
        ``occurrenceDateTime`` (default: now, UTC).

    Returns
    -------
    dict
        The FHIR resource as JSON-ready data.

    Notes
    -----
    The risk group is given as text (``qualitativeRisk.text``): the FHIR example value set
    (risk-probability: low, moderate, high, ...) has no published equivalence to the VEN-PRS
    groups, so no code is claimed. The score or range, cut-points and the paper's group
    median go into ``prediction.rationale``.

    References
    ----------
    .. [1] https://hl7.org/fhir/R4/riskassessment.html
    """
    m = load_model()
    when = when or _dt.datetime.now(_dt.timezone.utc)
    preds = []
    for ep in ENDPOINTS:
        r = result[ep]
        unknown = f" Unknown: {', '.join(_LABEL[f] for f in r.unknown_factors)}." if r.unknown_factors else ""
        preds.append({
            "outcome": {"text": m.endpoints[ep].label},
            "qualitativeRisk": {"text": f"VEN-PRS {_group_text(r).lower()}"},
            "rationale": (f"VEN-PRS {ep.upper()} {_score_text(r)} ({m.raw['thresholds']['rule']})"
                          f"{_published_text(r)}.{unknown}"),
        })
    out: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": "final" if result.os.determinate and result.efs.determinate else "preliminary",
        "subject": {"reference": subject},
        "occurrenceDateTime": when.replace(microsecond=0).isoformat(),
        "method": {"text": f"VEN-PRS {m.version} ({m.citation} doi:{m.doi})"},
        "prediction": preds,
        "note": [{"text": m.raw.get("intended_use", "")}, {"text": pending_sentence(result)}],
    }
    if basis:
        out["basis"] = [{"reference": b} for b in basis]
    return out


# ---------------------------------------------------------------- routes


def _bad(e: FhirError | InputError, status: int = 422) -> JSONResponse:
    path = getattr(e, "path", None)
    loc = ["body", *[p for p in (path or "").replace("[", ".[").split(".") if p]] if path else ["body"]
    return JSONResponse({"detail": [{"loc": loc, "msg": str(e), "type": "fhir_error" if path else "input_error",
                                     **({"path": path} if path else {})}]}, status_code=status)


def _request_fields(body: Any) -> tuple[str, dict, dict, Optional[str], Optional[str]]:
    if not isinstance(body, dict):
        raise FhirError("body", "must be a CDS Hooks request (a JSON object)")
    for key in ("hook", "hookInstance"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise FhirError(key, "is required (text)")
    if body["hook"] != "patient-view":
        raise FhirError("hook", f"{body['hook']!r}: this service answers the patient-view hook")
    ctx = body.get("context")
    if not isinstance(ctx, dict):
        raise FhirError("context", "is required (an object)")
    pid = ctx.get("patientId")
    if not isinstance(pid, str) or not pid:
        raise FhirError("context.patientId", "is required (the FHIR Patient.id)")
    prefetch = body.get("prefetch") or {}
    if not isinstance(prefetch, dict):
        raise FhirError("prefetch", "must be an object")
    server = body.get("fhirServer")
    if server is not None and not isinstance(server, str):
        raise FhirError("fhirServer", "must be a URL (text)")
    auth = body.get("fhirAuthorization")
    token = None
    if auth is not None:
        if server is None:
            raise FhirError("fhirAuthorization", "needs fhirServer (CDS Hooks 2.0)")
        if not isinstance(auth, dict) or not isinstance(auth.get("access_token"), str):
            raise FhirError("fhirAuthorization.access_token", "is required (text)")
        token = auth["access_token"]
    return pid, ctx, prefetch, server, token


def register(app: FastAPI, config: CdsConfig | None = None) -> None:
    """Add the CDS Hooks and FHIR routes to ``app`` (see the module docstring).

    Parameters
    ----------
    app : fastapi.FastAPI
        The application: gets ``GET /cds-services``, ``POST /cds-services/venprs-patient-view`` (a 404 for
        any other service id) and ``POST /api/v1/fhir/RiskAssessment``.
    config : CdsConfig or None, default None
        The service configuration; ``None`` reads it from the environment (:meth:`CdsConfig.from_env`).

    Returns
    -------
    None
    """
    cfg = config if config is not None else CdsConfig.from_env()
    templates = discovery(cfg)["services"][0]["prefetch"]

    @app.get("/cds-services", tags=["cds-hooks"], summary="CDS Hooks discovery")
    async def cds_discovery() -> dict[str, Any]:
        """The CDS Hooks 2.0 discovery document: one ``patient-view`` service."""
        return discovery(cfg)

    @app.post(f"/cds-services/{SERVICE_ID}", tags=["cds-hooks"], summary="VEN-PRS card for the patient in view",
              responses={422: {"description": "A malformed request or FHIR resource (names its JSON path)"}})
    def cds_service(request: Request, body: Any = Body(None)) -> Response:
        """Read the prefetched FHIR resources and answer one card (CDS Hooks 2.0)."""
        return _service(body, request, cfg, templates)

    @app.post("/cds-services/{service_id}", include_in_schema=False)
    async def cds_unknown(service_id: str) -> Response:
        return JSONResponse({"detail": [{"loc": ["path", "service_id"], "msg": f"no CDS service {service_id!r}; "
                                         f"this server offers {SERVICE_ID!r}", "type": "not_found"}]},
                            status_code=404)

    @app.post("/api/v1/fhir/RiskAssessment", tags=["fhir"], summary="A FHIR R4 RiskAssessment for a result",
              responses={422: {"description": "A bad value (names its path)"}})
    def api_risk_assessment(body: Any = Body(None)) -> Response:
        """Body: ``{"subject": {"reference": "Patient/123"}, "factors": {...}}`` with the factors as
        in ``POST /api/v1/score``. Answers a FHIR R4 RiskAssessment (``application/fhir+json``)."""
        try:
            if not isinstance(body, dict) or set(body) - {"subject", "factors"}:
                raise FhirError("body", "must be {\"subject\": {\"reference\": \"Patient/...\"}, \"factors\": {...}}")
            subj = body.get("subject")
            if not isinstance(subj, dict) or not isinstance(subj.get("reference"), str) or not subj["reference"]:
                raise FhirError("subject.reference", "is required (e.g. \"Patient/123\"; R4 RiskAssessment.subject "
                                "is 1..1)")
            factors = body.get("factors") or {}
            if not isinstance(factors, dict):
                raise FhirError("factors", "must be an object of factor values")
            extra = sorted(set(factors) - set(FACTORS))
            if extra:
                raise FhirError(f"factors.{extra[0]}", f"is not a factor; factors: {', '.join(FACTORS)}")
            try:
                result = score(**factors)
            except InputError as e:
                raise FhirError(f"factors.{e.field}", e.message) from None
        except FhirError as e:
            return _bad(e)
        return Response(json.dumps(risk_assessment(result, subj["reference"])), media_type="application/fhir+json")


def _service(body: Any, request: Request, cfg: CdsConfig, templates: Mapping[str, str]) -> Response:
    try:
        pid, ctx, prefetch, server, token = _request_fields(body)
        prefetch = dict(prefetch)
        missing = [k for k in templates if k not in prefetch and k != "patient"]
        if missing and server and cfg.allow_fhir_server:
            for k in missing:
                query = templates[k].replace("{{context.patientId}}", urllib.parse.quote(pid, safe=""))
                prefetch[k] = _fetch(cfg, server, query, token, f"fhirServer ({k})")
        prefetch = {k: _all_pages(cfg, v, f"prefetch.{k}", server, token) for k, v in prefetch.items()}
        conflicts: dict[str, str] = {}
        values, evidence = factors_from_prefetch(prefetch, pid, cfg, server, conflicts_out=conflicts)
    except FhirError as e:
        return _bad(e)
    result = score(**values)
    base = cfg.public_url or str(request.base_url)
    c = card(result, base.rstrip("/") + "/", conflicts)
    ra = risk_assessment(result, f"Patient/{pid}", basis=sorted({b for v in evidence.values() for b in v
                                                                 if "/" in b and not b.startswith("prefetch")}))
    if conflicts:  # nothing is offered for saving until the records agree
        return JSONResponse({"cards": [c]})
    c["suggestions"] = [{"label": "Save this VEN-PRS result to the record", "uuid": str(uuid.uuid4()),
                         "actions": [{"type": "create", "description": "Add a RiskAssessment with the VEN-PRS "
                                      "OS and EFS groups", "resource": ra}]}]
    c["selectionBehavior"] = "at-most-one"
    return JSONResponse({"cards": [c]})
