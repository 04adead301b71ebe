"""Bring a scheme's families in from a CSV or XLSX file (docs/import.md).

python manage.py import_families families.csv --scheme WIR --as manager --dry-run
python manage.py import_families families.csv --scheme WIR --as manager
python manage.py import_families --template > families.csv
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homestart.errors import AccessRefused
from homestart.models import Scheme, User
from portability.columns import FAMILY_COLUMNS, heading_row
from portability.importing import families_import
from portability.progress import ProgressBar
from portability.reading import FileRefused, count_rows, open_table


class Command(BaseCommand):
    help = "Import families from a CSV or XLSX file, each through the one family-creation service (§7.1)."
    columns = FAMILY_COLUMNS
    run_import = staticmethod(families_import)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="The CSV or XLSX file.")
        parser.add_argument("--scheme", help="The scheme's code, e.g. WIR.")
        parser.add_argument("--as", dest="username", help="The coordinator or manager bringing the records in.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything; write nothing.")
        parser.add_argument("--template", action="store_true", help="Print the heading row and stop.")
        parser.add_argument(
            "--errors",
            help="Where to write the refused rows with a reason column (default: FILE.errors.csv beside FILE).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        if options["template"]:
            self.stdout.write(heading_row(self.columns))
            return
        path, code, username = options["file"], options["scheme"], options["username"]
        if not path or not code or not username:
            raise CommandError("Give the FILE, --scheme CODE and --as USERNAME (or --template).")
        scheme = Scheme.objects.filter(code__iexact=code).first()
        if scheme is None:
            raise CommandError(f"No scheme with the code {code}.")
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username}.")
        try:
            total = count_rows(path)
            with open(path, "rb") as stream:
                table = open_table(stream, self.columns, name=path)
                bar = None if options["no_progress"] else ProgressBar(self.stderr._out, total=total)
                report = self.run_import(
                    scheme=scheme, actor=actor, table=table, dry_run=options["dry_run"], progress=bar
                )
                if bar is not None:
                    bar.finish(report.rows_read)
        except FileNotFoundError:
            raise CommandError(f"No file {path}.") from None
        except FileRefused as refused:
            raise CommandError(str(refused)) from None
        except AccessRefused as refused:
            raise CommandError(str(refused)) from None
        self._report(report, path, options)

    def _report(self, report, path: str, options) -> None:
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if report.ignored_columns:
            self.stdout.write("Columns not used: " + ", ".join(report.ignored_columns))
        self.stdout.write(report.summary() + f" ({report.seconds:.1f} s)")
        for error in report.errors:
            self.stdout.write(f"  line {error.line}: {error.reason}")
        if report.errors:
            target = Path(options["errors"] or f"{os.path.splitext(path)[0]}.errors.csv")
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
                handle.write(report.errors_csv())
            self.stdout.write(
                f"The refused rows, with a reason column, are in {target}: fix them there and import that file."
            )
