"""Evaluations waiting for their case (contract section 8).

An imported or pushed evaluation whose case_no GovWatch does not have is kept as a
`PendingEvaluation` (with its unit_code; without one it is refused), outside the figures. When the
case arrives, `link_arrived_cases` moves it, as it was recorded, into `Evaluation`: from then on it
counts, opens its negative-review task like any imported evaluation, and the data checks look at it
as an evaluation of that case. It is one INSERT ... SELECT and one DELETE, whatever the number.
"""

from __future__ import annotations

from django.db import connection, transaction

from .models import Evaluation, PendingEvaluation

# Copied as they are; the columns Evaluation has of its own take their defaults.
_SHARED = (
    "eval_id", "level", "at", "channel", "window_code", "evaluator_hash", "evaluator_enc", "auto", "comment",
    "digest", "import_run_id", "unit_id",
)  # fmt: skip
_EMPTY_JSON = {"postgresql": ("'{}'::jsonb", "'[]'::jsonb")}


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
        cursor.execute(
            f"INSERT INTO {target} ({columns}, case_no, scores, tags, appeal_upheld) "
            f"SELECT {columns}, case_no, {scores}, {tags}, %s FROM {pending} WHERE {arrived} AND NOT {copied}",
            [False],
        )
        moved = cursor.rowcount
        if moved:
            cursor.execute(f"DELETE FROM {pending} WHERE {copied}")
    return moved
