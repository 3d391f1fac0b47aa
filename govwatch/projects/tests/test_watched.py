"""The areas' deadlines under e-supervision: a milestone one day late is carded red by the scan and
no longer once reached; a reminder letter's reply and a double-random plan's publication are
watched until met; each person's to-do list says what waits for them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.projects import letters
from govwatch.projects.models import KeyProject, Milestone
from govwatch.projects.reporting import do_reach_milestone
from govwatch.projects.watching import LETTER_REPLY, MILESTONE, watch_milestone
from govwatch.randomchecks.models import Inspector, RandomPlan, Target
from govwatch.randomchecks.plans import do_draw, do_publish_results, do_record_result, plan_from_registers
from govwatch.randomchecks.watching import PUBLICATION
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import watch_of
from govwatch.web.todo import collect

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def project(region):
    p = KeyProject.objects.create(
        code="XM01", name="智能制造产业园一期", unit=region["market"], leader="王副区长",
        start_date=date(2026, 1, 5), planned_end=date(2026, 12, 31),
    )  # fmt: skip
    m = Milestone.objects.create(project=p, seq=1, name="施工许可", planned_date=date(2026, 3, 16))
    watch_milestone(m, at(2026, 3, 1))
    return p


def test_a_milestone_one_day_late_is_carded_red_and_no_longer_once_reached(project, people):
    milestone = project.milestones.get()
    scan(at(2026, 3, 16, 20))
    assert watch_of(milestone, MILESTONE).card == "yellow"  # due today
    scan(at(2026, 3, 17, 0, 5))
    assert watch_of(milestone, MILESTONE).card == "red"
    do_reach_milestone(people.actor("market_staff"), milestone, date(2026, 3, 17), at=at(2026, 3, 17, 9))
    scan(at(2026, 3, 17, 10))
    watched = watch_of(milestone, MILESTONE)
    assert watched.status == "closed" and watched.card == "none"


def test_a_letters_reply_is_watched_until_the_unit_answers(project, people):
    supervisor = people.actor("supervisor")
    letter = letters.do_issue_letter(
        supervisor, letters.do_draft_letter(supervisor, project, at=at(2026, 3, 20)), at=at(2026, 3, 20)
    )
    watched = watch_of(letter, LETTER_REPLY)
    assert watched.status == "open" and watched.due_date == letter.reply_due
    letters.do_reply_letter(people.actor("market_staff"), letter, "已增加作业面", at=at(2026, 3, 24))
    assert watch_of(letter, LETTER_REPLY).status == "closed"
    letters.do_return_letter(supervisor, letter, "请明确完成时限", at=at(2026, 3, 25))
    assert watch_of(letter, LETTER_REPLY).status == "open"


def test_a_plans_publication_is_watched_until_its_results_are_published(people, region):
    for n in range(3):
        Target.objects.create(target_id=f"T{n}", name=f"店{n}", unit=region["market"], risk="high")
    for n in range(2):
        Inspector.objects.create(inspector_id=f"P{n}", name=f"员{n}", unit=region["market"])
    plan, _ = do_draw(
        people.actor("office"), plan_from_registers([region["market"]], {"low": 0, "medium": 0, "high": 100}), "S",
        source=RandomPlan.Source.REGISTERS, at=at(2026, 3, 2),
    )  # fmt: skip
    target = plan.drawn.first()
    do_record_result(
        people.actor("market_staff"), target, "no_problem", "", date(2026, 3, 10), at=at(2026, 3, 10, 17)
    )
    plan.refresh_from_db()
    assert watch_of(plan, PUBLICATION).due_date == plan.publish_due == date(2026, 4, 8)
    scan(at(2026, 4, 9, 9))
    assert watch_of(plan, PUBLICATION).card == "red"  # a card when late
    do_publish_results(people.actor("office"), plan, at=at(2026, 4, 9, 10))
    assert watch_of(plan, PUBLICATION).status == "closed"


def test_each_person_sees_what_waits_for_them(project, people):
    now = at(2026, 3, 20, 9)
    staff = {g.key: g for g in collect(people.market_staff, now)}
    assert staff["projects.milestones-late"].count == 1
    assert staff["projects.milestones-late"].shown()[0].overdue
    supervisor = {g.key: g for g in collect(people.supervisor, now)}
    assert supervisor["projects.behind-without-letter"].count == 1
    other = {g.key for g in collect(people.social_staff, now)}
    assert not {k for k in other if k.startswith("projects.")}
