"""Two PostgreSQL roles: the application's role cannot switch the registers' protection off
(docs/security.md, "Two database roles"; §1.5, §8.8, §9.1).

These run on PostgreSQL with TEST_APP_ROLE set (``.ci/run`` sets homestart_app): the suite
is then connected as that role, as the web application is in production. On SQLite, and
on PostgreSQL as the owner, they are skipped."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from homestart.append_only import append_only_tables
from homestart.db_roles import RoleError, grant_app_role
from tests.conftest import TEST_APP_ROLE

as_app_role = pytest.mark.skipif(
    connection.vendor != "postgresql" or not TEST_APP_ROLE,
    reason="PostgreSQL, connected as the application's role (TEST_APP_ROLE)",
)
pytestmark = pytest.mark.policy("9.1", "8.8", "1.5")


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refused.value)


@as_app_role
def test_the_suite_is_connected_as_the_application_role_which_is_neither_superuser_nor_owner(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() "
            "AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        owned = cursor.fetchone()[0]
    assert (user, superuser, owned) == (TEST_APP_ROLE, False, 0)


@as_app_role
@pytest.mark.parametrize("table", append_only_tables())
def test_the_application_role_cannot_update_delete_or_truncate_a_register(table, db):
    assert "permission denied" in _refused(f"UPDATE {table} SET id = id")  # noqa: S608
    assert "permission denied" in _refused(f"DELETE FROM {table}")  # noqa: S608
    assert "permission denied" in _refused(f"TRUNCATE {table}")


@as_app_role
@pytest.mark.parametrize("table", append_only_tables())
def test_the_application_role_cannot_disable_a_registers_trigger(table, db):
    assert "must be owner" in _refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "must be owner" in _refused(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    assert "must be owner" in _refused(f"DROP TRIGGER {table}_append_only ON {table}")


@as_app_role
def test_the_application_role_cannot_switch_triggers_off_for_its_session(db):
    assert "permission denied" in _refused("SET session_replication_role = replica")
    assert "permission denied" in _refused("SET ROLE postgres")
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


@as_app_role
@pytest.mark.parametrize("table", ["families_family", "homestart_user", "django_session"])
def test_the_application_role_cannot_truncate_any_table(table, db):
    assert "permission denied" in _refused(f"TRUNCATE {table} CASCADE")


@as_app_role
def test_the_application_role_still_writes_ordinary_tables(coordinator):
    coordinator.first_name = "Changed"
    coordinator.save(update_fields=["first_name"])
    coordinator.refresh_from_db()
    assert coordinator.first_name == "Changed"


@as_app_role
def test_grant_app_role_grants_exactly_what_the_application_needs(database_owner, db):
    grant_app_role(TEST_APP_ROLE)  # again, after a migrate: nothing changes, nothing fails
    with connection.cursor() as cursor:

        def may(table: str, privilege: str) -> bool:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [TEST_APP_ROLE, table, privilege])
            return cursor.fetchone()[0]

        for table in append_only_tables():
            assert may(table, "SELECT") and may(table, "INSERT")
            assert not any(may(table, p) for p in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"))
        assert all(may("families_family", p) for p in ("SELECT", "INSERT", "UPDATE", "DELETE"))
        assert not may("families_family", "TRUNCATE")
        cursor.execute("SELECT has_schema_privilege(%s, current_schema(), 'CREATE')", [TEST_APP_ROLE])
        assert cursor.fetchone()[0] is False


@as_app_role
def test_grant_app_role_refuses_the_owner_and_odd_names(database_owner, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="must not be the role that owns the tables"):
        call_command("grant_app_role", "--role", owner)
    with pytest.raises(RoleError, match="lower-case letters"):
        grant_app_role('app"; DROP TABLE families_family; --')
    with pytest.raises(CommandError, match="There is no role"):
        call_command("grant_app_role", "--role", "homestart_nobody_by_that_name")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_grant_app_role_says_there_is_nothing_to_grant_on_sqlite(db):
    with pytest.raises(CommandError, match="for PostgreSQL"):
        call_command("grant_app_role")
