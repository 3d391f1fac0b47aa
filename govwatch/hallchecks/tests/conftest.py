import pytest

from govwatch.rectification.tests.conftest import _fast_passwords, people  # noqa: F401


@pytest.fixture(autouse=True)
def _shipped_checklists(db):
    # A test that flushes the database (browser tests) takes the migrations' rows with it.
    from govwatch.hallchecks.shipped import ensure_shipped

    ensure_shipped()
