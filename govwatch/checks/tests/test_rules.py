"""Each check of contract section 8 on a small district: with its fault, without it, and beside the
innocent look-alike the fault must not be confused with."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from govwatch.checks.models import Kind

from .conftest import at, named

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_honest_district_raises_nothing(world, check):
    world.honest(*MARCH)
    world.load()
    assert check(*MARCH) == {}


# -- unknown_case --------------------------------------------------------------------------------


def test_evaluation_of_a_case_never_seen_is_kept_outside_the_figures_and_found(world, check):
    from govwatch.evaluations.models import Evaluation, PendingEvaluation

    world.honest(*MARCH, units=["B1", "B2"])
    fakes = [world.rate(f"NOPE{n}", at(2026, 3, 10, 10, n), channel="qr", unit="B1", evaluator=world.phone())
             for n in range(5)]  # fmt: skip
    result = world.load()
    assert result["evaluations"].rejected == 0
    assert set(PendingEvaluation.objects.values_list("eval_id", flat=True)) == set(fakes)
    assert not Evaluation.objects.filter(eval_id__in=fakes).exists()
    found = check(*MARCH)
    assert named(found, Kind.UNKNOWN_CASE) == set(fakes)
    assert found[Kind.UNKNOWN_CASE][0].candidate.case_nos == [f"NOPE{n}" for n in range(5)]


def test_evaluation_of_an_unknown_case_without_a_unit_is_refused_with_its_line(world):
    world.rate("NOPE", at(2026, 3, 10), channel="qr")
    result = world.load()["evaluations"]
    assert result.rejected == 1
    assert result.errors[0]["line"] == 2 and result.errors[0]["field"] == "case_no"
    assert "不存在" in result.errors[0]["message"] and "unit_code" in result.errors[0]["message"]


def test_kept_evaluation_is_checked_again_when_its_case_arrives(world, check):
    from govwatch.checks.models import Finding
    from govwatch.evaluations.models import Evaluation, PendingEvaluation
    from govwatch.reports.figures import kpi_rows

    eval_id = world.rate("LATE1", at(2026, 3, 10, 15), channel="qr", unit="B1", evaluator=world.phone())
    world.load()
    found = check(*MARCH)
    finding = found[Kind.UNKNOWN_CASE][0].finding
    assert kpi_rows(*MARCH, None)[-1]["evaluations"] == 0  # not in the figures while pending

    late = world.case("B1", "W1", at(2026, 3, 10, 9), at(2026, 3, 10, 9, 30))
    late.case_no = "LATE1"
    world.load()
    assert Evaluation.objects.get(eval_id=eval_id).case_id == "LATE1"
    assert not PendingEvaluation.objects.exists()
    assert kpi_rows(*MARCH, None)[-1]["evaluations"] == 1
    found = check(*MARCH)
    assert Kind.UNKNOWN_CASE not in found
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLEARED
    assert finding.steps.filter(kind="cleared").exists()


def test_importing_the_same_pending_evaluations_twice_counts_duplicates(world, tmp_path):
    from govwatch.imports.runs import run_import

    world.rate("NOPE", at(2026, 3, 10), channel="qr", unit="B1")
    first = world.load()["evaluations"]
    again = run_import("evaluations", tmp_path / "evaluations-1.csv")
    assert (first.imported, again.imported, again.duplicates) == (1, 0, 1)


# -- wrong_unit ----------------------------------------------------------------------------------


def test_evaluation_in_another_units_name_is_found_and_its_own_is_not(world, check):
    world.honest(*MARCH, units=["B1", "B2"])
    theirs = [world.case("B2", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 9, n + 20)) for n in range(3)]
    wrong = [world.rate(c, at(2026, 3, 3, 10, i), channel="sms", unit="B1") for i, c in enumerate(theirs)]
    own = world.case("B1", "W1", at(2026, 3, 2, 9), at(2026, 3, 2, 9, 20))
    world.rate(own, at(2026, 3, 3, 11), channel="sms", unit="B1")
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.WRONG_UNIT) == set(wrong)
    (o,) = found[Kind.WRONG_UNIT]
    assert o.finding.unit.code == "B1" and "第2局" in o.candidate.reasons[0]


# -- before_completion ---------------------------------------------------------------------------


def test_evaluations_before_completion_or_of_open_cases_are_found(world, check):
    world.honest(*MARCH, units=["B1"])
    slow = world.case("B1", "W1", at(2026, 3, 2, 9), at(2026, 3, 4, 16))
    early = world.rate(slow, at(2026, 3, 3, 10), channel="qr")
    still_open = world.case("B1", "W2", at(2026, 3, 5, 9))
    of_open = world.rate(still_open, at(2026, 3, 6, 10), channel="qr")
    fine = world.case("B1", "W2", at(2026, 3, 5, 9), at(2026, 3, 5, 10))
    world.rate(fine, at(2026, 3, 5, 10, 1), channel="qr")
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.BEFORE_COMPLETION) == {early, of_open}


def test_a_regions_grace_for_clock_skew_spares_a_rating_seconds_early(world, check, town):
    from govwatch.audit.log import Actor
    from govwatch.checks.decisions import do_set_thresholds

    case = world.case("B1", "W1", at(2026, 3, 2, 9), at(2026, 3, 2, 9, 30))
    skewed = world.rate(case, at(2026, 3, 2, 9, 29, 50))
    world.load()
    assert named(check(*MARCH), Kind.BEFORE_COMPLETION) == {skewed}
    do_set_thresholds(Actor("test"), town, {"before_completion_grace_seconds": 60})
    case = world.case("B1", "W1", at(2026, 3, 3, 9), at(2026, 3, 3, 9, 30))
    world.rate(case, at(2026, 3, 3, 9, 29, 50))
    world.load()
    assert Kind.BEFORE_COMPLETION not in check(date(2026, 3, 3), date(2026, 3, 3))


# -- evaluator_many ------------------------------------------------------------------------------


def test_one_number_rating_many_cases_is_found_not_a_family_or_a_returning_citizen(world, check):
    world.honest(*MARCH, per_day=8)
    rng = world.rng
    # Citizens who come back: forty people rate twice this month, in different units.
    for n in range(40):
        phone = world.phone()
        for k in range(2):
            case = world.case(
                f"B{1 + (n + k) % 8}", "W1", at(2026, 3, 2 + k * 7, 9, n), at(2026, 3, 2 + k * 7, 9, n + 10)
            )
            world.rate(case, at(2026, 3, 2 + k * 7, 14, n), channel="sms", evaluator=phone)
    # A family: one phone rates the two cases it brought the same morning.
    family = world.phone()
    kin = [world.case("B3", "W2", at(2026, 3, 12, 9, 5), at(2026, 3, 12, 9, 20 + k)) for k in range(2)]
    family_ids = {world.rate(c, at(2026, 3, 12, 9, 21 + k, 30), evaluator=family) for k, c in enumerate(kin)}
    # The fake: one number rates eighteen of its unit's cases over four days.
    fake = world.phone()
    done = [world.case("B5", "W3", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(18)]
    fakes = {world.rate(c, at(2026, 3, 16 + n // 5, 9 + rng.randint(0, 6), n), channel="qr", evaluator=fake)
             for n, c in enumerate(done)}  # fmt: skip
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.EVALUATOR_MANY) == fakes
    assert not family_ids & named(found, Kind.EVALUATOR_MANY)
    (o,) = found[Kind.EVALUATOR_MANY]
    assert o.finding.unit.code == "B5" and "18 件" in o.candidate.reasons[0]


@pytest.mark.parametrize("part", [None, 7], ids=["one part", "evaluators in parts"])
def test_a_crowd_of_numbers_each_rating_many_cases_is_found_and_not_taken_for_the_regions_habit(
    world, check, monkeypatch, part
):
    """A province plants many such numbers at once: enough of them to fill the region's histogram
    of cases per evaluator far out. They are a second population, not the honest citizens' tail,
    and every one of them is found; the family and the returning citizens beside them are not.
    The same when the evaluators are counted in parts (as on a province)."""
    if part:
        monkeypatch.setattr("govwatch.checks.rules.RATER_PART", part)
    world.honest(*MARCH, per_day=8)
    returning = set()
    for n in range(40):
        phone = world.phone()
        for k in range(2):
            case = world.case(f"B{1 + (n + k) % 8}", "W1", at(2026, 3, 2 + k * 7, 9, n),
                              at(2026, 3, 2 + k * 7, 9, n + 10))  # fmt: skip
            returning.add(world.rate(case, at(2026, 3, 2 + k * 7, 14, n), channel="sms", evaluator=phone))
    family = world.phone()
    kin = [world.case("B3", "W2", at(2026, 3, 12, 9, 5), at(2026, 3, 12, 9, 20 + k)) for k in range(2)]
    family_ids = {world.rate(c, at(2026, 3, 12, 9, 21 + k, 30), evaluator=family) for k, c in enumerate(kin)}
    # Seven numbers per department, each rating eight of its own unit's cases over a few days.
    fakes = set()
    for n in range(56):
        unit, phone = f"B{1 + n % 8}", world.phone()
        done = [world.case(unit, "W3", at(2026, 3, 2, 9, k), at(2026, 3, 2, 10, k)) for k in range(8)]
        for k, c in enumerate(done):
            fakes.add(world.rate(c, at(2026, 3, 16 + k // 3, 9 + k % 3, n), channel="qr", evaluator=phone))
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.EVALUATOR_MANY) == fakes
    assert not (family_ids | returning) & named(found, Kind.EVALUATOR_MANY)
    assert len(found[Kind.EVALUATOR_MANY]) == 56


# -- burst ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("part", [None, 20], ids=["one part", "units in parts"])
def test_top_ratings_seconds_apart_of_old_cases_are_a_burst_a_busy_honest_window_is_not(
    world, check, monkeypatch, part
):
    if part:  # a province reads its device ratings in parts of units
        monkeypatch.setattr("govwatch.checks.rules.DEVICE_PART", part)
    world.honest(*MARCH)
    # A busy window really records ratings seconds apart: a firm's eight cases completed together,
    # each rated on the device right after its completion.
    firm = [world.case("B2", "W2", at(2026, 3, 17, 9, 0), at(2026, 3, 17, 9, 30, 10 * k)) for k in range(8)]
    honest = {world.rate(c, at(2026, 3, 17, 9, 30, 10 * k + 8)) for k, c in enumerate(firm)}
    # The burst: twelve cases completed days before, rated 5 in a row, five seconds apart.
    old = [world.case("B4", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(12)]
    burst = {world.rate(c, at(2026, 3, 18, 15, 0, 5 * k)) for k, c in enumerate(old)}
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.BURST) == burst
    assert not honest & named(found, Kind.BURST)
    (o,) = found[Kind.BURST]
    assert (o.finding.unit.code, o.finding.window_code) == ("B4", "W1")


def test_a_burst_of_low_ratings_is_not_top_ratings(world, check):
    world.honest(*MARCH, units=["B1", "B2"])
    old = [world.case("B1", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(10)]
    for k, c in enumerate(old):
        world.rate(c, at(2026, 3, 18, 15, 0, 5 * k), level=2, comment="排队太久")
    world.load()
    assert Kind.BURST not in check(*MARCH)


# -- off_hours -----------------------------------------------------------------------------------


def test_device_ratings_at_night_or_on_a_rest_day_are_found_late_service_is_not(world, check):
    world.honest(*MARCH, units=["B1", "B2"])
    old = [world.case("B1", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(2)]
    night = world.rate(old[0], at(2026, 3, 10, 21, 30))
    sunday = world.rate(old[1], at(2026, 3, 15, 10, 0))  # 2026-03-15 is a Sunday
    # A citizen served just after closing rates on the device a moment later: late service.
    late = world.case("B1", "W2", at(2026, 3, 11, 17, 0), at(2026, 3, 11, 17, 40))
    overtime = world.rate(late, at(2026, 3, 11, 17, 41))
    # An SMS rating in the evening is not a device rating.
    world.rate(old[0], at(2026, 3, 10, 22, 0), channel="sms", evaluator=world.phone())
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.OFF_HOURS) == {night, sunday}
    assert overtime not in named(found, Kind.OFF_HOURS)
    assert any("非工作日" in r for r in found[Kind.OFF_HOURS][0].candidate.reasons)


def test_a_units_own_hours_decide_what_is_off_hours(world, check):
    from govwatch.orgs.models import Unit

    case = world.case("B1", "W1", at(2026, 3, 2, 9), at(2026, 3, 2, 9, 20))
    rating = world.rate(case, at(2026, 3, 4, 18, 30))
    world.load()
    assert named(check(*MARCH), Kind.OFF_HOURS) == {rating}
    Unit.objects.filter(code="B1").update(hours="08:00-12:00,13:00-19:00")
    case = world.case("B1", "W1", at(2026, 3, 5, 9), at(2026, 3, 5, 9, 20))
    world.rate(case, at(2026, 3, 6, 18, 30))
    world.load()
    assert Kind.OFF_HOURS not in check(date(2026, 3, 5), date(2026, 3, 6))


# -- duplicate_comment ---------------------------------------------------------------------------


def test_one_made_up_comment_on_several_cases_is_found_common_short_comments_are_not(world, check):
    world.honest(*MARCH, units=["B1", "B2", "B3"])
    made_up = "窗口工作人员服务热情周到，办事效率非常高，为民服务真心实意！"
    done = [world.case("B6", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(30)]
    copies = {world.rate(done[n], at(2026, 3, 9 + n, 10), channel="qr", evaluator=world.phone(), comment=made_up)
              for n in range(5)}  # fmt: skip
    for n in range(5, 25):  # what everyone writes
        world.rate(done[n], at(2026, 3, 3, 10, n), channel="sms", evaluator=world.phone(), comment="满意！")
    # A phrase citizens of many units write is common speech, however long.
    for n, unit in enumerate(["B1", "B2", "B3", "B4"]):
        c = world.case(unit, "W3", at(2026, 3, 4, 9, n), at(2026, 3, 4, 9, 30 + n))
        world.rate(
            c,
            at(2026, 3, 4, 14, n),
            channel="sms",
            evaluator=world.phone(),
            comment="不到10分钟就办完了，体验很好",
        )
    # A family writes the same words on its own two cases.
    family = world.phone()
    for n in (25, 26):
        world.rate(
            done[n],
            at(2026, 3, 20, 10, n),
            channel="sms",
            evaluator=family,
            comment="老人办事很方便，谢谢你们",
        )
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.DUPLICATE_COMMENT) == copies
    assert found[Kind.DUPLICATE_COMMENT][0].finding.unit.code == "B6"


def test_a_template_copied_in_several_units_is_found_in_each_a_phrase_every_unit_writes_is_not(world, check):
    """Staff of three units paste the same praise: the text is in more units than a made-up comment
    of one unit would be, but it stands in those units far more often than the region writes it."""
    world.honest(*MARCH, per_day=2)
    template = "工作人员业务熟练，一次性告知所需材料，全程耐心细致，非常满意！"
    common = "一次办好，不用跑腿，很方便"
    copies, everyday = set(), set()
    for u, unit in enumerate(["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"]):
        done = [world.case(unit, "W2", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(40)]
        for n, case in enumerate(done[:30]):  # citizens' own words, and the phrase everyone uses
            words = common if n % 5 == 0 else f"第{n}次来{unit}办事，{u + n}分钟就办好了"
            rated = world.rate(case, at(2026, 3, 3 + n % 20, 14, n), channel="sms", evaluator=world.phone(),
                               comment=words)  # fmt: skip
            if words == common:
                everyday.add(rated)
        if unit in ("B5", "B6", "B7"):
            copies |= {world.rate(case, at(2026, 3, 9 + n, 10, u), channel="qr", evaluator=world.phone(),
                                  comment=template) for n, case in enumerate(done[30:38])}  # fmt: skip
    world.load()
    found = check(*MARCH)
    assert named(found, Kind.DUPLICATE_COMMENT) == copies
    assert sorted(o.finding.unit.code for o in found[Kind.DUPLICATE_COMMENT]) == ["B5", "B6", "B7"]
    assert not everyday & named(found, Kind.DUPLICATE_COMMENT)


# -- missing_evaluations -------------------------------------------------------------------------


def test_a_unit_that_did_not_enter_its_evaluations_is_found_a_quieter_one_is_not(world, check):
    world.honest(*MARCH, units=["B1", "B2", "B3", "B4", "B5", "B6"], share=0.4)
    world.honest(*MARCH, units=["B7"], share=0.3)  # quieter, within what units differ by
    world.honest(*MARCH, units=["B8"], share=0.02)  # left out nearly every evaluation
    world.load()
    found = check(*MARCH)
    (o,) = found[Kind.MISSING_EVALUATIONS]
    assert (o.finding.unit.code, o.candidate.window_code) == ("B8", "")
    from govwatch.cases.models import Case

    unevaluated = set(
        Case.objects.filter(unit__code="B8", evaluations=None).values_list("case_no", flat=True)
    )
    assert set(o.candidate.case_nos) == unevaluated
    assert o.finding.month == date(2026, 3, 1)


def test_a_unit_always_rated_less_than_its_peers_is_judged_by_its_own_months_a_silent_month_still_shows(
    world, check
):
    """B7's citizens rate less than its peers' every month (its own people, its own items): its
    March, a little lower still, is an ordinary month of B7's. B8 did not enter March at all."""
    peers = ["B1", "B2", "B3", "B4", "B5", "B6"]
    world.honest(date(2026, 1, 5), date(2026, 2, 28), units=peers, per_day=3, share=0.4)
    world.honest(date(2026, 1, 5), date(2026, 2, 28), units=["B7"], per_day=3, share=0.22)
    world.honest(date(2026, 1, 5), date(2026, 2, 28), units=["B8"], per_day=3, share=0.4)
    world.honest(*MARCH, units=peers, per_day=3, share=0.4)
    world.honest(*MARCH, units=["B7"], per_day=3, share=0.1)
    world.honest(*MARCH, units=["B8"], per_day=3, share=0.01)
    world.load()
    found = check(date(2026, 1, 1), MARCH[1])
    assert [(o.finding.unit.code, f"{o.finding.month:%Y-%m}") for o in found[Kind.MISSING_EVALUATIONS]] == [
        ("B8", "2026-03")
    ]


def test_a_window_whose_device_was_silent_is_found_against_its_units_other_windows(world, check):
    world.honest(*MARCH, share=0.4)
    for day in range(2, 28):  # W3 of B4 served all month, and nothing was rated there
        if date(2026, 3, day).weekday() < 5:
            for n in range(6):
                world.case("B4", "W4", at(2026, 3, day, 9, n * 7), at(2026, 3, day, 9, n * 7 + 5))
    world.load()
    found = check(*MARCH)
    (o,) = found[Kind.MISSING_EVALUATIONS]
    assert (o.finding.unit.code, o.candidate.window_code) == ("B4", "W4")


def _window_left_out_at_the_window(
    world, cases: int = 60, by_sms: int = 12, unit: str = "B4", window: str = "W4"
):
    """March's honest district (two cases a window a working day), and one window of `unit` whose
    device and QR code recorded nothing: of its `cases` completed cases only `by_sms` were rated,
    later, by SMS (the window cannot leave those out)."""
    world.honest(*MARCH, per_day=2, share=0.4)
    days = [d for d in range(2, 28) if date(2026, 3, d).weekday() < 5]
    for n in range(cases):
        day = days[n % len(days)]
        case = world.case(unit, window, at(2026, 3, day, 9, n), at(2026, 3, day, 9, n + 20))
        if n < by_sms:
            world.rate(case, at(2026, 3, day, 19, n), channel="sms", evaluator=world.phone())
    world.load()


def test_a_window_that_left_out_its_own_ratings_in_a_small_month_is_found_though_sms_ratings_came(
    world, check
):
    """W4 of B4 completed sixty cases in March and rated none of them at the window; twelve came
    later by SMS. Counting every channel, twelve of about twenty expected is not far enough below
    its peers to say so in a month that small; at the window, none of about fifteen is."""
    _window_left_out_at_the_window(world)
    found = check(*MARCH)
    (o,) = found[Kind.MISSING_EVALUATIONS]
    assert (o.finding.unit.code, o.candidate.window_code, o.finding.month) == ("B4", "W4", date(2026, 3, 1))
    assert o.candidate.reasons[0].startswith("2026-03 该窗口 W4办结 60 件，在窗口（评价器、二维码）评价 0 件")
    assert "另有 12 件经短信、热线、网上等不经窗口的渠道评价" in o.candidate.reasons
    assert len(o.candidate.case_nos) == 48  # the cases with no evaluation at all


def test_a_window_judged_by_all_its_ratings_in_a_region_that_says_so(world, check):
    """The same window where the region sets missing_window_share to 1: its windows are judged by
    all their evaluations, and twelve of about twenty is not enough to say the window hid any."""
    from govwatch.audit.log import Actor
    from govwatch.checks.decisions import do_set_thresholds
    from govwatch.orgs.models import Unit

    _window_left_out_at_the_window(world)
    do_set_thresholds(Actor("test"), Unit.objects.get(code="B4"), {"missing_window_share": 1})
    assert Kind.MISSING_EVALUATIONS not in check(*MARCH)
    do_set_thresholds(Actor("test"), Unit.objects.get(code="B3"), {"missing_window_share": 1})
    do_set_thresholds(Actor("test"), Unit.objects.get(code="B4"), {"missing_window_share": None})
    assert [o.candidate.window_code for o in check(*MARCH)[Kind.MISSING_EVALUATIONS]] == ["W4"]


def test_a_small_honest_window_that_rated_nothing_at_the_window_is_not_found(world, check):
    """W4 of B4 completed only nine cases in March, none rated at the window: too few to tell from
    chance."""
    world.honest(*MARCH, per_day=2, share=0.4)
    for n in range(9):
        world.case("B4", "W4", at(2026, 3, 2 + n, 9, n), at(2026, 3, 2 + n, 9, n + 20))
    world.load()
    assert Kind.MISSING_EVALUATIONS not in check(*MARCH)


def test_windows_whose_ratings_name_no_window_are_judged_by_all_their_ratings(world, check):
    """A region whose evaluations carry no window code (every rating reaches the platform without
    one): the windows are judged by all their evaluations, and a silent window is still found."""
    world.honest(*MARCH, share=0.4)
    for e in world.evaluations:
        e[6] = ""
    for day in range(2, 28):
        if date(2026, 3, day).weekday() < 5:
            for n in range(6):
                world.case("B4", "W4", at(2026, 3, day, 9, n * 7), at(2026, 3, day, 9, n * 7 + 5))
    world.load()
    (o,) = check(*MARCH)[Kind.MISSING_EVALUATIONS]
    assert (o.finding.unit.code, o.candidate.window_code) == ("B4", "W4")
    assert "主动评价 0 件" in o.candidate.reasons[0]


# -- every run -----------------------------------------------------------------------------------


def test_regions_thresholds_decide_for_their_own_units(world, check, town):
    from govwatch.audit.log import Actor
    from govwatch.checks.decisions import do_set_thresholds
    from govwatch.orgs.models import Unit

    world.honest(*MARCH, units=["B1", "B2"])
    old = [world.case("B1", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(8)]
    for k, c in enumerate(old):
        world.rate(c, at(2026, 3, 18, 15, 0, 5 * k))
    world.load()
    do_set_thresholds(Actor("test"), Unit.objects.get(code="B1"), {"burst_min_run": 10})
    assert Kind.BURST not in check(*MARCH)
    do_set_thresholds(Actor("test"), Unit.objects.get(code="B1"), {"burst_min_run": None})
    assert Kind.BURST in check(*MARCH)


def test_check_of_a_period_reads_only_its_evaluations(world, check):
    old = [world.case("B1", "W1", at(2026, 3, 2, 9, n), at(2026, 3, 2, 10, n)) for n in range(2)]
    world.rate(old[0], at(2026, 3, 10, 21, 30))
    world.load()
    assert Kind.OFF_HOURS not in check(date(2026, 3, 11), date(2026, 3, 31))
    assert Kind.OFF_HOURS in check(date(2026, 3, 10), date(2026, 3, 10))


def test_a_months_check_judges_comments_on_the_year_and_names_only_the_months_copies(world, check):
    """The comments of the months before tell common speech from copies; the month checked names
    only its own evaluations, and a month whose comments were all written before raises nothing."""
    made_up = "窗口工作人员服务热情周到，办事效率非常高，为民服务真心实意！"
    done = [world.case("B6", "W1", at(2026, 2, 2, 9, n), at(2026, 2, 2, 10, n)) for n in range(8)]
    for n in range(4):  # February's copies, before the month checked
        world.rate(done[n], at(2026, 2, 9 + n, 10), channel="qr", evaluator=world.phone(), comment=made_up)
    march = {world.rate(done[n], at(2026, 3, 9 + n, 10), channel="qr", evaluator=world.phone(),
                        comment=made_up) for n in range(4, 8)}  # fmt: skip
    world.load()
    assert named(check(date(2026, 3, 1), date(2026, 3, 31)), Kind.DUPLICATE_COMMENT) == march
    assert Kind.DUPLICATE_COMMENT not in check(date(2026, 4, 1), date(2026, 4, 30))


def test_dates_in_the_wrong_order_are_refused(world):
    from govwatch.audit.log import Actor
    from govwatch.checks.runs import CheckError, run_checks

    with pytest.raises(CheckError, match="开始日期"):
        run_checks(date(2026, 3, 2), date(2026, 3, 1), Actor("test"))
    with pytest.raises(CheckError, match="未知的核查类型"):
        run_checks(date(2026, 3, 1), date(2026, 3, 2), Actor("test"), kinds={"nonsense"})


def test_every_kind_runs_on_an_empty_database(world, check):
    assert check(date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=364)) == {}
