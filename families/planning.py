"""Planned visits: planning them, recording them when they happen, marking them missed, and
the two lists that show them (issue 15, "A scheme's week runs on it").

Writes and reads of planned visits, kept beside the family services rather than in them: the
rules are the file's own (a closed file refuses planning, §8.8; a volunteer plans only for the
families they support and only their own visits, §8.5), the lists are the visitor's week and
the coordinator's agenda, by reference only (§8.6).
"""

from __future__ import annotations

import datetime
from typing import cast

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from access_log.kinds import KINDS, SCHEME_STAFF_ROLES
from homestart.errors import AccessRefused, NotAllowed
from homestart.models import Membership, User, has_role
from homestart.rules import FileKind, Role
from homestart.writes import save_tracked

from .kinds import FamilyFiles
from .models import Family, PlannedVisit, Visit, VolunteerAssignment
from .services import require_open, visit_record


class PlannedVisitClosed(NotAllowed):
    """The planned visit was already recorded or marked missed."""


def _supports(user: User, family: Family, on: datetime.date | None = None) -> bool:
    return (
        has_role(user, Role.VOLUNTEER, scheme=family.scheme_id)
        and VolunteerAssignment.objects.active(on).filter(family=family, volunteer=user).exists()
    )


def visitors_for(*, family: Family, actor: User) -> QuerySet[User]:
    """Who may be planned to visit: the scheme's coordinators and manager plan for any of them
    or the family's volunteers; a volunteer plans their own visits only (§8.5)."""
    if not has_role(actor, SCHEME_STAFF_ROLES, scheme=family.scheme_id):
        return User.objects.filter(pk=actor.pk)
    staff = Membership.objects.current().filter(scheme=family.scheme_id, role__in=SCHEME_STAFF_ROLES)
    supporting = VolunteerAssignment.objects.active().filter(family=family)
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(staff.filter(user=OuterRef("pk"))) | Exists(supporting.filter(volunteer=OuterRef("pk"))))
        .order_by("first_name", "last_name", "username")
    )


def _may_plan(*, actor: User, family: Family) -> bool:
    return has_role(actor, SCHEME_STAFF_ROLES, scheme=family.scheme_id) or _supports(actor, family)


@transaction.atomic
def planned_visit_plan(
    *,
    family: Family,
    actor: User,
    visitor: User,
    kind: str,
    planned_on: datetime.date,
    planned_at: datetime.time,
    today: datetime.date | None = None,
) -> PlannedVisit:
    """Plan a visit. Not on a day already past: a visit that happened is recorded, not planned."""
    today = today or timezone.localdate()
    require_open(family)
    if not _may_plan(actor=actor, family=family):
        raise AccessRefused(
            gettext(
                "Only the scheme's coordinators and managers, and the family's own volunteer, plan its visits (§8.5)."
            )
        )
    errors = {}
    if kind not in PlannedVisit.Kind.values:
        errors["kind"] = gettext("Choose the type of visit.")
    if planned_on < today:
        errors["planned_on"] = gettext(
            "The date must be today or later. Record a visit that has already happened instead."
        )
    if not visitors_for(family=family, actor=actor).filter(pk=visitor.pk).exists():
        errors["visitor"] = (
            gettext("Choose a coordinator or manager of the scheme, or a volunteer supporting this family.")
            if has_role(actor, SCHEME_STAFF_ROLES, scheme=family.scheme_id)
            else gettext("A volunteer plans their own visits only (§8.5).")
        )
    if errors:
        raise NotAllowed(errors)
    planned = PlannedVisit(
        family=family,
        kind=kind,
        planned_on=planned_on,
        planned_at=planned_at,
        visitor=visitor,
        planned_by=actor,
    )
    save_tracked(planned, actor=actor)
    return planned


def _lock(planned: PlannedVisit) -> PlannedVisit:
    """The planned visit, locked, still planned: recorded or missed once, however often it is sent."""
    PlannedVisit.objects.select_for_update().filter(pk=planned.pk).values_list("pk").get()
    planned.refresh_from_db(fields=["status", "visit", "closed_at", "closed_by"])
    if planned.status != PlannedVisit.Status.PLANNED:
        raise PlannedVisitClosed(
            gettext("This visit was already %(status)s.") % {"status": planned.get_status_display().lower()}
        )
    return planned


def _require_visitor_or_staff(*, planned: PlannedVisit, actor: User) -> None:
    """The scheme's coordinators and managers, or the person planned to visit (§8.5)."""
    family = planned.family
    if has_role(actor, SCHEME_STAFF_ROLES, scheme=family.scheme_id):
        return
    if planned.visitor_id == actor.pk and _supports(actor, family):
        return
    raise AccessRefused(gettext("Only the scheme's coordinators and managers, or the visitor, close a planned visit."))


@transaction.atomic
def planned_visit_record(
    *, planned: PlannedVisit, actor: User, visited_on: datetime.date, visited_by: User, notes: str = "", kind: str
) -> Visit:
    """Record the planned visit as it happened: the visit is saved and the plan completed with it."""
    require_open(planned.family)
    _require_visitor_or_staff(planned=planned, actor=actor)
    _lock(planned)
    visit = visit_record(
        family=planned.family, actor=actor, kind=kind, visited_on=visited_on, visited_by=visited_by, notes=notes
    )
    planned.status, planned.visit = PlannedVisit.Status.COMPLETED, visit
    planned.closed_at, planned.closed_by = timezone.now(), actor
    save_tracked(planned, actor=actor, update_fields=["status", "visit", "closed_at", "closed_by"])
    return visit


@transaction.atomic
def planned_visit_miss(*, planned: PlannedVisit, actor: User, reason: str) -> PlannedVisit:
    """The visit did not happen: marked missed, with the reason (sealed with the family's key)."""
    require_open(planned.family)
    _require_visitor_or_staff(planned=planned, actor=actor)
    if not reason.strip():
        raise NotAllowed({"reason": gettext("Say why the visit did not happen.")})
    _lock(planned)
    planned.status, planned.missed_reason = PlannedVisit.Status.MISSED, reason.strip()
    planned.closed_at, planned.closed_by = timezone.now(), actor
    save_tracked(planned, actor=actor, update_fields=["status", "missed_reason", "closed_at", "closed_by"])
    return planned


def _family_files() -> FamilyFiles:
    """The family file kind as the gate knows it: its own rules for who opens which family."""
    return cast(FamilyFiles, KINDS[FileKind.FAMILY])


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and the next Monday of the week ``day`` is in."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


def visits_this_week(*, user: User, on: datetime.date | None = None) -> QuerySet[PlannedVisit]:
    """The visitor's planned visits of this week, and earlier ones still planned (overdue), in the
    families they may open now by the gate's own rules (a volunteer only while assigned, §8.5)."""
    on = on or timezone.localdate()
    _monday, next_monday = week_of(on)
    spec = _family_files()
    may_open = Family.objects.readable().open().filter(spec.staff_filter(user) | spec.volunteer_filter(user, today=on))
    return (
        PlannedVisit.objects.planned()
        .filter(visitor=user, planned_on__lt=next_monday)
        .filter(Exists(may_open.filter(pk=OuterRef("family"))))
        .select_related("family__data_key", "family__scheme")
        .order_by("planned_on", "planned_at")
    )


def agenda_for(*, user: User, monday: datetime.date, on: datetime.date | None = None) -> dict[str, list]:
    """The coordinator's agenda: the week's planned visits in the families of their schemes, and
    every overdue one, by reference only (§8.6). A closed file's plans are over with its support."""
    on = on or timezone.localdate()
    staff_families = Family.objects.open().filter(_family_files().staff_filter(user))
    visits = PlannedVisit.objects.filter(Exists(staff_families.filter(pk=OuterRef("family")))).select_related(
        "family", "visitor"
    )
    week = visits.filter(planned_on__gte=monday, planned_on__lt=monday + datetime.timedelta(days=7))
    overdue = visits.overdue(on).filter(~Q(pk__in=week.values("pk")))
    return {"week": list(week.order_by("planned_on", "planned_at")), "overdue": list(overdue.order_by("planned_on"))}
