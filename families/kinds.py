"""The family file as a file kind of the access gate (§2.1, §7.6, §8.3, §8.5, §9.1, §10.1).

Who opens a family file, for what, and how much of it: the scheme's coordinators and
manager in full; a volunteer the families assigned to them, in the minimal view (§8.5);
the safeguarding lead the safeguarding section, and the identifying details for a
referral while a concern is open (§2.1); the trustee responsible for spot checks and
HSUK reviewers a sampled file, and an external auditor a file named in a supervised
session, each after signing its Record of Access (§9.1, §10.1); an administrator after
signing the confidentiality undertaking (§7.6). Registered with the gate in
``FamiliesConfig.ready`` (families/apps.py), beside records/people/kinds.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from access_log.kinds import KINDS, SCHEME_STAFF_ROLES, FileKindSpec, Grant, Pending, View
from access_log.models import AuditSession, ContractorUndertaking, RecordOfAccess, Review
from homestart.models import Membership, User, roles_in
from homestart.rules import FileKind, Purpose, Refusal, Role, Section

from .models import (
    Family,
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
    Member,
    Visit,
    VolunteerAssignment,
)

# The part of a family file the scheme's safeguarding lead opens (§2).
SAFEGUARDING_SECTIONS = frozenset({Section.SAFEGUARDING})
# What the safeguarding lead opens, for a stated referral, of a family with an open concern (§2.1).
IDENTIFYING_SECTIONS = frozenset({Section.IDENTIFYING_DETAILS})


def _family_perm(user: User, family_ref: Any, codename: str) -> QuerySet:
    return FamilyUserObjectPermission.objects.filter(
        user=user,
        content_object=family_ref,
        permission__codename=codename,
        permission__content_type__app_label="families",
    )


def _family_group_perm(user: User, family_ref: Any, codename: str) -> QuerySet:
    return FamilyGroupObjectPermission.objects.filter(
        group__user=user,
        content_object=family_ref,
        permission__codename=codename,
        permission__content_type__app_label="families",
    )


@dataclass(frozen=True)
class MinimalFamily:
    """All a volunteer sees of a family they support (§8.5): no referral, no
    consent details, no other people's notes, nothing about safeguarding."""

    reference: str
    adults: list[str]
    children: list[tuple[str, int | None]]
    address: str
    postcode: str
    phone: str
    my_visits: list[Visit] = field(default_factory=list)


def _no_open_concern(family: Family) -> bool:
    return False


def _occasion_perm(by: Review | AuditSession) -> str:
    return "families.review_family" if isinstance(by, Review) else "families.audit_family"


class FamilyFiles(FileKindSpec):
    kind = FileKind.FAMILY
    url_name = "families:detail"
    log_roles = SCHEME_STAFF_ROLES
    # "Has this family an open safeguarding concern?": the safeguarding app, above this one,
    # registers the answer (safeguarding/apps.py). Until it does, the answer is no.
    has_open_concern = staticmethod(_no_open_concern)

    def load(self, reference: str) -> Family | None:
        return Family.objects.with_keys().filter(reference=reference).first()

    def reference(self, obj: Family) -> str:
        return obj.reference

    def scheme_id(self, obj: Family) -> int:
        return obj.scheme_id

    def readable_files(self, *, scheme_id: int, reader: User) -> QuerySet:
        return (
            Family.objects.filter(scheme_id=scheme_id, data_key__destroyed_at__isnull=True)
            .order_by("number")
            .values_list("pk", "reference")
        )

    def decide(self, *, user: User, obj: Family, purpose: str) -> Grant | Pending | str | None:
        here, national = roles_in(user, obj.scheme_id)
        refused_role = next(iter(sorted(here or national)), "")

        if purpose == Purpose.ADMINISTRATION:
            # §7.6: an administrator sees personal data only after signing an undertaking.
            if Role.ADMIN not in national:
                return refused_role
            if not ContractorUndertaking.objects.filter(user=user).exists():
                return Pending(Refusal.UNDERTAKING_UNSIGNED, Role.ADMIN)
            return Grant(Role.ADMIN, View.FULL, False, Purpose.ADMINISTRATION)

        staff_role = next((r for r in SCHEME_STAFF_ROLES if r in here), None)
        if staff_role and _family_group_perm(user, obj, "change_family").exists():
            return Grant(staff_role, View.FULL, True, Purpose.CASEWORK)

        if (
            Role.VOLUNTEER in here
            and _family_perm(user, obj, "view_family_minimal").exists()
            and VolunteerAssignment.objects.active().filter(family=obj, volunteer=user).exists()
        ):
            # Volunteers record their own visits; nothing else on the file (§8.5).
            # They may also raise a safeguarding concern, and then see only their own submissions (§2).
            # And the family's own scores at a visit, seeing back only the needs it chose (§8.5).
            return Grant(
                Role.VOLUNTEER,
                View.MINIMAL,
                True,
                Purpose.CASEWORK,
                frozenset({Section.VISITS, Section.SAFEGUARDING, Section.OUTCOMES}),
            )

        if Role.SAFEGUARDING_LEAD in here:
            if purpose == Purpose.SAFEGUARDING_REFERRAL:
                # §2.1: to refer a child to children's services, the lead opens the family's
                # identifying details, and only those, while a concern is open; read-only.
                if not self.has_open_concern(obj):
                    return Role.SAFEGUARDING_LEAD
                return Grant(
                    Role.SAFEGUARDING_LEAD,
                    View.MINIMAL,
                    False,
                    Purpose.SAFEGUARDING_REFERRAL,
                    writable_sections=frozenset(),
                    readable_sections=IDENTIFYING_SECTIONS,
                )
            # The scheme's safeguarding lead: the safeguarding section only (§2.1, §8.3),
            # and no more of the file than the reference that identifies it.
            return Grant(
                Role.SAFEGUARDING_LEAD,
                View.MINIMAL,
                True,
                Purpose.CASEWORK,
                writable_sections=SAFEGUARDING_SECTIONS,
                readable_sections=SAFEGUARDING_SECTIONS,
            )

        review_kinds = []
        if Role.SPOT_CHECK_TRUSTEE in here:
            review_kinds.append(Review.Kind.SPOT_CHECK)
        if Role.REVIEWER in national:
            review_kinds.append(Review.Kind.QUALITY_REVIEW)
        if review_kinds:
            review = (
                Review.objects.open_now()
                .filter(reviewer=user, scheme_id=obj.scheme_id, kind__in=review_kinds)
                .filter(files__file_kind=self.kind, files__file_id=obj.pk)
                .order_by("-opens_at")
                .first()
            )
            if review and _family_perm(user, obj, "review_family").exists():
                role = Role.REVIEWER if review.kind == Review.Kind.QUALITY_REVIEW else Role.SPOT_CHECK_TRUSTEE
                signed = RecordOfAccess.objects.filter(
                    user=user, file_kind=self.kind, file_id=obj.pk, review=review
                ).exists()
                if signed:
                    return Grant(role, View.FULL, False, review.purpose, review=review)
                return Pending(Refusal.RECORD_OF_ACCESS_UNSIGNED, role, review=review)

        if Role.AUDITOR in here:
            session = (
                AuditSession.objects.open_now()
                .filter(auditor=user, scheme_id=obj.scheme_id)
                .filter(files__file_kind=self.kind, files__file_id=obj.pk)
                .order_by("-opened_at")
                .first()
            )
            if session and _family_perm(user, obj, "audit_family").exists():
                signed = RecordOfAccess.objects.filter(
                    user=user, file_kind=self.kind, file_id=obj.pk, audit_session=session
                ).exists()
                if signed:
                    return Grant(Role.AUDITOR, View.FULL, False, Purpose.EXTERNAL_AUDIT, session=session)
                return Pending(Refusal.RECORD_OF_ACCESS_UNSIGNED, Role.AUDITOR, session=session)

        return refused_role

    def staff_filter(self, user: User) -> Q:
        """Families the user sees as the scheme's coordinator or manager (§8.3)."""
        current = Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"))
        return Exists(current.filter(role__in=SCHEME_STAFF_ROLES)) & self.staff_permission(user)

    def staff_permission(self, user: User) -> Exists:
        """The object-permission half of ``staff_filter``: the scheme's staff group may see
        and change this family (a family can be withheld from them, §8.3). A list that
        already knows the person's staff schemes (their current roles) asks only this,
        for its page's rows (issue 18)."""
        return Exists(_family_group_perm(user, OuterRef("pk"), "change_family"))

    def staff_permission_of_each(self, user: User) -> Subquery:
        """``staff_permission`` as a value of each row — True, or None where the scheme's
        staff may not see the family (§8.3) — for a page that has chosen its rows already.
        The same condition; but PostgreSQL asks a value like this row by row (the
        permission's index on the family, a few rows each), where it planned the EXISTS as
        a hashed subplan over every permission row of the scheme, having misjudged their
        number: 2,112 rows joined for a page of 26 at 1,000 families, ten times as many at
        10,000 (issue 18)."""
        granted = _family_group_perm(user, OuterRef("pk"), "change_family").order_by()
        return Subquery(granted.values(granted=Value(True))[:1], output_field=BooleanField())

    def volunteer_filter(self, user: User, *, today: datetime.date | None = None) -> Q:
        """Families the user supports as a volunteer now (§8.5): the volunteer's own list
        asks only this, not the reviewer's and auditor's routes as well."""
        current = Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"), role=Role.VOLUNTEER)
        return (
            Exists(current)
            & Exists(_family_perm(user, OuterRef("pk"), "view_family_minimal"))
            & Exists(VolunteerAssignment.objects.active(today).filter(volunteer=user, family=OuterRef("pk")))
        )

    def visible_filter(self, user: User) -> Q:
        """The families this user may open now, as one database condition (no id lists)."""
        now = timezone.now()
        today = timezone.localdate()
        current = Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"))
        staff = self.staff_filter(user)
        # Readers open a sampled or audited file only once they have signed its Record of
        # Access for that review or session (§9.1, §10.1): so too in lists and search.
        signed = RecordOfAccess.objects.filter(user=user, file_kind=self.kind, file_id=OuterRef(OuterRef("pk")))
        volunteer = self.volunteer_filter(user, today=today)
        reviewing = Exists(_family_perm(user, OuterRef("pk"), "review_family")) & (
            Exists(
                Review.objects.open_now(now)
                .filter(
                    reviewer=user,
                    kind=Review.Kind.SPOT_CHECK,
                    scheme=OuterRef("scheme"),
                    files__file_kind=self.kind,
                    files__file_id=OuterRef("pk"),
                )
                .filter(Exists(signed.filter(review=OuterRef("pk"))))
            )
            & Exists(current.filter(role=Role.SPOT_CHECK_TRUSTEE))
            | Exists(
                Review.objects.open_now(now)
                .filter(
                    reviewer=user,
                    kind=Review.Kind.QUALITY_REVIEW,
                    scheme=OuterRef("scheme"),
                    files__file_kind=self.kind,
                    files__file_id=OuterRef("pk"),
                )
                .filter(Exists(signed.filter(review=OuterRef("pk"))))
            )
            & Exists(Membership.objects.current().filter(user=user, scheme__isnull=True, role=Role.REVIEWER))
        )
        auditing = (
            Exists(current.filter(role=Role.AUDITOR))
            & Exists(_family_perm(user, OuterRef("pk"), "audit_family"))
            & Exists(
                AuditSession.objects.open_now(now)
                .filter(
                    auditor=user,
                    scheme=OuterRef("scheme"),
                    files__file_kind=self.kind,
                    files__file_id=OuterRef("pk"),
                )
                .filter(Exists(signed.filter(audit_session=OuterRef("pk"))))
            )
        )
        return staff | volunteer | reviewing | auditing

    def named_for(self, *, reader: User, file_ids: Iterable[Any], by: Review | AuditSession) -> None:
        # Family files also carry an object permission for the review or the session.
        for family in Family.objects.filter(pk__in=file_ids):
            assign_perm(_occasion_perm(by), reader, family)

    def released_for(self, *, reader: User, file_ids: Iterable[Any], by: Review | AuditSession) -> None:
        for family in Family.objects.filter(pk__in=file_ids):
            remove_perm(_occasion_perm(by), reader, family)

    def minimal_view(self, obj: Family, user: User) -> MinimalFamily:
        today = timezone.localdate()
        members = list(obj.members.all())
        return MinimalFamily(
            reference=obj.reference,
            adults=[f"{m.first_name} {m.last_name}".strip() for m in members if m.kind == Member.Kind.ADULT],
            children=[(m.first_name, m.age_on(today)) for m in members if m.kind == Member.Kind.CHILD],
            address=obj.address,
            postcode=obj.postcode,
            phone=obj.phone,
            my_visits=list(obj.visits.filter(visited_by=user)),
        )


def register() -> None:
    KINDS.setdefault(FileKind.FAMILY, FamilyFiles())
