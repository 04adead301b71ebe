"""Reads that depend on who asks. Each returns a QuerySet filtered in the database."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, TextChoices
from django.utils import timezone
from django.utils.formats import date_format

from access_log.kinds import KINDS, SCHEME_STAFF_ROLES
from homestart.crypto import blind_index, normalise_postcode
from homestart.history import Source
from homestart.models import Membership, Scheme, User, current_roles
from homestart.rules import FileKind, Role

from .models import (
    Family,
    Group,
    GroupMember,
    GroupSession,
    GroupVisitor,
    Member,
    PlannedVisit,
    Referral,
    Visit,
    VolunteerAssignment,
)


def schemes_staffed_by(*, user: User) -> QuerySet[Scheme]:
    """Schemes in which the user sees every family file (coordinator or manager)."""
    return Scheme.objects.filter(
        Exists(Membership.objects.current().filter(user=user, scheme=OuterRef("pk"), role__in=SCHEME_STAFF_ROLES))
    )


def families_visible_to(*, user: User) -> QuerySet[Family]:
    """Families whose file this user may open now: one query, the gate's own rules."""
    if not user.is_authenticated or not user.is_active:
        return Family.objects.none()
    return Family.objects.filter(KINDS[FileKind.FAMILY].visible_filter(user))


def families_assigned_to(*, user: User) -> QuerySet[Family]:
    """The volunteer's own families (§8.5): only current assignments, never a destroyed file (§8.8)."""
    if not user.is_authenticated or not user.is_active:
        return Family.objects.none()
    return Family.objects.readable().filter(KINDS[FileKind.FAMILY].volunteer_filter(user)).select_related("scheme")


def my_families(*, user: User, today: datetime.date) -> list[Family]:
    """The volunteer's "My families" (issue 15.4): each family with ``first_names`` (its members'
    first names, carers first, as the volunteer's minimal view shows them, §8.5) and
    ``next_visit`` (the volunteer's own next planned visit, or None). Three queries, whatever
    the number of families; the caller records the listing through the gate."""
    assigned = families_assigned_to(user=user)
    families = list(assigned.select_related("data_key").order_by("scheme__code", "number"))
    by_id = {family.pk: family for family in families}
    names: dict = {family.pk: [] for family in families}
    visits: dict = {}
    if families:
        for member in Member.objects.filter(family__in=assigned).order_by("kind", "created_at"):
            member.family = by_id[member.family_id]  # sealed with the key already loaded
            names[member.family_id].append(member.first_name)
        upcoming = PlannedVisit.objects.planned().filter(family__in=assigned, visitor=user, planned_on__gte=today)
        for planned in upcoming.order_by("planned_on", "planned_at"):
            visits.setdefault(planned.family_id, planned)
    for family in families:
        family.first_names = names[family.pk]
        family.next_visit = visits.get(family.pk)
    return families


class ListFilter(TextChoices):
    """Which families the coordinator's list shows; open ones unless asked."""

    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    ALL = "all", "All"


def family_list_for_staff(*, user: User, shown: str = ListFilter.ALL) -> QuerySet[Family]:
    """The coordinator's dashboard: their schemes' families, with what the list shows.
    Closed families include destroyed ones, which the page shows as tombstones (§8.8)."""
    active = VolunteerAssignment.objects.active().filter(family=OuterRef("pk"))
    adults = Member.objects.filter(kind=Member.Kind.ADULT).order_by("created_at")
    families = Family.objects.all()
    if shown == ListFilter.OPEN:
        families = families.open()
    elif shown == ListFilter.CLOSED:
        families = families.closed()
    return (
        families.filter(KINDS[FileKind.FAMILY].staff_filter(user))
        .select_related("scheme")
        .annotate(has_volunteer=Exists(active))
        # The data keys of the page's 25 families in one query: joined in, PostgreSQL
        # reads the key of every family of the scheme before sorting (docs/performance.md).
        .prefetch_related("data_key", Prefetch("members", queryset=adults, to_attr="adults"))
        .order_by("scheme__code", "-number")
    )


def staff_roles_by_scheme(*, user: User) -> dict[int, str]:
    """Scheme id -> the user's staff role there (manager wins over coordinator)."""
    roles: dict[int, str] = {}
    for role, scheme_id in current_roles(user):
        if role in SCHEME_STAFF_ROLES and roles.get(scheme_id) != Role.MANAGER:
            roles[scheme_id] = role
    return roles


def family_search(*, user: User, term: str) -> QuerySet[Family]:
    """Exact match on reference, surname or postcode among the families the user may open.

    Surname and postcode are matched by blind index: no plaintext column exists.
    A destroyed family is not found, not even by its reference (§8.8).
    """
    term = term.strip()
    visible = families_visible_to(user=user).readable().select_related("scheme")
    if not term:
        return visible.none()
    surname_hash = blind_index(term, domain="surname")
    postcode_hash = blind_index(term, domain="postcode")
    by_surname = Member.objects.filter(family=OuterRef("pk"), surname_index=surname_hash)
    matches = visible.filter(reference=term.upper()) | visible.filter(Exists(by_surname))
    if normalise_postcode(term):
        matches = matches | visible.filter(postcode_index=postcode_hash)
    return matches.order_by("scheme__code", "-number")


def volunteers_of(*, scheme: Scheme) -> QuerySet[User]:
    return (
        Membership.objects.current()
        .filter(scheme=scheme, role=Role.VOLUNTEER)
        .holders()
        .order_by("first_name", "last_name", "username")
    )


def family_file(*, family: Family) -> dict:
    """Everything on the full family file, in a fixed number of queries."""
    return {
        "members": list(family.members.all()),
        "referrals": list(family.referrals.select_related("received_by")),
        "visits": list(family.visits.select_related("visited_by", "recorded_by")),
        "assignments": list(family.assignments.select_related("volunteer", "ended_by")),
        # Planned and not yet recorded nor missed: what the scheme expects to happen next.
        "planned_visits": list(family.planned_visits.planned().select_related("family", "visitor")),
        "today": timezone.localdate(),
    }


def family_history(*, family: Family) -> list[Source]:
    """Where the family file's history comes from (the page: ``homestart.history``).
    Every row of the file is sealed with the family's key: each gets the family opened
    through the gate, so no row looks its key up again."""
    key = ("family", family)
    return [
        Source(
            Family.history.filter(id=family.pk),
            "Family details",
            key=("data_key", family.data_key),
            exclude={"number", "reference", "area", "created_at"},
        ),
        Source(
            Member.history.filter(family_id=family.pk),
            lambda row: f"Family member ({row.get_kind_display().lower()})",
            key=key,
            exclude={"family"},
        ),
        Source(Referral.history.filter(family_id=family.pk), "Referral", key=key, exclude={"family"}),
        Source(
            Visit.history.filter(family_id=family.pk),
            lambda row: f"Visit ({row.get_kind_display().lower()})",
            key=key,
            exclude={"family"},
        ),
        Source(
            PlannedVisit.history.filter(family_id=family.pk),
            lambda row: f"Planned visit ({row.get_kind_display().lower()})",
            key=key,
            exclude={"family"},
        ),
        Source(VolunteerAssignment.history.filter(family_id=family.pk), "Volunteer assignment", exclude={"family"}),
    ]


def group_history(*, group) -> list[Source]:
    """Where a group's history comes from: the group, the families that joined it (by
    reference, §8.6), its sessions and their visitors (§6.1)."""
    sessions = GroupSession.history.filter(group_id=group.pk).values("id")
    return [
        Source(Group.history.filter(id=group.pk), "Group", exclude={"scheme", "created_at"}),
        Source(
            GroupMember.history.filter(group_id=group.pk).select_related("family"),
            lambda row: f"{row.family.reference} in the group",
            exclude={"group", "family"},
        ),
        Source(
            GroupSession.history.filter(group_id=group.pk),
            lambda row: f"Session on {date_format(row.held_on, 'j F Y')}",
            exclude={"group"},
        ),
        Source(GroupVisitor.history.filter(session_id__in=sessions), "Visitor to a session", exclude={"session"}),
    ]
