"""Every migration of the access_log app up to 0011_purposes_after_merge, in one: a new database gets the same
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
import families.models
from homestart.append_only import append_only_triggers


# From 0004_append_only_triggers.
TABLES = ["access_log_accessevent", "access_log_recordofaccess", "access_log_contractorundertaking"]

FUNCTION = """
CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _0004_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the '%' placeholders belong to RAISE, not to the database driver.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();"
        )


def _0004_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS access_log_refuse_change();")


# From 0007_approvals_two_people.
# On PostgreSQL the database itself refuses to change or delete approvals, their decisions and
# the emergency notices (append-only, like the access log; reuses its trigger function).
APPEND_ONLY = ["access_log_approval", "access_log_approvaldecision", "access_log_approvalnotice"]


def _0007__triggers_on(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();"
        )


def _0007__triggers_off(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):

    replaces = [('access_log', '0001_initial'), ('access_log', '0002_initial'), ('access_log', '0003_alter_accessevent_file_kind_auditsession_and_more'), ('access_log', '0004_append_only_triggers'), ('access_log', '0005_access_event_list_action'), ('access_log', '0006_purpose_safeguarding_referral'), ('access_log', '0007_approvals_two_people'), ('access_log', '0006_samples_append_only'), ('access_log', '0008_merge_20261204_2315'), ('access_log', '0009_purposes_import_export'), ('access_log', '0009_purpose_retention'), ('access_log', '0010_merge_purposes'), ('access_log', '0011_purposes_after_merge')]

    dependencies = [
        ('families', '0005_drop_duplicate_permission_indexes'),
        ('homestart', '0001_initial'),
        ('homestart', '0005_hash_existing_recovery_codes'),
        ('homestart', '__first__'),
    ]

    operations = [
        CreateModels(
            migrations.CreateModel(
                name='Approval',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('kind', models.CharField(choices=[('disclosure', 'Disclosure without consent (§2.1, §7.4)'), ('transfer', 'Transfer to another scheme without consent (§9.3)'), ('external_request', 'Decision on a police or court request (§10.2, §10.3)'), ('case_study', 'Release of a case study (§3.3, §7.5)')], max_length=20)),
                    ('subject_id', models.UUIDField(blank=True, null=True)),
                    ('safeguarding', models.BooleanField(default=False)),
                    ('payload', homestart.fields.EncryptedTextField(verbose_name='what is asked')),
                    ('requested_role', models.CharField(max_length=32)),
                    ('requested_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='approvals', to='families.family')),
                    ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'ordering': ['-requested_at'],
                    'indexes': [models.Index(fields=['scheme', 'kind', '-requested_at'], name='approval_scheme_kind')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='ApprovalDecision',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('outcome', models.CharField(choices=[('approved', 'Approved'), ('refused', 'Refused'), ('emergency', 'Emergency: acted on alone')], max_length=16)),
                    ('decided_role', models.CharField(max_length=32)),
                    ('decided_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('reason', homestart.fields.EncryptedTextField(blank=True, verbose_name='reason')),
                    ('approval', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='access_log.approval')),
                    ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-decided_at'],
                },
            ),
            migrations.CreateModel(
                name='ApprovalNotice',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('emailed', models.BooleanField(default=False)),
                    ('approval', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notices', to='access_log.approval')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='approval_notices', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-created_at'],
                },
            ),
            migrations.CreateModel(
                name='AuditSession',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('coordinator_signed_name', models.CharField(max_length=200)),
                    ('opened_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('expires_at', models.DateTimeField(editable=False)),
                    ('closed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('auditor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audit_sessions', to=settings.AUTH_USER_MODEL)),
                    ('closed_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('opened_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audit_sessions', to='homestart.scheme')),
                ],
                options={
                    'ordering': ['-opened_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('opened_at'))), name='audit_window_positive')],
                },
            ),
            migrations.CreateModel(
                name='AuditSessionFile',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('file_kind', models.CharField(choices=[('family', 'Family file'), ('volunteer', 'Volunteer file'), ('personnel', 'Personnel file')], max_length=16)),
                    ('file_id', models.UUIDField()),
                    ('file_reference', models.CharField(max_length=32)),
                    ('session', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='access_log.auditsession')),
                ],
                options={
                    'ordering': ['file_reference'],
                    'indexes': [models.Index(fields=['file_kind', 'file_id'], name='audit_file')],
                    'constraints': [models.UniqueConstraint(fields=('session', 'file_kind', 'file_id'), name='audit_file_once')],
                },
            ),
            migrations.CreateModel(
                name='ContractorUndertaking',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('signed_name', models.CharField(max_length=200, verbose_name='name')),
                    ('organisation', models.CharField(blank=True, max_length=200)),
                    ('text', models.TextField()),
                    ('signed_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='undertakings', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-signed_at'],
                },
            ),
            migrations.CreateModel(
                name='HistoricalAuditSession',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('coordinator_signed_name', models.CharField(max_length=200)),
                    ('opened_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('expires_at', models.DateTimeField(editable=False)),
                    ('closed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('auditor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('closed_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('opened_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'verbose_name': 'historical audit session',
                    'verbose_name_plural': 'historical audit sessions',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalReview',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('kind', models.CharField(choices=[('spot_check', 'Trustee spot check'), ('quality_review', 'HSUK quality review')], max_length=16)),
                    ('opens_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('closes_at', models.DateTimeField()),
                    ('sample_size', models.PositiveSmallIntegerField()),
                    ('closed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('reviewer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'verbose_name': 'historical review',
                    'verbose_name_plural': 'historical reviews',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='Review',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('kind', models.CharField(choices=[('spot_check', 'Trustee spot check'), ('quality_review', 'HSUK quality review')], max_length=16)),
                    ('opens_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('closes_at', models.DateTimeField()),
                    ('sample_size', models.PositiveSmallIntegerField()),
                    ('closed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='homestart.scheme')),
                ],
                options={
                    'ordering': ['-opens_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='review_window_positive'), models.CheckConstraint(condition=models.Q(('sample_size__gte', 1)), name='review_sample_not_empty')],
                },
            ),
            migrations.CreateModel(
                name='RecordOfAccess',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('file_kind', models.CharField(choices=[('family', 'Family file'), ('volunteer', 'Volunteer file'), ('personnel', 'Personnel file')], max_length=16)),
                    ('file_id', models.UUIDField()),
                    ('file_reference', models.CharField(max_length=32)),
                    ('signed_name', models.CharField(max_length=200, verbose_name='name')),
                    ('role', models.CharField(max_length=32)),
                    ('purpose', models.CharField(choices=[('casework', 'Supporting the family'), ('supervision', 'Supervision'), ('spot_check', 'Spot check of files for a safeguarding audit (§9.1)'), ('quality_review', 'Quality assurance review (§8.3, §9.1)'), ('external_audit', "External audit, in the coordinator's presence (§10.1)"), ('administration', 'System administration under a confidentiality undertaking (§7.6)'), ('safeguarding_referral', "Referral to children's services by the safeguarding lead (§2.1)"), ('retention', 'Destruction at the end of the retention period (§8.8)'), ('import', "Bringing in the scheme's earlier records"), ('export', 'The scheme taking its own records out')], max_length=32)),
                    ('declaration', models.TextField()),
                    ('signed_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('audit_session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='access_log.auditsession')),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='records_of_access', to=settings.AUTH_USER_MODEL)),
                    ('witnessed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('review', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='access_log.review')),
                ],
                options={
                    'verbose_name': 'Record of Access signature',
                    'ordering': ['-signed_at', '-id'],
                    'indexes': [models.Index(fields=['file_kind', 'file_id', '-signed_at'], name='roa_file_at')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('review__isnull', True), ('audit_session__isnull', True), _connector='OR'), name='roa_one_occasion')],
                },
            ),
            migrations.CreateModel(
                name='SampledFile',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('file_kind', models.CharField(choices=[('family', 'Family file'), ('volunteer', 'Volunteer file'), ('personnel', 'Personnel file')], max_length=16)),
                    ('file_id', models.UUIDField()),
                    ('file_reference', models.CharField(max_length=32)),
                    ('review', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='access_log.review')),
                ],
                options={
                    'ordering': ['file_reference'],
                    'indexes': [models.Index(fields=['file_kind', 'file_id'], name='sample_file')],
                    'constraints': [models.UniqueConstraint(fields=('review', 'file_kind', 'file_id'), name='sample_file_once')],
                },
            ),
            migrations.CreateModel(
                name='AccessEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('role', models.CharField(blank=True, max_length=32)),
                    ('file_kind', models.CharField(choices=[('family', 'Family file'), ('volunteer', 'Volunteer file'), ('personnel', 'Personnel file')], max_length=16)),
                    ('file_id', models.UUIDField(null=True)),
                    ('file_reference', models.CharField(max_length=32)),
                    ('section', models.CharField(max_length=32)),
                    ('action', models.CharField(choices=[('view', 'Opened'), ('change', 'Changed'), ('create', 'Created'), ('export', 'Exported'), ('list', 'Listed, with names shown')], max_length=16)),
                    ('purpose', models.CharField(max_length=64)),
                    ('outcome', models.CharField(choices=[('allowed', 'Allowed'), ('refused', 'Refused')], max_length=16)),
                    ('reason', models.CharField(blank=True, max_length=64)),
                    ('request_id', models.CharField(blank=True, max_length=64)),
                    ('scheme', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                    ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='access_events', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-at', '-id'],
                    'indexes': [models.Index(fields=['file_kind', 'file_id', '-at'], name='access_file_at'), models.Index(fields=['user', '-at'], name='access_user_at')],
                },
            ),
        ),
        migrations.RunPython(_0004_forwards, _0004_backwards, elidable=False),
        migrations.RunPython(_0007__triggers_on, _0007__triggers_off, elidable=False),
        append_only_triggers('access_log_sampledfile', 'access_log_auditsessionfile'),
    ]
