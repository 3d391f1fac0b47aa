"""The gold-medal window: a quarter's ranking computed by hand, ties, the round and its certificate.

The first quarter of 2026 in the test district, rules of 30/25/15/15/15 (satisfaction, on time,
complaints, attendance, queue), 10 points a complaint, a 15-minute wait target, a volume of 2:

| window | satisfaction | on time    | complaints | attendance   | queue       | score                      |
| W01    | 3/4 = 75.00  | 2/2 = 100  | 1: 90.00   | no staff     | 3/4 = 75.00 | 7225/85 = 85.00            |
| W02    | 2/2 = 100    | 1/2 = 50   | 0: 100     | 0/59 = 0.00  | 2/2 = 100   | 7250/100 = 72.50           |
| W03    | 1/1 = 100    | 1/1 = 100  | 1: 90.00   | no staff     | 1/4 = 25.00 | 7225/85 = 85.00            |
| W04    | —            | 1/1 = 100  | 0: 100     | no staff     | —           | 100.00, volume 1: unranked |
W01 and W03 tie at 85.00 and share rank 1; W02 is third (competition ranking: 1, 1, 3).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.complaints.models import Complaint
from govwatch.evaluations.models import Evaluation
from govwatch.tests.fixtures import build_case
from govwatch.windows.documents import certificate_docx
from govwatch.windows.gold import (
    GoldError,
    Rules,
    competition_ranks,
    do_award,
    do_rank,
    do_set_rules,
    quarter_bounds,
    score_windows,
)
from govwatch.windows.models import GoldRound, QueueTicket, Staff, Window

TZ = ZoneInfo("Asia/Shanghai")
RULES = Rules(min_volume=2, medals=2)


def at(day: str, hm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=TZ)


@pytest.fixture
def quarter(region):
    root, market, social = region["root"], region["market"], region["social"]
    windows = {
        code: Window.objects.create(code=code, unit=unit, region=root, name=f"{code}窗口")
        for code, unit in (("W01", market), ("W02", market), ("W03", social), ("W04", social))
    }
    Staff.objects.create(staff_code="S2", name="李强", unit=market, window=windows["W02"])
    i9, i2 = region["items"]["I9"], region["items"]["I2"]
    on_time = [("accept", at("2026-02-02")), ("complete", at("2026-02-03"))]
    late = [("accept", at("2026-03-02")), ("complete", at("2026-03-20"))]
    cases = {
        "A1": build_case("A1", i9, on_time, window_code="W01"),
        "A2": build_case("A2", i9, on_time, window_code="W01"),
        "B1": build_case("B1", i2, on_time, window_code="W02"),
        "B2": build_case("B2", i2, late, window_code="W02"),
        "C1": build_case("C1", i2, on_time, window_code="W03"),
        "D1": build_case("D1", i2, on_time, window_code="W04"),
        # Completed in the second quarter: not this quarter's.
        "A3": build_case(
            "A3", i9, [("accept", at("2026-03-30")), ("complete", at("2026-04-01"))], window_code="W01"
        ),
    }
    levels = {"W01": [5, 5, 4, 2], "W02": [5, 4], "W03": [4]}
    n = 0
    for code, ls in levels.items():
        for level in ls:
            n += 1
            Evaluation.objects.create(
                eval_id=f"E{n}", level=level, at=at("2026-02-10"), unit=market, window_code=code, digest="-"
            )
    # A review shown mistaken on appeal, and one of another quarter: neither counts.
    Evaluation.objects.create(
        eval_id="E-appeal",
        level=1,
        at=at("2026-02-11"),
        unit=market,
        window_code="W01",
        appeal_upheld=True,
        digest="-",
    )
    Evaluation.objects.create(
        eval_id="E-q2", level=1, at=at("2026-04-02"), unit=market, window_code="W01", digest="-"
    )
    for cid, case in (("T1", cases["A1"]), ("T2", cases["C1"])):
        Complaint.objects.create(
            complaint_id=cid, at=at("2026-02-20"), source="hotline", content="办事不便", unit=case.unit, case=case,
            digest="-",
        )  # fmt: skip
    waits = {"W01": [60, 300, 900, 901], "W02": [10, 20], "W03": [100, 1000, 2000, 3000]}
    k = 0
    for code, ws in waits.items():
        for wait in ws:
            k += 1
            taken = at("2026-02-10", "09:00")
            QueueTicket.objects.create(
                ticket_id=f"Q{k}", unit=region["center"], window=windows[code], taken_at=taken,
                called_at=taken + timedelta(seconds=wait), day=taken.date(), taken_second=9 * 3600, wait_seconds=wait,
                digest="-",
            )  # fmt: skip
    # Given up (never called): not at any window.
    QueueTicket.objects.create(
        ticket_id="Q-gone", unit=region["center"], taken_at=at("2026-02-10", "09:00"), day=at("2026-02-10").date(),
        taken_second=9 * 3600, digest="-",
    )  # fmt: skip
    return {**region, "windows": windows}


def test_quarter_bounds():
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(GoldError):
        quarter_bounds(2026, 5)


def test_competition_ranks_share_a_rank_and_skip_the_next():
    scores = {1: Decimal("90.00"), 2: Decimal("85.00"), 3: Decimal("85.00"), 4: Decimal("80.00")}
    assert competition_ranks(scores) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_the_quarters_ranking_as_computed_by_hand(quarter):
    scored = score_windows(quarter["root"], 2026, 1, RULES)
    table = {
        s.window.code: (
            {p: (str(v) if v is not None else None) for p, v in s.parts.items()},
            str(s.score),
            s.rank,
            s.medal,
        )
        for s in scored
    }
    assert table["W01"] == (
        {"satisfaction": "75.00", "on_time": "100.00", "complaints": "90.00", "attendance": None, "queue": "75.00"},
        "85.00", 1, True,
    )  # fmt: skip
    assert table["W02"] == (
        {"satisfaction": "100.00", "on_time": "50.00", "complaints": "100.00", "attendance": "0.00", "queue": "100.00"},
        "72.50", 3, False,
    )  # fmt: skip
    assert table["W03"] == (
        {"satisfaction": "100.00", "on_time": "100.00", "complaints": "90.00", "attendance": None, "queue": "25.00"},
        "85.00", 1, True,
    )  # fmt: skip
    assert table["W04"][1:] == ("100.00", None, False)
    assert [s.window.code for s in scored] == ["W01", "W03", "W02", "W04"]
    # 2026Q1: January 21 working days (New Year off, Sunday the 4th on), February 16, March 22.
    assert scored[2].basis.staff_days == 59


def test_windows_tied_at_the_last_medal_rank_all_get_the_medal(quarter):
    scored = score_windows(quarter["root"], 2026, 1, Rules(min_volume=2, medals=1))
    assert {s.window.code for s in scored if s.medal} == {"W01", "W03"}


def test_weights_change_the_order(quarter):
    # Queue only: W02 (100) before W01 (75) before W03 (25).
    only_queue = Rules(satisfaction=0, on_time=0, complaints=0, attendance=0, queue=1, min_volume=2)
    assert [s.window.code for s in score_windows(quarter["root"], 2026, 1, only_queue)][:3] == [
        "W02",
        "W01",
        "W03",
    ]


def test_a_round_is_drafted_recomputed_awarded_then_frozen(quarter, people):
    office = people.actor("office")
    do_set_rules(office, quarter["root"], RULES)
    round_ = do_rank(office, quarter["root"], 2026, 1, at=at("2026-03-15"))
    assert round_.status == GoldRound.Status.DRAFT and round_.rules["medals"] == 2
    with pytest.raises(GoldError, match="季度结束"):
        do_award(office, round_, at=at("2026-03-31", "18:00"))
    again = do_rank(office, quarter["root"], 2026, 1, at=at("2026-04-01"))
    assert again.pk == round_.pk and again.entries.count() == 4
    awarded = do_award(office, again, at=at("2026-04-02"))
    medals = list(awarded.entries.filter(medal=True).order_by("certificate_no"))
    assert [(e.window.code, e.certificate_no) for e in medals] == [
        ("W01", "金牌〔2026〕101号"),
        ("W03", "金牌〔2026〕102号"),
    ]
    # Rules changed later change nothing awarded.
    do_set_rules(office, quarter["root"], Rules(medals=5))
    with pytest.raises(GoldError, match="已评定"):
        do_rank(office, quarter["root"], 2026, 1, at=at("2026-04-03"))
    assert GoldRound.objects.get(pk=round_.pk).rules["medals"] == 2


def test_only_the_office_ranks_and_awards(quarter, people):
    for name in ("supervisor", "leader", "market_staff"):
        with pytest.raises(PermissionDenied):
            do_rank(people.actor(name), quarter["root"], 2026, 1, at=at("2026-04-01"))
    with pytest.raises(GoldError, match="权重"):
        do_set_rules(people.actor("office"), quarter["root"], Rules(0, 0, 0, 0, 0))


def test_the_certificate_is_an_official_document_naming_the_window(quarter, people):
    office = people.actor("office")
    do_set_rules(office, quarter["root"], RULES)
    round_ = do_award(
        office, do_rank(office, quarter["root"], 2026, 1, at=at("2026-04-01")), at=at("2026-04-02")
    )
    entry = round_.entries.get(window__code="W01")
    data = certificate_docx(entry)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
    for text in ("金牌〔2026〕101号", "W01窗口", "2026年第一季度", "85.00", "区市场监管局"):
        assert text in body
