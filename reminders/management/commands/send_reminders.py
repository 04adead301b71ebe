"""``manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]``: e-mail each person what is due
for them, each reminder once (reminders/services.py). Run daily (README, "Reminders")."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders.services import reminders_send


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date {value!r} is not a date: use YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = "E-mail each person the reminders due for them (references and links only), each once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the reminders; send and record nothing.")
        parser.add_argument("--date", help="The day to remind for (YYYY-MM-DD); today by default.")

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options) -> None:
        on = _date(date) if date else timezone.localdate()
        reminders = reminders_send(on=on, dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        for reminder in reminders:
            # The recipient by name and each item by reference (§8.6): safe in a cron log.
            self.stdout.write(f"{verb} to {reminder.person.display_name}:")
            for item in reminder.items:
                self.stdout.write(f"  - {item.text}")
        count = sum(len(r.items) for r in reminders)
        self.stdout.write(f"{verb} {count} reminder(s) to {len(reminders)} person(s) for {on:%Y-%m-%d}.")
