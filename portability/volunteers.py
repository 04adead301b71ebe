"""Bringing a scheme's volunteers in (``manage.py import_volunteers``; columns in
docs/import.md). Each good row: a person who signs in with their e-mail address (no
password: the administrator sends a set-password link), the volunteer role in the scheme,
and their volunteer file opened by the one service that opens volunteer files (§8.3).

The role is granted as at set-up (``membership_grant_at_setup``, as ``seed_demo`` does): an
import is part of setting up the installation, from the command line only, never a page.
A volunteer opens no family until a coordinator assigns one (§8.5), so the grant opens no
file by itself. Matched on a second import by ``external_id`` (a keyed hash, as for
families) or by a volunteer file of the scheme for the same e-mail address.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from homestart import keystore
from homestart.models import Membership, Role, Scheme, User
from homestart.services import membership_grant_at_setup
from records.models import VolunteerFile
from records.services import volunteer_file_create

from .importing import BATCH_SIZE, ImportReport, Progress, RowError, _reason, external_id_index, require_importer
from .models import ImportedRecord, ImportKind
from .parsing import RowInvalid, parse_volunteer
from .reading import Table


def volunteers_import(
    *, scheme: Scheme, actor: User, table: Table, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    require_importer(actor=actor, scheme=scheme)
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run, headings=table.raw_headings, ignored_columns=table.ignored)
    seen: set[str] = set()
    for source in table:
        report.rows_read += 1
        try:
            row = parse_volunteer(source.values)
        except RowInvalid as invalid:
            report.errors.append(RowError(source.line, "; ".join(invalid.reasons), source.raw))
            continue
        key = external_id_index(scheme=scheme, kind=ImportKind.VOLUNTEERS, external_id=row.external_id)
        known = (
            row.email in seen
            or (key and key in seen)
            or (
                key
                and ImportedRecord.objects.filter(
                    scheme=scheme, kind=ImportKind.VOLUNTEERS, external_id_index=key
                ).exists()
            )
            or VolunteerFile.objects.filter(scheme=scheme, person__email__iexact=row.email).exists()
        )
        if known:
            report.already_there += 1
            continue
        if not dry_run:
            try:
                with keystore.synced_together(), transaction.atomic(), keystore.synced_together():
                    file = _open(scheme=scheme, actor=actor, row=row)
                    if key:
                        ImportedRecord.objects.create(
                            scheme=scheme,
                            kind=ImportKind.VOLUNTEERS,
                            external_id_index=key,
                            volunteer_file=file,
                            imported_by=actor,
                        )
            except (ValidationError, DatabaseError) as error:
                report.errors.append(RowError(source.line, _reason(error), source.raw))
                continue
            report.references.append(file.reference)
        report.added += 1
        seen.update(k for k in (row.email, key) if k)
        if progress is not None and report.rows_read % BATCH_SIZE == 0:
            progress(report.rows_read)
    report.seconds = time.monotonic() - started
    return report


def _open(*, scheme: Scheme, actor: User, row) -> VolunteerFile:
    person = User.objects.filter(email__iexact=row.email).first()
    if person is None:
        if User.objects.filter(username=row.email).exists():
            raise ValidationError({"email": "an account already signs in with this address as its user name"})
        person = User(username=row.email, email=row.email, first_name=row.first_name, last_name=row.last_name)
        person.set_unusable_password()
        person.full_clean()
        person.save()
    if not Membership.objects.current().filter(user=person, scheme=scheme, role=Role.VOLUNTEER).exists():
        membership_grant_at_setup(user=person, scheme=scheme, role=Role.VOLUNTEER)
    return volunteer_file_create(scheme=scheme, person=person, actor=actor, **row.file)
