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
