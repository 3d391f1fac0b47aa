"""我的待办 of complaint handling and the clue register: each role sees what waits for it, only within
its scope, with the working days left, and the 投诉 navigation entry counts it."""

from __future__ import annotations

from datetime import date

from govwatch.audit.log import Actor
from govwatch.clues import handling as clues
from govwatch.clues import todo as clue_todo
from govwatch.complaints import todo
from govwatch.complaints.models import SamplingPlan
from govwatch.complaints.sampling import do_create_plan, do_draw

from .conftest import PHONE, at, handled

NOW = at(2026, 3, 9, 10)  # Monday


def groups(user, module=todo):
    return {g.key: g for g in module.waiting(user, NOW)}


def test_the_office_triages_and_calls_back_with_the_days_left(receive, region, people):
    untriaged = receive(at(2026, 3, 6, 10), kind="consult")  # due Tuesday 10 March
    replied = receive(at(2026, 3, 2, 10), kind="consult", unit=region["market"])  # due Wednesday 4 March
    handled(people, replied, at(2026, 3, 3, 10), until="replied")
    office = groups(people.office)
    assert set(office) == {"complaints.received", "complaints.replied"}  # nothing called back yet
    triage = office["complaints.received"]
    assert (triage.count, triage.url, triage.tone) == (1, "/complaints/?status=received", "")
    [item] = triage.shown()
    assert (item.url, item.due_date, item.days_left) == (untriaged.get_absolute_url(), date(2026, 3, 10), 1)
    callback = office["complaints.replied"]
    [item] = callback.shown()
    assert (callback.count, callback.tone, item.overdue, item.late_days) == (1, "red", True, 3)


def test_a_units_staff_see_their_own_complaints_to_investigate_and_answer(receive, region, people):
    mine = receive(at(2026, 3, 6, 10), unit=region["market"])  # a complaint: 15 working days
    receive(at(2026, 3, 6, 10), unit=region["social"])
    market = groups(people.market_staff)
    assert set(market) == {"complaints.assigned"}
    [item] = market["complaints.assigned"].shown()
    assert (item.url, item.days_left, item.note) == (mine.get_absolute_url(), 14, "区市场监管局")
    assert groups(people.social_staff)["complaints.assigned"].count == 1
    assert groups(people.leader) == {}


def test_the_supervisors_see_the_calls_of_a_drawn_sample_and_the_clues_to_assess(receive, region, people):
    supervisor = people.actor("supervisor")
    complaint = receive(at(2026, 3, 2, 10), kind="consult", unit=region["market"], contact=PHONE)
    handled(people, complaint, at(2026, 3, 3, 10))
    plan = do_create_plan(
        supervisor, name="三月回访抽查", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), evaluation_share=0,
        complaint_share=1, minimum=1, seed=7,
    )  # fmt: skip
    assert "complaints.sample-calls" not in groups(people.supervisor)  # a draft has nothing to call
    do_draw(supervisor, plan)
    calls = groups(people.supervisor)["complaints.sample-calls"]
    assert (calls.count, [i.url for i in calls.shown()]) == (1, [plan.get_absolute_url()])
    assert SamplingPlan.objects.get().status == "drawn"

    assert clue_todo.waiting(people.supervisor, NOW) == []
    clue = clues.do_register(supervisor, source="complaint", summary="收受购物卡", details="反映收受购物卡",
                             unit=region["market"], complaint=complaint, field="service")  # fmt: skip
    [group] = clue_todo.waiting(people.supervisor, NOW)
    assert (group.key, group.count, group.nav, group.shown()[0].url) == (
        "clues.to-assess", 1, "complaints", clue.get_absolute_url(),
    )  # fmt: skip
    clues.do_assess(supervisor, clue, decision="transfer", text="移送")
    assert [g.key for g in clue_todo.waiting(people.supervisor, NOW)] == ["clues.to-transfer"]
    for name in ("office", "market_staff", "leader"):
        assert clue_todo.waiting(getattr(people, name), NOW) == []
        assert "complaints.sample-calls" not in groups(getattr(people, name))


def test_the_complaints_entry_counts_what_waits(receive, region, people):
    receive(at(2026, 3, 6, 10), kind="consult")
    receive(at(2026, 3, 6, 11), kind="consult")
    clues.receive_public(Actor("public:clue"), summary="招标围标", details="反映招标围标", field="bidding")
    for name, expected in (("office", 2), ("supervisor", 1)):
        page = people.client(name).get("/complaints/").content.decode()
        assert f'aria-label="投诉（{expected} 项待办）"' in page, name
