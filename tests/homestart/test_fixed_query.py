"""The questions every page asks, compiled once (homestart/fixed_query.py), answer exactly as
the querysets they stand for, on SQLite and PostgreSQL alike (the suite runs on both): whose
session is current, who the person is, which roles a person holds now (§8.3), whether they hold a second factor
(§8.2: tests/homestart/test_security.py) and whether they acknowledged the policy in force (§3.1, §4.1, §5.1)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homestart import services as people_services
from homestart.fixed_query import FixedQuery
from homestart.models import (
    Membership,
    PolicyAcknowledgement,
    PolicyVersion,
    Role,
    current_roles,
    has_acknowledged_current_policy,
)
from homestart.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.policy("8.2", "8.3")


def test_it_runs_the_sql_the_orm_writes_and_converts_rows_as_the_orm_does(db):
    expires = timezone.now() + datetime.timedelta(hours=1)
    Session.objects.create(session_key="k" * 32, session_data="data", expire_date=expires)
    query = FixedQuery(
        lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list(
            "session_key", "expire_date"
        ),
        key=Session._meta.get_field("session_key"),
        now=Session._meta.get_field("expire_date"),
    )
    now = timezone.now()
    with CaptureQueriesContext(connection) as orm:
        expected = list(
            Session.objects.filter(session_key="k" * 32, expire_date__gt=now).values_list("session_key", "expire_date")
        )
    with CaptureQueriesContext(connection) as fixed:
        found = query.rows(key="k" * 32, now=now)
    assert found == expected == [("k" * 32, expires)]
    assert isinstance(found[0][1], datetime.datetime) and timezone.is_aware(found[0][1])
    assert [q["sql"] for q in fixed.captured_queries] == [q["sql"] for q in orm.captured_queries]
    assert query.rows(key="k" * 32, now=expires) == [], "a later moment is a new value, not the first one's"
    assert query.rows(key="x" * 32, now=now) == []


def test_it_builds_and_compiles_once_per_database(db):
    built = []

    def build(user_id):
        built.append(user_id)
        return Membership.objects.filter(user_id=user_id).values_list("role")

    query = FixedQuery(build, user_id=Membership._meta.get_field("user"))
    for user_id in (1, 2, 3):
        query.rows(user_id=user_id)
    assert len(built) == 1 and built[0] < 0, "built once, with a stand-in value"

    # A server that starts a thread for each request (runserver) has a new connection each time:
    # the compilation is the database's, so nothing is built again and nothing piles up.
    answers = []

    def request_in_a_thread_of_its_own() -> None:
        try:
            answers.append(query.rows(user_id=4))
        finally:
            connections.close_all()

    for _ in range(3):
        thread = threading.Thread(target=request_in_a_thread_of_its_own)
        thread.start()
        thread.join()
    assert answers == [[], [], []], "each thread asked and was answered"
    assert len(built) == 1 and list(query._compiled) == ["default"]


def test_a_value_the_query_does_not_use_is_refused_when_compiled(db):
    query = FixedQuery(
        lambda user_id: Membership.objects.values_list("role"), user_id=Membership._meta.get_field("user")
    )
    with pytest.raises(ValueError, match="'user_id' is not a parameter"):
        query.rows(user_id=1)


def test_a_value_that_would_change_the_sql_is_refused(db):
    query = FixedQuery(
        lambda user_id: Membership.objects.filter(user_id=user_id).values_list("role"),
        user_id=Membership._meta.get_field("user"),
    )
    assert query.rows(user_id=1) == []
    with pytest.raises(ValueError, match="'user_id' is None"):
        query.rows(user_id=None)


def test_current_roles_are_the_current_memberships_of_an_active_account(wirral, sefton):
    person = UserFactory(username="roles")
    assert current_roles(person) == []
    people_services.membership_grant_at_setup(user=person, scheme=wirral, role=Role.COORDINATOR)
    people_services.membership_grant_at_setup(user=person, scheme=None, role=Role.REVIEWER)
    ended = people_services.membership_grant_at_setup(user=person, scheme=sefton, role=Role.VOLUNTEER)
    Membership.objects.filter(pk=ended.pk).update(ended_at=timezone.now())
    expected = set(Membership.objects.current().filter(user=person).values_list("role", "scheme_id"))
    assert set(current_roles(person)) == expected == {(Role.COORDINATOR, wirral.pk), (Role.REVIEWER, None)}
    assert current_roles(UserFactory(username="nobody")) == []
    person.is_active = False
    assert current_roles(person) == []
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    person.is_active = True  # the account as the database holds it decides
    assert current_roles(person) == []


def test_the_policy_acknowledged_is_the_one_in_force(db):
    first = PolicyVersion.objects.create(version="test-1", published_at=timezone.now() - datetime.timedelta(days=2))
    person = UserFactory(username="reader", inducted=False)
    assert not has_acknowledged_current_policy(person)
    PolicyAcknowledgement.objects.create(user=person, version=first)
    assert has_acknowledged_current_policy(person)
    second = PolicyVersion.objects.create(version="test-2", published_at=timezone.now() - datetime.timedelta(days=1))
    assert not has_acknowledged_current_policy(person), "a newer version is in force"
    PolicyVersion.objects.create(version="test-3", published_at=timezone.now() + datetime.timedelta(days=1))
    PolicyAcknowledgement.objects.create(user=person, version=second)
    assert has_acknowledged_current_policy(person), "a version published tomorrow is not in force today"
    assert not has_acknowledged_current_policy(UserFactory(username="other", inducted=False))


def test_a_session_reads_until_it_expires(db):
    store = SessionStore()
    store["said"] = "hello"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"said": "hello"}
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None, "an expired session is never saved again under its key"
    assert SessionStore("n" * 32).load() == {}


def test_a_person_found_by_key_is_the_person_the_orm_finds(db, monkeypatch):
    """Django's sign-in finds the person of the session with ``User.objects.get(pk=...)`` on
    every request: answered by the compiled query, one statement, the same row and fields."""
    from django.contrib.auth import get_user_model

    User = get_user_model()  # noqa: N806 - a model class
    person = UserFactory(username="found", first_name="Ffion", last_name="Pritchard", language="cy")
    with CaptureQueriesContext(connection) as orm:
        expected = User.objects.filter(pk=person.pk).get()
    from homestart import models as homestart_models

    asked = []
    compiled = homestart_models._PERSON.rows
    monkeypatch.setattr(homestart_models._PERSON, "rows", lambda *a, **k: asked.append(k) or compiled(*a, **k))
    with CaptureQueriesContext(connection) as fixed:
        found = User.objects.get(pk=person.pk)
    assert asked == [{"pk": person.pk}], "the compiled query answered"
    assert len(fixed.captured_queries) == len(orm.captured_queries) == 1
    assert type(found) is User and not found._state.adding and found._state.db == "default"
    assert {f.attname: getattr(found, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
    }
    assert User.objects.get(pk=str(person.pk)) == person
    assert User.objects.get(username="found") == person, "any other question goes through the ORM"
    with pytest.raises(User.DoesNotExist, match="User matching query does not exist"):
        User.objects.get(pk=person.pk + 1000)


def test_a_migrations_historical_model_of_people_asks_the_orm(db):
    from django.db.migrations.executor import MigrationExecutor

    person = UserFactory(username="historical")
    state = MigrationExecutor(connection).loader.project_state(("homestart", "0001_squashed_0013"))
    Historical = state.apps.get_model("homestart", "User")  # noqa: N806 - a model class
    found = Historical.objects.get(pk=person.pk)
    assert type(found) is Historical and found.username == "historical"
