"""What the rectification lists add up to: the state at any moment (contract section 9), the
quarterly assessment of responsible units (季考核), the list's section of the monthly bulletin
(月通报) and the weekly digest's figures (周调度).

Everything is read from the problems' timelines (`ProblemStep` rows carry the status and deadline
each step left), so a figure for a past moment is the figure as it stood then, not as it is now.

Contract status at a moment t (section 9): `signed_off` when signed off at t; else `overdue` when
t is after the end of the deadline's date; else `reopened` when a look-back reopened it, else
`open` (a request for sign-off waiting for the approver is still open: it is not signed off).
`due_within_3`: open (or reopened) and at most 3 working days d with today < d <= deadline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from govwatch.core.localtime import end_of_day, local_date
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from .models import Problem, ProblemStep, Source

Status = Problem.Status
Kind = ProblemStep.Kind
DUE_SOON_WORKDAYS = 3
OPEN, OVERDUE, SIGNED_OFF, REOPENED = "open", "overdue", "signed_off", "reopened"
CONTRACT_LABELS = {OPEN: "整改中", OVERDUE: "已逾期", SIGNED_OFF: "已销号", REOPENED: "反弹重新整改"}


@dataclass(frozen=True)
class Point:
    """The state a step left: from its local day on, until the next step."""

    at: datetime
    day: date
    kind: str
    status: str
    deadline: date


def timeline(problem: Problem) -> list[Point]:
    """The problem's steps as points, in order (prefetched as `problem.steps.all()` when possible)."""
    return [Point(s.at, local_date(s.at), s.kind, s.status, s.deadline) for s in problem.steps.all()]


def state_at(points: list[Point], moment: datetime, problem: Problem) -> tuple[str, date]:
    """(status, deadline) at `moment`: the last step at or before it; before the first step the
    problem stood as it was entered."""
    current = None
    for p in points:
        if p.at > moment:
            break
        current = p
    if current is None:
        current = points[0] if points else None
    if current is None:
        return problem.status, problem.deadline
    return current.status, current.deadline


def contract_status(status: str, deadline: date, reopened: bool, moment: datetime) -> str:
    if status == Status.SIGNED_OFF:
        return SIGNED_OFF
    if local_date(moment) > deadline:
        return OVERDUE
    return REOPENED if reopened else OPEN


def due_within(deadline: date, moment: datetime, cal: WorkCalendar, days: int = DUE_SOON_WORKDAYS) -> bool:
    today = local_date(moment)
    return today <= deadline and cal.workdays_between(today, deadline) <= days


@dataclass(frozen=True)
class ProblemState:
    problem: Problem
    status: str  # the contract's: open, overdue, signed_off, reopened
    stored: str  # the problem's own status at the moment (submitted shows here)
    deadline: date
    due_within_3: bool

    @property
    def label(self) -> str:
        if self.stored == Status.SUBMITTED and self.status != SIGNED_OFF:
            return Status.SUBMITTED.label + ("（已逾期）" if self.status == OVERDUE else "")
        return CONTRACT_LABELS[self.status]


def problem_state(problem: Problem, moment: datetime, cal: WorkCalendar | None = None) -> ProblemState:
    cal = cal or get_calendar()
    points = timeline(problem)
    status, deadline = state_at(points, moment, problem)
    reopened = any(p.kind == Kind.RELAPSED and p.at <= moment for p in points)
    code = contract_status(status, deadline, reopened, moment)
    soon = code in (OPEN, REOPENED) and due_within(deadline, moment, cal)
    return ProblemState(problem, code, status, deadline, soon)


def with_steps(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    return problems.prefetch_related(Prefetch("steps", queryset=ProblemStep.objects.order_by("at", "id")))


def list_items(list_code: str | None = None, at: datetime | None = None) -> dict:
    """`govwatch rectification list` (contract section 9)."""
    at = at or timezone.now()
    cal = get_calendar()
    problems = Problem.objects.select_related("rlist", "unit").order_by("rlist__code", "sort", "id")
    if list_code:
        problems = problems.filter(rlist__code=list_code)
    items = []
    for problem in with_steps(problems).iterator(chunk_size=500):
        state = problem_state(problem, at, cal)
        items.append({
            "list_code": problem.rlist.code,
            "no": problem.no,
            "unit_code": problem.unit.code,
            "deadline": state.deadline.isoformat(),
            "status": state.status,
            "due_within_3": state.due_within_3,
        })  # fmt: skip
    return {"items": items}


# -- counts of a list, a unit's inbox, a period ------------------------------------------------


@dataclass
class Counts:
    problems: int = 0
    signed_off: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    submitted: int = 0
    reopened: int = 0
    lookbacks_due: int = 0

    @property
    def signed_off_rate(self) -> float | None:
        return self.signed_off / self.problems if self.problems else None


def counts_of(problems: Iterable[Problem], moment: datetime, cal: WorkCalendar | None = None) -> Counts:
    """Counts of problems (with their steps prefetched) as they stood at `moment`."""
    cal = cal or get_calendar()
    c = Counts()
    today = local_date(moment)
    for problem in problems:
        state = problem_state(problem, moment, cal)
        c.problems += 1
        if state.status == SIGNED_OFF:
            c.signed_off += 1
            if problem.lookback_due and problem.lookback_due <= today and problem.status == Status.SIGNED_OFF:
                c.lookbacks_due += 1
            continue
        c.open += 1
        c.overdue += state.status == OVERDUE
        c.due_soon += state.due_within_3
        c.submitted += state.stored == Status.SUBMITTED
        c.reopened += state.stored == Status.REOPENED or state.status == REOPENED
    return c


# -- quarterly assessment (季考核) ----------------------------------------------------------------

RELAPSE_POINTS = 10.0
OVERDUE_DAY_POINTS = 0.5
FORMULA = (
    f"得分 = 100 × 按时销号率 − {RELAPSE_POINTS:g} × 反弹次数 − {OVERDUE_DAY_POINTS:g} × 逾期天数，最低 0 分。"
    "应销号问题：本季度内销号的，以及季末仍未销号且整改时限不晚于季末的问题；"
    "按时销号：本季度内销号，且据以销号的申请不晚于当时的整改时限；无应销号问题时按时销号率按 100% 计。"
    "反弹次数：本季度内回头看发现问题反弹的次数。逾期天数：本季度内每个问题超过整改时限仍在整改（未申请销号）的自然日之和。"
)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("季度应为 1 至 4")
    first = date(year, 3 * quarter - 2, 1)
    nxt = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


@dataclass
class UnitScore:
    unit_code: str
    unit_name: str
    assessed: int = 0
    on_time: int = 0
    relapses: int = 0
    overdue_days: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.assessed if self.assessed else None

    @property
    def score(self) -> float:
        rate = 1.0 if self.on_time_rate is None else self.on_time_rate
        value = 100 * rate - RELAPSE_POINTS * self.relapses - OVERDUE_DAY_POINTS * self.overdue_days
        return round(max(0.0, value), 1)

    def as_dict(self) -> dict:
        return {
            "unit_code": self.unit_code, "unit_name": self.unit_name, "assessed": self.assessed,
            "on_time": self.on_time, "on_time_rate": self.on_time_rate, "relapses": self.relapses,
            "overdue_days": self.overdue_days, "score": self.score,
        }  # fmt: skip


def _day_states(points: list[Point], first: date, last: date) -> Iterable[tuple[date, str, date]]:
    """(day, status, deadline) at the end of every day of [first, last]."""
    i, current = 0, None
    day = first
    while day <= last:
        while i < len(points) and points[i].day <= day:
            current = points[i]
            i += 1
        if current is not None:
            yield day, current.status, current.deadline
        day += timedelta(days=1)


def _assess(problem: Problem, points: list[Point], first: date, last: date, score: UnitScore) -> None:
    if not points or points[0].day > last:
        return
    ends = [p for p in points if first <= p.day <= last and p.kind == Kind.SIGNED_OFF]
    before_end = [p for p in points if p.day <= last]
    at_end = before_end[-1]
    counted = bool(ends) or (at_end.status != Status.SIGNED_OFF and at_end.deadline <= last)
    if counted:
        score.assessed += 1
        score.problems.append(str(problem))
    if ends:
        # The request the sign-off accepted: the last one before it.
        accepted = ends[-1]
        request = next(
            (p for p in reversed(points) if p.kind == Kind.SUBMITTED and p.at <= accepted.at), None
        )
        if request is not None and request.day <= request.deadline:
            score.on_time += 1
    score.relapses += sum(1 for p in points if p.kind == Kind.RELAPSED and first <= p.day <= last)
    for day, status, deadline in _day_states(points, first, last):
        if day > deadline and status in Problem.OWED:
            score.overdue_days += 1


def period_scores(
    first: date, last: date, *, at: datetime | None = None, units: QuerySet | None = None
) -> dict[int, UnitScore]:
    """The assessment over [first, last] of each responsible unit (by id) with problems on
    published lists assessed, relapsed or overdue in it: the quarterly assessment's rules over any
    period (the ranking's). A period still running is assessed up to today (`at`)."""
    at = at or timezone.now()
    last = min(last, local_date(at))
    scores: dict[int, UnitScore] = {}
    problems = Problem.objects.select_related("unit", "rlist").filter(rlist__published=True)
    if units is not None:
        problems = problems.filter(unit__in=units)
    problems = problems.filter(created_at__lt=end_of_day(last))
    for problem in with_steps(problems).iterator(chunk_size=500):
        unit = problem.unit
        score = scores.get(unit.id) or UnitScore(unit.code, unit.name)
        _assess(problem, [p for p in timeline(problem) if p.at < end_of_day(last)], first, last, score)
        if score.assessed or score.relapses or score.overdue_days:
            scores[unit.id] = score
    return scores


def quarterly_scores(
    year: int, quarter: int, *, at: datetime | None = None, units: QuerySet | None = None
) -> list[UnitScore]:
    """The assessment of each responsible unit with problems in the quarter, best first.
    A quarter still running is assessed up to today (`at`)."""
    first, last = quarter_bounds(year, quarter)
    scores = period_scores(first, last, at=at, units=units)
    return sorted(scores.values(), key=lambda s: (-s.score, s.unit_code))


# -- the monthly bulletin's section (月通报) ---------------------------------------------------


def bulletin_section(month: date, *, units: QuerySet | None = None) -> dict:
    """The rectification section of the monthly bulletin for the month holding `month`: its figures,
    one row per list and the problems overdue at the month's end. Secret hall checks not yet
    published are left out. `units` limits it to problems of those units (a unit's subtree)."""
    first = month.replace(day=1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    end = end_of_day(nxt - timedelta(days=1)) - timedelta(microseconds=1)
    cal = get_calendar()
    problems = Problem.objects.select_related("rlist", "unit").filter(
        rlist__published=True, created_at__lte=end
    )
    if units is not None:
        problems = problems.filter(unit__in=units)
    by_list: dict[int, dict] = {}
    overdue_rows = []
    totals = defaultdict(int)
    for problem in with_steps(problems.order_by("rlist__code", "sort")).iterator(chunk_size=500):
        points = timeline(problem)
        state = problem_state(problem, end, cal)
        row = by_list.setdefault(problem.rlist_id, {
            "list_code": problem.rlist.code, "list_name": problem.rlist.name,
            "source": Source(problem.rlist.source).label, "problems": 0, "signed_off": 0,
            "signed_off_in_month": 0, "overdue": 0, "relapses_in_month": 0,
        })  # fmt: skip
        in_month = [p for p in points if first <= p.day < nxt]
        changes = {
            "problems": 1,
            "signed_off": state.status == SIGNED_OFF,
            "signed_off_in_month": any(p.kind == Kind.SIGNED_OFF for p in in_month),
            "overdue": state.status == OVERDUE,
            "relapses_in_month": sum(p.kind == Kind.RELAPSED for p in in_month),
        }
        for key, value in changes.items():
            row[key] += int(value)
            totals[key] += int(value)
        if state.status == OVERDUE:
            overdue_rows.append({
                "list_code": problem.rlist.code, "no": problem.no, "problem": problem.title,
                "unit_code": problem.unit.code, "unit_name": problem.unit.name,
                "deadline": state.deadline.isoformat(), "days_overdue": (nxt - timedelta(days=1) - state.deadline).days,
            })  # fmt: skip
    lists = list(by_list.values())
    for row in lists:
        row["signed_off_rate"] = row["signed_off"] / row["problems"] if row["problems"] else None
    figures = {
        key: totals[key]
        for key in ("problems", "signed_off", "signed_off_in_month", "overdue", "relapses_in_month")
    }
    figures["lists"] = len(lists)
    figures["signed_off_rate"] = figures["signed_off"] / figures["problems"] if figures["problems"] else None
    return {
        "month": first.strftime("%Y-%m"),
        "title": "整改清单落实情况",
        "figures": figures,
        "labels": BULLETIN_LABELS,
        "lists": lists,
        "overdue": sorted(overdue_rows, key=lambda r: -r["days_overdue"]),
    }


BULLETIN_LABELS = {
    "lists": "整改清单数",
    "problems": "问题总数",
    "signed_off": "已销号",
    "signed_off_rate": "销号率",
    "signed_off_in_month": "本月销号",
    "overdue": "逾期未销号",
    "relapses_in_month": "本月反弹",
    "list_code": "清单编号",
    "list_name": "清单名称",
    "source": "来源",
    "no": "序号",
    "problem": "问题",
    "unit_code": "责任单位编码",
    "unit_name": "责任单位",
    "deadline": "整改时限",
    "days_overdue": "逾期天数",
}
