from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=9, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


@pytest.fixture
def make_case(region):
    """Store a case from its events the way the importer does (derive, then write the facts)."""
    from govwatch.cases.deadlines import Event, derive
    from govwatch.cases.models import Case, Suspension

    def make(case_no: str, item_code: str, *events: tuple[str, datetime]) -> Case:
        item = region["items"][item_code]
        facts = derive([Event(k, t) for k, t in events], item.promised_days, region["calendar"], TZ)
        case = Case.objects.create(
            case_no=case_no, item=item, unit=item.unit, status=facts.status, accepted_at=facts.accepted_at,
            accepted_on=facts.accepted_on, closed_at=facts.closed_at, closed_on=facts.closed_on,
            due_date=facts.due_date, provisional=facts.provisional, completed_on_time=facts.completed_on_time,
            suspended_days=facts.suspended_days,
        )
        for s in facts.suspensions:
            Suspension.objects.create(case=case, started_at=s.started_at, ended_at=s.ended_at, workdays=s.workdays)
        return case

    return make
