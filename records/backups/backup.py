"""Taking a backup (§8.2): every table's rows, streamed into a sealed file, and opening
one again (docs/backups.md)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from records.backups.rows import _columns, _stream_table, _tables
from records.backups.stream import (
    _gunzip,
    _gzip,
    _line,
    _records,
    open_stream,
    seal_stream,
)

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
    payload: dict[str, Any] = {"tables": {}}
    for record in backup_records(io.BytesIO(blob), key=key):
        if "table" in record:
            current = payload["tables"][record["table"]] = {"columns": record["columns"], "rows": []}
        elif "row" in record:
            current["rows"].append(record["row"])
        else:
            payload.update(record)
    return payload
