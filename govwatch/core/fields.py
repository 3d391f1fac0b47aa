"""Model fields for personal data: encrypted values, and free text with personal data masked."""

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


# Between the masked text and the SM4 ciphertext of the original in a free-text column (a
# private-use character no one types, so the text itself never contains it).
SEAL = "\ue000sm4:"


class MaskedText(str):
    """Free text as everybody sees it: phones and ID numbers masked (`pii.redact`). `sealed` holds
    the original, SM4-encrypted, when something was masked: `original()` opens it for the audited
    reveal (govwatch.accounts.reveal)."""

    sealed: str

    def __new__(cls, text: str, sealed: str = "") -> MaskedText:
        obj = super().__new__(cls, text)
        obj.sealed = sealed
        return obj


def seal(value: str) -> str:
    """The column's form of a free text: unchanged without personal data in it, else the masked
    text, SEAL and the encrypted original."""
    if not value:
        return value
    if isinstance(value, MaskedText):  # read and written back unchanged: keep its sealed original
        return f"{value}{SEAL}{value.sealed}" if value.sealed else str(value)
    masked = pii.redact(value)
    return value if masked == value else f"{masked}{SEAL}{pii.encrypt(value)}"


def unseal(stored: str) -> MaskedText:
    """A column's free text as shown. A row written before masking (a number in clear) is masked
    here all the same; its original is sealed on the way out, never handed over in clear."""
    if SEAL in stored:
        text, sealed = stored.split(SEAL, 1)
        return MaskedText(text, sealed)
    masked = pii.redact(stored)
    return MaskedText(masked, pii.encrypt(stored) if masked != stored else "")


def original(text: str) -> str:
    """The text as it was typed: for the audited reveal only."""
    sealed = getattr(text, "sealed", "")
    return pii.decrypt(sealed) if sealed else str(text or "")


class FreeTextField(models.TextField):
    """Text people type (a citizen's comment, a complaint, a demand, a reply): a phone or an ID
    number written into it is masked wherever the text is read (pages, the API, exports: they all
    read through the model) and kept whole only encrypted. Every TextField of a GovWatch model is
    one unless it says why not (govwatch/tests/test_free_text.py).

    It is a TextField to the database and to migrations: the column holds `seal(text)`."""

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = seal(value)
        return super().get_db_prep_save(value, connection)

    def from_db_value(self, value, expression, connection):
        return unseal(value) if value else value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs
