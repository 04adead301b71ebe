"""Registers nobody can rewrite: the database half of ``homestart.models.AppendOnlyModel``.

Every register and log (disclosures, destruction certificates, policy
acknowledgements, Record of Access signatures, contractor undertakings, access
and report events, review samples, audit-session files) subclasses
``AppendOnlyModel``, which refuses changes in the ORM. On PostgreSQL a trigger on
each of their tables refuses UPDATE and DELETE as well, whatever SQL is sent; a
migration adds it with::

    from homestart.append_only import append_only_triggers

    operations = [append_only_triggers("consent_disclosure")]

TRUNCATE and ``ALTER TABLE … DISABLE TRIGGER`` are not stopped by a row trigger:
they are stopped by privileges. The application connects as a role that is not
the tables' owner and is not a superuser, with SELECT and INSERT only on these
tables (``manage.py grant_app_role``; docs/security.md, "Two database roles").
"""

from __future__ import annotations

from django.apps import apps
from django.db import migrations

# One function for every register's trigger. The access log's first trigger
# function (``access_log_refuse_change``, migration access_log 0004) does the same.
FUNCTION_NAME = "homestart_refuse_change"
FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


def create_trigger_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER {trigger_name(table)} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION_NAME}();"
    )


def drop_trigger_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table};"


def append_only_triggers(*tables: str) -> migrations.RunPython:
    """A migration operation that makes PostgreSQL refuse UPDATE and DELETE on each
    table (nothing on other databases: the ORM refuses there). Reversible."""

    def forwards(apps_, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        # No parameters: the '%' placeholders belong to RAISE, not to the database driver.
        schema_editor.execute(FUNCTION_SQL, params=None)
        for table in tables:
            schema_editor.execute(drop_trigger_sql(table))
            schema_editor.execute(create_trigger_sql(table))

    def backwards(apps_, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(drop_trigger_sql(table))

    return migrations.RunPython(forwards, backwards, elidable=False)


def append_only_models() -> list[type]:
    """Every installed register and log: the concrete subclasses of ``AppendOnlyModel``."""
    from .models import AppendOnlyModel

    return [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


def append_only_tables() -> list[str]:
    return sorted(m._meta.db_table for m in append_only_models())


def __getattr__(name: str):
    """``AppendOnlyModel``, ``AppendOnlyQuerySet`` and ``AppendOnlyError`` are defined in
    ``homestart.models`` (every register's base); they may be imported from here too."""
    if name in {"AppendOnlyModel", "AppendOnlyQuerySet", "AppendOnlyError"}:
        from . import models  # models are loaded by then; importing here keeps migrations light

        return getattr(models, name)
    raise AttributeError(name)
