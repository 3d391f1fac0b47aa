"""我的待办 of the rectification area: each role finds what waits for it, with the navigation's count."""

from __future__ import annotations

from govwatch.hallchecks.todo import waiting as hall_waiting
from govwatch.rectification import actions
from govwatch.rectification.todo import waiting

from .conftest import PDF, at, signed_in


def shown(user, moment) -> dict[str, tuple[int, str]]:
    return {g.label: (g.count, g.url) for g in waiting(user, moment)}


def test_the_unit_sees_its_overdue_problems_and_the_approver_the_requests(problems, people):
    now = at(2026, 3, 10)
    mine = shown(people.market_staff, now)
    assert mine["整改已逾期的问题"] == (1, "/rectification/?state=overdue")
    assert shown(people.supervisor, now) == {}
    assert shown(people.social_staff, now).get("整改已逾期的问题") is None  # not their unit's

    actions.do_submit(people.actor("market_staff"), problems["1"], "完成", (PDF,), at=now)

    assert shown(people.supervisor, now) == {"待销号审核的整改问题": (1, "/rectification/?state=submitted")}
    assert shown(people.office, now) == {}  # an inspection list is not the office's to approve
    assert hall_waiting(people.market_staff, now) == []
    group = waiting(people.supervisor, now)[0]
    assert group.shown()[0].url == problems["1"].get_absolute_url()


def test_a_problem_sent_back_waits_for_more_evidence(problems, people):
    now = at(2026, 3, 4)
    problem = actions.do_submit(people.actor("market_staff"), problems["1"], "完成", (PDF,), at=now)
    actions.do_send_back(people.actor("supervisor"), problem, "佐证不足", at=at(2026, 3, 4, 11))

    assert shown(people.market_staff, at(2026, 3, 4, 12))["被退回、待补充佐证材料的问题"] == (
        1, "/rectification/?state=returned",
    )  # fmt: skip
    page = signed_in(people.market_staff).get("/rectification/?state=returned").content.decode()
    assert problems["1"].description[:10] in page


def test_the_navigation_counts_what_waits(problems, people):
    actions.do_submit(people.actor("market_staff"), problems["1"], "完成", (PDF,), at=at(2026, 3, 4))

    page = signed_in(people.supervisor).get("/").content.decode()

    assert 'href="/rectification/"' in page and "整改清单（1 项待办）" in page
