"""Encrypted backups and restores (§8.2), designed so that crypto-shredding holds (§8.8).

A backup is every application table's raw rows — personal fields stay the
ciphertext they are in the database; the data keys are not in the database at
all — as JSON lines, gzip-compressed and sealed under ``BACKUP_KEY``.
Opening one needs ``BACKUP_KEY``; reading anything personal in it also needs
the key store and the master keys, which are never in a backup.

Backups are streamed: rows are read from a database cursor a batch at a time,
compressed and sealed in chunks of ``CHUNK_BYTES``, and written as they come,
so neither the backup nor the restore ever holds the whole database in memory.
The file is a framed stream of AES-256-GCM chunks (the STREAM construction of
Hoang, Reyhanitabar, Rogaway and Vizár)::

    MAGIC | nonce prefix (7 random bytes) | frame | frame | ... | final frame
    frame = flag (1 byte: 0, or 1 for the final frame) | length (4 bytes) | ciphertext and tag

Each chunk's nonce is the file's random prefix, the chunk's number and the
final flag; the header is its associated data. So a chunk moved, repeated,
dropped, altered or taken from another backup fails to open; a file cut short
has no final frame and is refused, as is anything after the final frame.

A backup holds no key material: the data keys are in the key store
(homestart/keystore.py), outside the database. So a backup taken before a
family was destroyed, restored into any database, cannot open that family: its
key file is gone from the key store, while every other family's is there.

Restoring also keeps the record straight (docs/backups.md): before the restore,
the live destruction register (destructions, their certificates and every
destroyed data key) is read; after the backup's rows are written, that register
is written back over them and applied again, together with the key store's
tombstones — each destroyed key is marked destroyed in the restored rows and
the family's keyed hashes cleared. A family destroyed after the backup was
taken therefore shows as destroyed, even in a new, empty database.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import os
import struct
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from homestart.append_only import append_only_tables

MAGIC = b"HSBACKUP2"
NONCE_BYTES = 12
PREFIX_BYTES = 7
TAG_BYTES = 16
CHUNK_BYTES = 64 * 1024
MAX_CHUNK_BYTES = 1024 * 1024  # a frame claiming more is refused before anything is read
FRAME_HEADER = struct.Struct(">BI")  # final flag, ciphertext length
MAX_CHUNKS = 2**32
ROW_BATCH = 500
# Sessions are not part of the record: a restore signs everybody out instead.
SKIPPED_TABLES = {"django_session"}
REGISTER_MODELS = ("records.Destruction", "records.HistoricalDestruction", "records.DestructionCertificate")


class BackupError(Exception):
    """The backup could not be opened: wrong key, tampered, cut short or not a backup."""


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


def _select(table: str) -> str:
    return f"SELECT * FROM {connection.ops.quote_name(table)}"  # noqa: S608 - table names come from the schema


def _read_table(table: str) -> dict[str, Any]:
    """A small table, whole (the destruction register)."""
    with connection.cursor() as cursor:
        cursor.execute(_select(table))
        columns = [c[0] for c in cursor.description]
        rows = [[_encode(v) for v in row] for row in cursor.fetchall()]
    return {"columns": columns, "rows": rows}


def _stream_table(table: str) -> Iterator[list[Any]]:
    """The table's rows a batch at a time (a server-side cursor on PostgreSQL)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(_select(table))
        while batch := cursor.fetchmany(ROW_BATCH):
            for row in batch:
                yield [_encode(v) for v in row]


def _columns(table: str) -> list[str]:
    """The columns in the order ``SELECT *`` returns them."""
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _write_rows(table: str, columns: list[str], rows: Iterable[list[Any]]) -> int:
    """Insert rows (as encoded in a backup) a batch at a time."""
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quoted} ({names}) VALUES ({placeholders})"  # noqa: S608
    written, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([_decode(v) for v in row])
            if len(batch) >= ROW_BATCH:
                cursor.executemany(sql, batch)
                written, batch = written + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


# --- sealing: a framed stream of AES-256-GCM chunks ------------------------------------


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    if counter >= MAX_CHUNKS:
        raise BackupError("Backup too large for one file.")
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


class SealedWriter:
    """Seals bytes written to it into framed AES-256-GCM chunks on ``handle``, one
    chunk at a time: at most one chunk of plaintext is held in memory."""

    def __init__(self, handle: BinaryIO, *, key: bytes | None = None, chunk_bytes: int = CHUNK_BYTES) -> None:
        if not 1 <= chunk_bytes <= MAX_CHUNK_BYTES:
            raise ValueError(f"Chunks are 1 to {MAX_CHUNK_BYTES} bytes.")
        self._handle = handle
        self._aead = AESGCM(key or settings.BACKUP_KEY)
        self._prefix = os.urandom(PREFIX_BYTES)
        self._header = MAGIC + self._prefix
        self._chunk_bytes = chunk_bytes
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        handle.write(self._header)

    def _frame(self, plain: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, final), plain, self._header)
        self._handle.write(FRAME_HEADER.pack(1 if final else 0, len(sealed)) + sealed)
        self._counter += 1

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("This backup is already finished.")
        self._buffer += data
        # Keep the last (possibly full) chunk back: the final frame must hold it.
        while len(self._buffer) > self._chunk_bytes:
            self._frame(bytes(self._buffer[: self._chunk_bytes]), final=False)
            del self._buffer[: self._chunk_bytes]

    def close(self) -> int:
        """Write the final frame; returns the number of frames written."""
        if not self._closed:
            self._frame(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True
        return self._counter


def seal_stream(
    chunks: Iterable[bytes], handle: BinaryIO, *, key: bytes | None = None, chunk_bytes: int = CHUNK_BYTES
) -> int:
    """Seal an iterable of byte strings onto ``handle`` as they come; returns the frames written."""
    writer = SealedWriter(handle, key=key, chunk_bytes=chunk_bytes)
    for chunk in chunks:
        writer.write(chunk)
    return writer.close()


def _read_exactly(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise BackupError("The backup is incomplete: the file was cut short.")
    return data


def open_stream(handle: BinaryIO, *, key: bytes | None = None) -> Iterator[bytes]:
    """Yield the plaintext chunks of a sealed stream, each authenticated before it is
    yielded. Raises ``BackupError`` on a wrong key, an altered, reordered or missing
    chunk, a file cut short, or anything after the final chunk."""
    aead = AESGCM(key or settings.BACKUP_KEY)
    magic = handle.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupError("This is not a Home-Start backup file.")
    prefix = _read_exactly(handle, PREFIX_BYTES)
    header = MAGIC + prefix
    counter = 0
    while True:
        flag, length = FRAME_HEADER.unpack(_read_exactly(handle, FRAME_HEADER.size))
        if flag not in (0, 1) or not TAG_BYTES <= length <= MAX_CHUNK_BYTES + TAG_BYTES:
            raise BackupError("The backup did not open: the file was altered.")
        sealed = _read_exactly(handle, length)
        try:
            plain = aead.decrypt(_nonce(prefix, counter, flag == 1), sealed, header)
        except InvalidTag:
            raise BackupError("The backup did not open: wrong BACKUP_KEY, or the file was altered.") from None
        counter += 1
        yield plain
        if flag == 1:
            break
    if handle.read(1):
        raise BackupError("The backup did not open: there is data after its end.")


# --- the backup's contents: gzip-compressed JSON lines --------------------------------
#
#   {"format": 2, "taken_at": ..., "vendor": ...}
#   {"table": name, "columns": [...]}       then one {"row": [...]} per row, per table
#   {"end": {"tables": n, "rows": m}}        (a backup without it is refused)

FORMAT = 2


def _lines(counts: dict[str, int]) -> Iterator[bytes]:
    yield _line({"format": FORMAT, "taken_at": timezone.now().isoformat(), "vendor": connection.vendor})
    counts.update(tables=0, rows=0)
    for table in _tables():
        counts["tables"] += 1
        yield _line({"table": table, "columns": _columns(table)})
        for row in _stream_table(table):
            counts["rows"] += 1
            yield _line({"row": row})
    yield _line({"end": counts})


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def _gzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(wbits=31)  # gzip framing
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


def _gunzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(wbits=31)
    try:
        for chunk in chunks:
            if out := decompressor.decompress(chunk):
                yield out
        if tail := decompressor.flush():
            yield tail
    except zlib.error:
        raise BackupError("The backup's contents are damaged.") from None
    if not decompressor.eof:
        raise BackupError("The backup is incomplete.")


def _records(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield json.loads(line)
    if pending:
        raise BackupError("The backup is incomplete.")


def backup_records(handle: BinaryIO, *, key: bytes | None = None) -> Iterator[dict[str, Any]]:
    """The records of a backup file, read and authenticated chunk by chunk."""
    yield from _records(_gunzip(open_stream(handle, key=key)))


def backup_write(path: str) -> int:
    """Write a backup to ``path`` (never overwritten, mode 0600), streaming; returns the rows written."""
    counts: dict[str, int] = {}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle, transaction.atomic():  # one consistent snapshot
        seal_stream(_gzip(_lines(counts)), handle)
    return counts["rows"]


def unseal(blob: bytes, *, key: bytes | None = None) -> dict[str, Any]:
    """Open a backup held in memory as one dictionary: for tests and small tools."""
    import io

    payload: dict[str, Any] = {"tables": {}}
    for record in backup_records(io.BytesIO(blob), key=key):
        if "table" in record:
            current = payload["tables"][record["table"]] = {"columns": record["columns"], "rows": []}
        elif "row" in record:
            current["rows"].append(record["row"])
        else:
            payload.update(record)
    return payload


# --- restore --------------------------------------------------------------------


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
    import io

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
    from homestart import keystore

    from .models import DestructionCertificate

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
    from families.models import Family
    from homestart import keystore
    from homestart.models import DataKey

    from .services import _clear_blind_indexes

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


def reconcile_key_store(*, remove_orphans: bool = False, orphan_age: datetime.timedelta | None = None) -> dict:
    """Bring the key store and the database back in step (``run_retention``,
    ``keystore_check``); returns what was found and done.

    - a key whose row is marked destroyed but whose file is still there (the process
      died between the commit and the unlink): the file is removed;
    - a tombstone whose row says the key is live (a database restored by other means
      than ``manage.py restore``): the row is marked destroyed too;
    - a pending key whose row is committed: the file is promoted;
    - a live key with no file: reported (never marked destroyed: the key store may
      simply be missing or mounted elsewhere);
    - with ``remove_orphans``: pending keys without a row (their transaction rolled
      back) and stray temporary files older than ``orphan_age`` (a day) are removed.
    """
    from homestart import keystore
    from homestart.models import DataKey

    orphan_age = orphan_age or datetime.timedelta(days=1)
    report = {"removed": 0, "marked_destroyed": 0, "promoted": 0, "missing": [], "orphans": 0, "orphans_removed": 0}
    files: dict[uuid.UUID, set[str]] = {}
    stray: list[Any] = []
    for key_id, suffix, path in keystore.entries():
        if key_id is None:
            stray.append(path)
        else:
            files.setdefault(key_id, set()).add(suffix)
    rows = dict(DataKey.objects.values_list("pk", "destroyed_at"))
    tombstoned = {key_id: at for key_id, at in keystore.tombstones().items() if key_id in rows and rows[key_id] is None}
    if tombstoned:
        with transaction.atomic():
            report["marked_destroyed"] = mark_destroyed(tombstoned)
        for key_id, at in tombstoned.items():
            rows[key_id] = at
    cutoff = timezone.now() - orphan_age
    for key_id, suffixes in files.items():
        has_key = suffixes & {keystore.KEY, keystore.PENDING}
        if key_id in rows:
            if rows[key_id] is not None:
                if has_key and keystore.shred(key_id, destroyed_at=rows[key_id]):
                    report["removed"] += 1
            elif keystore.PENDING in suffixes:
                keystore.promote(key_id)
                report["promoted"] += 1
        elif keystore.PENDING in suffixes:
            report["orphans"] += 1
            path = keystore._path(key_id, keystore.PENDING)
            if remove_orphans and datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC) < cutoff:
                report["orphans_removed"] += keystore.remove_orphan(key_id)
    for path in stray:
        if remove_orphans and datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC) < cutoff:
            path.unlink(missing_ok=True)
    for key_id, at in rows.items():
        if at is None and not files.get(key_id, set()) & {keystore.KEY, keystore.PENDING}:
            report["missing"].append(key_id)
    return report


def _reset_sequences() -> None:
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in set(_tables())]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
