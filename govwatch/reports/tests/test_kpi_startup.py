"""The `govwatch` command's start-up: the garbage collector is paused while a fresh process sets
Django up, then back on with the set-up's objects frozen; a process set up already (a test) is
left as it was. `report kpi` pauses it while it makes the report and turns it back on."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

from govwatch.cli import main

BAD_FORMAT = ["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf"]


def test_a_fresh_process_freezes_what_its_set_up_made_and_collects_again_after(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(GOVWATCH_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="govwatch.settings")
    # A usage error: the command is set up and parsed, then refuses before reading the database.
    script = (
        "import gc, sys; from govwatch.cli import main; collections = []\n"
        # Collections before the report command's module is imported: during the set-up.
        "gc.callbacks.append(lambda phase, info: 'govwatch.reports.cli' in sys.modules or collections.append(1))\n"
        f"code = main({BAD_FORMAT!r})\n"
        "print(code, gc.isenabled(), gc.get_freeze_count() > 10000, len(collections))"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True)
    code, enabled, frozen, collections = done.stdout.split()
    assert (code, enabled, frozen) == (b"2", b"True", b"True"), done.stderr.decode()
    assert int(collections) == 0  # none while Django was set up


def test_a_process_set_up_already_keeps_its_collector_as_it_was(db, capsys):
    frozen = gc.get_freeze_count()
    assert main(BAD_FORMAT) == 2
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert "不支持的输出格式" in capsys.readouterr().err


def test_report_kpi_turns_the_collector_back_on(march, capsysbinary):
    assert main(["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31"]) == 0
    assert gc.isenabled()
    gc.disable()
    try:
        assert main(["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"]) == 0
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_report_kpi_starts_no_pool_of_blas_threads(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENBLAS_NUM_THREADS")}
    env.update(GOVWATCH_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="govwatch.settings")
    script = (
        "import os, sys; from govwatch.cli import main\n"
        f"code = main({BAD_FORMAT!r})\n"
        "print(code, 'numpy' in sys.modules, os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True)
    assert done.stdout.split() == [b"2", b"True", b"1", b"1"], done.stderr.decode()
