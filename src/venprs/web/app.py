"""The VEN-PRS web calculator and HTTP API (FastAPI): a thin shell over :mod:`venprs.scoring`.

Routes
------
::

    GET /                      the calculator page (works without JavaScript via POST /)
    POST /api/v1/score         one patient, JSON in and out
    POST /api/v1/score-table   CSV upload -> scored CSV (same contract as venprs score --input)
    GET /api/v1/score-table/template   a CSV template for the batch tab
    GET /api/v1/model          the model file, exactly as shipped
    GET /healthz               liveness
    GET /cds-services, POST /cds-services/{id}, POST /api/v1/fhir/RiskAssessment
                               CDS Hooks 2.0 and FHIR R4 (venprs.web.cds)
    GET /docs                  OpenAPI (Swagger UI served from the app, no CDN); /openapi.json

Every score comes from :func:`venprs.score` / :func:`venprs.score_table`; every
label, help text, coefficient, published outcome and the citation come from
:func:`venprs.load_model` and :data:`venprs.fields.FACTOR_FIELDS`. Nothing a user
sends is stored or logged.

References
----------
.. [1] Shahswar R, et al. A novel prognostic risk model for patients with
   refractory/relapsed acute myeloid leukemia receiving venetoclax plus
   hypomethylating agents. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6
.. [2] FastAPI: https://fastapi.tiangolo.com/ ; Swagger UI assets from the
   ``swagger-ui-bundle-v2`` package (https://pypi.org/project/swagger-ui-bundle-v2/).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import os
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import PurePath
from typing import Annotated, Any, Optional, Union

import pandas as pd
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartParser

from .. import __version__
from .. import io as _vio
from ..errors import InputError, InputErrors
from ..fields import ACCEPTED_TEXT, FACTOR_FIELDS, parse_value
from ..model import ENDPOINTS, GROUPS, load_model, model_json
from ..mutations import mutation_factors, read_panel
from ..scoring import FACTORS, score, score_table
from . import cds
from ._asgi import BodyLimit, ConcurrencyLimit, PathCors, SecurityHeaders, UniqueJsonKeys

__all__ = ["create_app", "score_payload", "template_csv", "ScoreRequest", "MAX_UPLOAD_BYTES", "MAX_ROWS", "MAX_JSON_BYTES"]

#: Largest CSV upload accepted by ``POST /api/v1/score-table`` (bytes).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Most data rows accepted by ``POST /api/v1/score-table``.
MAX_ROWS = 200_000
#: Table uploads scored at once per worker process (more: HTTP 503 with Retry-After).
MAX_UPLOADS = 4
#: Environment variable through which ``venprs serve --max-uploads`` reaches the workers.
MAX_UPLOADS_ENV = "VENPRS_MAX_UPLOADS"
#: Largest request body on every other route (bytes).
MAX_JSON_BYTES = 16 * 1024
#: Time span and step (months) of the predicted survival curve sent to the page.
CURVE_MONTHS, CURVE_STEP_MONTHS = 36, 1

_PKG = resources.files(__package__)
_MULTIPART_SLACK = 64 * 1024  # room for multipart headers and form fields around the file
_UI_VALUES = {"present": True, "absent": False, "unknown": None}
_CLI_MISSING = "(missing_columns='unknown'; CLI: --missing-as-unknown)"
_WEB_MISSING = "(tick 'A factor without a column is unknown for every row'; API: missing_as_unknown=true)"

# ---------------------------------------------------------------- request model


def _parse_factor(cls, value: Any, info) -> Optional[bool]:
    """Parse a factor value with the core's parser (the one the CLI uses)."""
    return parse_value(info.field_name, value)


_FactorValue = Union[bool, str, None]

#: Request body of ``POST /api/v1/score``: the seven canonical factor names, built
#: from :data:`venprs.fields.FACTOR_FIELDS` (omitted = unknown; extra fields are refused).
#: The example of the request body (also the docs' example response's input).
_EXAMPLE: dict[str, _FactorValue] = {"extramedullary": True, "prior_hma": "no", "nf1": "wt", "ptpn11": "wt",
                                     "flt3": "mut", "tp53": False, "sf3b1": None}

ScoreRequest: type[BaseModel] = create_model(  # type: ignore[call-overload]  # pydantic's overloads miss **fields
    "ScoreRequest",
    __config__=ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [dict(_EXAMPLE)]},
    ),
    __validators__={"parse": field_validator(*FACTORS, mode="before")(classmethod(_parse_factor))},
    **{f.name: (Annotated[_FactorValue, Field(
        default=None, title=f.label,
        description=f"{f.help} Accepted values: {ACCEPTED_TEXT}. Omitted = unknown.")], None)
       for f in FACTOR_FIELDS},
)


# ---------------------------------------------------------------- payloads


def score_payload(values: dict[str, Optional[bool]]) -> dict[str, Any]:
    """The ``POST /api/v1/score`` response for parsed factor values.

    ``<ep>.published`` is the paper's n, median and 95% CI for the group when the
    group is determinate (``None`` otherwise); ``<ep>.published_by_group`` gives
    them for every possible group. Any ``extras`` of the core result (e.g.
    ``predicted``) are passed through.

    Parameters
    ----------
    values : dict of str to bool or None
        The seven factors by name: ``True`` present, ``False`` absent, ``None`` unknown (as
        :func:`venprs.fields.parse_value` gives them); passed to :func:`venprs.score`.

    Returns
    -------
    dict
        :meth:`ScoreResult.to_dict`, with per endpoint also ``label`` (the endpoint's name) and, when the
        model gives a prediction, ``predicted`` (with the survival curve(s) for the page).

    References
    ----------
    .. [1] Shahswar R, et al. Leukemia. 2025;39:614-622. doi:10.1038/s41375-024-02501-6

    Examples
    --------
    >>> p = score_payload({"extramedullary": True, "prior_hma": True, "flt3": True, "sf3b1": True,
    ...                    "nf1": False, "ptpn11": False, "tp53": None})
    >>> p["efs"]["score"], p["efs"]["group"], p["efs"]["published"]["median"]
    (0.75, 'intermediate', 4.1)
    """
    result = score(**values)
    out = result.to_dict()
    m = load_model()
    for ep in ENDPOINTS:
        d = out[ep]
        d["label"] = m.endpoints[ep].label
        pred = _predicted(result[ep])
        if pred is not None:
            d["predicted"] = pred
    return out


def _predicted(ep_result) -> Optional[dict[str, Any]]:
    """Predicted survival for the page and the API, when the core provides it.

    Passes ``ep_result.extras["predicted"]`` through (the core fills it in once the
    model file has a baseline survival) and adds the curve(s) for the page from
    ``ep_result.survival_range`` when the core has it: ``curve: [[months,
    survival], ...]`` for an exact score, ``curve_best`` and ``curve_worst`` (lowest
    and highest score of the range) when a factor is unknown. Returns ``None``
    otherwise: the page then shows no prediction.
    """
    pred = ep_result.extras.get("predicted")
    if pred is None:
        return None
    pred = dict(pred)
    survival_range = getattr(ep_result, "survival_range", None)
    if survival_range is not None and not any(k.startswith("curve") for k in pred):
        times = [i * CURVE_STEP_MONTHS for i in range(int(CURVE_MONTHS / CURVE_STEP_MONTHS) + 1)]
        best, worst = survival_range(times)

        def pairs(surv):
            return [[t, round(float(x), 3)] for t, x in zip(times, surv)]

        if ep_result.score is not None:
            pred["curve"] = pairs(best)
        else:
            pred["curve_best"], pred["curve_worst"] = pairs(best), pairs(worst)
    return pred


@lru_cache(maxsize=4096)
def _score_json(key: tuple[Optional[bool], ...]) -> bytes:
    """Serialised response for one combination of parsed values (3^7 possible: cached)."""
    return json.dumps(score_payload(dict(zip(FACTORS, key))), separators=(",", ":")).encode()


# ---------------------------------------------------------------- errors


def _clean_msg(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def _error(loc: list, msg: str, type_: str, **more: Any) -> dict[str, Any]:
    e = {"loc": loc, "msg": msg, "type": type_}
    if len(loc) >= 2 and loc[0] == "body" and isinstance(loc[1], str):
        e["field"] = loc[1]
    e.update({k: v for k, v in more.items() if v is not None})
    return e


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = []
    for e in exc.errors():
        loc = [x for x in e.get("loc", ()) if not isinstance(x, str) or x != "function-after"]
        errors.append(_error(list(loc), _clean_msg(str(e.get("msg", "invalid value"))), str(e.get("type"))))
    return JSONResponse({"detail": errors}, status_code=422)


def _json_value(v: Any) -> Any:
    return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)


def _input_error_response(e: InputError, loc: list) -> JSONResponse:
    """HTTP 422 naming every problem: ``detail`` holds one entry per bad cell or row."""
    if isinstance(e, InputErrors):
        head = f"{e.file}: " if e.file else ""
        detail = [_error(loc, head + str(p), "input_error", row=p.row, sheet_row=p.sheet_row, patient=p.patient,
                         column=p.column, value=_json_value(p.value)) for p in e.problems]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": [_error(loc, str(e), "input_error", row=e.row, column=e.column,
                                           value=_json_value(e.value))]}, status_code=422)


# ---------------------------------------------------------------- page helpers


def _page_context(values: dict[str, Optional[bool]]) -> dict[str, Any]:
    m = load_model()
    factors = []
    for f in FACTOR_FIELDS:
        coefs = []
        for ep in ENDPOINTS:
            t = m.endpoints[ep].term(f.name)
            coefs.append({"endpoint": ep, "coefficient": None if t is None else str(t.coefficient),
                          "hr": None if t is None else t.hr})
        v = values.get(f.name)
        factors.append({"name": f.name, "label": f.label, "help": f.help, "coefs": coefs,
                        "value": "unknown" if v is None else ("present" if v else "absent")})
    raw = m.raw
    return {
        "factors": factors,
        "factor_labels": {f.name: f.label for f in FACTOR_FIELDS},
        "result": score_payload(values),
        "endpoints": [{"name": ep, "label": m.endpoints[ep].label} for ep in ENDPOINTS],
        "groups": GROUPS,
        "group_labels": raw.get("group_labels", {g: g.capitalize() for g in GROUPS}),
        "thresholds": raw["thresholds"],
        "model": m,
        "intended_use": raw.get("intended_use", ""),
        "reference": raw["reference"],
        "version": __version__,
        "max_upload_mb": MAX_UPLOAD_BYTES / (1024 * 1024),
        "max_rows": MAX_ROWS,
        "accepted_text": ACCEPTED_TEXT,
        "upload_accept": ",".join(dict.fromkeys(".gz" if s.endswith(".gz") else s for s in _vio.INPUT_SUFFIXES)),
        "now": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def template_csv() -> bytes:
    """The batch template: an ``id`` column, the seven canonical factor columns, two example rows.

    Returns
    -------
    bytes
        UTF-8 CSV text.

    >>> template_csv().decode().splitlines()[0]
    'id,extramedullary,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1'
    """
    rows = [["id", *FACTORS],
            ["example-1", "yes", "no", "wt", "wt", "mut", "wt", "wt"],  # every factor known
            ["example-2", "no", "yes", "", "", "wt", "", ""]]           # genes pending: empty = unknown
    return ("\n".join(",".join(r) for r in rows) + "\n").encode()


def _is_tsv(filename: str) -> bool:
    try:
        return _vio.input_kind(filename or "upload.csv")[0] == "tsv"
    except InputError:
        return False


# ---------------------------------------------------------------- the app


def create_app(*, max_upload_bytes: int = MAX_UPLOAD_BYTES, max_rows: int = MAX_ROWS,
               max_json_bytes: int = MAX_JSON_BYTES, cds_config: Optional[cds.CdsConfig] = None,
               max_uploads: int | None = None) -> FastAPI:
    """Build the FastAPI application.

    Parameters
    ----------
    max_upload_bytes : int
        Request body limit of ``POST /api/v1/score-table`` (HTTP 413 above it).
    max_rows : int
        Most data rows scored per upload (HTTP 422 above it).
    max_json_bytes : int
        Request body limit of every other route.
    cds_config : venprs.web.cds.CdsConfig, optional
        The CDS Hooks service's code map and FHIR-server policy (default: from the
        environment, :meth:`~venprs.web.cds.CdsConfig.from_env`).
    max_uploads : int, optional
        Uploads scored at once (HTTP 503 with ``Retry-After`` beyond); default
        ``$VENPRS_MAX_UPLOADS`` or :data:`MAX_UPLOADS`.

    Returns
    -------
    fastapi.FastAPI

    Notes
    -----
    Nothing of an upload is written to disk: the body limit (413) is enforced
    before the multipart parser runs, and the parser's spool threshold is set
    above that limit, so every accepted upload stays in memory. The multipart parser's own log (which quotes body bytes in
    its warnings) is silenced; uvicorn's access log is off unless asked for
    (``venprs serve --access-log``) and never holds bodies.
    """
    m = load_model()
    app = FastAPI(
        lifespan=_lifespan,
        title="VEN-PRS calculator API",
        version=__version__,
        description=(f"Scores the VEN-PRS ({m.citation} doi:{m.doi}) for overall and event-free survival. "
                     + m.raw.get("intended_use", "")),
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    body_limit = max_upload_bytes + _MULTIPART_SLACK
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, body_limit + 1)  # never rolls to disk
    # the multipart parser's warnings quote bytes of the request body: keep them out of any log
    logging.getLogger("python_multipart").setLevel(logging.CRITICAL)
    templates = Jinja2Templates(directory=str(_PKG / "templates"))
    app.mount("/static", StaticFiles(directory=str(_PKG / "static")), name="static")
    swagger = _swagger_dir()
    if swagger is not None:
        app.mount("/swagger-ui", StaticFiles(directory=str(swagger)), name="swagger")

    # ---- error handlers: 422 with field-level messages, never a stack trace
    @app.exception_handler(RequestValidationError)
    async def _on_validation(request: Request, exc: RequestValidationError):
        return _validation_response(exc)

    @app.exception_handler(InputError)
    async def _on_input_error(request: Request, exc: InputError):
        return _input_error_response(exc, ["body"])

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(request: Request, exc: StarletteHTTPException):
        status = 422 if exc.status_code == 400 else exc.status_code
        return JSONResponse({"detail": [_error(["request"], str(exc.detail), "http_error")]},
                            status_code=status, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _on_error(request: Request, exc: Exception):  # pragma: no cover - defensive
        return JSONResponse({"detail": [_error(["server"], "internal error", "internal_error")]},
                            status_code=500)

    # ---- page
    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request):
        return templates.TemplateResponse(request, "index.html", _page_context({f: None for f in FACTORS}))

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def page_post(request: Request):
        """No-JavaScript fallback: the form posts here and the page is rendered with the result."""
        form = await request.form()
        values: dict[str, Optional[bool]] = {}
        for f in FACTORS:
            if len(form.getlist(f)) > 1:  # a page posts each factor once; which one would count is arbitrary
                return _input_error_response(InputError(
                    f"{f} is given {len(form.getlist(f))} times; send it once (present, absent or unknown)",
                    field=f), ["body", f])
            v = form.get(f, "unknown")
            if not isinstance(v, str) or v not in _UI_VALUES:
                return _input_error_response(InputError(
                    f"value {v!r} is not accepted for {f}; accepted: present, absent, unknown",
                    field=f, value=str(v)), ["body", f])
            values[f] = _UI_VALUES[v]
        return templates.TemplateResponse(request, "index.html", _page_context(values))

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs(request: Request):
        return templates.TemplateResponse(request, "docs.html", {"swagger": swagger is not None,
                                                                 "version": __version__})

    # ---- API
    example = score_payload({f: parse_value(f, v) for f, v in _EXAMPLE.items()})
    @app.post("/api/v1/score", tags=["score"], summary="Score one patient (OS and EFS)",
              response_class=Response,
              responses={200: {"content": {"application/json": {"example": example}},
                               "description": "OS and EFS results"},
                         413: {"description": "Request body too large"},
                         422: {"description": "A bad value or an unknown field (field-level messages)"}})
    async def api_score(body: ScoreRequest) -> Response:  # type: ignore[valid-type]
        """Score one patient. Omitted factors (or ``null``) are unknown: the score becomes a
        range over every completion and ``possible_groups`` lists the reachable groups."""
        key = tuple(getattr(body, f) for f in FACTORS)
        return Response(_score_json(key), media_type="application/json")

    @app.post("/api/v1/score-table", tags=["score"], summary="Score a CSV table",
              response_class=Response,
              responses={200: {"content": {"text/csv": {}}, "description": "The scored table"},
                         413: {"description": "Upload too large"},
                         422: {"description": "A bad value (names row, column and value)"}})
    def api_score_table(
        file: UploadFile = File(..., description="CSV, TSV (also .gz), XLSX or Parquet with one row per patient"),
        missing_as_unknown: bool = Form(False, description="A factor with no column is unknown for every row"),
        sheet: Optional[str] = Form(None, description="XLSX: the sheet's name or 1-based position "
                                                      "(default: the first visible sheet)"),
        mutations: Optional[UploadFile] = File(
            None, description="Optional mutation list (MAF, long table or annotated VCF) setting NF1, PTPN11, "
            "FLT3, TP53 and SF3B1 (see docs/lab-results.md)"),
        panel: Optional[str] = Form(None, description="With `mutations`: genes sequenced for every patient"),
        min_vaf: Optional[str] = Form(None, description="With `mutations`: variants below this allele fraction "
                                      "do not count"),
        id_column: Optional[str] = Form(None, description="With `mutations`: the column matching its samples"),
    ) -> Response:
        """Score every row of an uploaded table: all input columns, same rows in the same order,
        followed by the ``os_*``/``efs_*`` columns of ``venprs score --input``. The file is read
        by the CLI's reader (:func:`venprs.io.read_table`); every problem is listed at once. With a
        ``mutations`` upload the five gene columns are set from it first, as
        ``venprs score --input --mutations`` does."""
        name = PurePath(file.filename or "upload.csv").name
        data = file.file.read(max_upload_bytes + 1)
        mut_name, mut_data = None, b""
        if mutations is not None and (mutations.filename or mutations.size):
            mut_name = PurePath(mutations.filename or "mutations.txt").name
            mut_data = mutations.file.read(max_upload_bytes + 1)
        if len(data) + len(mut_data) > max_upload_bytes:
            return JSONResponse({"detail": [_error(["body", "file"], f"file too large: at most "
                                                   f"{max_upload_bytes} bytes accepted", "body_too_large")]},
                                status_code=413)
        try:
            df = _vio.read_table(data, filename=name, sheet=sheet or None)
            if len(df) > max_rows:
                raise InputError(f"{len(df)} rows; at most {max_rows} rows are accepted per upload "
                                 "(use `venprs score --input` for larger tables)", file=name)
            if mut_name is not None:
                df = _with_mutations(df, mut_data, mut_name, panel, min_vaf, id_column)
            elif any((v or "").strip() for v in (panel, min_vaf, id_column)):
                raise InputError("panel, min_vaf and id_column need a mutations file", field="mutations")
            scored = score_table(df, missing_columns="unknown" if missing_as_unknown else "error")
        except InputError as e:
            if _CLI_MISSING in e.message:  # name the page's checkbox, not the CLI flag
                e = InputError(e.message.replace(_CLI_MISSING, _WEB_MISSING), file=e.file, row=e.row,
                               column=e.column, value=e.value, field=e.field)
            loc = ["body", "mutations"] if mut_name is not None and e.file == mut_name else ["body", "file"]
            return _input_error_response(e if e.file else e.with_file(name), loc)
        buf = io.BytesIO()
        _vio.write_csv(scored, buf, "\t" if _is_tsv(name) else ",")  # the CLI's writer, in memory
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": _attachment(PurePath(name).stem or "table", "-scored.csv")})

    @app.get("/api/v1/score-table/template", tags=["score"], summary="A template table to fill in",
             response_class=Response, responses={200: {"content": {"text/csv": {}}}})
    async def api_template() -> Response:
        """CSV with the column names ``score-table`` reads (canonical names; aliases are accepted too)
        and two example rows: every factor known, and genes pending (empty = unknown)."""
        return Response(template_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="venprs-template.csv"'})

    @app.get("/api/v1/model", tags=["model"], summary="The published model file")
    async def api_model() -> Response:
        """The model file (coefficients, cut-points, published outcomes, sources), exactly as shipped."""
        return Response(model_json(), media_type="application/json")

    @app.head("/healthz", include_in_schema=False)  # monitors probe with HEAD
    @app.get("/healthz", tags=["health"], summary="Liveness")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__,
                "model": {"name": m.name, "version": m.version, "doi": m.doi}}

    cfg = cds_config if cds_config is not None else cds.CdsConfig.from_env()
    cds.register(app, cfg)  # GET /cds-services, POST /cds-services/{id}, POST /api/v1/fhir/RiskAssessment
    app.add_middleware(UniqueJsonKeys, paths=["/api/v1/score", f"/cds-services/{cds.SERVICE_ID}",
                                              "/api/v1/fhir/RiskAssessment"])  # inside BodyLimit
    app.add_middleware(BodyLimit, default=max_json_bytes, per_path={
        "/api/v1/score-table": body_limit,
        f"/cds-services/{cds.SERVICE_ID}": cds.MAX_CDS_BYTES})
    if max_uploads is None:
        max_uploads = int(os.environ.get(MAX_UPLOADS_ENV, MAX_UPLOADS))
    app.add_middleware(ConcurrencyLimit, limit=max_uploads, paths=["/api/v1/score-table"])
    if cfg.allow_origins:  # browser-based CDS clients (CDS Hooks 2.0, CORS); off by default
        app.add_middleware(PathCors, prefix="/cds-services", origins=cfg.allow_origins)
    app.add_middleware(SecurityHeaders)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI):
    """Startup: fill the model cache, then move every object made so far (numpy, pandas,
    FastAPI, the model) out of the garbage collector's sight (:func:`gc.freeze`). A full
    collection over them takes ~25 ms, which would otherwise land in a request's
    latency now and then."""
    _score_json((None,) * len(FACTORS))
    gc.collect()
    gc.freeze()
    yield


def _with_mutations(df: pd.DataFrame, data: bytes, name: str, panel: Optional[str], min_vaf: Optional[str],
                    id_column: Optional[str]) -> pd.DataFrame:
    """The uploaded table with the five gene columns set from an uploaded mutation list."""
    vaf = None
    if (min_vaf or "").strip():
        try:
            vaf = float(min_vaf)  # type: ignore[arg-type]
        except ValueError:
            raise InputError(f"min_vaf {min_vaf!r} is not a number; write 0.05 for 5%", field="min_vaf",
                             value=min_vaf) from None
    genes = read_panel(panel) if (panel or "").strip() else None
    calls = mutation_factors(df, data, mutations_name=name, panel=genes, min_vaf=vaf,
                             id_column=(id_column or "").strip() or None)
    return calls.table


def _safe(name: str) -> str:
    """ASCII letters, digits and ``-_.`` only (the fallback file name)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in name)[:100]


def _attachment(stem: str, suffix: str) -> str:
    """``Content-Disposition`` for a download named after an upload: an ASCII ``filename`` and,
    for any other letters (``Łódź``), the UTF-8 ``filename*`` of RFC 6266 / RFC 8187.

    Examples
    --------
    >>> print(_attachment("Łódź", "-scored.csv"))
    attachment; filename="__d_-scored.csv"; filename*=UTF-8''%C5%81%C3%B3d%C5%BA-scored.csv
    """
    from urllib.parse import quote

    ascii_name = _safe(stem) + suffix
    full = stem[:100] + suffix
    if full == ascii_name:
        return f'attachment; filename="{ascii_name}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full, safe='')}"


def _swagger_dir():
    try:
        import swagger_ui_bundle
    except ImportError:  # pragma: no cover - a dependency; /docs then links the raw schema
        return None
    return swagger_ui_bundle.swagger_ui_path
