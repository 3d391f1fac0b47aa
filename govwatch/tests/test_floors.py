"""The house stays straight: imports only run down the floors, and no modules import each other in
a circle. The floors are written once, here (docs/architecture.md explains them); the check is
import-linter's, run on the source, so a violation fails the suite and CI.

A new Django app takes its floor by being added to FLOORS: a domain area beside complaints (on the
same line, joined by " | ", so that areas stay independent of each other), an entry point on its
own line among the entry points.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

import govwatch

# Top to bottom. On one line, "a | b" are independent (neither imports the other); "a : b" may
# import each other (the console entry point: cli imports commands), never in a circle.
FLOORS = [
    # entry points
    "govwatch.cli : govwatch.commands : govwatch.urls",
    "govwatch.bench",
    "govwatch.demo",
    "govwatch.api",
    "govwatch.public",
    "govwatch.web",
    # operations: backup and restore, checksums, the deployment's files, health checks, the SMS stand-in
    "govwatch.ops",
    # cross-cutting readers and writers of the domain
    "govwatch.imports | govwatch.reports",
    # the pre-computed figures: they count the facts of the areas below (cases, evaluations, complaints)
    "govwatch.figures",
    # domain areas: each may import supervision and evaluations, never another area; accountability
    # records the people held to account for the matters of every area, so it stands above them, and
    # an inspection takes up the data checks' findings, so the checks stand below the inspections
    "govwatch.accountability",
    # hall inspections (明察暗访) and integrity risk points put their problems and reminders on the
    # rectification lists, so they stand above them
    "govwatch.hallchecks | govwatch.integrity",
    # the clue register: clues come from complaints and their callbacks (and inspections, the public)
    "govwatch.clues",
    "govwatch.complaints | govwatch.prediction | govwatch.inspections | govwatch.windows | govwatch.kiosks | govwatch.projects | govwatch.randomchecks | govwatch.regulation | govwatch.rectification",
    "govwatch.checks",
    "govwatch.evaluations",
    "govwatch.supervision",
    "govwatch.cases",
    # foundation
    "govwatch.catalog | govwatch.workcal | govwatch.dispatch",
    "govwatch.orgs",
    "govwatch.accounts",
    "govwatch.audit",
    # the kernel: imports no GovWatch app
    "govwatch.core",
]
# Modules that belong to no floor: they import no GovWatch module.
OUTSIDE = {"govwatch.settings", "govwatch.test_settings", "govwatch.wsgi", "govwatch.tests"}
# Upward imports that are allowed ("importer -> imported": the reason), listed in
# docs/architecture.md too. None today: keep it that way. An exception no import matches any more
# fails the test, so the list never outlives its reason.
EXCEPTIONS: dict[str, str] = {}
# Tests may use anything to set the scene.
TESTS = ["govwatch.*.tests.** -> govwatch.**", "govwatch.tests.** -> govwatch.**"]


def _config() -> str:
    ignored = "\n".join(f"    {line}" for line in [*TESTS, *EXCEPTIONS])
    floors = "\n".join(f"    {floor}" for floor in FLOORS)
    return f"""
[importlinter]
root_package = govwatch
exclude_type_checking_imports = True

[importlinter:contract:floors]
name = Imports only run down the floors
type = layers
layers =
{floors}
ignore_imports =
{ignored}
unmatched_ignore_imports_alerting = error

[importlinter:contract:circles]
name = No import circles, between apps or between the modules of one app
type = acyclic_siblings
ancestors = govwatch
ignore_imports =
{ignored}
unmatched_ignore_imports_alerting = error
"""


def test_imports_run_down_the_floors_without_circles(tmp_path, capsys):
    from importlinter.cli import lint_imports

    config = tmp_path / "importlinter.ini"
    config.write_text(_config())
    status = lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report


def test_every_app_has_a_floor():
    listed = {name.strip() for floor in FLOORS for part in floor.split("|") for name in part.split(":")}
    top = {f"govwatch.{m.name}" for m in pkgutil.iter_modules([str(Path(govwatch.__file__).parent)])}
    assert top - listed - OUTSIDE == set(), "give each new app (or top-level module) its floor in FLOORS"
