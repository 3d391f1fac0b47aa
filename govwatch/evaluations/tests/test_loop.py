"""The closed loop of a negative review: opened at intake, each step by its role and in order,
appeals decided by the office, and what the citizen is told."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.audit.log import Actor
from govwatch.audit.models import AuditEntry
from govwatch.evaluations import rectification as loop
from govwatch.evaluations.models import Evaluation, RectificationTask, TaskStep
from govwatch.evaluations.rectification import LoopError, open_tasks_for_imported, public_outcome

from .conftest import PHONE, at, write_csv

Status = RectificationTask.Status


def test_a_negative_evaluation_opens_exactly_one_task_for_its_unit(negative, region):
    assert RectificationTask.objects.count() == 1
    assert negative.unit == region["market"] and negative.status == Status.OPEN
    assert negative.opened_at == at(2026, 3, 6, 10)
    assert list(negative.steps.values_list("kind", flat=True)) == ["opened"]
    assert AuditEntry.objects.filter(action="rectification.open", target_id=str(negative.pk)).count() == 1


def test_the_task_is_opened_in_the_same_transaction_as_the_evaluation(completed, submit, settings):
    """A task that cannot be opened takes its evaluation with it: here its callback deadline
    would fall beyond the last day of the working-day calendar."""
    from govwatch.workcal.calendar import OutOfCalendar

    case = completed("C1", at(2026, 3, 2, 9))
    settings.NEGATIVE_CALLBACK_WORKDAYS = 60_000
    with pytest.raises(OutOfCalendar):
        submit(case, 1, at(2026, 3, 3))
    assert not Evaluation.objects.exists() and not RectificationTask.objects.exists()


def test_levels_that_open_a_task_follow_the_region_setting(completed, submit, settings):
    satisfied_enough = submit(completed("C1", at(2026, 3, 2, 9)), 3, at(2026, 3, 3))
    assert not RectificationTask.objects.filter(evaluation=satisfied_enough).exists()
    settings.NEGATIVE_LEVELS = (1, 2, 3)  # Tianqu supervises "一般" too
    basic = submit(completed("C2", at(2026, 3, 2, 9)), 3, at(2026, 3, 3))
    assert RectificationTask.objects.filter(evaluation=basic).exists()


def test_imported_negative_evaluations_get_their_task_from_the_job_once(completed, tmp_path, region):
    from govwatch.imports.runs import run_import

    completed("C1", at(2026, 3, 2, 9))
    rows = [
        ["V1", "1", "2026-03-03T10:00:00", "C1", "", "0"],
        ["V2", "2", "2026-03-03T11:00:00", "", "RS", "0"],
        ["V3", "5", "2026-03-03T12:00:00", "C1", "", "0"],
        ["V4", "1", "2026-03-03T12:00:00", "C1", "", "1"],  # an auto default: nothing to verify
    ]
    header = ["eval_id", "level", "at", "case_no", "unit_code", "auto"]
    assert run_import("evaluations", write_csv(tmp_path / "v.csv", header, rows)).imported == 4
    assert not RectificationTask.objects.exists()
    assert open_tasks_for_imported(at=at(2026, 3, 6, 10)) == 2
    assert open_tasks_for_imported(at=at(2026, 3, 6, 10, 1)) == 0
    tasks = {t.evaluation.eval_id: t for t in RectificationTask.objects.select_related("evaluation", "unit")}
    assert set(tasks) == {"V1", "V2"}
    assert tasks["V2"].unit == region["social"]
    # Received by the job on Friday 6 March: the deadlines count from then, not from the rating.
    assert tasks["V1"].opened_at == at(2026, 3, 6, 10) and tasks["V1"].verify_due == date(2026, 3, 10)


def test_the_job_registers_with_the_worker():
    from govwatch.core.worker import discover_jobs

    jobs = discover_jobs()
    assert jobs["negative_intake"].every_seconds == 60
    assert jobs["negative_overdue"].every_seconds == 60


def test_the_whole_loop_by_the_roles_allowed(negative, people):
    unit, jw = people.actor("market_staff"), people.actor("supervisor")
    loop.do_verify(unit, negative, substantiated=True, finding="窗口人员未一次性告知材料",
                   files=[("核实记录.pdf", b"%PDF evidence")], at=at(2026, 3, 9))  # fmt: skip
    loop.do_rectify(unit, negative, measures="制作一次性告知单，开展业务培训", at=at(2026, 3, 11))
    loop.do_callback(
        unit, negative, result="satisfied", note="3月12日电话回访，群众表示满意", at=at(2026, 3, 12)
    )
    closed = loop.do_accept(jw, negative, "整改到位", at=at(2026, 3, 13))
    assert closed.status == Status.CLOSED and closed.attention_at is None
    assert list(closed.steps.values_list("kind", flat=True)) == [
        "opened", "verified", "rectified", "called_back", "closed", "fed_back",
    ]  # fmt: skip
    assert closed.attachments.get().file.read() == b"%PDF evidence"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "rectification.verify",
        "rectification.rectify",
        "rectification.callback",
        "rectification.accept",
    } <= actions


@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("supervisor", lambda a, t: loop.do_verify(a, t, substantiated=True, finding="核实")),
        ("office", lambda a, t: loop.do_verify(a, t, substantiated=True, finding="核实")),
        ("leader", lambda a, t: loop.do_appeal(a, t, "恶意评价")),
        ("social_staff", lambda a, t: loop.do_verify(a, t, substantiated=True, finding="核实")),
        ("social_staff", lambda a, t: loop.do_appeal(a, t, "恶意评价")),
        ("market_staff", lambda a, t: loop.do_accept(a, t)),
        ("office", lambda a, t: loop.do_send_back(a, t, "不到位")),
        ("supervisor", lambda a, t: loop.do_decide_appeal(a, t, upheld=True, comment="成立")),
        ("market_staff", lambda a, t: loop.do_decide_appeal(a, t, upheld=True, comment="成立")),
    ],
)
def test_each_step_is_refused_to_the_other_roles(negative, people, name, step):
    with pytest.raises(PermissionDenied):
        step(people.actor(name), negative)
    negative.refresh_from_db()
    assert negative.status == Status.OPEN and negative.steps.count() == 1


def test_steps_out_of_order_are_refused_in_chinese(negative, people):
    unit, jw = people.actor("market_staff"), people.actor("supervisor")
    with pytest.raises(LoopError, match="该差评整改待核实，不能登记整改措施"):
        loop.do_rectify(unit, negative, measures="措施")
    with pytest.raises(LoopError, match="该差评整改待核实，不能审核办结"):
        loop.do_accept(jw, negative)
    loop.do_verify(unit, negative, substantiated=True, finding="属实", at=at(2026, 3, 9))
    with pytest.raises(LoopError, match="核实属实的差评须先整改，再回访"):
        loop.do_callback(unit, negative, result="satisfied", note="已回访")
    with pytest.raises(LoopError, match="该差评整改待整改，不能登记核实情况"):
        loop.do_verify(unit, negative, substantiated=False, finding="再次核实")
    with pytest.raises(LoopError, match="请填写整改措施"):
        loop.do_rectify(unit, negative, measures="  ")


def test_an_unsubstantiated_review_is_explained_on_the_callback_without_measures(negative, people):
    unit = people.actor("market_staff")
    loop.do_verify(unit, negative, substantiated=False, finding="调取监控，窗口按时到岗", at=at(2026, 3, 9))
    task = loop.do_callback(unit, negative, result="unreachable", note="3月10日两次致电未接通，已短信说明",
                            at=at(2026, 3, 10))  # fmt: skip
    assert task.status == Status.CALLED_BACK and task.rectified_at is None


def test_a_send_back_needs_a_reason_and_gives_new_deadlines(negative, people):
    unit, jw = people.actor("market_staff"), people.actor("supervisor")
    loop.do_verify(unit, negative, substantiated=True, finding="属实", at=at(2026, 3, 9))
    loop.do_rectify(unit, negative, measures="培训", at=at(2026, 3, 10))
    loop.do_callback(unit, negative, result="dissatisfied", note="群众仍不满意", at=at(2026, 3, 11))
    with pytest.raises(LoopError, match="退回时请说明理由"):
        loop.do_send_back(jw, negative, " ")
    back = loop.do_send_back(jw, negative, "整改措施未针对多次跑动问题", at=at(2026, 3, 12))  # Thursday
    assert back.status == Status.RETURNED and back.returned_count == 1
    assert back.rectify_due == date(2026, 3, 17) and back.callback_due == date(2026, 3, 19)
    loop.do_rectify(unit, back, measures="推行一次告知、容缺受理", at=at(2026, 3, 16))
    loop.do_callback(unit, back, result="satisfied", note="再次回访满意", at=at(2026, 3, 17))
    assert loop.do_accept(jw, back, at=at(2026, 3, 18)).status == Status.CLOSED


def test_an_upheld_appeal_marks_the_evaluation_and_ends_the_task_audited(negative, people):
    loop.do_appeal(people.actor("market_staff"), negative, "评价人并非本件申请人，系恶意评价",
                   files=[("说明.pdf", b"%PDF")], at=at(2026, 3, 9))  # fmt: skip
    negative.refresh_from_db()
    assert negative.status == Status.APPEALING and negative.attention_at is None
    with pytest.raises(LoopError, match="请填写复核意见"):
        loop.do_decide_appeal(people.actor("office"), negative, upheld=True, comment="")
    task = loop.do_decide_appeal(people.actor("office"), negative, upheld=True, comment="经查属实，申诉成立",
                                 at=at(2026, 3, 10))  # fmt: skip
    assert task.status == Status.APPEAL_UPHELD and task.appeal_decision == "upheld"
    assert Evaluation.objects.get(pk=task.evaluation_id).appeal_upheld
    entry = AuditEntry.objects.get(action="rectification.appeal_upheld")
    assert entry.actor == "user:office" and entry.after["decision"] == "upheld"
    assert public_outcome(task.evaluation)["finished"] is True


def test_a_rejected_appeal_resumes_the_loop_with_deadlines_later_by_the_days_it_took(negative, people):
    unit = people.actor("market_staff")
    loop.do_appeal(unit, negative, "群众诉求不合理", at=at(2026, 3, 9))  # Monday, verify due Tuesday 10
    task = loop.do_decide_appeal(
        people.actor("office"), negative, upheld=False, comment="理由不成立", at=at(2026, 3, 11)
    )  # two working days later
    assert task.status == Status.OPEN and not task.evaluation.appeal_upheld
    assert (task.verify_due, task.rectify_due, task.callback_due) == (
        date(2026, 3, 12), date(2026, 3, 17), date(2026, 3, 19),
    )  # fmt: skip
    assert AuditEntry.objects.filter(action="rectification.appeal_rejected").count() == 1
    with pytest.raises(LoopError, match="已申诉并已复核，不能再次申诉"):
        loop.do_appeal(unit, task, "再次申诉")
    with pytest.raises(LoopError, match="没有待复核的申诉"):
        loop.do_decide_appeal(people.actor("office"), task, upheld=True, comment="成立")


def test_system_actors_are_not_checked_for_roles(negative):
    task = loop.do_verify(Actor("cli:admin"), negative, substantiated=True, finding="属实", at=at(2026, 3, 9))
    assert task.status == Status.VERIFIED


def test_the_citizen_reads_plain_words_and_the_measures_once_rectified(negative, people):
    unit = people.actor("market_staff")
    evaluation = negative.evaluation
    assert public_outcome(evaluation)["text"] == "您反映的问题已转交办理单位，正在核实"
    loop.do_verify(unit, negative, substantiated=True, finding="经办人张三未一次告知", at=at(2026, 3, 9))
    outcome = public_outcome(evaluation)
    assert outcome["text"] == "问题经核实属实，办理单位正在整改" and outcome["measures"] == ""
    loop.do_rectify(unit, negative, measures="制作一次性告知单", at=at(2026, 3, 10, 15))
    outcome = public_outcome(evaluation)
    assert outcome["status"] == "rectified" and outcome["measures"] == "制作一次性告知单"
    assert outcome["updated_at"] == "2026-03-10T15:00:00+08:00"
    assert "张三" not in str(outcome) and "shichang" not in str(outcome) and PHONE not in str(outcome)


def test_a_satisfied_citizen_is_thanked(completed, submit):
    evaluation = submit(completed("C1", at(2026, 3, 2, 9)), 5, at(2026, 3, 3))
    assert public_outcome(evaluation) == {
        "status": "received", "text": "感谢您的评价，我们将持续改进服务", "measures": "", "finished": True,
        "updated_at": "2026-03-03T10:00:00+08:00",
    }  # fmt: skip


def test_timeline_steps_are_ordered(negative):
    assert TaskStep.objects.filter(task=negative).first().kind == "opened"


def test_the_citizen_is_told_the_result_by_sms_once_the_supervisors_accept_it(negative, people):
    from govwatch.supervision.models import Notification

    unit, jw = people.actor("market_staff"), people.actor("supervisor")
    loop.do_verify(unit, negative, substantiated=True, finding="未一次性告知", at=at(2026, 3, 9))
    loop.do_rectify(unit, negative, measures="制作一次性告知单，开展业务培训", at=at(2026, 3, 11))
    loop.do_callback(unit, negative, result="satisfied", note="电话回访", at=at(2026, 3, 12))
    assert not Notification.objects.filter(kind="result").exists()  # not before the review
    loop.do_accept(jw, negative, "整改到位", at=at(2026, 3, 13, 22))
    sms = Notification.objects.get(kind="result")
    assert sms.recipient_masked == PHONE[:3] + "****" + PHONE[-4:] and PHONE not in sms.text
    assert "制作一次性告知单" in sms.text and "区市场监管局" in sms.text
    # Accepted at 22:00: the citizen is texted from 8:00, never at night.
    assert sms.next_attempt_at == at(2026, 3, 14, 8)
    assert negative.steps.get(kind="fed_back").text.startswith("办理结果已短信反馈评价人")


def test_an_anonymous_reviewer_gets_the_result_on_the_public_page_and_the_timeline_says_so(
    completed, submit, people
):
    from govwatch.supervision.models import Notification

    task = submit(completed("SC-9", at(2026, 3, 2, 9)), 2, at(2026, 3, 6, 10), tags=["slow"]).task
    unit = people.actor("market_staff")
    loop.do_verify(unit, task, substantiated=False, finding="系统排队所致", at=at(2026, 3, 9))
    loop.do_callback(unit, task, result="unreachable", note="匿名评价", at=at(2026, 3, 10))
    loop.do_accept(people.actor("supervisor"), task, at=at(2026, 3, 11))
    assert not Notification.objects.filter(kind="result").exists()
    assert task.steps.get(kind="fed_back").text == "评价人未留手机号，办理结果已在评价查询页公布"
