"""On PostgreSQL, the database itself refuses to change or delete report events: the
record of who read Board minutes, confidential items and consultations, and who
exported statistics, cannot be rewritten (§3.7, §8.9). Reuses the access log's
trigger function."""

from django.db import migrations

TABLE = "reporting_reportevent"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial"), ("access_log", "0004_append_only_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
