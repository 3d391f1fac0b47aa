"""Double-random through the pages: a plan drawn from the registers by the office, results entered
by the department, published within 20 working days (late otherwise), the public page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from govwatch.randomchecks.models import DrawnTarget, Inspector, RandomPlan, Target
from govwatch.randomchecks.plans import (
    RandomCheckError,
    do_draw,
    do_publish_results,
    do_record_result,
    plan_from_registers,
    publish_deadline,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def registers(region):
    market = region["market"]
    for n in range(1, 11):
        Target.objects.create(
            target_id=f"T{n:02d}", name=f"第{n}餐饮店", unit=market, risk="high" if n <= 4 else "low"
        )
    inspectors = [
        Inspector.objects.create(inspector_id=f"P{n}", name=f"执法员{n}", unit=market) for n in range(1, 4)
    ]
    inspectors[0].conflicts.add(Target.objects.get(target_id="T01"))
    return market


def test_a_plan_from_the_registers_carries_their_conflicts(registers):
    plan = plan_from_registers([registers], {"low": 20, "medium": 0, "high": 50})
    assert len(plan.targets) == 10 and len(plan.inspectors) == 3
    assert plan.conflicts == {("P1", "T01")}


def test_the_office_draws_a_plan_in_the_page_and_it_is_never_redrawn(client, people, registers):
    client.force_login(people.office)
    form = {
        "name": "2026年第一季度餐饮抽查",
        "units": [registers.pk],
        "low": 20,
        "medium": 0,
        "high": 50,
        "seed": "20260316",
    }
    response = client.post(reverse("randomchecks:plan-new"), form)
    plan = RandomPlan.objects.get()
    assert response["Location"] == plan.get_absolute_url()
    assert plan.result["by_risk"] == {"low": {"targets": 6, "drawn": 2}, "medium": {"targets": 0, "drawn": 0},
                                      "high": {"targets": 4, "drawn": 2}}  # fmt: skip
    assert DrawnTarget.objects.count() == 4
    client.post(reverse("randomchecks:plan-new"), form)  # the same registers and seed again
    assert RandomPlan.objects.count() == 1
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "20260316" in page and "执法员" in page


def test_the_new_plan_offers_only_departments_with_targets_in_their_register(
    client, people, registers, region
):
    client.force_login(people.office)
    form = client.get(reverse("randomchecks:plan-new")).context["form"]
    assert list(form.fields["units"].queryset) == [registers]  # not 区人社局, whose register is empty
    Target.objects.filter(unit=registers).update(active=False)
    page = client.get(reverse("randomchecks:plan-new")).content.decode()
    assert "区市场监管局" not in page and "请先导入检查对象名录库" in page


def test_beyond_a_select_the_departments_are_named_by_code(client, people, registers, region, monkeypatch):
    # A province's thousands of departments: a text box for their codes, not every one in the page.
    from govwatch.orgs.forms import UnitChoiceField

    monkeypatch.setattr(UnitChoiceField, "SELECT_LIMIT", 0)
    client.force_login(people.office)
    page = client.get(reverse("randomchecks:plan-new")).content.decode()
    assert '<textarea name="units"' in page and "区市场监管局" not in page
    form = {"name": "联合抽查", "low": 20, "medium": 0, "high": 50, "seed": "s1"}
    response = client.post(reverse("randomchecks:plan-new"), {**form, "units": "RS, NOPE"})
    assert response.status_code == 400 and RandomPlan.objects.count() == 0
    assert "没有编码为 RS 的部门，或其检查对象名录库为空" in response.content.decode()
    response = client.post(reverse("randomchecks:plan-new"), {**form, "units": " SC "})
    plan = RandomPlan.objects.get()
    assert response["Location"] == plan.get_absolute_url() and plan.unit == registers


def test_only_the_office_draws(client, people, registers):
    for who in ("supervisor", "market_staff", "leader"):
        client.force_login(getattr(people, who))
        assert client.get(reverse("randomchecks:plan-new")).status_code == 403
    with pytest.raises(PermissionDenied):
        do_draw(people.actor("market_staff"), plan_from_registers([registers], {"low": 10, "high": 10}), "s")


@pytest.fixture
def drawn_plan(people, registers):
    plan, _ = do_draw(
        people.actor("office"), plan_from_registers([registers], {"low": 50, "medium": 0, "high": 100}), "S",
        name="餐饮抽查", source=RandomPlan.Source.REGISTERS, at=at(2026, 3, 2, 9),
    )  # fmt: skip
    return plan


def test_results_are_due_for_publication_20_working_days_after_the_inspection(people, drawn_plan):
    staff = people.actor("market_staff")
    first, second = [d for d in drawn_plan.drawn.all() if not d.unstaffed][:2]
    do_record_result(staff, first, "no_problem", "", date(2026, 3, 10), at=at(2026, 3, 10, 17))
    do_record_result(
        staff, second, "rectify", "后厨卫生不达标，已责令整改", date(2026, 3, 12), at=at(2026, 3, 12, 17)
    )
    drawn_plan.refresh_from_db()
    assert publish_deadline(date(2026, 3, 10)) == date(
        2026, 4, 8
    )  # Qingming (4 to 6 April 2026) is not counted
    assert drawn_plan.publish_due == date(2026, 4, 8)
    assert not drawn_plan.publication_late(date(2026, 4, 8)) and drawn_plan.publication_late(date(2026, 4, 9))
    assert do_publish_results(people.actor("office"), drawn_plan, at=at(2026, 4, 1)) == 2
    drawn_plan.refresh_from_db()
    assert drawn_plan.publish_due is None
    with pytest.raises(RandomCheckError, match="已公示"):
        do_record_result(staff, first, "penalty", "改判", date(2026, 3, 10), at=at(2026, 4, 2))


@pytest.mark.parametrize(
    ("outcome", "findings", "day", "message"),
    [
        ("rectify", "", date(2026, 3, 10), "检查情况"),
        ("no_problem", "", date(2026, 3, 1), "早于抽取日期"),
        ("no_problem", "", date(2026, 3, 20), "晚于今天"),
        ("whatever", "", date(2026, 3, 10), "检查结果"),
    ],
)
def test_a_bad_result_is_refused(people, drawn_plan, outcome, findings, day, message):
    target = drawn_plan.drawn.filter(unstaffed=False).first()
    with pytest.raises(RandomCheckError, match=message):
        do_record_result(people.actor("market_staff"), target, outcome, findings, day, at=at(2026, 3, 12))


def test_another_department_may_not_enter_a_result(client, people, drawn_plan):
    target = drawn_plan.drawn.filter(unstaffed=False).first()
    with pytest.raises(PermissionDenied):
        do_record_result(
            people.actor("social_staff"), target, "no_problem", "", date(2026, 3, 10), at=at(2026, 3, 12)
        )
    client.force_login(people.social_staff)
    assert client.get(reverse("randomchecks:result", args=[target.pk])).status_code == 404
    assert client.get(drawn_plan.get_absolute_url()).status_code == 404


def test_the_public_page_publishes_the_draw_the_seed_and_only_published_results(client, people, drawn_plan):
    staff = people.actor("market_staff")
    first, second = drawn_plan.drawn.filter(unstaffed=False)[:2]
    do_record_result(staff, first, "rectify", "消防通道堵塞", date(2026, 3, 10), at=at(2026, 3, 10, 17))
    page = client.get(reverse("random-public:detail", args=[drawn_plan.pk])).content.decode()
    assert "S" in page and drawn_plan.digest in page and first.name in page
    assert "消防通道堵塞" not in page  # entered, not yet published
    do_publish_results(people.actor("office"), drawn_plan, at=at(2026, 3, 11))
    page = client.get(reverse("random-public:detail", args=[drawn_plan.pk])).content.decode()
    assert "消防通道堵塞" in page and "发现问题，责令整改" in page
    plan_file = client.get(reverse("random-public:plan-file", args=[drawn_plan.pk]))
    assert plan_file.json() == drawn_plan.plan
    later, _ = do_draw(
        people.actor("office"), plan_from_registers([drawn_plan.unit], {"low": 10, "medium": 0, "high": 10}), "S2",
        name="第二次抽查", at=at(2026, 3, 20, 9),
    )  # fmt: skip
    listing = client.get(reverse("random-public:list")).content.decode()
    assert listing.index(later.number) < listing.index(drawn_plan.number)  # newest first


def test_the_list_shows_coverage_and_late_publication(client, people, drawn_plan):
    staff = people.actor("market_staff")
    target = drawn_plan.drawn.filter(unstaffed=False).first()
    do_record_result(staff, target, "no_problem", "", date(2026, 3, 10), at=at(2026, 3, 10, 17))
    client.force_login(people.supervisor)
    page = client.get(reverse("randomchecks:list"), {"year": "2026"}).content.decode()
    in_plan = drawn_plan.drawn.filter(unstaffed=False).count()
    assert f"{100 / in_plan:.1f}%" in page  # coverage: inspected / in plan
    # Inspected on 10 March, unpublished by 8 April: late today.
    assert "超过 20 个工作日未公示" in page and drawn_plan.number in page
