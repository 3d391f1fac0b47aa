# The negative-review loop's overdue steps and the letters' replies move onto e-supervision's
# watched deadlines: each step a unit owes now (and each letter waiting for its reply) becomes a
# Watch, linked to the order already issued for it, before `attention_at` goes.

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

# The states in which the unit owes a step, its deadline field and its name (as in loop.py then).
UNIT_STEPS = {
    "open": ("verify_due", "核实"),
    "verified": ("rectify_due", "整改反馈"),
    "returned": ("rectify_due", "整改反馈"),
    "rectified": ("callback_due", "回访"),
}


def _end_of_day(d):
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def watch_what_is_owed(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Task = apps.get_model("evaluations", "RectificationTask")
    TaskStep = apps.get_model("evaluations", "TaskStep")
    Letter = apps.get_model("evaluations", "Letter")
    Watch = apps.get_model("supervision", "Watch")
    task_type, _ = ContentType.objects.get_or_create(app_label="evaluations", model="rectificationtask")
    letter_type, _ = ContentType.objects.get_or_create(app_label="evaluations", model="letter")
    watches = []
    for task in Task.objects.filter(status__in=UNIT_STEPS).select_related("evaluation").iterator():
        field, stage = UNIT_STEPS[task.status]
        due = getattr(task, field)
        ordered = (
            TaskStep.objects.filter(task=task, kind="supervised", stage=task.status, due=due)
            .values_list("order_id", flat=True)
            .first()
        )
        watches.append(
            Watch(
                content_type=task_type, object_id=task.pk, kind="negative_review", stage=task.status,
                label=f"差评整改第{task.pk}号（{stage}）", unit_id=task.unit_id, case_id=task.evaluation.case_id,
                due_date=due, yellow_days=1, status="open", opened_at=task.opened_at,
                order_id=ordered, order_at=None if ordered else _end_of_day(due),
            )  # fmt: skip
        )
    for letter in Letter.objects.filter(status="issued").exclude(reply_due=None).iterator():
        watches.append(
            Watch(
                content_type=letter_type, object_id=letter.pk, kind="letter_reply", label=letter.number or "",
                unit_id=letter.unit_id, due_date=letter.reply_due, yellow_days=3, status="open",
                opened_at=letter.issued_at,
            )  # fmt: skip
        )
    Watch.objects.bulk_create(watches, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("supervision", "0003_watched_deadlines"),
        ("evaluations", "0003_letter_issuer"),
    ]

    operations = [
        migrations.RunPython(watch_what_is_owed, migrations.RunPython.noop),
        migrations.RemoveField(model_name="rectificationtask", name="attention_at"),
    ]
