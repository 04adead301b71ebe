"""Import a family transferred from a Home-Start scheme on another installation (§9.2, §9.3)."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from consent.transfers import transfer_import
from homestart.models import Scheme, User


class Command(BaseCommand):
    help = "Open a new family file from a transfer package. The passphrase is asked for, never passed as an argument."

    def add_arguments(self, parser):
        parser.add_argument("package", type=Path)
        parser.add_argument("--scheme", required=True, help="The receiving scheme's code, for example SEF.")
        parser.add_argument("--as", dest="username", required=True, help="The receiving coordinator's username.")
        parser.add_argument("--passphrase-file", type=Path, help="Read the passphrase from this file instead.")

    def handle(self, *args, package: Path, scheme: str, username: str, passphrase_file: Path | None, **options):
        scheme_obj = Scheme.objects.filter(code=scheme.upper()).first()
        actor = User.objects.filter(username=username, is_active=True).first()
        if scheme_obj is None or actor is None:
            raise CommandError("No such scheme or user.")
        passphrase = Path(passphrase_file).read_text().strip() if passphrase_file else getpass.getpass("Passphrase: ")
        try:
            family = transfer_import(
                package=Path(package).read_bytes(), passphrase=passphrase, scheme=scheme_obj, actor=actor
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self.stdout.write(self.style.SUCCESS(f"Family file {family.reference} opened from the transfer package."))
