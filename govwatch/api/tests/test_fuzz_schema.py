"""Schemathesis against GovWatch's own OpenAPI document: every operation, with a system token bound to
the region's root (allowed to push master data) and with one bound to a street (a unit's subtree).

Requests are generated from the document, well-formed and malformed, and also for the records that
exist; each goes through the WSGI application in this process, on the test database. No answer may
be a server error or fall outside the document (status code, content type, body schema, headers);
no object in an answer may lie outside the token's subtree, and no record outside it may change.
Bounded by FUZZ_EXAMPLES per operation and token (marked `slow`: `bash scripts/test` and CI run it, a plain `pytest` does not).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest
import schemathesis
from django.core import serializers as django_serializers
from django.core.cache import cache as django_cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from govwatch.accounts.models import Membership
from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.complaints.models import Complaint
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit

pytestmark = pytest.mark.slow

FUZZ_EXAMPLES = int(os.environ.get("GOVWATCH_FUZZ_EXAMPLES", "15"))
CONFIG = Path(__file__).resolve().parents[3] / "schemathesis.toml"


@cache
def document() -> dict:
    """The OpenAPI document as /api/schema/ serves it."""
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder)
    )


def operations() -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, methods in document()["paths"].items()
        if path.startswith("/api/v1/")
        for method in methods
    ]


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler on the test's own transaction: its end-of-request hook would close the
    connection inside the test's atomic block (Django's test client unhooks it the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _subtree(code: str) -> set[str]:
    """The unit and every unit below it, by walking parent links (not through the scoping code)."""
    children: dict[str | None, list[str]] = {}
    for unit, parent in Unit.objects.values_list("code", "parent__code"):
        children.setdefault(parent, []).append(unit)
    seen, todo = set(), [code]
    while todo:
        unit = todo.pop()
        seen.add(unit)
        todo.extend(children.get(unit, []))
    return seen


def _units_of(path: str, obj: dict, cases: dict[str, str]) -> set[str] | None:
    """The units an answered object belongs to (None: not a record of a unit)."""
    if path.startswith("/api/v1/units/"):
        return {obj.get("code")}
    if path.startswith(("/api/v1/items/", "/api/v1/cases/", "/api/v1/evaluations/")):
        return {obj.get("unit_code")}
    if path.startswith("/api/v1/complaints/"):
        return {obj.get("unit_code"), cases.get(obj.get("case_no"))} - {None}
    return None


def assert_within_scope(path: str, body, root: str) -> None:
    allowed = _subtree(root)
    region = Unit.objects.filter(code=root, parent__isnull=True).exists()
    cases = dict(Case.objects.values_list("case_no", "unit__code"))
    objects = body["results"] if isinstance(body, dict) and "results" in body else [body]
    for obj in objects:
        units = _units_of(path, obj, cases)
        if units is None:
            continue
        if not units:  # a complaint that names neither unit nor case: the region's office triages it
            assert region, f"{path}: {obj} shown to a token of {root}"
            continue
        assert units & allowed, f"{path}: {obj} lies outside the subtree of {root}"


def outside(root: str) -> list:
    """Every record of a unit outside the subtree, as stored: none may change through this token."""
    allowed = _subtree(root)
    querysets = [
        Unit.objects.exclude(code__in=allowed),
        Item.objects.exclude(unit__code__in=allowed),
        Case.objects.exclude(unit__code__in=allowed),
        Evaluation.objects.exclude(unit__code__in=allowed),
        Complaint.objects.exclude(unit__code__in=allowed).exclude(case__unit__code__in=allowed),
    ]
    return [django_serializers.serialize("json", qs.order_by("pk")) for qs in querysets]


KNOWN = {
    "/api/v1/units/{code}/": ("code", lambda: Unit.objects.values_list("code", flat=True)),
    "/api/v1/items/{code}/": ("code", lambda: Item.objects.values_list("code", flat=True)),
    "/api/v1/cases/{case_no}/": ("case_no", lambda: Case.objects.values_list("case_no", flat=True)),
    "/api/v1/evaluations/{eval_id}/": (
        "eval_id",
        lambda: Evaluation.objects.values_list("eval_id", flat=True),
    ),
    "/api/v1/complaints/{complaint_id}/": (
        "complaint_id",
        lambda: Complaint.objects.values_list("complaint_id", flat=True),
    ),
}


def cases_of(operation, path: str, headers: dict[str, str]):
    """Well-formed and malformed requests; for a record by its code, also each record that exists."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=headers),
    ]
    if path in KNOWN:
        name, codes = KNOWN[path]
        strategies.append(
            st.sampled_from(sorted(codes())).flatmap(
                lambda code: operation.as_strategy(
                    GenerationMode.POSITIVE, headers=headers, path_parameters={name: code}
                )
            )
        )
    return st.one_of(strategies)


@pytest.mark.parametrize("who", ["region", "street"])
@pytest.mark.parametrize(("method", "path"), operations())
def test_every_operation_answers_as_documented_within_the_token_scope(
    method, path, who, people, facts, wsgi_app
):
    user = people["hub"] if who == "region" else people["street_system"]
    if who == "region":
        Membership.objects.filter(user=user).update(grants=["master_data"])
    key = Token.objects.create(user=user).key
    root = user.membership.unit.code
    schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig.from_path(CONFIG))
    schema.app = wsgi_app
    operation = schema[path][method]
    before = outside(root)

    @given(case=cases_of(operation, path, {"Authorization": f"Token {key}"}))
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        django_cache.clear()  # the push throttle would answer 429 after 120 batches
        response = case.call_and_validate(headers={"Authorization": f"Token {key}"})
        if method == "GET" and response.status_code == 200:
            assert_within_scope(path, response.json(), root)

    answers_as_documented()
    assert outside(root) == before
