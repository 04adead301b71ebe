"""A sealed copy of the key store, for the operator's off-site copy (§8.2, §8.8; docs/backups.md).

``keystore_export`` writes every live key-store file, as it is (each key wrapped
under a master key), and every tombstone, as gzip-compressed JSON lines sealed
under ``BACKUP_KEY`` in the same framed AES-256-GCM stream as backups::

    {"format": "keystore-1", "taken_at": ...}
    {"key": id, "file": base64}            one per live key
    {"tombstone": id, "at": ...}           one per destroyed key
    {"end": {"keys": n, "tombstones": m}}  (a copy without it is refused)

``keystore_import`` writes the copy's keys into the key store, never over a key
already there and never for a key the key store or the database says was
destroyed. A copy made before the master key was rotated and the old key removed
opens nothing: that is what makes old copies harmless (docs/backups.md).
"""

from __future__ import annotations

import base64
import datetime
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.conf import settings
from django.utils import timezone

from homestart import keystore
from records.backups.stream import BackupError, _gunzip, _gzip, _line, _records, open_stream, seal_stream

FORMAT = "keystore-1"


def _lines(counts: dict[str, int]) -> Iterator[bytes]:
    from homestart.models import DataKey

    destroyed = set(DataKey.objects.filter(destroyed_at__isnull=False).values_list("pk", flat=True))
    tombstones = keystore.tombstones()
    yield _line({"format": FORMAT, "taken_at": timezone.now().isoformat()})
    counts.update(keys=0, tombstones=0)
    for key_id, suffix, path in keystore.entries():
        if suffix == keystore.KEY and key_id not in destroyed and key_id not in tombstones:
            counts["keys"] += 1
            yield _line({"key": key_id.hex, "file": base64.b64encode(path.read_bytes()).decode()})
    for key_id, at in sorted(tombstones.items()):
        counts["tombstones"] += 1
        yield _line({"tombstone": key_id.hex, "at": at.isoformat()})
    yield _line({"end": dict(counts)})


def export(handle: BinaryIO) -> dict[str, int]:
    counts: dict[str, int] = {}
    seal_stream(_gzip(_lines(counts)), handle)
    return counts


def import_(handle: BinaryIO) -> dict[str, Any]:
    from homestart.models import DataKey
    from records.models import DestructionCertificate

    records = _records(_gunzip(open_stream(handle)))
    first = next(records, None)
    if first is None or first.get("format") != FORMAT:
        raise BackupError("This is not a copy of the key store written by this application.")
    destroyed = set(DataKey.objects.filter(destroyed_at__isnull=False).values_list("pk", flat=True))
    destroyed |= set(DestructionCertificate.objects.values_list("data_key_id", flat=True))
    destroyed |= set(keystore.tombstones())
    result: dict[str, Any] = {
        "imported": 0,
        "already_there": 0,
        "refused_destroyed": 0,
        "tombstones": 0,
        "unknown_master_keys": set(),
    }
    keys: list[tuple[uuid.UUID, bytes]] = []
    tombstones: list[tuple[uuid.UUID, datetime.datetime]] = []
    end = None
    for record in records:
        if "key" in record:
            keys.append((uuid.UUID(hex=record["key"]), base64.b64decode(record["file"])))
        elif "tombstone" in record:
            tombstones.append((uuid.UUID(hex=record["tombstone"]), datetime.datetime.fromisoformat(record["at"])))
        elif "end" in record:
            end = record["end"]
    if end is None or end != {"keys": len(keys), "tombstones": len(tombstones)}:
        raise BackupError("The copy of the key store is incomplete.")
    # Tombstones first: a key the copy itself says was destroyed is never written back.
    for key_id, at in tombstones:
        if keystore.destroyed_at(key_id) is None:
            result["tombstones"] += 1
        keystore.shred(key_id, destroyed_at=at)
        destroyed.add(key_id)
    for key_id, blob in keys:
        master_key_id, wrapped = keystore.decode(blob)
        if key_id in destroyed:
            result["refused_destroyed"] += 1
        elif keystore.exists(key_id):
            result["already_there"] += 1
        else:
            keystore.put(key_id, master_key_id, wrapped, pending=False)
            result["imported"] += 1
            if master_key_id not in settings.FIELD_ENCRYPTION_KEYS:
                result["unknown_master_keys"].add(master_key_id)
    return result
