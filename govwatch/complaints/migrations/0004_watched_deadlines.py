# The deadline of each open complaint moves onto e-supervision's watched deadlines: it becomes a
# Watch with the card its own scan last gave it (so the next scan tells nobody again) and linked to
# the order already issued for that deadline (so it is never ordered twice), before the complaint's
# own card columns go (0005).

from django.conf import settings
from django.db import migrations
from django.db.models.functions import Length

DONE = ("closed", "dismissed")
KIND_LABELS = {"consult": "咨询", "help": "求助", "suggest": "建议", "complaint": "投诉", "report": "举报"}
CARDS = ("yellow", "red")


def _answering_for_untriaged(Unit):
    units = Unit.objects.order_by(Length("path"), "path")
    return units.filter(kind="center").first() or units.filter(parent__isnull=True).first()


def watch_open_complaints(apps, schema_editor):
    # The working-day calendar of the deadline rules: the order moment counts working days.
    from govwatch.core.localtime import end_of_day
    from govwatch.workcal.calendar import get_calendar

    ContentType = apps.get_model("contenttypes", "ContentType")
    Complaint = apps.get_model("complaints", "Complaint")
    Step = apps.get_model("complaints", "ComplaintStep")
    Unit = apps.get_model("orgs", "Unit")
    Watch = apps.get_model("supervision", "Watch")
    Order = apps.get_model("supervision", "SupervisionOrder")
    ScanRun = apps.get_model("supervision", "ScanRun")
    open_complaints = Complaint.objects.exclude(status__in=DONE).exclude(due_date=None)
    if not open_complaints.exists():
        return
    complaint_type, _ = ContentType.objects.get_or_create(app_label="complaints", model="complaint")
    center = _answering_for_untriaged(Unit)
    cal = get_calendar()
    after = settings.ORDER_AFTER_RED_WORKDAYS
    # The order issued for each deadline missed (one per complaint and due date).
    ordered = {
        (complaint_id, due): order_id
        for complaint_id, due, order_id in Step.objects.filter(kind="supervised", complaint__in=open_complaints)
        .exclude(order=None)
        .values_list("complaint_id", "due", "order_id")
    }
    counted = {"open": 0, "yellow": 0, "red": 0}
    watches = []
    for c in open_complaints.iterator(chunk_size=1000):
        unit_id = c.unit_id or (center.pk if center else None)
        if unit_id is None:
            continue
        # The order of this very deadline (a reopened complaint's earlier order is not its).
        order_id = ordered.get((c.pk, c.due_date))
        # A complaint its scan has evaluated keeps that card and counts among the scan's figures.
        evaluated = c.next_card_at is not None
        if evaluated:
            counted["open"] += 1
            if c.card in CARDS:
                counted[c.card] += 1
        watches.append(
            Watch(
                content_type=complaint_type, object_id=c.pk, kind="complaint", stage="",
                label=f"{KIND_LABELS.get(c.kind, '')}{c.complaint_id}"[:200], unit_id=unit_id, case_id=c.case_id,
                due_date=c.due_date, yellow_days=1, status="open", opened_at=c.at,
                scan_state="open" if evaluated else "", card=c.card if evaluated else "none",
                card_at=c.card_at if evaluated else None, next_card_at=None, order_id=order_id,
                order_at=None if order_id else end_of_day(cal.add_workdays(c.due_date, after).date),
            )  # fmt: skip
        )
    Watch.objects.bulk_create(watches, batch_size=1000)
    for watch_id, order_id in Watch.objects.filter(
        content_type=complaint_type, kind="complaint", order__isnull=False
    ).values_list("pk", "order_id"):
        Order.objects.filter(pk=order_id, watch__isnull=True).update(watch_id=watch_id)
    # The figures the next scan carries on by difference now include the watches it evaluated.
    last = ScanRun.objects.order_by("-id").first()
    if last is not None:
        for key, n in counted.items():
            setattr(last, f"watch_{key}", getattr(last, f"watch_{key}") + n)
        last.save(update_fields=[f"watch_{key}" for key in counted])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("workcal", "0001_initial"),
        ("supervision", "0008_complaint_order_origin"),
        ("complaints", "0003_terms_and_sampling"),
    ]

    operations = [migrations.RunPython(watch_open_complaints, migrations.RunPython.noop)]
