"""The disclosure register becomes append-only: corrections are new entries that
point to the entry they correct, and PostgreSQL refuses UPDATE and DELETE."""


import django.db.models.deletion
from django.db import migrations, models

from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0002_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='disclosure',
            name='corrects',
            field=models.ForeignKey(blank=True, help_text='The earlier entry this one puts right; that entry stays in the register, unchanged.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='consent.disclosure'),
        ),
        migrations.AddField(
            model_name='historicaldisclosure',
            name='corrects',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The earlier entry this one puts right; that entry stays in the register, unchanged.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='consent.disclosure'),
        ),
        # The disclosure register had no trigger: one UPDATE could rewrite it (§1.5, §2.2, §7.4).
        append_only_triggers("consent_disclosure"),
    ]
