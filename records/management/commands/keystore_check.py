"""Check the key store against the database and repair what is safe to repair (§8.2, §8.8).

Removes the key file of every data key marked destroyed (a destruction whose
process died between its commit and the unlink), marks destroyed every key the
key store holds a tombstone for, promotes committed keys still marked pending,
and reports live keys with no key file. With ``--remove-orphans`` it also
removes pending keys whose transaction rolled back, once they are older than a
day (``--older-than-hours``). Exits with an error when a live key has no file.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homestart import keystore
from records.backups.reconcile import reconcile_key_store


class Command(BaseCommand):
    help = "Check the key store against the database; remove keys of destroyed files and (optionally) orphans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--remove-orphans",
            action="store_true",
            help="Remove pending keys with no database row (their transaction rolled back).",
        )
        parser.add_argument(
            "--older-than-hours", type=int, default=24, help="Only orphans older than this are removed (default 24)."
        )

    def handle(self, *args, remove_orphans: bool, older_than_hours: int, **options) -> None:
        if older_than_hours < 1:
            raise CommandError("--older-than-hours must be at least 1: a key being created right now has no row yet.")
        report = reconcile_key_store(
            remove_orphans=remove_orphans, orphan_age=datetime.timedelta(hours=older_than_hours)
        )
        configured = set(settings.FIELD_ENCRYPTION_KEYS)
        under: dict[str, int] = {}
        for key_id, suffix, path in keystore.entries():
            if key_id is not None and suffix in (keystore.KEY, keystore.PENDING):
                master_key_id, _ = keystore.decode(path.read_bytes())
                under[master_key_id] = under.get(master_key_id, 0) + 1
        self.stdout.write(f"Key store {keystore.root()}:")
        for master_key_id, count in sorted(under.items()):
            state = "configured" if master_key_id in configured else "NOT CONFIGURED: these keys cannot be opened"
            self.stdout.write(f"  {count} key(s) wrapped under {master_key_id!r} ({state})")
        self.stdout.write(
            f"  removed {report['removed']} key file(s) of destroyed files; "
            f"marked {report['marked_destroyed']} key(s) destroyed from tombstones; "
            f"promoted {report['promoted']} committed pending key(s)"
        )
        self.stdout.write(
            f"  {report['orphans']} orphan(s) (pending keys with no row), {report['orphans_removed']} removed"
        )
        if report["missing"]:
            shown = ", ".join(str(k) for k in report["missing"][:10])
            raise CommandError(
                f"{len(report['missing'])} live data key(s) have no file in the key store (for example {shown}): "
                "their files cannot be opened. Is KEY_STORE_DIR right, and was the key store restored?"
            )
        self.stdout.write(self.style.SUCCESS("Every live data key is in the key store."))
