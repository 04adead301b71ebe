"""Writes for retention and destruction (§8.8): legal holds, proposing a file whose
retention period has ended, two authorisations by two different people, and the
crypto-shredding itself with its certificate. Keyword-only, atomic, validated."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access_log import gate
from families.models import Family
from homestart.errors import NotAllowed
from homestart.fields import BlindIndexField
from homestart.language import in_records
from homestart.models import DataKey, User
from homestart.rules import ActingRole, Action, FileKind, Purpose, Role, Section
from homestart.writes import save_tracked
from records.common import require_role
from records.models import (
    Destruction,
    DestructionCertificate,
    LegalHold,
    PersonnelFile,
    RecordKind,
    VolunteerFile,
)
from records.retention import periods

DESTRUCTION_ROLES = (Role.MANAGER, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE)


class RetentionError(NotAllowed):
    pass


def _file_for(kind: str, file_id: Any) -> Any:
    model = {FileKind.FAMILY: Family, FileKind.VOLUNTEER: VolunteerFile, FileKind.PERSONNEL: PersonnelFile}[kind]
    return model.objects.select_related("data_key", "scheme").get(pk=file_id)


def retention_of(kind: str, obj: Any) -> tuple[str, datetime.date | None]:
    """(record kind, date the retention period runs from) for one file."""
    if kind == FileKind.FAMILY:
        record_kind = RecordKind.SAFEGUARDING if periods.family_has_safeguarding_records(obj) else RecordKind.FAMILY
        start = obj.closed_on if obj.status == Family.Status.CLOSED else None
        return record_kind, start
    record_kind = RecordKind.VOLUNTEER if kind == FileKind.VOLUNTEER else RecordKind.PERSONNEL
    return record_kind, obj.left_on


def on_legal_hold(kind: str, file_id: Any) -> bool:
    return LegalHold.objects.filter(file_kind=kind, file_id=file_id, released_at__isnull=True).exists()


@transaction.atomic
def legal_hold_place(*, kind: str, obj: Any, reason: str, actor: User) -> LegalHold:
    require_role(actor, obj.scheme, (Role.MANAGER,), _("Only the scheme manager places a legal hold."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the file must be kept, for example a claim or an inquiry.")})
    if on_legal_hold(kind, obj.pk):
        raise ValidationError(_("This file is already on legal hold."))
    hold = LegalHold(file_kind=kind, file_id=obj.pk, file_reference=obj.reference, reason=reason, placed_by=actor)
    save_tracked(hold, actor=actor)
    # A hold stops a destruction that has not happened yet.
    for destruction in Destruction.objects.filter(
        file_kind=kind, file_id=obj.pk, status__in=[Destruction.Status.PROPOSED, Destruction.Status.AUTHORISED]
    ):
        destruction.status = Destruction.Status.CANCELLED
        save_tracked(destruction, actor=actor, update_fields=["status"])
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, actor: User) -> LegalHold:
    scheme = _file_for(hold.file_kind, hold.file_id).scheme
    require_role(actor, scheme, (Role.MANAGER,), _("Only the scheme manager releases a legal hold."))
    if hold.released_at is not None:
        raise ValidationError(_("This hold has already been released."))
    hold.released_at = timezone.now()
    hold.released_by = actor
    save_tracked(hold, actor=actor, update_fields=["released_at", "released_by"])
    return hold


@transaction.atomic
def destruction_propose(*, kind: str, obj: Any, actor: User | None, today: datetime.date | None = None) -> Destruction:
    """Put a file whose retention period has ended on the list for destruction."""
    today = today or timezone.localdate()
    if actor is not None:
        require_role(actor, obj.scheme, (Role.MANAGER,), _("Only the scheme manager proposes files for destruction."))
    record_kind, start = retention_of(kind, obj)
    if start is None:
        raise RetentionError(_("This file is still open: its retention period has not started."))
    due_on = periods.destroy_after(record_kind, start)
    if due_on > today:
        raise RetentionError(_("This file is kept until %(date)s.") % {"date": date_format(due_on, "j F Y")})
    if on_legal_hold(kind, obj.pk):
        raise RetentionError(_("This file is on legal hold and must not be destroyed."))
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
    save_tracked(destruction, actor=actor)
    return destruction


def _system_user() -> User:  # pragma: no cover - the command always names a person
    raise RetentionError(_("A person must propose destruction."))


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
        save_tracked(destruction, actor=actor, update_fields=["status"])
    raise RetentionError(
        _(
            "%(reference)s was reopened after it was proposed for destruction: "
            "the destruction is cancelled and its retention period starts again when it is next closed."
        )
        % {"reference": destruction.file_reference}
    )


def destruction_authorise(*, destruction: Destruction, actor: User) -> Destruction:
    """One of two authorisations, by two different people: the manager or a trustee (§8.8)."""
    _cancel_if_reopened(Destruction.objects.get(pk=destruction.pk), actor)
    return _destruction_authorise(destruction=destruction, actor=actor)


@transaction.atomic
def _destruction_authorise(*, destruction: Destruction, actor: User) -> Destruction:
    destruction = Destruction.objects.select_for_update().get(pk=destruction.pk)
    require_role(
        actor,
        destruction.scheme,
        DESTRUCTION_ROLES,
        _("Only the scheme manager and its trustees authorise destruction."),
    )
    if destruction.status != Destruction.Status.PROPOSED:
        raise RetentionError(_("This destruction is not waiting for authorisation."))
    if on_legal_hold(destruction.file_kind, destruction.file_id):
        raise RetentionError(_("This file is on legal hold and must not be destroyed."))
    now = timezone.now()
    if destruction.first_authorised_by_id is None:
        destruction.first_authorised_by, destruction.first_authorised_at = actor, now
    elif destruction.first_authorised_by_id == actor.pk:
        raise RetentionError(_("A second, different person must authorise this destruction."))
    else:
        destruction.second_authorised_by, destruction.second_authorised_at = actor, now
        destruction.status = Destruction.Status.AUTHORISED
    save_tracked(destruction, actor=actor)
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
                model._meta.app_label in {"consent", "safeguarding", "outcomes"}
                and "family" in {f.name for f in model._meta.concrete_fields}
                and model._default_manager.filter(family_id=obj.pk).exists()
            ):
                names.append(in_records(model._meta.verbose_name_plural))  # the certificate is in English
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
        raise RetentionError(_("Two different people must authorise this destruction first."))
    if on_legal_hold(destruction.file_kind, destruction.file_id):
        raise RetentionError(_("This file is on legal hold and must not be destroyed."))
    obj = _file_for(destruction.file_kind, destruction.file_id)
    key = DataKey.objects.select_for_update().get(pk=obj.data_key_id)
    kinds = _kinds_of_record(destruction.file_kind, obj)
    if key.destroyed_at is None:
        key.destroy()
    if destruction.file_kind == FileKind.FAMILY:
        _clear_blind_indexes(obj)
    destruction.status = Destruction.Status.DONE
    save_tracked(destruction, actor=actor, update_fields=["status"])
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
    gate.record_allowed(
        user=actor,
        kind=destruction.file_kind,
        obj=obj,
        role=ActingRole.RETENTION,
        action=Action.CHANGE,
        section=Section.DESTRUCTION,
        purpose=Purpose.RETENTION,
    )
    return certificate
