"""A unit's alert number is personal data: encrypted at rest, clear only in memory."""

from __future__ import annotations

from django.db import connection

from govwatch.orgs.models import Unit


def test_a_units_phone_is_stored_encrypted_and_read_back_in_clear(region):
    with connection.cursor() as c:
        c.execute("SELECT phone FROM orgs_unit WHERE code = %s", ["SC"])
        (stored,) = c.fetchone()
    assert "13800001111" not in stored and stored.startswith("sm4:")
    assert Unit.objects.get(code="SC").phone == "13800001111"


def test_an_imported_phone_is_encrypted_too(shipped_calendar, tmp_path):
    from govwatch.imports.runs import run_import

    f = tmp_path / "units.csv"
    f.write_text("code,name,parent_code,kind,phone\nR,区,,district,13712345678\n", encoding="utf-8")
    run_import("units", f)
    with connection.cursor() as c:
        c.execute("SELECT phone FROM orgs_unit WHERE code = %s", ["R"])
        assert "13712345678" not in c.fetchone()[0]
    assert Unit.objects.get(code="R").phone == "13712345678"
    assert run_import("units", f).duplicates == 1  # re-import: same content, nothing changes
