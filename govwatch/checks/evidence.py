"""What a finding's page shows as its evidence: the evaluations it names (found in either table),
their cases, the window's day of ratings as a timeline, and for missing_evaluations the unit's
months and the cases left unevaluated."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from govwatch.cases.models import Case
from govwatch.core.choices import CaseStatus, EvalChannel
from govwatch.core.localtime import start_of_day
from govwatch.evaluations.models import Evaluation, PendingEvaluation

from .models import Finding, Kind

SHOWN = 500  # evidence rows on one page; the rest are counted
CASES_SHOWN = 200


@dataclass
class Row:
    eval_id: str
    at: datetime
    level: int
    level_label: str
    channel: str
    window_code: str
    unit: str
    evaluator_enc: str
    comment: str
    case_no: str
    case_known: bool
    case_unit: str = ""
    case_status: str = ""
    completed_at: datetime | None = None
    cleared: bool = False
    revealable: bool = False

    @property
    def delay_text(self) -> str:
        """How long after its case's completion the rating came, or "" (earlier, or no case)."""
        if not self.completed_at or self.at < self.completed_at:
            return ""
        seconds = (self.at - self.completed_at).total_seconds()
        if seconds < 120:
            return f"{seconds:.0f} 秒"
        if seconds < 7200:
            return f"{seconds / 60:.0f} 分钟"
        if seconds < 2 * 86400:
            return f"{seconds / 3600:.1f} 小时"
        return f"{seconds / 86400:.0f} 天"


def evidence_rows(finding: Finding) -> tuple[list[Row], int]:
    """The evaluations a finding names, oldest first (at most SHOWN), and how many there are."""
    evidence = dict(finding.evidence.values_list("eval_id", "cleared"))
    ids = list(evidence)
    total = len(ids)
    rows: list[Row] = []
    stored = Evaluation.objects.filter(eval_id__in=ids).select_related("unit", "case__unit").order_by("at")
    for e in stored[:SHOWN]:
        case = e.case
        rows.append(Row(
            e.eval_id, e.at, e.level, e.get_level_display(), e.get_channel_display(), e.window_code, e.unit.name,
            e.evaluator_enc, e.comment, e.case_id or "", case is not None,
            case.unit.name if case else "", case.get_status_display() if case else "",
            case.closed_at if case and case.status == CaseStatus.COMPLETED else None,
            evidence.get(e.eval_id, False), True,
        ))  # fmt: skip
    for p in PendingEvaluation.objects.filter(eval_id__in=ids).select_related("unit").order_by("at")[:SHOWN]:
        rows.append(Row(
            p.eval_id, p.at, p.level, p.get_level_display(), p.get_channel_display(), p.window_code, p.unit.name,
            p.evaluator_enc, p.comment, p.case_no, False, cleared=evidence.get(p.eval_id, False),
        ))  # fmt: skip
    rows.sort(key=lambda r: r.at)
    return rows[:SHOWN], total


@dataclass
class Mark:
    x: float
    label: str
    flagged: bool = False


@dataclass
class Timeline:
    """One lane of ratings and one of completions over [start, end], in SVG units (0..1000)."""

    title: str
    start: datetime
    end: datetime
    ratings: list[Mark] = field(default_factory=list)
    completions: list[Mark] = field(default_factory=list)
    ticks: list[Mark] = field(default_factory=list)
    width: int = 1000

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1
        return round(20 + (self.width - 40) * (moment - self.start).total_seconds() / span, 1)


def _day_moments(finding: Finding, flagged: set[str], day: date):
    """The window's device ratings and its cases' completions on one local day."""
    start, end = start_of_day(day), start_of_day(day + timedelta(days=1))
    where = Q(
        unit=finding.unit,
        window_code=finding.window_code,
        channel=EvalChannel.DEVICE,
        at__gte=start,
        at__lt=end,
    )
    ratings = [(e, a) for e, a in Evaluation.objects.filter(where).values_list("eval_id", "at")]
    ratings += list(PendingEvaluation.objects.filter(where).values_list("eval_id", "at"))
    done = list(
        Case.objects.filter(
            unit=finding.unit, window_code=finding.window_code, status=CaseStatus.COMPLETED,
            closed_at__gte=start, closed_at__lt=end,
        ).values_list("case_no", "closed_at")
    )  # fmt: skip
    return sorted(ratings, key=lambda r: r[1]), sorted(done, key=lambda c: c[1])


def _timeline(
    title: str, start: datetime, end: datetime, ratings, done, flagged: set[str], step: int
) -> Timeline:
    t = Timeline(title, start, end)
    fmt = "%H:%M:%S" if step < 3600 else "%H:%M"
    for eval_id, moment in ratings:
        if start <= moment <= end:
            local = timezone.localtime(moment)
            t.ratings.append(Mark(t.x(moment), f"{local:%H:%M:%S} {eval_id}", eval_id in flagged))
    for case_no, moment in done:
        if start <= moment <= end:
            t.completions.append(Mark(t.x(moment), f"{timezone.localtime(moment):%H:%M:%S} 办结 {case_no}"))
    for n in range(round((end - start).total_seconds() / step) + 1):
        tick = start + timedelta(seconds=n * step)
        t.ticks.append(Mark(t.x(tick), f"{timezone.localtime(tick):{fmt}}"))
    return t


def window_timelines(finding: Finding) -> list[Timeline]:
    """For a burst or off_hours finding: the window's day (each day it names), and for a burst a
    close-up of its minutes, ratings above and completions at the window below."""
    if finding.kind not in (Kind.BURST, Kind.OFF_HOURS):
        return []
    flagged = set(finding.evidence.values_list("eval_id", flat=True))
    moments = sorted(
        [*Evaluation.objects.filter(eval_id__in=flagged).values_list("at", flat=True),
         *PendingEvaluation.objects.filter(eval_id__in=flagged).values_list("at", flat=True)]
    )  # fmt: skip
    days = sorted({timezone.localtime(m).date() for m in moments})[:5]
    out = []
    for day in days:
        ratings, done = _day_moments(finding, flagged, day)
        start = start_of_day(day)
        out.append(
            _timeline(f"{day:%Y-%m-%d} 全天", start, start + timedelta(days=1), ratings, done, flagged, 7200)
        )
        if finding.kind == Kind.BURST:
            mine = [m for m in moments if timezone.localtime(m).date() == day]
            lo, hi = mine[0] - timedelta(minutes=5), mine[-1] + timedelta(minutes=5)
            step = (hi - lo).total_seconds() / 6  # six even steps: the labels under the axis space out evenly
            out.append(_timeline(f"{day:%Y-%m-%d} 集中评价前后", lo, hi, ratings, done, flagged, step))
    return out


@dataclass
class MonthRow:
    month: str
    completed: int
    evaluated: int

    @property
    def rate(self) -> float | None:
        return self.evaluated / self.completed if self.completed else None


def unit_months(finding: Finding) -> list[MonthRow]:
    """missing_evaluations: the unit's (or window's) completed and evaluated cases month by month,
    six months either side of the finding's."""
    first = (finding.month - timedelta(days=180)).replace(day=1)
    last = (finding.month + timedelta(days=200)).replace(day=1)
    cases = Case.objects.filter(
        unit=finding.unit, status=CaseStatus.COMPLETED, closed_on__gte=first, closed_on__lt=last
    )
    if finding.window_code:
        cases = cases.filter(window_code=finding.window_code)
    completed: dict[str, int] = defaultdict(int)
    evaluated: dict[str, int] = defaultdict(int)
    for closed_on, n in cases.values_list("closed_on").annotate(n=Count("pk")).order_by():
        completed[f"{closed_on:%Y-%m}"] += n
    rated = (
        cases.filter(evaluations__auto=False).values_list("closed_on").annotate(n=Count("pk", distinct=True))
    )
    for closed_on, n in rated.order_by():
        evaluated[f"{closed_on:%Y-%m}"] += n
    return [MonthRow(m, completed[m], evaluated[m]) for m in sorted(completed)]
