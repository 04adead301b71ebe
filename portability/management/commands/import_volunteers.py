"""Bring a scheme's volunteers in from a CSV or XLSX file (columns: docs/import.md).

python manage.py import_volunteers volunteers.csv --scheme WIR --as manager [--dry-run]
python manage.py import_volunteers --template
"""

from __future__ import annotations

from portability.columns import VOLUNTEER_COLUMNS
from portability.volunteers import volunteers_import

from .import_families import Command as FamiliesCommand


class Command(FamiliesCommand):
    help = "Import volunteers from a CSV or XLSX file: an account, the volunteer role and a volunteer file each."
    columns = VOLUNTEER_COLUMNS
    run_import = staticmethod(volunteers_import)
