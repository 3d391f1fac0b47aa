"""A command imports only its own module: the table that says which module registers which
subcommand must be whole and right, and the parser still lists every command when asked."""

from __future__ import annotations

import argparse
import importlib

from govwatch import commands
from govwatch.cli import build_parser


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_every_subcommand_is_listed_with_the_module_that_registers_it():
    registered = {}
    for name in commands.MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        registered.update(dict.fromkeys(sub.choices, name))
    assert commands.COMMAND_MODULES == registered


def test_a_command_line_registers_only_its_own_module():
    assert _subcommands(build_parser(["report", "kpi", "--from", "2026-11-01"])) == {
        "init",
        "manage",
        "report",
    }
    assert _subcommands(build_parser(["backup", "--help"])) == {
        "init",
        "manage",
        "backup",
        "restore",
        "checksum",
        "health",
    }


def test_help_and_unknown_commands_list_every_command():
    everything = {"init", "manage", *commands.COMMAND_MODULES}
    assert _subcommands(build_parser(["--help"])) == everything
    assert _subcommands(build_parser(["no-such-command"])) == everything
    assert _subcommands(build_parser([])) == everything
    assert _subcommands(build_parser()) == everything


def _loaded_at_start(command: str, module: str, tmp_path, then: str = "") -> bool:
    """Whether `module` is imported once Django is set up for `command` (in a process of its own),
    and the statement `then` run."""
    import os
    import subprocess
    import sys

    code = f"import sys; from govwatch import cli; cli.setup_django(sys.argv[1]); {then or 'pass'}; print(sys.argv[2] in sys.modules)"
    env = {**os.environ, "GOVWATCH_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "govwatch.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code, command, module], env=env, capture_output=True, check=True
    )
    return out.stdout.decode().strip() == "True"


def _admin_discovered(command: str, tmp_path) -> bool:
    return _loaded_at_start(command, "govwatch.catalog.admin", tmp_path)


def test_a_command_that_serves_no_page_starts_without_the_admin_modules(tmp_path):
    assert not _admin_discovered("report", tmp_path)
    assert _admin_discovered("serve", tmp_path) and _admin_discovered("manage", tmp_path)


def test_django_starts_without_numpy_which_only_the_commands_that_make_arrays_import(tmp_path):
    # numpy is about 0.15 s of CPU of a 0.6 s start: `checksum`, `health`, `backup` and the like
    # (the fault suite and the backup tests start dozens) need none of it. The models, the signals
    # and the modules they import leave it to the functions that make arrays.
    assert not _loaded_at_start("checksum", "numpy", tmp_path)
    assert not _loaded_at_start("serve", "numpy", tmp_path)


def test_an_import_loads_every_importer_without_numpy(tmp_path):
    # `govwatch import units` (the fault suite and the ops tests start many) loads every kind's
    # importer; the case import and the window files' attendance import numpy where they make arrays.
    then = "from govwatch.imports.runs import _importers; _importers()"
    assert not _loaded_at_start("import", "numpy", tmp_path, then)
    assert _loaded_at_start("import", "govwatch.windows.attendance", tmp_path, then)


def test_the_urlconf_discovers_the_admin_a_command_skipped(client):
    # This process was set up with the admin discovered; the URLconf's own discovery is a no-op
    # then, and is what a lean process relies on.
    from django.contrib import admin

    from govwatch.catalog.models import Item

    assert admin.site.is_registered(Item)
    assert client.get("/admin/login/").status_code == 200
