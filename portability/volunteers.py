"""Bringing a scheme's volunteers in (``manage.py import_volunteers``; columns in
docs/import.md). Each good row: a person who signs in with their e-mail address (no
password: the administrator sends a set-password link), the volunteer role in the scheme,
and their volunteer file opened by the one service that opens volunteer files (§8.3).

The volunteer role is only asked for (``membership_request``), like every other role: it
takes effect when a second person — the scheme's manager or a trustee, never the person who
ran the import — approves it on "Access requests" (§8.3, "No one acts alone on access"). A
volunteer opens no family until a coordinator assigns one (§8.5) in any case. Matched on a
second import by ``external_id`` (a keyed hash, as for families) or by a volunteer file of
the scheme for the same e-mail address. The volunteer's file is opened at once: it is kept
from recruitment, while the role waits for approval.
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from homestart import keystore
from homestart.models import AccessRequest, Membership, Scheme, User
from homestart.rules import Role
from homestart.services import membership_request
from records.models import VolunteerFile
from records.people.services import volunteer_file_create

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
            raise ValidationError({"email": _("an account already signs in with this address as its user name")})
        person = User(username=row.email, email=row.email, first_name=row.first_name, last_name=row.last_name)
        person.set_unusable_password()
        person.full_clean()
        person.save()
    holds = Membership.objects.not_ended().filter(user=person, scheme=scheme, role=Role.VOLUNTEER).exists()
    asked = (
        AccessRequest.objects.pending()
        .filter(kind=AccessRequest.Kind.MEMBERSHIP, user=person, scheme=scheme, role=Role.VOLUNTEER)
        .exists()
    )
    if not holds and not asked:
        membership_request(
            user=person,
            scheme=scheme,
            role=Role.VOLUNTEER,
            actor=actor,
            reason="A volunteer brought in from the scheme's earlier records.",
        )
    return volunteer_file_create(scheme=scheme, person=person, actor=actor, **row.file)
