# A complaint's card is its watched deadline's (0004): the complaint's own card columns go.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_watched_deadlines")]

    operations = [
        migrations.RemoveField(model_name="complaint", name="card"),
        migrations.RemoveField(model_name="complaint", name="card_at"),
        migrations.RemoveField(model_name="complaint", name="next_card_at"),
    ]
