"""The checks on data written differently from the demo's: a region whose citizens rate on the device
any time within half an hour of completion, come back many times a year from a small pool of
numbers, and write a small stock of comments; with faults planted by hand. The thresholds are not
the generator's: they must hold here too."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from govwatch.checks.models import Kind
from govwatch.checks.scoring import score

from .conftest import DEPARTMENTS, WINDOWS, at, workdays

pytestmark = pytest.mark.django_db
STOCK = ("满意", "很好", "办事效率高，服务态度好", "工作人员很耐心，一次就办好了", "流程简单，不用跑腿", "点赞",
         "环境整洁，引导清楚", "窗口人员热情周到")  # fmt: skip


def honest_region(world, first: date, last: date, rng: random.Random) -> None:
    pool = [world.phone() for _ in range(600)]
    for day in workdays(first, last):
        for unit in DEPARTMENTS:
            for window in WINDOWS:
                for _ in range(rng.randint(4, 10)):
                    start = at(day.year, day.month, day.day, 9) + timedelta(seconds=rng.randrange(6 * 3600))
                    if start.hour == 12 or start.hour == 13:
                        start += timedelta(hours=2)
                    done = start + timedelta(minutes=rng.randint(3, 30))
                    case = world.case(unit, window, start, done)
                    if rng.random() > 0.45:
                        continue
                    comment = rng.choice(STOCK) if rng.random() < 0.2 else ""
                    if rng.random() < 0.6:  # the device, any time in the half hour after completion
                        who = rng.choice(pool) if rng.random() < 0.4 else ""
                        world.rate(case, done + timedelta(seconds=rng.randint(5, 1800)), evaluator=who,
                                   level=rng.choice((5, 5, 5, 4, 3)), comment=comment)  # fmt: skip
                    else:
                        world.rate(case, done + timedelta(hours=rng.randint(2, 60)), channel=rng.choice(("sms", "app")),
                                   evaluator=rng.choice(pool), level=rng.choice((5, 5, 4)), comment=comment)  # fmt: skip


def test_the_checks_hold_on_a_region_written_another_way(world, check):
    rng = random.Random(11)
    first, last = date(2026, 3, 2), date(2026, 4, 30)
    honest_region(world, first, last, rng)
    faults: dict[str, list[str]] = {k: [] for k in Kind.values if k != Kind.MISSING_EVALUATIONS}
    old = [world.case(u, "W2", at(2026, 3, 2, 9, n % 50), at(2026, 3, 2, 10, n % 50)) for n in range(120)
           for u in ("B3",)]  # fmt: skip
    others = [world.case("B6", "W1", at(2026, 3, 3, 9, n), at(2026, 3, 3, 10, n)) for n in range(40)]
    # burst: fifteen top ratings three seconds apart on B3's W2, of cases done weeks before.
    faults[Kind.BURST] = [world.rate(c, at(2026, 4, 8, 10, 0, 3 * k)) for k, c in enumerate(old[:15])]
    # off_hours: device ratings late in the evening and on a Sunday.
    faults[Kind.OFF_HOURS] = [world.rate(c, at(2026, 3, 10 + k, 22, 10)) for k, c in enumerate(old[15:20])]
    faults[Kind.OFF_HOURS] += [world.rate(c, at(2026, 3, 22, 10, 20 * k)) for k, c in enumerate(old[20:23])]
    # evaluator_many: one number rates thirty cases of its unit over a week.
    fake = world.phone()
    faults[Kind.EVALUATOR_MANY] = [world.rate(c, at(2026, 3, 16 + k // 6, 9 + k % 6, 5), channel="app", evaluator=fake)
                                   for k, c in enumerate(old[30:60])]  # fmt: skip
    # duplicate_comment: one made-up comment on six cases.
    faults[Kind.DUPLICATE_COMMENT] = [world.rate(c, at(2026, 3, 20, 11, k), channel="sms", evaluator=world.phone(),
                                                 comment="第三局窗口服务一流，群众满意度百分之百，必须点赞！")
                                      for k, c in enumerate(old[60:66])]  # fmt: skip
    # unknown_case, wrong_unit, before_completion.
    faults[Kind.UNKNOWN_CASE] = [world.rate(f"FAKE{k}", at(2026, 3, 25, 10, k), channel="sms", unit="B3")
                                 for k in range(10)]  # fmt: skip
    faults[Kind.WRONG_UNIT] = [world.rate(c, at(2026, 3, 26, 10, k), channel="sms", unit="B3")
                               for k, c in enumerate(others[:8])]  # fmt: skip
    late = [world.case("B4", "W3", at(2026, 4, 1, 9, k), at(2026, 4, 3, 16, k)) for k in range(8)]
    faults[Kind.BEFORE_COMPLETION] = [
        world.rate(c, at(2026, 4, 2, 10, k), channel="sms") for k, c in enumerate(late)
    ]
    # missing_evaluations: B7's ratings of April were never entered.
    world.evaluations = [
        e for e in world.evaluations if not (e[2].startswith("2026-04") and _unit_of(world, e) == "B7")
    ]
    world.load()

    found = check(first, last)
    findings = [{"kind": o.candidate.kind, "unit_code": o.finding.unit.code, "month": f"{o.candidate.month:%Y-%m}",
                 "window_code": o.candidate.window_code or None, "eval_ids": o.candidate.eval_ids}
                for outcomes in found.values() for o in outcomes]  # fmt: skip
    answers = {"faults": [{"kind": k, "eval_ids": ids} for k, ids in faults.items()]
               + [{"kind": "missing_evaluations", "unit_code": "B7", "window_code": None, "month": "2026-04"}]}  # fmt: skip
    report = score(answers, findings)["kinds"]
    for kind, entry in report.items():
        assert entry["recall"] >= 0.95 and entry["precision"] >= 0.9, (kind, entry)


def _unit_of(world, evaluation: list) -> str:
    case_no = evaluation[3]
    unit = getattr(world, "_units", None)
    if unit is None:
        world._units = unit = {c.case_no: c.unit for c in world.cases}
    return unit.get(case_no, "")
