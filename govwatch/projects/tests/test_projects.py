"""Key projects: when a project is behind plan, monthly reports with photos, and the reminder
letter from draft to its answer — each step checking who acts."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from govwatch.audit.models import AuditEntry
from govwatch.projects import letters
from govwatch.projects.documents import letter_docx
from govwatch.projects.models import KeyProject, Milestone, ProgressReport, ProjectLetter
from govwatch.projects.progress import State, planned_progress, state_on
from govwatch.projects.reporting import ProjectError, do_reach_milestone, do_report_progress
from govwatch.supervision.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def project(region):
    p = KeyProject.objects.create(
        code="XM01", name="智能制造产业园一期", unit=region["market"], leader="王副区长",
        start_date=date(2026, 1, 1), planned_end=date(2026, 12, 31),
    )  # fmt: skip
    Milestone.objects.create(
        project=p, seq=1, name="施工许可", planned_date=date(2026, 3, 16), planned_percent=20
    )
    Milestone.objects.create(
        project=p, seq=2, name="主体封顶", planned_date=date(2026, 8, 31), planned_percent=70
    )
    return p


def test_a_milestone_one_day_late_puts_the_project_behind_plan(project):
    assert state_on(project, date(2026, 3, 16)).code == State.ON_TRACK  # due by the end of its day
    late = state_on(project, date(2026, 3, 17))
    assert late.code == State.BEHIND and [m.name for m in late.overdue] == ["施工许可"]
    assert late.reasons == ["节点“施工许可”计划于2026年3月16日完成，已逾期1天"]


def test_a_milestone_reached_on_time_or_late_no_longer_flags_the_project(project, people):
    m = project.milestones.get(seq=1)
    do_reach_milestone(people.actor("market_staff"), m, date(2026, 3, 18), at=at(2026, 3, 18, 10))
    assert state_on(project, date(2026, 3, 20)).code == State.ON_TRACK


def test_the_planned_curve_runs_through_the_milestones_percentages(project):
    milestones = list(project.milestones.all())
    assert planned_progress(project, milestones, date(2025, 12, 1)) == 0
    assert planned_progress(project, milestones, date(2026, 3, 16)) == 20
    assert planned_progress(project, milestones, date(2026, 8, 31)) == 70
    assert planned_progress(project, milestones, date(2026, 12, 31)) == 100
    assert 20 < planned_progress(project, milestones, date(2026, 6, 1)) < 70


def test_reported_progress_behind_plan_by_the_margin_flags_the_project(project, people, settings):
    settings.PROJECT_LAG_MARGIN = 10
    project.milestones.filter(seq=1).update(actual_date=date(2026, 3, 10))
    staff = people.actor("market_staff")
    # At the end of April the plan stands at 20 + 50 × 45/168 ≈ 33 %.
    do_report_progress(staff, project, date(2026, 4, 1), 24, "桩基施工", at=at(2026, 4, 30, 9))
    assert state_on(project, date(2026, 5, 6)).code == State.ON_TRACK  # 9 points behind: within the margin
    do_report_progress(staff, project, date(2026, 4, 1), 23, "桩基施工（更正）", at=at(2026, 4, 30, 10))
    behind = state_on(project, date(2026, 5, 6))
    assert behind.code == State.BEHIND and behind.lag == 10
    assert "2026年4月月报累计完成进度23%，低于计划进度33%，滞后10个百分点" in behind.reasons
    assert ProgressReport.objects.count() == 1  # the correction replaced the month's report


def test_a_report_keeps_its_photos_and_refuses_what_is_not_one(project, people):
    staff = people.actor("market_staff")
    report = do_report_progress(
        staff, project, date(2026, 3, 1), 15, "完成场平", photos=[("现场.png", PNG)], at=at(2026, 3, 31, 9)
    )
    assert [p.name for p in report.photos.all()] == ["现场.png"]
    with pytest.raises(ProjectError, match="不是照片"):
        do_report_progress(
            staff, project, date(2026, 3, 1), 15, "x", photos=[("进度.pdf", b"%PDF-1.4")], at=at(2026, 3, 31)
        )
    with pytest.raises(ProjectError, match="内容不是 PNG"):
        do_report_progress(
            staff,
            project,
            date(2026, 3, 1),
            15,
            "x",
            photos=[("假.png", b"GIF89a" + b"\0" * 8)],
            at=at(2026, 3, 31),
        )
    assert report.photos.count() == 1


@pytest.mark.parametrize(
    ("month", "percent", "text", "message"),
    [
        (date(2026, 5, 1), 30, "提前填报", "以后月份"),
        (date(2026, 4, 1), 101, "进度", "0 到 100"),
        (date(2026, 4, 1), 30, "  ", "本月进展"),
        (date(2026, 4, 1), 5, "进度倒退", "不能低于"),
    ],
)
def test_a_bad_report_is_refused_in_words_and_nothing_is_kept(project, people, month, percent, text, message):
    staff = people.actor("market_staff")
    do_report_progress(staff, project, date(2026, 3, 1), 10, "场平", at=at(2026, 4, 2))
    with pytest.raises(ProjectError, match=message):
        do_report_progress(staff, project, month, percent, text, at=at(2026, 4, 20))
    assert ProgressReport.objects.count() == 1


def test_only_the_owner_unit_reports_and_reaches_milestones(project, people):
    m = project.milestones.get(seq=1)
    for who in ("social_staff", "leader", "supervisor"):
        with pytest.raises(PermissionDenied):
            do_report_progress(people.actor(who), project, date(2026, 3, 1), 10, "x", at=at(2026, 3, 31))
        with pytest.raises(PermissionDenied):
            do_reach_milestone(people.actor(who), m, date(2026, 3, 10), at=at(2026, 3, 31))
    with pytest.raises(ProjectError, match="不能晚于今天"):
        do_reach_milestone(people.actor("market_staff"), m, date(2026, 4, 1), at=at(2026, 3, 31))


def test_a_reminder_letter_from_draft_to_answer(project, people):
    supervisor, staff = people.actor("supervisor"), people.actor("market_staff")
    letter = letters.do_draft_letter(supervisor, project, at=at(2026, 3, 20, 9))
    assert "节点“施工许可”计划于2026年3月16日完成，已逾期4天" in letter.body
    assert letter.status == ProjectLetter.Status.DRAFT and letter.number is None
    letter = letters.do_issue_letter(supervisor, letter, at=at(2026, 3, 20, 10))
    assert letter.number == "项目提醒〔2026〕第0001号" and letter.reply_due == date(2026, 3, 27)
    assert letter.issuer.code == "JW"
    message = Notification.objects.get(kind="letter")
    assert message.unit == project.unit and letter.number in message.text and message.status == "queued"
    assert letters.reply_late(letter, date(2026, 3, 27)) is False
    assert letters.reply_late(letter, date(2026, 3, 28)) is True
    letter = letters.do_reply_letter(
        staff, letter, "因雨季延误，已增加两个作业面，4月10日前取得施工许可", at=at(2026, 3, 25)
    )
    letter = letters.do_return_letter(supervisor, letter, "请明确责任人", at=at(2026, 3, 26))
    assert letter.status == ProjectLetter.Status.ISSUED and letter.reply_due == date(2026, 4, 2)
    letters.do_reply_letter(staff, letter, "责任人：项目办李主任", at=at(2026, 3, 27))
    letter = letters.do_close_letter(supervisor, letter, at=at(2026, 3, 30))
    assert letter.status == ProjectLetter.Status.CLOSED
    assert [s.kind for s in letter.steps.all()] == [
        "drafted",
        "issued",
        "replied",
        "returned",
        "replied",
        "closed",
    ]
    assert AuditEntry.objects.filter(action__startswith="project_letter.").count() == 6


def test_the_letter_is_a_numbered_official_document_with_a_receipt(project, people):
    supervisor = people.actor("supervisor")
    letter = letters.do_issue_letter(
        supervisor, letters.do_draft_letter(supervisor, project, at=at(2026, 3, 20)), at=at(2026, 3, 20)
    )
    doc = Document(io.BytesIO(letter_docx(letter)))
    lines = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert lines[0] == "区纪委监委" and letter.number in lines
    assert "区市场监管局：" in lines and "2026年3月20日" in lines
    assert "整改措施和完成时限" in cells


def test_who_may_act_on_a_letter(project, people):
    with pytest.raises(PermissionDenied):
        letters.do_draft_letter(people.actor("market_staff"), project, at=at(2026, 3, 20))
    letter = letters.do_issue_letter(
        people.actor("supervisor"), letters.do_draft_letter(people.actor("supervisor"), project, at=at(2026, 3, 20)),
        at=at(2026, 3, 20),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        letters.do_reply_letter(people.actor("social_staff"), letter, "不是我们的项目", at=at(2026, 3, 21))
    with pytest.raises(letters.LetterError, match="尚未|不能办结"):
        letters.do_close_letter(people.actor("supervisor"), letter, at=at(2026, 3, 21))
    with pytest.raises(letters.LetterError, match="不能修改"):
        letters.do_edit_letter(people.actor("supervisor"), letter, "新标题", "新正文")
