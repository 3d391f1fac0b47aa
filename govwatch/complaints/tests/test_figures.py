"""Complaint figures per unit and period: received, matters counted once, repeats, closed on time,
substantiated, callbacks satisfied; in `report kpi` after the other figures and on the reports page."""

from __future__ import annotations

import json
from datetime import date

from django.urls import reverse

from govwatch.cli import main
from govwatch.reports.figures import kpi_rows

HEADER = ["complaint_id", "at", "source", "content", "unit_code", "case_no", "category", "contact", "kind",
          "closed_at", "finding", "callback"]  # fmt: skip


def test_matters_are_counted_once_and_outcomes_per_unit(import_complaints, capsys, people):
    rows = [
        # The market bureau: a matter of three (same contact), one more; the social bureau: one.
        ["T1", "2026-03-02T10:00:00", "hotline", "拖延", "SC", "", "delay", "13700000001", "complaint",
         "2026-03-10T10:00:00", "substantiated", "satisfied"],
        ["T2", "2026-03-05T10:00:00", "web", "还没办", "SC", "", "delay", "13700000001", "complaint",
         "2026-04-30T10:00:00", "partly", "dissatisfied"],
        ["T3", "2026-03-09T10:00:00", "window", "还没办", "SC", "", "delay", "13700000001", "complaint", "", "", ""],
        ["T4", "2026-03-09T10:00:00", "web", "咨询", "SC", "", "", "13700000002", "consult",
         "2026-03-10T10:00:00", "", "unreachable"],
        ["T5", "2026-03-10T10:00:00", "hotline", "态度差", "RS", "", "attitude", "", "complaint",
         "2026-03-12T10:00:00", "unsubstantiated", "basically"],
        ["T6", "2026-02-10T10:00:00", "hotline", "二月的", "RS", "", "", "", "complaint", "", "", ""],
        ["T7", "2026-03-10T10:00:00", "hotline", "未分办", "", "", "", "", "complaint", "", "", ""],
    ]  # fmt: skip
    assert import_complaints(HEADER, rows).rejected == 0
    by_unit = {r["unit_code"]: r for r in kpi_rows(date(2026, 3, 1), date(2026, 3, 31))}
    sc, rs, total = by_unit["SC"], by_unit["RS"], by_unit["total"]
    assert (sc["complaints_received"], sc["complaint_matters"], sc["complaint_repeats"]) == (4, 2, 2)
    # T1 and T4 closed in March (T2 in April), both on time; T1 substantiated of one found.
    assert (sc["complaints_closed"], sc["complaints_closed_on_time"], sc["complaint_on_time_rate"]) == (
        2,
        2,
        1.0,
    )
    assert (sc["complaints_substantiated"], sc["complaint_substantiated_rate"]) == (1, 1.0)
    # T4's complainant was not reached: no callback.
    assert (
        sc["complaint_callbacks"],
        sc["complaint_callbacks_satisfied"],
        sc["complaint_satisfaction_rate"],
    ) == (1, 1, 1.0)
    assert (
        rs["complaints_received"],
        rs["complaints_substantiated"],
        rs["complaint_substantiated_rate"],
    ) == (1, 0, 0.0)
    assert rs["complaint_satisfaction_rate"] == 1.0
    assert total["complaints_received"] == 5 and total["complaint_matters"] == 3  # T7 not triaged: nowhere
    assert main(["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["rows"][-1])[-11:] == [
        "complaints_received", "complaint_matters", "complaint_repeats", "complaints_closed",
        "complaints_closed_on_time", "complaint_on_time_rate", "complaints_substantiated",
        "complaint_substantiated_rate", "complaint_callbacks", "complaint_callbacks_satisfied",
        "complaint_satisfaction_rate",
    ]  # fmt: skip
    page = people.client("leader").get(
        reverse("reports:kpi"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert page.status_code == 200 and "投诉办理" in page.text and "重复投诉数" in page.text
