"""Reads about people that depend on who asks: the scheme's induction register (§3.8)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import INDUCTED_ROLES, Induction, Membership, PolicyAcknowledgement, PolicyVersion, Scheme, User
from .rules import Role

# Who reads a scheme's induction register: its manager and coordinators, who induct, and its
# trustees, who ensure that the policy is kept throughout the scheme (§3.8).
INDUCTION_READERS = (Role.MANAGER, Role.COORDINATOR, Role.TRUSTEE, Role.SPOT_CHECK_TRUSTEE)


def induction_schemes_for(*, user: User) -> QuerySet[Scheme]:
    """The schemes whose induction register this person reads."""
    return (
        Scheme.objects.filter(
            memberships__in=Membership.objects.current().filter(user=user, role__in=INDUCTION_READERS)
        )
        .distinct()
        .order_by("name")
    )


@dataclass
class InductionLine:
    """One person of the scheme, in one capacity: their roles, latest induction and acknowledgement."""

    person: User
    inducted_as: str
    roles: list[str]
    latest: Induction | None
    acknowledged_at: datetime.datetime | None
    current_version: PolicyVersion | None

    @property
    def label(self) -> str:
        return str(Induction.As(self.inducted_as).label)

    @property
    def on_current_policy(self) -> bool:
        return self.latest is not None and self.latest.policy_version_id == getattr(self.current_version, "pk", None)


def induction_register(*, scheme: Scheme) -> list[InductionLine]:
    """Everyone who holds a role in the scheme now, as trustee, member of staff or volunteer, with
    their latest induction there and when they acknowledged the current policy (three queries)."""
    current = PolicyVersion.current()
    memberships = (
        Membership.objects.current()
        .filter(scheme=scheme)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    latest: dict[tuple[int, str], Induction] = {}
    for induction in Induction.objects.filter(scheme=scheme).select_related("inducted_by", "policy_version"):
        latest.setdefault((induction.person_id, induction.inducted_as), induction)  # newest first (Meta.ordering)
    acknowledged = dict(
        PolicyAcknowledgement.objects.filter(version=current).values_list("user_id", "acknowledged_at")
        if current
        else []
    )
    lines: dict[tuple[int, str], InductionLine] = {}
    for membership in memberships:
        for kind, roles in INDUCTED_ROLES.items():
            if membership.role not in roles:
                continue
            key = (membership.user_id, kind)
            if key not in lines:
                lines[key] = InductionLine(
                    person=membership.user,
                    inducted_as=kind,
                    roles=[],
                    latest=latest.get(key),
                    acknowledged_at=acknowledged.get(membership.user_id),
                    current_version=current,
                )
            lines[key].roles.append(membership.get_role_display())
    order: list[str] = list(Induction.As)
    return sorted(lines.values(), key=lambda line: order.index(line.inducted_as))
