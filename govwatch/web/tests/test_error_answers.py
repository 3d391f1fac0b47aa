"""No server error for a strange request, and every refusal in Chinese: GovWatch's own 400, 403 (CSRF)
and 500 answers, dates at the calendar's ends, control characters in addresses, OPTIONS on the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govwatch import urls
from govwatch.web.views.errors import server_error


@pytest.mark.parametrize(
    "query", ["date_from=0001-01-01", "date_to=9999-12-31", "date_from=0001-01-01&date_to=9999-12-31"]
)
def test_the_audit_page_answers_dates_at_the_calendars_ends_with_a_message(as_user, people, query):
    response = as_user(people["supervisor"]).get(f"/audit/?{query}")
    assert response.status_code == 200
    assert "日期应在 1900 年至 2999 年之间" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["date_from=0001-01-01&date_to=9999-12-31", "date_from=1900-01-01&date_to=2999-12-31"]
)
def test_the_reports_page_answers_extreme_periods(as_user, people, query):
    response = as_user(people["supervisor"]).get(f"/reports/?{query}")
    if query.startswith("date_from=0001"):
        assert response.status_code == 400  # the page's answer to a form it cannot use
        assert "日期应在 1900 年至 2999 年之间" in response.content.decode()
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("query", ["accepted_from=0001-01-01", "closed_to=9999-12-31"])
def test_the_case_list_answers_extreme_dates(as_user, people, query):
    assert as_user(people["supervisor"]).get(f"/cases/?{query}").status_code == 200


def test_options_on_every_api_endpoint_with_valid_credentials(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=people['integration']).key}")
    for url in ("/api/v1/case-events/", "/api/v1/units/", "/api/v1/cases/", "/api/v1/applicant-contacts/"):
        response = client.options(url)
        assert response.status_code == 200, url
        assert response.json()["schema"] == "/api/schema/"


@pytest.mark.parametrize(
    "url", ["/api/v1/units/%00/", "/api/v1/items/?search=%00", "/api/v1/cases/?unit=a%00"]
)
def test_a_nul_in_an_api_address_is_a_400_in_chinese(people, url):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=people['integration']).key}")
    response = client.get(url)
    assert response.status_code == 400
    assert "控制字符" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/cases/%00/", "/cases/?q=%00", "/units/?unit=%01"])
def test_a_control_character_in_a_page_address_is_a_400_in_chinese(as_user, people, url):
    response = as_user(people["supervisor"]).get(url)
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_a_form_without_its_csrf_token_is_refused_in_chinese(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["supervisor"])
    response = client.post("/logout/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "CSRF verification failed" not in html


def test_the_server_error_page_is_govwatchs_own_in_chinese(db):
    assert urls.handler500 == "govwatch.web.views.errors.server_error"
    response = server_error(RequestFactory().get("/cases/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器内部错误" in html and 'lang="zh-Hans"' in html and "Server Error" not in html


def test_a_server_error_under_the_api_is_a_json_problem(db):
    response = server_error(RequestFactory().get("/api/v1/cases/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "服务器内部错误" in json.loads(response.content)["detail"]


def test_an_unexpected_error_reaches_the_chinese_page(people, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("govwatch.web.views.home.render", broken)
    client = Client(raise_request_exception=False)
    client.force_login(people["supervisor"])
    response = client.get("/")
    assert response.status_code == 500
    assert "服务器内部错误" in response.content.decode()
