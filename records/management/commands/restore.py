"""Restore an encrypted backup, keeping destroyed files destroyed (§8.2, §8.8; docs/backups.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.backups.restore import restore
from records.backups.stream import BackupError


class Command(BaseCommand):
    help = "Replace the database's contents with a backup; files destroyed since then stay destroyed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Confirm: every current row is replaced.")

    def handle(self, *args, path: str, yes: bool, **options) -> None:
        if not yes:
            raise CommandError("Restoring replaces every row in the database. Run again with --yes to confirm.")
        try:
            with Path(path).open("rb") as handle:
                result = restore(handle)
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.rows} rows in {result.tables} tables; "
                f"{result.keys_kept_destroyed} destroyed data key(s) kept destroyed."
            )
        )
