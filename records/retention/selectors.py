"""Reads for retention and destruction that depend on who asks (§8.8): the files due,
the destructions under way, the legal holds, and the certificates tombstones show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from families.models import Family
from homestart.fields import EncryptedField
from homestart.models import Scheme, User, schemes_where
from homestart.rules import FileKind, Role
from records.deadlines import add_months
from records.models import (
    FILE_RECORD_KINDS,
    Destruction,
    DestructionCertificate,
    LegalHold,
    PersonnelFile,
    RecordKind,
    VolunteerFile,
)
from records.retention import periods
from records.retention.services import DESTRUCTION_ROLES, retention_of


@dataclass(frozen=True)
class DueFile:
    kind: str
    file_id: object
    reference: str
    scheme: Scheme
    record_kind: str
    retention_from: datetime.date
    due_on: datetime.date
    on_hold: bool
    destruction: Destruction | None

    @property
    def record_kind_label(self) -> str:
        """The kind of record in words ("Family file"), as the page names it."""
        return str(RecordKind(self.record_kind).label)


def due_for_destruction(*, user: User, today: datetime.date | None = None) -> list[DueFile]:
    """Files whose retention period has ended, for the scheme manager and trustees (§8.8)."""
    return due_in_schemes(schemes=schemes_where(user, DESTRUCTION_ROLES), today=today)


def due_in_schemes(*, schemes: QuerySet[Scheme], today: datetime.date | None = None) -> list[DueFile]:
    """Files of these schemes whose retention period has ended by ``today``: the page above,
    and the daily reminders, which ask for every scheme at once (§8.8)."""
    today = today or timezone.localdate()
    years = {kind: periods.retention_years(kind) for kind in FILE_RECORD_KINDS}
    # Only files closed or left long enough ago can be due: the shortest period, back from today,
    # with a few days' margin for month ends (29 February); the exact date is checked below.
    # The daily reminders and each landing page ask this, so it must not read every closed file.
    latest_start = add_months(today, -12 * min(years.values())) + datetime.timedelta(days=3)
    candidates = [
        (
            FileKind.FAMILY,
            Family.objects.filter(
                scheme__in=schemes, status=Family.Status.CLOSED, closed_on__lte=latest_start
            ).annotate(
                has_safeguarding=ExpressionWrapper(periods.safeguarding_records_exist(), output_field=BooleanField())
            ),
        ),
        (
            FileKind.VOLUNTEER,
            VolunteerFile.objects.filter(scheme__in=schemes, left_on__isnull=False, left_on__lte=latest_start),
        ),
        (
            FileKind.PERSONNEL,
            PersonnelFile.objects.filter(scheme__in=schemes, left_on__isnull=False, left_on__lte=latest_start),
        ),
    ]
    open_destructions = {
        (d.file_kind, d.file_id): d
        for d in Destruction.objects.filter(scheme__in=schemes).exclude(status=Destruction.Status.CANCELLED)
    }
    held = set(LegalHold.objects.filter(released_at__isnull=True).values_list("file_kind", "file_id"))
    due = []
    for kind, files in candidates:
        for obj in files.select_related("scheme").defer(*_encrypted(files.model)):
            record_kind, start = retention_of(kind, obj)
            due_on = add_months(start, 12 * years[record_kind])
            destruction = open_destructions.get((kind, obj.pk))
            if due_on <= today and not (destruction and destruction.status == Destruction.Status.DONE):
                due.append(
                    DueFile(
                        kind,
                        obj.pk,
                        obj.reference,
                        obj.scheme,
                        record_kind,
                        start,
                        due_on,
                        (kind, obj.pk) in held,
                        destruction,
                    )
                )
    return sorted(due, key=lambda d: (d.due_on, d.reference))


def _encrypted(model: type) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def destructions_for(*, user: User) -> QuerySet[Destruction]:
    return Destruction.objects.filter(scheme__in=schemes_where(user, DESTRUCTION_ROLES)).select_related(
        "first_authorised_by", "second_authorised_by"
    )


def legal_holds_for(*, user: User) -> QuerySet[LegalHold]:
    """Current holds on the files of the schemes the user manages."""
    managed = schemes_where(user, (Role.MANAGER,))
    in_scheme = (
        Q(file_kind=FileKind.FAMILY, file_id__in=Family.objects.filter(scheme__in=managed).values("pk"))
        | Q(file_kind=FileKind.VOLUNTEER, file_id__in=VolunteerFile.objects.filter(scheme__in=managed).values("pk"))
        | Q(file_kind=FileKind.PERSONNEL, file_id__in=PersonnelFile.objects.filter(scheme__in=managed).values("pk"))
    )
    return LegalHold.objects.filter(in_scheme, released_at__isnull=True)


def certificates_of(kind: str, file_ids: list) -> dict:
    """{file id: (certificate number, destroyed at)} for destroyed files of a kind, in one query:
    what a tombstone shows where the file would have appeared (§8.8)."""
    rows = DestructionCertificate.objects.filter(file_kind=kind, file_id__in=file_ids)
    return {file_id: (pk, when) for pk, file_id, when in rows.values_list("pk", "file_id", "destroyed_at")}
