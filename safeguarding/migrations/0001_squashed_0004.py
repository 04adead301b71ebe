"""Every migration of the safeguarding app up to 0004_merge_20261205_0546, in one: a new database gets the same
schema and rows with far fewer operations to render. A database that applied the old
migrations is treated as having applied this one (replaces). The old files can be deleted
once every installation has migrated past them."""

import django.db.models.deletion
import django.utils.timezone
import homestart.fields
import homestart.models
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models

from homestart.migration_operations import CreateModels


class Migration(migrations.Migration):

    replaces = [('safeguarding', '0001_initial'), ('safeguarding', '0002_concerns_carried_with_transfers'), ('safeguarding', '0003_concern_child_and_time'), ('safeguarding', '0003_choice_labels_in_words'), ('safeguarding', '0004_merge_20261205_0546')]

    dependencies = [
        ('families', '0003_alter_family_options_familygroupobjectpermission_and_more'),
        ('families', '0007_support_episode_append_only'),
        ('homestart', '0003_initial_policy_version'),
        ('homestart', '__first__'),
    ]

    operations = [
        CreateModels(
            migrations.CreateModel(
                name='Concern',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('category', models.CharField(choices=[('neglect', 'Neglect'), ('physical', 'Physical abuse'), ('emotional', 'Emotional abuse'), ('sexual', 'Sexual abuse'), ('cse', 'Child sexual exploitation'), ('domestic_abuse', 'Domestic abuse'), ('vulnerable_adult', 'Concern for a vulnerable adult'), ('other', "Other concern for a child's welfare or safety")], max_length=20)),
                    ('observed', homestart.fields.EncryptedTextField(verbose_name='what was seen or said')),
                    ('observed_on', models.DateField(verbose_name='when it was seen or said')),
                    ('raised_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('status', models.CharField(choices=[('open', 'Open'), ('referred', 'Referred to the local authority'), ('closed', 'Closed')], default='open', max_length=16)),
                    ('referred_on', models.DateField(blank=True, null=True, verbose_name='date referred to the local authority')),
                    ('la_reference', homestart.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='local authority reference')),
                    ('closed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='concerns', to='families.family')),
                    ('raised_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('carried_from', homestart.fields.EncryptedCharField(blank=True, editable=False, max_length=300, verbose_name='carried with the file from')),
                    ('about_child', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='families.member', verbose_name='child it is about')),
                    ('observed_at', models.TimeField(blank=True, null=True, verbose_name='time it was seen or said')),
                ],
                options={
                    'ordering': ['-raised_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('status', 'referred'), _negated=True), ('referred_on__isnull', False), _connector='OR'), name='concern_referred_has_date'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), ('closed_at__isnull', False), _connector='OR'), name='concern_closed_has_time')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='ConcernAction',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('action', homestart.fields.EncryptedTextField(verbose_name='what was done')),
                    ('taken_on', models.DateField(verbose_name='date')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('concern', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='actions', to='safeguarding.concern')),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='families.family')),
                    ('taken_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('carried_from', homestart.fields.EncryptedCharField(blank=True, editable=False, max_length=300, verbose_name='carried with the file from')),
                ],
                options={
                    'ordering': ['taken_on', 'created_at'],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='ExternalRequest',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('kind', models.CharField(choices=[('police', 'Police request'), ('court', 'Court proceedings')], max_length=8)),
                    ('received_on', models.DateField(verbose_name='date received')),
                    ('requester', homestart.fields.EncryptedCharField(help_text='Name, rank or court, and contact.', max_length=200, verbose_name='who asked')),
                    ('details', homestart.fields.EncryptedTextField(verbose_name='what was asked for')),
                    ('order_reference', homestart.fields.EncryptedCharField(blank=True, max_length=200, verbose_name='subpoena or court order reference')),
                    ('order_made_on', homestart.fields.EncryptedDateField(blank=True, null=True, verbose_name='date of the order')),
                    ('has_order', models.BooleanField(default=False, verbose_name='a subpoena or court order is recorded')),
                    ('logged_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('decision', models.CharField(choices=[('pending', 'Awaiting a decision'), ('refused', 'Nothing passed on'), ('disclosed', 'Information passed on')], default='pending', max_length=12)),
                    ('basis', models.CharField(blank=True, max_length=24, verbose_name='basis')),
                    ('decision_reason', homestart.fields.EncryptedTextField(blank=True, verbose_name='reasons for the decision')),
                    ('decided_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('decided_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='external_requests', to='families.family')),
                    ('logged_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-received_on', '-logged_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('decision', 'disclosed'), _negated=True), models.Q(('basis', ''), _negated=True), _connector='OR'), name='request_disclosed_has_basis'), models.CheckConstraint(condition=models.Q(models.Q(('decision', 'disclosed'), ('kind', 'court'), _negated=True), models.Q(('basis', 'court_order'), ('has_order', True)), _connector='OR'), name='court_evidence_only_under_order'), models.CheckConstraint(condition=models.Q(models.Q(('basis', 'court_order'), _negated=True), ('has_order', True), _connector='OR'), name='court_order_basis_needs_order'), models.CheckConstraint(condition=models.Q(('decision', 'pending'), ('decided_at__isnull', False), _connector='OR'), name='request_decision_has_time')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalConcern',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('category', models.CharField(choices=[('neglect', 'Neglect'), ('physical', 'Physical abuse'), ('emotional', 'Emotional abuse'), ('sexual', 'Sexual abuse'), ('cse', 'Child sexual exploitation'), ('domestic_abuse', 'Domestic abuse'), ('vulnerable_adult', 'Concern for a vulnerable adult'), ('other', "Other concern for a child's welfare or safety")], max_length=20)),
                    ('observed', homestart.fields.EncryptedTextField(verbose_name='what was seen or said')),
                    ('observed_on', models.DateField(verbose_name='when it was seen or said')),
                    ('raised_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('status', models.CharField(choices=[('open', 'Open'), ('referred', 'Referred to the local authority'), ('closed', 'Closed')], default='open', max_length=16)),
                    ('referred_on', models.DateField(blank=True, null=True, verbose_name='date referred to the local authority')),
                    ('la_reference', homestart.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='local authority reference')),
                    ('closed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('raised_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('carried_from', homestart.fields.EncryptedCharField(blank=True, editable=False, max_length=300, verbose_name='carried with the file from')),
                    ('about_child', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.member', verbose_name='child it is about')),
                    ('observed_at', models.TimeField(blank=True, null=True, verbose_name='time it was seen or said')),
                ],
                options={
                    'verbose_name': 'historical concern',
                    'verbose_name_plural': 'historical concerns',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalConcernAction',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('action', homestart.fields.EncryptedTextField(verbose_name='what was done')),
                    ('taken_on', models.DateField(verbose_name='date')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('concern', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='safeguarding.concern')),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('taken_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('carried_from', homestart.fields.EncryptedCharField(blank=True, editable=False, max_length=300, verbose_name='carried with the file from')),
                ],
                options={
                    'verbose_name': 'historical concern action',
                    'verbose_name_plural': 'historical concern actions',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalExternalRequest',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('kind', models.CharField(choices=[('police', 'Police request'), ('court', 'Court proceedings')], max_length=8)),
                    ('received_on', models.DateField(verbose_name='date received')),
                    ('requester', homestart.fields.EncryptedCharField(help_text='Name, rank or court, and contact.', max_length=200, verbose_name='who asked')),
                    ('details', homestart.fields.EncryptedTextField(verbose_name='what was asked for')),
                    ('order_reference', homestart.fields.EncryptedCharField(blank=True, max_length=200, verbose_name='subpoena or court order reference')),
                    ('order_made_on', homestart.fields.EncryptedDateField(blank=True, null=True, verbose_name='date of the order')),
                    ('has_order', models.BooleanField(default=False, verbose_name='a subpoena or court order is recorded')),
                    ('logged_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('decision', models.CharField(choices=[('pending', 'Awaiting a decision'), ('refused', 'Nothing passed on'), ('disclosed', 'Information passed on')], default='pending', max_length=12)),
                    ('basis', models.CharField(blank=True, max_length=24, verbose_name='basis')),
                    ('decision_reason', homestart.fields.EncryptedTextField(blank=True, verbose_name='reasons for the decision')),
                    ('decided_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('decided_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('logged_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical external request',
                    'verbose_name_plural': 'historical external requests',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalTrusteeNotice',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('kind', models.CharField(choices=[('police', 'Police request'), ('court', 'Court proceedings')], max_length=8)),
                    ('received_on', models.DateField()),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('emailed_to', models.PositiveIntegerField(default=0, help_text='How many trustees were emailed.')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('request', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='safeguarding.externalrequest')),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'verbose_name': 'historical trustee notice',
                    'verbose_name_plural': 'historical trustee notices',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='TrusteeNotice',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('kind', models.CharField(choices=[('police', 'Police request'), ('court', 'Court proceedings')], max_length=8)),
                    ('received_on', models.DateField()),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('emailed_to', models.PositiveIntegerField(default=0, help_text='How many trustees were emailed.')),
                    ('request', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='trustee_notice', to='safeguarding.externalrequest')),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='trustee_notices', to='homestart.scheme')),
                ],
                options={
                    'ordering': ['-created_at'],
                },
            ),
        ),
    ]
