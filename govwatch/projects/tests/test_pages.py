"""The key projects' pages as each role sees them: the list with its timeline chart, one project,
a monthly report with a photo, and a reminder letter through the pages."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govwatch.projects.models import KeyProject, Milestone, ProgressReport, ProjectLetter

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def projects(region):
    ours = KeyProject.objects.create(
        code="XM01", name="智能制造产业园一期", unit=region["market"], leader="王副区长",
        start_date=date(2025, 1, 1), planned_end=date(2027, 12, 31),
    )  # fmt: skip
    Milestone.objects.create(project=ours, seq=1, name="施工许可", planned_date=date(2025, 3, 1))
    theirs = KeyProject.objects.create(
        code="XM02", name="人才公寓", unit=region["social"], leader="李副区长",
        start_date=date(2025, 1, 1), planned_end=date(2027, 6, 30),
    )  # fmt: skip
    return ours, theirs


def chart_option(html: str, name: str) -> dict:
    match = re.search(rf'<script id="chart-{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_the_list_shows_every_project_with_its_state_and_the_timeline(client, people, projects):
    client.force_login(people.supervisor)
    html = client.get(reverse("projects:list")).content.decode()
    assert "智能制造产业园一期" in html and "人才公寓" in html
    assert "进展滞后" in html and "vendor/echarts/echarts.min.js" in html and "web/charts.js" in html
    option = chart_option(html, "projects-timeline")["baseOption"]
    assert option["yAxis"]["data"] == ["智能制造产业园一期", "人才公寓"]
    assert option["series"][0]["renderItem"] == "@span"
    assert [p[2] for p in option["series"][3]["data"]] == ["智能制造产业园一期：施工许可（逾期未完成）"]
    behind = client.get(reverse("projects:list"), {"state": "behind"}).content.decode()
    assert "智能制造产业园一期" in behind and "人才公寓" not in behind.split("<table")[1]


def test_a_unit_sees_its_own_projects_only(client, people, projects):
    ours, theirs = projects
    client.force_login(people.market_staff)
    assert "人才公寓" not in client.get(reverse("projects:list")).content.decode()
    assert client.get(ours.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_the_owner_unit_reports_a_month_with_a_photo_that_the_page_shows(client, people, projects):
    ours, _ = projects
    client.force_login(people.market_staff)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(
        reverse("projects:report", args=[ours.pk]),
        {"month": "2025-03", "percent": "12", "text": "完成场平和桩基", "photos": [photo]},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    shown = client.get(ours.get_absolute_url()).content.decode()
    url = reverse("projects:photo", args=[report.photos.get().pk])
    assert url in shown and "完成场平和桩基" in shown
    image = client.get(url)
    assert image["Content-Type"] == "image/png" and image.content == PNG


def test_a_bad_report_shows_the_form_again_with_the_reason(client, people, projects):
    ours, _ = projects
    client.force_login(people.market_staff)
    bad = SimpleUploadedFile("进度.exe", b"MZ\x90\0", content_type="application/octet-stream")
    response = client.post(
        reverse("projects:report", args=[ours.pk]),
        {"month": "2025-03", "percent": "12", "text": "完成场平", "photos": [bad]},
    )
    assert response.status_code == 400 and "不是照片" in response.content.decode()
    assert "完成场平" in response.content.decode()  # what was typed is kept
    assert not ProgressReport.objects.exists()


def test_others_may_not_report_or_draft(client, people, projects):
    ours, _ = projects
    client.force_login(people.social_staff)
    assert client.post(reverse("projects:report", args=[ours.pk]), {}).status_code == 404
    client.force_login(people.leader)
    assert client.post(reverse("projects:report", args=[ours.pk]), {}).status_code == 403
    assert client.post(reverse("projects:letter-new", args=[ours.pk])).status_code == 403
    client.force_login(people.market_staff)
    assert client.post(reverse("projects:letter-new", args=[ours.pk])).status_code == 403


def test_a_reminder_letter_through_the_pages(client, people, projects):
    ours, _ = projects
    client.force_login(people.supervisor)
    response = client.post(reverse("projects:letter-new", args=[ours.pk]))
    letter = ProjectLetter.objects.get()
    assert response["Location"] == letter.get_absolute_url()
    assert "已逾期" in client.get(letter.get_absolute_url()).content.decode()
    client.post(reverse("projects:letter-issue", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.number.startswith("项目提醒〔")
    docx = client.get(reverse("projects:letter-document", args=[letter.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    client.force_login(people.market_staff)
    assert letter.number in client.get(reverse("projects:letter-list")).content.decode()
    client.post(
        reverse("projects:letter-reply", args=[letter.pk]), {"reply": "已协调住建部门，3月底前取得施工许可"}
    )
    client.force_login(people.supervisor)
    client.post(reverse("projects:letter-close", args=[letter.pk]), {"comment": ""})
    letter.refresh_from_db()
    assert letter.status == "closed"


def test_a_draft_is_seen_only_by_those_who_issue_letters(client, people, projects):
    ours, _ = projects
    client.force_login(people.supervisor)
    client.post(reverse("projects:letter-new", args=[ours.pk]))
    letter = ProjectLetter.objects.get()
    client.force_login(people.market_staff)
    assert client.get(letter.get_absolute_url()).status_code == 404
    assert client.get(reverse("projects:letter-document", args=[letter.pk])).status_code == 404
