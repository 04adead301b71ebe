"""On PostgreSQL the access log becomes a table partitioned by month (access_log/partitions.py,
§9.1): a national installation writes tens of millions of events a year, and a month past its
retention period is dropped whole instead of row by row. SQLite keeps its ordinary table.

The table is rebuilt under the same name, columns, index and constraint names: the events
are copied into monthly partitions (from the oldest event's month to a few months ahead,
and a catch-all partition), the primary key becomes (id, at) (PostgreSQL requires the
partition key in it; ids still come from one sequence), and the append-only trigger is
put back on the parent, which every partition inherits. Run ``grant_app_role`` after this
migration, as after every one: it narrows the application's role on the new table.

Going back leaves the partitioned table in place: it serves the same model."""

from django.db import migrations

TABLE = "access_log_accessevent"
OLD = f"{TABLE}_unpartitioned"


UNIQUE_ID_FUNCTION = f"""
CREATE OR REPLACE FUNCTION access_log_unique_id() RETURNS trigger AS $$
DECLARE
    drawn bigint;
BEGIN
    -- The owner (a restore) writes back events that were unique when they were taken.
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;
    END IF;
    BEGIN
        drawn := currval('{TABLE}_id_seq');
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        drawn := NULL;  -- no id drawn in this session yet: this one was given
    END;
    -- The id this session has just drawn from the sequence, not yet written: a new event.
    IF NEW.id = drawn AND NEW.id::text IS DISTINCT FROM current_setting('access_log.last_id', true) THEN
        PERFORM set_config('access_log.last_id', NEW.id::text, false);
        RETURN NEW;
    END IF;
    -- An id named by the insert: refused if any month holds it.
    IF EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) THEN
        RAISE EXCEPTION 'duplicate access event id %', NEW.id USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from access_log import partitions

    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        if cursor.fetchone()[0] == "p":
            return
        # The old table, its indexes and constraints step aside under other names.
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(%s)",
            [TABLE],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'f'",
            [TABLE],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        for name in indexes:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {name[:50]}_old")
        cursor.execute(f"SELECT min(at), coalesce(max(id), 0) FROM {OLD}")  # noqa: S608
        oldest, last_id = cursor.fetchone()

        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS) PARTITION BY RANGE (at)")
        cursor.execute(f"CREATE TABLE {partitions.DEFAULT} PARTITION OF {TABLE} DEFAULT")
        # Events dated after the last month created (none, normally) wait in the catch-all.
        partitions.ensure_months(since=oldest, connection=connection)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")  # noqa: S608
        cursor.execute(f"DROP TABLE {OLD}")

        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id START WITH {last_id + 1}")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)")
        cursor.execute(f"CREATE INDEX access_file_at ON {TABLE} (file_kind, file_id, at DESC)")
        cursor.execute(f"CREATE INDEX access_user_at ON {TABLE} (user_id, at DESC)")
        for name in indexes:
            if name.startswith(f"{TABLE}_scheme_id") or name.startswith(f"{TABLE}_user_id"):
                column = "scheme_id" if "_scheme_id" in name else "user_id"
                cursor.execute(f"CREATE INDEX {name} ON {TABLE} ({column})")
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change()"
        )
        # The primary key holds (id, at): an id is unique only with its time. An event's id is
        # drawn from the sequence by the insert itself (checked in constant time); an insert
        # that names an id (a copy, a forgery of an existing event with another time) is
        # refused if any month holds that id already, as the unpartitioned table's key
        # refused it (§9.1). Looking in every month costs one index probe a month: only
        # inserts naming an id pay it, never the gate's.
        cursor.execute(UNIQUE_ID_FUNCTION, None)
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_unique_id BEFORE INSERT ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION access_log_unique_id()"
        )
        # The application's role, if it was granted before: the same as on the old table
        # (grant_app_role, run after every migrate, narrows it to SELECT and INSERT).
        cursor.execute(
            "SELECT DISTINCT grantee FROM information_schema.table_privileges "
            "WHERE table_schema = current_schema() AND table_name = %s AND grantee <> current_user",
            [TABLE],
        )
        for (grantee,) in cursor.fetchall():
            cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM "{grantee}"')


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("access_log", "0011_purposes_after_merge")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
