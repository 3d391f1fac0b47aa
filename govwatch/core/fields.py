"""Model fields for personal data."""

from __future__ import annotations

from django.db import models

from . import pii

PREFIX = "sm4:"


class EncryptedTextField(models.TextField):
    """Text stored SM4-encrypted and read back in clear, for values no query needs to match.

    Every write encrypts with a fresh nonce, so a lookup by value (`filter(phone=...)`) never
    matches: keep a keyed hash beside the field where matching is needed (see `pii.protect`).
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return PREFIX + pii.encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value and value.startswith(PREFIX):
            return pii.decrypt(value[len(PREFIX) :])
        return value
