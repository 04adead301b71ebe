"""Write an encrypted backup of the database (§8.2; docs/backups.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from records.backups.backup import backup_write


class Command(BaseCommand):
    help = "Write an encrypted backup (AES-256-GCM under BACKUP_KEY) of every application table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="File to write (must not exist). Default: backups/<timestamp>.hsbackup")

    def handle(self, *args, output: str | None, **options) -> None:
        if output is None:
            folder = Path("backups")
            folder.mkdir(mode=0o700, exist_ok=True)
            output = str(folder / f"homestart-{timezone.now():%Y%m%d-%H%M%S}.hsbackup")
        try:
            rows = backup_write(output)
        except FileExistsError:
            raise CommandError(f"{output} exists already; backups are never overwritten.") from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output} ({rows} rows, encrypted)."))
