"""Reads that depend on who asks. Each returns a QuerySet filtered in the database."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from access_log.kinds import KINDS, SCHEME_STAFF_ROLES
from homestart.crypto import blind_index, normalise_postcode
from homestart.history import Source
from homestart.models import Membership, Scheme, User, current_roles
from homestart.rules import FileKind, Role

from . import listing
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
    # Driven by the volunteer's own assignments (their index), so the database reads a
    # handful of families however large the scheme, then checks the whole rule on them.
    mine = VolunteerAssignment.objects.active().filter(volunteer=user).values("family_id")
    return (
        Family.objects.readable()
        .filter(pk__in=mine)
        .filter(KINDS[FileKind.FAMILY].volunteer_filter(user))
        .select_related("scheme")
    )


def family_page_for_volunteer(
    *, user: User, after: str | None = None, before: str | None = None, at: int = 1
) -> listing.Page:
    """One page of a volunteer's current families by key (issue 18, §8.5), in the order
    of their schemes' codes and then by number. A volunteer supports a handful of
    families: the page counts them when it holds them all, and asks no count otherwise."""
    volunteer_in = {s for role, s in current_roles(user) if role == Role.VOLUNTEER and s is not None}
    if len(volunteer_in) <= 1:
        schemes: list[tuple[int, str | None]] = [(scheme_id, None) for scheme_id in volunteer_in]
    else:
        schemes = list(Scheme.objects.filter(pk__in=volunteer_in).order_by("code").values_list("pk", "code"))
    mine = families_assigned_to(user=user)
    rows, has_previous, has_next, start = listing.keyset_page(
        schemes=schemes,
        rows_of=lambda scheme_id: mine.filter(scheme_id=scheme_id),
        visible=lambda family: True,  # the rule is in the query: only their own families
        descending=False,
        after=after,
        before=before,
        at=at,
    )
    return listing.Page(
        rows=rows,
        start=start,
        total=None if has_next else start + len(rows) - 1,
        exact=True,
        next_after=rows[-1].reference if has_next and rows else None,
        previous_before=rows[0].reference if has_previous and rows else None,
    )


def with_first_names_and_next_visit(*, families: list[Family], user: User, today: datetime.date) -> list[Family]:
    """The volunteer's "My families" (issue 15.4), one page of them (issue 18): each family gains
    ``first_names`` (its members' first names, carers first, as the volunteer's minimal view shows
    them, §8.5) and ``next_visit`` (the volunteer's own next planned visit, or None). Three queries
    at most, whatever the number of families; the caller records the listing through the gate."""
    if not families:
        return families
    prefetch_related_objects(families, "data_key")  # the page's keys in one query, if not joined in
    by_id = {family.pk: family for family in families}
    names: dict = {family.pk: [] for family in families}
    visits: dict = {}
    for member in Member.objects.filter(family_id__in=by_id).order_by("kind", "created_at"):
        member.family = by_id[member.family_id]  # sealed with the key already loaded
        names[member.family_id].append(member.first_name)
    upcoming = PlannedVisit.objects.planned().filter(family_id__in=by_id, visitor=user, planned_on__gte=today)
    for planned in upcoming.order_by("planned_on", "planned_at"):
        visits.setdefault(planned.family_id, planned)
    for family in families:
        family.first_names = names[family.pk]
        family.next_visit = visits.get(family.pk)
    return families


class ListFilter(TextChoices):
    """Which families the coordinator's list shows; open ones unless asked."""

    OPEN = "open", gettext_lazy("Open")
    CLOSED = "closed", gettext_lazy("Closed")
    ALL = "all", gettext_lazy("All")


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


def family_page_for_staff(
    *,
    user: User,
    roles: dict[int, str],
    shown: str = ListFilter.ALL,
    after: str | None = None,
    before: str | None = None,
    at: int = 1,
    references_only: bool = False,
) -> listing.Page:
    """One page of the coordinator's dashboard at constant cost (issue 18): the schemes
    where ``roles`` (``staff_roles_by_scheme``) make the person staff, walked by key on
    ``(scheme, number)``, newest first; whether the scheme's staff see each family (its
    object permission, §8.3) is asked for the page's rows only, in the page's query.
    Closed families include destroyed ones, which the page shows as tombstones (§8.8)."""
    if len(roles) == 1:  # nearly everyone: no order to find, and a key names a place in this scheme
        schemes: list[tuple[int, str | None]] = [(next(iter(roles)), None)]
    else:
        schemes = list(Scheme.objects.filter(pk__in=roles).order_by("code").values_list("pk", "code"))
    # Whether a volunteer is assigned and whether the scheme's staff see the family (§8.3):
    # values asked row by row of the page's rows (an EXISTS was planned as a hashed subplan
    # over every assignment and permission row of the scheme: kinds.staff_permission_of_each).
    active = VolunteerAssignment.objects.active().filter(family=OuterRef("pk")).order_by()
    assigned = Subquery(active.values(assigned=Value(True))[:1], output_field=BooleanField())
    adults = Member.objects.filter(kind=Member.Kind.ADULT).order_by("created_at")
    families = Family.objects.all()
    if shown == ListFilter.OPEN:
        families = families.open()
    elif shown == ListFilter.CLOSED:
        families = families.closed()
    sees = KINDS[FileKind.FAMILY].staff_permission_of_each(user)

    def dress(page_rows: QuerySet[Family]) -> QuerySet[Family]:
        # The page's 25 data keys (a destroyed family's shows as its tombstone, §8.8) joined to
        # the page's own query: its rows are chosen first, in a subquery, so the join reads 26
        # keys, not the scheme's, and they cost no query of their own.
        page_rows = page_rows.select_related("scheme", "data_key").annotate(has_volunteer=assigned, staff_sees=sees)
        if not references_only:
            page_rows = page_rows.prefetch_related(Prefetch("members", queryset=adults, to_attr="adults"))
        return page_rows

    rows, has_previous, has_next, start = listing.keyset_page(
        schemes=schemes,
        rows_of=lambda scheme_id: families.filter(scheme_id=scheme_id),
        dress=dress,
        visible=lambda family: bool(family.staff_sees),
        descending=True,
        after=after,
        before=before,
        at=at,
    )
    # "About N": the families of these schemes on this filter, before the per-family
    # permission (withheld families are rare, §8.3); exact when the page knows better.
    total = listing.estimate(families.filter(scheme_id__in=[pk for pk, _ in schemes]))
    exact = not has_next
    total = start + len(rows) - 1 if exact else max(total, start + len(rows))
    return listing.Page(
        rows=rows,
        start=start,
        total=total,
        exact=exact,
        next_after=rows[-1].reference if has_next and rows else None,
        previous_before=rows[0].reference if has_previous and rows else None,
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
    # The families that match, found by their indexes (reference, the members' surname
    # index, the postcode index) in one subquery; who may open each is then asked of those
    # rows only, not of every family in the country (issue 18).
    by_reference = Family.objects.filter(reference=term.upper())
    by_surname = Member.objects.filter(surname_index=blind_index(term, domain="surname"))
    parts = [by_surname.order_by().values("family_id")]
    if normalise_postcode(term):
        parts.append(Family.objects.filter(postcode_index=blind_index(term, domain="postcode")).order_by().values("pk"))
    matching = by_reference.order_by().values("pk").union(*parts, all=True)
    return visible.filter(pk__in=matching).order_by("scheme__code", "-number")


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
            gettext("Family details"),
            key=("data_key", family.data_key),
            exclude={"number", "reference", "area", "created_at"},
        ),
        Source(
            Member.history.filter(family_id=family.pk),
            lambda row: gettext("Family member (%(kind)s)") % {"kind": row.get_kind_display().lower()},
            key=key,
            exclude={"family"},
        ),
        Source(Referral.history.filter(family_id=family.pk), gettext("Referral"), key=key, exclude={"family"}),
        Source(
            Visit.history.filter(family_id=family.pk),
            lambda row: gettext("Visit (%(kind)s)") % {"kind": row.get_kind_display().lower()},
            key=key,
            exclude={"family"},
        ),
        Source(
            PlannedVisit.history.filter(family_id=family.pk),
            lambda row: gettext("Planned visit (%(kind)s)") % {"kind": row.get_kind_display().lower()},
            key=key,
            exclude={"family"},
        ),
        Source(
            VolunteerAssignment.history.filter(family_id=family.pk),
            gettext("Volunteer assignment"),
            exclude={"family"},
        ),
    ]


def group_history(*, group) -> list[Source]:
    """Where a group's history comes from: the group, the families that joined it (by
    reference, §8.6), its sessions and their visitors (§6.1)."""
    sessions = GroupSession.history.filter(group_id=group.pk).values("id")
    return [
        Source(Group.history.filter(id=group.pk), gettext("Group"), exclude={"scheme", "created_at"}),
        Source(
            GroupMember.history.filter(group_id=group.pk).select_related("family"),
            lambda row: gettext("%(reference)s in the group") % {"reference": row.family.reference},
            exclude={"group", "family"},
        ),
        Source(
            GroupSession.history.filter(group_id=group.pk),
            lambda row: gettext("Session on %(date)s") % {"date": date_format(row.held_on, "j F Y")},
            exclude={"group"},
        ),
        Source(
            GroupVisitor.history.filter(session_id__in=sessions), gettext("Visitor to a session"), exclude={"session"}
        ),
    ]
