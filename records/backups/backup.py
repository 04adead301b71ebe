"""Taking a backup (§8.2): every table's rows, streamed into a sealed file, and opening
one again, in either format (docs/backups.md)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from records.backups.rows import _columns, _stream_table, _tables
from records.backups.stream import (
    MAGIC,
    TAG_BYTES,
    BackupError,
    _gunzip,
    _gzip,
    _line,
    _records,
    open_stream,
    seal_stream,
)

LEGACY_MAGIC = b"HSBACKUP1"  # one AES-GCM seal over the whole file: still restored
NONCE_BYTES = 12

# The backup's contents, gzip-compressed JSON lines:
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


def backup_records(handle: BinaryIO, *, key: bytes | None = None) -> Iterator[dict[str, Any]]:
    """The records of a backup file, read and authenticated chunk by chunk."""
    head = handle.read(len(MAGIC))
    handle.seek(-len(head), os.SEEK_CUR)
    if head == LEGACY_MAGIC:
        yield from _legacy_records(handle.read(), key=key)
        return
    yield from _records(_gunzip(open_stream(handle, key=key)))


def backup_write(path: str) -> int:
    """Write a backup to ``path`` (never overwritten, mode 0600), streaming; returns the rows written."""
    counts: dict[str, int] = {}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle, transaction.atomic():  # one consistent snapshot
        seal_stream(_gzip(_lines(counts)), handle)
    return counts["rows"]


# --- the first format: one seal over the whole file ------------------------------------


def unseal(blob: bytes, *, key: bytes | None = None) -> dict[str, Any]:
    """Open a backup held in memory (either format) as one dictionary: for tests and small tools."""
    if blob.startswith(LEGACY_MAGIC):
        return _legacy_unseal(blob, key=key)
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


def _legacy_unseal(blob: bytes, *, key: bytes | None = None) -> dict[str, Any]:
    key = key or settings.BACKUP_KEY
    if len(blob) < len(LEGACY_MAGIC) + NONCE_BYTES + TAG_BYTES:
        raise BackupError("This is not a Home-Start backup file.")
    nonce = blob[len(LEGACY_MAGIC) : len(LEGACY_MAGIC) + NONCE_BYTES]
    try:
        plain = AESGCM(key).decrypt(nonce, blob[len(LEGACY_MAGIC) + NONCE_BYTES :], LEGACY_MAGIC)
    except InvalidTag:
        raise BackupError("The backup did not open: wrong BACKUP_KEY, or the file was altered.") from None
    return json.loads(gzip.decompress(plain))


def _legacy_records(blob: bytes, *, key: bytes | None = None) -> Iterator[dict[str, Any]]:
    payload = _legacy_unseal(blob, key=key)
    if payload.get("format") != 1:
        raise BackupError("This backup was written by a different version of the application.")
    yield {"format": 1, "taken_at": payload.get("taken_at"), "vendor": payload.get("vendor")}
    rows = 0
    for table, data in payload["tables"].items():
        yield {"table": table, "columns": data["columns"]}
        for row in data["rows"]:
            rows += 1
            yield {"row": row}
    yield {"end": {"tables": len(payload["tables"]), "rows": rows}}
