"""Every migration of the homestart app up to 0013_person_language, in one: a new database gets the same
schema and rows with far fewer operations to render. A database that applied the old
migrations is treated as having applied this one (replaces). The old files can be deleted
once every installation has migrated past them."""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models

from homestart.migration_operations import CreateModels
from homestart.policy_text import INITIAL_POLICY_SUMMARY as SUMMARY
from homestart.policy_text import INITIAL_POLICY_VERSION, INITIAL_POLICY_PUBLISHED
from homestart.append_only import append_only_triggers


# From 0003_initial_policy_version.
def _0003_forwards(apps, schema_editor):
    PolicyVersion = apps.get_model("homestart", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        version=INITIAL_POLICY_VERSION,
        defaults={"summary": SUMMARY, "published_at": INITIAL_POLICY_PUBLISHED},
    )


class Migration(migrations.Migration):

    replaces = [('homestart', '0001_initial'), ('homestart', '0002_historicalpolicyversion_policyacknowledgement_and_more'), ('homestart', '0003_initial_policy_version'), ('homestart', '0004_recovery_codes_hashed'), ('homestart', '0005_hash_existing_recovery_codes'), ('homestart', '0006_datakey_keys_to_key_store'), ('homestart', '0007_datakey_drop_wrapped_column'), ('homestart', '0006_two_person_access_requests'), ('homestart', '0006_policy_acknowledgement_append_only'), ('homestart', '0008_merge_20261204_2315'), ('homestart', '0009_access_requests_append_only'), ('homestart', '0006_form_submission_tokens'), ('homestart', '0010_merge_20261204_2319'), ('homestart', '0011_induction'), ('homestart', '0011_access_request_email'), ('homestart', '0012_merge_0011_access_request_email_0011_induction'), ('homestart', '0013_person_language')]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        CreateModels(
            migrations.CreateModel(
                name='DataKey',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('master_key_id', models.CharField(blank=True, max_length=16)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('destroyed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ],
            ),
            migrations.CreateModel(
                name='User',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('password', models.CharField(max_length=128, verbose_name='password')),
                    ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                    ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                    ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                    ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                    ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                    ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                    ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                    ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                    ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                    ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                    ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
                    ('language', models.CharField(blank=True, choices=[('en-gb', 'English'), ('cy', 'Cymraeg')], default='', max_length=8, verbose_name='language')),
                ],
                options={
                    'verbose_name': 'user',
                    'verbose_name_plural': 'users',
                    'abstract': False,
                },
                managers=[
                    ('objects', django.contrib.auth.models.UserManager()),
                ],
            ),
            migrations.CreateModel(
                name='FormSubmission',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('token', models.CharField(max_length=64, unique=True)),
                    ('url', models.CharField(blank=True, max_length=500, verbose_name='where the first submission led')),
                    ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
            ),
            migrations.CreateModel(
                name='HistoricalPolicyVersion',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('version', models.CharField(db_index=True, help_text='For example: July 2016.', max_length=32)),
                    ('summary', models.TextField(help_text='What changed, and the main points everyone must know.')),
                    ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical policy version',
                    'verbose_name_plural': 'historical policy versions',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalScheme',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('name', models.CharField(db_index=True, max_length=200)),
                    ('code', models.CharField(db_index=True, help_text='Short code used in family references, for example WIR.', max_length=5, validators=[django.core.validators.RegexValidator('^[A-Z]{2,5}$', 'Use 2 to 5 capital letters, for example WIR.')])),
                    ('next_family_number', models.PositiveIntegerField(default=1, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('staff_group', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='auth.group')),
                ],
                options={
                    'verbose_name': 'historical scheme',
                    'verbose_name_plural': 'historical schemes',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalUser',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                    ('username', models.CharField(db_index=True, error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                    ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                    ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                    ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                    ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                    ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                    ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('language', models.CharField(blank=True, choices=[('en-gb', 'English'), ('cy', 'Cymraeg')], default='', max_length=8, verbose_name='language')),
                ],
                options={
                    'verbose_name': 'historical user',
                    'verbose_name_plural': 'historical users',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='PolicyVersion',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.CharField(help_text='For example: July 2016.', max_length=32, unique=True)),
                    ('summary', models.TextField(help_text='What changed, and the main points everyone must know.')),
                    ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-published_at'],
                    'get_latest_by': 'published_at',
                },
            ),
            migrations.CreateModel(
                name='RecoveryCodeDevice',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                    ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                    ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                    ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                    ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='RecoveryCode',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('digest', models.CharField(max_length=256)),
                    ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='homestart.recoverycodedevice')),
                ],
            ),
            migrations.CreateModel(
                name='Scheme',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=200, unique=True)),
                    ('code', models.CharField(help_text='Short code used in family references, for example WIR.', max_length=5, unique=True, validators=[django.core.validators.RegexValidator('^[A-Z]{2,5}$', 'Use 2 to 5 capital letters, for example WIR.')])),
                    ('next_family_number', models.PositiveIntegerField(default=1, editable=False)),
                    ('staff_group', models.OneToOneField(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff_of_scheme', to='auth.group')),
                ],
                options={
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Induction',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('inducted_as', models.CharField(choices=[('trustee', 'Trustee'), ('staff', 'Member of staff'), ('volunteer', 'Volunteer')], max_length=16, verbose_name='inducted as')),
                    ('inducted_on', models.DateField(verbose_name='date of the induction')),
                    ('policy_given', models.BooleanField(default=False, verbose_name='given the policy and procedure')),
                    ('duty_explained', models.BooleanField(default=False, verbose_name='told to keep confidentiality at all times')),
                    ('peer_support_explained', models.BooleanField(default=False, verbose_name='given the peer-support guidance')),
                    ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('inducted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='inductions', to=settings.AUTH_USER_MODEL)),
                    ('policy_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.policyversion')),
                    ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='inductions', to='homestart.scheme')),
                ],
                options={
                    'ordering': ['-inducted_on', '-recorded_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('duty_explained', True), ('policy_given', True)), name='induction_gives_policy_and_duty'), models.CheckConstraint(condition=models.Q(models.Q(('inducted_as', 'volunteer'), _negated=True), ('peer_support_explained', True), _connector='OR'), name='induction_of_volunteer_gives_peer_support_guidance'), models.CheckConstraint(condition=models.Q(('person', models.F('inducted_by')), _negated=True), name='induction_not_by_oneself')],
                },
            ),
            migrations.CreateModel(
                name='HistoricalInduction',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('inducted_as', models.CharField(choices=[('trustee', 'Trustee'), ('staff', 'Member of staff'), ('volunteer', 'Volunteer')], max_length=16, verbose_name='inducted as')),
                    ('inducted_on', models.DateField(verbose_name='date of the induction')),
                    ('policy_given', models.BooleanField(default=False, verbose_name='given the policy and procedure')),
                    ('duty_explained', models.BooleanField(default=False, verbose_name='told to keep confidentiality at all times')),
                    ('peer_support_explained', models.BooleanField(default=False, verbose_name='given the peer-support guidance')),
                    ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('inducted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('policy_version', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.policyversion')),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'verbose_name': 'historical induction',
                    'verbose_name_plural': 'historical inductions',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='PolicyAcknowledgement',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('acknowledged_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='policy_acknowledgements', to=settings.AUTH_USER_MODEL)),
                    ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acknowledgements', to='homestart.policyversion')),
                ],
                options={
                    'constraints': [models.UniqueConstraint(fields=('user', 'version'), name='acknowledge_once')],
                },
            ),
            migrations.CreateModel(
                name='Membership',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('coordinator', 'Coordinator'), ('manager', 'Scheme manager'), ('safeguarding_lead', 'Safeguarding lead'), ('volunteer', 'Volunteer'), ('trustee', 'Trustee'), ('spot_check_trustee', 'Trustee responsible for spot checks'), ('reviewer', 'HSUK reviewer'), ('auditor', 'External auditor'), ('admin', 'Administrator')], max_length=32)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('line_manager', models.ForeignKey(blank=True, help_text='Who supervises this person in this role (§4.2, §8.4).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='line_reports', to=settings.AUTH_USER_MODEL)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='homestart.scheme')),
                    ('ended_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ],
                options={
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('role__in', ('reviewer', 'admin')), ('scheme__isnull', True)), models.Q(models.Q(('role__in', ('reviewer', 'admin')), _negated=True), ('scheme__isnull', False)), _connector='OR'), name='membership_scheme_matches_role'), models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('user', 'scheme', 'role'), name='membership_unique_role'), models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True), ('scheme__isnull', True)), fields=('user', 'role'), name='membership_unique_national_role')],
                },
            ),
            migrations.CreateModel(
                name='AccessRequest',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('membership', 'A role'), ('line_manager', 'A line manager'), ('reactivation', 'Signing in again (account reactivated)'), ('email', 'A new e-mail address')], max_length=16)),
                    ('role', models.CharField(blank=True, choices=[('coordinator', 'Coordinator'), ('manager', 'Scheme manager'), ('safeguarding_lead', 'Safeguarding lead'), ('volunteer', 'Volunteer'), ('trustee', 'Trustee'), ('spot_check_trustee', 'Trustee responsible for spot checks'), ('reviewer', 'HSUK reviewer'), ('auditor', 'External auditor'), ('admin', 'Administrator')], max_length=32)),
                    ('reason', models.TextField(blank=True, help_text='Why this access is needed.')),
                    ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('expires_at', models.DateTimeField()),
                    ('at_setup', models.BooleanField(default=False, help_text='Granted when the installation was set up.')),
                    ('for_membership', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='line_manager_requests', to='homestart.membership')),
                    ('line_manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='access_requests', to=settings.AUTH_USER_MODEL)),
                    ('email', models.EmailField(blank=True, max_length=254)),
                ],
                options={
                    'ordering': ['-requested_at', '-id'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('at_setup', True), ('requested_by__isnull', False), _connector='OR'), name='access_request_has_requester'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'membership'), _negated=True), models.Q(('role', ''), _negated=True), _connector='OR'), name='access_request_membership_has_role'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'email'), _negated=True), models.Q(('email', ''), _negated=True), _connector='OR'), name='access_request_email_has_address')],
                },
            ),
            migrations.CreateModel(
                name='HistoricalMembership',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('role', models.CharField(choices=[('coordinator', 'Coordinator'), ('manager', 'Scheme manager'), ('safeguarding_lead', 'Safeguarding lead'), ('volunteer', 'Volunteer'), ('trustee', 'Trustee'), ('spot_check_trustee', 'Trustee responsible for spot checks'), ('reviewer', 'HSUK reviewer'), ('auditor', 'External auditor'), ('admin', 'Administrator')], max_length=32)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('line_manager', models.ForeignKey(blank=True, db_constraint=False, help_text='Who supervises this person in this role (§4.2, §8.4).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                    ('ended_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('grant', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.accessrequest')),
                ],
                options={
                    'verbose_name': 'historical membership',
                    'verbose_name_plural': 'historical memberships',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='AccessDecision',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('outcome', models.CharField(choices=[('approved', 'Approved'), ('refused', 'Refused')], max_length=16)),
                    ('decided_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('reason', models.TextField(blank=True)),
                    ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('request', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='homestart.accessrequest')),
                ],
                options={
                    'ordering': ['-decided_at', '-id'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'refused'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='access_refusal_has_reason')],
                },
            ),
        ),
        migrations.AddField(
            model_name='membership',
            name='grant',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='membership', to='homestart.accessrequest'),
        ),
        migrations.RunPython(_0003_forwards, migrations.RunPython.noop, elidable=False),
        append_only_triggers('homestart_policyacknowledgement'),
        append_only_triggers('homestart_accessrequest', 'homestart_accessdecision'),
    ]
