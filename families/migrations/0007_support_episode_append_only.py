"""Each closing and reopening of support is kept as written: on PostgreSQL a trigger refuses
UPDATE and DELETE of the record, as for every other register (§8.8, homestart.append_only)."""

from django.db import migrations

from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("families", "0006_close_and_reopen_support")]

    operations = [append_only_triggers("families_supportepisodeevent")]
