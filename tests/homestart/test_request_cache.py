"""Answers cached for one request only (homestart.request_cache): an access decision
is never made on what was true in an earlier request (§8.3)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access_log import gate
from homestart import security, services
from homestart.models import current_roles
from homestart.request_cache import RequestCacheMiddleware, memo
from homestart.rules import Role


@pytest.mark.policy("8.3")
def test_a_membership_ended_between_two_requests_counts_at_the_next_one(family, coordinator, manager, client_for):
    client = client_for(coordinator)
    url = reverse("families:detail", kwargs={"reference": family.reference})
    assert client.get(url).status_code == 200
    membership = coordinator.memberships.current().get(scheme=family.scheme, role=Role.COORDINATOR)
    services.membership_end(membership=membership, actor=manager)
    assert client.get(url).status_code == 404


@pytest.mark.policy("8.3")
def test_outside_a_request_nothing_is_cached(family, coordinator, manager):
    assert gate.open_family(user=coordinator, reference=family.reference)
    membership = coordinator.memberships.current().get(scheme=family.scheme, role=Role.COORDINATOR)
    services.membership_end(membership=membership, actor=manager)
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=coordinator, reference=family.reference)


def test_inside_a_request_roles_are_read_once(coordinator, db):
    seen = []

    def view(request):
        with CaptureQueriesContext(connection) as queries:
            first, second = current_roles(coordinator), current_roles(coordinator)
        seen.append((first, second, len(queries)))
        return None

    RequestCacheMiddleware(view)(object())
    first, second, count = seen[0]
    assert first == second and (Role.COORDINATOR, coordinator.memberships.get().scheme_id) in first
    assert count == 1
    # And the next request asks again.
    assert memo("anything", lambda: 1) == 1


@pytest.mark.policy("8.2")
def test_the_session_is_written_at_most_once_a_minute_but_idle_time_still_counts(family, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("families:dashboard")
    client.get(url)
    stamped = client.session[security.SESSION_LAST_SEEN]
    client.get(url)
    assert client.session[security.SESSION_LAST_SEEN] == stamped  # within the minute: not rewritten

    session = client.session
    session[security.SESSION_LAST_SEEN] = time.time() - 5 * 60
    session.save()
    client.get(url)
    assert client.session[security.SESSION_LAST_SEEN] > time.time() - 60  # activity after 5 minutes is recorded
