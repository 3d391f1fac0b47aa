"""Queue tickets: waiting per window and hour, long-queue hours, windows empty at opening time;
and the import of tickets.

Monday 2 March 2026 in the district's hall (C). W01 and W02 belong to the market bureau, which
opens at 09:00; W03 to social security, open at 08:30 (the default hours).
"""

from __future__ import annotations

from datetime import date

import pytest

from govwatch.windows.models import QueueTicket, Window
from govwatch.windows.queues import (
    empty_at_opening,
    long_queue_hours,
    queue_figures,
    tickets_in,
    waits_by_window_and_hour,
)

HEADER = ["ticket_id", "unit_code", "taken_at", "called_at", "served_at", "window_code", "number"]
DAY = "2026-03-02"
TICKETS = [
    ["T1", "C", f"{DAY}T08:50:00", f"{DAY}T09:02:00", f"{DAY}T09:10:00", "W01", "A001"],  # 12 min
    ["T2", "C", f"{DAY}T08:55:00", f"{DAY}T09:30:00", f"{DAY}T09:45:00", "W02", "A002"],  # 35 min
    ["T3", "C", f"{DAY}T09:10:00", f"{DAY}T09:40:00", "", "W03", "B001"],  # 30 min
    ["T4", "C", f"{DAY}T09:20:00", "", "", "", "A003"],  # given up
    ["T5", "C", f"{DAY}T09:25:00", f"{DAY}T10:05:00", f"{DAY}T10:20:00", "W01", "A004"],  # 40 min
]


@pytest.fixture
def queued(hall, load):
    result = load("tickets", HEADER, TICKETS)
    assert (result.imported, result.rejected) == (5, 0)
    load(
        "attendance",
        ["staff_code", "at", "kind"],
        [["S1", f"{DAY}T08:55:00", "in"], ["S2", f"{DAY}T09:05:00", "in"]],  # S3 never came
    )
    return hall


def test_waits_per_window_and_hour_taken(queued):
    cells = waits_by_window_and_hour(QueueTicket.objects.all())
    w = queued["windows"]
    assert {h: (c.tickets, c.avg_wait) for h, c in cells[w["W01"].pk].items()} == {8: (1, 720), 9: (1, 2400)}
    assert {h: (c.tickets, c.avg_wait) for h, c in cells[w["W02"].pk].items()} == {8: (1, 2100)}
    assert {h: (c.tickets, c.avg_wait) for h, c in cells[w["W03"].pk].items()} == {9: (1, 1800)}


def test_hall_figures_count_the_given_up_ticket_without_a_wait(queued):
    fig = queue_figures(
        tickets_in(QueueTicket.objects.all(), date(2026, 3, 2), date(2026, 3, 2)), "unit_id", 900
    )
    hall = fig[queued["center"].pk]
    assert (hall.tickets, hall.called, hall.abandoned, hall.avg_wait, hall.max_wait) == (5, 4, 1, 1755, 2400)
    assert hall.within_target == 1 and hall.abandon_rate == 0.2


def test_long_queue_hours_are_those_waiting_over_20_minutes_on_average(queued):
    hours = long_queue_hours(QueueTicket.objects.all(), queued["calendar"])
    # 08:00 (12 and 35 minutes: 23.5) and 09:00 (30 and 40: 35); at 25 minutes only 09:00.
    assert [(h.day, h.hour, h.tickets, h.avg_wait) for h in hours] == [
        (date(2026, 3, 2), 8, 2, 1410), (date(2026, 3, 2), 9, 2, 2100),
    ]  # fmt: skip
    assert [h.hour for h in long_queue_hours(QueueTicket.objects.all(), queued["calendar"], minutes=25)] == [
        9
    ]


def test_windows_empty_at_opening(queued):
    found = empty_at_opening(Window.objects.all(), date(2026, 3, 2), date(2026, 3, 2), queued["calendar"])
    # W01: S1 in at 08:55 before 09:00, first call 09:02. W02: S2 in at 09:05, first call at 09:30
    # while T2 (taken 08:55, called 09:30) still waited at 09:10. W03: nobody came; its first call
    # at 09:40 is late, but the first ticket (08:50) came after its grace (08:40): nobody waited.
    assert [(e.window.code, e.reasons) for e in found] == [
        ("W02", ["开门时无人签到", "开门后30分钟才首次叫号，已有群众在等候"]),
        ("W03", ["开门时无人签到"]),
    ]


def test_a_silent_window_is_not_flagged_when_the_others_served_everyone(hall, load):
    # W02 first calls at 09:30, but the only early ticket (08:50) was called by W01 at 09:02.
    load(
        "tickets",
        HEADER,
        [
            ["U1", "C", f"{DAY}T08:50:00", f"{DAY}T09:02:00", "", "W01", ""],
            ["U2", "C", f"{DAY}T09:25:00", f"{DAY}T09:30:00", "", "W02", ""],
        ],
    )
    found = empty_at_opening(
        Window.objects.filter(code="W02"), date(2026, 3, 2), date(2026, 3, 2), hall["calendar"]
    )
    assert [e.reasons for e in found] == [["开门时无人签到"]]


def test_a_day_off_has_no_empty_windows(queued):
    assert (
        empty_at_opening(Window.objects.all(), date(2026, 3, 7), date(2026, 3, 8), queued["calendar"]) == []
    )


def test_tickets_are_facts_and_bad_rows_are_reported(queued, load):
    again = load("tickets", HEADER, TICKETS)
    assert (again.imported, again.duplicates) == (0, 5)
    bad = load(
        "tickets",
        HEADER,
        [
            [
                "T1",
                "C",
                f"{DAY}T08:50:00",
                f"{DAY}T09:03:00",
                f"{DAY}T09:10:00",
                "W01",
                "A001",
            ],  # changed fact
            ["T6", "C", f"{DAY}T10:00:00", f"{DAY}T09:00:00", "", "W01", ""],
            ["T7", "C", f"{DAY}T10:00:00", "", f"{DAY}T10:30:00", "W01", ""],
            ["T8", "C", f"{DAY}T10:00:00", f"{DAY}T10:10:00", "", "", ""],
            ["T9", "C", f"{DAY}T10:00:00", f"{DAY}T10:10:00", "", "W99", ""],
            ["T10", "XX", f"{DAY}T10:00:00", "", "", "", ""],
            ["T11", "C", f"{DAY}T10:00:00", f"{DAY}T10:10:00", f"{DAY}T10:05:00", "W01", ""],
            ["T12", "C", f"{DAY}T10:00:00", f"{DAY}T10:10:00", f"{DAY}T10:15:00", "W01", ""],
        ],
    )
    assert [(e["line"], e["field"]) for e in bad.document()["errors"]] == [
        (2, "ticket_id"), (3, "called_at"), (4, "called_at"), (5, "window_code"), (6, "window_code"),
        (7, "unit_code"), (8, "served_at"),
    ]  # fmt: skip
    assert bad.imported == 1 and QueueTicket.objects.get(ticket_id="T12").service_seconds == 300
    assert QueueTicket.objects.get(ticket_id="T1").wait_seconds == 720
