"""Callback sampling: a plan per period, a share of real-name evaluations and closed complaints per
unit, the same seed drawing the same sample, the call sheet with masked numbers and an audited
reveal, each call's outcome and the unit's figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from govwatch.audit.models import AuditEntry
from govwatch.complaints import sampling
from govwatch.complaints.models import Complaint, SampledCall, SamplingPlan
from govwatch.core import pii
from govwatch.evaluations.models import Evaluation

TZ = ZoneInfo("Asia/Shanghai")


def at(d: int, h: int = 10) -> datetime:
    return datetime(2026, 3, d, h, tzinfo=TZ)


@pytest.fixture
def records(region):
    """20 real-name evaluations of the market bureau, 5 of the social bureau, 3 anonymous and 2
    auto defaults (never drawn); 10 closed complaints with a contact, 2 open ones."""
    n = 0

    def evaluation(unit, evaluator="139{:08d}", auto=False):
        nonlocal n
        n += 1
        phone = evaluator.format(n) if evaluator else ""
        h, enc = pii.protect(phone)
        return Evaluation.objects.create(eval_id=f"E{n}", level=5, at=at(2 + n % 20), unit=unit, evaluator_hash=h,
                                         evaluator_enc=enc, auto=auto, digest="-")  # fmt: skip

    for _ in range(20):
        evaluation(region["market"])
    for _ in range(5):
        evaluation(region["social"])
    for _ in range(3):
        evaluation(region["market"], evaluator="")
    for _ in range(2):
        evaluation(region["market"], auto=True)
    for i in range(12):
        h, enc = pii.protect(f"1370000{i:04d}")
        Complaint.objects.create(
            complaint_id=f"T{i}", at=at(3), source="hotline", content="…", unit=region["market"], digest="-",
            contact_hash=h, contact_enc=enc, status="closed" if i < 10 else "assigned",
            closed_at=at(5) if i < 10 else None,
        )  # fmt: skip


def plan(people, seed=42, **fields):
    values = {"name": "三月回访抽查", "date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31),
              "evaluation_share": Decimal("0.1"), "complaint_share": Decimal("0.2"), "seed": seed}  # fmt: skip
    values.update(fields)
    return sampling.do_create_plan(people.actor("supervisor"), **values)


def sample_of(p: SamplingPlan) -> list[tuple]:
    return sorted(p.calls.values_list("subject", "unit__code", "evaluation_id", "complaint_id"))


def test_each_unit_gets_its_share_rounded_up_and_at_least_the_minimum(records, people):
    p = sampling.do_draw(people.actor("supervisor"), plan(people))
    counts = {}
    for subject, unit, _, _ in sample_of(p):
        counts[(subject, unit)] = counts.get((subject, unit), 0) + 1
    # 10% of 20 market evaluations, 10% of 5 social ones rounded up, 20% of 10 closed complaints.
    assert counts == {("evaluation", "SC"): 2, ("evaluation", "RS"): 1, ("complaint", "SC"): 2}
    drawn = Evaluation.objects.filter(pk__in=p.calls.values("evaluation_id"))
    assert not drawn.filter(evaluator_hash="").exists() and not drawn.filter(auto=True).exists()
    assert (
        not Complaint.objects.filter(pk__in=p.calls.values("complaint_id")).exclude(status="closed").exists()
    )


def test_the_same_seed_draws_the_same_sample(records, people):
    first = sampling.do_draw(people.actor("supervisor"), plan(people, seed=7))
    again = sampling.do_draw(people.actor("supervisor"), plan(people, seed=7))
    other = sampling.do_draw(
        people.actor("supervisor"), plan(people, seed=8, evaluation_share=Decimal("0.5"))
    )
    assert sample_of(first) == sample_of(again)
    assert sample_of(first) != sample_of(other)


def test_a_plan_is_drawn_once_and_finished_only_when_every_call_is_recorded(records, people):
    supervisor = people.actor("supervisor")
    p = sampling.do_draw(supervisor, plan(people))
    with pytest.raises(sampling.SamplingError, match="不能再抽取"):
        sampling.do_draw(supervisor, p)
    with pytest.raises(sampling.SamplingError, match="未回访"):
        sampling.do_finish(supervisor, p)
    calls = list(p.calls.all())
    with pytest.raises(sampling.SamplingError, match="写明"):
        sampling.do_record_call(supervisor, calls[0], outcome="denied", note="")
    sampling.do_record_call(supervisor, calls[0], outcome="denied", note="群众说没有评价过")
    for call in calls[1:]:
        sampling.do_record_call(supervisor, call, outcome="confirmed", note="")
    sampling.do_finish(supervisor, p)
    figures = {f.unit_code: f for f in sampling.figures(p)}
    assert sum(f.denied for f in figures.values()) == 1
    assert all(f.called == f.sampled for f in figures.values())


def test_bad_plans_are_refused_plainly(records, people):
    with pytest.raises(sampling.SamplingError, match="开始日期"):
        plan(people, date_from=date(2026, 4, 1))
    with pytest.raises(sampling.SamplingError, match="0 到 1"):
        plan(people, evaluation_share=Decimal("5"))
    with pytest.raises(sampling.SamplingError, match="都为 0"):
        plan(people, evaluation_share=0, complaint_share=0)
    empty = plan(people, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    with pytest.raises(sampling.SamplingError, match="没有可回访"):
        sampling.do_draw(people.actor("supervisor"), empty)


@pytest.mark.parametrize("who", ["office", "leader", "market_staff"])
def test_only_the_supervisors_sample(records, people, who):
    with pytest.raises(PermissionDenied):
        sampling.do_create_plan(people.actor(who), name="x", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31),
                                evaluation_share=Decimal("0.1"), complaint_share=0)  # fmt: skip
    assert people.client(who).get(reverse("complaints:plans")).status_code == 403


def test_the_call_sheet_masks_numbers_and_the_reveal_is_audited(records, people):
    p = sampling.do_draw(people.actor("supervisor"), plan(people))
    client = people.client("supervisor")
    sheet = client.get(reverse("complaints:plan", args=[p.pk])).text
    call = p.calls.filter(subject="evaluation").first()
    number = pii.decrypt(call.evaluation.evaluator_enc)
    assert number not in sheet and pii.mask(number) in sheet
    revealed = client.post(reverse("complaints:call-reveal", args=[call.pk]))
    assert revealed.status_code == 200 and number in revealed.text
    entry = AuditEntry.objects.get(action="sampling.reveal")
    assert number not in entry.summary
    r = client.post(
        reverse("complaints:call", args=[call.pk]), {"outcome": "not_reached", "note": "无人接听"}
    )
    assert r.status_code == 302
    assert SampledCall.objects.get(pk=call.pk).outcome == "not_reached"


def test_the_plan_page_creates_and_draws(records, people):
    client = people.client("supervisor")
    r = client.post(reverse("complaints:plan-new"), {"name": "三月", "date_from": "2026-03-01", "date_to": "2026-03-31",
                                                    "evaluation_share": "10", "complaint_share": "20", "minimum": "1",
                                                    "seed": "42", "unit": ""})  # fmt: skip
    assert r.status_code == 302
    p = SamplingPlan.objects.get()
    assert p.evaluation_share == Decimal("0.1")
    assert client.post(reverse("complaints:plan-draw", args=[p.pk])).status_code == 302
    assert SamplingPlan.objects.get().status == "drawn" and p.calls.count() == 5
