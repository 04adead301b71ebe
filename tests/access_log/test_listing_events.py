"""A list's access events, written when no transaction is open (a page of the family list
on PostgreSQL or SQLite in production): one INSERT, an event for every family listed
(§9.1), and no BEGIN/COMMIT of its own (issue 18: two round trips on every list page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access_log import gate
from access_log.models import AccessEvent
from homestart.rules import Action, FileKind, Outcome, Role
from tests.factories import make_family


# A test that commits ends by emptying every table, which only the owner may do on PostgreSQL
# (the application's role has no TRUNCATE): ``database_owner`` first, as the other such tests.
@pytest.mark.policy("9.1")
def test_a_list_outside_a_transaction_records_every_family_listed_in_one_insert(
    database_owner, transactional_db, wirral, coordinator
):
    families = [make_family(wirral, coordinator) for _ in range(3)]
    assert not connection.in_atomic_block  # as a page is served: no transaction open
    with CaptureQueriesContext(connection) as captured:
        gate.record_listing(user=coordinator, kind=FileKind.FAMILY, objs=families, roles={wirral.pk: Role.COORDINATOR})
    statements = [q["sql"] for q in captured]
    assert len(statements) == 1 and statements[0].startswith("INSERT"), statements
    events = AccessEvent.objects.filter(action=Action.LIST, user=coordinator)
    assert sorted(e.file_reference for e in events) == sorted(f.reference for f in families)
    assert {(e.role, e.outcome, e.scheme_id) for e in events} == {(Role.COORDINATOR, Outcome.ALLOWED, wirral.pk)}
