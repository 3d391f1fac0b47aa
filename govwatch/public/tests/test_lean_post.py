"""The evaluation POST goes through a shorter middleware stack (settings.LEAN_STACKS): it keeps the
security headers, the Content-Security-Policy, CSRF and its rate limits, and answers in Chinese;
every other request of the public pages goes through the whole stack."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from govwatch.evaluations.models import Evaluation
from govwatch.public.intake import take_all
from govwatch.public.tokens import evaluation_link

from .conftest import evaluation_post, token_of

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_secure(response, *, view: bool = True) -> None:
    for header, value in SECURITY_HEADERS.items():
        assert response[header] == value, header
    assert "default-src 'self'" in response["Content-Security-Policy"]
    if view:  # never_cache: a form's answer is never stored
        assert "no-cache" in response["Cache-Control"]


def test_an_accepted_evaluation_post_skips_sessions_and_logins_and_keeps_the_headers(client, done):
    path = evaluation_link(done)
    response = client.post(path, evaluation_post(token_of(path), comment="很好"))
    assert response.status_code == 302 and response.url == f"{path}thanks/"
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "user")
    _assert_secure(response)
    assert "Set-Cookie" not in response.headers  # no session cookie, no new CSRF token
    assert take_all() == 1
    assert Evaluation.objects.get(case=done).comment == "很好"


def test_a_refused_evaluation_post_keeps_the_headers_what_was_typed_and_chinese(client, done):
    path = evaluation_link(done)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = english.post(path, evaluation_post(token_of(path), level="9", comment="窗口态度不错"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" not in page and "不在可用的选项中" in page
    assert "窗口态度不错" in page  # what was typed is kept
    _assert_secure(response)
    assert not Evaluation.objects.exists()


def test_a_language_left_behind_by_an_earlier_request_does_not_reach_the_page(client, done):
    path = evaluation_link(done)
    translation.activate("en")  # as an English page served earlier on the same thread leaves it
    try:
        response = client.post(path, evaluation_post(token_of(path), level="9"))
    finally:
        translation.deactivate()
    assert response.status_code == 400
    assert "Select a valid choice" not in response.content.decode()


def test_the_lean_post_still_needs_its_csrf_token(done):
    strict = Client(enforce_csrf_checks=True)
    path = evaluation_link(done)
    refused = strict.post(path, evaluation_post(token_of(path)))
    assert refused.status_code == 403
    assert not hasattr(refused.wsgi_request, "session")
    _assert_secure(refused, view=False)  # refused by CSRF before the view
    csrf = strict.get(path).cookies["csrftoken"].value
    assert strict.post(path, evaluation_post(token_of(path), csrfmiddlewaretoken=csrf)).status_code == 302


def test_the_lean_post_is_still_rate_limited(client, make_case, settings):
    settings.PUBLIC_SUBMITS_PER_MINUTE = 1
    first, second = make_case("RS2026113001"), make_case("RS2026113002")
    statuses = []
    for case in (first, second):
        path = evaluation_link(case)
        statuses.append(client.post(path, evaluation_post(token_of(path))).status_code)
    assert statuses == [302, 429]


def test_every_other_public_request_goes_through_the_whole_stack(client, done):
    path = evaluation_link(done)
    page = client.get(path)  # the form's GET sets the CSRF cookie: the whole stack
    assert hasattr(page.wsgi_request, "session")
    complaint = client.post("/e/complaint/", {})  # a word, not a signed token: the whole stack
    assert hasattr(complaint.wsgi_request, "session")
    window = client.post(f"/e/c/{done.case_no}/", {})
    assert hasattr(window.wsgi_request, "session")
