from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.tests.fixtures import build_case

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=9, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


@pytest.fixture
def make_case(region):
    """Store a case from its events the way the importer does (`build_case`: through apply_events)."""

    def make(case_no: str, item_code: str, *events: tuple[str, datetime]):
        return build_case(case_no, region["items"][item_code], events)

    return make
