"""Evaluations waiting for their case (contract section 8).

An imported or pushed evaluation whose case_no GovWatch does not have is kept as a
`PendingEvaluation` (with its unit_code; without one it is refused), outside the figures. When the
case arrives, `link_arrived_cases` moves it, as it was recorded, into `Evaluation`: from then on it
counts, opens its negative-review task like any imported evaluation, and the data checks look at it
as an evaluation of that case. It is one INSERT ... SELECT and one DELETE, whatever the number.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection, transaction

from govwatch.cases.stale import mark_stale
from govwatch.core.localtime import local_date, local_tz

from .models import Evaluation, PendingEvaluation

# Copied as they are; the columns Evaluation has of its own take their defaults.
_SHARED = (
    "eval_id", "level", "at", "channel", "window_code", "evaluator_hash", "evaluator_enc", "auto", "comment",
    "digest", "import_run_id", "unit_id",
)  # fmt: skip
_EMPTY_JSON = {"postgresql": ("'{}'::jsonb", "'[]'::jsonb")}


def _mark_moved(rows: list[tuple]) -> None:
    tz = local_tz()
    marks = []
    for unit_id, at, case_unit_id, closed_on in rows:
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        marks.append((unit_id, local_date(at, tz)))
        if closed_on:
            marks.append(
                (case_unit_id, closed_on if isinstance(closed_on, date) else date.fromisoformat(closed_on))
            )
    mark_stale(marks)


def link_arrived_cases() -> int:
    """Move every pending evaluation whose case now exists into `Evaluation`; how many moved."""
    q = connection.ops.quote_name
    pending = q(PendingEvaluation._meta.db_table)
    target = q(Evaluation._meta.db_table)
    cases = q(Evaluation._meta.get_field("case").related_model._meta.db_table)
    arrived = f"EXISTS (SELECT 1 FROM {cases} c WHERE c.case_no = {pending}.case_no)"
    # Deleted only once copied: a case committed between the two statements (PostgreSQL reads
    # each statement afresh) must not take a pending row that was not copied.
    copied = f"EXISTS (SELECT 1 FROM {target} e WHERE e.eval_id = {pending}.eval_id)"
    scores, tags = _EMPTY_JSON.get(connection.vendor, ("'{}'", "'[]'"))
    columns = ", ".join(q(c) for c in _SHARED)
    with transaction.atomic(), connection.cursor() as cursor:
        # The figures they now count in: their own day under their unit, and their case's completion.
        cursor.execute(
            f"SELECT p.unit_id, p.at, c.unit_id, c.closed_on FROM {pending} p JOIN {cases} c ON c.case_no = p.case_no"
            f" WHERE NOT EXISTS (SELECT 1 FROM {target} e WHERE e.eval_id = p.eval_id)"
        )
        _mark_moved(cursor.fetchall())
        cursor.execute(
            f"INSERT INTO {target} ({columns}, case_no, scores, tags, appeal_upheld) "
            f"SELECT {columns}, case_no, {scores}, {tags}, %s FROM {pending} WHERE {arrived} AND NOT {copied}",
            [False],
        )
        moved = cursor.rowcount
        if moved:
            cursor.execute(f"DELETE FROM {pending} WHERE {copied}")
    return moved
