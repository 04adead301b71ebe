"""Encrypted backups and restores (§8.2), designed so that crypto-shredding holds (§8.8).

A backup is every application table's raw rows — personal fields stay the
ciphertext they are in the database, data keys stay wrapped under the master
keys — as JSON, compressed and sealed with AES-256-GCM under ``BACKUP_KEY``.
Opening one needs ``BACKUP_KEY``; reading anything personal in it also needs
the master keys, which are never in a backup.

Restoring never resurrects a destroyed file (docs/backups.md): before the
restore, the live destruction register (destructions, their certificates and
every destroyed data key) is read; after the backup's rows are written, that
register is written back over them and applied again — each destroyed key is
destroyed in the restored key store and the family's keyed hashes cleared. A
family destroyed after the backup was taken therefore stays unreadable.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

MAGIC = b"HSBACKUP1"
NONCE_BYTES = 12
# Sessions are not part of the record: a restore signs everybody out instead.
SKIPPED_TABLES = {"django_session"}
REGISTER_MODELS = ("records.Destruction", "records.HistoricalDestruction", "records.DestructionCertificate")


class BackupError(Exception):
    """The backup could not be opened: wrong key, tampered or not a backup."""


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    keys_kept_destroyed: int


# --- row encoding: lossless JSON for the column types the schema uses ----------


def _encode(value: Any) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, decimal.Decimal):
        return {"dec": str(value)}
    if isinstance(value, dict | list):
        raise BackupError("JSON columns are not supported by this backup format yet.")
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, raw),) = value.items()
    if tag == "b64":
        return connection.Database.Binary(base64.b64decode(raw))
    if tag == "dt":
        return datetime.datetime.fromisoformat(raw)
    if tag == "d":
        return datetime.date.fromisoformat(raw)
    if tag == "t":
        return datetime.time.fromisoformat(raw)
    if tag == "uuid":
        return uuid.UUID(raw) if connection.vendor == "postgresql" else raw
    if tag == "dec":
        return decimal.Decimal(raw)
    raise BackupError(f"Unknown value tag {tag!r} in backup.")


def _tables() -> list[str]:
    return sorted(set(connection.introspection.django_table_names(only_existing=True)) - SKIPPED_TABLES)


def _read_table(table: str) -> dict[str, Any]:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from the schema
        columns = [c[0] for c in cursor.description]
        rows = [[_encode(v) for v in row] for row in cursor.fetchall()]
    return {"columns": columns, "rows": rows}


def _write_rows(table: str, columns: list[str], rows: Iterable[list[Any]]) -> int:
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quoted} ({names}) VALUES ({placeholders})"  # noqa: S608
    decoded = [[_decode(v) for v in row] for row in rows]
    if decoded:
        with connection.cursor() as cursor:
            cursor.executemany(sql, decoded)
    return len(decoded)


# --- sealing ------------------------------------------------------------------------


def seal(payload: dict[str, Any], *, key: bytes | None = None) -> bytes:
    key = key or settings.BACKUP_KEY
    nonce = os.urandom(NONCE_BYTES)
    plain = gzip.compress(json.dumps(payload, separators=(",", ":")).encode())
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plain, MAGIC)


def unseal(blob: bytes, *, key: bytes | None = None) -> dict[str, Any]:
    key = key or settings.BACKUP_KEY
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise BackupError("This is not a Home-Start backup file.")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        plain = AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], MAGIC)
    except InvalidTag:
        raise BackupError("The backup did not open: wrong BACKUP_KEY, or the file was altered.") from None
    return json.loads(gzip.decompress(plain))


def backup_payload() -> dict[str, Any]:
    with transaction.atomic():  # one consistent snapshot (REPEATABLE READ on PostgreSQL)
        tables = {table: _read_table(table) for table in _tables()}
    return {"format": 1, "taken_at": timezone.now().isoformat(), "vendor": connection.vendor, "tables": tables}


def backup_write(path: str) -> int:
    payload = backup_payload()
    blob = seal(payload)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)
    return sum(len(t["rows"]) for t in payload["tables"].values())


# --- restore --------------------------------------------------------------------


def _live_register() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    register = {}
    for label in REGISTER_MODELS:
        table = apps.get_model(label)._meta.db_table
        register[table] = _read_table(table)
    DataKey = apps.get_model("homestart", "DataKey")  # noqa: N806
    destroyed = dict(DataKey.objects.filter(destroyed_at__isnull=False).values_list("pk", "destroyed_at"))
    return register, destroyed


@transaction.atomic
def restore(blob: bytes) -> RestoreResult:
    payload = unseal(blob)
    if payload.get("format") != 1:
        raise BackupError("This backup was written by a different version of the application.")
    register, destroyed = _live_register()
    existing = set(_tables())
    tables = {name: data for name, data in payload["tables"].items() if name in existing}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks still pending in this transaction would make
            # PostgreSQL refuse the TRUNCATE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), sorted(existing), allow_cascade=True):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            # Rows go back table by table: check the foreign keys at commit, once all are in.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    rows = sum(_write_rows(name, data["columns"], data["rows"]) for name, data in tables.items())
    # The live destruction register wins over the backup's, row by row.
    for table, data in register.items():
        pk = connection.introspection.get_primary_key_column(connection.cursor(), table)
        index = data["columns"].index(pk)
        ids = [_decode(row[index]) for row in data["rows"]]
        quoted, pk_quoted = connection.ops.quote_name(table), connection.ops.quote_name(pk)
        with connection.cursor() as cursor:
            for value in ids:
                cursor.execute(f"DELETE FROM {quoted} WHERE {pk_quoted} = %s", [value])  # noqa: S608
        _write_rows(table, data["columns"], data["rows"])
    kept = _apply_destructions(destroyed)
    _reset_sequences()
    return RestoreResult(tables=len(tables), rows=rows, keys_kept_destroyed=kept)


def _apply_destructions(destroyed: dict[Any, datetime.datetime]) -> int:
    from families.models import Family
    from homestart.models import DataKey

    from .models import DestructionCertificate
    from .services import _clear_blind_indexes

    for certificate in DestructionCertificate.objects.all():
        destroyed.setdefault(certificate.data_key_id, certificate.destroyed_at)
        if certificate.file_kind == "family":
            _clear_blind_indexes(Family(pk=certificate.file_id))
    kept = 0
    for key_id, at in destroyed.items():
        kept += DataKey.objects.filter(pk=key_id).update(wrapped=None, destroyed_at=at)
    return kept


def _reset_sequences() -> None:
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in set(_tables())]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
