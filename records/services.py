"""Writes for volunteer and personnel files, supervision, subject access,
retention and destruction, and breaches. Keyword-only, atomic, validated, and
each names its actor (history rows carry them)."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from access_log import gate
from access_log.kinds import SCHEME_STAFF_ROLES
from access_log.models import AccessEvent
from families.models import Family
from homestart.concurrency import check_version
from homestart.fields import BlindIndexField
from homestart.models import DataKey, Membership, Scheme, User
from homestart.rules import Action, FileKind, Outcome, Role

from . import retention
from .models import (
    Breach,
    Destruction,
    DestructionCertificate,
    Disclosure,
    LegalHold,
    PersonnelFile,
    RecordKind,
    SubjectAccessRequest,
    SupervisionNote,
    TrusteeDesignation,
    VolunteerFile,
)


class NotPermitted(ValidationError):
    """The actor's role may not do this; shown to them as a message, never a 500."""


def _save(instance: Any, *, actor: User | None, update_fields: list[str] | None = None) -> None:
    instance.full_clean()
    instance._history_user = actor
    instance.save(update_fields=update_fields)


def _roles_in(user: User, scheme: Scheme) -> set[str]:
    return set(Membership.objects.current().filter(user=user, scheme=scheme).values_list("role", flat=True))


def _require(user: User, scheme: Scheme, roles: tuple[str, ...], message: str) -> str:
    here = _roles_in(user, scheme)
    role = next((r for r in roles if r in here), None)
    if role is None:
        raise NotPermitted(message)
    return role


def _next_number(model: type, scheme: Scheme) -> int:
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
    last = model.objects.filter(scheme=scheme).order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


# --- volunteer and personnel files -----------------------------------------------


@transaction.atomic
def volunteer_file_create(*, scheme: Scheme, person: User, actor: User, **fields: Any) -> VolunteerFile:
    """Open a volunteer's file (§8.3): by the scheme's coordinators and manager."""
    role = _require(
        actor, scheme, SCHEME_STAFF_ROLES, "Only the scheme's coordinators and manager open volunteer files."
    )
    if Role.VOLUNTEER not in _roles_in(person, scheme):
        raise ValidationError({"person": "This person is not a volunteer of the scheme."})
    number = _next_number(VolunteerFile, scheme)
    file = VolunteerFile(
        scheme=scheme,
        number=number,
        reference=VolunteerFile.format_reference(scheme.code, number),
        person=person,
        data_key=DataKey.generate(),
        **fields,
    )
    _save(file, actor=actor)
    gate.record_creation(user=actor, kind=FileKind.VOLUNTEER, obj=file, role=role, purpose="supervision")
    return file


@transaction.atomic
def personnel_file_create(*, scheme: Scheme, person: User, actor: User, **fields: Any) -> PersonnelFile:
    """Open a member of staff's personnel file (§8.4): by their line manager."""
    if not Membership.objects.current().filter(user=person, scheme=scheme, line_manager=actor).exists():
        raise NotPermitted("Only the person's line manager opens their personnel file (§8.4).")
    number = _next_number(PersonnelFile, scheme)
    file = PersonnelFile(
        scheme=scheme,
        number=number,
        reference=PersonnelFile.format_reference(scheme.code, number),
        person=person,
        data_key=DataKey.generate(),
        **fields,
    )
    _save(file, actor=actor)
    gate.record_creation(user=actor, kind=FileKind.PERSONNEL, obj=file, role="line_manager", purpose="supervision")
    return file


@transaction.atomic
def person_file_update(
    *, access: gate.FileAccess, actor: User, expected_version: str | None = None, **fields: Any
) -> Any:
    """Change an opened volunteer or personnel file (through the gate's ``changing``).
    ``expected_version``: the version the form was opened on; someone else's save since
    then raises ``EditConflict`` and nothing is written."""
    with gate.changing(access, section="file") as file:
        check_version(file, expected_version)
        for name, value in fields.items():
            setattr(file, name, value)
        _save(file, actor=actor)
    return file


@transaction.atomic
def trustee_designate(*, personnel_file: PersonnelFile, trustee: User, reason: str, actor: User) -> TrusteeDesignation:
    """Let a trustee see one personnel file "where appropriate" (§8.4)."""
    is_line_manager = (
        Membership.objects.current()
        .filter(user=personnel_file.person, scheme_id=personnel_file.scheme_id, line_manager=actor)
        .exists()
    )
    if not is_line_manager:
        raise NotPermitted("Only the person's line manager designates a trustee for their file (§8.4).")
    if not _roles_in(trustee, personnel_file.scheme) & {Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE}:
        raise ValidationError({"trustee": "Choose a trustee of this scheme."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why a trustee needs to see this file."})
    designation = TrusteeDesignation(
        personnel_file=personnel_file, trustee=trustee, reason=reason.strip(), designated_by=actor
    )
    _save(designation, actor=actor)
    return designation


@transaction.atomic
def trustee_designation_end(*, designation: TrusteeDesignation, actor: User) -> TrusteeDesignation:
    if designation.ended_at is not None:
        raise ValidationError("This designation has already ended.")
    designation.ended_at = timezone.now()
    _save(designation, actor=actor, update_fields=["ended_at"])
    return designation


# --- supervision (§4.2, §5.2) ----------------------------------------------------


def supervision_may_supervise(*, supervisor: User, supervisee: User, scheme: Scheme) -> bool:
    """A coordinator supervises the scheme's volunteers; a line manager supervises their reports."""
    supervisee_roles = _roles_in(supervisee, scheme)
    if Role.VOLUNTEER in supervisee_roles and Role.COORDINATOR in _roles_in(supervisor, scheme):
        return True
    return Membership.objects.current().filter(user=supervisee, scheme=scheme, line_manager=supervisor).exists()


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
        raise NotPermitted(
            "Volunteers are supervised by their coordinator (§5.2), coordinators by their line manager (§4.2)."
        )
    file = (
        VolunteerFile.objects.filter(scheme=scheme, person=supervisee).first()
        or PersonnelFile.objects.filter(scheme=scheme, person=supervisee).first()
    )
    if file is None:
        raise ValidationError({"supervisee": "Open this person's volunteer or personnel file first."})
    note = SupervisionNote(
        scheme=scheme,
        supervisee=supervisee,
        supervisor=actor,
        data_key=file.data_key,
        held_on=held_on,
        notes=notes,
        families_discussed=families_discussed,
    )
    _save(note, actor=actor)
    _log(
        user=actor,
        kind=FileKind.VOLUNTEER if isinstance(file, VolunteerFile) else FileKind.PERSONNEL,
        obj=file,
        role="supervisor",
        action=Action.CREATE,
        section="supervision",
        purpose="supervision",
    )
    return note


def supervision_notes_read(*, notes: list[SupervisionNote], actor: User) -> None:
    """Reading supervision notes is recorded in the access log of each supervisee's file."""
    keys = {note.data_key_id for note in notes}
    files = [*VolunteerFile.objects.filter(data_key_id__in=keys), *PersonnelFile.objects.filter(data_key_id__in=keys)]
    for file in files:
        kind = FileKind.VOLUNTEER if isinstance(file, VolunteerFile) else FileKind.PERSONNEL
        _log(
            user=actor,
            kind=kind,
            obj=file,
            role="supervision",
            action=Action.VIEW,
            section="supervision",
            purpose="supervision",
        )


def _log(*, user: User, kind: str, obj: Any, role: str, action: str, section: str, purpose: str) -> AccessEvent:
    """An access event for a part of a file whose reader is decided here rather than by a file kind
    (supervision notes, subject access responses, destruction)."""
    return AccessEvent.objects.create(
        user=user,
        role=role,
        file_kind=kind,
        file_id=obj.pk,
        file_reference=obj.reference,
        scheme_id=obj.scheme_id,
        section=section,
        action=action,
        purpose=purpose,
        outcome=Outcome.ALLOWED,
    )


# --- subject access requests (§1.6, §8.7) ----------------------------------------

SAR_ROLES = (Role.MANAGER, Role.COORDINATOR)


@transaction.atomic
def sar_register(
    *,
    scheme: Scheme,
    actor: User,
    subject_kind: str,
    requester_name: str,
    received_on: datetime.date,
    request_details: str = "",
    family: Family | None = None,
    member: Any = None,
    subject_user: User | None = None,
) -> SubjectAccessRequest:
    _require(actor, scheme, SAR_ROLES, "Only the scheme's manager and coordinators register subject access requests.")
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received cannot be in the future."})
    if subject_kind == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER:
        if family is None or family.scheme_id != scheme.pk:
            raise ValidationError({"family": "Enter the reference of one of this scheme's family files."})
        # A request is one person's (§8.7): their own details are given, the rest of the
        # family's are marked as about other people.
        if member is None:
            raise ValidationError({"member": "Choose who in the family the request is about."})
        if member.family_id != family.pk:
            raise ValidationError({"member": "This person is not a member of that family."})
    elif subject_user is None or not _roles_in(subject_user, scheme):
        raise ValidationError({"subject_user": "Choose a volunteer, member of staff or trustee of this scheme."})
    number = _next_number(SubjectAccessRequest, scheme)
    sar = SubjectAccessRequest(
        scheme=scheme,
        number=number,
        reference=f"{scheme.code}-SAR-{number:04d}",
        data_key=DataKey.generate(),
        subject_kind=subject_kind,
        family=family,
        member=member,
        subject_user=subject_user,
        requester_name=requester_name,
        request_details=request_details,
        received_on=received_on,
        created_by=actor,
    )
    _save(sar, actor=actor)
    return sar


def _sar_handler(sar: SubjectAccessRequest, actor: User) -> None:
    _require(actor, sar.scheme, SAR_ROLES, "Only the scheme's manager and coordinators handle subject access requests.")
    if sar.status == SubjectAccessRequest.Status.RELEASED:
        raise ValidationError("This request has been answered.")


@transaction.atomic
def sar_record_identity_check(*, sar: SubjectAccessRequest, actor: User, evidence: str) -> SubjectAccessRequest:
    _sar_handler(sar, actor)
    if not evidence.strip():
        raise ValidationError({"evidence": "Say what evidence of identity you saw, for example a passport."})
    sar.identity_evidence = evidence.strip()
    sar.identity_checked_at = timezone.now()
    sar.identity_checked_by = actor
    if sar.status == SubjectAccessRequest.Status.RECEIVED:
        sar.status = SubjectAccessRequest.Status.IN_PROGRESS
    _save(sar, actor=actor, update_fields=["identity_evidence", "identity_checked_at", "identity_checked_by", "status"])
    return sar


@transaction.atomic
def sar_request_clarification(
    *, sar: SubjectAccessRequest, actor: User, on: datetime.date | None = None
) -> SubjectAccessRequest:
    """Stop the clock while waiting for the requester to clarify what they want."""
    _sar_handler(sar, actor)
    if sar.clarification_requested_on is not None:
        raise ValidationError("The scheme is already waiting for clarification.")
    sar.clarification_requested_on = on or timezone.localdate()
    sar.status = SubjectAccessRequest.Status.AWAITING_CLARIFICATION
    _save(sar, actor=actor, update_fields=["clarification_requested_on", "status"])
    return sar


@transaction.atomic
def sar_clarification_received(
    *, sar: SubjectAccessRequest, actor: User, on: datetime.date | None = None
) -> SubjectAccessRequest:
    """Restart the clock: the days waited are added to the due date."""
    _sar_handler(sar, actor)
    if sar.clarification_requested_on is None:
        raise ValidationError("The scheme is not waiting for clarification.")
    day = on or timezone.localdate()
    if day < sar.clarification_requested_on:
        raise ValidationError({"on": "Clarification cannot arrive before it was asked for."})
    sar.paused_days += (day - sar.clarification_requested_on).days
    sar.clarification_requested_on = None
    sar.status = (
        SubjectAccessRequest.Status.IN_PROGRESS if sar.identity_checked_at else SubjectAccessRequest.Status.RECEIVED
    )
    _save(sar, actor=actor, update_fields=["paused_days", "clarification_requested_on", "status"])
    return sar


@transaction.atomic
def sar_extend(*, sar: SubjectAccessRequest, actor: User, months: int, reason: str) -> SubjectAccessRequest:
    """Extend by up to two further months in all, for a complex or repeated request, with a reason."""
    _sar_handler(sar, actor)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the extension: it is told to the requester."})
    if months < 1 or sar.extension_months + months > 2:
        raise ValidationError({"months": "A request may be extended by at most two months in all."})
    sar.extension_months += months
    sar.extension_reason = reason.strip()
    _save(sar, actor=actor, update_fields=["extension_months", "extension_reason"])
    return sar


@transaction.atomic
def sar_third_party_reviewed(*, sar: SubjectAccessRequest, actor: User) -> SubjectAccessRequest:
    """Someone has read the items marked as third-party information and redacted what must be."""
    _sar_handler(sar, actor)
    sar.third_party_reviewed_by = actor
    _save(sar, actor=actor, update_fields=["third_party_reviewed_by"])
    return sar


@transaction.atomic
def sar_release(*, sar: SubjectAccessRequest, actor: User, recipient: str, contents: str) -> Disclosure:
    """Release the response to the data subject: recorded as a disclosure (§8.7)."""
    _sar_handler(sar, actor)
    if sar.identity_checked_at is None:
        raise ValidationError("Record the identity check before releasing anything.")
    if sar.third_party_reviewed_by_id is None:
        raise ValidationError("Review the information marked as about other people before releasing it.")
    if not recipient.strip():
        raise ValidationError({"recipient": "Say who received the response."})
    sar.status = SubjectAccessRequest.Status.RELEASED
    sar.released_at = timezone.now()
    _save(sar, actor=actor, update_fields=["status", "released_at"])
    file_kind, file_reference = "", ""
    if sar.family_id:
        file_kind, file_reference = FileKind.FAMILY, sar.family.reference
    else:
        file = (
            VolunteerFile.objects.filter(scheme=sar.scheme, person=sar.subject_user).first()
            or PersonnelFile.objects.filter(scheme=sar.scheme, person=sar.subject_user).first()
        )
        if file is not None:
            file_kind = FileKind.VOLUNTEER if isinstance(file, VolunteerFile) else FileKind.PERSONNEL
            file_reference = file.reference
    disclosure = Disclosure(
        sar=sar,
        scheme=sar.scheme,
        file_kind=file_kind,
        file_reference=file_reference,
        recipient=recipient.strip()[:200],
        contents=contents[:500],
        released_by=actor,
    )
    disclosure.full_clean()
    disclosure.save()
    return disclosure


# --- retention and destruction (§8.8) --------------------------------------------

DESTRUCTION_ROLES = (Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE)


class RetentionError(ValidationError):
    pass


def _file_for(kind: str, file_id: Any) -> Any:
    model = {FileKind.FAMILY: Family, FileKind.VOLUNTEER: VolunteerFile, FileKind.PERSONNEL: PersonnelFile}[kind]
    return model.objects.select_related("data_key", "scheme").get(pk=file_id)


def retention_of(kind: str, obj: Any) -> tuple[str, datetime.date | None]:
    """(record kind, date the retention period runs from) for one file."""
    if kind == FileKind.FAMILY:
        record_kind = RecordKind.SAFEGUARDING if retention.family_has_safeguarding_records(obj) else RecordKind.FAMILY
        start = obj.closed_on if obj.status == Family.Status.CLOSED else None
        return record_kind, start
    record_kind = RecordKind.VOLUNTEER if kind == FileKind.VOLUNTEER else RecordKind.PERSONNEL
    return record_kind, obj.left_on


def on_legal_hold(kind: str, file_id: Any) -> bool:
    return LegalHold.objects.filter(file_kind=kind, file_id=file_id, released_at__isnull=True).exists()


@transaction.atomic
def legal_hold_place(*, kind: str, obj: Any, reason: str, actor: User) -> LegalHold:
    _require(actor, obj.scheme, (Role.MANAGER,), "Only the scheme manager places a legal hold.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the file must be kept, for example a claim or an inquiry."})
    if on_legal_hold(kind, obj.pk):
        raise ValidationError("This file is already on legal hold.")
    hold = LegalHold(file_kind=kind, file_id=obj.pk, file_reference=obj.reference, reason=reason, placed_by=actor)
    _save(hold, actor=actor)
    # A hold stops a destruction that has not happened yet.
    for destruction in Destruction.objects.filter(
        file_kind=kind, file_id=obj.pk, status__in=[Destruction.Status.PROPOSED, Destruction.Status.AUTHORISED]
    ):
        destruction.status = Destruction.Status.CANCELLED
        _save(destruction, actor=actor, update_fields=["status"])
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, actor: User) -> LegalHold:
    scheme = _file_for(hold.file_kind, hold.file_id).scheme
    _require(actor, scheme, (Role.MANAGER,), "Only the scheme manager releases a legal hold.")
    if hold.released_at is not None:
        raise ValidationError("This hold has already been released.")
    hold.released_at = timezone.now()
    hold.released_by = actor
    _save(hold, actor=actor, update_fields=["released_at", "released_by"])
    return hold


@transaction.atomic
def destruction_propose(*, kind: str, obj: Any, actor: User | None, today: datetime.date | None = None) -> Destruction:
    """Put a file whose retention period has ended on the list for destruction."""
    today = today or timezone.localdate()
    if actor is not None:
        _require(actor, obj.scheme, (Role.MANAGER,), "Only the scheme manager proposes files for destruction.")
    record_kind, start = retention_of(kind, obj)
    if start is None:
        raise RetentionError("This file is still open: its retention period has not started.")
    due_on = retention.destroy_after(record_kind, start)
    if due_on > today:
        raise RetentionError(f"This file is kept until {due_on:%-d %B %Y}.")
    if on_legal_hold(kind, obj.pk):
        raise RetentionError("This file is on legal hold and must not be destroyed.")
    existing = (
        Destruction.objects.filter(file_kind=kind, file_id=obj.pk).exclude(status=Destruction.Status.CANCELLED).first()
    )
    if existing:
        return existing
    destruction = Destruction(
        file_kind=kind,
        file_id=obj.pk,
        file_reference=obj.reference,
        scheme=obj.scheme,
        record_kind=record_kind,
        retention_from=start,
        due_on=due_on,
        proposed_by=actor or _system_user(),
    )
    _save(destruction, actor=actor)
    return destruction


def _system_user() -> User:  # pragma: no cover - the command always names a person
    raise RetentionError("A person must propose destruction.")


def _cancel_if_reopened(destruction: Destruction, actor: User) -> None:
    """A file reopened since it was proposed (its retention no longer runs from the proposal's
    date) is not destroyed: the proposal is cancelled, for good, and the caller told (§8.8)."""
    if destruction.status not in (Destruction.Status.PROPOSED, Destruction.Status.AUTHORISED):
        return
    _record_kind, start = retention_of(destruction.file_kind, _file_for(destruction.file_kind, destruction.file_id))
    if start == destruction.retention_from:
        return
    with transaction.atomic():
        destruction.status = Destruction.Status.CANCELLED
        _save(destruction, actor=actor, update_fields=["status"])
    raise RetentionError(
        f"{destruction.file_reference} was reopened after it was proposed for destruction: "
        "the destruction is cancelled and its retention period starts again when it is next closed."
    )


def destruction_authorise(*, destruction: Destruction, actor: User) -> Destruction:
    """One of two authorisations, by two different people: the manager or a trustee (§8.8)."""
    _cancel_if_reopened(Destruction.objects.get(pk=destruction.pk), actor)
    return _destruction_authorise(destruction=destruction, actor=actor)


@transaction.atomic
def _destruction_authorise(*, destruction: Destruction, actor: User) -> Destruction:
    destruction = Destruction.objects.select_for_update().get(pk=destruction.pk)
    _require(
        actor,
        destruction.scheme,
        DESTRUCTION_ROLES,
        "Only the scheme manager and its trustees authorise destruction.",
    )
    if destruction.status != Destruction.Status.PROPOSED:
        raise RetentionError("This destruction is not waiting for authorisation.")
    if on_legal_hold(destruction.file_kind, destruction.file_id):
        raise RetentionError("This file is on legal hold and must not be destroyed.")
    now = timezone.now()
    if destruction.first_authorised_by_id is None:
        destruction.first_authorised_by, destruction.first_authorised_at = actor, now
    elif destruction.first_authorised_by_id == actor.pk:
        raise RetentionError("A second, different person must authorise this destruction.")
    else:
        destruction.second_authorised_by, destruction.second_authorised_at = actor, now
        destruction.status = Destruction.Status.AUTHORISED
    _save(destruction, actor=actor)
    return destruction


def _clear_blind_indexes(family: Family) -> int:
    """Keyed hashes of surnames and postcodes must not outlive the family (§8.8)."""
    cleared = 0
    for model in apps.get_models():
        index_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        if not index_fields:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if model is Family or model is Family.history.model:
            rows = model._default_manager.filter(id=family.pk)
        elif "family" in names:
            rows = model._default_manager.filter(family_id=family.pk)
        else:
            continue
        cleared += rows.update(**{name: "" for name in index_fields})
    return cleared


def _kinds_of_record(kind: str, obj: Any) -> str:
    if kind == FileKind.FAMILY:
        names = ["family details", "members", "referrals", "visits", "their history"]
        for model in apps.get_models():
            if (
                model._meta.app_label in {"consent", "safeguarding"}
                and "family" in {f.name for f in model._meta.concrete_fields}
                and model._default_manager.filter(family_id=obj.pk).exists()
            ):
                names.append(str(model._meta.verbose_name_plural))
        return ", ".join(names)
    return "file details, supervision notes, their history"


def destruction_carry_out(*, destruction: Destruction, actor: User) -> DestructionCertificate:
    """Crypto-shred the file: destroy its data key, clear its keyed hashes, issue the certificate.

    Idempotent: a destruction already carried out returns its certificate. A file reopened
    since it was proposed is not destroyed (the destruction is cancelled).
    """
    _cancel_if_reopened(Destruction.objects.get(pk=destruction.pk), actor)
    return _destruction_carry_out(destruction=destruction, actor=actor)


@transaction.atomic
def _destruction_carry_out(*, destruction: Destruction, actor: User) -> DestructionCertificate:
    destruction = Destruction.objects.select_for_update().get(pk=destruction.pk)
    if destruction.status == Destruction.Status.DONE:
        return destruction.certificate
    if destruction.status != Destruction.Status.AUTHORISED:
        raise RetentionError("Two different people must authorise this destruction first.")
    if on_legal_hold(destruction.file_kind, destruction.file_id):
        raise RetentionError("This file is on legal hold and must not be destroyed.")
    obj = _file_for(destruction.file_kind, destruction.file_id)
    key = DataKey.objects.select_for_update().get(pk=obj.data_key_id)
    kinds = _kinds_of_record(destruction.file_kind, obj)
    if key.destroyed_at is None:
        key.destroy()
    if destruction.file_kind == FileKind.FAMILY:
        _clear_blind_indexes(obj)
    destruction.status = Destruction.Status.DONE
    _save(destruction, actor=actor, update_fields=["status"])
    certificate = DestructionCertificate(
        destruction=destruction,
        file_kind=destruction.file_kind,
        file_id=destruction.file_id,
        file_reference=destruction.file_reference,
        data_key_id=key.pk,
        kinds_of_record=kinds,
        retention_from=destruction.retention_from,
        due_on=destruction.due_on,
        first_authorised_by=destruction.first_authorised_by,
        second_authorised_by=destruction.second_authorised_by,
        carried_out_by=actor,
    )
    certificate.full_clean()
    certificate.save()
    _log(
        user=actor,
        kind=destruction.file_kind,
        obj=obj,
        role="retention",
        action=Action.CHANGE,
        section="destruction",
        purpose="retention",
    )
    return certificate


# --- breaches (§3.9, §4.4, §5.5) -------------------------------------------------

BREACH_ROLES = (Role.MANAGER, Role.COORDINATOR, Role.SAFEGUARDING_LEAD)


@transaction.atomic
def breach_record(
    *,
    scheme: Scheme,
    actor: User,
    found_at: datetime.datetime,
    found_by: User,
    description: str,
    data_affected: str,
    people_affected: str = "",
) -> Breach:
    _require(actor, scheme, BREACH_ROLES, "Only the scheme's staff record breaches; tell your coordinator.")
    if found_at > timezone.now():
        raise ValidationError({"found_at": "When it was found cannot be in the future."})
    number = _next_number(Breach, scheme)
    breach = Breach(
        scheme=scheme,
        number=number,
        reference=f"{scheme.code}-BR-{number:04d}",
        data_key=DataKey.generate(),
        found_at=found_at,
        found_by=found_by,
        description=description,
        data_affected=data_affected,
        people_affected=people_affected,
        recorded_by=actor,
    )
    _save(breach, actor=actor)
    return breach


BREACH_UPDATABLE = {"risk", "ico_decision", "ico_decision_reason", "ico_reported_at", "actions", "outcome"}


@transaction.atomic
def breach_update(
    *, breach: Breach, actor: User, close: bool = False, expected_version: str | None = None, **fields: Any
) -> Breach:
    """Assess the risk, decide on reporting to the ICO, record actions and outcome: the manager only.
    ``expected_version`` as in ``person_file_update``."""
    _require(actor, breach.scheme, (Role.MANAGER,), "Only the scheme manager assesses and closes breaches.")
    check_version(breach, expected_version)
    unknown = set(fields) - BREACH_UPDATABLE
    if unknown:
        raise TypeError(f"breach_update: cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(breach, name, value)
    if fields.get("ico_decision") == Breach.IcoDecision.NOT_REPORTABLE and not breach.ico_decision_reason.strip():
        raise ValidationError({"ico_decision_reason": "Record why the breach is not reportable."})
    if close:
        if breach.ico_decision == Breach.IcoDecision.UNDECIDED:
            raise ValidationError({"ico_decision": "Decide whether to report to the ICO before closing."})
        breach.closed_at = timezone.now()
    _save(breach, actor=actor)
    return breach
