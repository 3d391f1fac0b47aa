"""The window and kiosk pages as each role sees them: what renders, what is hidden, what is refused,
and the steps done through the forms."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from govwatch.kiosks.models import Kiosk, KioskFault, KioskSignal
from govwatch.windows import assists
from govwatch.windows.gold import Rules, do_award, do_rank, do_set_rules
from govwatch.windows.models import AbsenceReport, AssistedService, GoldRound

from .test_queues import HEADER, TICKETS

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = "?date_from=2026-03-01&date_to=2026-03-31"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def scene(hall, load, people):
    load("tickets", HEADER, TICKETS)
    load(
        "attendance",
        ["staff_code", "at", "kind"],
        [["S1", "2026-03-02T08:55:00", "in"], ["S3", "2026-03-02T08:40:00", "in"]],
    )
    office = people.actor("office")
    service = assists.do_request(
        office, unit=hall["market"], kind="home", group="elderly", matter="营业执照变更", contact="13700001111",
        address="幸福里3栋", at=local("2026-03-03T09:00"),
    )  # fmt: skip
    kiosk = Kiosk.objects.create(
        code="K1", name="24小时自助区1号机", unit=hall["market"], location="区政务服务中心东门"
    )
    KioskSignal.objects.create(kiosk=kiosk, at=local("2026-03-01T00:00"), status="up")
    fault = KioskFault.objects.create(
        number="GZ2026-0001", kiosk=kiosk, category="printer", reported_at=local("2026-03-02T10:00"),
        due_date=local("2026-03-03T00:00").date(),
    )  # fmt: skip
    do_set_rules(office, hall["root"], Rules(min_volume=1))
    round_ = do_award(
        office,
        do_rank(office, hall["root"], 2026, 1, at=local("2026-04-01T09:00")),
        at=local("2026-04-01T10:00"),
    )
    return {**hall, "service": service, "kiosk": kiosk, "fault": fault, "round": round_}


def pages(scene) -> list[str]:
    s1 = scene["staff"]["S1"]
    return [
        reverse("windows:overview") + PERIOD,
        reverse("windows:list") + PERIOD,
        reverse("windows:window-detail", args=[scene["windows"]["W01"].pk]) + PERIOD,
        reverse("windows:attendance") + PERIOD,
        reverse("windows:staff-detail", args=[s1.pk]) + PERIOD,
        reverse("windows:absences") + PERIOD,
        reverse("windows:queues") + PERIOD,
        reverse("windows:assists") + PERIOD,
        reverse("windows:assist-detail", args=[scene["service"].pk]),
        reverse("windows:gold"),
        reverse("windows:gold-round", args=[scene["round"].pk]),
        reverse("kiosks:list") + PERIOD,
        reverse("kiosks:detail", args=["K1"]) + PERIOD,
        reverse("kiosks:faults"),
        reverse("kiosks:fault-detail", args=[scene["fault"].pk]),
    ]


@pytest.fixture
def as_(client, people):
    def sign_in(name: str):
        client.force_login(getattr(people, name))
        return client

    return sign_in


@pytest.mark.parametrize("name", ["office", "supervisor", "leader", "market_staff"])
def test_every_page_renders_for_each_role(scene, as_, name):
    client = as_(name)
    for url in pages(scene):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'aria-current="page">窗口</a>' in html, url
        assert "13700001111" not in html and "幸福里3栋" not in html


def test_the_overview_shows_figures_and_reminders(scene, as_):
    html = as_("office").get(reverse("windows:overview") + PERIOD).content.decode()
    for text in ("提醒", "排队过长", "帮办代办待服务", "区市场监管局", "考勤正常率"):
        assert text in html


def test_another_units_staff_do_not_exist_for_a_department(scene, as_):
    client = as_("social_staff")
    assert client.get(reverse("windows:staff-detail", args=[scene["staff"]["S1"].pk])).status_code == 404
    assert client.get(reverse("windows:assist-detail", args=[scene["service"].pk])).status_code == 404
    assert client.get(reverse("kiosks:detail", args=["K1"])).status_code == 404
    assert client.get(reverse("kiosks:fault-detail", args=[scene["fault"].pk])).status_code == 404
    html = client.get(reverse("windows:attendance") + PERIOD).content.decode()
    assert "王芳" in html and "张敏" not in html
    gold = client.get(reverse("windows:gold-round", args=[scene["round"].pk])).content.decode()
    assert "W03" in gold and "W01" not in gold


def test_forms_are_shown_to_those_who_may_use_them(scene, as_):
    staff_url = reverse("windows:staff-detail", args=[scene["staff"]["S1"].pk])
    assert "登记脱岗" in as_("supervisor").get(staff_url).content.decode()
    html = as_("market_staff").get(staff_url).content.decode()
    assert "登记脱岗" not in html and "调整窗口" not in html
    assert "计算排名" not in as_("leader").get(reverse("windows:gold")).content.decode()
    assert "计算排名" in as_("office").get(reverse("windows:gold")).content.decode()


def test_recording_an_absence_through_the_page(scene, as_):
    client = as_("supervisor")
    url = reverse("windows:staff-absence", args=[scene["staff"]["S1"].pk])
    data = {
        "day": "2026-03-02",
        "time": "10:15",
        "source": "inspection",
        "reference": "JC-001",
        "note": "窗口无人",
    }
    assert client.post(url, data).status_code == 302
    assert AbsenceReport.objects.get().reference == "JC-001"
    refused = client.post(url, {**data, "time": "07:00"})
    assert refused.status_code == 200 and "不在该人员所在单位工作日的服务时间内" in refused.content.decode()
    assert as_("market_staff").post(url, data).status_code == 403


def test_an_assisted_service_through_the_pages(scene, as_):
    client = as_("market_staff")
    response = client.post(
        reverse("windows:assist-new"),
        {"unit": "SC", "kind": "assist", "group": "enterprise", "matter": "企业开办全程帮办"},
    )
    service = AssistedService.objects.get(matter="企业开办全程帮办")
    assert response.status_code == 302
    client.post(reverse("windows:assist-assign", args=[service.pk]), {"helpers": [scene["staff"]["S1"].pk]})
    client.post(reverse("windows:assist-finish", args=[service.pk]), {"done": "1", "outcome": "当日领取执照"})
    assert AssistedService.objects.get(pk=service.pk).status == "done"
    assert as_("leader").get(reverse("windows:assist-new")).status_code == 403


def test_a_kiosk_fault_reported_and_repaired_through_the_pages(scene, as_):
    client = as_("market_staff")
    response = client.post(
        reverse("kiosks:fault-report", args=["K1"]), {"category": "sms", "description": "收不到验证码"}
    )
    fault = KioskFault.objects.get(category="sms")
    assert response.status_code == 302
    client.post(reverse("kiosks:fault-repair", args=[fault.pk]), {"note": "更换短信网关"})
    assert KioskFault.objects.get(pk=fault.pk).status == "repaired"
    assert (
        as_("social_staff").post(reverse("kiosks:fault-report", args=["K1"]), {"category": "sms"}).status_code
        == 404
    )


def test_the_certificate_downloads_as_word(scene, as_):
    entry = scene["round"].entries.filter(medal=True).first()
    response = as_("office").get(reverse("windows:gold-certificate", args=[entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert scene["round"].status == GoldRound.Status.AWARDED


def test_attendance_downloads_as_csv(scene, as_):
    response = as_("office").get(reverse("windows:attendance") + PERIOD + "&format=csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "人员编号,姓名,第三方人员,工作日数,迟到,早退,缺勤,脱岗"
    assert "S3,王芳,是,22" in text


def test_the_overview_of_a_region_with_no_window_staff_answers(region, as_):
    # A province whose halls have not been loaded yet: no staff, so no attendance total.
    response = as_("office").get(reverse("windows:overview"))
    assert response.status_code == 200
    assert "考勤正常率" in response.content.decode()
