"""The public evaluation form: submission through the intake service, refusals, bot guards and
the per-address limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from govwatch.core import pii
from govwatch.evaluations.models import Evaluation
from govwatch.public.intake import take_all
from govwatch.public.tokens import evaluation_link, form_stamp

from .conftest import PHONE, aged_stamp, evaluation_post, token_of
from .lean import LeanClient as Client

pytestmark = pytest.mark.django_db


def test_the_form_shows_levels_items_and_reasons_and_sets_the_csrf_cookie(client, done):
    response = client.get(evaluation_link(done, "sms"))
    assert response.status_code == 200
    text = response.content.decode()
    for word in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f">{word}</span>" in text
    for label in (
        "总体满意度",
        "办事效率",
        "服务态度",
        "指引准确性",
        "便捷程度",
        "态度不好",
        "多次跑动",
        "意见建议",
    ):
        assert label in text
    assert 'maxlength="500"' in text
    assert "csrftoken" in response.cookies
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_a_submission_is_recorded_through_the_link_channel(client, done):
    path = evaluation_link(done, "sms")
    token = token_of(path)
    response = client.post(
        path,
        evaluation_post(token, level="4", score_efficiency="5", score_attitude="4", comment="很快，谢谢"),
    )
    assert response.status_code == 302 and response.url == f"/e/{token}/thanks/"
    # Received at once, recorded by the worker's next step.
    assert "已收到，正在登记" in client.get(response.url).content.decode()
    assert not Evaluation.objects.exists()
    assert take_all() == 1
    evaluation = Evaluation.objects.get(case=done)
    assert (evaluation.level, evaluation.channel, evaluation.auto) == (4, "sms", False)
    assert evaluation.scores == {"efficiency": 5, "attitude": 4, "overall": 4}
    assert evaluation.window_code == "W01"
    # The applicant's registered number is the evaluator: protected, for the callback a review owes.
    assert evaluation.evaluator_hash == pii.keyed_hash(PHONE)
    assert pii.decrypt(evaluation.evaluator_enc) == PHONE
    thanks = client.get(response.url)
    assert "感谢您的评价" in thanks.content.decode()


def test_a_link_without_a_channel_of_its_own_is_web(client, done):
    path = evaluation_link(done)
    client.post(path, evaluation_post(token_of(path)))
    take_all()
    assert Evaluation.objects.get(case=done).channel == "web"


def test_a_negative_review_needs_a_reason(client, done):
    path = evaluation_link(done, "qr")
    response = client.post(path, evaluation_post(token_of(path), level="1"))
    assert response.status_code == 400
    assert "请至少选择一项原因" in response.content.decode()
    assert not Evaluation.objects.filter(case=done).exists()

    response = client.post(path, evaluation_post(token_of(path), level="1", tags=["attitude", "slow"]))
    assert response.status_code == 302
    take_all()
    evaluation = Evaluation.objects.get(case=done)
    assert evaluation.tags == ["attitude", "slow"] and evaluation.channel == "qr"


def test_the_intake_services_content_refusal_is_shown_with_the_form(client, done):
    path = evaluation_link(done)
    response = client.post(path, evaluation_post(token_of(path), level="2", tags=["other"]))
    assert response.status_code == 400
    assert "请填写评价内容" in response.content.decode()
    assert "<form" in response.content.decode()


def test_a_second_evaluation_is_refused_and_the_link_then_shows_the_outcome(client, done):
    path = evaluation_link(done, "sms")
    token = token_of(path)
    assert (
        client.post(path, evaluation_post(token, level="2", tags=["slow"], comment="等了很久")).status_code
        == 302
    )
    # Sent again before the worker recorded the first: refused at once.
    response = client.post(path, evaluation_post(token, level="5"))
    assert response.status_code == 409 and "该办件已评价" in response.content.decode()
    take_all()

    page = client.get(path).content.decode()
    assert "已评价" in page and "不满意" in page and "等了很久" in page
    assert "处理情况" in page and "办理单位" in page

    # The same form sent from another tab: the service refuses, the page says why.
    response = client.post(path, evaluation_post(token, level="5"))
    assert response.status_code == 409
    assert "该办件已评价，每笔办件只能评价一次" in response.content.decode()
    assert Evaluation.objects.filter(case=done).count() == 1


def test_a_late_evaluation_is_refused(client, make_case):
    late = make_case("RS2026100002", timedelta(days=8, hours=1))
    path = evaluation_link(late)
    response = client.post(path, evaluation_post(token_of(path)))
    assert response.status_code == 410
    assert "已超过评价期限" in response.content.decode()
    assert not Evaluation.objects.filter(case=late).exists()


def test_an_open_case_is_refused(client, make_case):
    open_case = make_case("RS2026110010", None)
    path = evaluation_link(open_case)
    response = client.post(path, evaluation_post(token_of(path)))
    assert response.status_code == 409
    assert "尚未办结" in response.content.decode()


def test_a_filled_honeypot_is_refused(client, done):
    path = evaluation_link(done)
    response = client.post(path, evaluation_post(token_of(path), website="http://spam.example"))
    assert response.status_code == 400
    assert "提交未被接受" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_quick_honest_tap_is_taken(client, done):
    """非常满意 tapped and sent at once: a person, not a robot (no minimum fill time by default)."""
    path = evaluation_link(done)
    token = token_of(path)
    response = client.post(path, evaluation_post(token, stamp=form_stamp(token)))
    take_all()
    assert response.status_code == 302 and Evaluation.objects.get().level == 5


def test_a_form_sent_twice_is_taken_once_and_a_double_tap_lands_on_thanks(client, done):
    path = evaluation_link(done)
    token = token_of(path)
    data = evaluation_post(token, stamp=form_stamp(token))
    assert client.post(path, data).status_code == 302
    again = client.post(path, data)
    assert again.status_code == 302 and again["Location"].endswith("/thanks/")
    take_all()
    assert client.post(path, data)["Location"].endswith("/thanks/")  # and after it was recorded
    assert Evaluation.objects.count() == 1


def test_a_replayed_form_of_a_case_not_yet_evaluated_is_shown_again(client, done):
    path = evaluation_link(done)
    token = token_of(path)
    stamp = form_stamp(token)
    bad = client.post(path, evaluation_post(token, stamp=stamp, level="1"))  # no reason: refused
    assert bad.status_code == 400
    replayed = client.post(path, evaluation_post(token, stamp=stamp))
    assert replayed.status_code == 400 and "该表单已提交过" in replayed.content.decode()
    assert not Evaluation.objects.exists()


def test_a_region_may_still_set_a_minimum_fill_time(client, done, settings):
    settings.PUBLIC_MIN_FILL_SECONDS = 2
    path = evaluation_link(done)
    token = token_of(path)
    hasty = form_stamp(token)
    response = client.post(path, evaluation_post(token, stamp=hasty))
    assert response.status_code == 400
    text = response.content.decode()
    assert "提交过快" in text
    assert not Evaluation.objects.exists()
    # The choices are kept for the second try, which is timed from now.
    assert 'value="5" required checked' in text
    assert hasty not in text and 'name="stamp"' in text


def test_a_stamp_of_another_link_is_refused(client, done, make_case):
    other = make_case("RS2026110002")
    path = evaluation_link(done)
    response = client.post(
        path, evaluation_post(token_of(path), stamp=aged_stamp(token_of(evaluation_link(other))))
    )
    assert response.status_code == 400
    assert "页面已失效" in response.content.decode()


def test_submissions_per_address_are_limited(client, make_case, settings):
    settings.PUBLIC_SUBMITS_PER_MINUTE = 3
    cases = [make_case(f"RS20261101{n:02d}") for n in range(5)]
    statuses = []
    for case in cases:
        path = evaluation_link(case)
        statuses.append(client.post(path, evaluation_post(token_of(path))).status_code)
    assert statuses == [302, 302, 302, 429, 429]
    take_all()
    assert Evaluation.objects.count() == 3
    # Another address is not held up by this one.
    other = Client(REMOTE_ADDR="10.1.2.3")
    path = evaluation_link(make_case("RS2026110199"))
    assert other.post(path, evaluation_post(token_of(path))).status_code == 302


def test_the_form_is_csrf_protected(done):
    strict = Client(enforce_csrf_checks=True)
    path = evaluation_link(done)
    assert strict.post(path, evaluation_post(token_of(path))).status_code == 403
    page = strict.get(path)
    csrf = page.cookies["csrftoken"].value
    response = strict.post(path, evaluation_post(token_of(path), csrfmiddlewaretoken=csrf))
    assert response.status_code == 302
