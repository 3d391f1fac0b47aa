"""`govwatch report kpi` writes its JSON row by row and starts with only the apps it needs: the same
bytes as the document written whole by json.dumps, and as the command set up with every app."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest
from django.db import connection

from govwatch.cli import main
from govwatch.orgs.models import Unit
from govwatch.reports.exports import kpi_document
from govwatch.reports.figures import contract_rows, kpi_rows, selected_units, top_negative_tags

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
MARCH_ARGS = ["--from", "2026-03-01", "--to", "2026-03-31"]


def _printed(capsysbinary, *argv: str) -> bytes:
    capsysbinary.readouterr()
    assert main(["report", "kpi", *argv]) == 0
    return capsysbinary.readouterr().out


@pytest.mark.parametrize("unit", [None, "ST"])
def test_the_json_is_the_text_json_dumps_writes_of_the_document(march, capsysbinary, unit):
    # Names json.dumps must escape, and two units with the same figures (each under its own name).
    Unit.objects.filter(code="ST1").update(name='东门"社区"\\ 一')
    Unit.objects.filter(code="JW").update(name="纪委\n监委")
    argv = [*MARCH_ARGS, *(["--unit", unit] if unit else [])]
    units = selected_units(unit) if unit else None
    rows = contract_rows(kpi_rows(*MARCH, unit))
    doc = kpi_document(*MARCH, unit, rows, top_negative_tags(*MARCH, units))
    assert any(r["on_time_rate"] is None for r in doc["rows"]) and any(
        isinstance(r["on_time_rate"], float) for r in doc["rows"]
    )
    assert _printed(capsysbinary, *argv, "--format", "json") == (
        json.dumps(doc, ensure_ascii=False) + "\n"
    ).encode("utf-8")


def _in_own_process(tmp_path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GOVWATCH_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="govwatch.settings")
    return subprocess.run([sys.executable, *argv], env=env, capture_output=True, check=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="copies the SQLite test database to a file")
def test_the_command_with_only_its_apps_prints_what_it_prints_with_every_app(march, capsysbinary, tmp_path):
    Unit.objects.filter(code="ST1").update(name='东门"社区"')
    connection.ensure_connection()
    # The test's database (in memory, this transaction's rows included) as a GovWatch var dir's
    # file, dumped through the test's connection (a backup would wait for its transaction to end).
    target = sqlite3.connect(tmp_path / "govwatch.sqlite3")
    target.executescript("\n".join(connection.connection.iterdump()))
    target.close()
    for fmt in ("json", "csv"):
        argv = [*MARCH_ARGS, "--format", fmt]
        alone = _in_own_process(tmp_path, "-m", "govwatch.cli", "report", "kpi", *argv)
        assert alone.stdout == _printed(capsysbinary, *argv), alone.stderr.decode()
    apps = _in_own_process(
        tmp_path,
        "-c",
        "from govwatch import cli; cli.setup_django('report', 'kpi'); from django.apps import apps;"
        " print(apps.is_installed('govwatch.orgs'), apps.is_installed('govwatch.projects'))",
    )
    assert apps.stdout.split() == [b"True", b"False"]
