"""One timeline per case: accepted, yellow, red with the working days overdue, each message, the
order (linked) with its reply and acceptance, completion, the evaluation with its reasons linked to
its task; and the order button only where an order makes sense."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from govwatch.audit.log import Actor
from govwatch.evaluations.intake import do_submit_evaluation
from govwatch.imports.runs import run_import
from govwatch.imports.tests.helpers import events_csv
from govwatch.supervision import orders
from govwatch.supervision.dispatch import dispatch
from govwatch.supervision.models import SupervisionOrder
from govwatch.supervision.scan import scan
from govwatch.tests.fixtures import build_case

TZ = ZoneInfo("Asia/Shanghai")
WORKER = Actor("system:worker")


def at(m, d, hh=10):
    return datetime(2026, m, d, hh, tzinfo=TZ)


def _actor(user) -> Actor:
    return Actor(f"user:{user.get_username()}", user)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_case_that_went_yellow_red_was_ordered_and_closed_tells_it_all_in_order(region, people, tmp_path):
    item = region["items"]["I9"]  # 9 promised working days: due Friday 13 March
    build_case("SC-T", item, [("accept", at(3, 2))])
    scan(at(3, 11))  # yellow: three working days left
    scan(at(3, 16))  # red from Saturday 14 March
    dispatch(now=at(3, 16, 11))
    assert orders.issue_for_overdue_cases(at(3, 18)) == 1
    order = SupervisionOrder.objects.get()
    orders.do_reply(_actor(people["market"]), order, "加派人手", "已办结", at=at(3, 19))
    orders.do_accept(_actor(people["supervisor"]), order, "同意", at=at(3, 20))
    done = events_csv(tmp_path / "done.csv", [["SC-T", "complete", "2026-03-19T16:00:00+08:00"]])
    assert run_import("cases", done, operator_label="test").imported == 1
    case = order.case
    case.refresh_from_db()
    task = do_submit_evaluation(
        case=case, level=1, at=at(3, 21), channel="qr", tags=["slow", "runaround"]
    ).task

    page = _signed_in(people["supervisor"]).get(reverse("case-detail", args=["SC-T"]))
    timeline = page.context["timeline"]
    kinds = [entry.kind for entry, _ in timeline]
    order_at = kinds.index("order-issued")
    assert kinds[0] == "accept" and kinds.index("yellow") < kinds.index("red") < order_at
    assert kinds.index("message") < order_at  # the cards' messages, sent before the order
    assert order_at < kinds.index("order-replied") < kinds.index("complete") < kinds.index("order-closed")
    assert kinds.index("order-closed") < kinds.index("evaluation")
    red = next(entry for entry, _ in timeline if entry.kind == "red")
    # Due 13 March, completed 19 March: 16, 17, 18 and 19 March are working days late.
    assert "办结时超期 4 个工作日" in red.text
    html = page.content.decode()
    assert reverse("supervision:order-detail", args=[order.pk]) in html and order.number in html
    assert "自动督办：办件超时" in html
    evaluation = next(entry for entry, _ in timeline if entry.kind == "evaluation")
    assert "办理时间长、多次跑动" in evaluation.text
    assert evaluation.link == reverse("evaluations:task-detail", args=[task.pk])
    # The case is completed: nothing left to order.
    assert "下发督办单" not in html


def test_the_order_button_shows_on_an_open_case_without_an_open_order_only(region, people):
    item = region["items"]["I9"]
    build_case("SC-O", item, [("accept", at(3, 2))])
    client = _signed_in(people["supervisor"])
    assert "下发督办单" in client.get(reverse("case-detail", args=["SC-O"])).content.decode()
    scan(at(3, 16))
    orders.issue_for_overdue_cases(at(3, 18))
    assert "下发督办单" not in client.get(reverse("case-detail", args=["SC-O"])).content.decode()
    # A unit's staff never see the button, and do not see the messages to the commission.
    html = _signed_in(people["market"]).get(reverse("case-detail", args=["SC-O"])).content.decode()
    assert "下发督办单" not in html and "区纪委监委" not in html
