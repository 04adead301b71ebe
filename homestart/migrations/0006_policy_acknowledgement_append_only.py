"""Policy acknowledgements are a register: on PostgreSQL the database refuses to change
or delete who acknowledged which version of the policy, and when (§3.1, §4.1, §5.1)."""

from django.db import migrations

from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("homestart", "0005_hash_existing_recovery_codes")]

    operations = [append_only_triggers("homestart_policyacknowledgement")]
