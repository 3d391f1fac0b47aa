import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher takes a good part of a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
