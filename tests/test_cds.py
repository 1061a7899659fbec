"""CDS Hooks 2.0 service and FHIR R4 RiskAssessment (venprs.web.cds).

Responses are validated against the CDS Hooks JSON shapes (tests/cds_hooks_shapes.py, written
from the specification) and the FHIR resources with ``fhir.resources`` (R4B models: R4B changes
nothing in RiskAssessment, Observation or Bundle that these resources use). Scores: Table 4 of
Shahswar et al., Leukemia 2025;39:614-622.
"""

from __future__ import annotations

import copy
import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.riskassessment import RiskAssessment

import cds_hooks_shapes as shapes
from venprs import score
from venprs.web import create_app
from venprs.web.cds import SERVICE_ID, CdsConfig, page_fragment, parse_code_map

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LAB = Path(__file__).parent / "data" / "lab"
URL = f"/cds-services/{SERVICE_ID}"


def load(name):
    return json.loads((LAB / name).read_text())


CODE_MAP = parse_code_map(load("cds_code_map.json"))


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(cds_config=CdsConfig()), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def mapped():
    return TestClient(create_app(cds_config=CdsConfig(code_map=CODE_MAP)), raise_server_exceptions=False)


def request(prefetch=None, **over):
    body = {"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            "context": {"userId": "Practitioner/example", "patientId": "pat-1"},
            "prefetch": {"patient": load("fhir_patient.json"), "variants": load("fhir_variants.json")}
            if prefetch is None else prefetch}
    body.update(over)
    shapes.Request.model_validate(body)
    return body


def the_card(r):
    assert r.status_code == 200, r.text
    shapes.Response.model_validate(r.json())
    (card,) = r.json()["cards"]
    return card


def test_committed_fhir_files_are_valid_r4b():
    for f in ("fhir_variants.json", "fhir_conditions.json", "fhir_medications.json"):
        Bundle.model_validate(load(f))


def test_discovery_shape_and_prefetch(client, mapped):
    d = client.get("/cds-services").json()
    shapes.Discovery.model_validate(d)
    (svc,) = d["services"]
    assert (svc["hook"], svc["id"]) == ("patient-view", SERVICE_ID)
    assert svc["prefetch"] == {"patient": "Patient/{{context.patientId}}",
                               "variants": "Observation?patient={{context.patientId}}&code=http://loinc.org|69548-6"}
    d = mapped.get("/cds-services").json()
    shapes.Discovery.model_validate(d)
    pf = d["services"][0]["prefetch"]
    assert pf["conditions"].startswith("Condition?patient={{context.patientId}}&code=")
    assert "http://example.org/fhir/CodeSystem/local-drugs|AZA" in pf["medicationstatements"]


def test_card_from_variant_observations(client):
    card = the_card(client.post(URL, json=request()))
    # FLT3 present (0.49 OS / 0.60 EFS); NF1, PTPN11, TP53 absent; SF3B1's record is entered-in-error -> unknown;
    # extramedullary and prior HMA unmapped -> unknown.  OS range: 0.49-0.98 = -0.49 .. 0.49+0.90+0.64 = 2.03
    assert card["summary"] == ("VEN-PRS: OS Favorable, Intermediate or Adverse (indeterminate), "
                               "EFS Favorable, Intermediate or Adverse (indeterminate)")
    assert "**Overall survival**: score -0.49 to 2.03" in card["detail"]
    assert "**Event-free survival**: score -0.27 to 1.62" in card["detail"]    # 0.60-0.87 .. 0.60+0.57+0.45
    # the scenarios sentence of venprs.scoring.scenario_text, per endpoint
    assert ("OS: If the pending SF3B1 result is wild-type and extramedullary disease and prior HMA treatment "
            "are absent: intermediate (0.49). Extramedullary disease or prior HMA treatment present would make "
            "it adverse; SF3B1 mutated, favorable.") in card["detail"]
    assert "Not a medical device" in card["detail"] and "doi:10.1038/s41375-024-02501-6" in card["detail"]
    assert card["source"]["url"] == "https://doi.org/10.1038/s41375-024-02501-6"
    (link,) = card["links"]
    assert link["url"] == ("http://testserver/#extramedullary=unknown&prior_hma=unknown&nf1=absent&ptpn11=absent"
                           "&flt3=present&tp53=absent&sf3b1=unknown")
    ra = card["suggestions"][0]["actions"][0]["resource"]
    RiskAssessment.model_validate(ra)
    assert ra["subject"] == {"reference": "Patient/pat-1"}
    assert [b["reference"] for b in ra["basis"]] == ["Observation/var-flt3", "Observation/var-nf1",
                                                     "Observation/var-ptpn11", "Observation/var-tp53"]


def test_card_with_code_map_is_determinate(mapped):
    prefetch = {"variants": load("fhir_variants.json"), "conditions": load("fhir_conditions.json"),
                "medicationstatements": load("fhir_medications.json")}
    card = the_card(mapped.post(URL, json=request(prefetch)))
    # OS: EMD 0.90 + prior HMA 0.64 + FLT3 0.49 = 2.03, with SF3B1 -0.98: 1.05 -> adverse either way.
    # EFS: 0.57 + 0.45 + 0.60 = 1.62, with SF3B1 -0.87: 0.75 -> intermediate (0.75 is <= 0.75).
    assert card["summary"] == "VEN-PRS: OS Adverse, EFS Intermediate or Adverse (indeterminate)"
    assert "score 1.05 to 2.03, adverse; published median 3.1 months (95% CI 1.5-6.7)" in card["detail"]
    assert ("OS: If the pending SF3B1 result is wild-type: adverse (2.03). The pending SF3B1 result cannot "
            "change the group. EFS: If the pending SF3B1 result is wild-type: adverse (1.62). SF3B1 mutated "
            "would make it intermediate.") in card["detail"]
    assert "extramedullary=present&prior_hma=present" in card["links"][0]["url"]


def test_groups_that_do_not_depend_on_the_unknowns(mapped):
    variants = load("fhir_variants.json")
    variants["entry"][2]["resource"]["valueCodeableConcept"]["coding"][0].update(code="LA9633-4")  # NF1 present
    prefetch = {"variants": variants, "conditions": load("fhir_conditions.json"),
                "medicationstatements": load("fhir_medications.json")}
    card = the_card(mapped.post(URL, json=request(prefetch)))
    # OS 0.90+0.64+0.94+0.49 = 2.97, with SF3B1: 1.99; EFS 0.57+0.45+0.81+0.60 = 2.43, with SF3B1: 1.56
    assert card["summary"] == "VEN-PRS: OS Adverse, EFS Adverse"
    assert ("OS: If the pending SF3B1 result is wild-type: adverse (2.97). The pending SF3B1 result cannot "
            "change the group. EFS: If the pending SF3B1 result is wild-type: adverse (2.43). The pending SF3B1 "
            "result cannot change the group.") in card["detail"]
    ra = card["suggestions"][0]["actions"][0]["resource"]
    assert RiskAssessment.model_validate(ra).status == "final"
    assert [b["reference"] for b in ra["basis"]][:2] == ["Condition/emd-1", "MedicationStatement/aza-1"]


@pytest.mark.parametrize("rt, status", [("MedicationStatement", "active"), ("MedicationStatement", "on-hold"),
                                        ("MedicationRequest", "active"), ("MedicationAdministration", "in-progress")])
def test_an_hma_given_now_is_not_a_prior_hma(mapped, rt, status):
    # the azacitidine of the current HMA/venetoclax line set prior HMA present (+0.64 OS, Table 4): prior HMA
    # is HMA *before* this line (model file). A record going on now leaves the factor unknown
    meds = load("fhir_medications.json")
    res = meds["entry"][0]["resource"]
    res.update(resourceType=rt, status=status)
    if rt == "MedicationRequest":
        res.update(intent="order", subject=res.get("subject"))
    prefetch = {"variants": load("fhir_variants.json"), "medicationstatements": meds}
    card = the_card(mapped.post(URL, json=request(prefetch)))
    assert "prior_hma=unknown" in card["links"][0]["url"]
    res["status"] = "completed"
    card = the_card(mapped.post(URL, json=request(prefetch)))
    assert "prior_hma=present" in card["links"][0]["url"]


def test_unmapped_clinical_records_stay_unknown(client):
    prefetch = {"variants": None, "conditions": load("fhir_conditions.json"),
                "medicationstatements": load("fhir_medications.json")}
    card = the_card(client.post(URL, json=request(prefetch)))
    assert card["links"][0]["url"].endswith("#" + page_fragment({}))        # all seven unknown


def test_operation_outcome_prefetch_means_no_data(client):
    oo = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "processing"}]}
    card = the_card(client.post(URL, json=request({"variants": oo})))
    assert card["links"][0]["url"].endswith("#" + page_fragment({}))


def _bad(client, body, status=422):
    r = client.post(URL, json=body)
    assert r.status_code == status, r.text
    return r.json()["detail"][0]


@pytest.mark.parametrize("edit, path, msg", [
    (lambda b: b["prefetch"]["variants"]["entry"][2]["resource"]["valueCodeableConcept"]["coding"][0].update(
        code="LA6576-8"), "prefetch.variants.entry[2].resource.valueCodeableConcept",
     "a variant assessment of NF1 must be LOINC LA9633-4 (Present) or LA9634-2 (Absent)"),
    (lambda b: b["prefetch"]["variants"]["entry"][0]["resource"].update(component={"x": 1}),
     "prefetch.variants.entry[0].resource.component", "must be a list"),
    (lambda b: b["prefetch"]["variants"].update(entry="nope"), "prefetch.variants.entry", "must be a list"),
    (lambda b: b["prefetch"]["variants"]["entry"][1]["resource"].pop("resourceType"),
     "prefetch.variants.entry[1].resource", "has no resourceType"),
    (lambda b: b["prefetch"]["variants"]["entry"][3]["resource"]["subject"].update(reference="Patient/other"),
     "prefetch.variants.entry[3].resource.subject.reference", "'Patient/other' is not the patient in context"),
    (lambda b: b["prefetch"]["variants"]["entry"][0]["resource"]["code"].update(coding=[7]),
     "prefetch.variants.entry[0].resource.code.coding[0]", "must be a Coding"),
    (lambda b: b.pop("hookInstance"), "hookInstance", "is required"),
    (lambda b: b.update(hook="order-select"), "hook", "this service answers the patient-view hook"),
    (lambda b: b["context"].pop("patientId"), "context.patientId", "is required"),
    (lambda b: b.update(fhirAuthorization={"access_token": "t"}), "fhirAuthorization", "needs fhirServer"),
    (lambda b: b.update(prefetch=[1]), "prefetch", "must be an object"),
])
def test_malformed_fhir_is_422_with_the_path(client, edit, path, msg):
    body = copy.deepcopy(request())
    edit(body)
    d = _bad(client, body)
    assert d["path"] == path and msg in d["msg"], d


def _flt3(edit):
    """request() with the FLT3 variant Observation (entry 0, Present) changed by ``edit``."""
    body = copy.deepcopy(request())
    edit(body["prefetch"]["variants"]["entry"][0]["resource"])
    return body


# FHIR R4 observation-status: registered and preliminary are not a final result; unknown = the source does not
# know the status (https://hl7.org/fhir/R4/valueset-observation-status.html). The FLT3 result then stays
# pending: OS range -0.98 .. 0.90+0.64+0.49 = 2.03 (Table 4), as if FLT3 were not in the prefetch.
@pytest.mark.parametrize("edit", [
    lambda r: r.update(status="preliminary"),
    lambda r: r.update(status="registered"),
    lambda r: r.update(status="unknown"),
    lambda r: (r.update(status="registered"), r.pop("valueCodeableConcept")),   # ordered, no result yet
    lambda r: (r.pop("valueCodeableConcept"), r.update(dataAbsentReason={"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "unknown"}]})),
])
def test_variant_without_a_final_result_is_pending(client, edit):
    card = the_card(client.post(URL, json=_flt3(edit)))
    assert "flt3=unknown" in card["links"][0]["url"]
    assert "**Overall survival**: score -0.98 to 2.03" in card["detail"]
    assert "OS: If the pending FLT3, SF3B1 results are all wild-type" in card["detail"]


@pytest.mark.parametrize("status", ["final", "amended", "corrected"])
def test_variant_result_statuses(client, status):
    card = the_card(client.post(URL, json=_flt3(lambda r: r.update(status=status))))
    assert "flt3=present" in card["links"][0]["url"]


@pytest.mark.parametrize("edit, path, msg", [
    (lambda r: r.pop("status"), "prefetch.variants.entry[0].resource.status", "is required"),
    (lambda r: r.update(status="done"), "prefetch.variants.entry[0].resource.status", "is not an Observation status"),
    # a Reference without .reference cannot be matched to context.patientId (FHIR R4 Reference: identifier, display)
    (lambda r: r.update(subject={"identifier": {"system": "urn:oid:2.16.840.1.113883.19.5", "value": "12345"}}),
     "prefetch.variants.entry[0].resource.subject.reference", "is required"),
    (lambda r: r.update(subject={"display": "Another Patient"}),
     "prefetch.variants.entry[0].resource.subject.reference", "is required"),
])
def test_unverifiable_variant_records_are_422(client, edit, path, msg):
    d = _bad(client, _flt3(edit))
    assert d["path"] == path and msg in d["msg"], d


def test_absolute_subject_reference_must_be_on_fhir_server(client):
    """Patient/pat-1 on another FHIR server is another patient: an absolute reference counts only under fhirServer."""
    here = "http://fhir.example.org/fhir"
    card = the_card(client.post(URL, json={**_flt3(lambda r: r.update(subject={"reference": here + "/Patient/pat-1"})),
                                           "fhirServer": here}))
    assert "flt3=present" in card["links"][0]["url"]
    for server in (here, None):
        body = _flt3(lambda r: r.update(subject={"reference": "http://other.example.org/fhir/Patient/pat-1"}))
        d = _bad(client, {**body, **({"fhirServer": server} if server else {})})
        assert d["path"] == "prefetch.variants.entry[0].resource.subject.reference"
        assert ("is not on fhirServer" if server else "names no fhirServer") in d["msg"]


def test_patient_prefetch_of_another_patient_is_422(client):
    body = request()
    body["prefetch"]["patient"] = {**body["prefetch"]["patient"], "id": "pat-2"}
    d = _bad(client, body)
    assert d["path"] == "prefetch.patient.id" and "'pat-2' is not the patient in context" in d["msg"]


def test_variant_coded_both_present_and_absent_is_422(client):
    d = _bad(client, _flt3(lambda r: r["valueCodeableConcept"]["coding"].append(
        {"system": "http://loinc.org", "code": "LA9634-2", "display": "Absent"})))
    assert d["path"] == "prefetch.variants.entry[0].resource.valueCodeableConcept"
    assert "coded both LA9633-4 (Present) and LA9634-2 (Absent)" in d["msg"]


def test_versioned_subject_reference_is_the_patient(client):
    """FHIR R4 references may carry a version (Patient/pat-1/_history/2): still the patient in context."""
    card = the_card(client.post(URL, json=_flt3(lambda r: r.update(
        subject={"reference": "Patient/pat-1/_history/2"}))))
    assert "flt3=present" in card["links"][0]["url"]
    d = _bad(client, _flt3(lambda r: r.update(subject={"reference": "Patient/other/_history/2"})))
    assert "is not the patient in context" in d["msg"]


def _mapped_record(resource):
    return request({"records": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
        "id": "r1", "subject": {"reference": "Patient/pat-1"}, **resource}}]}})


_EMD = {"coding": [{"system": "http://example.org/fhir/CodeSystem/local-findings", "code": "EMD"}]}
_AZA = {"coding": [{"system": "http://example.org/fhir/CodeSystem/local-drugs", "code": "AZA"}]}


@pytest.mark.parametrize("resource", [
    # FHIR R4 condition-ver-status: unconfirmed, provisional, differential are not a confirmed diagnosis
    *({"resourceType": "Condition", "code": _EMD, "verificationStatus": {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": c}]}}
      for c in ("unconfirmed", "provisional", "differential")),
    # condition-clinical resolved / remission / inactive: not extramedullary disease at the start of HMA/venetoclax
    *({"resourceType": "Condition", "code": _EMD, "clinicalStatus": {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": c}]}}
      for c in ("resolved", "remission", "inactive")),
    {"resourceType": "Observation", "status": "preliminary", "code": _EMD},
    {"resourceType": "Observation", "status": "registered", "code": _EMD},
    {"resourceType": "Observation", "status": "final", "code": _EMD, "dataAbsentReason": {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "asked-unknown"}]}},
    # medication-statement-status intended: "may be taken at some time in the future"; request draft; procedure
    # preparation (FHIR R4 value sets)
    {"resourceType": "MedicationStatement", "status": "intended", "medicationCodeableConcept": _AZA},
    {"resourceType": "MedicationRequest", "status": "draft", "intent": "order", "medicationCodeableConcept": _AZA},
    # medicationrequest-intent proposal / plan / option: suggested, not ordered (FHIR R4)
    *({"resourceType": "MedicationRequest", "status": "active", "intent": i, "medicationCodeableConcept": _AZA}
      for i in ("proposal", "plan", "option")),
    {"resourceType": "Procedure", "status": "preparation", "code": _AZA},
])
def test_mapped_records_that_are_not_facts_stay_unknown(mapped, resource):
    card = the_card(mapped.post(URL, json=_mapped_record(resource)))
    assert card["links"][0]["url"].endswith("#" + page_fragment({}))        # all seven unknown


@pytest.mark.parametrize("value, word", [
    ({}, "present"),                                        # the code is the finding
    ({"valueBoolean": True}, "present"), ({"valueBoolean": False}, "absent"),
    ({"valueCodeableConcept": {"coding": [{"system": "http://example.org/fhir/CodeSystem/local-findings",
                                           "code": "NO-EMD"}]}}, "absent"),   # an answer code of the map
])
def test_mapped_observation_values(mapped, value, word):
    card = the_card(mapped.post(URL, json=_mapped_record({"resourceType": "Observation", "status": "final",
                                                          "code": _EMD, **value})))
    assert f"extramedullary={word}" in card["links"][0]["url"]


@pytest.mark.parametrize("value", [
    # an answer the code map does not list (here a local "No") must not read as present
    {"valueCodeableConcept": {"coding": [{"system": "http://example.org/fhir/CodeSystem/local-answers", "code": "N",
                                          "display": "No"}]}},
    {"valueString": "no"}, {"valueInteger": 0},
])
def test_mapped_observation_with_an_unreadable_value_is_422(mapped, value):
    d = _bad(mapped, _mapped_record({"resourceType": "Observation", "status": "final", "code": _EMD, **value}))
    assert d["path"] == f"prefetch.records.entry[0].resource.{next(iter(value))}"
    assert "cannot be read as present or absent" in d["msg"]


def test_conflicting_records_for_one_gene(client):
    # two records that disagree (FLT3 present here, absent there) gave a 422 and no card: the clinician saw
    # nothing. Now FLT3 is unknown (the range over both), the card says which records conflict, and nothing
    # is offered for saving
    body = request()
    extra = copy.deepcopy(body["prefetch"]["variants"]["entry"][0])       # FLT3 present ...
    extra["resource"]["id"] = "var-flt3-b"
    extra["resource"]["valueCodeableConcept"]["coding"][0].update(code="LA9634-2", display="Absent")
    body["prefetch"]["variants"]["entry"].append(extra)                   # ... and FLT3 absent
    card = the_card(client.post(URL, json=body))
    assert card["indicator"] == "warning" and "suggestions" not in card
    assert card["detail"].startswith("**Conflicting records**: FLT3 mutation (any) is recorded as present "
                                     "(Observation/var-flt3) and as absent (Observation/var-flt3-b): taken as "
                                     "unknown, so the score is the range over both; resolve the records.")
    # NF1, PTPN11, TP53 absent; FLT3, SF3B1, extramedullary, prior HMA unknown: OS -0.98 .. 0.49+0.90+0.64
    # (Table 4: FLT3 0.49, SF3B1 -0.98, extramedullary 0.90, prior HMA 0.64)
    assert "**Overall survival**: score -0.98 to 2.03" in card["detail"]
    expected = score(nf1=False, ptpn11=False, tp53=False)
    assert expected["os"].score_range == (-0.98, 2.03)
    assert card["links"][0]["url"].endswith("&flt3=unknown&tp53=absent&sf3b1=unknown")


def test_not_json_and_unknown_service(client):
    r = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/cds-services/other", json=request())
    assert r.status_code == 404 and "offers 'venprs-patient-view'" in r.json()["detail"][0]["msg"]
    r = client.post(URL, json="a string")
    assert r.status_code == 422 and r.json()["detail"][0]["path"] == "body"


# ---------------------------------------------------------------- FHIR server (off by default; local fake)


class _FakeFhir(BaseHTTPRequestHandler):
    """A local FHIR server: ``answer(path, base)`` gives the JSON body; requests are kept in ``seen``."""
    seen: list = []
    base = ""
    answer = None

    def do_GET(self):  # noqa: N802
        _FakeFhir.seen.append((self.path, self.headers.get("Authorization")))
        data = json.dumps(type(self).answer(self.path, _FakeFhir.base)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):  # keep test output clean
        pass


def _variants_search(path, base):
    u = urlsplit(path)
    if u.path.endswith("/Observation") and parse_qs(u.query).get("patient") == ["pat-1"]:
        return load("fhir_variants.json")
    return {"resourceType": "Bundle", "type": "searchset", "entry": []}


def _serve(answer):
    srv = HTTPServer(("127.0.0.1", 0), _FakeFhir)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    _FakeFhir.seen, _FakeFhir.answer = [], staticmethod(answer)
    _FakeFhir.base = f"http://127.0.0.1:{srv.server_address[1]}/fhir"
    return srv


@pytest.fixture()
def fake_fhir():
    srv = _serve(_variants_search)
    yield _FakeFhir.base
    srv.shutdown()
    srv.server_close()


def test_fhir_server_is_not_contacted_unless_allowed(client, fake_fhir):
    body = request({}, fhirServer=fake_fhir)
    card = the_card(client.post(URL, json=body))
    assert _FakeFhir.seen == []
    assert card["links"][0]["url"].endswith("#" + page_fragment({}))


def test_fhir_server_fetch_when_allowed(fake_fhir):
    c = TestClient(create_app(cds_config=CdsConfig(allow_fhir_server=True)), raise_server_exceptions=False)
    card = the_card(c.post(URL, json=request({}, fhirServer=fake_fhir, fhirAuthorization=AUTH)))
    assert "flt3=present" in card["links"][0]["url"]
    ((path, authz),) = _FakeFhir.seen
    assert unquote(path) == "/fhir/Observation?patient=pat-1&code=http://loinc.org|69548-6"
    assert authz == "Bearer tok"


def test_fhir_server_unreachable_is_4xx():
    c = TestClient(create_app(cds_config=CdsConfig(allow_fhir_server=True, fhir_timeout=1)),
                   raise_server_exceptions=False)
    d = _bad(c, request({}, fhirServer="http://127.0.0.1:9/fhir"))
    assert d["path"] == "fhirServer (variants)" and "could not read Observation from the FHIR server" in d["msg"]


AUTH = {"access_token": "tok", "token_type": "Bearer", "expires_in": 300, "scope": "patient/Observation.read",
        "subject": "venprs"}


def _paged(base):
    """fhir_variants.json as two pages: entries 0-1 linking to entries 2-4 at ``base``/Observation?page=2."""
    full = load("fhir_variants.json")
    first = {**full, "entry": full["entry"][:2],
             "link": [{"relation": "self", "url": base + "/Observation?patient=pat-1"},
                      {"relation": "next", "url": base + "/Observation?patient=pat-1&page=2"}]}
    second = {"resourceType": "Bundle", "type": "searchset", "entry": full["entry"][2:]}
    return first, second


@pytest.fixture()
def paged_fhir():
    srv = _serve(lambda path, base: _paged(base)[1 if "page=2" in path else 0])
    yield _FakeFhir.base
    srv.shutdown()
    srv.server_close()


def test_paged_prefetch_is_refused_when_the_rest_cannot_be_read(client):
    """Page 1 alone would miss TP53/NF1/PTPN11 (page 2): refused, not scored from page 1 (FHIR R4 paging)."""
    first, _ = _paged("http://fhir.example.org/fhir")
    d = _bad(client, request({"patient": load("fhir_patient.json"), "variants": first}))
    assert d["path"] == "prefetch.variants.link" and "links to a next page" in d["msg"]


def test_paged_prefetch_is_read_to_the_last_page(paged_fhir):
    c = TestClient(create_app(cds_config=CdsConfig(allow_fhir_server=True)), raise_server_exceptions=False)
    first, _ = _paged(paged_fhir)
    paged = the_card(c.post(URL, json=request({"patient": load("fhir_patient.json"), "variants": first},
                                              fhirServer=paged_fhir, fhirAuthorization=AUTH)))
    whole = the_card(c.post(URL, json=request()))
    assert paged["links"][0]["url"] == whole["links"][0]["url"]  # same factors as the unpaged Bundle
    assert "tp53=absent" in paged["links"][0]["url"] and "flt3=present" in paged["links"][0]["url"]
    assert [(unquote(p), a) for p, a in _FakeFhir.seen] == [("/fhir/Observation?patient=pat-1&page=2", "Bearer tok")]


def test_next_page_on_another_host_is_not_followed(paged_fhir):
    c = TestClient(create_app(cds_config=CdsConfig(allow_fhir_server=True)), raise_server_exceptions=False)
    first, _ = _paged("http://elsewhere.example.org/fhir")
    d = _bad(c, request({"patient": load("fhir_patient.json"), "variants": first}, fhirServer=paged_fhir,
                        fhirAuthorization=AUTH))
    assert d["path"] == "prefetch.variants.link" and "is not on fhirServer" in d["msg"]
    assert _FakeFhir.seen == []  # the token went nowhere


# ---------------------------------------------------------------- CORS (CDS Hooks 2.0, browser-based clients)


def test_no_cors_by_default(client):
    r = client.options(URL, headers={"Origin": "https://ehr.example.org", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_for_allowed_origins_on_cds_routes_only():
    c = TestClient(create_app(cds_config=CdsConfig(allow_origins=("https://ehr.example.org",))),
                   raise_server_exceptions=False)
    pre = c.options(URL, headers={"Origin": "https://ehr.example.org", "Access-Control-Request-Method": "POST",
                                  "Access-Control-Request-Headers": "authorization, content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://ehr.example.org"
    assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    r = c.get("/cds-services", headers={"Origin": "https://ehr.example.org"})
    assert r.headers["access-control-allow-origin"] == "https://ehr.example.org"
    assert r.headers["x-content-type-options"] == "nosniff"  # security headers still there
    other = c.get("/cds-services", headers={"Origin": "https://evil.example.org"})
    assert "access-control-allow-origin" not in other.headers
    api = c.get("/api/v1/model", headers={"Origin": "https://ehr.example.org"})
    assert "access-control-allow-origin" not in api.headers


def test_cors_origins_from_the_environment():
    cfg = CdsConfig.from_env({"VENPRS_CDS_ALLOW_ORIGINS": " https://a.example.org, https://b.example.org ,"})
    assert cfg.allow_origins == ("https://a.example.org", "https://b.example.org")


# ---------------------------------------------------------------- RiskAssessment


def test_risk_assessment_endpoint_is_valid_fhir(client):
    factors = {"extramedullary": True, "prior_hma": False, "nf1": False, "ptpn11": False, "flt3": True,
               "tp53": False, "sf3b1": False}
    r = client.post("/api/v1/fhir/RiskAssessment", json={"subject": {"reference": "Patient/pat-1"},
                                                         "factors": factors})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    ra = RiskAssessment.model_validate(r.json())
    assert ra.status == "final" and ra.subject.reference == "Patient/pat-1"
    os_, efs = r.json()["prediction"]
    assert os_["outcome"]["text"] == "Overall survival" and os_["qualitativeRisk"]["text"] == "VEN-PRS adverse"
    assert os_["rationale"].startswith("VEN-PRS OS score 1.39")                  # 0.90 + 0.49 (Table 4)
    assert efs["rationale"].startswith("VEN-PRS EFS score 1.17")                 # 0.57 + 0.60
    r = client.post("/api/v1/fhir/RiskAssessment", json={"subject": {"reference": "Patient/pat-1"},
                                                         "factors": {"flt3": True}})
    ra = RiskAssessment.model_validate(r.json())
    assert ra.status == "preliminary"


@pytest.mark.parametrize("body, path", [
    ({"factors": {}}, "subject.reference"),
    ({"subject": {"reference": "Patient/1"}, "factors": {"flt3": "maybe"}}, "factors.flt3"),
    ({"subject": {"reference": "Patient/1"}, "factors": {"kras": True}}, "factors.kras"),
    ({"subject": {"reference": "Patient/1"}, "other": 1}, "body"),
    ([1, 2], "body"),
])
def test_risk_assessment_bad_input(client, body, path):
    r = client.post("/api/v1/fhir/RiskAssessment", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["path"] == path


def test_code_map_errors():
    from venprs.errors import InputError

    with pytest.raises(InputError, match="code map factor 'flt3' is not one of extramedullary, prior_hma"):
        parse_code_map({"flt3": {"present": ["a|b"]}})
    with pytest.raises(InputError, match="must be a list of 'system\\|code' strings"):
        parse_code_map({"prior_hma": {"present": ["AZA"]}})
