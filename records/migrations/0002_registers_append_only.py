"""Subject access releases (the records app's disclosures, §8.7) and destruction
certificates (§8.8) are registers: on PostgreSQL the database refuses UPDATE and DELETE."""

from django.db import migrations

from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [append_only_triggers("records_disclosure", "records_destructioncertificate")]
