"""What a project's owner unit does: reach a milestone (its actual date), and report the month's
progress with site photos. Each a `do_*` that checks its actor and writes its audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from govwatch.accounts.permissions import REPORT_PROGRESS, access, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.attachments import AttachmentRefused, check_attachments
from govwatch.core.localtime import local_date

from .models import KeyProject, Milestone, ProgressReport, ReportPhoto
from .watching import watch_milestone

PHOTO_TYPES = ("jpg", "jpeg", "png")
MAX_TEXT = 5000


class ProjectError(Exception):
    """A change the rules do not allow; the message is for the user."""


def access_project(user, pk: int, action: str | None = None) -> KeyProject:
    return access(user, KeyProject.objects.select_related("unit"), action, pk=pk)


def access_milestone(user, pk: int, action: str | None = None) -> Milestone:
    return access(user, Milestone.objects.select_related("project__unit"), action, pk=pk)


def access_photo(user, pk: int) -> ReportPhoto:
    return access(user, ReportPhoto.objects.all(), pk=pk)


@transaction.atomic
def do_reach_milestone(
    actor: Actor, milestone: Milestone, actual_date: date | None, note: str = "", at: datetime | None = None
) -> Milestone:
    """Record the day a milestone was reached (None takes a mistaken date back)."""
    check_actor(actor, REPORT_PROGRESS, milestone.project.unit)
    milestone = (
        Milestone.objects.select_for_update(of=("self",)).select_related("project").get(pk=milestone.pk)
    )
    at = at or timezone.now()
    if actual_date is not None and actual_date > local_date(at):
        raise ProjectError("实际完成日期不能晚于今天")
    before = {"actual_date": milestone.actual_date, "note": milestone.note}
    milestone.actual_date, milestone.note = actual_date, note.strip()[:500]
    milestone.save(update_fields=["actual_date", "note"])
    watch_milestone(milestone, at)
    record(
        actor, "project.milestone", milestone,
        summary=f"{milestone.project.name}：节点“{milestone.name}”"
        + (f"于 {actual_date:%Y-%m-%d} 完成" if actual_date else "撤销完成日期"),
        before=before, after={"actual_date": actual_date, "note": milestone.note},
    )  # fmt: skip
    return milestone


def _check_photos(photos: Sequence[tuple[str, bytes]]) -> None:
    for name, _ in photos:
        if name.rsplit(".", 1)[-1].lower() not in PHOTO_TYPES:
            raise ProjectError(f"“{name}”不是照片：现场照片请上传 JPG 或 PNG 文件")
    try:
        check_attachments(photos)
    except AttachmentRefused as exc:
        raise ProjectError(str(exc)) from exc


@transaction.atomic
def do_report_progress(
    actor: Actor,
    project: KeyProject,
    month: date,
    percent: int,
    text: str,
    *,
    invested: Decimal | None = None,
    problems: str = "",
    photos: Sequence[tuple[str, bytes]] = (),
    at: datetime | None = None,
) -> ProgressReport:
    """The month's report (月报); a second report of the same month corrects the first, its photos
    added to the earlier ones."""
    check_actor(actor, REPORT_PROGRESS, project.unit)
    at = at or timezone.now()
    month = month.replace(day=1)
    if month > local_date(at).replace(day=1):
        raise ProjectError("不能填报以后月份的月报")
    if not 0 <= percent <= 100:
        raise ProjectError("累计完成进度应在 0 到 100 之间")
    text = text.strip()
    if not text:
        raise ProjectError("请填写本月进展")
    if len(text) > MAX_TEXT or len(problems) > MAX_TEXT:
        raise ProjectError(f"内容不能超过 {MAX_TEXT} 字")
    earlier = ProgressReport.objects.filter(project=project, month__lt=month).order_by("-month").first()
    if earlier is not None and percent < earlier.percent:
        raise ProjectError(
            f"累计完成进度不能低于 {earlier.month.year}年{earlier.month.month}月 的 {earlier.percent}%"
        )
    _check_photos(photos)
    report = ProgressReport.objects.select_for_update().filter(project=project, month=month).first()
    before = None
    if report is None:
        report = ProgressReport(project=project, month=month)
    else:
        before = {
            "percent": report.percent,
            "invested": report.invested,
            "text": report.text,
            "problems": report.problems,
        }
    report.percent, report.invested, report.text, report.problems = percent, invested, text, problems.strip()
    report.reported_at, report.reported_by = at, actor.label
    report.save()
    for name, content in photos:
        ReportPhoto.keep(name, content, report=report)
    record(
        actor, "project.report", report,
        summary=f"{project.name} {month.year}年{month.month}月月报：累计完成 {percent}%"
        + (f"，照片 {len(photos)} 张" if photos else ""),
        before=before,
        after={"percent": percent, "invested": invested, "text": text, "problems": report.problems,
               "photos": [name for name, _ in photos]},
    )  # fmt: skip
    return report
