"""The files drawn into a review's sample (§9.1) and the files named for an audit
session (§10.1) are fixed once chosen: on PostgreSQL the database refuses UPDATE and DELETE."""

from django.db import migrations

from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("access_log", "0005_access_event_list_action")]

    operations = [append_only_triggers("access_log_sampledfile", "access_log_auditsessionfile")]
