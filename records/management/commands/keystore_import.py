"""Put the keys of a key-store copy back into the key store, never a destroyed one (docs/backups.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.backups.keystore_copy import import_
from records.backups.stream import BackupError


class Command(BaseCommand):
    help = "Write the keys of a key-store copy into the key store (keys already there and destroyed keys are kept out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        try:
            with Path(path).open("rb") as handle:
                result = import_(handle)
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Imported {result['imported']} key(s); {result['already_there']} already in the key store; "
            f"{result['refused_destroyed']} destroyed key(s) kept out; {result['tombstones']} new tombstone(s)."
        )
        if result["unknown_master_keys"]:
            names = ", ".join(sorted(result["unknown_master_keys"]))
            self.stdout.write(
                self.style.WARNING(
                    f"Some imported keys are wrapped under master key(s) not configured ({names}): "
                    "they cannot be opened."
                )
            )
        self.stdout.write(self.style.SUCCESS("Run `manage.py keystore_check` to check the key store."))
