"""The alert of evaluations received through the public pages and not recorded: the worker's job
`public-evaluation-intake` records them every 2 seconds, so one still waiting after
GOVWATCH_PUBLIC_INTAKE_ALERT_MINUTES means no worker runs it (or it fails)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.urls import reverse
from django.utils.timezone import localtime

from govwatch.core.alerts import Alert

from .models import Submission


def received_not_recorded(at: datetime) -> Alert | None:
    waiting = Submission.objects.filter(state=Submission.State.RECEIVED).aggregate(
        n=Count("id"), oldest=Min("received_at")
    )
    limit = timedelta(minutes=settings.PUBLIC_INTAKE_ALERT_MINUTES)
    if not waiting["n"] or waiting["oldest"] > at - limit:
        return None
    return Alert(
        "public.intake", "公众评价未登记", waiting["n"],
        f"最早一条 {localtime(waiting['oldest']):%Y-%m-%d %H:%M} 收到，超过 {settings.PUBLIC_INTAKE_ALERT_MINUTES} 分钟仍未登记："
        "请检查后台进程（govwatch worker）是否在运行",
        reverse("admin:public_submission_changelist") + f"?state__exact={Submission.State.RECEIVED}",
        waiting["oldest"],
    )  # fmt: skip
