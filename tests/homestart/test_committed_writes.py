"""A committed write is never reported as a failure, and a slow query never drops the
connection (§8.2: records kept accurately; the coordinator must not open a file twice)."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import DatabaseError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from families import selectors
from families.models import Family
from homestart.views import server_error
from tests.families.test_referral import referral_form
from tests.helpers import keep_migrated_data_after_flush

keep_migrated_data_after_flush()

SORRY = "Sorry, there is a problem with the service"


def _session_save_fails(monkeypatch, error: Exception) -> None:
    def fail(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(Session, "save", fail)


@pytest.mark.policy("8.2")
def test_a_new_family_committed_before_the_connection_dropped_is_not_reported_as_bad_request(
    wirral, coordinator, client_for, monkeypatch
):
    """The database session store turned any error while saving the session, after the
    view had committed the family, into "Bad Request (400)"; the coordinator sent the
    form again and opened a second file."""
    client = client_for(coordinator)
    _session_save_fails(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    response = client.post(reverse("families:new"), referral_form(wirral))
    family = Family.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("families:detail", kwargs={"reference": family.reference})


def test_a_session_really_deleted_meanwhile_is_still_refused(wirral, coordinator, client_for, monkeypatch):
    """Signed out in another tab while the form was being sent: Django's refusal stands."""
    client = client_for(coordinator)
    _session_save_fails(monkeypatch, DatabaseError("Forced update did not affect any rows."))
    response = client.post(reverse("families:new"), referral_form(wirral))
    assert response.status_code == 400


def test_the_error_handler_answers_503_when_the_database_is_lost(rf):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and SORRY in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")


@postgresql_only
def test_a_query_past_the_statement_timeout_answers_the_error_page_in_time(
    database_owner, transactional_db, wirral, coordinator, monkeypatch
):
    # Real commits; emptying the tables afterwards is the owner's right (docs/security.md).
    def slow(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return Family.objects.none()

    monkeypatch.setattr(selectors, "family_page_for_staff", slow)  # the families list (by key, issue 18)
    client = Client()
    client.force_login(coordinator)
    options = connection.settings_dict["OPTIONS"]
    before = options["options"]
    connection.close()
    options["options"] = f"{before} -c statement_timeout=200"  # as DATABASE_STATEMENT_TIMEOUT writes it
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "200ms"
        started = time.monotonic()
        response = client.get(reverse("families:dashboard"))
        elapsed = time.monotonic() - started
    finally:
        options["options"] = before
        connection.close()
    assert response.status_code == 503 and SORRY in response.content.decode()
    assert response["Retry-After"] == "30"
    assert elapsed < 3, "cancelled at the timeout, not after the 5-second sleep"
