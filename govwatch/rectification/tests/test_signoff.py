"""Sign-off (销号) only with evidence and by the list's approver, never the unit; send-back with a
reason; look-back reopening a relapse."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.audit.models import AuditEntry
from govwatch.rectification import actions
from govwatch.rectification.actions import RectificationError
from govwatch.rectification.models import Problem, ProblemStep
from govwatch.rectification.watching import PROBLEM
from govwatch.supervision.watches import watch_of

from .conftest import PDF, at


def submitted(problem, people, files=(PDF,)):
    return actions.do_submit(people.actor("market_staff"), problem, "已整改完毕", files, at=at(2026, 3, 4))


def test_asking_for_sign_off_without_evidence_is_refused(problems, people):
    with pytest.raises(RectificationError, match="佐证材料"):
        actions.do_submit(people.actor("market_staff"), problems["1"], "已整改", (), at=at(2026, 3, 4))
    assert Problem.objects.get(no="1").status == "open"


def test_sign_off_is_refused_when_the_request_carries_no_evidence(problems, people):
    problem = submitted(problems["1"], people)
    problem.steps.get(kind="submitted").attachments.all().delete()

    with pytest.raises(RectificationError, match="没有整改佐证材料"):
        actions.do_sign_off(people.actor("supervisor"), problem, at=at(2026, 3, 5))


def test_the_responsible_unit_cannot_sign_off_its_own_problem(problems, people):
    problem = submitted(problems["1"], people)
    with pytest.raises(PermissionDenied):
        actions.do_sign_off(people.actor("market_staff"), problem)
    # Not even a supervisor stationed inside that unit.
    with pytest.raises(PermissionDenied, match="责任单位不能为本单位的问题销号"):
        actions.do_sign_off(people.actor("market_supervisor"), problem)


def test_the_wrong_role_cannot_sign_off(problems, people):
    problem = submitted(problems["1"], people)
    # An inspection list is signed off by the supervisors, not the office nor a leader.
    for name in ("office", "leader"):
        with pytest.raises(PermissionDenied, match="纪检监察审核销号"):
            actions.do_sign_off(people.actor(name), problem)
    assert Problem.objects.get(pk=problem.pk).status == "submitted"


def test_another_unit_cannot_report_progress_or_ask_for_sign_off(problems, people):
    with pytest.raises(PermissionDenied):
        actions.do_report_progress(people.actor("social_staff"), problems["1"], "代为报告")
    with pytest.raises(PermissionDenied):
        actions.do_submit(people.actor("social_staff"), problems["1"], "代为申请", (PDF,))


def test_an_executable_is_not_evidence(problems, people):
    with pytest.raises(RectificationError, match="文件类型不能上传"):
        actions.do_submit(people.actor("market_staff"), problems["1"], "见附件", (("说明.html", b"<html>"),))
    with pytest.raises(RectificationError, match="内容不是 PDF"):
        actions.do_submit(people.actor("market_staff"), problems["1"], "见附件", (("报告.pdf", b"<html>"),))
    with pytest.raises(RectificationError, match="可执行程序或脚本"):
        actions.do_submit(
            people.actor("market_staff"), problems["1"], "见附件", (("报告.pdf", b"MZ\x90\x00"),)
        )


def test_the_approver_signs_off_with_evidence_and_a_look_back_is_scheduled(problems, people):
    problem = submitted(problems["1"], people)

    problem = actions.do_sign_off(people.actor("supervisor"), problem, "佐证充分", at=at(2026, 3, 5))

    assert problem.status == "signed_off"
    assert problem.lookback_due == date(2026, 6, 5)  # three months, the list's default
    assert watch_of(problem, PROBLEM).status == "closed"  # no card, no order any more
    assert AuditEntry.objects.filter(action="rectification_problem.sign_off", user=people.supervisor).exists()


def test_an_openness_list_is_signed_off_by_the_office(region, import_list, people):
    import_list(
        [
            [
                "GK1",
                "2022年度第四季度问题清单",
                "政务公开",
                "2023-03-29",
                "1",
                "",
                "栏目更新不及时",
                "",
                "SC",
                "2023-04-30",
                "",
            ]
        ]
    )
    problem = Problem.objects.get(rlist__code="GK1")
    actions.do_submit(people.actor("market_staff"), problem, "已更新", (PDF,), at=at(2023, 4, 10))

    with pytest.raises(PermissionDenied):
        actions.do_sign_off(people.actor("supervisor"), problem)
    assert actions.do_sign_off(people.actor("office"), problem, at=at(2023, 4, 11)).status == "signed_off"


def test_sending_back_needs_a_reason_and_returns_the_problem_to_the_unit(problems, people):
    problem = submitted(problems["1"], people)
    with pytest.raises(RectificationError, match="说明理由"):
        actions.do_send_back(people.actor("supervisor"), problem, "  ")

    problem = actions.do_send_back(
        people.actor("supervisor"), problem, "照片不能证明整改到位", at=at(2026, 3, 5)
    )

    assert problem.status == "open"
    step = problem.steps.get(kind="returned")
    assert step.text == "照片不能证明整改到位"


def test_a_relapse_at_look_back_reopens_the_problem_with_a_new_deadline(problems, people):
    problem = actions.do_sign_off(
        people.actor("supervisor"), submitted(problems["1"], people), at=at(2026, 3, 5)
    )
    with pytest.raises(RectificationError, match="重新确定整改时限"):
        actions.do_look_back(
            people.actor("supervisor"), problem, held=False, note="又出现", at=at(2026, 6, 5)
        )

    problem = actions.do_look_back(
        people.actor("supervisor"), problem, held=False, note="回头看发现考勤问题反弹", new_deadline=date(2026, 6, 30),
        at=at(2026, 6, 5),
    )  # fmt: skip

    assert (problem.status, problem.deadline, problem.reopen_count) == ("reopened", date(2026, 6, 30), 1)
    assert problem.lookback_due is None
    assert (watch_of(problem, PROBLEM).status, watch_of(problem, PROBLEM).due_date) == (
        "open",
        date(2026, 6, 30),
    )
    # Rectified again: submitted, sent back to "reopened", not "open".
    problem = actions.do_submit(people.actor("market_staff"), problem, "再次整改", (PDF,), at=at(2026, 6, 20))
    problem = actions.do_send_back(people.actor("supervisor"), problem, "仍不到位", at=at(2026, 6, 21))
    assert problem.status == "reopened"


def test_a_look_back_that_holds_ends_the_look_back(problems, people):
    problem = actions.do_sign_off(
        people.actor("supervisor"), submitted(problems["1"], people), at=at(2026, 3, 5)
    )

    problem = actions.do_look_back(
        people.actor("supervisor"), problem, held=True, note="整改成效巩固", at=at(2026, 6, 5)
    )

    assert problem.status == "signed_off" and problem.lookback_due is None
    assert problem.steps.filter(kind=ProblemStep.Kind.LOOKBACK_HELD).exists()


def test_the_look_back_interval_is_set_per_list(problems, people):
    rlist = problems["1"].rlist
    actions.do_set_list(
        people.actor("supervisor"), rlist, lookback_months=6, approver_role="supervisor", owner=None
    )

    problem = actions.do_sign_off(
        people.actor("supervisor"), submitted(Problem.objects.get(no="1"), people), at=at(2026, 3, 5)
    )

    assert problem.lookback_due == date(2026, 9, 5)
    with pytest.raises(PermissionDenied):
        actions.do_set_list(
            people.actor("market_staff"), rlist, lookback_months=1, approver_role="office", owner=None
        )
