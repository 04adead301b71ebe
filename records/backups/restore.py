"""Restoring a backup (docs/backups.md) so that crypto-shredding holds (§8.8): the live
destruction register and the key store's tombstones win over the backup's rows."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from families.models import Family
from homestart import keystore
from homestart.append_only import append_only_tables
from homestart.models import DataKey
from records.backups.backup import FORMAT, backup_records
from records.backups.rows import ROW_BATCH, _decode, _read_table, _tables, _write_rows
from records.backups.stream import BackupError
from records.models import DestructionCertificate
from records.retention.services import _clear_blind_indexes

REGISTER_MODELS = ("records.Destruction", "records.HistoricalDestruction", "records.DestructionCertificate")


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    keys_kept_destroyed: int


def _live_register() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    register = {}
    for label in REGISTER_MODELS:
        table = apps.get_model(label)._meta.db_table
        register[table] = _read_table(table)
    DataKey = apps.get_model("homestart", "DataKey")  # noqa: N806
    destroyed = dict(DataKey.objects.filter(destroyed_at__isnull=False).values_list("pk", "destroyed_at"))
    return register, destroyed


def _restore_tables(records: Iterator[dict[str, Any]], existing: set[str]) -> tuple[int, int]:
    """Write the backup's tables as they stream in; returns (tables, rows). Refuses a backup
    without its end record (the transaction then rolls everything back)."""
    first = next(records, None)
    if first is None or first.get("format") != FORMAT:
        raise BackupError("This backup was written by a different version of the application.")
    tables = rows = 0
    pending: dict[str, Any] | None = None

    def table_rows() -> Iterator[list[Any]]:
        nonlocal pending
        for record in records:
            if "row" in record:
                yield record["row"]
            else:
                pending = record
                return
        pending = None

    record = next(records, None)
    while record is not None and "table" in record:
        name, columns = record["table"], record["columns"]
        if name in existing:
            tables += 1
            rows += _write_rows(name, columns, table_rows())
        else:
            for _ in table_rows():
                pass
        record = pending
    if record is None or "end" not in record:
        raise BackupError("The backup is incomplete.")
    if next(records, None) is not None:
        raise BackupError("The backup did not open: there is data after its end.")
    return tables, rows


@transaction.atomic
def restore(source: BinaryIO | bytes) -> RestoreResult:
    """Replace every row with the backup's, streaming it from ``source`` (a binary file
    or, for small backups, bytes); files destroyed since the backup stay destroyed."""
    handle = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    register, destroyed = _live_register()
    existing = set(_tables())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _require_owner(cursor, existing)
            # Deferred foreign-key checks still pending in this transaction would make
            # PostgreSQL refuse the TRUNCATE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), sorted(existing), allow_cascade=True):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            # Rows go back table by table: check the foreign keys at commit, once all are in.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    tables, rows = _restore_tables(backup_records(handle), existing)
    # The live destruction register wins over the backup's, row by row. An append-only
    # register's rows never change, so a row the backup already holds is the live row:
    # only the ones missing are added (its trigger refuses DELETE, even to the owner).
    append_only = set(append_only_tables())
    for table, data in register.items():
        pk = connection.introspection.get_primary_key_column(connection.cursor(), table)
        index = data["columns"].index(pk)
        quoted, pk_quoted = connection.ops.quote_name(table), connection.ops.quote_name(pk)
        rows = data["rows"]
        with connection.cursor() as cursor:
            if table in append_only:
                cursor.execute(f"SELECT {pk_quoted} FROM {quoted}")  # noqa: S608
                present = {str(value) for (value,) in cursor.fetchall()}
                rows = [row for row in rows if str(_decode(row[index])) not in present]
            else:
                for row in rows:
                    cursor.execute(f"DELETE FROM {quoted} WHERE {pk_quoted} = %s", [_decode(row[index])])  # noqa: S608
        _write_rows(table, data["columns"], rows)
    kept = _apply_destructions(destroyed)
    _reset_sequences()
    return RestoreResult(tables=tables, rows=rows, keys_kept_destroyed=kept)


def _require_owner(cursor: Any, tables: set[str]) -> None:
    """Restoring empties every table (TRUNCATE) and resets sequences: the owner's work,
    never the application role's, which may not truncate (docs/security.md)."""
    cursor.execute(
        "SELECT count(*) FROM unnest(%s::text[]) AS t(name) WHERE NOT has_table_privilege(t.name, 'TRUNCATE')",
        [sorted(tables)],
    )
    if cursor.fetchone()[0]:
        raise BackupError(
            "Restoring replaces every table, which only the database owner may do: run restore with the "
            "owner's DATABASE_URL (the one migrate uses), then run grant_app_role again (docs/backups.md)."
        )


def _apply_destructions(destroyed: dict[Any, datetime.datetime]) -> int:
    """Destroy again, in the restored rows, every key the live register or the key
    store's tombstones say was destroyed; returns how many restored keys that touched."""
    for certificate in DestructionCertificate.objects.all():
        destroyed.setdefault(certificate.data_key_id, certificate.destroyed_at)
    # The key store outlives the database: a restore into a new, empty database
    # still learns from the tombstones which keys were destroyed after the backup.
    for key_id, at in keystore.tombstones().items():
        destroyed.setdefault(key_id, at)
    return mark_destroyed(destroyed)


def mark_destroyed(destroyed: dict[Any, datetime.datetime]) -> int:
    """Mark these data keys destroyed (where a row still says otherwise), clear the
    keyed hashes of their families, and remove any key file left for them once this
    transaction commits. Returns the number of rows marked."""
    kept = 0
    ids = list(destroyed)
    for start in range(0, len(ids), ROW_BATCH):
        batch = ids[start : start + ROW_BATCH]
        for key_id in DataKey.objects.filter(pk__in=batch).values_list("pk", flat=True):
            kept += DataKey.objects.filter(pk=key_id).update(destroyed_at=destroyed[key_id])
        for family_id in Family.objects.filter(data_key_id__in=batch).values_list("pk", flat=True):
            _clear_blind_indexes(Family(pk=family_id))

    def shred_all() -> None:
        for key_id, at in destroyed.items():
            keystore.shred(key_id, destroyed_at=at)

    transaction.on_commit(shred_all, robust=True)
    return kept


def _reset_sequences() -> None:
    existing = set(_tables())  # asked once, not once per model
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in existing]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
