"""廉政风险点: kept per post by the unit, reviewed yearly, the unit reminded when a review falls due."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.integrity import actions
from govwatch.integrity.models import RiskPoint
from govwatch.rectification.tests.conftest import at, signed_in
from govwatch.supervision.models import Notification


def point(people, region, when=None):
    return actions.do_save_risk(
        people.actor("market_staff"), None, unit=region["market"], post="现场核查岗", risk="审批前现场检查时收受服务对象财物",
        level="high", controls="两人同行、全程记录、结果公示", at=when or at(2025, 3, 10),
    )  # fmt: skip


def test_a_unit_keeps_its_own_points_and_not_another_units(region, people):
    saved = point(people, region)
    assert (saved.reviewed_on, saved.next_review) == (date(2025, 3, 10), date(2026, 3, 10))
    with pytest.raises(PermissionDenied):
        actions.do_save_risk(people.actor("social_staff"), None, unit=region["market"], post="岗", risk="风险",
                             level="low", controls="措施")  # fmt: skip
    with pytest.raises(actions.RiskError):
        actions.do_save_risk(people.actor("market_staff"), None, unit=region["market"], post="岗", risk="", level="low",
                             controls="措施")  # fmt: skip


def test_the_unit_is_reminded_once_when_a_review_falls_due(region, people):
    point(people, region)
    assert actions.review_reminders(at(2026, 2, 1)) == 0  # 37 days ahead

    assert actions.review_reminders(at(2026, 2, 10)) == 1
    assert actions.review_reminders(at(2026, 2, 11)) == 0

    message = Notification.objects.get(kind="reminder")
    assert message.unit.code == "SC" and "现场核查岗" in message.text


def test_a_review_moves_the_next_one_a_year_on(region, people):
    saved = point(people, region)
    with pytest.raises(actions.RiskError):
        actions.do_review(people.actor("market_staff"), saved, " ")

    reviewed = actions.do_review(people.actor("supervisor"), saved, "措施落实到位", at=at(2026, 3, 1))

    assert reviewed.next_review == date(2027, 3, 1)
    assert RiskPoint.objects.get().reviews.filter(kind="reviewed").count() == 1


def test_the_pages_by_role(region, people):
    saved = point(people, region)
    assert "现场核查岗" in signed_in(people.market_staff).get("/integrity/").content.decode()
    assert "现场核查岗" not in signed_in(people.social_staff).get("/integrity/").content.decode()
    assert signed_in(people.social_staff).get(f"/integrity/{saved.pk}/").status_code == 404
    assert signed_in(people.office).get("/integrity/new/").status_code == 403
    response = signed_in(people.market_staff).post(f"/integrity/{saved.pk}/review/", {"note": "已复核"})
    assert response.status_code == 302
