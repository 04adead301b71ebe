"""Writes for volunteer and personnel files (§8.3, §8.4) and supervision (§4.2, §5.2).
Keyword-only, atomic, validated, and each names its actor (history rows carry them)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access_log import gate
from access_log.kinds import SCHEME_STAFF_ROLES
from homestart.concurrency import check_version
from homestart.errors import NotAllowed
from homestart.models import AccessRequest, DataKey, Scheme, User, has_role, is_line_manager
from homestart.rules import ActingRole, Action, FileKind, Purpose, Role, Section
from homestart.writes import save_tracked
from records.common import next_number, require_role
from records.models import PersonnelFile, SupervisionNote, TrainingRecord, TrusteeDesignation, VolunteerFile

# --- volunteer and personnel files -----------------------------------------------


@transaction.atomic
def volunteer_file_create(*, scheme: Scheme, person: User, actor: User, **fields: Any) -> VolunteerFile:
    """Open a volunteer's file (§8.3): by the scheme's coordinators and manager."""
    role = require_role(
        actor, scheme, SCHEME_STAFF_ROLES, _("Only the scheme's coordinators and manager open volunteer files.")
    )
    # A volunteer's file is kept from recruitment: while their role waits for a second
    # person's approval (§8.3) as well as once they hold it.
    awaiting = (
        AccessRequest.objects.pending()
        .filter(kind=AccessRequest.Kind.MEMBERSHIP, user=person, scheme=scheme, role=Role.VOLUNTEER)
        .exists()
    )
    if not (has_role(person, Role.VOLUNTEER, scheme=scheme) or awaiting):
        raise ValidationError({"person": _("This person is not a volunteer of the scheme.")})
    number = next_number(VolunteerFile, scheme)
    file = VolunteerFile(
        scheme=scheme,
        number=number,
        reference=VolunteerFile.format_reference(scheme.code, number),
        person=person,
        data_key=DataKey.generate(),
        **fields,
    )
    save_tracked(file, actor=actor)
    gate.record_creation(user=actor, kind=FileKind.VOLUNTEER, obj=file, role=role, purpose=Purpose.SUPERVISION)
    return file


@transaction.atomic
def personnel_file_create(*, scheme: Scheme, person: User, actor: User, **fields: Any) -> PersonnelFile:
    """Open a member of staff's personnel file (§8.4): by their line manager."""
    if not is_line_manager(actor, of=person, scheme=scheme):
        raise NotAllowed(_("Only the person's line manager opens their personnel file (§8.4)."))
    number = next_number(PersonnelFile, scheme)
    file = PersonnelFile(
        scheme=scheme,
        number=number,
        reference=PersonnelFile.format_reference(scheme.code, number),
        person=person,
        data_key=DataKey.generate(),
        **fields,
    )
    save_tracked(file, actor=actor)
    gate.record_creation(
        user=actor, kind=FileKind.PERSONNEL, obj=file, role=ActingRole.LINE_MANAGER, purpose=Purpose.SUPERVISION
    )
    return file


@transaction.atomic
def person_file_update(
    *, access: gate.FileAccess, actor: User, expected_version: str | None = None, **fields: Any
) -> Any:
    """Change an opened volunteer or personnel file (through the gate's ``changing``).
    ``expected_version``: the version the form was opened on; someone else's save since
    then raises ``EditConflict`` and nothing is written."""
    with gate.changing(access, section=Section.FILE) as file:
        check_version(file, expected_version)
        for name, value in fields.items():
            setattr(file, name, value)
        save_tracked(file, actor=actor)
    return file


@transaction.atomic
def training_record_add(
    *,
    access: gate.FileAccess,
    actor: User,
    course: str,
    completed_on: datetime.date,
    renew_on: datetime.date | None = None,
) -> TrainingRecord:
    """Record a course a volunteer completed (issue 15.4), through the gate's ``changing``:
    sealed with the volunteer file's key, with history; a renewal is a new record."""
    with gate.changing(access, section=Section.FILE) as file:
        if not isinstance(file, VolunteerFile):
            raise NotAllowed(_("Training is recorded in a volunteer file."))
        record = TrainingRecord(
            volunteer_file=file,
            data_key=file.data_key,
            course=course,
            completed_on=completed_on,
            renew_on=renew_on,
            recorded_by=actor,
        )
        save_tracked(record, actor=actor)
    return record


@transaction.atomic
def trustee_designate(*, personnel_file: PersonnelFile, trustee: User, reason: str, actor: User) -> TrusteeDesignation:
    """Let a trustee see one personnel file "where appropriate" (§8.4)."""
    if not is_line_manager(actor, of=personnel_file.person, scheme=personnel_file.scheme_id):
        raise NotAllowed(_("Only the person's line manager designates a trustee for their file (§8.4)."))
    if not has_role(trustee, (Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE), scheme=personnel_file.scheme):
        raise ValidationError({"trustee": _("Choose a trustee of this scheme.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why a trustee needs to see this file.")})
    designation = TrusteeDesignation(
        personnel_file=personnel_file, trustee=trustee, reason=reason.strip(), designated_by=actor
    )
    save_tracked(designation, actor=actor)
    return designation


@transaction.atomic
def trustee_designation_end(*, designation: TrusteeDesignation, actor: User) -> TrusteeDesignation:
    if designation.ended_at is not None:
        raise ValidationError(_("This designation has already ended."))
    designation.ended_at = timezone.now()
    save_tracked(designation, actor=actor, update_fields=["ended_at"])
    return designation


# --- supervision (§4.2, §5.2) ----------------------------------------------------


def supervision_may_supervise(*, supervisor: User, supervisee: User, scheme: Scheme) -> bool:
    """A coordinator supervises the scheme's volunteers; a line manager supervises their reports."""
    if has_role(supervisee, Role.VOLUNTEER, scheme=scheme) and has_role(supervisor, Role.COORDINATOR, scheme=scheme):
        return True
    return is_line_manager(supervisor, of=supervisee, scheme=scheme)


@transaction.atomic
def supervision_record(
    *,
    scheme: Scheme,
    supervisee: User,
    actor: User,
    held_on: datetime.date,
    notes: str,
    families_discussed: str = "",
) -> SupervisionNote:
    """Record a supervision session, sealed with the supervisee's file key."""
    if not supervision_may_supervise(supervisor=actor, supervisee=supervisee, scheme=scheme):
        raise NotAllowed(
            _("Volunteers are supervised by their coordinator (§5.2), coordinators by their line manager (§4.2).")
        )
    file = (
        VolunteerFile.objects.filter(scheme=scheme, person=supervisee).first()
        or PersonnelFile.objects.filter(scheme=scheme, person=supervisee).first()
    )
    if file is None:
        raise ValidationError({"supervisee": _("Open this person's volunteer or personnel file first.")})
    note = SupervisionNote(
        scheme=scheme,
        supervisee=supervisee,
        supervisor=actor,
        data_key=file.data_key,
        held_on=held_on,
        notes=notes,
        families_discussed=families_discussed,
    )
    save_tracked(note, actor=actor)
    gate.record_allowed(
        user=actor,
        kind=FileKind.VOLUNTEER if isinstance(file, VolunteerFile) else FileKind.PERSONNEL,
        obj=file,
        role=ActingRole.SUPERVISOR,
        action=Action.CREATE,
        section=Section.SUPERVISION,
        purpose=Purpose.SUPERVISION,
    )
    return note


def _supervision_reader(actor: User, notes: list[SupervisionNote]) -> str:
    """Who reads a file's supervision notes, as its access log says: one of the two parties,
    or else the scheme manager (``selectors.supervision_notes_for``; §4.2, §5.2)."""
    if any(note.supervisor_id == actor.pk for note in notes):
        return ActingRole.SUPERVISOR
    if any(note.supervisee_id == actor.pk for note in notes):
        return ActingRole.SUPERVISEE
    return Role.MANAGER


def supervision_notes_read(*, notes: list[SupervisionNote], actor: User) -> None:
    """Reading supervision notes is recorded in the access log of each supervisee's file."""
    keys = {note.data_key_id for note in notes}
    files = [*VolunteerFile.objects.filter(data_key_id__in=keys), *PersonnelFile.objects.filter(data_key_id__in=keys)]
    for file in files:
        kind = FileKind.VOLUNTEER if isinstance(file, VolunteerFile) else FileKind.PERSONNEL
        gate.record_allowed(
            user=actor,
            kind=kind,
            obj=file,
            role=_supervision_reader(actor, [note for note in notes if note.data_key_id == file.data_key_id]),
            action=Action.VIEW,
            section=Section.SUPERVISION,
            purpose=Purpose.SUPERVISION,
        )
