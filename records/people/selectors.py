"""Reads of volunteer and personnel files and supervision notes that depend on who asks
(§4.2, §5.2, §8.3, §8.4)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from access_log.kinds import kind_spec
from homestart.history import Source
from homestart.models import User, schemes_where
from homestart.rules import FileKind, Role
from records.models import PersonnelFile, SupervisionNote, TrainingRecord, TrusteeDesignation, VolunteerFile


def volunteer_files_for(*, user: User) -> QuerySet[VolunteerFile]:
    return VolunteerFile.objects.filter(kind_spec(FileKind.VOLUNTEER).visible_filter(user))


def personnel_files_for(*, user: User) -> QuerySet[PersonnelFile]:
    return PersonnelFile.objects.filter(kind_spec(FileKind.PERSONNEL).visible_filter(user))


def supervision_notes_for(*, user: User) -> QuerySet[SupervisionNote]:
    """Confidential to the two parties and the scheme manager (§4.2, §5.2)."""
    managed = schemes_where(user, (Role.MANAGER,))
    return SupervisionNote.objects.filter(
        Q(supervisee=user) | Q(supervisor=user) | Q(scheme__in=managed)
    ).select_related("data_key", "supervisee", "supervisor", "scheme")


def person_file_history(*, file) -> list[Source]:
    """Where a volunteer or personnel file's history comes from (§8.3, §8.4): the file, sealed
    with its own key, and for a personnel file the trustees designated to see it."""
    sources = [
        Source(
            type(file).history.filter(id=file.pk),
            _("File"),
            key=("data_key", file.data_key),
            exclude={"scheme", "number", "reference", "person", "created_at"},
        ),
    ]
    if isinstance(file, VolunteerFile):
        sources.append(
            Source(
                TrainingRecord.history.filter(volunteer_file_id=file.pk),
                _("Training record"),
                key=("data_key", file.data_key),
                exclude={"volunteer_file", "recorded_by", "created_at"},
            )
        )
    if isinstance(file, PersonnelFile):
        sources.append(
            Source(
                TrusteeDesignation.history.filter(personnel_file_id=file.pk),
                _("Trustee designated to see the file"),
                exclude={"personnel_file"},
            )
        )
    return sources
