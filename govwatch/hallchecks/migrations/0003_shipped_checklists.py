"""The two checklists GovWatch ships; the office edits them (or adds its own) on the checklist page."""

from django.db import migrations


def ship(apps, schema_editor):
    from govwatch.hallchecks.shipped import ship

    ship(apps.get_model("hallchecks", "ChecklistTemplate"), apps.get_model("hallchecks", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [("hallchecks", "0002_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
