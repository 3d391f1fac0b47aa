"""The settings of the test suite: those of GovWatch, with the fast password hasher (the real one
takes a good part of a second per user, and the tests make hundreds)."""

from govwatch.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
