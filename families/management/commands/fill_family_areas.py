"""Set the postcode district (Family.area) of families recorded before it existed (§3.2).

New and changed postcodes set it when they are written; this fills in the rest
once, decrypting each postcode in memory only. Safe to run again.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from families.models import Family
from homestart.crypto import KeyUnavailable


class Command(BaseCommand):
    help = "Fill in the postcode district of families whose area is not recorded yet."

    def handle(self, *args, **options):
        filled = 0
        with transaction.atomic():
            for family in Family.objects.filter(area="").with_keys().select_for_update(of=("self",)):
                try:
                    area = Family.area_of(family.postcode)
                except KeyUnavailable:  # a destroyed file (§8.8): nothing left to read
                    continue
                if area:
                    Family.objects.filter(pk=family.pk).update(area=area)
                    filled += 1
        self.stdout.write(self.style.SUCCESS(f"Postcode district recorded for {filled} families."))
