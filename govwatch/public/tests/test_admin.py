from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from govwatch.public.intake import receive
from govwatch.public.models import Submission

PHONE = "13912345678"


@pytest.fixture
def submission(done) -> Submission:
    return receive(
        case_no=done.case_no, channel="web", window_code="", level=2, scores={}, tags=["slow"],
        comment=f"窗口让我等了两小时，请回电 {PHONE}", source="203.0.113.9", at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", password="correct-horse-battery"))
    return client


def test_received_submissions_are_listed_in_the_admin(admin_client, submission):
    html = admin_client.get(reverse("admin:public_submission_changelist")).content.decode()
    assert submission.case_no in html
    assert "已收到" in html


def test_a_submission_is_shown_read_only_with_the_phone_masked(admin_client, submission):
    response = admin_client.get(reverse("admin:public_submission_change", args=[submission.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "窗口让我等了两小时" in html
    assert "139****5678" in html
    assert PHONE not in html
    assert "203.0.113.9" not in html  # the citizen's address stays in the audit log
    assert 'name="case_no"' not in html  # no form field: nothing can be changed


def test_submissions_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, submission):
    assert admin_client.get(reverse("admin:public_submission_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:public_submission_delete", args=[submission.pk])).status_code == 403
    )
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_unit_staff_cannot_open_the_submissions(client, people, submission):
    client.force_login(people.market_staff)
    response = client.get(reverse("admin:public_submission_changelist"))
    assert response.status_code in (302, 403)
