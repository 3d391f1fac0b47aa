"""`govwatch rectification list --at`: statuses at the deadline's last moment and the next, and
the working days of due_within_3."""

from __future__ import annotations

import json
from datetime import date

from govwatch.cli import main
from govwatch.rectification import actions
from govwatch.rectification.figures import list_items

from .conftest import PDF, at


def item(doc, no):
    return next(i for i in doc["items"] if i["no"] == no)


def test_open_until_the_last_moment_of_the_deadline_then_overdue(problems):
    # Problem 1 is due Thursday 5 March 2026.
    last = list_items("XC1", at(2026, 3, 5, 23, 59, 59, 999999))
    nxt = list_items("XC1", at(2026, 3, 6, 0, 0, 0))

    assert item(last, "1") == {"list_code": "XC1", "no": "1", "unit_code": "SC", "deadline": "2026-03-05",
                               "status": "open", "due_within_3": True}  # fmt: skip
    assert item(nxt, "1")["status"] == "overdue" and item(nxt, "1")["due_within_3"] is False


def test_due_within_3_counts_working_days_after_today(problems):
    # Due Thursday 5 March: Monday 2 March has 3 working days left (3, 4, 5); Friday 27 Feb has 4.
    assert item(list_items("XC1", at(2026, 3, 2)), "1")["due_within_3"] is True
    assert item(list_items("XC1", at(2026, 2, 27)), "1")["due_within_3"] is False


def test_signed_off_then_reopened_as_the_timeline_says(problems, people):
    problem = actions.do_submit(
        people.actor("market_staff"), problems["1"], "完成", (PDF,), at=at(2026, 3, 4)
    )
    problem = actions.do_sign_off(people.actor("supervisor"), problem, at=at(2026, 3, 5, 9))
    actions.do_look_back(people.actor("supervisor"), problem, held=False, note="反弹", new_deadline=date(2026, 6, 30),
                         at=at(2026, 6, 5))  # fmt: skip

    assert item(list_items("XC1", at(2026, 3, 5, 8)), "1")["status"] == "open"
    assert item(list_items("XC1", at(2026, 3, 6)), "1")["status"] == "signed_off"
    reopened = item(list_items("XC1", at(2026, 6, 6)), "1")
    assert (reopened["status"], reopened["deadline"]) == ("reopened", "2026-06-30")
    assert item(list_items("XC1", at(2026, 7, 1)), "1")["status"] == "overdue"


def test_the_command_prints_one_json_document(problems, capsys):
    assert (
        main(["rectification", "list", "--list", "XC1", "--at", "2026-03-06T00:00:00", "--format", "json"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert [i["status"] for i in doc["items"]] == ["overdue", "open"]


def test_an_unknown_list_exits_2(problems, capsys):
    assert main(["rectification", "list", "--list", "NOPE"]) == 2
    assert "不存在" in capsys.readouterr().err
