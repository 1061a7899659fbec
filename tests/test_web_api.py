"""HTTP API of the web calculator (FastAPI TestClient): values from Table 4 of Shahswar et al. 2025."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # starlette's TestClient announces a future httpx change
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import venprs
from venprs.model import model_json
from venprs.scoring import OUTPUT_COLUMNS
from venprs.web import create_app
from venprs.web.app import MAX_JSON_BYTES

# Table 4 (Shahswar et al., Leukemia 2025;39:614-622), multivariate coefficients, typed here
# independently of the model file. TP53 is not in the EFS model.
OS = {"extramedullary": 0.90, "prior_hma": 0.64, "nf1": 0.94, "ptpn11": 0.80, "flt3": 0.49, "tp53": 0.39,
      "sf3b1": -0.98}
EFS = {"extramedullary": 0.57, "prior_hma": 0.45, "nf1": 0.81, "ptpn11": 0.73, "flt3": 0.60, "tp53": 0.0,
       "sf3b1": -0.87}
FACTORS = list(OS)
ALL_ABSENT = {f: False for f in FACTORS}
# Results section, "Predictors of overall and event-free survival" (and Fig. 2 / Fig. 3):
# median OS (95% CI) 14.2 (10.2-31.1), 7.0 (5.0-13.2), 3.1 (1.5-6.7) months, n = 46 / 75 / 53;
# median EFS 8.8 (6.3-18.43), 4.1 (3.33-6.2), 1.8 (1.03-3.03) months (group n not given).
PUBLISHED_OS = {"favorable": (46, 14.2, 10.2, 31.1), "intermediate": (75, 7.0, 5.0, 13.2),
                "adverse": (53, 3.1, 1.5, 6.7)}
PUBLISHED_EFS = {"favorable": (None, 8.8, 6.3, 18.43), "intermediate": (None, 4.1, 3.33, 6.2),
                 "adverse": (None, 1.8, 1.03, 3.03)}


def group_of(s: float) -> str:
    # Table 4 footnote: S < 0.25 favorable; 0.25 <= S <= 0.75 intermediate; S > 0.75 adverse
    s = round(s, 2)
    return "favorable" if s < 0.25 else ("intermediate" if s <= 0.75 else "adverse")


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(max_upload_bytes=200_000, max_rows=50), raise_server_exceptions=False)


def post(client, body):
    return client.post("/api/v1/score", json=body)


@pytest.mark.parametrize("factor", FACTORS)
@pytest.mark.parametrize("given", [True, "mut", "yes", 1, "Present"])
def test_each_factor_present_alone(client, factor, given):
    r = post(client, {**ALL_ABSENT, factor: given})
    assert r.status_code == 200
    d = r.json()
    assert d["inputs"][factor] is True
    for ep, coefs in (("os", OS), ("efs", EFS)):
        assert d[ep]["score"] == pytest.approx(coefs[factor], abs=1e-12)
        assert d[ep]["score_range"] == [d[ep]["score"], d[ep]["score"]]
        assert d[ep]["group"] == group_of(coefs[factor])
        assert d[ep]["determinate"] is True
        assert d[ep]["unknown_factors"] == []


@pytest.mark.parametrize("given", [False, "wt", "no", 0, "absent"])
def test_all_absent_is_favorable(client, given):
    d = post(client, {f: given for f in FACTORS}).json()
    for ep, pub in (("os", PUBLISHED_OS), ("efs", PUBLISHED_EFS)):
        assert d[ep]["score"] == 0.0
        assert d[ep]["group"] == "favorable"
        n, med, lo, hi = pub["favorable"]
        assert d[ep]["published"] == {"n": n, "median": med, "ci_low": lo, "ci_high": hi, "unit": "months",
                                      "source": d[ep]["published"]["source"]}
    assert d["model"] == {"name": "VEN-PRS", "version": "1.0.0", "doi": "10.1038/s41375-024-02501-6"}


def test_efs_075_boundary_is_intermediate(client):
    # 0.57 + 0.45 + 0.60 - 0.87 = 0.75 exactly (Table 4); <= 0.75 is intermediate (footnote)
    body = {"extramedullary": True, "prior_hma": True, "flt3": True, "sf3b1": True, "nf1": False,
            "ptpn11": False, "tp53": False}
    d = post(client, body).json()
    assert d["efs"]["score"] == 0.75
    assert d["efs"]["group"] == "intermediate"
    assert d["efs"]["published"]["median"] == 4.1
    # OS: 0.90 + 0.64 + 0.49 - 0.98 = 1.05 -> adverse
    assert d["os"]["score"] == 1.05
    assert d["os"]["group"] == "adverse"
    assert d["os"]["published"]["n"] == 53


def test_efs_boundary_with_tp53_unknown_stays_determinate_for_efs(client):
    body = {"extramedullary": True, "prior_hma": True, "flt3": True, "sf3b1": True, "nf1": False,
            "ptpn11": False}
    d = post(client, body).json()
    assert d["efs"]["group"] == "intermediate" and d["efs"]["unknown_factors"] == []
    # OS: 1.05 + (0 or 0.39) -> [1.05, 1.44], adverse either way (determinate with a range)
    assert d["os"]["score"] is None
    assert d["os"]["score_range"] == [1.05, 1.44]
    assert d["os"]["group"] == "adverse" and d["os"]["unknown_factors"] == ["tp53"]


def test_all_unknown(client):
    r = post(client, {})
    assert r.status_code == 200
    d = r.json()
    # OS range: sum of negative coefficients to sum of positive ones (Table 4)
    assert d["os"]["score_range"] == [-0.98, pytest.approx(0.90 + 0.64 + 0.94 + 0.80 + 0.49 + 0.39)]
    assert d["efs"]["score_range"] == [-0.87, pytest.approx(0.57 + 0.45 + 0.81 + 0.73 + 0.60)]
    for ep, pub in (("os", PUBLISHED_OS), ("efs", PUBLISHED_EFS)):
        assert d[ep]["score"] is None and d[ep]["group"] is None and d[ep]["determinate"] is False
        assert d[ep]["possible_groups"] == ["favorable", "intermediate", "adverse"]
        assert d[ep]["published"] is None
        assert {g: (p["n"], p["median"], p["ci_low"], p["ci_high"])
                for g, p in d[ep]["published_by_group"].items()} == pub
    assert d["os"]["unknown_factors"] == FACTORS
    assert d["efs"]["unknown_factors"] == [f for f in FACTORS if f != "tp53"]
    # null and the unknown tokens mean the same as omitted
    for token in (None, "", "unknown", "NA", "not done"):
        assert post(client, {f: token for f in FACTORS}).json() == d


def test_indeterminate_two_groups(client):
    # prior HMA known present (0.64 OS), every other factor absent but SF3B1 unknown:
    # OS in {0.64, -0.34} -> favorable or intermediate
    d = post(client, {**ALL_ABSENT, "prior_hma": True, "sf3b1": None}).json()
    assert d["os"]["score_range"] == [pytest.approx(-0.34), 0.64]
    assert d["os"]["possible_groups"] == ["favorable", "intermediate"]
    assert d["os"]["group"] is None and d["os"]["published"] is None
    assert set(d["os"]["published_by_group"]) == {"favorable", "intermediate"}


def test_same_result_as_core(client):
    body = {"extramedullary": "yes", "prior_hma": None, "nf1": "wt", "ptpn11": "mut", "flt3": "wt",
            "tp53": "wt", "sf3b1": None}
    d = post(client, body).json()
    core = venprs.score(**body).to_dict()
    for ep in ("os", "efs"):
        for k in ("score", "score_range", "group", "possible_groups", "determinate", "unknown_factors"):
            assert d[ep][k] == core[ep][k]


# ---------------------------------------------------------------- errors


def test_bad_value_is_422_naming_field(client):
    r = post(client, {"flt3": "maybe"})
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert e["field"] == "flt3" and e["loc"] == ["body", "flt3"]
    assert "'maybe' is not accepted for flt3" in e["msg"] and "accepted" in e["msg"]


@pytest.mark.parametrize("value", [2, -1, 0.5, [True], {"x": 1}])
def test_bad_types_are_422(client, value):
    r = post(client, {"nf1": value})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "nf1"


def test_unknown_field_is_422(client):
    r = post(client, {"flt3_itd": True})
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert e["field"] == "flt3_itd" and e["type"] == "extra_forbidden"


def test_several_errors_reported_together(client):
    r = post(client, {"flt3": "maybe", "tp53": 7, "age": 70})
    assert r.status_code == 422
    assert sorted(e["field"] for e in r.json()["detail"]) == ["age", "flt3", "tp53"]


@pytest.mark.parametrize("content", [b"not json", b"{", b"[1, 2]", b"\"text\"", b""])
def test_malformed_body_is_422(client, content):
    r = client.post("/api/v1/score", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][0] == "body"
    assert "Traceback" not in r.text


def test_body_size_limit_is_413(client):
    big = json.dumps({"flt3": "x" * (MAX_JSON_BYTES + 10)})
    r = client.post("/api/v1/score", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["detail"][0]["type"] == "body_too_large"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_chunked_body_over_limit_is_413(client):
    def chunks():
        for _ in range(40):
            yield b" " * 1024
    r = client.post("/api/v1/score", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("path, body, key", [
    # Python's json keeps the last value: TP53 would be scored wild-type (OS 0.00) although "true" was sent
    ("/api/v1/score", b'{"tp53": true, "flt3": false, "tp53": false}', "tp53"),
    ("/api/v1/fhir/RiskAssessment", b'{"subject": {"reference": "Patient/1"}, "factors": {"tp53": 1, "tp53": 0}}',
     "tp53"),
    ("/cds-services/venprs-patient-view", b'{"hook": "patient-view", "hookInstance": "x", "context": '
     b'{"patientId": "p"}, "prefetch": {"v": {"resourceType": "Observation", "status": "entered-in-error", '
     b'"status": "final"}}}', "status"),
])
def test_duplicate_json_keys_are_422(client, path, body, key):
    """RFC 8259 section 4: with repeated names the receiver's behaviour is unpredictable, so they are refused."""
    for ctype in ("application/json", "application/fhir+json; charset=utf-8"):
        r = client.post(path, content=body, headers={"content-type": ctype})
        assert r.status_code == 422, r.text
        (d,) = r.json()["detail"]
        assert d["type"] == "json_duplicate_key" and f"the key '{key}' appears twice" in d["msg"], d
    r = client.post("/api/v1/score", content=b'{"tp53": true, "flt3": {"a": 1, "b": 2}}',  # nested keys differ
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] != "json_duplicate_key"
    r = client.post("/api/v1/score", content=b'{"tp53": true}', headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["inputs"]["tp53"] is True


def test_wrong_method_and_unknown_path(client):
    r = client.get("/api/v1/score")
    assert r.status_code == 405 and r.json()["detail"][0]["type"] == "http_error"
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and "csp" not in r.text


# ---------------------------------------------------------------- headers, model, health, docs


@pytest.mark.parametrize("method,path", [("get", "/"), ("get", "/healthz"), ("get", "/api/v1/model"),
                                         ("get", "/docs"), ("get", "/openapi.json"), ("get", "/static/app.js"),
                                         ("get", "/nope"), ("post", "/api/v1/score")])
def test_security_headers_on_every_response(client, method, path):
    r = getattr(client, method)(path, **({"json": {"flt3": "bad"}} if method == "post" else {}))
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    if path.startswith("/api/"):
        assert r.headers["cache-control"] == "no-store"


def test_model_endpoint_is_the_model_file(client):
    r = client.get("/api/v1/model")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.text == model_json()


def test_healthz(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_docs_are_served_offline(client):
    html = client.get("/docs").text
    assert "cdn" not in html.lower() and "http" not in html.split("<body>")[0].replace("http-equiv", "")
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/swagger-ui/swagger-ui.css").status_code == 200
    schema = client.get("/openapi.json").json()
    props = schema["components"]["schemas"]["ScoreRequest"]["properties"]
    assert list(props) == FACTORS
    assert schema["components"]["schemas"]["ScoreRequest"]["additionalProperties"] is False


# ---------------------------------------------------------------- page


def test_page_has_every_factor_from_the_model(client):
    html = client.get("/").text
    for f in venprs.load_model().factors:
        assert f["label"] in html
        for v in ("present", "absent", "unknown"):
            assert f'id="{f["name"]}-{v}"' in html
        assert f'id="{f["name"]}-unknown" checked' in html
    assert "doi:10.1038/s41375-024-02501-6" in html
    assert "Not a medical device" in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style


def test_page_form_post_fallback(client):
    form = {"extramedullary": "present", "prior_hma": "present", "flt3": "present", "sf3b1": "present",
            "nf1": "absent", "ptpn11": "absent", "tp53": "absent"}
    r = client.post("/", data=form)
    assert r.status_code == 200
    html = r.text
    assert 'id="extramedullary-present" checked' in html
    efs = html.split('id="ep-efs"')[1]
    assert 'data-group="intermediate">Intermediate risk' in efs and ">0.75<" in efs
    r = client.post("/", data={"flt3": "perhaps"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "flt3"
    # a repeated factor (the page posts each once): the last value would silently win (TP53 absent, OS 0.00)
    r = client.post("/", content=b"tp53=present&tp53=absent",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "tp53"
    assert "tp53 is given 2 times" in r.json()["detail"][0]["msg"]


# ---------------------------------------------------------------- score-table


CSV_TEXT = (
    "patient_id,EMD,prior HMA,NF1,PTPN11,FLT3,TP53,SF3B1,note\n"
    "P-9,no,no,wt,wt,wt,wt,wt,no factor\n"
    "P-2,yes,yes,wt,wt,mut,wt,mut,EFS exactly 0.75\n"
    "007,no,yes,,,,,,genes pending\n"
    "P-1,yes,no,wt,wt,mut,wt,wt,\"quoted, with comma\"\n"
)


def upload(client, text, name="cohort.csv", **form):
    return client.post("/api/v1/score-table", files={"file": (name, text.encode(), "text/csv")}, data=form)


def test_score_table_keeps_rows_order_and_columns(client):
    r = upload(client, CSV_TEXT)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="cohort-scored.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    header = next(csv.reader(io.StringIO(r.text)))
    assert header == ["patient_id", "EMD", "prior HMA", "NF1", "PTPN11", "FLT3", "TP53", "SF3B1", "note",
                      *OUTPUT_COLUMNS]
    assert [row["patient_id"] for row in rows] == ["P-9", "P-2", "007", "P-1"]  # order, and "007" kept
    assert rows[3]["note"] == "quoted, with comma"
    assert rows[1]["efs_score"] == "0.75" and rows[1]["efs_group"] == "intermediate"
    assert rows[0]["os_group"] == "favorable" and float(rows[0]["os_score"]) == 0
    assert rows[2]["os_determinate"].lower() == "false" and rows[2]["os_score"] == ""
    # 0.90 + 0.49 = 1.39 (Table 4, OS) -> adverse
    assert rows[3]["os_score"] == "1.39" and rows[3]["os_group"] == "adverse"


def test_score_table_same_as_core(client):
    import pandas as pd

    from venprs.io import write_csv
    r = upload(client, CSV_TEXT)
    got = pd.read_csv(io.StringIO(r.text), dtype=str, keep_default_na=False)
    df = pd.read_csv(io.StringIO(CSV_TEXT), dtype=str, keep_default_na=False)
    buf = io.BytesIO()
    write_csv(venprs.score_table(df), buf, ",")
    want = pd.read_csv(io.BytesIO(buf.getvalue()), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want)


def test_score_table_same_bytes_as_the_cli(client, tmp_path):
    """The web batch and ``venprs score --input`` give the same file for the example table."""
    example = Path(__file__).resolve().parents[1] / "examples" / "patients.csv"
    out = tmp_path / "scored.csv"
    subprocess.run([sys.executable, "-m", "venprs", "score", "--input", str(example), "--output", str(out)],
                   check=True, capture_output=True)
    r = client.post("/api/v1/score-table", files={"file": ("patients.csv", example.read_bytes(), "text/csv")})
    assert r.status_code == 200
    assert r.content == out.read_bytes()


def test_score_table_bad_row_is_422_with_row_column_value(client):
    bad = CSV_TEXT + "P-5,no,no,wt,wt,ITD?,wt,wt,\n"
    r = upload(client, bad)
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert e["row"] == 5 and e["column"] == "FLT3" and e["value"] == "ITD?"
    assert "cohort.csv" in e["msg"] and "row 5" in e["msg"] and "accepted" in e["msg"]


def test_score_table_missing_column(client):
    text = "id,EMD\n1,yes\n"
    r = upload(client, text)
    assert r.status_code == 422 and "no column for factor" in r.json()["detail"][0]["msg"]
    msg = r.json()["detail"][0]["msg"]  # the page's checkbox is named, not the CLI flag
    assert "tick 'A factor without a column is unknown for every row'" in msg and "--missing" not in msg
    r = upload(client, text, missing_as_unknown="true")
    assert r.status_code == 200
    row = next(csv.DictReader(io.StringIO(r.text)))
    # EMD present, the rest unknown: OS 0.90 + [-0.98, 0.64 + 0.94 + 0.80 + 0.49 + 0.39] = [-0.08, 4.16]
    assert row["os_score_min"] == "-0.08" and row["os_score_max"] == "4.16"
    assert row["os_possible_groups"] == "favorable|intermediate|adverse"


@pytest.mark.parametrize("text,msg", [("", "empty"), ("a,b\n\"unterminated\n", "is not closed properly")])
def test_score_table_unreadable(client, text, msg):
    r = upload(client, text)
    assert r.status_code == 422 and msg in r.json()["detail"][0]["msg"]


def test_score_table_repeated_column_name(client):
    r = upload(client, "EMD,EMD,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1\nyes,no,no,wt,wt,wt,wt,wt\n")
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert e["column"] == "EMD" and "appear more than once" in e["msg"]


def test_score_table_not_utf8(client):
    r = client.post("/api/v1/score-table", files={"file": ("x.csv", "EMD\nj\xe4\n".encode("latin-1"))})
    assert r.status_code == 422


def test_score_table_row_limit(client):
    text = "EMD,prior_hma,nf1,ptpn11,flt3,tp53,sf3b1\n" + "no,no,wt,wt,wt,wt,wt\n" * 51
    r = upload(client, text)
    assert r.status_code == 422 and "at most 50 rows" in r.json()["detail"][0]["msg"]


def test_score_table_size_limit(client):
    text = "EMD\n" + "no\n" * 150_000  # 450 kB > 200 kB limit of this test app
    r = upload(client, text)
    assert r.status_code == 413


def test_score_table_needs_a_file(client):
    r = client.post("/api/v1/score-table", data={"missing_as_unknown": "true"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "file"


def test_score_table_tsv(client):
    text = CSV_TEXT.replace(",", "\t").replace("\"quoted\t with comma\"", "x")
    r = upload(client, text, name="c.tsv")
    assert r.status_code == 200 and len(list(csv.DictReader(io.StringIO(r.text)))) == 4


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(FACTORS + ["other", ""]), json_values, max_size=8) | json_values)
def test_any_json_gives_200_or_422(client, body):
    r = post(client, body)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert set(r.json()) == {"os", "efs", "inputs", "model"}
    else:
        assert all("msg" in e and "loc" in e for e in r.json()["detail"])


# ---------------------------------------------------------------- privacy


def test_nothing_of_the_request_is_logged(client, caplog):
    import logging
    caplog.set_level(logging.DEBUG)
    post(client, {"flt3": "SECRET-VALUE-1"})
    upload(client, "id,EMD\nSECRET-ID-2,SECRET-VALUE-3\n")
    client.post("/api/v1/score-table", content=b"SECRET-4", headers={"content-type": "multipart/form-data; boundary=S"})
    client.post("/", data={"flt3": "SECRET-VALUE-5"})
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "SECRET" not in text and "Expected boundary" not in text


# ---------------------------------------------------------------- CLI


def test_serve_help():
    out = subprocess.run([sys.executable, "-m", "venprs", "serve", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--host" in out and "--port" in out and "10.1038/s41375-024-02501-6" in out


def test_head_requests_for_monitoring():
    """Load balancers and uptime monitors probe with HEAD: 200, headers, no body."""
    c = TestClient(create_app())
    for path in ("/healthz", "/"):
        r = c.head(path)
        assert r.status_code == 200 and r.content == b""
        assert r.headers["x-content-type-options"] == "nosniff"


def test_score_table_sheet_field(client):
    """The upload reads the sheet named in the form (the CLI's --sheet)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Old"
    wb.active.append(["EMD"])
    ws = wb.create_sheet("Now")
    for line in CSV_TEXT.splitlines()[:3]:
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    files = {"file": ("book.xlsx", buf.getvalue())}
    r = client.post("/api/v1/score-table", files=files, data={"sheet": "Now"})
    assert r.status_code == 200, r.text
    assert [row["patient_id"] for row in csv.DictReader(io.StringIO(r.text))] == ["P-9", "P-2"]
    r = client.post("/api/v1/score-table", files=files)
    assert r.status_code == 422 and "book.xlsx, sheet 'Old'" in r.json()["detail"][0]["msg"]
def test_batch_template_scores_as_it_is(client):
    r = client.get("/api/v1/score-table/template")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="venprs-template.csv"' in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "id," + ",".join(FACTORS)
    scored = client.post("/api/v1/score-table", files={"file": ("venprs-template.csv", r.content, "text/csv")})
    assert scored.status_code == 200
    rows = list(csv.DictReader(io.StringIO(scored.text)))
    # example-1: extramedullary + FLT3: OS 0.90 + 0.49 = 1.39, EFS 0.57 + 0.60 = 1.17 (Table 4)
    assert (rows[0]["os_score"], rows[0]["os_group"], rows[0]["efs_score"]) == ("1.39", "adverse", "1.17")
    # example-2: prior HMA, genes pending: a range, indeterminate
    assert rows[1]["os_score"] == "" and rows[1]["os_determinate"] == "false"


def test_score_has_scenarios_and_deciding_factors(client):
    d = client.post("/api/v1/score", json={"extramedullary": "no", "prior_hma": "yes", "flt3": "wt"}).json()
    os_ = d["os"]
    assert os_["scenarios"]["unknown_absent"] == {"score": 0.64, "group": "intermediate"}
    # + NF1 0.94 + PTPN11 0.80 + TP53 0.39 - SF3B1 0.98 = 1.79
    assert os_["scenarios"]["unknown_present"] == {"score": 1.79, "group": "adverse"}
    assert os_["deciding_factors"] == ["nf1", "ptpn11", "tp53", "sf3b1"]
    assert os_["scenarios"]["text"].startswith("If the pending NF1, PTPN11, TP53, SF3B1 results are all wild-type")
    assert os_["predicted"]["withheld"].startswith("the highest possible score, 2.77")
