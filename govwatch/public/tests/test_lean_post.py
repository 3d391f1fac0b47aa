"""The evaluation POST goes through a shorter middleware stack (settings.LEAN_STACKS): it keeps the
security headers, the Content-Security-Policy, CSRF and its rate limits, and answers in Chinese;
every other request of the public pages goes through the whole stack."""

from __future__ import annotations

import pytest
from django.utils import translation

from govwatch.evaluations.models import Evaluation
from govwatch.public.intake import take_all
from govwatch.public.tokens import evaluation_link

from .conftest import evaluation_post, token_of
from .lean import LeanClient as Client

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


# The lean WSGI path (govwatch.public.leanpost): the accepted POST answered before Django's handler,
# through the deployment's application (govwatch.wsgi), every other outcome answered by Django.


def _wsgi(path: str, body: str, *, cookie: str = "", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """A POST through govwatch.wsgi.application, as gunicorn hands it one behind nginx (HTTPS)."""
    import io
    import sys

    from govwatch.wsgi import application

    data = body.encode()
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "443", "HTTP_HOST": "localhost", "wsgi.url_scheme": "https", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data)), "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_COOKIE": cookie, "wsgi.errors": sys.stderr,
        "HTTP_REFERER": f"https://localhost{path}", **headers,
    }  # fmt: skip
    answer: dict = {}

    def start_response(status: str, headers: list, exc_info=None) -> None:
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    result = application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()  # request_finished, as the server sends it
    return answer["status"], answer["headers"], content


def _form(token: str, **fields: str) -> tuple[str, str]:
    """A form as its page gives it (the CSRF cookie and the masked token in the body), urlencoded."""
    from urllib.parse import urlencode

    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    data = evaluation_post(token, csrfmiddlewaretoken=_mask_cipher_secret(secret), **fields)
    return urlencode(data, doseq=True), f"csrftoken={secret}"


def _counted() -> int:
    from govwatch.public.models import RateCount

    return sum(RateCount.objects.values_list("n", flat=True))


@pytest.mark.django_db(transaction=True)
def test_an_accepted_post_through_the_deployments_application_is_answered_by_the_lean_path(done, monkeypatch):
    from django.core.handlers.wsgi import WSGIHandler

    from govwatch.public.models import Submission

    def no_django(*args, **kwargs):
        raise AssertionError("an accepted evaluation POST reached Django's handler")

    monkeypatch.setattr(WSGIHandler, "__call__", no_django)
    path = evaluation_link(done)
    body, cookie = _form(token_of(path), comment="很好")
    status, headers, content = _wsgi(path, body, cookie=cookie)
    assert (status, headers["Location"], content) == (302, f"{path}thanks/", b"")
    for header, value in SECURITY_HEADERS.items():
        assert headers[header] == value, header
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "no-cache" in headers["Cache-Control"] and "private" in headers["Cache-Control"]
    assert "Set-Cookie" not in headers  # no new CSRF cookie, no session
    assert Submission.objects.get(case_no=done.case_no).state == Submission.State.RECEIVED
    assert _counted() == 3  # the two limits and the stamp, once
    assert take_all() == 1 and Evaluation.objects.get(case=done).comment == "很好"


@pytest.mark.django_db(transaction=True)
def test_the_lean_paths_answer_is_djangos_header_for_header(make_case, settings):
    from django.core.handlers.wsgi import WSGIHandler

    from govwatch import wsgi
    from govwatch.public.leanpost import LeanEvaluationPost

    settings.SECURE_HSTS_SECONDS = 3600  # the deployment's HTTPS headers too
    lean, django = LeanEvaluationPost(), WSGIHandler()
    answers = []
    for n, app in enumerate((lambda e, s: lean(e, s, django), django)):
        path = evaluation_link(make_case(f"RS202611320{n}"))
        body, cookie = _form(token_of(path))
        original = wsgi.application
        wsgi.application = app
        try:
            status, headers, content = _wsgi(path, body, cookie=cookie)
        finally:
            wsgi.application = original
        assert (status, headers.pop("Location"), content) == (302, f"{path}thanks/", b"")
        headers.pop("Expires")  # the moment of the answer
        answers.append(headers)
    assert answers[0]["Strict-Transport-Security"].startswith("max-age=3600")
    assert answers[0] == answers[1]


@pytest.mark.django_db(transaction=True)
def test_the_lean_path_hands_a_post_without_csrf_to_django_which_refuses_it_counting_nothing(done):
    path = evaluation_link(done)
    body, cookie = _form(token_of(path))
    for refused_cookie, headers in (
        ("", {}),  # no CSRF cookie
        ("csrftoken=" + "x" * 32, {}),  # the wrong one
        (cookie, {"HTTP_REFERER": "https://evil.example/"}),  # another site's page
        (cookie, {"HTTP_ORIGIN": "https://evil.example"}),
    ):
        status, answer, content = _wsgi(path, body, cookie=refused_cookie, **headers)
        assert status == 403, headers
        assert answer["X-Frame-Options"] == "DENY"
    assert _counted() == 0
    assert not Evaluation.objects.exists() and take_all() == 0


@pytest.mark.django_db(transaction=True)
def test_a_refused_post_is_handed_to_django_counted_once(make_case):
    from govwatch.public.models import Submission

    open_case = make_case("RS2026113101", completed_ago=None)  # not completed: no evaluation yet
    path = evaluation_link(open_case)
    body, cookie = _form(token_of(path))
    status, headers, content = _wsgi(path, body, cookie=cookie)
    assert status == 409 and "尚未办结" in content.decode()
    assert headers["X-Frame-Options"] == "DENY" and "no-cache" in headers["Cache-Control"]
    assert _counted() == 3  # counted by the lean path, not again by the view it handed it to
    # The same form again, a replay (counted once more), still answered with the case's state.
    status, _headers, content = _wsgi(path, body, cookie=cookie)
    assert status == 200 and "尚未办结" in content.decode()
    assert _counted() == 6
    assert not Submission.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_forged_link_and_a_bot_are_djangos_to_answer(done):
    path = evaluation_link(done)
    token = token_of(path)
    forged = f"/e/{token[:-2]}xx/"
    body, cookie = _form(token)
    assert _wsgi(forged, body, cookie=cookie)[0] == 403
    assert _counted() == 0  # a forged link counts nothing, as before
    body, cookie = _form(token, website="http://spam.example")
    assert _wsgi(path, body, cookie=cookie)[0] == 400  # the honeypot: not accepted, counted
    assert not Evaluation.objects.exists() and take_all() == 0


@pytest.mark.django_db(transaction=True)
def test_behind_a_trusted_proxy_the_lean_path_records_the_clients_address(done, settings):
    from govwatch.public.models import Submission

    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    path = evaluation_link(done)
    body, cookie = _form(token_of(path))
    status, _headers, _content = _wsgi(path, body, cookie=cookie, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert status == 302
    assert Submission.objects.get(case_no=done.case_no).source == "203.0.113.5"


def test_the_test_client_takes_the_lean_path_for_an_accepted_post(client, done):
    path = evaluation_link(done)
    assert client.post(path, evaluation_post(token_of(path))).status_code == 302
    assert client.handler.taken == 1


def test_the_lean_path_turns_itself_off_when_the_posts_stack_changes(settings):
    from govwatch.public.leanpost import LeanEvaluationPost

    assert LeanEvaluationPost().enabled
    method, path, stack = settings.LEAN_STACKS[0]
    settings.LEAN_STACKS = [(method, path, [*stack, "django.contrib.sessions.middleware.SessionMiddleware"])]
    assert not LeanEvaluationPost().enabled
