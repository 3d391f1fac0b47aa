"""The demo's window operations: its files import without a rejected row and give the region what
the issue asks of it (a month and more of attendance and tickets, kiosks with an outage and an
overdue fault, assisted services, an awarded gold-medal quarter)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.demo.generator import generate
from govwatch.demo.windows import FILES, load_gold
from govwatch.imports.runs import run_import
from govwatch.kiosks.faults import late
from govwatch.kiosks.models import Kiosk, KioskFault
from govwatch.kiosks.uptime import overall, uptime
from govwatch.windows.attendance import count_attendance
from govwatch.windows.models import AssistedService, GoldRound, QueueTicket, Staff

# One xdist worker runs them all (`--dist loadgroup`): the demo region is built once, not once per worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("window-files")]
UNTIL = datetime(2026, 4, 10, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    report = generate(out, scale="district", seed=3, fraction=0.05, until=UNTIL)
    return out, report


def test_the_files_cover_the_previous_quarter_to_the_demos_moment(demo):
    out, report = demo
    assert (report["windows"]["from"], report["windows"]["to"]) == ("2026-01-01", "2026-04-10")
    assert set(report["windows"]["files"]) == {*FILES, "gold"}
    assert all((out / f"{kind}.csv").exists() for kind in FILES)


def test_the_demo_imports_cleanly_and_shows_what_the_issue_asks(demo, shipped_calendar):
    out, _ = demo
    for kind in ("units", "items", "cases", "evaluations", *FILES):
        result = run_import(kind, out / f"{kind}.csv", operator_label="test")
        assert result.rejected == 0, (kind, result.document()["errors"][:3])
    gold = load_gold("gold_rounds", out / "gold.json")
    assert (gold.imported, gold.rejected) == (2, 0)
    awarded = GoldRound.objects.get(status=GoldRound.Status.AWARDED)
    assert (awarded.year, awarded.quarter) == (2026, 1) and awarded.entries.filter(medal=True).exists()
    assert GoldRound.objects.filter(status=GoldRound.Status.DRAFT, quarter=2).exists()

    rows = count_attendance(Staff.objects.all(), date(2026, 3, 1), date(2026, 3, 31))
    assert len(rows) > 200 and sum(r.late for r in rows) > 0 and sum(r.absent for r in rows) > 0
    assert QueueTicket.objects.filter(day__month=3).count() > 500
    kiosks = list(Kiosk.objects.all())
    assert len(kiosks) == 19
    month = uptime(kiosks, date(2026, 3, 11), date(2026, 4, 10), UNTIL, with_outages=True)
    assert 0.95 < overall(month) < 1.0
    assert any((b - a).total_seconds() > 10 * 3600 for r in month for a, b in r.outages)  # the long outage
    assert KioskFault.objects.filter(late(UNTIL), status="open").exists()  # down now, its fault overdue
    assert AssistedService.objects.filter(kind="home", status="done").exists()
