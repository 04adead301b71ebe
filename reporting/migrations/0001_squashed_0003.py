"""Every migration of the reporting app up to 0003_case_study_consent_label_in_words, in one: a new database gets the same
schema and rows with far fewer operations to render. A database that applied the old
migrations is treated as having applied this one (replaces). The old files can be deleted
once every installation has migrated past them."""

import django.db.models.deletion
import django.utils.timezone
import families.models
import homestart.fields
import homestart.models
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models

from homestart.migration_operations import CreateModels


# From 0002_report_event_append_only.
TABLE = "reporting_reportevent"


def _0002_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();"
    )


def _0002_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):

    replaces = [('reporting', '0001_initial'), ('reporting', '0002_report_event_append_only'), ('reporting', '0003_case_study_consent_label_in_words')]

    dependencies = [
        ('access_log', '0004_append_only_triggers'),
        ('families', '0004_issue6_groups'),
        ('homestart', '0003_initial_policy_version'),
        ('homestart', '__first__'),
    ]

    operations = [
        CreateModels(
            migrations.CreateModel(
                name='BoardMeeting',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('held_on', models.DateField(verbose_name='date of meeting')),
                    ('minutes', models.TextField(help_text='The open minutes. Minute personnel and sensitive operational matters as a confidential item instead (§3.7).', verbose_name='minutes')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_meetings', to='homestart.scheme')),
                    ('shared_with', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-held_on'],
                },
            ),
            migrations.CreateModel(
                name='ConfidentialItem',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('subject', models.CharField(help_text='A neutral subject, for example: staffing matter.', max_length=120)),
                    ('text', homestart.fields.EncryptedTextField(verbose_name='confidential minute')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('circulation', models.ManyToManyField(related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('data_key', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.datakey')),
                    ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='confidential_items', to='reporting.boardmeeting')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['created_at'],
                },
                bases=(families.models.OwnKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalBoardMeeting',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('held_on', models.DateField(verbose_name='date of meeting')),
                    ('minutes', models.TextField(help_text='The open minutes. Minute personnel and sensitive operational matters as a confidential item instead (§3.7).', verbose_name='minutes')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'verbose_name': 'historical board meeting',
                    'verbose_name_plural': 'historical board meetings',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalBoardMeeting_shared_with',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('boardmeeting', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reporting.boardmeeting')),
                    ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='reporting.historicalboardmeeting')),
                    ('user', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'HistoricalBoardMeeting_shared_with',
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalCaseStudy',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('title', models.CharField(help_text='A title with no name or place in it.', max_length=120)),
                    ('draft', homestart.fields.EncryptedTextField(verbose_name='case study')),
                    ('family_consented', models.BooleanField(verbose_name='the family consented to this use of their story')),
                    ('consent_recorded_on', models.DateField(verbose_name='date the family gave consent')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('released', 'Released')], default='draft', max_length=16)),
                    ('released_text', models.TextField(blank=True, editable=False)),
                    ('released_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('released_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                    ('written_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical case study',
                    'verbose_name_plural': 'historical case studies',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalConfidentialItem',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('subject', models.CharField(help_text='A neutral subject, for example: staffing matter.', max_length=120)),
                    ('text', homestart.fields.EncryptedTextField(verbose_name='confidential minute')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('data_key', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.datakey')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reporting.boardmeeting')),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical confidential item',
                    'verbose_name_plural': 'historical confidential items',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, families.models.OwnKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalConfidentialItem_circulation',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('confidentialitem', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reporting.confidentialitem')),
                    ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='reporting.historicalconfidentialitem')),
                    ('user', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'HistoricalConfidentialItem_circulation',
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalSafeguardingConsultation',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('summary', homestart.fields.EncryptedTextField(verbose_name='de-identified summary')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('data_key', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.datakey')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                    ('shared_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('shared_with', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical safeguarding consultation',
                    'verbose_name_plural': 'historical safeguarding consultations',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, families.models.OwnKey, models.Model),
            ),
            migrations.CreateModel(
                name='ReportEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('kind', models.CharField(choices=[('statistics_export', 'Statistics exported (CSV)'), ('minutes_read', 'Minutes read'), ('confidential_item_read', 'Confidential item read'), ('consultation_read', 'Safeguarding consultation read')], max_length=32)),
                    ('object_id', models.UUIDField(blank=True, null=True)),
                    ('detail', models.CharField(blank=True, help_text='For an export: the recipient and period.', max_length=200)),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_events', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-at'],
                },
            ),
            migrations.CreateModel(
                name='SafeguardingConsultation',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('summary', homestart.fields.EncryptedTextField(verbose_name='de-identified summary')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('data_key', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.datakey')),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                    ('shared_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('shared_with', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-created_at'],
                },
                bases=(families.models.OwnKey, models.Model),
            ),
            migrations.CreateModel(
                name='CaseStudy',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('title', models.CharField(help_text='A title with no name or place in it.', max_length=120)),
                    ('draft', homestart.fields.EncryptedTextField(verbose_name='case study')),
                    ('family_consented', models.BooleanField(verbose_name='the family consented to this use of their story')),
                    ('consent_recorded_on', models.DateField(verbose_name='date the family gave consent')),
                    ('status', models.CharField(choices=[('draft', 'Draft'), ('released', 'Released')], default='draft', max_length=16)),
                    ('released_text', models.TextField(blank=True, editable=False)),
                    ('released_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_studies', to='families.family')),
                    ('released_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_studies', to='homestart.scheme')),
                    ('written_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name_plural': 'case studies',
                    'ordering': ['-created_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('family_consented', True)), name='case_study_requires_consent'), models.CheckConstraint(condition=models.Q(models.Q(('released_at__isnull', True), ('status', 'draft')), models.Q(('released_at__isnull', False), ('released_by__isnull', False), ('status', 'released')), _connector='OR'), name='case_study_release_recorded')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
        ),
        migrations.RunPython(_0002_forwards, _0002_backwards, elidable=False),
    ]
