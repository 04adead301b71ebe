"""Re-wrap every data key under the newest master key (§8.2).

Put the new key first in FIELD_ENCRYPTION_KEYS (keeping the old ones), run this
command, then remove the old keys. Only data keys are rewritten: the encrypted
fields themselves are untouched, so rotation is quick even for many families.
Safe to run again; a run that was interrupted carries on where it stopped.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from homestart import crypto
from homestart.models import DataKey


class Command(BaseCommand):
    help = "Re-wrap every data key under the newest master key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int = 500, **options):
        newest = crypto.newest_master_key_id()
        pending = DataKey.objects.filter(destroyed_at__isnull=True).exclude(master_key_id=newest)
        total = pending.count()
        done = 0
        while True:
            with transaction.atomic():
                batch = list(pending.select_for_update().order_by("pk")[:batch_size])
                if not batch:
                    break
                for key in batch:
                    key.rewrap()
                done += len(batch)
            self.stdout.write(f"Re-wrapped {done} of {total} data keys under {newest!r}.")
        self.stdout.write(self.style.SUCCESS(f"All data keys are wrapped under {newest!r}."))
