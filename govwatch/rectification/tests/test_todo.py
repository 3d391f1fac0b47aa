"""我的待办 of the rectification area: each role finds what waits for it."""

from __future__ import annotations

from govwatch.hallchecks.todo import todo_items as hall_todo
from govwatch.rectification import actions
from govwatch.rectification.todo import todo_items

from .conftest import PDF, at


def test_the_unit_sees_its_overdue_problems_and_the_approver_the_requests(problems, people):
    assert ("整改已逾期的问题", 1, "/rectification/?state=overdue") in todo_items(people.market_staff)
    assert todo_items(people.supervisor) == []

    actions.do_submit(people.actor("market_staff"), problems["1"], "完成", (PDF,), at=at(2026, 3, 4))

    assert todo_items(people.supervisor) == [("待销号审核", 1, "/rectification/?state=submitted")]
    assert todo_items(people.office) == []  # an inspection list is not the office's to approve
    assert hall_todo(people.market_staff) == []
