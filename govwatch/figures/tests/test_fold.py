"""The daily figures kept up to date by folding the writers' marks equal those rebuilt from the facts,
and the figures read from them equal those counted from the raw rows (`kpi_rows_raw`); figures of a
past period kept between reads (govwatch.figures.memo) are served only while no fold rewrote a day
of the period."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from govwatch.audit.log import Actor
from govwatch.cases.models import StaleDay
from govwatch.complaints import handling
from govwatch.complaints.models import Complaint
from govwatch.core.localtime import local_tz
from govwatch.core.tables import object_table
from govwatch.core.tree import subtree
from govwatch.evaluations import rectification as loop
from govwatch.evaluations.models import Evaluation, RectificationTask
from govwatch.evaluations.rectification import open_tasks_for_imported
from govwatch.figures.fold import CHANNEL_VALUES, COMPLAINT_VALUES, fold, overdue_spans, rebuild
from govwatch.figures.memo import remembered_many
from govwatch.figures.models import (
    FiguresMemo,
    UnitChannelMonth,
    UnitChannelYear,
    UnitComplaintMonth,
    UnitComplaintYear,
    UnitDay,
    UnitMonth,
    UnitYear,
)
from govwatch.figures.read import (
    MONTH,
    YEAR,
    Piece,
    channel_counts,
    channel_counts_raw,
    complaint_table,
    figures_for,
    level_rows,
    pieces,
    remembered_totals,
    scope_totals,
    unit_table,
)
from govwatch.figures.rows import Period
from govwatch.figures.tables import UnitTable
from govwatch.imports.kinds import FIELDS
from govwatch.imports.runs import run_import_records
from govwatch.orgs.models import Unit
from govwatch.reports.figures import kpi_rows, kpi_rows_raw
from govwatch.workcal.calendar import get_calendar

FIRST = date(2026, 3, 2)
SYSTEM = Actor("system:test")
DAYS = 75
ITEMS = ("I9", "I2", "I0")


def _at(day: int, minute: int) -> str:
    moment = datetime.combine(FIRST + timedelta(days=day), datetime.min.time(), tzinfo=local_tz())
    return (moment + timedelta(minutes=minute)).isoformat()


@st.composite
def case_stories(draw, case_no: str):
    """One case's events (at most one closing) and perhaps its evaluation, as import records."""
    day = draw(st.integers(0, DAYS - 20))
    minute = draw(st.integers(8 * 60, 18 * 60))
    events = [
        {
            "case_no": case_no,
            "event": "accept",
            "at": _at(day, minute),
            "item_code": draw(st.sampled_from(ITEMS)),
        }
    ]
    for _ in range(draw(st.integers(0, 2))):
        day += draw(st.integers(0, 6))
        minute = draw(st.integers(minute if day == 0 else 0, 23 * 60))
        events.append({"case_no": case_no, "event": "suspend", "at": _at(day, minute)})
        if draw(st.booleans()):
            day += draw(st.integers(0, 8))
            events.append({"case_no": case_no, "event": "resume", "at": _at(day, minute + 1)})
        else:
            break
    closing = draw(st.sampled_from(["complete", "complete", "reject", "withdraw", None]))
    if closing and events[-1]["event"] != "suspend":
        day += draw(st.integers(0, 20))
        events.append({"case_no": case_no, "event": closing, "at": _at(day, minute + 2)})
    evaluation = None
    if draw(st.booleans()):
        evaluation = {
            "eval_id": f"E-{case_no}",
            "case_no": case_no,
            "level": draw(st.integers(1, 5)),
            "at": _at(min(day + draw(st.integers(0, 5)), DAYS), draw(st.integers(0, 23 * 60))),
            "auto": draw(st.booleans()),
            "channel": draw(st.sampled_from(["device", "qr", "sms", "web"])),
        }
        # A negative review's unit may appeal, and the office uphold it (申诉成立).
        evaluation["upheld"] = draw(st.booleans())
    return events, evaluation


@st.composite
def complaint_stories(draw, complaint_id: str):
    """One complaint as the source system exports it: perhaps closed already, with a finding and a
    callback; a contact shared with others (a repeat of their matter); a unit or none yet."""
    day = draw(st.integers(0, DAYS - 10))
    record = {
        "complaint_id": complaint_id,
        "at": _at(day, draw(st.integers(0, 23 * 60))),
        "source": "hotline",
        "content": "办事排队时间太长",
        "unit_code": draw(st.sampled_from(["RS", "SC", "ST1", ""])),
        "contact": draw(st.sampled_from(["", "13800000001", "13800000002"])),
    }
    if record["unit_code"] and draw(st.booleans()):
        record["closed_at"] = _at(day + draw(st.integers(0, 40)), draw(st.integers(0, 23 * 60)))
        record["finding"] = draw(st.sampled_from(["", "substantiated", "partly", "unsubstantiated"]))
        record["callback"] = draw(
            st.sampled_from(["", "satisfied", "basically", "dissatisfied", "unreachable"])
        )
    return record


@st.composite
def streams(draw):
    """Random cases' events, evaluations and complaints, dealt into batches; a complaint stored by an
    earlier batch may be reopened or sent back by a later one."""
    stories = []  # a case's events and evaluation; a complaint and what the office does with it
    for i in range(draw(st.integers(1, 8))):
        events, evaluation = draw(case_stories(f"R{i}"))
        stories.append([("cases", e) for e in events] + ([("evaluations", evaluation)] if evaluation else []))
    for i in range(draw(st.integers(0, 5))):
        stories.append([("complaints", draw(complaint_stories(f"TS{i}")))])
        if draw(st.booleans()):
            action = draw(st.sampled_from(["move", "close"]))
            stories[-1].append(
                ("handle", {"complaint_id": f"TS{i}", "at": _at(DAYS - 5, i), "action": action})
            )
    batches = draw(st.integers(1, 4))
    if draw(st.booleans()):
        # Any record in any batch: a case's later events, its evaluation, a complaint's handling
        # may come batches apart, or before what they follow.
        dealt = [(r, draw(st.integers(0, batches - 1))) for story in stories for r in story]
    else:
        # The stories as the days' exports bring them, each batch's begun after the last one's:
        # a later batch folds later days, so what was kept of a period before them is served again
        # (dealt in any order, a later batch mostly rewrites an early day and nothing kept is served).
        stories.sort(key=lambda story: story[0][1]["at"])
        # Every batch after the first begins with a story (when there are two): a batch to fold.
        cuts = sorted(draw(st.integers(1, max(len(stories) - 1, 1))) for _ in range(batches - 1))
        dealt = [(r, bisect_right(cuts, i)) for i, story in enumerate(stories) for r in story]
    # Events of a case mostly arrive in order: sort each batch by time, as a day's export would be.
    return [sorted((r for r, b in dealt if b == k), key=lambda r: r[1]["at"]) for k in range(batches)]


def _import(kind: str, records: list[dict]) -> None:
    if records:
        run_import_records(kind, object_table(records, FIELDS[kind]), operator_label="test", filename="test")


def _uphold(eval_ids: set[str]) -> set[str]:
    """Appeal and uphold the negative reviews among `eval_ids` that are stored (not waiting for their
    case) through the loop's services; returns those still to come."""
    stored = Evaluation.objects.negative().filter(eval_id__in=eval_ids, auto=False)
    for evaluation in stored:
        open_tasks_for_imported([evaluation.pk], at=evaluation.at)
        task = RectificationTask.objects.get(evaluation=evaluation)
        loop.do_appeal(SYSTEM, task, "评价对象错误", at=evaluation.at + timedelta(hours=1))
        loop.do_decide_appeal(
            SYSTEM, task, upheld=True, comment="申诉成立", at=evaluation.at + timedelta(hours=2)
        )
    return eval_ids - set(Evaluation.objects.filter(eval_id__in=eval_ids).values_list("eval_id", flat=True))


def _handle(records: list[dict]) -> None:
    """Through the complaints' services, an open complaint is sent back and triaged to another unit
    (its figures move from one unit to the other), or handled to its close: found, replied, called
    back (a dissatisfied complainant has it reopened first) and closed."""
    for r in records:
        complaint = Complaint.objects.filter(complaint_id=r["complaint_id"]).first()
        if complaint is None or complaint.status != Complaint.Status.ASSIGNED:
            continue
        at = datetime.fromisoformat(r["at"])
        if r["action"] == "move":
            handling.do_send_back(SYSTEM, complaint, "不属于本单位职责", at=at)
            handling.do_triage(SYSTEM, complaint, unit=Unit.objects.get(code="ST"), at=at)
            continue
        for result in ("dissatisfied", "satisfied"):
            handling.do_find(SYSTEM, complaint, finding="partly", text="部分属实", at=at)
            handling.do_reply(SYSTEM, complaint, reply="已整改", at=at)
            handling.do_callback(SYSTEM, complaint, result=result, note="电话回访", at=at)
            if result == "dissatisfied":
                handling.do_reopen(SYSTEM, complaint, "群众不满意", at=at)
        handling.do_close(SYSTEM, complaint, at=at + timedelta(days=3))


def _table() -> list[tuple]:
    days = sorted(UnitDay.objects.values_list("unit_id", "day", *_VALUES))
    months = sorted(UnitMonth.objects.values_list("unit_id", "month", *_VALUES))
    years = sorted(UnitYear.objects.values_list("unit_id", "year", *_VALUES))
    channels = sorted(UnitChannelMonth.objects.values_list("unit_id", "month", "channel", *CHANNEL_VALUES))
    channel_years = sorted(UnitChannelYear.objects.values_list("unit_id", "year", "channel", *CHANNEL_VALUES))
    complaints = sorted(UnitComplaintMonth.objects.values_list("unit_id", "month", *COMPLAINT_VALUES))
    complaint_years = sorted(UnitComplaintYear.objects.values_list("unit_id", "year", *COMPLAINT_VALUES))
    return [
        *days, "months", *months, "years", *years, "channels", *channels, "channel years", *channel_years,
        "complaints", *complaints, "complaint years", *complaint_years,
    ]  # fmt: skip


# Whole months, a month and its neighbours' edges, a single day: the month rows and the day rows;
# the year, the year so far and a period across the new year: the year rows less what is outside.
FIXED_PERIODS = [
    (date(2026, 3, 1), date(2026, 5, 31)),
    (date(2026, 4, 1), date(2026, 4, 30)),
    (date(2026, 3, 15), date(2026, 5, 10)),
    (date(2026, 4, 30), date(2026, 4, 30)),
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 1, 1), date(2026, 4, 20)),
    (date(2025, 12, 20), date(2026, 5, 3)),
]


_VALUES = (
    "received", "completed", "completed_on_time", "level_5", "level_4", "level_3", "level_2", "level_1",
    "upheld_5", "upheld_4", "upheld_3", "upheld_2", "upheld_1", "evaluated", "actively_evaluated",
    "overdue_change",
)  # fmt: skip


# Half the streams on PostgreSQL: CI's SQLite step has run all of them through the same Python, and
# what the engine changes (the SQL of the imports, the fold and the reads) every stream goes through.
# 30, not 40: streams dealt in time order and the periods ending at a batch's edge have a kept table
# served in 80 % of the examples (Hypothesis's statistics, 30 examples), where 40 examples dealt in
# any order had one in 23-46 %.
EXAMPLES = 30 if connection.vendor == "sqlite" else 15


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stream=streams(),
    periods=st.lists(st.tuples(st.integers(0, DAYS), st.integers(0, 30)), min_size=1, max_size=3),
)
def test_folded_figures_equal_rebuilt_ones_after_any_event_stream(region, stream, periods):
    chosen = [(FIRST + timedelta(days=s), FIRST + timedelta(days=s + n)) for s, n in periods]
    # The periods that end the day before a later batch's first record: read (and kept) before that
    # batch, then served after its fold if the fold rewrote none of their days, the edge of an epoch.
    firsts = [
        min(datetime.fromisoformat(r["at"]).date() for _kind, r in batch) for batch in stream[1:] if batch
    ]
    edges = [Period(FIRST, day - timedelta(days=1)) for day in firsts if day > FIRST]
    with transaction.atomic():
        to_uphold: set[str] = set()
        below = Unit.objects.filter(subtree(Unit.objects.get(code="ST").path)).values("pk")
        for batch in stream:
            _import("cases", [r for kind, r in batch if kind == "cases"])
            evaluations = [r for kind, r in batch if kind == "evaluations"]
            _import("evaluations", [{k: v for k, v in r.items() if k != "upheld"} for r in evaluations])
            to_uphold = _uphold(to_uphold | {r["eval_id"] for r in evaluations if r["upheld"]})
            _import("complaints", [r for kind, r in batch if kind == "complaints"])
            _handle([r for kind, r in batch if kind == "handle"])
            fold()
            assert not StaleDay.objects.exists()
            # What was kept of a period from an earlier batch is served only if still right.
            for period in [Period(*p) for p in chosen + FIXED_PERIODS[:2]] + edges:
                for only in (None, below):
                    _kept_is_right(unit_table, period, only)
                    _kept_is_right(complaint_table, period, only)
        folded = _table()
        for date_from, date_to in chosen + FIXED_PERIODS:
            assert kpi_rows(date_from, date_to) == kpi_rows_raw(date_from, date_to)
            assert kpi_rows(date_from, date_to, "ST") == kpi_rows_raw(date_from, date_to, "ST")
            for only in (None, below):
                assert channel_counts(Period(date_from, date_to), only) == channel_counts_raw(
                    date_from, date_to, only
                )
        rebuild()
        assert _table() == folded
        transaction.set_rollback(True)


def test_a_case_overdue_then_suspended_counts_until_its_suspension(shipped_calendar):
    cal = get_calendar()
    # Due 03-04 (2 working days from Monday 03-02), overdue from 03-05, suspended on 03-09 for good.
    spans = overdue_spans(date(2026, 3, 2), None, date(2026, 3, 30), 2, [(date(2026, 3, 9), None, 0)], cal)
    assert spans == [(date(2026, 3, 5), date(2026, 3, 9))]


def test_a_late_case_counts_from_the_day_after_its_due_date_to_the_day_before_closing(shipped_calendar):
    spans = overdue_spans(date(2026, 3, 2), date(2026, 3, 10), date(2026, 3, 4), 2, [], get_calendar())
    assert spans == [(date(2026, 3, 5), date(2026, 3, 10))]
    assert overdue_spans(date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 4), 2, [], get_calendar()) == []


def test_report_kpi_equals_the_raw_count_and_the_roll_up_sums_the_subtree(region, march_like):
    for date_from, date_to in [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 10), date(2026, 4, 20))]:
        assert kpi_rows(date_from, date_to) == kpi_rows_raw(date_from, date_to)
        *_, total = kpi_rows_raw(date_from, date_to)
        root = Unit.objects.get(code="D")
        # figures_for gives the contract's and the negative-review loop's columns of `report kpi`.
        mine = figures_for(root, date_from, date_to)
        assert mine == {**{k: total[k] for k in mine}, "unit_code": "D", "unit_name": root.name}
        street = Unit.objects.get(code="ST")
        *_, street_total = kpi_rows_raw(date_from, date_to, "ST")
        mine = figures_for(street, date_from, date_to)
        assert mine == {**{k: street_total[k] for k in mine}, "unit_code": "ST", "unit_name": street.name}
        level = level_rows(root, date_from, date_to, Unit.objects.all())
        rolled = {r.unit.code: r.rolled for r in level.rows}
        assert rolled["ST"] == figures_for(street, date_from, date_to)
        assert level.total == figures_for(root, date_from, date_to)


def test_rebuild_reports_its_rows_and_clears_the_marks(region, march_like):
    assert StaleDay.objects.exists()
    result = rebuild()
    assert result["rows"] == UnitDay.objects.count() > 0
    assert not StaleDay.objects.exists()


@pytest.fixture
def march_like(region):
    """A few cases and evaluations of March and April through the importer."""
    events = [
        {"case_no": "A1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I2"},
        {"case_no": "A1", "event": "complete", "at": "2026-03-09T10:00:00"},
        {"case_no": "A2", "event": "accept", "at": "2026-03-03T09:00:00", "item_code": "I9"},
        {"case_no": "A2", "event": "suspend", "at": "2026-03-05T09:00:00"},
        {"case_no": "A2", "event": "resume", "at": "2026-03-20T09:00:00"},
        {"case_no": "A3", "event": "accept", "at": "2026-03-04T09:00:00", "item_code": "I0"},
        {"case_no": "A4", "event": "accept", "at": "2026-03-04T09:00:00", "item_code": "I0"},
        {"case_no": "A4", "event": "complete", "at": "2026-03-04T11:00:00"},
    ]
    _import("cases", events)
    _import(
        "evaluations",
        [
            {"eval_id": "E1", "case_no": "A1", "level": 2, "at": "2026-03-10T08:00:00"},
            {"eval_id": "E2", "case_no": "A4", "level": 5, "at": "2026-04-01T08:00:00", "auto": "1"},
        ],
    )


def test_an_evaluation_before_its_case_counts_once_the_case_arrives(region):
    _import(
        "evaluations",
        [{"eval_id": "EP", "case_no": "LATE1", "unit_code": "RS", "level": 1, "at": "2026-03-10T08:00:00"}],
    )
    march = (date(2026, 3, 1), date(2026, 3, 31))
    # Kept pending (contract section 8): out of the figures.
    assert kpi_rows(*march)[-1]["evaluations"] == 0
    _import(
        "cases",
        [
            {"case_no": "LATE1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I2"},
            {"case_no": "LATE1", "event": "complete", "at": "2026-03-03T09:00:00"},
        ],
    )
    *_, total = kpi_rows(*march)
    assert (total["evaluations"], total["negative"], total["evaluation_rate"]) == (1, 1, 1.0)
    assert kpi_rows(*march) == kpi_rows_raw(*march)


def test_an_upheld_appeal_marks_its_day_and_leaves_the_negative_count(region, march_like):
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert kpi_rows(*march)[-1]["negative"] == 1  # E1, level 2, folded
    assert not StaleDay.objects.exists()
    evaluation = Evaluation.objects.get(eval_id="E1")
    _uphold({"E1"})
    assert StaleDay.objects.filter(unit=evaluation.unit).exists()
    *_, total = kpi_rows(*march)
    assert (total["negative"], total["negative_excluded"], total["evaluations"]) == (0, 1, 1)
    assert total["satisfaction_rate"] == 0.0
    assert kpi_rows(*march) == kpi_rows_raw(*march)
    folded = _table()
    rebuild()
    assert _table() == folded


def _days_of(piece: Piece) -> list[date]:
    """The days whose rows `piece` reads."""
    if piece.level == YEAR:
        first, last = piece.first, piece.first.replace(month=12, day=31)
    elif piece.level == MONTH:
        first = piece.first
        last = (piece.last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    else:
        first, last = piece.first, piece.last
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@given(start=st.dates(date(2024, 1, 1), date(2027, 12, 31)), length=st.integers(0, 800))
def test_the_pieces_of_a_period_count_each_of_its_days_once_and_no_other(start, length):
    period = Period(start, start + timedelta(days=length))
    counted: dict[date, int] = {}
    for piece in pieces(period):
        for day in _days_of(piece):
            counted[day] = counted.get(day, 0) + piece.sign
    inside = {start + timedelta(days=i) for i in range(length + 1)}
    assert {day for day, n in counted.items() if n} == inside
    assert all(counted[day] == 1 for day in inside)


def test_a_year_and_the_year_so_far_are_read_from_the_year_rows():
    assert pieces(Period(date(2026, 1, 1), date(2026, 12, 31))) == [
        Piece(1, YEAR, date(2026, 1, 1), date(2026, 1, 1))
    ]
    # Late in the year: the year row less December's row (empty while December is to come).
    assert pieces(Period(date(2026, 1, 1), date(2026, 11, 30))) == [
        Piece(1, YEAR, date(2026, 1, 1), date(2026, 1, 1)),
        Piece(-1, MONTH, date(2026, 12, 1), date(2026, 12, 1)),
    ]
    # A quarter stays three month rows.
    assert pieces(Period(date(2026, 4, 1), date(2026, 6, 30))) == [
        Piece(1, MONTH, date(2026, 4, 1), date(2026, 6, 1))
    ]


MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def _kept_is_right(read, period: Period, only) -> None:
    """`read(period, only, remember=True)` equals a fresh read when it served a kept table. When it
    stored one instead, what it returned is the fresh read itself (`memo.remembered_many`), so the
    comparison is made only when nothing was stored: half the reads of the property test."""
    before = set(FiguresMemo.objects.values_list("key", "epoch", "stored_at"))
    kept = read(period, only, remember=True)
    if set(FiguresMemo.objects.values_list("key", "epoch", "stored_at")) == before:
        event("a kept table served")
        assert _same(kept, read(period, only))


def _same(a: UnitTable, b: UnitTable) -> bool:
    """The same counts for every unit. A unit whose rows cancel out in the period has a line of zeros
    or none, as the rows stood when the table was read (a later day's complaint adds one to the
    month row and to the days cut off): no line and a line of zeros are the same counts."""

    def counted(t: UnitTable) -> dict[int, list[int]]:
        return {u: v for u, v in zip(t.ids.tolist(), t.values.tolist(), strict=True) if any(v)}

    return a.names == b.names and counted(a) == counted(b)


def _stored() -> dict[str, int]:
    return dict(FiguresMemo.objects.values_list("key", "epoch"))


def test_a_remembered_period_equals_its_reading_for_the_region_and_a_subtree(region, march_like):
    fold()
    street = Unit.objects.filter(code="ST").values("pk")
    for only in (None, street):
        assert _same(unit_table(MARCH, only, remember=True), unit_table(MARCH, only))
        assert _same(complaint_table(MARCH, only, remember=True), complaint_table(MARCH, only))
        # Read a second time: served from what was kept, still equal.
        assert _same(unit_table(MARCH, only, remember=True), unit_table(MARCH, only))
    for units in (None, Unit.objects.filter(code="ST")):
        assert remembered_totals([MARCH], units) == [scope_totals(MARCH.date_from, MARCH.date_to, units)]


def test_a_later_days_fold_keeps_a_remembered_period_and_an_earlier_one_has_it_computed_again(
    region, march_like
):
    fold()
    before = unit_table(MARCH, None, remember=True)
    kept = _stored()
    # A case of April: March's rows stand, and so does what was kept of March.
    _import("cases", [{"case_no": "B1", "event": "accept", "at": "2026-04-20T09:00:00", "item_code": "I2"}])
    assert _same(unit_table(MARCH, None, remember=True), before)
    assert _stored() == kept
    # A case of March, imported late: March is read again and counts it.
    _import("cases", [{"case_no": "B2", "event": "accept", "at": "2026-03-30T09:00:00", "item_code": "I2"}])
    after = unit_table(MARCH, None, remember=True)
    assert _stored() != kept
    assert _same(after, unit_table(MARCH, None))
    assert after.values[:, after.names.index("received")].sum() == (
        before.values[:, before.names.index("received")].sum() + 1
    )


def test_a_table_computed_while_a_fold_landed_is_not_served_again(region, march_like):
    """The epoch is read before the table is computed: rows folded in between leave what was stored
    under the older epoch, so the next read computes it again."""
    fold()
    calls = []

    def compute_then_import():
        table = unit_table(MARCH, None)
        if not calls:
            _import(
                "cases",
                [{"case_no": "B3", "event": "accept", "at": "2026-03-30T09:00:00", "item_code": "I2"}],
            )
            fold()
        calls.append(1)
        return table

    (first,) = remembered_many([("units:test", MARCH.date_to, compute_then_import)])
    (second,) = remembered_many([("units:test", MARCH.date_to, compute_then_import)])
    assert len(calls) == 2
    assert _same(second, unit_table(MARCH, None))
    assert not _same(first, second)


def test_a_database_opened_read_only_computes_the_tables_and_keeps_none(region, march_like, settings):
    # The pages benchmark reads a region it must not change (its settings set READ_ONLY).
    fold()
    settings.READ_ONLY = True
    calls = []

    def compute():
        calls.append(1)
        return unit_table(MARCH, None)

    (first,) = remembered_many([("units:read-only", MARCH.date_to, compute)])
    (second,) = remembered_many([("units:read-only", MARCH.date_to, compute)])
    assert len(calls) == 2 and not FiguresMemo.objects.exists()
    assert _same(first, second) and _same(first, unit_table(MARCH, None))
