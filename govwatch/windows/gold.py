"""The gold-medal window (金牌窗口, seed 001: 每季度对入驻大厅的各窗口单位进行业务评比).

Each quarter a region's active windows are scored from 0 to 100 on five parts, over the quarter:
- satisfaction (满意度): evaluations of the window rated 3 or better / its evaluations (a review
  shown mistaken on appeal left out);
- on time (按时办结): its cases completed on time / its cases completed (contract section 4);
- complaints (投诉): 100 less `complaint_points` for each complaint about a case of the window,
  never below 0;
- attendance (考勤): its staff's working days in order (present, neither late nor early, no absence
  from post reported) / their working days (contract section 12's counting);
- queue (排队等候): its tickets called within `wait_target_minutes` / its tickets called.
A part without data (no evaluation, no case...) is left out and the others' weights share its
place. The score is the weighted mean of the parts (each rounded to 0.01 first, then the mean
rounded half up to 0.01, in decimal arithmetic so that equal scores are equal). Windows whose
volume (cases completed + tickets called) is below `min_volume` are listed, not ranked. Ranks are
competition ranks (1, 2, 2, 4): equal scores share a rank; `medals` ranks get the medal, all the
windows tied at the last medal rank included.

A round is a draft until the office awards it; then it is frozen with the rules it used, and each
medal has its numbered certificate (govwatch.windows.documents).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from govwatch.accounts.permissions import AWARD_GOLD, check_actor
from govwatch.audit.log import Actor, record
from govwatch.cases.models import Case
from govwatch.core.choices import CaseStatus
from govwatch.core.localtime import end_of_day, local_date, start_of_day
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit

from .attendance import count_attendance, totals_by
from .models import GoldEntry, GoldRound, GoldRules, QueueTicket, Staff, Window

PARTS = ("satisfaction", "on_time", "complaints", "attendance", "queue")
PART_LABELS = {
    "satisfaction": "满意度",
    "on_time": "按时办结",
    "complaints": "投诉",
    "attendance": "考勤",
    "queue": "排队等候",
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    satisfaction: int = 30
    on_time: int = 25
    complaints: int = 15
    attendance: int = 15
    queue: int = 15
    medals: int = 3
    min_volume: int = 30
    wait_target_minutes: int = 15
    complaint_points: int = 10

    def weight(self, part: str) -> int:
        return getattr(self, part)


DEFAULTS = Rules()


class GoldError(Exception):
    """A step the rules refuse; the message is for the user."""


def rules_of(region: Unit) -> Rules:
    stored = GoldRules.objects.filter(region=region).first()
    if stored is None:
        return DEFAULTS
    return Rules(**{name: getattr(stored, name) for name in Rules.__dataclass_fields__})


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if not 1 <= quarter <= 4:
        raise GoldError("季度应为 1 至 4")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as points out of 100, to 0.01; None when there is nothing to count."""
    return _cents(Decimal(100) * part / whole) if whole else None


def weighted(parts: dict[str, Decimal | None], rules: Rules) -> Decimal | None:
    """The weighted mean of the parts that have data; None when none has (or all weigh 0)."""
    weights = {p: rules.weight(p) for p, v in parts.items() if v is not None and rules.weight(p) > 0}
    total = sum(weights.values())
    if not total:
        return None
    return _cents(sum(Decimal(w) * parts[p] for p, w in weights.items()) / total)


def competition_ranks(scores: dict[int, Decimal]) -> dict[int, int]:
    """{key: rank}: 1 + how many scored strictly higher (equal scores share a rank)."""
    ordered = sorted(scores.values(), reverse=True)
    return {key: 1 + sum(1 for s in ordered if s > score) for key, score in scores.items()}


# -- the parts, each one GROUP BY over the region's quarter --------------------------------------


@dataclass
class Basis:
    """What a window's parts were computed from (shown on the round's page)."""

    evaluations: int = 0
    satisfied: int = 0
    completed: int = 0
    completed_on_time: int = 0
    complaints: int = 0
    staff_days: int = 0
    clean_days: int = 0
    called: int = 0
    within_target: int = 0

    @property
    def volume(self) -> int:
        return self.completed + self.called


def bases(region: Unit, windows: list[Window], start: date, end: date, rules: Rules) -> dict[int, Basis]:
    by_code = {w.code: w.pk for w in windows}
    out: dict[int, Basis] = defaultdict(Basis)
    since, until = start_of_day(start), end_of_day(end)
    in_region = Q(unit__path__startswith=region.path, window_code__in=list(by_code))

    evaluations = (
        Evaluation.objects.filter(in_region, at__gte=since, at__lt=until, appeal_upheld=False)
        .values("window_code")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(level__gte=3)))
        .order_by()
    )
    for r in evaluations:
        b = out[by_code[r["window_code"]]]
        b.evaluations, b.satisfied = r["n"], r["ok"]

    cases = Case.objects.filter(in_region)
    completed = (
        cases.filter(status=CaseStatus.COMPLETED, closed_on__gte=start, closed_on__lte=end)
        .values("window_code")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(completed_on_time=True)))
        .order_by()
    )
    for r in completed:
        b = out[by_code[r["window_code"]]]
        b.completed, b.completed_on_time = r["n"], r["ok"]
    # Complaints reach a window through the case they name (the complaint's `case`).
    complained = (
        cases.filter(complaints__at__gte=since, complaints__at__lt=until)
        .values("window_code")
        .annotate(n=Count("complaints"))
        .order_by()
    )
    for r in complained:
        out[by_code[r["window_code"]]].complaints = r["n"]

    staff = Staff.objects.filter(window__in=[w.pk for w in windows])
    for window_id, totals in totals_by(count_attendance(staff, start, end), lambda r: r.window_id).items():
        out[window_id].staff_days, out[window_id].clean_days = totals.staff_days, totals.clean

    target = 60 * rules.wait_target_minutes
    tickets = (
        QueueTicket.objects.filter(window__in=[w.pk for w in windows], day__gte=start, day__lte=end)
        .filter(called_at__isnull=False)
        .values("window_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(wait_seconds__lte=target)))
        .order_by()
    )
    for r in tickets:
        out[r["window_id"]].called, out[r["window_id"]].within_target = r["n"], r["ok"]
    return out


def parts_of(b: Basis, rules: Rules) -> dict[str, Decimal | None]:
    has_cases = b.completed > 0
    return {
        "satisfaction": share(b.satisfied, b.evaluations),
        "on_time": share(b.completed_on_time, b.completed),
        # Complaints are scored where the window handled cases to be complained about.
        "complaints": Decimal(max(0, 100 - rules.complaint_points * b.complaints)).quantize(CENT)
        if has_cases or b.complaints
        else None,
        "attendance": share(b.clean_days, b.staff_days),
        "queue": share(b.within_target, b.called),
    }


@dataclass
class Scored:
    window: Window
    basis: Basis
    parts: dict[str, Decimal | None]
    score: Decimal | None
    rank: int | None = None
    medal: bool = False


def counted_until(year: int, quarter: int, at: datetime) -> date:
    """The last day a ranking computed at `at` counts: the quarter's last day, or, for the quarter
    still running, the day before `at` (today is not over: nobody has clocked out yet)."""
    _, end = quarter_bounds(year, quarter)
    return min(end, local_date(at) - timedelta(days=1))


def score_windows(
    region: Unit, year: int, quarter: int, rules: Rules | None = None, through: date | None = None
) -> list[Scored]:
    """The quarter's scores and ranks of the region's active windows (counted up to `through`, by
    default the quarter's end), best first."""
    rules = rules or rules_of(region)
    start, end = quarter_bounds(year, quarter)
    end = min(end, through) if through else end
    windows = list(Window.objects.filter(region=region, active=True).select_related("unit").order_by("code"))
    found = bases(region, windows, start, end, rules)
    scored = []
    for w in windows:
        basis = found.get(w.pk, Basis())
        parts = parts_of(basis, rules)
        scored.append(Scored(w, basis, parts, weighted(parts, rules)))
    ranked = {
        s.window.pk: s.score for s in scored if s.score is not None and s.basis.volume >= rules.min_volume
    }
    ranks = competition_ranks(ranked)
    for s in scored:
        s.rank = ranks.get(s.window.pk)
        s.medal = s.rank is not None and s.rank <= rules.medals
    return sorted(scored, key=lambda s: (s.rank is None, s.rank or 0, s.window.code))


RANKED = (F("rank").asc(nulls_last=True), "window__code")  # ranked windows first, on every database


# -- the round --------------------------------------------------------------------------------


@transaction.atomic
def do_rank(actor: Actor, region: Unit, year: int, quarter: int, at: datetime | None = None) -> GoldRound:
    """Compute (or compute again) the quarter's draft ranking with the region's current rules."""
    check_actor(actor, AWARD_GOLD, region)
    at = at or timezone.now()
    start, _ = quarter_bounds(year, quarter)
    through = counted_until(year, quarter, at)
    if through < start:
        raise GoldError("该季度尚无完整的一天，无法计算")
    rules = rules_of(region)
    existing = GoldRound.objects.select_for_update().filter(region=region, year=year, quarter=quarter).first()
    if existing is not None and existing.status == GoldRound.Status.AWARDED:
        raise GoldError("该季度已评定，评选结果不能重新计算")
    round_ = existing or GoldRound(region=region, year=year, quarter=quarter)
    round_.rules, round_.computed_at, round_.computed_by, round_.through = (
        asdict(rules),
        at,
        actor.label,
        through,
    )
    round_.save()
    round_.entries.all().delete()
    GoldEntry.objects.bulk_create(
        [
            GoldEntry(
                round=round_, window=s.window, volume=s.basis.volume, score=s.score, rank=s.rank, medal=s.medal,
                basis=asdict(s.basis), **s.parts,
            )
            for s in score_windows(region, year, quarter, rules, through)
        ]
    )  # fmt: skip
    medals = round_.entries.filter(medal=True).count()
    record(
        actor, "windows.gold.rank", round_,
        summary=f"{region.name}{round_}金牌窗口评选：计算排名，拟评 {medals} 个金牌窗口",
        after={"rules": round_.rules},
    )  # fmt: skip
    return round_


@transaction.atomic
def do_award(actor: Actor, round_: GoldRound, at: datetime | None = None) -> GoldRound:
    """Award the medals of a draft round once its quarter has ended: numbered certificates, frozen."""
    round_ = GoldRound.objects.select_for_update(of=("self",)).select_related("region").get(pk=round_.pk)
    check_actor(actor, AWARD_GOLD, round_.region)
    at = at or timezone.now()
    if round_.status == GoldRound.Status.AWARDED:
        raise GoldError("该季度已评定")
    _, end = quarter_bounds(round_.year, round_.quarter)
    if local_date(at) <= end:
        raise GoldError(f"季度结束（{end:%Y-%m-%d}）后方可评定")
    medals = list(round_.entries.filter(medal=True).select_related("window").order_by(*RANKED))
    if not medals:
        raise GoldError("没有达到评选条件的窗口，不能评定")
    for seq, entry in enumerate(medals, 1):
        entry.certificate_no = f"金牌〔{round_.year}〕{round_.quarter}{seq:02d}号"
    GoldEntry.objects.bulk_update(medals, ["certificate_no"])
    round_.status, round_.awarded_at, round_.awarded_by = GoldRound.Status.AWARDED, at, actor.label
    round_.save(update_fields=["status", "awarded_at", "awarded_by"])
    record(
        actor, "windows.gold.award", round_,
        summary=f"{round_.region.name}{round_}金牌窗口评定：" + "、".join(e.window.label for e in medals),
    )  # fmt: skip
    return round_


@transaction.atomic
def do_set_rules(actor: Actor, region: Unit, rules: Rules) -> GoldRules:
    check_actor(actor, AWARD_GOLD, region)
    if sum(rules.weight(p) for p in PARTS) <= 0:
        raise GoldError("各项权重之和应大于 0")
    if rules.medals < 1:
        raise GoldError("每季度至少评选 1 个金牌窗口")
    before = asdict(rules_of(region))
    stored, _ = GoldRules.objects.update_or_create(region=region, defaults=asdict(rules))
    record(
        actor, "windows.gold.rules", stored, summary=f"修改{region.name}金牌窗口评定方案", before=before,
        after=asdict(rules),
    )  # fmt: skip
    return stored
