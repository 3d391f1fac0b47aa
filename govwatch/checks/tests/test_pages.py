"""The supervisors' data-check pages: who sees findings, the evidence on a finding's page, dismissal
with a reason, a run from the page, and the region's thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from govwatch.checks.models import Finding, Kind, RegionThresholds

from .conftest import at, client_of

pytestmark = pytest.mark.django_db
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def burst(world, check) -> Finding:
    world.honest(*MARCH, units=["B1", "B2"])
    old = [world.case("B2", "W3", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(10)]
    for k, c in enumerate(old):
        world.rate(c, at(2026, 3, 18, 15, 0, 4 * k))
    world.load()
    return check(*MARCH)[Kind.BURST][0].finding


def test_findings_are_for_supervisors_and_leaders(people, burst):
    for user in (people.supervisor, people.leader):
        page = client_of(user).get("/checks/findings/")
        assert page.status_code == 200 and burst.number in page.content.decode()
    for user in (people.staff, people.office):
        assert client_of(user).get("/checks/findings/").status_code == 403
        assert client_of(user).get(f"/checks/findings/{burst.pk}/").status_code == 403
    assert client_of(people.staff).get("/checks/").status_code == 302  # the nav entry: their inspections


def test_a_findings_page_shows_its_evidence_and_the_windows_timeline(people, burst):
    page = client_of(people.supervisor).get(f"/checks/findings/{burst.pk}/").content.decode()
    assert "窗口评价时间轴" in page and "<svg" in page and 'class="flagged"' in page
    assert "涉及的评价（10 条）" in page and "办结后" in page
    assert "立查" in page and "排除理由" in page
    leader = client_of(people.leader).get(f"/checks/findings/{burst.pk}/").content.decode()
    assert "排除理由" not in leader and "立查</button>" not in leader


def test_a_supervisor_dismisses_with_a_reason_and_a_leader_cannot(people, burst):
    url = f"/checks/findings/{burst.pk}/dismiss/"
    assert client_of(people.leader).post(url, {"reason": "x"}).status_code == 403
    sup = client_of(people.supervisor)
    assert "排除线索时请说明理由" in sup.post(url, {"reason": ""}).content.decode()
    assert sup.post(url, {"reason": "调取监控，系单位组织的集体回访"}).status_code == 302
    burst.refresh_from_db()
    assert burst.status == Finding.Status.DISMISSED and burst.decided_by == "user:jiwei"


def test_a_finding_outside_the_supervisors_scope_does_not_exist(people, burst, django_user_model):
    from govwatch.accounts.models import Membership, Role
    from govwatch.orgs.models import Unit

    other = Unit.objects.create(code="X", name="外区", kind="district")
    user = django_user_model.objects.create_user("wai", password="correct-horse-battery")
    Membership.objects.create(user=user, role=Role.SUPERVISOR, unit=other)
    assert client_of(user).get(f"/checks/findings/{burst.pk}/").status_code == 404
    assert burst.number not in client_of(user).get("/checks/findings/").content.decode()


def test_a_supervisor_runs_the_checks_from_the_page(people, world):
    old = world.case("B1", "W1", at(2026, 3, 2, 9), at(2026, 3, 2, 10))
    world.rate(old, at(2026, 3, 10, 21, 30))
    world.load()
    sup = client_of(people.supervisor)
    done = sup.post("/checks/run/", {"date_from": "2026-03-01", "date_to": "2026-03-31"}, follow=True)
    assert "核查完成：线索 1 条，其中新线索 1 条" in done.content.decode()
    refused = sup.post("/checks/run/", {"date_from": "2026-03-31", "date_to": "2026-03-01"}, follow=True)
    assert "开始日期不能晚于结束日期" in refused.content.decode()
    assert (
        client_of(people.leader)
        .post("/checks/run/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
        .status_code
        == 403
    )


def test_thresholds_are_set_for_a_region_on_the_page(people, town):
    sup = client_of(people.supervisor)
    page = sup.get("/checks/thresholds/?unit=B1").content.decode()
    assert "集中评价最少条数" in page and "默认" in page
    refused = sup.post("/checks/thresholds/", {"unit": "B1", "burst_min_run": "1"})
    assert refused.status_code == 200 and RegionThresholds.objects.count() == 0
    assert sup.post("/checks/thresholds/", {"unit": "B1", "burst_min_run": "8"}).status_code == 302
    assert RegionThresholds.objects.get().values == {"burst_min_run": 8}
    assert "本区域设置" in sup.get("/checks/thresholds/?unit=B1").content.decode()
    assert (
        client_of(people.leader).post("/checks/thresholds/", {"unit": "B1", "burst_min_run": "9"}).status_code
        == 403
    )
    assert client_of(people.staff).get("/checks/thresholds/").status_code == 403
