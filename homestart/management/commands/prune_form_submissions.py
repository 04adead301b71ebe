"""Remove one-time form tokens older than a day (``homestart.once``); run daily from cron."""

from django.core.management.base import BaseCommand

from homestart.once import prune


class Command(BaseCommand):
    help = "Remove one-time form tokens older than a day."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Removed {prune()} form tokens older than a day.")
