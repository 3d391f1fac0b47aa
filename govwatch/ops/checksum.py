"""A checksum of everything the database holds about the region, comparable between two runs.

Two databases that hold the same region (one imported or scanned straight through, one killed at
random points and run again) must give the same checksum. So each table's rows are hashed as a
multiset, leaving aside what belongs to the run rather than to the region:

- surrogate ids (auto-increment keys): a foreign key to such a row is replaced by the referenced
  row's own fingerprint, so the checksum does not depend on which ids a run happened to take;
- the moment a row was written (auto_now / auto_now_add columns) and references to run records;
- the tables that are the record of runs themselves (import runs, scan runs, locks, sessions, the
  audit log: a killed run leaves a run record and no audit entry; the audit chain is verified on
  its own by `govwatch audit verify`), listed in RUN_TABLES;
- the outbox's delivery bookkeeping (attempts, claims, errors, times), listed in RUN_COLUMNS;
  whether each message was sent is kept, and that it was sent once is checked at the gateway.

Encrypted personal data is compared by its plaintext's hash (each encryption takes a fresh nonce).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

RUN_TABLES = frozenset({
    "imports.importrun", "supervision.scanrun", "supervision.scanlock", "audit.auditentry",
    "audit.audithead", "audit.auditcheckpoint", "sessions.session", "axes.accessattempt", "axes.accesslog",
    "axes.accessfailurelog", "admin.logentry",
})  # fmt: skip
RUN_COLUMNS = {
    "supervision.notification": frozenset(
        {"attempts", "claimed_by", "claimed_at", "next_attempt_at", "last_error", "sent_at", "in_doubt_since"}
    ),
    # When the worker took a received evaluation: its state (taken or refused, and why) is kept.
    "public.submission": frozenset({"taken_at"}),
    # A watched deadline's name is made from its subject's number, which is a surrogate id where the
    # area numbers by id (差评整改第{id}号); the subject itself is compared through the reference.
    "supervision.watch": frozenset({"label"}),
}


# Values `_plain` returns unchanged, looked up by their exact type (bool is not an int here).
_AS_IS = frozenset({str, int, float, bool, type(None)})
_PLAIN, _GENERIC, _SELF, _REFERENCE, _ENCRYPTED = range(5)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _decrypted_hash(token: str) -> str:
    from govwatch.core import pii

    if not token:
        return ""
    try:
        return hashlib.sha256(pii.decrypt(token).encode()).hexdigest()
    except Exception:  # noqa: BLE001 - a value that does not decrypt still counts, as itself
        return "undecryptable:" + hashlib.sha256(token.encode()).hexdigest()


def _surrogate(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)


class Checksummer:
    def __init__(self) -> None:
        self.fingerprints: dict[str, dict[Any, str]] = {}

    def _columns(self, model: type[models.Model]) -> list[models.Field]:
        label = model._meta.label_lower
        skip = RUN_COLUMNS.get(label, frozenset())
        columns = []
        for f in model._meta.concrete_fields:
            if f.primary_key and _surrogate(model):
                continue
            if f.name in skip or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            if f.is_relation and f.related_model._meta.label_lower in RUN_TABLES:
                continue
            columns.append(f)
        return columns

    @staticmethod
    def _generic_references(model: type[models.Model], names: list[str]) -> dict[int, int]:
        """{position of a generic reference's object id: position of its content type} among the
        columns `names`: such an id is a surrogate of another table, compared by what it points to."""
        from django.contrib.contenttypes.fields import GenericForeignKey

        positions = {}
        for field in model._meta.private_fields:
            if isinstance(field, GenericForeignKey):
                ct = model._meta.get_field(field.ct_field).attname
                fk = model._meta.get_field(field.fk_field).attname
                if ct in names and fk in names:
                    positions[names.index(fk)] = names.index(ct)
        return positions

    def _referenced(self, content_type_id: Any, object_id: Any) -> Any:
        """The fingerprint of the row a generic reference points to (its id when that table's key
        is not a surrogate): ids of killed transactions' rows are skipped by PostgreSQL's sequences."""
        from django.contrib.contenttypes.models import ContentType

        target = ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
        if target is None or not _surrogate(target):
            return object_id
        return self.rows(target).get(object_id, "missing")

    def rows(self, model: type[models.Model]) -> dict[Any, str]:
        """{pk: fingerprint} of every row of `model`."""
        label = model._meta.label_lower
        if label in self.fingerprints:
            return self.fingerprints[label]
        self.fingerprints[label] = {}  # a self-reference resolves through `_resolve`
        columns = self._columns(model)
        names = [f.attname for f in columns]
        pk = model._meta.pk.attname
        raw = {
            row[0]: row[1:] for row in model._base_manager.order_by().values_list(pk, *names).iterator(5000)
        }
        done: dict[Any, str] = {}
        generic = self._generic_references(model, names)
        # What each column's value becomes, decided once per table rather than once per value (a
        # fault-suite checksum reads some 80,000 rows). A referenced table's fingerprints are still
        # read when the first value needs them: two tables that reference each other resolve in the
        # same order as before, so the checksum is unchanged.
        kinds = [
            _GENERIC if i in generic
            else (_SELF if f.related_model is model else _REFERENCE)
            if f.is_relation and _surrogate(f.related_model) and f.target_field.primary_key
            else _ENCRYPTED if f.name.endswith("_enc")
            else _PLAIN
            for i, f in enumerate(columns)
        ]  # fmt: skip
        special = [i for i, kind in enumerate(kinds) if kind != _PLAIN]
        references: dict[int, dict[Any, str]] = {}

        def resolve(key: Any, stack: frozenset = frozenset()) -> str:
            if key in done:
                return done[key]
            row = raw[key]
            values = [value if type(value) in _AS_IS else _plain(value) for value in row]
            for i in special:
                value = row[i]
                if value is None:
                    continue
                kind = kinds[i]
                if kind == _GENERIC:
                    value = self._referenced(row[generic[i]], value)
                elif kind == _SELF:
                    value = "cycle" if key in stack else resolve(value, stack | {key})
                elif kind == _REFERENCE:
                    if i not in references:
                        references[i] = self.rows(columns[i].related_model)
                    value = references[i].get(value, "missing")
                else:
                    value = _decrypted_hash(value)
                values[i] = _plain(value)
            text = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
            done[key] = hashlib.sha256(text.encode()).hexdigest()
            return done[key]

        for key in raw:
            resolve(key)
        self.fingerprints[label] = done
        return done


def database_checksum() -> dict[str, Any]:
    """{"sha256": ..., "tables": {label: {"rows": n, "sha256": ...}}, "left_aside": [...]} of the
    current database."""
    summer = Checksummer()
    tables: dict[str, dict[str, Any]] = {}
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        if label in RUN_TABLES or not model._meta.managed or model._meta.proxy:
            continue
        prints = sorted(summer.rows(model).values())
        tables[label] = {
            "rows": len(prints),
            "sha256": hashlib.sha256("\n".join(prints).encode()).hexdigest(),
        }
    whole = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
    return {"sha256": whole, "tables": tables, "left_aside": sorted(RUN_TABLES)}
