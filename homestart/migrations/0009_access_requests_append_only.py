"""Access requests and their decisions are registers: on PostgreSQL a trigger refuses
UPDATE and DELETE, as for every other register (§8.3, homestart.append_only)."""

from django.db import migrations

from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("homestart", "0008_merge_20261204_2315")]

    operations = [append_only_triggers("homestart_accessrequest", "homestart_accessdecision")]
