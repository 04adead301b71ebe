"""Writes for subject access requests (§1.6, §8.7): registering, the identity check, the
clock (clarification, extension), the third-party review and the release, recorded as a
disclosure. Keyword-only, atomic, validated, and each names its actor."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import Family
from homestart.models import DataKey, Scheme, User, roles_in
from homestart.rules import FileKind, Role
from homestart.writes import save_tracked
from records.common import next_number, require_role
from records.models import Disclosure, PersonnelFile, SubjectAccessRequest, VolunteerFile

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
    require_role(
        actor, scheme, SAR_ROLES, _("Only the scheme's manager and coordinators register subject access requests.")
    )
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date received cannot be in the future.")})
    if subject_kind == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER:
        if family is None or family.scheme_id != scheme.pk:
            raise ValidationError({"family": _("Enter the reference of one of this scheme's family files.")})
        # A request is one person's (§8.7): their own details are given, the rest of the
        # family's are marked as about other people.
        if member is None:
            raise ValidationError({"member": _("Choose who in the family the request is about.")})
        if member.family_id != family.pk:
            raise ValidationError({"member": _("This person is not a member of that family.")})
    elif subject_user is None or not roles_in(subject_user, scheme.pk)[0]:
        raise ValidationError({"subject_user": _("Choose a volunteer, member of staff or trustee of this scheme.")})
    number = next_number(SubjectAccessRequest, scheme)
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
    save_tracked(sar, actor=actor)
    return sar


def _sar_handler(sar: SubjectAccessRequest, actor: User) -> None:
    require_role(
        actor, sar.scheme, SAR_ROLES, _("Only the scheme's manager and coordinators handle subject access requests.")
    )
    if sar.status == SubjectAccessRequest.Status.RELEASED:
        raise ValidationError(_("This request has been answered."))


@transaction.atomic
def sar_record_identity_check(*, sar: SubjectAccessRequest, actor: User, evidence: str) -> SubjectAccessRequest:
    _sar_handler(sar, actor)
    if not evidence.strip():
        raise ValidationError({"evidence": _("Say what evidence of identity you saw, for example a passport.")})
    sar.identity_evidence = evidence.strip()
    sar.identity_checked_at = timezone.now()
    sar.identity_checked_by = actor
    if sar.status == SubjectAccessRequest.Status.RECEIVED:
        sar.status = SubjectAccessRequest.Status.IN_PROGRESS
    save_tracked(
        sar, actor=actor, update_fields=["identity_evidence", "identity_checked_at", "identity_checked_by", "status"]
    )
    return sar


@transaction.atomic
def sar_request_clarification(
    *, sar: SubjectAccessRequest, actor: User, on: datetime.date | None = None
) -> SubjectAccessRequest:
    """Stop the clock while waiting for the requester to clarify what they want."""
    _sar_handler(sar, actor)
    if sar.clarification_requested_on is not None:
        raise ValidationError(_("The scheme is already waiting for clarification."))
    sar.clarification_requested_on = on or timezone.localdate()
    sar.status = SubjectAccessRequest.Status.AWAITING_CLARIFICATION
    save_tracked(sar, actor=actor, update_fields=["clarification_requested_on", "status"])
    return sar


@transaction.atomic
def sar_clarification_received(
    *, sar: SubjectAccessRequest, actor: User, on: datetime.date | None = None
) -> SubjectAccessRequest:
    """Restart the clock: the days waited are added to the due date."""
    _sar_handler(sar, actor)
    if sar.clarification_requested_on is None:
        raise ValidationError(_("The scheme is not waiting for clarification."))
    day = on or timezone.localdate()
    if day < sar.clarification_requested_on:
        raise ValidationError({"on": _("Clarification cannot arrive before it was asked for.")})
    sar.paused_days += (day - sar.clarification_requested_on).days
    sar.clarification_requested_on = None
    sar.status = (
        SubjectAccessRequest.Status.IN_PROGRESS if sar.identity_checked_at else SubjectAccessRequest.Status.RECEIVED
    )
    save_tracked(sar, actor=actor, update_fields=["paused_days", "clarification_requested_on", "status"])
    return sar


@transaction.atomic
def sar_extend(*, sar: SubjectAccessRequest, actor: User, months: int, reason: str) -> SubjectAccessRequest:
    """Extend by up to two further months in all, for a complex or repeated request, with a reason."""
    _sar_handler(sar, actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension: it is told to the requester.")})
    if months < 1 or sar.extension_months + months > 2:
        raise ValidationError({"months": _("A request may be extended by at most two months in all.")})
    sar.extension_months += months
    sar.extension_reason = reason.strip()
    save_tracked(sar, actor=actor, update_fields=["extension_months", "extension_reason"])
    return sar


@transaction.atomic
def sar_third_party_reviewed(*, sar: SubjectAccessRequest, actor: User) -> SubjectAccessRequest:
    """Someone has read the items marked as third-party information and redacted what must be."""
    _sar_handler(sar, actor)
    sar.third_party_reviewed_by = actor
    save_tracked(sar, actor=actor, update_fields=["third_party_reviewed_by"])
    return sar


@transaction.atomic
def sar_release(*, sar: SubjectAccessRequest, actor: User, recipient: str, contents: str) -> Disclosure:
    """Release the response to the data subject: recorded as a disclosure (§8.7)."""
    _sar_handler(sar, actor)
    if sar.identity_checked_at is None:
        raise ValidationError(_("Record the identity check before releasing anything."))
    if sar.third_party_reviewed_by_id is None:
        raise ValidationError(_("Review the information marked as about other people before releasing it."))
    if not recipient.strip():
        raise ValidationError({"recipient": _("Say who received the response.")})
    sar.status = SubjectAccessRequest.Status.RELEASED
    sar.released_at = timezone.now()
    save_tracked(sar, actor=actor, update_fields=["status", "released_at"])
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
