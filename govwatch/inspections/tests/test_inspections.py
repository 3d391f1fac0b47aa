"""The inspection group's work: a finding raised into an inspection, the numbered feedback form,
the unit's answer, acceptance or send-back, the overdue answer carded and ordered, the figures."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from govwatch.checks.models import Finding, Kind
from govwatch.checks.tests.conftest import actor, at, client_of
from govwatch.inspections import feedback
from govwatch.inspections.models import FeedbackForm, Method, Problem
from govwatch.inspections.watching import FEEDBACK
from govwatch.orgs.models import Unit

pytestmark = pytest.mark.django_db
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def finding(world, check) -> Finding:
    """An off-hours finding at B1's window W1."""
    old = world.case("B1", "W1", at(2026, 3, 2, 9), at(2026, 3, 2, 10))
    world.rate(old, at(2026, 3, 10, 21, 30))
    world.load()
    return check(*MARCH)[Kind.OFF_HOURS][0].finding


def inspection_of(people, code: str = "B1", when=None, problems: int = 1):
    unit = Unit.objects.get(code=code)
    inspection = feedback.do_create_inspection(
        actor(people.supervisor), unit, subject="3月“双评议”数据录入情况", methods=[Method.ONSITE, Method.DATA_COMPARISON],
        conducted_on=date(2026, 3, 20), inspectors="检查组（王伟、刘洋）", at=when or at(2026, 3, 20, 15),
    )  # fmt: skip
    for n in range(problems):
        feedback.do_add_problem(actor(people.supervisor), inspection, category=Problem.Category.UNDER_REPORTING,
                                description=f"群众扫码评价未录入系统（第{n + 1}处）", at=at(2026, 3, 20, 16))  # fmt: skip
    return inspection


def test_raising_a_finding_makes_a_problem_of_a_new_data_comparison(people, finding):
    problem = feedback.do_raise_finding(
        actor(people.supervisor), finding, inspectors="检查组", at=at(2026, 4, 1, 9)
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RAISED and finding.steps.filter(kind="raised").exists()
    inspection = problem.inspection
    assert inspection.unit.code == "B1" and inspection.methods == [Method.DATA_COMPARISON]
    assert problem.finding == finding and problem.category == Problem.Category.FAKE_RATINGS
    assert "非服务时间" in problem.description and problem.no == 1
    with pytest.raises(Exception, match="已立查"):
        feedback.do_raise_finding(
            actor(people.supervisor), finding, inspectors="检查组", at=at(2026, 4, 1, 9)
        )


def test_a_finding_goes_only_into_an_inspection_of_its_own_unit(people, finding):
    elsewhere = inspection_of(people, "B2", problems=0)
    with pytest.raises(feedback.InspectionError, match="所在单位"):
        feedback.do_raise_finding(actor(people.supervisor), finding, inspection=elsewhere)


def test_feedback_forms_are_numbered_in_the_year_they_are_issued(people):
    first, second = inspection_of(people), inspection_of(people, "B2")
    a = feedback.do_issue_form(actor(people.supervisor), second, at=at(2026, 3, 21, 9))
    b = feedback.do_issue_form(actor(people.supervisor), first, at=at(2026, 3, 21, 10))
    assert (a.number, b.number) == ("检查反馈〔2026〕第0001号", "检查反馈〔2026〕第0002号")
    assert a.reply_due == date(2026, 4, 3)  # ten working days from a Saturday
    later = inspection_of(people, "B3", when=at(2027, 1, 5, 9))
    assert (
        feedback.do_issue_form(actor(people.supervisor), later, at=at(2027, 1, 6, 9)).number
        == "检查反馈〔2027〕第0001号"
    )


def test_a_form_needs_problems_and_takes_none_after_issue(people):
    empty = inspection_of(people, problems=0)
    with pytest.raises(feedback.InspectionError, match="未发现问题"):
        feedback.do_issue_form(actor(people.supervisor), empty)
    issued = inspection_of(people, "B2")
    feedback.do_issue_form(actor(people.supervisor), issued, at=at(2026, 3, 21, 9))
    with pytest.raises(feedback.InspectionError, match="已下发"):
        feedback.do_add_problem(actor(people.supervisor), issued, category="other", description="又一个问题")


def test_the_unit_answers_each_problem_and_the_group_accepts_the_fixes(people):
    inspection = inspection_of(people, problems=2)
    form = feedback.do_issue_form(actor(people.supervisor), inspection, at=at(2026, 3, 21, 9))
    problems = list(inspection.problems.all())
    with pytest.raises(feedback.InspectionError, match="问题 2"):
        feedback.do_answer_form(actor(people.staff), form, answer="已整改", fixes={problems[0].pk: "补录"})
    feedback.do_answer_form(
        actor(people.staff), form, answer="已全部整改", fixes={p.pk: f"补录问题{p.no}" for p in problems},
        institution="建立评价数据每日核对制度", at=at(2026, 3, 25, 10),
    )  # fmt: skip
    form.refresh_from_db()
    assert form.status == FeedbackForm.Status.ANSWERED
    feedback.do_accept_form(actor(people.supervisor), form, "整改到位", at=at(2026, 3, 26, 10))
    assert all(p.fixed for p in inspection.problems.all())
    assert [s.kind for s in form.steps.all()] == ["issued", "answered", "accepted"]


def test_an_answer_sent_back_gets_a_new_deadline(people):
    inspection = inspection_of(people)
    form = feedback.do_issue_form(actor(people.supervisor), inspection, at=at(2026, 3, 21, 9))
    feedback.do_answer_form(actor(people.staff), form, answer="已整改",
                            fixes={inspection.problems.get().pk: "补录"}, at=at(2026, 3, 23, 9))  # fmt: skip
    with pytest.raises(feedback.InspectionError, match="理由"):
        feedback.do_return_form(actor(people.supervisor), form, " ")
    form = feedback.do_return_form(actor(people.supervisor), form, "未说明原因", at=at(2026, 3, 24, 9))
    assert (
        form.status == FeedbackForm.Status.ISSUED
        and form.reply_due == date(2026, 4, 8)
        and form.returned_count == 1
    )


def test_only_the_group_inspects_and_only_the_unit_answers(people):
    with pytest.raises(PermissionDenied):
        feedback.do_create_inspection(actor(people.staff), Unit.objects.get(code="B1"), subject="自查", methods=["onsite"],
                                      conducted_on=date(2026, 3, 1), inspectors="我")  # fmt: skip
    inspection = inspection_of(people)
    form = feedback.do_issue_form(actor(people.supervisor), inspection, at=at(2026, 3, 21, 9))
    with pytest.raises(PermissionDenied):
        feedback.do_answer_form(actor(people.other_staff), form, answer="x", fixes={})
    with pytest.raises(PermissionDenied):
        feedback.do_answer_form(actor(people.supervisor), form, answer="x", fixes={})


def test_an_overdue_answer_is_carded_and_ordered_once_per_deadline(people):
    from govwatch.supervision.models import Notification, SupervisionOrder
    from govwatch.supervision.scan import scan
    from govwatch.supervision.watches import issue_for_overdue_watches, watch_of

    inspection = inspection_of(people)
    form = feedback.do_issue_form(
        actor(people.supervisor), inspection, at=at(2026, 3, 9, 9)
    )  # due 2026-03-23

    def card_at(moment) -> str:
        scan(moment)
        return watch_of(form, FEEDBACK).card

    assert card_at(at(2026, 3, 18, 23)) == "none"
    assert card_at(at(2026, 3, 19, 9)) == "yellow"
    assert card_at(at(2026, 3, 24, 0, 1)) == "red"
    # The cards reach the unit by SMS, like a case's.
    assert Notification.objects.filter(unit__code="B1", text__contains=form.number).count() >= 2
    assert issue_for_overdue_watches(at(2026, 3, 23, 20)) == 0
    assert issue_for_overdue_watches(at(2026, 3, 24, 0, 5)) == 1
    assert issue_for_overdue_watches(at(2026, 3, 25, 9)) == 0
    order = SupervisionOrder.objects.get()
    assert order.unit.code == "B1" and form.number in order.demand
    assert order.origin == SupervisionOrder.Origin.FEEDBACK_OVERDUE
    step = form.steps.get(kind="overdue")
    assert step.order == order and step.due == date(2026, 3, 23)


def test_the_answer_stops_the_clock_and_a_return_starts_a_new_deadline(people):
    from govwatch.supervision.models import SupervisionOrder, Watch
    from govwatch.supervision.watches import issue_for_overdue_watches, watch_of

    inspection = inspection_of(people)
    form = feedback.do_issue_form(actor(people.supervisor), inspection, at=at(2026, 3, 9, 9))
    fixes = {p.pk: "已整改" for p in inspection.problems.all()}
    form = feedback.do_answer_form(
        actor(people.staff), form, answer="已整改", fixes=fixes, at=at(2026, 3, 20, 9)
    )
    assert watch_of(form, FEEDBACK).status == Watch.Status.SUSPENDED
    assert issue_for_overdue_watches(at(2026, 3, 30, 9)) == 0  # the group has the answer
    form = feedback.do_return_form(actor(people.supervisor), form, "措施不具体", at=at(2026, 3, 31, 9))
    w = watch_of(form, FEEDBACK)
    assert w.status == Watch.Status.OPEN and w.due_date == form.reply_due > date(2026, 3, 31)
    form = feedback.do_answer_form(
        actor(people.staff), form, answer="已细化", fixes=fixes, at=at(2026, 4, 1, 9)
    )
    feedback.do_accept_form(actor(people.supervisor), form, at=at(2026, 4, 2, 9))
    assert watch_of(form, FEEDBACK).status == Watch.Status.CLOSED
    assert issue_for_overdue_watches(at(2026, 6, 1, 9)) == 0 and not SupervisionOrder.objects.exists()


def test_the_docx_form_carries_its_number_problems_and_receipt(people):
    from govwatch.inspections.documents import form_docx

    inspection = inspection_of(people, problems=2)
    form = feedback.do_issue_form(actor(people.supervisor), inspection, at=at(2026, 3, 21, 9))
    doc = Document(io.BytesIO(form_docx(form)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "检查反馈表" in text and form.number in text and "回　执" in text and "2026年4月3日前" in text
    assert text.startswith("区纪委监委")  # signed by the supervisor unit of the unit's region
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["序号", "问题类型", "问题描述", "整改要求"] and len(rows) == 3
    receipt = [r.cells[0].text for r in doc.tables[1].rows]
    assert "逐项整改情况" in receipt and "责任追究情况" in receipt
    assert doc.sections[0].page_width.cm == pytest.approx(21, abs=0.1)


def test_figures_count_inspections_problems_units_involved_and_fixed(people):
    from govwatch.inspections.figures import inspection_figures

    a = inspection_of(people, "B1", problems=2)
    inspection_of(people, "B2", problems=1)
    inspection_of(people, "B3", problems=0)
    form = feedback.do_issue_form(actor(people.supervisor), a, at=at(2026, 3, 21, 9))
    feedback.do_answer_form(actor(people.staff), form, answer="改了", fixes={p.pk: "改了" for p in a.problems.all()},
                            at=at(2026, 3, 22, 9))  # fmt: skip
    feedback.do_accept_form(actor(people.supervisor), form, at=at(2026, 3, 23, 9))
    figures = inspection_figures(*MARCH)
    assert figures.as_dict() == {"inspections": 3, "problems": 3, "units_involved": 2, "fixed": 2}


# -- pages ---------------------------------------------------------------------------------------


def test_the_unit_sees_its_inspection_only_once_the_form_is_issued_and_answers_it(people):
    inspection = inspection_of(people)
    url = f"/inspections/{inspection.pk}/"
    staff = client_of(people.staff)
    assert staff.get(url).status_code == 404
    feedback.do_issue_form(actor(people.supervisor), inspection)
    page = staff.get(url)
    assert page.status_code == 200 and "反馈整改情况" in page.content.decode()
    assert client_of(people.other_staff).get(url).status_code == 404
    problem = inspection.problems.get()
    refused = staff.post(f"{url}answer/", {"answer": "", f"fix_{problem.pk}": ""})
    assert "请填写总体整改情况" in refused.content.decode()
    done = staff.post(
        f"{url}answer/", {"answer": "已补录", f"fix_{problem.pk}": "逐条补录", "institution": ""}
    )
    assert done.status_code == 302
    assert staff.post(f"{url}accept/", {"comment": ""}).status_code == 403
    assert client_of(people.supervisor).post(f"{url}accept/", {"comment": "好"}).status_code == 302
    assert staff.get(f"{url}form.docx")["Content-Type"].startswith("application/vnd.openxmlformats")


def test_supervisor_raises_a_finding_from_its_page(people, finding):
    sup = client_of(people.supervisor)
    page = sup.get(f"/inspections/raise/{finding.pk}/")
    assert page.status_code == 200 and "新建一次数据比对检查" in page.content.decode()
    assert (
        "新建检查时请填写检查人员"
        in sup.post(f"/inspections/raise/{finding.pk}/", {"inspectors": ""}).content.decode()
    )
    done = sup.post(f"/inspections/raise/{finding.pk}/", {"inspectors": "检查组"})
    assert done.status_code == 302
    assert client_of(people.office).get(f"/inspections/raise/{finding.pk}/").status_code == 403
    assert client_of(people.staff).get("/inspections/new/").status_code == 403


def test_forms_issued_before_the_watch_engine_are_watched_by_the_migration(people):
    import importlib

    from django.apps import apps

    from govwatch.supervision.models import Watch
    from govwatch.supervision.watches import watch_of

    form = feedback.do_issue_form(actor(people.supervisor), inspection_of(people), at=at(2026, 3, 9, 9))
    Watch.objects.all().delete()
    migration = importlib.import_module("govwatch.inspections.migrations.0002_feedback_deadline_watched")
    migration.watch_issued_forms(apps, None)
    w = watch_of(form, FEEDBACK)
    assert w.status == Watch.Status.OPEN and w.due_date == form.reply_due == date(2026, 3, 23)
