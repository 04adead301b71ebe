"""Two PostgreSQL roles: the owner, who migrates, and the application, which may not
rewrite a register (docs/security.md, "Two database roles").

The owner of the tables can TRUNCATE them, disable their triggers and (as a
superuser) switch triggers off for a session with ``session_replication_role``:
the append-only triggers of ``homestart.append_only`` would then stop nothing. So
the web application connects as a second role that

* owns nothing and is not a superuser, nor a member of the owner's role;
* has SELECT, INSERT, UPDATE and DELETE on the tables, and only SELECT and INSERT
  on the registers (``AppendOnlyModel``), no TRUNCATE, REFERENCES or TRIGGER;
* has nothing on the partitions of a partitioned register (the access log's months),
  which it reads and appends through the parent table;
* has USAGE and SELECT on the sequences (new rows' ids), and CONNECT on the
  database and USAGE on the schema; nothing else.

``grant_app_role`` gives exactly that, and sets the owner's default privileges so
that tables created by later migrations are granted too (registers added later
are narrowed when it is run again: run it after every ``migrate``).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

from .append_only import append_only_tables

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(Exception):
    """The role cannot be used as the application's role."""


def _quote(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise RoleError("Use a role name of lower-case letters, digits and underscores, for example homestart_app.")
    return f'"{name}"'


def grant_app_role(role: str, *, create: bool = False, connection: Any = default_connection) -> list[str]:
    """Grant ``role`` what the application needs and nothing more; returns the statements run.

    Run as the owner of the tables (the role that runs ``migrate``). Refuses a role
    that is a superuser, owns tables or may act as the owner."""
    if connection.vendor != "postgresql":
        raise RoleError("Database roles are for PostgreSQL; on SQLite there is nothing to grant.")
    quoted = _quote(role)
    statements: list[str] = []
    # One transaction: a refusal or an error leaves the grants as they were.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if role == owner:
            raise RoleError("The application's role must not be the role that owns the tables and runs migrations.")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            if not create:
                raise RoleError(f"There is no role {role}: create it (or run again with --create).")
            statement = f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
            cursor.execute(statement)
            statements.append(statement)
        elif found[0]:
            raise RoleError(f"{role} is a superuser: it could switch the registers' triggers off.")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND pg_get_userbyid(c.relowner) = %s",
            [schema, role],
        )
        if cursor.fetchone()[0]:
            raise RoleError(f"{role} owns tables: an owner can truncate them and disable their triggers.")
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
        if cursor.fetchone()[0]:
            raise RoleError(f"{role} is a member of {owner}: it could act as the owner.")
        schema_q, database_q, owner_q = (connection.ops.quote_name(n) for n in (schema, database, owner))
        tables = "ALL TABLES IN SCHEMA " + schema_q
        sequences = "ALL SEQUENCES IN SCHEMA " + schema_q
        grants = [
            f"GRANT CONNECT ON DATABASE {database_q} TO {quoted}",
            f"GRANT USAGE ON SCHEMA {schema_q} TO {quoted}",
            f"REVOKE CREATE ON SCHEMA {schema_q} FROM {quoted}",
            f"REVOKE ALL ON {tables} FROM {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {quoted}",
            *(
                f"REVOKE UPDATE, DELETE ON {connection.ops.quote_name(table)} FROM {quoted}"
                for table in append_only_tables()
            ),
            f"REVOKE ALL ON {sequences} FROM {quoted}",
            f"GRANT USAGE, SELECT ON {sequences} TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        ]
        for statement in grants:
            cursor.execute(statement)
        # A partitioned register (the access log, by month: access_log/partitions.py) is read
        # and appended through its parent; its partitions themselves are the owner's alone.
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s) ORDER BY c.relname",
            [append_only_tables()],
        )
        for (partition,) in cursor.fetchall():
            statement = f"REVOKE ALL ON {connection.ops.quote_name(partition)} FROM {quoted}"
            cursor.execute(statement)
            grants.append(statement)
    return statements + grants
