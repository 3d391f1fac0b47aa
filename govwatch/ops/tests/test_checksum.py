"""The database checksum compares what rows say, not the surrogate ids they were given: a generic
reference (a watched deadline's subject) is compared by the row it points to."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from govwatch.ops.checksum import database_checksum
from govwatch.orgs.models import Unit
from govwatch.supervision.models import NotificationTemplate, Watch

pytestmark = pytest.mark.django_db


def watch_of(subject: NotificationTemplate, unit: Unit) -> Watch:
    return Watch.objects.create(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, kind="test",
        label="受监督事项", unit=unit, due_date=date(2026, 12, 1),
        opened_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
    )  # fmt: skip


def test_a_watch_whose_subject_got_another_id_sums_the_same_and_another_subject_does_not():
    unit = Unit.objects.create(code="U1", name="单位一", kind="department")
    skipped = NotificationTemplate.objects.create(kind="yellow", text="被回滚的一行")
    subject = NotificationTemplate.objects.create(kind="red", text="超时提醒")
    skipped.delete()  # as a killed transaction leaves a gap in PostgreSQL's sequence
    watch = watch_of(subject, unit)
    before = database_checksum()

    text = subject.text
    subject.delete()
    again = NotificationTemplate.objects.create(kind="red", text=text)
    assert again.pk != watch.object_id
    Watch.objects.filter(pk=watch.pk).update(object_id=again.pk)
    assert database_checksum()["sha256"] == before["sha256"]

    other = NotificationTemplate.objects.create(kind="yellow", text="预警提醒")
    Watch.objects.filter(pk=watch.pk).update(object_id=other.pk)
    after = database_checksum()
    assert after["tables"]["supervision.watch"] != before["tables"]["supervision.watch"]
