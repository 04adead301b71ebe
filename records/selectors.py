"""Reads that depend on who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from access_log.kinds import kind_spec
from families.models import Family
from homestart.history import Source
from homestart.models import Membership, Scheme, User
from homestart.rules import FileKind, Role

from . import retention
from .deadlines import add_months
from .models import (
    Breach,
    Destruction,
    DestructionCertificate,
    LegalHold,
    PersonnelFile,
    RecordKind,
    SubjectAccessRequest,
    SupervisionNote,
    TrusteeDesignation,
    VolunteerFile,
)
from .services import BREACH_ROLES, DESTRUCTION_ROLES, SAR_ROLES, retention_of


def _schemes(user: User, roles: tuple[str, ...]) -> QuerySet[Scheme]:
    return Scheme.objects.filter(
        memberships__user=user,
        memberships__role__in=roles,
        memberships__ended_at__isnull=True,
        memberships__user__is_active=True,
    ).distinct()


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


def due_for_destruction(*, user: User, today: datetime.date | None = None) -> list[DueFile]:
    """Files whose retention period has ended, for the scheme manager and trustees (§8.8)."""
    today = today or timezone.localdate()
    schemes = _schemes(user, DESTRUCTION_ROLES)
    candidates = [
        (
            FileKind.FAMILY,
            Family.objects.filter(scheme__in=schemes, status=Family.Status.CLOSED).annotate(
                has_safeguarding=ExpressionWrapper(retention.safeguarding_records_exist(), output_field=BooleanField())
            ),
        ),
        (FileKind.VOLUNTEER, VolunteerFile.objects.filter(scheme__in=schemes, left_on__isnull=False)),
        (FileKind.PERSONNEL, PersonnelFile.objects.filter(scheme__in=schemes, left_on__isnull=False)),
    ]
    open_destructions = {
        (d.file_kind, d.file_id): d
        for d in Destruction.objects.filter(scheme__in=schemes).exclude(status=Destruction.Status.CANCELLED)
    }
    held = set(LegalHold.objects.filter(released_at__isnull=True).values_list("file_kind", "file_id"))
    years = {kind: retention.retention_years(kind) for kind in RecordKind.values}
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
    from homestart.fields import EncryptedField

    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def destructions_for(*, user: User) -> QuerySet[Destruction]:
    return Destruction.objects.filter(scheme__in=_schemes(user, DESTRUCTION_ROLES)).select_related(
        "first_authorised_by", "second_authorised_by"
    )


def legal_holds_for(*, user: User) -> QuerySet[LegalHold]:
    """Current holds on the files of the schemes the user manages."""
    managed = _schemes(user, (Role.MANAGER,))
    in_scheme = (
        Q(file_kind=FileKind.FAMILY, file_id__in=Family.objects.filter(scheme__in=managed).values("pk"))
        | Q(file_kind=FileKind.VOLUNTEER, file_id__in=VolunteerFile.objects.filter(scheme__in=managed).values("pk"))
        | Q(file_kind=FileKind.PERSONNEL, file_id__in=PersonnelFile.objects.filter(scheme__in=managed).values("pk"))
    )
    return LegalHold.objects.filter(in_scheme, released_at__isnull=True)


def volunteer_files_for(*, user: User) -> QuerySet[VolunteerFile]:
    return VolunteerFile.objects.filter(kind_spec(FileKind.VOLUNTEER).visible_filter(user))


def personnel_files_for(*, user: User) -> QuerySet[PersonnelFile]:
    return PersonnelFile.objects.filter(kind_spec(FileKind.PERSONNEL).visible_filter(user))


def supervision_notes_for(*, user: User) -> QuerySet[SupervisionNote]:
    """Confidential to the two parties and the scheme manager (§4.2, §5.2)."""
    managed = _schemes(user, (Role.MANAGER,))
    return SupervisionNote.objects.filter(
        Q(supervisee=user) | Q(supervisor=user) | Q(scheme__in=managed)
    ).select_related("data_key", "supervisee", "supervisor", "scheme")


def sars_for(*, user: User) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(scheme__in=_schemes(user, SAR_ROLES)).select_related("scheme")


def breaches_for(*, user: User) -> QuerySet[Breach]:
    return Breach.objects.filter(scheme__in=_schemes(user, BREACH_ROLES)).select_related("data_key", "found_by")


def is_manager(user: User) -> bool:
    return Membership.objects.current().filter(user=user, role=Role.MANAGER).exists()


def own_key_history(*, record, label: str) -> list[Source]:
    """Where a subject access request's or a breach's history comes from: the record, sealed
    with its own key (§1.6, §8.7; §3.9, §4.4, §5.5)."""
    return [
        Source(
            type(record).history.filter(id=record.pk),
            label,
            key=("data_key", record.data_key),
            exclude={"scheme", "number", "reference", "created_at"},
        ),
    ]


def person_file_history(*, file) -> list[Source]:
    """Where a volunteer or personnel file's history comes from (§8.3, §8.4): the file, sealed
    with its own key, and for a personnel file the trustees designated to see it."""
    sources = [
        Source(
            type(file).history.filter(id=file.pk),
            "File",
            key=("data_key", file.data_key),
            exclude={"scheme", "number", "reference", "person", "created_at"},
        ),
    ]
    if isinstance(file, PersonnelFile):
        sources.append(
            Source(
                TrusteeDesignation.history.filter(personnel_file_id=file.pk),
                "Trustee designated to see the file",
                exclude={"personnel_file"},
            )
        )
    return sources


def certificates_of(kind: str, file_ids: list) -> dict:
    """{file id: (certificate number, destroyed at)} for destroyed files of a kind, in one query:
    what a tombstone shows where the file would have appeared (§8.8)."""
    rows = DestructionCertificate.objects.filter(file_kind=kind, file_id__in=file_ids)
    return {file_id: (pk, when) for pk, file_id, when in rows.values_list("pk", "file_id", "destroyed_at")}
