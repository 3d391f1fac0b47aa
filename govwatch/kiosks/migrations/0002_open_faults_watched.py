# A kiosk fault's repair deadline moves to e-supervision's watched deadlines: the faults open when
# this runs are watched from here on.

from django.db import migrations


def watch_open_faults(apps, schema_editor):
    KioskFault = apps.get_model("kiosks", "KioskFault")
    if not KioskFault.objects.filter(status="open").exists():
        return  # a new installation: nothing to carry over
    # The live models and the watch engine: the watch's order moment needs the working-day
    # calendar, which only the live code has.
    from govwatch.kiosks import models
    from govwatch.kiosks.watching import watch_fault

    for fault in models.KioskFault.objects.filter(status="open").select_related("kiosk__unit"):
        watch_fault(fault, fault.reported_at)


class Migration(migrations.Migration):
    dependencies = [
        ("kiosks", "0001_initial"),
        ("supervision", "0008_complaint_order_origin"),
    ]

    operations = [migrations.RunPython(watch_open_faults, migrations.RunPython.noop)]
