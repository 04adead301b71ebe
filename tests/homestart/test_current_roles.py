"""One answer to "which roles does this person hold now?" (homestart.models.current_roles
and its thin callers has_role, role_in, roles_in, scheme_ids_where), on one definition
of a current membership (``Membership.objects.current()``): an ended membership or an
inactive account holds no role (§8.3)."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access_log import gate
from homestart import services
from homestart.models import (
    Membership,
    current_roles,
    has_role,
    role_in,
    roles_in,
    scheme_ids_where,
)
from homestart.request_cache import RequestCacheMiddleware
from homestart.rules import Role


@pytest.mark.policy("8.3")
def test_a_current_membership_is_a_current_role_here_and_nowhere_else(coordinator, wirral, sefton):
    assert current_roles(coordinator) == [(Role.COORDINATOR, wirral.pk)]
    assert has_role(coordinator, Role.COORDINATOR, scheme=wirral)
    assert has_role(coordinator, (Role.MANAGER, Role.COORDINATOR), scheme=wirral.pk)
    assert has_role(coordinator, Role.COORDINATOR)  # anywhere
    assert not has_role(coordinator, Role.COORDINATOR, scheme=sefton)
    assert not has_role(coordinator, Role.COORDINATOR, scheme=None)  # not a national role
    assert role_in(coordinator, (Role.MANAGER, Role.COORDINATOR), scheme=wirral) == Role.COORDINATOR
    assert roles_in(coordinator, wirral.pk) == ({Role.COORDINATOR}, set())
    assert scheme_ids_where(coordinator, Role.COORDINATOR) == {wirral.pk}


@pytest.mark.policy("8.3", "9.1")
def test_a_national_role_is_held_with_no_scheme(reviewer, wirral):
    assert has_role(reviewer, Role.REVIEWER, scheme=None)
    assert not has_role(reviewer, Role.REVIEWER, scheme=wirral)
    assert scheme_ids_where(reviewer, Role.REVIEWER) == set()


@pytest.mark.policy("8.3")
def test_an_ended_membership_is_no_current_role(family, coordinator, manager, wirral):
    membership = Membership.objects.current().get(user=coordinator, scheme=wirral)
    services.membership_end(membership=membership, actor=manager)
    assert current_roles(coordinator) == []
    assert not has_role(coordinator, Role.COORDINATOR)
    assert not Membership.objects.current().filter(user=coordinator).exists()
    assert Membership.objects.filter(user=coordinator).exists()  # kept, with its history
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=coordinator, reference=family.reference)


@pytest.mark.policy("8.3")
def test_an_inactive_account_holds_no_role_though_its_memberships_have_not_ended(family, coordinator, wirral):
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert current_roles(coordinator) == []
    assert not has_role(coordinator, Role.COORDINATOR, scheme=wirral)
    assert Membership.objects.not_ended().filter(user=coordinator).exists()  # restored on reactivation
    assert not Membership.objects.current().filter(user=coordinator).exists()
    assert coordinator not in Membership.objects.current().filter(scheme=wirral).holders()


@pytest.mark.policy("8.3")
def test_an_account_deactivated_elsewhere_holds_no_role_here(family, coordinator, wirral):
    """The copy of the person in this request still says active: the database decides."""
    type(coordinator).objects.filter(pk=coordinator.pk).update(is_active=False)
    assert not has_role(coordinator, Role.COORDINATOR, scheme=wirral)


@pytest.mark.policy("8.3")
def test_inside_a_request_the_roles_are_read_once_and_a_change_counts_at_once(coordinator, manager, wirral):
    seen = {}

    def view(request):
        with CaptureQueriesContext(connection) as queries:
            seen["before"] = (has_role(coordinator, Role.COORDINATOR), has_role(coordinator, Role.MANAGER))
        seen["queries"] = len(queries)
        membership = Membership.objects.current().get(user=coordinator, scheme=wirral)
        services.membership_end(membership=membership, actor=manager)
        seen["after"] = has_role(coordinator, Role.COORDINATOR)

    RequestCacheMiddleware(view)(object())
    assert seen == {"before": (True, False), "queries": 1, "after": False}


APPS = ("homestart", "access_log", "families", "consent", "safeguarding", "records", "reporting")
# An inline restatement of "current membership": the ended date tested outside the queryset.
INLINE = re.compile(r"memberships__ended_at__isnull|Membership\.objects\.filter\([^)]*ended_at__isnull")


def test_current_membership_is_defined_once():
    root = pathlib.Path(__file__).resolve().parents[2]
    copies = [
        f"{path.relative_to(root)}:{number}"
        for app in APPS
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert copies == []
