from govwatch.windows.tests.conftest import load  # noqa: F401  (files imported as `govwatch import` does)
