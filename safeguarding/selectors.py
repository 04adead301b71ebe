"""Reads that depend on who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from access_log.gate import FileAccess
from access_log.kinds import KINDS
from families.models import Family, Member
from homestart.errors import AccessRefused
from homestart.history import Source
from homestart.models import Membership, User
from homestart.rules import FileKind, Purpose, Role

from .models import Concern, ConcernAction, ExternalRequest, TrusteeNotice


def concerns_for(*, access: FileAccess) -> QuerySet[Concern]:
    """A family's concerns: a volunteer sees only what they raised themselves, never the actions (§2, §8.5)."""
    concerns = Concern.objects.filter(family=access.target).select_related(
        "family__data_key", "raised_by", "about_child__family__data_key"
    )
    if access.role == Role.VOLUNTEER:
        return concerns.filter(raised_by=access.user)
    actions = ConcernAction.objects.select_related("family__data_key", "taken_by")
    return concerns.prefetch_related(Prefetch("actions", queryset=actions))


def child_label(member: Member, *, role: str, today: datetime.date) -> str:
    """How a concern names a child, for who is asking: the safeguarding lead sees a child's
    age, not the name (names are identifying details, §2.1); the volunteer, the first name
    (as on their view of the file, §8.5); the scheme's staff, the full name."""
    age = member.age_on(today)
    if role == Role.SAFEGUARDING_LEAD:
        if age is None:
            return gettext("A child of unknown age")
        return ngettext("The child aged %(age)d", "The child aged %(age)d", age) % {"age": age}
    if role == Role.VOLUNTEER:
        return member.first_name
    return f"{member.first_name} {member.last_name}".strip()


def children_for_concern(*, access: FileAccess) -> dict[str, tuple[Member, str]]:
    """The family's children a concern may be about, by id: (member, how to name them to the asker)."""
    today = timezone.localdate()
    children = Member.objects.filter(family=access.target, kind=Member.Kind.CHILD).select_related("family__data_key")
    members = sorted(children, key=lambda m: (m.date_of_birth or today, m.first_name))
    return {str(m.pk): (m, child_label(m, role=access.role, today=today)) for m in members}


def requests_for(*, access: FileAccess) -> QuerySet[ExternalRequest]:
    if access.role == Role.VOLUNTEER:
        return ExternalRequest.objects.none()
    return ExternalRequest.objects.filter(family=access.target).select_related(
        "family__data_key", "logged_by", "decided_by"
    )


def _lead_or_staff_families(user: User) -> Q:
    """Families whose safeguarding section the user opens as lead or staff (the gate's rules as one condition)."""
    lead = Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"), role=Role.SAFEGUARDING_LEAD)
    return KINDS[FileKind.FAMILY].staff_filter(user) | Exists(lead)


def open_concerns_for(*, user: User) -> QuerySet[Concern]:
    """The safeguarding overview: concerns not closed, by family reference; no free text is shown."""
    families = Family.objects.filter(_lead_or_staff_families(user))
    return (
        Concern.objects.exclude(status=Concern.Status.CLOSED)
        .filter(Exists(families.filter(pk=OuterRef("family"))))
        .select_related("family", "raised_by")
        .order_by("-raised_at")
    )


def pending_requests_for(*, user: User) -> QuerySet[ExternalRequest]:
    families = Family.objects.filter(_lead_or_staff_families(user))
    return (
        ExternalRequest.objects.filter(decision=ExternalRequest.Decision.PENDING)
        .filter(Exists(families.filter(pk=OuterRef("family"))))
        .select_related("family")
        .order_by("received_on")
    )


def trustee_notices_for(*, user: User) -> QuerySet[TrusteeNotice]:
    """Police and court requests the trustees are told of (§10.3): no personal data, not even references."""
    trustee = Membership.objects.current().filter(user=user, scheme=OuterRef("scheme"), role=Role.TRUSTEE)
    return TrusteeNotice.objects.filter(Exists(trustee)).select_related("scheme", "request")


# What a volunteer sees of a concern they raised (the concern page): what they recorded.
# What was done about it — status, referral, actions — is not theirs to see (§2, §8.5),
# so its changes are left out of their history rather than shown as "changed".
VOLUNTEER_CONCERN_FIELDS = frozenset({"category", "observed", "observed_on", "raised_by", "raised_at"})


def concern_history(*, access: FileAccess, concern: Concern) -> list[Source]:
    """Where a concern's history comes from: the concern and, for those who handle it, its actions."""
    key = ("family", access.target)
    if access.role == Role.VOLUNTEER:
        hidden = {f.name for f in Concern._meta.concrete_fields} - VOLUNTEER_CONCERN_FIELDS
        return [Source(Concern.history.filter(id=concern.pk), gettext("Concern"), key=key, exclude=hidden)]
    return [
        Source(Concern.history.filter(id=concern.pk), gettext("Concern"), key=key, exclude={"family"}),
        Source(
            ConcernAction.history.filter(concern_id=concern.pk),
            gettext("Action on the concern"),
            key=key,
            exclude={"family", "concern", "created_at"},
        ),
    ]


def request_history(*, access: FileAccess, external: ExternalRequest) -> list[Source]:
    """Where a police or court request's history comes from (§10.2, §10.3). The basis holds a
    legal basis of the disclosure register: its labels come from there, never the code."""
    register = ExternalRequest._meta.get_field("disclosures").related_model
    return [
        Source(
            ExternalRequest.history.filter(id=external.pk),
            lambda row: row.get_kind_display(),
            key=("family", access.target),
            exclude={"family"},
            choices={"basis": register._meta.get_field("basis").flatchoices},
        ),
    ]


def has_open_concern(family: Family) -> bool:
    """A concern about the family is open (not closed): the gate asks this (§2.1)."""
    return Concern.objects.filter(family=family).exclude(status=Concern.Status.CLOSED).exists()


@dataclass(frozen=True)
class IdentifyingDetails:
    """What a referral to children's services needs, and nothing more of the file (§2.1):
    the members' names, dates of birth and relationships, the address and the contact."""

    reference: str
    members: list[Member]
    address: str
    postcode: str
    phone: str


def identifying_details_for(*, access: FileAccess) -> IdentifyingDetails:
    """Only for a file opened for a stated safeguarding referral (the gate decided it)."""
    if access.purpose != Purpose.SAFEGUARDING_REFERRAL:
        raise AccessRefused("Open the identifying details for a stated purpose.")
    family = access.target
    members = list(
        Member.objects.filter(family=family).select_related("family__data_key").order_by("kind", "created_at")
    )
    return IdentifyingDetails(
        reference=family.reference,
        members=members,
        address=family.address,
        postcode=family.postcode,
        phone=family.phone,
    )
