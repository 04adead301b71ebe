"""Every migration of the consent app up to 0005_choice_labels_in_words, in one: a new database gets the same
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
from homestart.append_only import append_only_triggers


class Migration(migrations.Migration):

    replaces = [('consent', '0001_initial'), ('consent', '0002_initial'), ('consent', '0003_disclosure_made_by_approval'), ('consent', '0003_disclosure_corrects_append_only'), ('consent', '0004_merge_20261204_2315'), ('consent', '0005_choice_labels_in_words')]

    dependencies = [
        ('access_log', '0007_approvals_two_people'),
        ('families', '0003_alter_family_options_familygroupobjectpermission_and_more'),
        ('homestart', '0003_initial_policy_version'),
        ('homestart', '__first__'),
        ('safeguarding', '0001_initial'),
    ]

    operations = [
        CreateModels(
            migrations.CreateModel(
                name='Consent',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('scope', models.CharField(choices=[('general', 'General information about the kind and level of support'), ('specific', 'Specific information'), ('self_referral', 'That a self-referred family asked for support, and general information'), ('multi_agency', 'Additional information for local multi-agency arrangements'), ('transfer', 'Information for a new Home-Start scheme')], max_length=16)),
                    ('recipient_kind', models.CharField(choices=[('referrer', 'The referrer'), ('agency', 'An agency currently involved with the family'), ('health_visitor', 'The health visitor'), ('new_scheme', 'A new Home-Start scheme'), ('childrens_services', "Children's services (local authority)"), ('police', 'The police'), ('court', 'A court')], max_length=20, verbose_name='recipient')),
                    ('recipient_name', homestart.fields.EncryptedCharField(blank=True, help_text='Required for an agency or a new scheme; leave blank to mean the referrer or health visitor.', max_length=200, verbose_name='name of the agency or person')),
                    ('method', models.CharField(choices=[('verbal', 'Verbally'), ('written', 'In writing')], max_length=8)),
                    ('given_on', models.DateField(verbose_name='date given')),
                    ('review_on', models.DateField(verbose_name='review by')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('withdrawn_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('withdrawn_on', models.DateField(blank=True, editable=False, null=True, verbose_name='date withdrawn')),
                    ('withdrawal_notes', homestart.fields.EncryptedTextField(blank=True, verbose_name='notes on the withdrawal')),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='families.family')),
                    ('given_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='families.member', verbose_name='given by')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('withdrawn_recorded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-given_on', '-created_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('review_on__gte', models.F('given_on'))), name='consent_review_after_given'), models.CheckConstraint(condition=models.Q(models.Q(('withdrawn_at__isnull', True), ('withdrawn_on__isnull', True), ('withdrawn_recorded_by__isnull', True)), models.Q(('withdrawn_at__isnull', False), ('withdrawn_on__isnull', False), ('withdrawn_recorded_by__isnull', False)), _connector='OR'), name='consent_withdrawal_complete')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='Disclosure',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('channel', models.CharField(choices=[('referrer_update', 'Update to the referrer'), ('agency', 'Communication with an agency'), ('safeguarding', 'Safeguarding referral'), ('police', 'Police request'), ('court', 'Court proceedings'), ('transfer', 'Transfer to a new scheme')], max_length=20)),
                    ('scope', models.CharField(choices=[('general', 'General information about the kind and level of support'), ('specific', 'Specific information'), ('self_referral', 'That a self-referred family asked for support, and general information'), ('multi_agency', 'Additional information for local multi-agency arrangements'), ('transfer', 'Information for a new Home-Start scheme')], max_length=16)),
                    ('recipient_kind', models.CharField(choices=[('referrer', 'The referrer'), ('agency', 'An agency currently involved with the family'), ('health_visitor', 'The health visitor'), ('new_scheme', 'A new Home-Start scheme'), ('childrens_services', "Children's services (local authority)"), ('police', 'The police'), ('court', 'A court')], max_length=20, verbose_name='recipient')),
                    ('recipient_name', homestart.fields.EncryptedCharField(max_length=200, verbose_name="recipient's name and organisation")),
                    ('summary', homestart.fields.EncryptedTextField(verbose_name='summary of what was shared')),
                    ('shared_on', models.DateField(verbose_name='date shared')),
                    ('basis', models.CharField(choices=[('consent', "The family's consent"), ('safeguarding', 'Welfare and protection of a child or vulnerable adult'), ('disclosable_offence', 'Disclosable offence: drug trafficking or drug money laundering'), ('terrorism', 'Terrorism'), ('court_order', 'A subpoena or court order')], max_length=24, verbose_name='legal basis')),
                    ('justification', homestart.fields.EncryptedTextField(blank=True, verbose_name='justification')),
                    ('family_told', models.CharField(choices=[('told', 'The family was told'), ('not_told', 'The family was not told')], max_length=10)),
                    ('family_told_on', models.DateField(blank=True, null=True, verbose_name='date the family was told')),
                    ('not_told_reason', homestart.fields.EncryptedTextField(blank=True, help_text='Only where telling them would put a child or vulnerable adult at greater risk of harm (§1.5, §2.2).', verbose_name='why the family was not told')),
                    ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('concern', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='disclosures', to='safeguarding.concern')),
                    ('consent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='disclosures', to='consent.consent')),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='disclosures', to='families.family')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='disclosures', to='safeguarding.externalrequest')),
                    ('approval', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='disclosure', to='access_log.approval')),
                    ('corrects', models.ForeignKey(blank=True, help_text='The earlier entry this one puts right; that entry stays in the register, unchanged.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='consent.disclosure')),
                ],
                options={
                    'ordering': ['-shared_on', '-recorded_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('family_told', 'told'), ('family_told_on__isnull', False)), models.Q(('family_told', 'not_told'), ('family_told_on__isnull', True)), _connector='OR'), name='disclosure_family_told_or_reason'), models.CheckConstraint(condition=models.Q(models.Q(('basis', 'consent'), _negated=True), ('consent__isnull', False), _connector='OR'), name='disclosure_consent_linked'), models.CheckConstraint(condition=models.Q(('basis', 'consent'), ('approved_by__isnull', False), _connector='OR'), name='disclosure_exception_approved'), models.CheckConstraint(condition=models.Q(models.Q(('basis', 'safeguarding'), _negated=True), ('concern__isnull', False), _connector='OR'), name='disclosure_safeguarding_concern'), models.CheckConstraint(condition=models.Q(models.Q(('basis', 'court_order'), _negated=True), ('request__isnull', False), _connector='OR'), name='disclosure_court_order_request')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalConfidentialityStatement',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('given_on', models.DateField(verbose_name='date given')),
                    ('verbally', models.BooleanField(verbose_name='explained verbally')),
                    ('in_writing', models.BooleanField(verbose_name='given the information sheet in writing')),
                    ('notes', homestart.fields.EncryptedTextField(blank=True, verbose_name='notes')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('given_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('given_to', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.member', verbose_name='given to')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('policy_version', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.policyversion')),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical confidentiality statement',
                    'verbose_name_plural': 'historical confidentiality statements',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalConsent',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('scope', models.CharField(choices=[('general', 'General information about the kind and level of support'), ('specific', 'Specific information'), ('self_referral', 'That a self-referred family asked for support, and general information'), ('multi_agency', 'Additional information for local multi-agency arrangements'), ('transfer', 'Information for a new Home-Start scheme')], max_length=16)),
                    ('recipient_kind', models.CharField(choices=[('referrer', 'The referrer'), ('agency', 'An agency currently involved with the family'), ('health_visitor', 'The health visitor'), ('new_scheme', 'A new Home-Start scheme'), ('childrens_services', "Children's services (local authority)"), ('police', 'The police'), ('court', 'A court')], max_length=20, verbose_name='recipient')),
                    ('recipient_name', homestart.fields.EncryptedCharField(blank=True, help_text='Required for an agency or a new scheme; leave blank to mean the referrer or health visitor.', max_length=200, verbose_name='name of the agency or person')),
                    ('method', models.CharField(choices=[('verbal', 'Verbally'), ('written', 'In writing')], max_length=8)),
                    ('given_on', models.DateField(verbose_name='date given')),
                    ('review_on', models.DateField(verbose_name='review by')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('withdrawn_at', models.DateTimeField(blank=True, editable=False, null=True)),
                    ('withdrawn_on', models.DateField(blank=True, editable=False, null=True, verbose_name='date withdrawn')),
                    ('withdrawal_notes', homestart.fields.EncryptedTextField(blank=True, verbose_name='notes on the withdrawal')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('given_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.member', verbose_name='given by')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('withdrawn_recorded_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical consent',
                    'verbose_name_plural': 'historical consents',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalDisclosure',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('channel', models.CharField(choices=[('referrer_update', 'Update to the referrer'), ('agency', 'Communication with an agency'), ('safeguarding', 'Safeguarding referral'), ('police', 'Police request'), ('court', 'Court proceedings'), ('transfer', 'Transfer to a new scheme')], max_length=20)),
                    ('scope', models.CharField(choices=[('general', 'General information about the kind and level of support'), ('specific', 'Specific information'), ('self_referral', 'That a self-referred family asked for support, and general information'), ('multi_agency', 'Additional information for local multi-agency arrangements'), ('transfer', 'Information for a new Home-Start scheme')], max_length=16)),
                    ('recipient_kind', models.CharField(choices=[('referrer', 'The referrer'), ('agency', 'An agency currently involved with the family'), ('health_visitor', 'The health visitor'), ('new_scheme', 'A new Home-Start scheme'), ('childrens_services', "Children's services (local authority)"), ('police', 'The police'), ('court', 'A court')], max_length=20, verbose_name='recipient')),
                    ('recipient_name', homestart.fields.EncryptedCharField(max_length=200, verbose_name="recipient's name and organisation")),
                    ('summary', homestart.fields.EncryptedTextField(verbose_name='summary of what was shared')),
                    ('shared_on', models.DateField(verbose_name='date shared')),
                    ('basis', models.CharField(choices=[('consent', "The family's consent"), ('safeguarding', 'Welfare and protection of a child or vulnerable adult'), ('disclosable_offence', 'Disclosable offence: drug trafficking or drug money laundering'), ('terrorism', 'Terrorism'), ('court_order', 'A subpoena or court order')], max_length=24, verbose_name='legal basis')),
                    ('justification', homestart.fields.EncryptedTextField(blank=True, verbose_name='justification')),
                    ('family_told', models.CharField(choices=[('told', 'The family was told'), ('not_told', 'The family was not told')], max_length=10)),
                    ('family_told_on', models.DateField(blank=True, null=True, verbose_name='date the family was told')),
                    ('not_told_reason', homestart.fields.EncryptedTextField(blank=True, help_text='Only where telling them would put a child or vulnerable adult at greater risk of harm (§1.5, §2.2).', verbose_name='why the family was not told')),
                    ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('approved_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('concern', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='safeguarding.concern')),
                    ('consent', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='consent.consent')),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('request', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='safeguarding.externalrequest')),
                    ('approval', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='access_log.approval')),
                    ('corrects', models.ForeignKey(blank=True, db_constraint=False, help_text='The earlier entry this one puts right; that entry stays in the register, unchanged.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='consent.disclosure')),
                ],
                options={
                    'verbose_name': 'historical disclosure',
                    'verbose_name_plural': 'historical disclosures',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='HistoricalTransfer',
                fields=[
                    ('id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                    ('destination', models.CharField(choices=[('same', 'A scheme using this system'), ('export', 'A scheme on another system (encrypted export)')], max_length=8)),
                    ('sections', models.JSONField(default=list, help_text='Which parts of the file were shared.')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('disclosure', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='consent.disclosure')),
                    ('family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('new_family', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='families.family')),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('to_scheme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'verbose_name': 'historical transfer',
                    'verbose_name_plural': 'historical transfers',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='Transfer',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('destination', models.CharField(choices=[('same', 'A scheme using this system'), ('export', 'A scheme on another system (encrypted export)')], max_length=8)),
                    ('sections', models.JSONField(default=list, help_text='Which parts of the file were shared.')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('disclosure', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='transfer', to='consent.disclosure')),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_out', to='families.family')),
                    ('new_family', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transferred_from', to='families.family')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('to_scheme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.scheme')),
                ],
                options={
                    'ordering': ['-created_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('destination', 'same'), _negated=True), models.Q(('new_family__isnull', False), ('to_scheme__isnull', False)), _connector='OR'), name='transfer_same_installation_has_new_file')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
            migrations.CreateModel(
                name='ConfidentialityStatement',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                    ('given_on', models.DateField(verbose_name='date given')),
                    ('verbally', models.BooleanField(verbose_name='explained verbally')),
                    ('in_writing', models.BooleanField(verbose_name='given the information sheet in writing')),
                    ('notes', homestart.fields.EncryptedTextField(blank=True, verbose_name='notes')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ('family', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='confidentiality_statements', to='families.family')),
                    ('given_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('given_to', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='families.member', verbose_name='given to')),
                    ('policy_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='homestart.policyversion')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-given_on', '-created_at'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('in_writing', True), ('verbally', True)), name='statement_verbally_and_in_writing')],
                },
                bases=(homestart.models.FamilyKey, models.Model),
            ),
        ),
        append_only_triggers('consent_disclosure'),
    ]
