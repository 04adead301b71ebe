"""Volunteer and personnel files as file kinds of the access gate (§8.3, §8.4, §8.5).

Volunteer file (§8.3): the scheme's coordinators and manager; the trustee
responsible for spot checks and HSUK reviewers when the file is in their open
review sample and they have signed its Record of Access (§9.1); an external
auditor of the scheme when a coordinator has named the file in an open,
supervised audit session and the auditor has signed its Record of Access —
§8.3 names "external reviewers for the purpose of ... external audit" for
volunteer files as for family files, and §10.1 says how. The volunteer
does not browse their own file: they see it through a subject access request
(§8.7), which is recorded as a disclosure.

Personnel file (§8.4): the person's line manager (``Membership.line_manager``);
a trustee designated for that file "where appropriate" (``TrusteeDesignation``)
who is still a trustee of the scheme; HSUK reviewers in an open quality review
sample with a signed Record of Access. The person sees it through a subject
access request. A coordinator or manager who is not the line manager is refused,
and so is an external auditor (§8.4 does not name them).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from access_log.kinds import SCHEME_STAFF_ROLES, FileKindSpec, Grant, Pending, View
from access_log.models import AuditSession, RecordOfAccess, Review
from homestart.models import Membership, User, roles_in
from homestart.rules import FileKind, Purpose, Role
from records.models import PersonnelFile, TrusteeDesignation, VolunteerFile

TRUSTEE_ROLES = (Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE)
# The role a personnel file's grant names for the person's line manager (§8.4).
LINE_MANAGER = "line_manager"


def _review_outcome(*, user: User, kind: str, obj: Any, review_kinds: list[str]) -> Grant | Pending | None:
    """A review sample holding this file, open now, with the Record of Access signed (§9.1)."""
    if not review_kinds:
        return None
    review = (
        Review.objects.open_now()
        .filter(reviewer=user, scheme_id=obj.scheme_id, kind__in=review_kinds)
        .filter(files__file_kind=kind, files__file_id=obj.pk)
        .order_by("-opens_at")
        .first()
    )
    if review is None:
        return None
    role = Role.REVIEWER if review.kind == Review.Kind.QUALITY_REVIEW else Role.SPOT_CHECK_TRUSTEE
    if RecordOfAccess.objects.filter(user=user, file_kind=kind, file_id=obj.pk, review=review).exists():
        return Grant(role, View.FULL, False, review.purpose, review=review)
    return Pending("record_of_access_unsigned", role, review=review)


def _audit_outcome(*, user: User, kind: str, obj: Any) -> Grant | Pending | None:
    """An open supervised audit session naming this file, with the Record of Access
    signed in the coordinator's presence (§8.3, §10.1)."""
    session = (
        AuditSession.objects.open_now()
        .filter(auditor=user, scheme_id=obj.scheme_id)
        .filter(files__file_kind=kind, files__file_id=obj.pk)
        .order_by("-opened_at")
        .first()
    )
    if session is None:
        return None
    if RecordOfAccess.objects.filter(user=user, file_kind=kind, file_id=obj.pk, audit_session=session).exists():
        return Grant(Role.AUDITOR, View.FULL, False, Purpose.EXTERNAL_AUDIT, session=session)
    return Pending("record_of_access_unsigned", Role.AUDITOR, session=session)


def _open_audit_filter(user: User, kind: str) -> Exists:
    now = timezone.now()
    signed = RecordOfAccess.objects.filter(
        user=user, file_kind=kind, file_id=OuterRef(OuterRef("pk")), audit_session=OuterRef("pk")
    )
    return Exists(
        AuditSession.objects.open_now(now)
        .filter(
            auditor=user,
            scheme=OuterRef("scheme"),
            files__file_kind=kind,
            files__file_id=OuterRef("pk"),
        )
        .filter(Exists(signed))
    )


def _open_review_filter(user: User, kind: str, review_kind: str) -> Exists:
    """In an open review sample, with the Record of Access signed for that review: readers
    see a sampled file in lists only once they may open it (as for family files, §9.1)."""
    now = timezone.now()
    signed = RecordOfAccess.objects.filter(
        user=user, file_kind=kind, file_id=OuterRef(OuterRef("pk")), review=OuterRef("pk")
    )
    return Exists(
        Review.objects.open_now(now)
        .filter(
            reviewer=user,
            kind=review_kind,
            scheme=OuterRef("scheme"),
            files__file_kind=kind,
            files__file_id=OuterRef("pk"),
        )
        .filter(Exists(signed))
    )


def _population(model: type, scheme_id: int, reviewer: User) -> QuerySet:
    return (
        model.objects.filter(scheme_id=scheme_id, data_key__destroyed_at__isnull=True)
        .exclude(person=reviewer)
        .order_by("number")
        .values_list("pk", "reference")
    )


class VolunteerFiles(FileKindSpec):
    kind = FileKind.VOLUNTEER
    url_name = "records:volunteer_file"
    log_roles = SCHEME_STAFF_ROLES

    def load(self, reference: str) -> VolunteerFile | None:
        return VolunteerFile.objects.select_related("data_key", "scheme").filter(reference=reference).first()

    def reference(self, obj: VolunteerFile) -> str:
        return obj.reference

    def scheme_id(self, obj: VolunteerFile) -> int:
        return obj.scheme_id

    def readable_files(self, *, scheme_id: int, reader: User) -> QuerySet:
        return _population(VolunteerFile, scheme_id, reader)

    def decide(self, *, user: User, obj: VolunteerFile, purpose: str) -> Grant | Pending | str | None:
        here, national = roles_in(user, obj.scheme_id)
        refused_role = next(iter(sorted(here or national)), "")
        if obj.person_id == user.pk:
            # §8.7: the volunteer sees their own file through a subject access request.
            return refused_role
        staff_role = next((r for r in SCHEME_STAFF_ROLES if r in here), None)
        if staff_role:
            return Grant(staff_role, View.FULL, True, Purpose.SUPERVISION)
        review_kinds = []
        if Role.SPOT_CHECK_TRUSTEE in here:
            review_kinds.append(Review.Kind.SPOT_CHECK)
        if Role.REVIEWER in national:
            review_kinds.append(Review.Kind.QUALITY_REVIEW)
        outcome = _review_outcome(user=user, kind=self.kind, obj=obj, review_kinds=review_kinds)
        if outcome is None and Role.AUDITOR in here:
            # §8.3: external reviewers for the purpose of external audit, as for family files (§10.1).
            outcome = _audit_outcome(user=user, kind=self.kind, obj=obj)
        return outcome or refused_role

    def visible_filter(self, user: User) -> Q:
        current = Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"))
        staff = Exists(current.filter(role__in=SCHEME_STAFF_ROLES))
        spot = Exists(current.filter(role=Role.SPOT_CHECK_TRUSTEE)) & _open_review_filter(
            user, self.kind, Review.Kind.SPOT_CHECK
        )
        national = Membership.objects.current().filter(user=user, scheme__isnull=True, role=Role.REVIEWER)
        quality = Exists(national) & _open_review_filter(user, self.kind, Review.Kind.QUALITY_REVIEW)
        auditing = Exists(current.filter(role=Role.AUDITOR)) & _open_audit_filter(user, self.kind)
        return (staff | spot | quality | auditing) & ~Q(person=user)

    def minimal_view(self, obj: Any, user: User) -> Any:  # pragma: no cover - every grant is full
        raise NotImplementedError


class PersonnelFiles(FileKindSpec):
    kind = FileKind.PERSONNEL
    url_name = "records:personnel_file"
    # §8.4: the line manager keeps the personnel file, and so reads who opened it.
    log_roles = (LINE_MANAGER,)

    def load(self, reference: str) -> PersonnelFile | None:
        return PersonnelFile.objects.select_related("data_key", "scheme").filter(reference=reference).first()

    def reference(self, obj: PersonnelFile) -> str:
        return obj.reference

    def scheme_id(self, obj: PersonnelFile) -> int:
        return obj.scheme_id

    def readable_files(self, *, scheme_id: int, reader: User) -> QuerySet:
        return _population(PersonnelFile, scheme_id, reader)

    def decide(self, *, user: User, obj: PersonnelFile, purpose: str) -> Grant | Pending | str | None:
        here, national = roles_in(user, obj.scheme_id)
        refused_role = next(iter(sorted(here or national)), "")
        if obj.person_id == user.pk:
            return refused_role
        if Membership.objects.current().filter(user=obj.person, scheme_id=obj.scheme_id, line_manager=user).exists():
            return Grant(LINE_MANAGER, View.FULL, True, Purpose.SUPERVISION)
        if (
            here & set(TRUSTEE_ROLES)
            and TrusteeDesignation.objects.filter(personnel_file=obj, trustee=user, ended_at__isnull=True).exists()
        ):
            return Grant(Role.TRUSTEE, View.FULL, False, Purpose.SUPERVISION)
        review_kinds = [Review.Kind.QUALITY_REVIEW] if Role.REVIEWER in national else []
        return _review_outcome(user=user, kind=self.kind, obj=obj, review_kinds=review_kinds) or refused_role

    def visible_filter(self, user: User) -> Q:
        line = Exists(
            Membership.objects.current().filter(user=OuterRef("person"), scheme=OuterRef("scheme"), line_manager=user)
        )
        trustee = Exists(
            TrusteeDesignation.objects.filter(personnel_file=OuterRef("pk"), trustee=user, ended_at__isnull=True)
        ) & Exists(Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"), role__in=TRUSTEE_ROLES))
        national = Membership.objects.current().filter(user=user, scheme__isnull=True, role=Role.REVIEWER)
        quality = Exists(national) & _open_review_filter(user, self.kind, Review.Kind.QUALITY_REVIEW)
        return (line | trustee | quality) & ~Q(person=user)

    def minimal_view(self, obj: Any, user: User) -> Any:  # pragma: no cover - every grant is full
        raise NotImplementedError


def register() -> None:
    from access_log.kinds import KINDS

    KINDS.setdefault(FileKind.VOLUNTEER, VolunteerFiles())
    KINDS.setdefault(FileKind.PERSONNEL, PersonnelFiles())
