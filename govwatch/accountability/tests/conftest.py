from govwatch.checks.tests.conftest import check, people, town, world  # noqa: F401 - shared fixtures
