"""On PostgreSQL, the database itself refuses to change or delete access events,
Record of Access signatures and contractor undertakings: even a bug or a raw SQL
statement in the application cannot rewrite who opened which file (§9.1).

TRUNCATE is not covered by row triggers; in production the application's
database role should not own these tables (see README, production notes)."""

from django.db import migrations

TABLES = ["access_log_accessevent", "access_log_recordofaccess", "access_log_contractorundertaking"]

FUNCTION = """
CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the '%' placeholders belong to RAISE, not to the database driver.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS access_log_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("access_log", "0003_alter_accessevent_file_kind_auditsession_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
