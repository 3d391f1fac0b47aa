from govwatch.rectification.tests.conftest import _fast_passwords, people  # noqa: F401
