"""Collects the subcommands each domain app offers to the `govwatch` console command."""

from __future__ import annotations

import argparse
import importlib

# Each module has `register(subparsers)`; the order is the order of `govwatch --help`.
MODULES = [
    "govwatch.imports.cli",
    "govwatch.workcal.cli",
    "govwatch.cases.cli",
    "govwatch.supervision.cli",
    "govwatch.randomchecks.cli",
    "govwatch.complaints.cli",
    "govwatch.prediction.cli",
    "govwatch.rectification.cli",
    "govwatch.audit.cli",
    "govwatch.api.cli",
    "govwatch.accounts.cli",
    "govwatch.checks.cli",
    "govwatch.accountability.cli",
    "govwatch.reports.cli",
    "govwatch.demo.cli",
    "govwatch.demo.integrity",
    "govwatch.web.cli",
    "govwatch.core.worker",
    "govwatch.demo.users",
    "govwatch.bench.cli",
    "govwatch.ops.cli",
    "govwatch.ops.deploy",
]


def register(sub: argparse._SubParsersAction, wanted: str | None = None) -> None:
    """Every module's subcommands; with `wanted` (the command asked for), the modules up to the one
    that offers it: a command does not wait for the modules of all the others to be imported."""
    for name in MODULES:
        importlib.import_module(name).register(sub)
        if wanted is not None and wanted in sub.choices:
            return
