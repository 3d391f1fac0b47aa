"""排队叫号: the halls' queues over a period: their figures, the average wait per window and hour
(taken), the long-queue hours and the windows empty at opening time."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from ..models import QueueTicket
from ..queues import empty_at_opening, long_queue_hours, queue_figures, tickets_in, waits_by_window_and_hour
from .common import context, minutes, period_of, visible_windows, within

# Rows of the long lists shown; the figures above them count them all.
SHOWN = 30
# Tone of an average wait in the hour table: within target, long, too long (minutes).
TONES = ((10, "heat-0"), (20, "heat-1"), (30, "heat-2"))


def tone(avg_minutes: float | None) -> str:
    if avg_minutes is None:
        return ""
    return next((cls for limit, cls in TONES if avg_minutes <= limit), "heat-3")


@member_required
def queues(request: HttpRequest) -> HttpResponse:
    period = period_of(request)
    cal = get_calendar()
    rows = QueueTicket.objects.visible_to(scope(request.user))
    if period.unit:
        rows = within(rows, period, "window__unit") | within(rows, period, "unit")
    tickets = tickets_in(rows, period.start, period.end)
    windows = {w.pk: w for w in visible_windows(request, period).filter(active=True)}
    cells = waits_by_window_and_hour(tickets)
    hours = sorted({h for by_hour in cells.values() for h in by_hour}) or list(range(8, 18))
    grid = []
    for window_id in sorted(cells, key=lambda pk: windows[pk].code if pk in windows else ""):
        if window_id not in windows:
            continue
        row = []
        for h in hours:
            cell = cells[window_id].get(h)
            avg = minutes(cell.avg_wait) if cell else None
            row.append({"n": cell.tickets if cell else 0, "avg": avg, "tone": tone(avg)})
        grid.append((windows[window_id], row))
    halls = queue_figures(tickets, "unit_id", 15 * 60)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=halls)}
    long_hours = long_queue_hours(tickets, cal)
    empty = empty_at_opening(visible_windows(request, period), period.start, period.end, cal)
    by_window: dict[int, dict] = {}
    for e in empty:
        row = by_window.setdefault(e.window.pk, {"window": e.window, "days": 0, "last": e.day, "reasons": {}})
        row["days"] += 1
        row["last"] = max(row["last"], e.day)
        for kind in e.kinds:
            row["reasons"][kind] = row["reasons"].get(kind, 0) + 1
    worst = sorted(by_window.values(), key=lambda r: (-r["days"], r["window"].code))
    return render(
        request,
        "windows/queues.html",
        context(
            request, "queues", period=period, hours=hours, grid=grid,
            halls=[(units[pk], f, minutes(f.avg_wait), minutes(f.avg_service)) for pk, f in halls.items()],
            long_hours=[(units.get(h.unit_id), h, minutes(h.avg_wait)) for h in sorted(long_hours, key=lambda h: -h.avg_wait)[:SHOWN]],
            long_count=len(long_hours), empty_days=len(empty), empty_windows=worst[:SHOWN], empty_more=max(len(worst) - SHOWN, 0),
            long_limit=settings.QUEUE_LONG_WAIT_MINUTES, grace=settings.OPENING_GRACE_MINUTES,
        ),
    )  # fmt: skip
