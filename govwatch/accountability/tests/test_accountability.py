"""Accountability (问责): a record per person, only by supervisors, tied to its matter; institutional
fixes with their look-back; typical cases published with names left out unless decided; the
figures like the seed's (people held accountable, of whom sanctioned, fixes)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.accountability import records
from govwatch.accountability.figures import accountability_figures
from govwatch.accountability.models import Action, InstitutionalFix, Matter, TypicalCase
from govwatch.checks.tests.conftest import actor, at, client_of
from govwatch.cli import main
from govwatch.inspections import feedback as inspections
from govwatch.inspections.models import Method, Problem
from govwatch.orgs.models import Unit

pytestmark = pytest.mark.django_db
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def problem(people) -> Problem:
    inspection = inspections.do_create_inspection(
        actor(people.supervisor), Unit.objects.get(code="B1"), subject="评价数据录入", methods=[Method.DATA_COMPARISON],
        conducted_on=date(2026, 3, 20), inspectors="检查组", at=at(2026, 3, 20, 15),
    )  # fmt: skip
    return inspections.do_add_problem(actor(people.supervisor), inspection, category=Problem.Category.UNDER_REPORTING,
                                      description="评价数据未及时录入")  # fmt: skip


def hold(people, problem, person: str, action: int, **kwargs):
    return records.do_record_accountability(
        actor(people.supervisor), problem.inspection.unit, person=person, action=action, facts="未及时录入评价数据",
        decided_by="区纪检监察工委", decided_on=kwargs.pop("decided_on", date(2026, 4, 1)),
        matter=records.resolve_matter(Matter.INSPECTION_PROBLEM, str(problem.pk)), at=at(2026, 4, 2), **kwargs,
    )  # fmt: skip


def test_a_supervisor_records_one_person_with_the_matter_it_arose_from(people, problem):
    row = hold(people, problem, "周小平", Action.CRITICISM, post="“双评议”管理员")
    assert row.problem == problem and row.matter_key == f"inspection_problem:{problem.pk}"
    assert row.public_name == "周某" and not row.sanctioned


def test_only_supervisors_record_accountability(people, problem):
    for user in (people.staff, people.office, people.leader):
        with pytest.raises(PermissionDenied):
            records.do_record_accountability(
                actor(user), problem.inspection.unit, person="周小平", action=Action.CRITICISM, facts="x",
                decided_by="区纪委", decided_on=date(2026, 4, 1), matter=records.resolve_matter(Matter.OTHER, "自查"),
            )  # fmt: skip
    page = client_of(people.staff).post("/accountability/new/", {"matter": "other", "reference": "x"})
    assert page.status_code == 403
    assert client_of(people.leader).get("/accountability/").status_code == 200
    assert client_of(people.leader).get("/accountability/new/").status_code == 403


def test_the_action_must_be_on_the_ladder_and_the_matter_must_exist(people, problem):
    with pytest.raises(records.AccountabilityError, match="问责方式"):
        hold(people, problem, "周小平", 9)
    with pytest.raises(records.AccountabilityError, match="没有找到督办单"):
        records.resolve_matter(Matter.ORDER, "督办〔2026〕第9999号")
    with pytest.raises(records.AccountabilityError, match="请简述事由"):
        records.resolve_matter(Matter.OTHER, " ")
    with pytest.raises(records.AccountabilityError, match="晚于今天"):
        hold(people, problem, "周小平", Action.CRITICISM, decided_on=date(2026, 5, 1))


def test_the_audit_entry_does_not_spell_out_the_name(people, problem):
    from govwatch.audit.models import AuditEntry

    hold(people, problem, "周小平", Action.ADMONISHING_TALK)
    entry = AuditEntry.objects.get(action="accountability.record")
    assert "周小平" not in json.dumps(entry.after, ensure_ascii=False) + entry.summary
    assert "周某" in entry.summary


def test_figures_count_matters_once_people_sanctions_and_fixes(people, problem):
    hold(people, problem, "龙小明", Action.SANCTION, detail="政务警告")
    hold(people, problem, "程小红", Action.SANCTION, detail="政务警告")
    hold(people, problem, "吴大勇", Action.CRITICISM)
    records.do_record_fix(actor(people.supervisor), problem.inspection.unit, title="窗口考勤管理办法",
                           content="每日打卡", adopted_on=date(2026, 4, 10),
                           matter=records.resolve_matter(Matter.INSPECTION_PROBLEM, str(problem.pk)))  # fmt: skip
    figures = accountability_figures(*YEAR)
    assert (figures.matters, figures.people, figures.sanctioned, figures.fixes) == (1, 3, 2, 1)
    assert figures.by_action["党纪政务处分"] == 2
    assert accountability_figures(date(2026, 5, 1), date(2026, 5, 31)).people == 0


def test_a_fix_is_looked_back_at_and_a_failed_one_again_later(people, problem):
    fix = records.do_record_fix(actor(people.supervisor), problem.inspection.unit, title="评价数据日核对制度",
                                 content="每日核对", adopted_on=date(2026, 4, 10),
                                 matter=records.resolve_matter(Matter.OTHER, "数据比对发现漏报"))  # fmt: skip
    assert fix.follow_up_on == date(2026, 7, 9)
    fix = records.do_follow_up_fix(
        actor(people.supervisor), fix, effective=False, note="未执行", at=at(2026, 7, 10)
    )
    assert fix.status == InstitutionalFix.Status.INEFFECTIVE and fix.follow_up_on == date(2026, 10, 8)
    fix = records.do_follow_up_fix(
        actor(people.supervisor), fix, effective=True, note="已执行", at=at(2026, 10, 9)
    )
    with pytest.raises(records.AccountabilityError):
        records.do_follow_up_fix(actor(people.supervisor), fix, effective=True, note="再看")
    assert client_of(people.staff).get(f"/accountability/fixes/{fix.pk}/").status_code == 200
    assert client_of(people.other_staff).get(f"/accountability/fixes/{fix.pk}/").status_code == 404


def test_a_typical_case_is_public_once_published_with_names_left_out(people, problem, client):
    rows = [
        hold(people, problem, "龙小明", Action.SANCTION),
        hold(people, problem, "程小红", Action.SANCTION),
    ]
    case = records.do_draft_exposure(
        actor(people.supervisor), problem.inspection.unit, title="第1局龙小明、程小红迟到早退被处分",
        body="经查，窗口值班人员龙小明、程小红私自调整上班时间，分别给予政务警告处分。", records=rows,
    )  # fmt: skip
    assert client.get(f"/exposure/{case.pk}/").status_code == 404
    records.do_publish_exposure(actor(people.supervisor), case)
    page = client.get(f"/exposure/{case.pk}/").content.decode()
    assert "龙某、程某" in page and "龙小明" not in page and "程小红" not in page
    listing = client.get("/exposure/").content.decode()
    assert "龙某" in listing and "龙小明" not in listing
    records.do_withdraw_exposure(actor(people.supervisor), case, "当事人申诉复核中")
    assert client.get(f"/exposure/{case.pk}/").status_code == 404
    assert TypicalCase.objects.get().status == TypicalCase.Status.WITHDRAWN


def test_names_are_shown_when_the_supervisor_decided_so(people, problem, client):
    row = hold(people, problem, "龙小明", Action.SANCTION)
    case = records.do_draft_exposure(actor(people.supervisor), problem.inspection.unit, title="通报", show_names=True,
                                      body="龙小明受到政务警告处分。", records=[row])  # fmt: skip
    records.do_publish_exposure(actor(people.supervisor), case)
    assert "龙小明" in client.get(f"/exposure/{case.pk}/").content.decode()
    with pytest.raises(PermissionDenied):
        records.do_draft_exposure(
            actor(people.staff), problem.inspection.unit, title="x", body="y", records=[]
        )


def test_figures_command_prints_the_seeds_figures_per_unit(people, problem, capsys):
    hold(people, problem, "龙小明", Action.SANCTION)
    assert (
        main(["accountability", "figures", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"]["inspections"] == 1 and doc["total"]["problems"] == 1 and doc["total"]["people"] == 1
    assert doc["total"]["sanctioned"] == 1 and doc["rows"][0]["unit_code"] == "B1"
    assert main(["accountability", "figures", "--from", "2026-12-31", "--to", "2026-01-01"]) == 2
    assert (
        main(["accountability", "figures", "--from", "2026-01-01", "--to", "2026-12-31", "--unit", "NOPE"])
        == 2
    )


def test_record_page_resolves_the_reference_and_says_what_is_wrong(people, problem):
    sup = client_of(people.supervisor)
    form = {"matter": "inspection_problem", "reference": "99999", "unit": "B1", "person": "周小平", "action": "1",
            "facts": "未录入", "decided_by": "区纪委", "decided_on": "2026-04-01"}  # fmt: skip
    assert "没有找到检查发现问题" in sup.post("/accountability/new/", form).content.decode()
    done = sup.post("/accountability/new/", {**form, "reference": str(problem.pk)})
    assert done.status_code == 302
    assert "周小平" in sup.get(done["Location"]).content.decode()
