"""The OpenAPI document and the browsable docs are served by GovWatch itself, and work offline."""

from __future__ import annotations

import json
import re

from django.test import Client

PATHS = {
    "/api/v1/units/", "/api/v1/units/{code}/", "/api/v1/items/", "/api/v1/items/{code}/", "/api/v1/cases/",
    "/api/v1/cases/{case_no}/", "/api/v1/case-events/", "/api/v1/evaluations/", "/api/v1/evaluations/{eval_id}/",
    "/api/v1/complaints/", "/api/v1/complaints/{complaint_id}/",
}  # fmt: skip


def test_the_schema_is_json_with_every_endpoint(db):
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert PATHS <= set(doc["paths"])
    push = doc["paths"]["/api/v1/case-events/"]["post"]
    assert {"200", "400", "401", "403", "413", "422"} <= set(push["responses"])
    evaluation = doc["components"]["schemas"]["Evaluation"]["properties"]
    complaint = doc["components"]["schemas"]["Complaint"]["properties"]
    assert "evaluator" not in evaluation and "contact" not in complaint


def test_the_docs_load_their_assets_from_static_only(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for url in assets:
        assert url.startswith("/static/") or url.startswith("/api/docs/"), url
    assert "//" not in "".join(a.split("?")[0] for a in assets)  # no other host
    # Nothing inline, for the Content-Security-Policy: the start-up script is a file too.
    assert "<script>" not in html and "<style>" not in html


def test_the_docs_start_up_script_and_assets_are_served(db):
    client = Client()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()
    html = client.get("/api/docs/").content.decode()
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def _document() -> dict:
    return json.loads(Client().get("/api/schema/?format=json").content)


def test_the_schema_declares_the_refusals_of_every_operation(db):
    paths = _document()["paths"]
    for path, methods in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"400", "401"} <= codes, (method, path)
            if method == "get":
                assert "404" in codes, (method, path)
            if method == "post":
                assert {"403", "413", "422", "429"} <= codes, (method, path)


def test_the_schema_declares_nullable_fields(db):
    schemas = _document()["components"]["schemas"]
    assert schemas["Unit"]["properties"]["parent_code"]["nullable"] is True
    assert schemas["Complaint"]["properties"]["repeat_of"]["nullable"] is True
    assert schemas["Complaint"]["properties"]["unit_code"]["nullable"] is True


def test_the_schema_lists_the_values_of_enum_filters(db):
    parameters = {p["name"]: p["schema"] for p in _document()["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"open", "已办结", ""} <= set(parameters["status"]["enum"])
    assert {"none", "yellow", "red"} <= set(parameters["card"]["enum"])
    items = {p["name"]: p["schema"] for p in _document()["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert {"type", "level", "online"} <= {name for name, schema in items.items() if "enum" in schema}


def test_a_page_size_that_is_no_positive_number_is_a_400_in_chinese(people, token_client):
    client = token_client(people["hub"])
    for value in ("0", "-3", "null", "1.5"):
        response = client.get(f"/api/v1/units/?page_size={value}")
        assert response.status_code == 400, value
        assert "正整数" in response.json()["page_size"]
    assert client.get("/api/v1/units/?page_size=").status_code == 200
    assert client.get("/api/v1/units/?page_size=9999").status_code == 200  # counted as 500
