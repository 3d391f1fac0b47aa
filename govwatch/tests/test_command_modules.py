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
