"""The key store and the database kept in step (§8.8; ``run_retention``, ``keystore_check``)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from records.backups.restore import mark_destroyed


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
