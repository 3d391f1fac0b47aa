# The feedback form's answer deadline moves to e-supervision's watched deadlines: a form issued and
# still unanswered is watched from here on, and keeps the order already issued for its deadline.

from django.db import migrations


def watch_issued_forms(apps, schema_editor):
    FeedbackForm = apps.get_model("inspections", "FeedbackForm")
    if not FeedbackForm.objects.filter(status="issued").exists():
        return  # a new installation: nothing to carry over
    # The live models and the watch engine, as they are when this runs: the watch's order moment
    # needs the working-day calendar, which only the live code has.
    from govwatch.inspections import models
    from govwatch.inspections.watching import watch_form
    from govwatch.supervision.models import Watch

    for form in models.FeedbackForm.objects.filter(status="issued").select_related("inspection__unit"):
        watch_form(form, form.issued_at)
        step = form.steps.filter(kind="overdue", due=form.reply_due).exclude(order=None).first()
        if step is not None:
            Watch.objects.filter(object_id=form.pk, kind="inspection_feedback").update(order=step.order, order_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
        ("supervision", "0008_complaint_order_origin"),
    ]

    operations = [
        migrations.RunPython(watch_issued_forms, migrations.RunPython.noop),
        migrations.RemoveField(model_name="feedbackform", name="attention_at"),
    ]
