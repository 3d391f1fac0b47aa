"""Kiosk uptime over opening hours, on examples computed by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from govwatch.kiosks.models import Kiosk, KioskSignal
from govwatch.kiosks.uptime import overall, overlap, up_spans, uptime

TZ = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def signals(kiosk: Kiosk, rows: list[tuple[str, str]]) -> None:
    KioskSignal.objects.bulk_create([KioskSignal(kiosk=kiosk, at=local(t), status=s) for t, s in rows])


def heartbeats(day: str, start: str, end: str, every: int = 5) -> list[tuple[str, str]]:
    t, stop = local(f"{day}T{start}"), local(f"{day}T{end}")
    out = []
    while t <= stop:
        out.append((t.isoformat(timespec="seconds")[:19], "up"))
        t += timedelta(minutes=every)
    return out


@pytest.fixture
def kiosks(region):
    street = region["street"]
    return {
        # A hall kiosk watched by heartbeats (10 minutes' silence is down), open 08:00-12:00 daily.
        "heart": Kiosk.objects.create(code="K1", name="城关街道自助终端", unit=street, hours="08:00-12:00"),
        # A 24-hour kiosk whose monitoring reports changes of status only.
        "status": Kiosk.objects.create(code="K2", name="24小时自助区1号机", unit=street, heartbeat_seconds=0),
    }


def test_up_spans_hold_until_the_next_signal_or_the_timeout():
    times = np.array([0.0, 300.0, 2000.0, 2100.0])
    up = np.array([True, True, False, True])
    assert up_spans(times, up, 600).tolist() == [[0.0, 300.0], [300.0, 900.0], [2100.0, 2700.0]]
    assert up_spans(times, up, 0).tolist() == [[0.0, 300.0], [300.0, 2000.0], [2100.0, np.inf]]


def test_overlap_counts_the_up_time_inside_each_opening_span():
    up = np.array([[0.0, 100.0], [150.0, 400.0], [500.0, 550.0]])
    opening = np.array([[50.0, 200.0], [300.0, 520.0]])
    # [50,200): 50 + 50; [300,520): 100 + 20
    assert overlap(up, opening) == 220.0


def test_heartbeats_with_a_silence_and_a_reported_outage(kiosks):
    """08:00-12:00 on Monday 2 March: heartbeats every 5 minutes from 07:50 to 09:00 (up till
    09:10), silence until 09:40 (30 minutes down), heartbeats to 10:25, a `down` at 10:30, up again
    at 10:50 (20 minutes down), heartbeats to 11:50 (up till 12:00). Open 240 minutes, down 50:
    up 190/240 = 79.17%."""
    k = kiosks["heart"]
    rows = heartbeats("2026-03-02", "07:50", "09:00") + heartbeats("2026-03-02", "09:40", "10:25")
    rows += [("2026-03-02T10:30:00", "down")] + heartbeats("2026-03-02", "10:50", "11:50")
    signals(k, rows)
    [u] = uptime([k], date(2026, 3, 2), date(2026, 3, 2), at=local("2026-03-03T00:00:00"), with_outages=True)
    assert (u.open_seconds, u.up_seconds) == (240 * 60, 190 * 60)
    assert round(u.rate, 4) == 0.7917
    assert [(a.astimezone(TZ).strftime("%H:%M"), b.astimezone(TZ).strftime("%H:%M")) for a, b in u.outages] == [
        ("09:10", "09:40"), ("10:30", "10:50"),
    ]  # fmt: skip


def test_a_status_feed_is_up_until_down_and_an_outage_over_midnight_is_one(kiosks):
    """All day on 1 and 2 March (48 hours): up since 28 February, down 23:30-00:30 and 10:00-10:06.
    Down 66 minutes of 2880: up 97.71%."""
    k = kiosks["status"]
    signals(
        k,
        [
            ("2026-02-28T20:00:00", "up"), ("2026-03-01T23:30:00", "down"), ("2026-03-02T00:30:00", "up"),
            ("2026-03-02T10:00:00", "down"), ("2026-03-02T10:06:00", "up"),
        ],
    )  # fmt: skip
    [u] = uptime([k], date(2026, 3, 1), date(2026, 3, 2), at=local("2026-03-05T00:00:00"), with_outages=True)
    assert (u.open_seconds, u.down_seconds) == (48 * 3600, 66 * 60)
    assert round(u.rate, 4) == 0.9771
    assert [(a.astimezone(TZ), b.astimezone(TZ)) for a, b in u.outages] == [
        (local("2026-03-01T23:30:00"), local("2026-03-02T00:30:00")),
        (local("2026-03-02T10:00:00"), local("2026-03-02T10:06:00")),
    ]
    assert u.up_now is True


def test_the_future_is_not_counted(kiosks):
    k = kiosks["status"]
    signals(
        k, [("2026-02-28T20:00:00", "up"), ("2026-03-02T10:00:00", "down"), ("2026-03-02T10:06:00", "up")]
    )
    [u] = uptime([k], date(2026, 3, 1), date(2026, 3, 2), at=local("2026-03-02T12:00:00"))
    assert (u.open_seconds, u.down_seconds) == (36 * 3600, 6 * 60)


def test_a_kiosk_with_no_signal_was_down_all_its_hours(kiosks):
    [u] = uptime([kiosks["heart"]], date(2026, 3, 2), date(2026, 3, 2), at=local("2026-03-03T00:00:00"))
    assert (u.open_seconds, u.up_seconds, u.rate, u.last_signal) == (4 * 3600, 0.0, 0.0, None)


def test_a_hall_kiosk_open_on_working_days_only(region):
    k = Kiosk.objects.create(
        code="K3",
        name="大厅自助机",
        unit=region["center"],
        hours="09:00-17:00",
        every_day=False,
        heartbeat_seconds=0,
    )
    signals(k, [("2026-02-27T09:00:00", "up")])
    # Saturday 28 February is a make-up working day (调休上班), Sunday 1 March is not, Monday 2 March
    # is: 16 hours open.
    [u] = uptime([k], date(2026, 2, 28), date(2026, 3, 2), at=local("2026-03-03T00:00:00"))
    assert (u.open_seconds, u.up_seconds) == (16 * 3600, 16 * 3600)


def test_the_regions_figure_weighs_each_kiosk_by_its_hours(kiosks):
    signals(kiosks["heart"], heartbeats("2026-03-02", "08:00", "11:50"))  # up 4 hours of 4
    signals(kiosks["status"], [("2026-03-02T00:00:00", "up"), ("2026-03-02T12:00:00", "down")])  # 12 of 24
    rows = uptime(list(kiosks.values()), date(2026, 3, 2), date(2026, 3, 2), at=local("2026-03-03T00:00:00"))
    assert overall(rows) == (4 + 12) / (4 + 24)
