"""Write a sealed copy of the key store (under BACKUP_KEY), for the off-site copy (docs/backups.md)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.backups.keystore_copy import export


class Command(BaseCommand):
    help = "Write a copy of the key store (wrapped keys and tombstones), sealed under BACKUP_KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="File to write (must not exist).")

    def handle(self, *args, output: str, **options) -> None:
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{output} exists already; copies are never overwritten.") from None
        with os.fdopen(fd, "wb") as handle:
            counts = export(handle)
            handle.flush()
            os.fsync(handle.fileno())
        self.stdout.write(
            self.style.SUCCESS(
                f"Key store copied to {output}: {counts['keys']} key(s), {counts['tombstones']} tombstone(s), "
                "sealed under BACKUP_KEY. Replace the previous off-site copy with it."
            )
        )
