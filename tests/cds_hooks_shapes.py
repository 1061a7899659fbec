"""The JSON shapes of CDS Hooks 2.0 (discovery response, service request, card response) as
pydantic models, written from the specification (https://cds-hooks.hl7.org/2.0/: "Discovery",
"Calling a CDS Service", "CDS Service Response", "Card Attributes", "Suggestion", "Action",
"Link"). Unknown attributes are refused so that a typo fails the test. Used by tests/test_cds.py.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Service(_Strict):
    hook: str                                    # REQUIRED
    title: Optional[str] = None                  # RECOMMENDED
    description: str                             # REQUIRED
    id: str                                      # REQUIRED: the {id} of /cds-services/{id}
    prefetch: Optional[dict[str, str]] = None    # OPTIONAL: key -> FHIR query template
    usageRequirements: Optional[str] = None      # OPTIONAL


class Discovery(_Strict):
    services: list[Service]


class FhirAuthorization(_Strict):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: Optional[str] = None


class PatientViewContext(_Strict):
    userId: str                                  # REQUIRED, e.g. Practitioner/123
    patientId: str                               # REQUIRED
    encounterId: Optional[str] = None            # OPTIONAL


class Request(_Strict):
    hook: Literal["patient-view"]
    hookInstance: str
    fhirServer: Optional[AnyUrl] = None
    fhirAuthorization: Optional[FhirAuthorization] = None
    context: PatientViewContext
    prefetch: Optional[dict[str, Optional[dict]]] = None

    @model_validator(mode="after")
    def _auth_needs_server(self):
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization needs fhirServer")
        return self


class Coding(_Strict):
    code: str
    system: Optional[str] = None
    display: Optional[str] = None


class Source(_Strict):
    label: str                                   # REQUIRED
    url: Optional[AnyUrl] = None
    icon: Optional[AnyUrl] = None
    topic: Optional[Coding] = None


class Action(_Strict):
    type: Literal["create", "update", "delete"]
    description: str
    resource: Optional[dict] = None
    resourceId: Optional[str] = None


class Suggestion(_Strict):
    label: str
    uuid: Optional[str] = None
    isRecommended: Optional[bool] = None
    actions: Optional[list[Action]] = None


class Link(_Strict):
    label: str
    url: AnyUrl
    type: Literal["absolute", "smart"]
    appContext: Optional[str] = None


class Card(_Strict):
    uuid: Optional[str] = None
    summary: str = Field(max_length=139)         # "<140 characters"
    detail: Optional[str] = None                 # GitHub-flavoured markdown
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: Optional[list[Suggestion]] = None
    selectionBehavior: Optional[Literal["at-most-one", "any"]] = None
    overrideReasons: Optional[list[Coding]] = None
    links: Optional[list[Link]] = None

    @model_validator(mode="after")
    def _selection_needs_suggestions(self):
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("selectionBehavior is required when suggestions are given")
        return self


class Response(_Strict):
    cards: list[Card]
    systemActions: Optional[list[Action]] = None
