"""The catalog's counts kept per unit (UnitCatalog) equal those counted from the items, whatever
writes the items: the ORM (the admin, fixtures), an import, a rebuild."""

from __future__ import annotations

from govwatch.catalog.models import Item
from govwatch.core.tables import object_table
from govwatch.figures import catalog
from govwatch.figures.catalog import catalog_table
from govwatch.figures.models import UnitCatalog
from govwatch.figures.rows import item_table
from govwatch.imports.kinds import FIELDS
from govwatch.imports.runs import run_import_records
from govwatch.orgs.models import Unit


def _kept_equals_counted() -> bool:
    kept, counted = catalog_table(None), item_table(None)
    return kept.ids.tolist() == counted.ids.tolist() and kept.values.tolist() == counted.values.tolist()


def test_items_saved_moved_and_deleted_keep_their_units_counts(region):
    assert _kept_equals_counted()
    item = region["items"]["I9"]
    item.promised_days, item.online = 5, "none"
    item.save()
    assert _kept_equals_counted()
    # Moved to another unit: both units are recounted.
    item.unit = region["social"]
    item.save()
    assert _kept_equals_counted()
    assert not UnitCatalog.objects.filter(unit=region["market"]).exists()
    region["items"]["I2"].delete()
    assert _kept_equals_counted()


def test_imported_items_new_and_changed_keep_their_units_counts(region):
    records = [
        {"code": "N1", "name": "新事项", "unit_code": "ST1", "legal_days": 10, "promised_days": 3, "online": "full"},
        {"code": "I0", "name": "社保卡补办", "unit_code": "RS", "legal_days": 5, "promised_days": 2},
    ]  # fmt: skip
    run_import_records("items", object_table(records, FIELDS["items"]), operator_label="test", filename="t")
    assert Item.objects.get(code="I0").unit.code == "RS"
    assert _kept_equals_counted()


def test_rebuild_recounts_every_unit(region):
    UnitCatalog.objects.all().delete()
    catalog.rebuild()
    assert _kept_equals_counted()
    assert UnitCatalog.objects.count() == Unit.objects.filter(items__isnull=False).distinct().count()
