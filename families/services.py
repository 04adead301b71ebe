"""Writes to family files. Each is atomic, validates before saving, and names its actor."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from guardian.shortcuts import assign_perm, remove_perm

from access_log import gate
from access_log.kinds import SCHEME_STAFF_ROLES
from homestart.concurrency import check_version
from homestart.errors import AccessRefused, NotAllowed
from homestart.models import DataKey, Scheme, User, has_role, role_in
from homestart.rules import FileKind, Purpose, Role
from homestart.services import scheme_ensure_staff_group
from homestart.writes import create_tracked, save_tracked

from . import matching
from .models import (
    ClosureReason,
    Family,
    FamilyGroupObjectPermission,
    Group,
    GroupMember,
    GroupSession,
    GroupVisitor,
    Member,
    Referral,
    SupportEpisodeEvent,
    Visit,
    VolunteerAssignment,
)


class ConsentRequired(NotAllowed):
    """§7.1: the scheme accepts referrals only where the family has consented."""


class NotAVolunteerOfScheme(NotAllowed):
    pass


class NoCurrentDbsCheck(NotAllowed):
    """The scheme's safer-recruitment rule (no policy clause covers it): only a volunteer whose
    volunteer file records a current DBS check is assigned to a family (``families.matching``)."""


class FileClosed(NotAllowed):
    """Support has ended: the file is read-only until the scheme manager reopens it (§8.8)."""


def require_consent(referral: dict[str, Any]) -> None:
    """§7.1: no referral without the family's consent (the database's check holds it too)."""
    if referral.get("family_consented") is not True:
        raise ConsentRequired(
            {
                "family_consented": gettext(
                    "The scheme accepts a referral only when the family has consented "
                    "to it (§7.1). Ask the referrer to get the family's consent first."
                )
            }
        )


def closed_message(family: Family) -> str:
    return gettext(
        "Support for %(reference)s was closed on %(date)s: the file is read-only. "
        "Only the scheme manager can reopen it."
    ) % {"reference": family.reference, "date": date_format(family.closed_on, "j F Y") if family.closed_on else ""}


def require_open(family: Family) -> None:
    """Refuse a change to a closed file. Safeguarding concerns, consent withdrawals and subject
    access requests are still recorded on a closed file: their services do not call this."""
    if family.status == Family.Status.CLOSED:
        raise FileClosed(closed_message(family))


class CreatedBy:
    """Why a family file opened: the reason kept on its first history rows."""

    REFERRAL = "Opened from a referral the family consented to (§7.1)"
    TRANSFER = "Opened from a transfer from {scheme} (§9.2, §9.3)"
    IMPORT = "Opened from a transfer package from {scheme} (§9.2, §9.3)"
    RECORDS_IMPORT = "Brought in from the scheme's earlier records, with the family's consent to the referral (§7.1)"


def _grant_to_staff_group(*, family: Family, staff_group_id: int) -> None:
    """The scheme's staff group sees and changes the file (§8.3): one grant for the group,
    not one per person, in one statement that finds the permissions' ids itself (issue 18)."""
    table = FamilyGroupObjectPermission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (permission_id, group_id, content_object_id) "  # noqa: S608 - names from the models
            "SELECT p.id, %s, %s FROM auth_permission p "
            "JOIN django_content_type t ON t.id = p.content_type_id "
            "WHERE t.app_label = %s AND p.codename IN (%s, %s)",
            [
                staff_group_id,
                FamilyGroupObjectPermission._meta.get_field("content_object").get_db_prep_value(family.pk, connection),
                "families",
                "view_family",
                "change_family",
            ],
        )


def _next_number(scheme: Scheme) -> tuple[int, str, int | None]:
    """The scheme's next family number, taken under the scheme row's lock in one statement:
    (number, scheme code, staff group id). Two referrals at once get two numbers (§8.6)."""
    table = Scheme._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_family_number = next_family_number + 1 "  # noqa: S608 - names from the models
            "WHERE id = %s RETURNING next_family_number - 1, code, staff_group_id",
            [scheme.pk],
        )
        number, code, staff_group_id = cursor.fetchone()
    return number, code, staff_group_id


_SET_BY_FAMILY_CREATE = ("reference", "number", "data_key", "status")


@transaction.atomic
def family_create(
    *,
    scheme: Scheme,
    actor: User,
    role: str,
    reason: str,
    address: str = "",
    postcode: str = "",
    phone: str = "",
    members: list[dict[str, Any]] | None = None,
    referral: dict[str, Any] | None = None,
    purpose: str = Purpose.CASEWORK,
) -> Family:
    """The one way a family file opens, whether from a referral, a transfer within this
    installation, a transfer package or a scheme's records brought in from another system
    (§7.1, §9.2, §9.3).

    A new data key (§8.2); the next reference in the scheme's sequence (§8.6); the
    blind indexes (on save); the postcode district for statistics (§3.2, §8.9); the
    members and the referral; the scheme's staff see the file (§8.3); history rows
    carrying ``reason`` and the creation access event, all in one transaction.
    ``role`` is the role in which ``actor`` opens the file and ``purpose`` why (both
    recorded on the event).
    """
    if referral is not None:
        require_consent(referral)
    if scheme.staff_group_id is None:
        scheme_ensure_staff_group(scheme=scheme)  # a scheme made before staff groups existed
    number, code, staff_group_id = _next_number(scheme)
    scheme.code, scheme.staff_group_id, scheme.next_family_number = code, staff_group_id, number + 1
    family = Family(
        scheme=scheme,
        number=number,
        reference=Family.format_reference(code, number),
        data_key=DataKey.generate(),
        address=address,
        postcode=postcode,
        area=Family.area_of(postcode),
        phone=phone,
    )
    # The reference and number come from the scheme's sequence under its lock, the data key
    # was just made and a new file is "referred": the database's constraints hold them, with
    # nothing to probe first (issue "fast at any size": no uniqueness probes on creation).
    create_tracked([family], actor=actor, reason=reason, held=_SET_BY_FAMILY_CREATE)
    # The members in one insert and their history rows in one more (issue "fast at any size").
    create_tracked([Member(family=family, **fields) for fields in members or []], actor=actor, reason=reason)
    if referral is not None:
        row = Referral(family=family, received_by=actor, **referral)
        create_tracked([row], actor=actor, reason=reason, held=["family_consented"])  # required above
    # The scheme's coordinators and managers see and change the file (§8.3).
    assert staff_group_id is not None  # made above if the scheme had none
    _grant_to_staff_group(family=family, staff_group_id=staff_group_id)
    gate.record_creation(user=actor, kind=FileKind.FAMILY, obj=family, role=role, purpose=purpose)
    return family


def staff_role(*, actor: User, scheme: Scheme) -> str | None:
    """The role in which ``actor`` is a coordinator or manager of ``scheme`` now, if any."""
    return role_in(actor, SCHEME_STAFF_ROLES, scheme=scheme)


@transaction.atomic
def family_create_from_referral(
    *,
    scheme: Scheme,
    actor: User,
    referral: dict[str, Any],
    carer: dict[str, Any],
    address: str = "",
    postcode: str = "",
    phone: str = "",
) -> Family:
    """Open a new family file from a referral the family consented to (§7.1)."""
    require_consent(referral)
    role = staff_role(actor=actor, scheme=scheme)
    if role is None:
        raise AccessRefused(gettext("Only the scheme's coordinators and managers take referrals (§7.2)."))
    return family_create(
        scheme=scheme,
        actor=actor,
        role=role,
        reason=CreatedBy.REFERRAL,
        address=address,
        postcode=postcode,
        phone=phone,
        members=[{"kind": Member.Kind.ADULT, **carer}],
        referral=referral,
    )


@transaction.atomic
def family_update_contact(
    *, family: Family, actor: User, address: str, postcode: str, phone: str, expected_version: str | None = None
) -> Family:
    require_open(family)
    check_version(family, expected_version)
    family.address, family.postcode, family.phone = address, postcode, phone
    family.area = Family.area_of(postcode)
    save_tracked(family, actor=actor, update_fields=["address", "postcode", "area", "phone"])
    return family


def member_add(*, family: Family, actor: User, **fields: Any) -> Member:
    require_open(family)
    member = Member(family=family, **fields)
    save_tracked(member, actor=actor)
    return member


@transaction.atomic
def member_update(*, member: Member, actor: User, expected_version: str | None = None, **fields: Any) -> Member:
    require_open(member.family)
    check_version(member, expected_version)
    for name, value in fields.items():
        setattr(member, name, value)
    save_tracked(member, actor=actor, update_fields=list(fields))
    return member


def visit_record(
    *, family: Family, actor: User, kind: str, visited_on: datetime.date, visited_by: User, notes: str = ""
) -> Visit:
    require_open(family)
    visit = Visit(
        family=family, kind=kind, visited_on=visited_on, visited_by=visited_by, notes=notes, recorded_by=actor
    )
    save_tracked(visit, actor=actor)
    return visit


def volunteer_assign(
    *,
    family: Family,
    actor: User,
    volunteer: User,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> VolunteerAssignment:
    require_open(family)
    if not has_role(volunteer, Role.VOLUNTEER, scheme=family.scheme_id):
        raise NotAVolunteerOfScheme({"volunteer": gettext("Choose a volunteer of this family's scheme.")})
    if not matching.volunteer_may_be_assigned(scheme=family.scheme, volunteer=volunteer, on=timezone.localdate()):
        raise NoCurrentDbsCheck({"volunteer": matching.NO_DBS})
    if VolunteerAssignment.objects.filter(family=family, volunteer=volunteer, ended_at__isnull=True).exists():
        raise ValidationError({"volunteer": gettext("This volunteer is already assigned to this family.")})
    assignment = VolunteerAssignment(
        family=family, volunteer=volunteer, starts_on=starts_on, ends_on=ends_on, created_by=actor
    )
    save_tracked(assignment, actor=actor)
    assign_perm("families.view_family_minimal", volunteer, family)
    if family.status == Family.Status.REFERRED:
        family.status = Family.Status.ACTIVE
        save_tracked(family, actor=actor, update_fields=["status"])
    return assignment


def volunteer_unassign(*, assignment: VolunteerAssignment, actor: User) -> VolunteerAssignment:
    """End an assignment now: the volunteer's access ends at once (§8.5)."""
    if assignment.ended_at is not None:
        raise ValidationError(gettext("This assignment has already ended."))
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    save_tracked(assignment, actor=actor, update_fields=["ended_at", "ended_by"])
    others = VolunteerAssignment.objects.filter(
        family_id=assignment.family_id, volunteer_id=assignment.volunteer_id, ended_at__isnull=True
    )
    if not others.exists():
        remove_perm("families.view_family_minimal", assignment.volunteer, assignment.family)
    return assignment


@transaction.atomic
def family_close(
    *,
    family: Family,
    actor: User,
    closed_on: datetime.date,
    reason: str,
    summary: str = "",
    today: datetime.date | None = None,
) -> Family:
    """Close support on a date: the retention period runs from it (§8.8), the volunteers'
    access ends (§8.5) and the file becomes read-only until the scheme manager reopens it."""
    today = today or timezone.localdate()
    if not has_role(actor, SCHEME_STAFF_ROLES, scheme=family.scheme_id):
        raise AccessRefused(gettext("Only the scheme's coordinators and managers close support (§8.8)."))
    Family.objects.select_for_update().filter(pk=family.pk).values_list("pk").get()  # one closing at a time
    family.refresh_from_db(fields=["status", "closed_on"])
    errors = {}
    if family.status == Family.Status.CLOSED:
        raise FileClosed(closed_message(family))
    if reason not in ClosureReason.values:
        errors["reason"] = gettext("Choose why support ended.")
    if closed_on > today:
        errors["closed_on"] = gettext("The closing date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    for assignment in VolunteerAssignment.objects.filter(family=family, ended_at__isnull=True):
        volunteer_unassign(assignment=assignment, actor=actor)
    family.status, family.closed_on = Family.Status.CLOSED, closed_on
    family.closure_reason, family.closing_summary = reason, summary
    save_tracked(family, actor=actor, update_fields=["status", "closed_on", "closure_reason", "closing_summary"])
    SupportEpisodeEvent(
        family=family,
        kind=SupportEpisodeEvent.Kind.CLOSED,
        on=closed_on,
        reason=reason,
        note=summary,
        recorded_by=actor,
    ).save()
    return family


@transaction.atomic
def family_reopen(*, family: Family, actor: User, reason: str) -> Family:
    """The scheme manager reopens a closed file: the retention clock stops (closing date
    cleared); the closing and this reopening stay on record (§8.8)."""
    if not has_role(actor, Role.MANAGER, scheme=family.scheme_id):
        raise AccessRefused(gettext("Only the scheme manager reopens a closed family file (§8.8)."))
    Family.objects.select_for_update().filter(pk=family.pk).values_list("pk").get()  # one closing at a time
    family.refresh_from_db(fields=["status", "closed_on"])
    if family.status != Family.Status.CLOSED:
        raise ValidationError(gettext("Support for this family is not closed."))
    if family.destroyed:
        raise ValidationError(gettext("This family's file was destroyed; it cannot be reopened (§8.8)."))
    if not reason.strip():
        raise ValidationError({"reason": gettext("Say why support is starting again.")})
    family.status, family.closed_on = Family.Status.ACTIVE, None
    family.closure_reason, family.closing_summary = "", ""
    save_tracked(family, actor=actor, update_fields=["status", "closed_on", "closure_reason", "closing_summary"])
    SupportEpisodeEvent(
        family=family,
        kind=SupportEpisodeEvent.Kind.REOPENED,
        on=timezone.localdate(),
        note=reason.strip(),
        recorded_by=actor,
    ).save()
    return family


def _require_staff(*, actor: User, scheme: Scheme) -> None:
    if not has_role(actor, SCHEME_STAFF_ROLES, scheme=scheme):
        raise AccessRefused(gettext("Only the scheme's coordinators and managers run groups (§6.1)."))


@transaction.atomic
def group_create(*, scheme: Scheme, actor: User, name: str) -> Group:
    _require_staff(actor=actor, scheme=scheme)
    if Group.objects.filter(scheme=scheme, name__iexact=name.strip()).exists():
        raise ValidationError({"name": gettext("The scheme already has a group with this name.")})
    group = Group(scheme=scheme, name=name.strip())
    save_tracked(group, actor=actor)
    return group


@transaction.atomic
def group_member_add(
    *,
    group: Group,
    family: Family,
    actor: User,
    joined_on: datetime.date,
    confidentiality_explained: bool,
    written_information_given: bool,
) -> GroupMember:
    """A family joins a group once confidentiality was explained and written information given (§6.1)."""
    _require_staff(actor=actor, scheme=group.scheme)
    errors = {}
    if not confidentiality_explained:
        errors["confidentiality_explained"] = gettext(
            "Explain confidentiality to the family when it joins the group (§6.1)."
        )
    if not written_information_given:
        errors["written_information_given"] = gettext(
            "Give the family written information about confidentiality (§6.1)."
        )
    if family.scheme_id != group.scheme_id:
        errors["family"] = gettext("Choose a family of this group's scheme.")
    if family.status == Family.Status.CLOSED:
        errors["family"] = closed_message(family)
    if GroupMember.objects.filter(group=group, family=family).exists():
        errors["family"] = gettext("This family is already in the group.")
    if errors:
        raise ValidationError(errors)
    member = GroupMember(
        group=group,
        family=family,
        joined_on=joined_on,
        confidentiality_explained=True,
        written_information_given=True,
        added_by=actor,
    )
    save_tracked(member, actor=actor)
    return member


@transaction.atomic
def group_session_record(
    *,
    group: Group,
    actor: User,
    held_on: datetime.date,
    families: list[Family],
    visitors: Iterable[dict[str, Any]] = (),
) -> GroupSession:
    """A session and the families attending (members of the group only); each visitor was told
    about confidentiality and given written information (§6.1)."""
    _require_staff(actor=actor, scheme=group.scheme)
    member_ids = set(GroupMember.objects.filter(group=group).values_list("family_id", flat=True))
    if any(f.pk not in member_ids for f in families):
        raise ValidationError({"families": gettext("Only families who have joined the group can attend a session.")})
    if any(f.status == Family.Status.CLOSED for f in families):
        raise ValidationError({"families": gettext("A family whose support was closed cannot attend a session.")})
    for visitor in visitors:
        if not (visitor.get("confidentiality_explained") and visitor.get("written_information_given")):
            raise ValidationError(
                {
                    "visitor": gettext(
                        "Explain confidentiality to each visitor and give them written information (§6.1)."
                    )
                }
            )
    session = GroupSession(group=group, held_on=held_on, recorded_by=actor)
    save_tracked(session, actor=actor)
    session.families.set(families)
    for visitor in visitors:
        save_tracked(GroupVisitor(session=session, **visitor), actor=actor)
    return session
