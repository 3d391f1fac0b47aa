"""超时风险预测: how the warnings before the yellow card are made, and how often they were right.

The page a region reads before trusting the warnings: the model in use and what it measured on
held-out weeks, the replay of the last months (at each warning moment, what the model of the day
would have warned and how those cases ended), and the cases warned now within the reader's part of
the org tree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import scope

from .models import CaseRisk, PredictionRun, Replay, RiskModel
from .predicting import false_alarm_target, moments_of_day

SHOWN = 10


def _weeks(days: list[dict]) -> list[dict]:
    """The replay's days summed by ISO week: first warnings, and how the warned cases ended."""
    weeks: dict[tuple[int, int], dict] = defaultdict(
        lambda: {"warned": 0, "warned_late": 0, "warned_on_time": 0}
    )
    first: dict[tuple[int, int], str] = {}
    for day in days:
        key = date.fromisoformat(day["day"]).isocalendar()[:2]
        first.setdefault(key, day["day"])
        for name in ("warned", "warned_late", "warned_on_time"):
            weeks[key][name] += day[name]
    return [{"from": first[k], **v, "precision": v["warned_late"] / v["warned"] if v["warned"] else None}
            for k, v in sorted(weeks.items())]  # fmt: skip


@member_required
def overview(request: HttpRequest) -> HttpResponse:
    mine = CaseRisk.objects.visible_to(scope(request.user)).filter(warn=True)
    replay = Replay.objects.first()
    context = {
        "nav": "prediction",
        "model": RiskModel.objects.defer("payload").first(),
        "replay": replay,
        "weeks": _weeks(replay.days) if replay else [],
        "last_run": PredictionRun.objects.filter(finished_at__isnull=False).first(),
        "warned_count": mine.count(),
        "warned": mine.select_related("case__item", "case__unit").order_by("-risk")[:SHOWN],
        "target": false_alarm_target(),
        "moments": "、".join(t.strftime("%H:%M") for t in moments_of_day()),
    }
    return render(request, "prediction/overview.html", context)
