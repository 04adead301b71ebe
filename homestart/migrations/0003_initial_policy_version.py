"""The Confidentiality Policy in force when the system was introduced (July 2016).

Every installation starts with it published, so nobody can open a record before
acknowledging it (§3.1, §4.1, §5.1)."""

from django.db import migrations

from homestart.policy_text import INITIAL_POLICY_SUMMARY as SUMMARY
from homestart.policy_text import INITIAL_POLICY_VERSION, INITIAL_POLICY_PUBLISHED


def forwards(apps, schema_editor):
    PolicyVersion = apps.get_model("homestart", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        version=INITIAL_POLICY_VERSION,
        defaults={"summary": SUMMARY, "published_at": INITIAL_POLICY_PUBLISHED},
    )


class Migration(migrations.Migration):
    dependencies = [("homestart", "0002_historicalpolicyversion_policyacknowledgement_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
