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


# The module of each subcommand, so that a command imports only its own module (and what that
# imports) instead of every one of MODULES: start-up is most of a short command's time. A command
# missing here still works, at the cost of importing them all (tests check this list is whole).
COMMAND_MODULES = {
    "import": "govwatch.imports.cli",
    "calendar": "govwatch.workcal.cli",
    "case": "govwatch.cases.cli",
    "scan": "govwatch.supervision.cli",
    "notifications": "govwatch.supervision.cli",
    "random": "govwatch.randomchecks.cli",
    "complaints": "govwatch.complaints.cli",
    "predict": "govwatch.prediction.cli",
    "rectification": "govwatch.rectification.cli",
    "audit": "govwatch.audit.cli",
    "api-token": "govwatch.api.cli",
    "create-admin": "govwatch.accounts.cli",
    "checks": "govwatch.checks.cli",
    "accountability": "govwatch.accountability.cli",
    "report": "govwatch.reports.cli",
    "demo-data": "govwatch.demo.cli",
    "demo-load": "govwatch.demo.cli",
    "demo-integrity": "govwatch.demo.integrity",
    "serve": "govwatch.web.cli",
    "worker": "govwatch.core.worker",
    "demo-users": "govwatch.demo.users",
    "bench": "govwatch.bench.cli",
    "backup": "govwatch.ops.cli",
    "restore": "govwatch.ops.cli",
    "checksum": "govwatch.ops.cli",
    "health": "govwatch.ops.cli",
    "deploy": "govwatch.ops.deploy",
}


# The apps a command needs when that is fewer than INSTALLED_APPS: the apps whose models its code
# reads, those their models point to and those their models' modules import. Django's setup imports
# every installed app's models and the admin, about half of `report kpi`'s start-up on a province.
# A missing app fails at once ("isn't in an application in INSTALLED_APPS"); tests run each command
# named here in a process of its own and compare its output with the whole setup's.
COMMAND_APPS = {
    ("report", "kpi"): (
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "axes",  # its signals are connected by govwatch.accounts
        "govwatch.core",
        "govwatch.audit",
        "govwatch.accounts",
        "govwatch.orgs",
        "govwatch.catalog",
        "govwatch.workcal",
        "govwatch.cases",
        "govwatch.evaluations",
        "govwatch.dispatch",
        "govwatch.complaints",
        "govwatch.figures",
        "govwatch.imports",
        "govwatch.supervision",
    ),
}


def register(sub: argparse._SubParsersAction, command: str | None = None) -> None:
    """Every module's subcommands, or only `command`'s module when it is known."""
    modules = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else MODULES
    for name in modules:
        importlib.import_module(name).register(sub)
