"""Phone numbers and identities stay masked, and every page works with no internet."""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import reverse

from .conftest import COMPLAINT_CONTACT, EVALUATOR_PHONE

USER_PAGES = [
    reverse("home"),
    reverse("unit-list"),
    reverse("unit-detail", args=["SC"]),
    reverse("unit-detail", args=["D"]),
    reverse("item-list"),
    reverse("case-list"),
    reverse("case-detail", args=["SC2026030001"]),
    reverse("case-detail", args=["RS2026030301"]),
]
ADMIN_PAGES = [
    reverse("admin:orgs_unit_changelist"),
    "unit-change",
    reverse("admin:evaluations_evaluation_changelist"),
    "evaluation-change",
    reverse("admin:complaints_complaint_changelist"),
    "complaint-change",
]
CLEAR = ["13800001111", "13800002222", "13900009999", EVALUATOR_PHONE, COMPLAINT_CONTACT]


def admin_url(name: str, region) -> str:
    from govwatch.complaints.models import Complaint
    from govwatch.evaluations.models import Evaluation

    if name == "unit-change":
        return reverse("admin:orgs_unit_change", args=[region["market"].pk])
    if name == "evaluation-change":
        return reverse("admin:evaluations_evaluation_change", args=[Evaluation.objects.get().pk])
    if name == "complaint-change":
        return reverse("admin:complaints_complaint_change", args=[Complaint.objects.get().pk])
    return name


@pytest.mark.parametrize("url", USER_PAGES)
def test_pages_never_show_a_phone_or_identity_in_clear(signed_in, cases, url):
    html = signed_in.get(url).content.decode()
    for value in CLEAR:
        assert value not in html


def test_unit_phones_are_shown_masked(signed_in, cases):
    html = signed_in.get(reverse("unit-list")).content.decode()
    assert "138****1111" in html and "139****9999" in html
    assert "138****1111" in signed_in.get(reverse("unit-detail", args=["SC"])).content.decode()


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_never_shows_a_phone_or_identity_in_clear(staff_client, cases, region, url):
    response = staff_client.get(admin_url(url, region))
    assert response.status_code == 200
    html = response.content.decode()
    for value in CLEAR:
        assert value not in html
    assert "evaluator_hash" not in html and "contact_enc" not in html


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)
CSS_EXTERNAL = re.compile(r"""(?:url\(|@import)\s*["']?(?:https?:)?//""", re.IGNORECASE)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("url", USER_PAGES)
def test_pages_load_nothing_from_other_hosts_and_nothing_inline(signed_in, cases, url):
    html = signed_in.get(url).content.decode()
    assert not EXTERNAL.search(html)
    # The Content-Security-Policy allows no inline script or style: only files GovWatch serves.
    assert not INLINE_SCRIPT.search(html) and "<style" not in html and " style=" not in html


def test_login_page_loads_nothing_from_other_hosts(client, db):
    html = client.get(reverse("login")).content.decode()
    assert not EXTERNAL.search(html) and "<script" not in html and " style=" not in html


def test_stylesheet_is_served_by_govwatch_and_uses_no_web_fonts(signed_in, region):
    from django.contrib.staticfiles import finders

    path = finders.find("web/govwatch.css")
    assert path is not None
    css = open(path, encoding="utf-8").read()
    assert not CSS_EXTERNAL.search(css) and "@font-face" not in css
    assert '"Noto Sans CJK SC"' in css


def test_no_log_line_of_any_page_or_reveal_holds_personal_data_in_clear(
    as_user, people, cases, region, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    refused = [
        reverse("unit-detail", args=["NOPE"]),
        reverse("case-detail", args=["NOPE"]),
        reverse("audit"),
    ]
    for role in ("supervisor", "office", "market", "leader", "nobody", "integration", "admin"):
        client = as_user(people[role])
        for url in USER_PAGES + refused + [admin_url(a, region) for a in ADMIN_PAGES]:
            client.get(url)
        for what, key in (("unit-phone", "SC"), ("evaluator", "E1"), ("complainant", "T1")):
            client.post(reverse("reveal", args=[what, key]), HTTP_ACCEPT="application/json")
    as_user(people["admin"]).post(
        reverse("admin:orgs_unit_change", args=[region["social"].pk]),
        {
            "code": "RS",
            "name": "区人社局",
            "kind": "department",
            "parent": region["root"].pk,
            "new_phone": "13800002222",
        },
    )
    captured = capsys.readouterr()
    text = caplog.text + captured.out + captured.err
    assert "Forbidden" in text  # the refusals were logged: the search below had something to search
    for value in CLEAR:
        assert value not in text
