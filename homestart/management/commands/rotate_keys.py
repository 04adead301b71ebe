"""Re-wrap every data key in the key store under the newest master key (§8.2, §8.8).

Put the new key first in FIELD_ENCRYPTION_KEYS (keeping the old ones) and restart
every process, run this command, then remove the old keys. Only the key-store
files are rewritten: the encrypted fields are untouched, so rotation is quick even
for many families. Safe to run again; a run that was interrupted carries on where
it stopped.

After a retention run this is what makes crypto-shredding hold for every copy of
the key store: once the old master key is removed, an older copy of the key store
(an off-site copy, or blocks of an unlinked file the disk still holds) is wrapped
under a key that no longer exists (docs/backups.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from homestart import crypto, keystore
from homestart.models import DataKey


class Command(BaseCommand):
    help = "Re-wrap every data key in the key store under the newest master key in FIELD_ENCRYPTION_KEYS."

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
                    try:
                        key.rewrap()
                    except crypto.KeyUnavailable as error:
                        raise CommandError(f"Data key {key.pk}: {error} Run `manage.py keystore_check`.") from None
                done += len(batch)
            self.stdout.write(f"Re-wrapped {done} of {total} data keys under {newest!r}.")
        # The files are the truth: check that none is left under an older key.
        live = set(DataKey.objects.filter(destroyed_at__isnull=True).values_list("pk", flat=True))
        stale = []
        for key_id, suffix, path in keystore.entries():
            if (
                key_id in live
                and suffix in (keystore.KEY, keystore.PENDING)
                and keystore.decode(path.read_bytes())[0] != newest
            ):
                stale.append(key_id)
        for key_id in stale:
            with transaction.atomic():
                key = DataKey.objects.select_for_update().get(pk=key_id)
                key.rewrap()
        if stale:
            self.stdout.write(f"Re-wrapped {len(stale)} more key file(s) left under an older master key.")
        self.stdout.write(self.style.SUCCESS(f"All data keys are wrapped under {newest!r}."))
