"""The access log's retention run (§8.8, §9.1; records/retention/access_log.py).

Run as the owner of the tables (the ``DATABASE_URL`` that runs ``migrate``), monthly:
creates the coming months' partitions, then detaches, archives (``--archive-dir``) and
drops each month of access events past the access log's retention period, except months
under a legal hold. ``--month 2019-03`` asks for one month only (refused, and recorded,
while it is within its period). Every act is recorded in the access log retention register.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from access_log import partitions
from homestart.models import User
from records.retention import access_log


class Command(BaseCommand):
    help = "Create the access log's coming months and drop months past its retention period (run as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True, help="Who runs it (recorded with each act).")
        parser.add_argument(
            "--archive-dir",
            default="",
            help="Write each dropped month there first (gzip CSV, SHA-256 recorded); without it, months are dropped.",
        )
        parser.add_argument("--month", help="Only this month (YYYY-MM).")

    def handle(self, *args, username: str, archive_dir: str, month: str | None, **options) -> None:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        if not partitions.is_partitioned():
            self.stdout.write("The access log is not partitioned here (SQLite): nothing to do.")
            return
        if not partitions.may_manage():
            raise CommandError(
                "Creating and dropping the access log's months is the owner's work: run this with the owner's "
                "DATABASE_URL (docs/security.md, 'Two database roles')."
            )
        archive_to = Path(archive_dir) if archive_dir else None
        if month:
            try:
                first = datetime.datetime.strptime(month, "%Y-%m").date()
            except ValueError as error:
                raise CommandError("Give the month as YYYY-MM, for example 2019-03.") from error
            done = access_log.retire_month(month=first, actor=actor, archive_to=archive_to)
            if not done:
                raise CommandError(f"The access log has no partition for {first:%B %Y}.")
        else:
            done = access_log.run(actor=actor, archive_to=archive_to)
        for record in done:
            events = "" if record.events is None else f", {record.events} event(s)"
            extra = f" ({record.note})" if record.note else ""
            where = f" -> {record.archive} sha256 {record.sha256}" if record.archive else ""
            self.stdout.write(f"{record.month:%B %Y}: {record.get_act_display()}{events}{where}{extra}")
        if not done:
            self.stdout.write("Access log: every month is in place and within its retention period.")
