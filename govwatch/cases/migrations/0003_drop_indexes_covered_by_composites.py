"""The foreign keys' own indexes that a composite index leading with the same column makes redundant
(Case.item, Case.unit, CaseEvent.case, Suspension.case) are dropped: every insert paid for them and
a bulk load built them. Only the indexes go; on SQLite an AlterField would rebuild each table."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("cases_case", "item_id", "cases_case_item_id_896f667f"),
    ("cases_case", "unit_id", "cases_case_unit_id_f34fc706"),
    ("cases_caseevent", "case_no", "cases_caseevent_case_no_f405db17"),
    ("cases_suspension", "case_no", "cases_suspension_case_no_881bea52"),
]


def drop(apps, schema_editor):
    for _table, _column, name in INDEXES:
        # PostgreSQL also has a pattern-ops twin of a text column's index.
        for index in (name, f"{name}_like"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


def create(apps, schema_editor):
    q = schema_editor.quote_name
    for table, column, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(name)} ON {q(table)} ({q(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_scan_state_alter_case_card"),
        ("catalog", "0002_limits_and_single_line_names"),
        ("orgs", "0004_merge_0003_names_single_line_0003_unit_hours"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="catalog.item",
                        verbose_name="事项",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="orgs.unit",
                        verbose_name="办理单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_column="case_no",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="cases.case",
                        to_field="case_no",
                    ),
                ),
                migrations.AlterField(
                    model_name="suspension",
                    name="case",
                    field=models.ForeignKey(
                        db_column="case_no",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="suspensions",
                        to="cases.case",
                        to_field="case_no",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
