"""Writes to schemes, memberships and policy acknowledgements.

Membership services keep the scheme's staff group — which holds the object
permissions on the scheme's family files — in step with who is a coordinator
or manager (§8.3). Nothing else adds people to that group.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import request_cache
from .models import Membership, PolicyAcknowledgement, PolicyVersion, Role, Scheme, User

STAFF_ROLES = (Role.COORDINATOR, Role.MANAGER)


def _save(instance, *, actor: User | None, update_fields: list[str] | None = None) -> None:
    instance.full_clean()
    instance._history_user = actor
    instance.save(update_fields=update_fields)


@transaction.atomic
def scheme_create(*, name: str, code: str, actor: User | None) -> Scheme:
    scheme = Scheme(name=name, code=code)
    _save(scheme, actor=actor)
    return scheme_ensure_staff_group(scheme=scheme)


def scheme_ensure_staff_group(*, scheme: Scheme) -> Scheme:
    if scheme.staff_group_id is None:
        scheme.staff_group, _ = Group.objects.get_or_create(name=f"{scheme.code} family staff")
        scheme.save(update_fields=["staff_group"])
    return scheme


def _sync_staff_group(*, user: User, scheme: Scheme | None) -> None:
    if scheme is None:
        return
    scheme = scheme_ensure_staff_group(scheme=scheme)
    is_staff = Membership.objects.current().filter(user=user, scheme=scheme, role__in=STAFF_ROLES).exists()
    if is_staff:
        user.groups.add(scheme.staff_group)
    else:
        user.groups.remove(scheme.staff_group)


@transaction.atomic
def membership_add(
    *, user: User, scheme: Scheme | None, role: str, actor: User | None, line_manager: User | None = None
) -> Membership:
    if Membership.objects.filter(user=user, scheme=scheme, role=role, ended_at__isnull=True).exists():
        raise ValidationError({"role": "This person already holds this role here."})
    membership = Membership(user=user, scheme=scheme, role=role, line_manager=line_manager)
    _save(membership, actor=actor)
    _sync_staff_group(user=user, scheme=scheme)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor: User | None) -> Membership:
    if membership.ended_at is not None:
        raise ValidationError("This membership has already ended.")
    membership.ended_at = timezone.now()
    _save(membership, actor=actor, update_fields=["ended_at"])
    _sync_staff_group(user=membership.user, scheme=membership.scheme)
    return membership


def policy_acknowledge(*, user: User, version: PolicyVersion) -> PolicyAcknowledgement:
    acknowledgement, _ = PolicyAcknowledgement.objects.get_or_create(user=user, version=version)
    request_cache.forget(("policy_acknowledged", user.pk))
    return acknowledgement


def policy_ensure_published() -> PolicyVersion:
    """The current policy version, publishing the initial one if none exists."""
    from .policy_text import INITIAL_POLICY_PUBLISHED, INITIAL_POLICY_SUMMARY, INITIAL_POLICY_VERSION

    current = PolicyVersion.current()
    if current is None:
        current, _ = PolicyVersion.objects.get_or_create(
            version=INITIAL_POLICY_VERSION,
            defaults={"summary": INITIAL_POLICY_SUMMARY, "published_at": INITIAL_POLICY_PUBLISHED},
        )
    return current
