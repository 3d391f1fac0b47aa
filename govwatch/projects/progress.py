"""Whether a key project is behind plan (进展滞后), each rule one function:

- a milestone is overdue from 00:00 the day after its planned date while it has no actual date
  (`overdue_milestones`);
- the plan's cumulative progress on a day is read off its curve: 0 % at the planned start, each
  milestone's planned percent at its planned date, 100 % at the planned end, linear in between
  (`planned_progress`);
- reported progress is behind when the latest monthly report is at least GOVWATCH_PROJECT_LAG_MARGIN
  percentage points below the plan at the end of the month reported on (`progress_lag`).

A project is behind plan when either holds; completed projects are not. Derived on every read,
never stored.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from govwatch.core.datewords import document_date

from .models import KeyProject, Milestone, ProgressReport


class State:
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    COMPLETED = "completed"
    LABELS = {NOT_STARTED: "未开工", ON_TRACK: "正常推进", BEHIND: "进展滞后", COMPLETED: "已完工"}


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def overdue_milestones(milestones: list[Milestone], today: date) -> list[Milestone]:
    """Milestones past the end of their planned date and not reached."""
    return [m for m in milestones if m.actual_date is None and m.planned_date < today]


def curve(start: date, end: date, points: list[tuple[date, int]], day: date) -> int:
    """The plan's cumulative percent on `day`: 0 at `start`, each (date, percent) of `points`, 100
    at `end`, linear in between."""
    line = [(start, 0), *sorted(points), (end, 100)]
    if day <= line[0][0]:
        return 0
    for (d0, p0), (d1, p1) in zip(line, line[1:], strict=False):
        if day <= d1:
            span = (d1 - d0).days
            return p1 if span <= 0 else round(p0 + (p1 - p0) * (day - d0).days / span)
    return 100


def planned_progress(project: KeyProject, milestones: list[Milestone], day: date) -> int:
    """The plan's cumulative progress (whole percent) on `day`."""
    points = [(m.planned_date, m.planned_percent) for m in milestones if m.planned_percent is not None]
    return curve(project.start_date, project.planned_end, points, day)


def progress_lag(
    project: KeyProject, milestones: list[Milestone], report: ProgressReport | None
) -> int | None:
    """How many percentage points the latest report is behind the plan at the end of its month
    (negative when ahead), or None without a report."""
    if report is None:
        return None
    return planned_progress(project, milestones, month_end(report.month)) - report.percent


@dataclass
class ProjectState:
    code: str
    overdue: list[Milestone] = field(default_factory=list)
    lag: int | None = None
    planned: int = 0
    reported: int | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return State.LABELS[self.code]

    @property
    def behind(self) -> bool:
        return self.code == State.BEHIND


def state_of(
    project: KeyProject, milestones: list[Milestone], latest: ProgressReport | None, today: date
) -> ProjectState:
    """The project's state on `today` and, when behind, why (in the words of a reminder letter)."""
    planned = planned_progress(project, milestones, today)
    reported = latest.percent if latest else None
    if project.completed_on is not None and project.completed_on <= today:
        return ProjectState(State.COMPLETED, planned=planned, reported=reported)
    overdue = overdue_milestones(milestones, today)
    lag = progress_lag(project, milestones, latest)
    reasons = [
        f"节点“{m.name}”计划于{document_date(m.planned_date)}完成，已逾期{(today - m.planned_date).days}天"
        for m in overdue
    ]
    if lag is not None and lag >= settings.PROJECT_LAG_MARGIN:
        reasons.append(
            f"{latest.month.year}年{latest.month.month}月月报累计完成进度{latest.percent}%，"
            f"低于计划进度{latest.percent + lag}%，滞后{lag}个百分点"
        )
    if reasons:
        code = State.BEHIND
    elif today < project.start_date and not any(m.actual_date for m in milestones):
        code = State.NOT_STARTED
    else:
        code = State.ON_TRACK
    return ProjectState(code, overdue, lag, planned, reported, reasons)


def states(projects: list[KeyProject], today: date) -> dict[int, ProjectState]:
    """The state of each project, with two queries for all of them."""
    ids = [p.pk for p in projects]
    milestones: dict[int, list[Milestone]] = {pk: [] for pk in ids}
    for m in Milestone.objects.filter(project_id__in=ids).order_by("seq"):
        milestones[m.project_id].append(m)
    latest: dict[int, ProgressReport] = {}
    for r in ProgressReport.objects.filter(project_id__in=ids, month__lte=today).order_by(
        "project_id", "-month"
    ):
        latest.setdefault(r.project_id, r)
    return {p.pk: state_of(p, milestones[p.pk], latest.get(p.pk), today) for p in projects}


def state_on(project: KeyProject, today: date) -> ProjectState:
    return states([project], today)[project.pk]
