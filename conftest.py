"""Fixtures shared by every app's tests: the shipped calendar (loaded once per test database), a
small org tree, one named person per role (`people`), cases built the way the importer builds them
(`govwatch.tests.fixtures.build_case`), one browser.

The fast password hasher is set once, in govwatch/test_settings.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from govwatch.tests.fixtures import People, person

CHROMIUM = Path("/usr/bin/chromium")

# CI (.ci/run sets GOVWATCH_HYPOTHESIS_PROFILE=ci) draws the same examples on every run, from a seed
# derived from each test: a run fails only on a change, never on a new random example, and no
# example is timed (a loaded machine is no failure). Elsewhere each run draws new examples, so local
# runs keep exploring. Loaded here, before any test module's `@settings` is made from the default.
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, max_examples=100, print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("GOVWATCH_HYPOTHESIS_PROFILE", "default"))

# Tests whose duration holds a worker long after the rest (measured in CI), started first so that
# the other worker runs the short tests meanwhile: with xdist's dynamic scheduling (`--dist
# loadgroup` hands out tests two at a time) the longest-first order ends both workers together.
# After these, the deployment, the fault suite and the slow tests, in that order; a name that no
# longer matches costs only balance.
LONGEST_FIRST = (
    "govwatch/ops/tests/test_deploy.py::test_a_day_of_the_demo_region_through_the_deployment",
    "govwatch/demo/tests/test_evaluation_faults.py::test_the_checks_find_the_planted_faults",
    "govwatch/ops/tests/test_backup.py",
    "govwatch/evaluations/tests/test_migration.py",
)
MARKERS_FIRST = ("deploy", "faults", "slow")

# Modules whose tests without a database fixture compute only (generators, parsers, calendars,
# documents, the code's own syntax) or start GovWatch on a SQLite file of their own: they do not
# touch `connection` or DATABASE_URL's database, so the engine cannot change what they prove. `--database-tests-only` (the PostgreSQL
# step of CI, after the same tests ran on SQLite) leaves those out; their database tests stay.
ENGINE_FREE_MODULES = (
    "govwatch/cases/tests/test_deadlines.py",
    "govwatch/checks/tests/test_stats.py",
    "govwatch/core/tests/test_attachments.py",
    "govwatch/core/tests/test_documents.py",
    "govwatch/core/tests/test_fuzz_tables.py",
    "govwatch/core/tests/test_pdf.py",
    "govwatch/core/tests/test_serve.py",
    "govwatch/demo/tests/",
    "govwatch/dispatch/tests/test_learn.py",
    "govwatch/imports/tests/test_large_files.py",
    "govwatch/imports/tests/test_readers.py",
    "govwatch/tests/test_exports_safe.py",
    "govwatch/tests/test_floors.py",
    "govwatch/tests/test_locks.py",
    "govwatch/workcal/tests/test_calendar_properties.py",
)
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server"}  # fmt: skip


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="leave out the tests of ENGINE_FREE_MODULES (conftest.py) that use no database: they ran on SQLite",
    )  # fmt: skip


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def _first(item) -> tuple[int, int]:
    for rank, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return (0, rank)
    for rank, marker in enumerate(MARKERS_FIRST):
        if item.get_closest_marker(marker):
            return (1, rank)
    return (2, 0)


def pytest_collection_modifyitems(config, items):
    if config.getoption("database_tests_only"):
        engine_free = [i for i in items if i.nodeid.startswith(ENGINE_FREE_MODULES) and not _uses_database(i)]
        if engine_free:
            config.hook.pytest_deselected(items=engine_free)
            dropped = set(map(id, engine_free))
            items[:] = [i for i in items if id(i) not in dropped]
    items.sort(key=_first)  # stable: the collection order otherwise


# How the xdist workers shared the run, printed at its end: a worker that finished long before the
# other was left idle by a long test or group handed out late (LONGEST_FIRST above, the xdist groups
# that xdist hands out biggest first). Each worker counts its tests and their seconds.
_WORK = {"tests": 0, "seconds": 0.0}
_WORKERS: dict[str, dict] = {}


def pytest_runtest_logreport(report):
    _WORK["seconds"] += report.duration
    _WORK["tests"] += report.when == "teardown"


def pytest_sessionstart(session):
    _WORK["started"] = time.time()


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)  # set on an xdist worker
    if output is not None:
        output["govwatch_work"] = {**_WORK, "finished": time.time()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    work = getattr(node, "workeroutput", {}).get("govwatch_work")
    if work:
        _WORKERS[node.gateway.id] = work


def pytest_terminal_summary(terminalreporter):
    if len(_WORKERS) < 2:
        return
    ends = [w["finished"] - _WORK["started"] for w in _WORKERS.values()]
    terminalreporter.write_sep(
        "-", f"xdist workers (the first idle {max(ends) - min(ends):.0f} s before the last)"
    )
    for name, w in sorted(_WORKERS.items()):
        terminalreporter.write_line(f"{name}: {w['tests']} tests, {w['seconds']:.0f} s in them, done "
                                    f"{w['finished'] - _WORK['started']:.0f} s after the start")  # fmt: skip


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
    tmp_path_factory,
):
    """The test database as `govwatch init` leaves it: migrated, the shipped calendar loaded. Migrated
    once per run: the xdist workers start from copies of the first one's (govwatch/tests/shared_db.py).
    pytest-django's own setup, with the calendar, when one process runs or with --reuse-db or
    --nomigrations."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from govwatch.tests import shared_db
    from govwatch.workcal.schedule import load_shipped

    verbosity = request.config.option.verbose
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    shared = bool(worker_id) and workers > 1 and django_db_use_migrations and not django_db_keepdb
    shared = shared and set(settings.DATABASES) == {shared_db.ALIAS}
    with django_db_blocker.unblock():
        if shared:
            shared_dir = tmp_path_factory.getbasetemp().parent  # one per run, shared by its workers
            old_config = shared_db.setup_shared(shared_dir, worker_id, load_shipped, verbosity)
        else:
            if not django_db_use_migrations:
                from pytest_django.fixtures import _disable_migrations

                _disable_migrations()
            old_config = setup_databases(
                verbosity=verbosity, interactive=False, keepdb=django_db_keepdb and not django_db_createdb
            )
            load_shipped()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(old_config, verbosity=verbosity)
            if shared:
                shared_db.release_shared(shared_dir)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from govwatch.workcal import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture
def shipped_calendar(db):
    """The database seeded with the chinese-calendar years, as `govwatch init` does: loaded once per
    database by `django_db_setup`, loaded again only after a transactional test emptied the tables."""
    from govwatch.workcal.calendar import get_calendar
    from govwatch.workcal.models import ScheduledYear
    from govwatch.workcal.schedule import load_shipped

    if not ScheduledYear.objects.exists():
        load_shipped()
    return get_calendar()


@pytest.fixture
def region(shipped_calendar):
    """A district with a service center, two departments, a street with a community, a supervisor,
    and three items: a 9-day licence, a 2-day confirmation and an instant public service."""
    from govwatch.catalog.models import Item
    from govwatch.orgs.models import Unit

    root = Unit.objects.create(code="D", name="测试区", kind="district")
    center = Unit.objects.create(code="C", name="区政务服务中心", kind="center", parent=root)
    market = Unit.objects.create(
        code="SC", name="区市场监管局", kind="department", parent=root, phone="13800001111"
    )
    social = Unit.objects.create(
        code="RS", name="区人社局", kind="department", parent=root, phone="13800002222"
    )
    street = Unit.objects.create(code="ST", name="城关街道", kind="street", parent=root)
    community = Unit.objects.create(code="ST1", name="东门社区", kind="community", parent=street)
    supervisor = Unit.objects.create(
        code="JW", name="区纪委监委", kind="supervisor", parent=root, phone="13900009999"
    )
    items = {
        "I9": Item.objects.create(
            code="I9",
            name="食品经营许可",
            unit=market,
            type="licensing",
            legal_days=20,
            promised_days=9,
            online="full",
        ),
        "I2": Item.objects.create(
            code="I2",
            name="就业登记",
            unit=social,
            type="confirmation",
            legal_days=10,
            promised_days=2,
            online="partial",
        ),
        "I0": Item.objects.create(
            code="I0", name="社保卡补办", unit=community, type="public_service", legal_days=1, promised_days=0
        ),
    }
    return {
        "root": root,
        "center": center,
        "market": market,
        "social": social,
        "street": street,
        "community": community,
        "supervisor": supervisor,
        "items": items,
        "calendar": shipped_calendar,
    }


@pytest.fixture
def people(region, django_user_model) -> People:
    from govwatch.accounts.models import Role

    return People(
        supervisor=person(django_user_model, "jiwei", Role.SUPERVISOR, region["root"]),
        office=person(django_user_model, "zhengwuban", Role.OFFICE, region["root"]),
        leader=person(django_user_model, "lingdao", Role.LEADER, region["root"]),
        market_staff=person(django_user_model, "shichang", Role.UNIT_STAFF, region["market"]),
        social_staff=person(django_user_model, "renshe", Role.UNIT_STAFF, region["social"]),
    )


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test of the session."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test that
    # follow are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        yield browser
        browser.close()
