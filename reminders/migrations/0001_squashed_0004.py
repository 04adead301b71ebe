"""Every migration of the reminders app up to 0004_reminder_kinds_together, in one: a new database gets the same
schema and rows with far fewer operations to render. A database that applied the old
migrations is treated as having applied this one (replaces). The old files can be deleted
once every installation has migrated past them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from homestart.migration_operations import CreateModels
from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):

    replaces = [('reminders', '0001_initial'), ('reminders', '0002_planned_visit_reminders'), ('reminders', '0002_dbs_and_training_renewals'), ('reminders', '0003_merge_20261205_0546'), ('reminders', '0004_reminder_kinds_together')]

    dependencies = [
        ('homestart', '__first__'),
    ]

    operations = [
        CreateModels(
            migrations.CreateModel(
                name='ReminderSent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('consent_review', 'Consent review'), ('subject_access', 'Subject access deadline'), ('breach', 'Breach: the 72-hour clock'), ('retention', 'File due for retention'), ('approval', 'Approval waiting'), ('access_request', 'Access request waiting'), ('planned_visit', 'Planned visit tomorrow'), ('visit_overdue', 'Planned visit not recorded'), ('dbs_renewal', 'DBS check due for renewal'), ('training_renewal', 'Training due for renewal')], max_length=20)),
                    ('key', models.CharField(max_length=120)),
                    ('sent_on', models.DateField()),
                    ('sent_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'reminder sent',
                    'verbose_name_plural': 'reminders sent',
                    'ordering': ['-sent_at'],
                    'constraints': [models.UniqueConstraint(fields=('person', 'key'), name='reminder_sent_once')],
                },
            ),
        ),
        append_only_triggers('reminders_remindersent'),
    ]
