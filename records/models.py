"""Volunteer and personnel files, supervision notes, subject access requests,
retention and secure destruction, and the breach register (§1.6, §3.9, §4.2,
§4.4, §5.2, §5.5, §8.2–§8.8).

Each volunteer or personnel file has its own data key (§8.2): its personal
fields, its history rows and the supervision notes about its person are sealed
with it, so destroying that key at the end of the retention period
crypto-shreds all of them at once (§8.8). References are pseudonymous:
``WIR-V-0007`` for a volunteer file, ``WIR-P-0003`` for a personnel file.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from access_log.models import AppendOnlyModel
from homestart.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from homestart.models import DataKey, EncryptedModel, Scheme
from homestart.rules import FileKind


class OwnKey:
    """The row (and its history rows) holds its own data key."""

    def get_data_key(self) -> DataKey:
        return self.data_key


class LeavingReason(models.TextChoices):
    """Why a volunteer or member of staff left (§8.8: retention runs from the leaving date).
    Broad on purpose: the details, if any, belong in the file's encrypted notes."""

    STOPPED = "stopped", "Resigned or stopped volunteering"
    RETIRED = "retired", "Retired"
    ROLE_ENDED = "role_ended", "Contract or role ended"
    MOVED_AWAY = "moved_away", "Moved away"
    OTHER = "other", "Other"


class PersonFile(OwnKey, EncryptedModel):
    """What volunteer and personnel files share: a person, a scheme, a key, dates."""

    PREFIX = ""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    full_name = EncryptedCharField("full name", max_length=200)
    phone = EncryptedCharField("phone", max_length=32, blank=True)
    address = EncryptedTextField("address", blank=True)
    started_on = models.DateField("started on")
    left_on = models.DateField("left on", null=True, blank=True, help_text="Retention runs from this date (§8.8).")
    left_reason = models.CharField("reason for leaving", max_length=16, choices=LeavingReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["scheme", "number"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def format_reference(cls, code: str, number: int) -> str:
        return f"{code}-{cls.PREFIX}-{number:04d}"


class VolunteerFile(PersonFile):
    """Recruitment, training and induction of a volunteer (§8.3). Only the minimum
    about the families supported is kept here: their references and dates (§8.5)."""

    PREFIX = "V"

    recruitment = EncryptedTextField("recruitment (application, references, checks)", blank=True)
    training = EncryptedTextField("training completed", blank=True)
    induction = EncryptedTextField("induction notes", blank=True)
    dbs_checked_on = EncryptedDateField("enhanced DBS check date", null=True, blank=True)

    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta(PersonFile.Meta):
        abstract = False
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="volunteer_file_number_unique"),
            models.UniqueConstraint(fields=["scheme", "person"], name="volunteer_file_one_per_person"),
        ]


class PersonnelFile(PersonFile):
    """A member of staff's personnel file (§8.4)."""

    PREFIX = "P"

    job_title = EncryptedCharField("job title", max_length=200, blank=True)
    employment = EncryptedTextField("contract, appraisals and other employment records", blank=True)

    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta(PersonFile.Meta):
        abstract = False
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="personnel_file_number_unique"),
            models.UniqueConstraint(fields=["scheme", "person"], name="personnel_file_one_per_person"),
        ]


class TrusteeDesignation(models.Model):
    """A trustee designated to see one personnel file, "where appropriate" (§8.4)."""

    personnel_file = models.ForeignKey(PersonnelFile, on_delete=models.PROTECT, related_name="designations")
    trustee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, help_text="Why a trustee needs to see this file.")
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["personnel_file", "trustee"], condition=Q(ended_at__isnull=True), name="designation_once"
            )
        ]

    def __str__(self) -> str:
        return f"Trustee designation for {self.personnel_file_id and self.personnel_file.reference}"


class KeyFromField:
    def get_data_key(self) -> DataKey:
        return self.data_key


class SupervisionNote(KeyFromField, EncryptedModel):
    """A supervision session (§4.2, §5.2): a coordinator with their line manager, or
    a volunteer with their coordinator. Sealed with the supervisee's file key, so it
    is destroyed with that file; confidential to the two parties and the manager."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    supervisee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    held_on = models.DateField("date of supervision")
    # Families are named by reference only (§8.6).
    families_discussed = models.CharField(max_length=200, blank=True, help_text="Family references, if any.")
    notes = EncryptedTextField("notes")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[KeyFromField, models.Model])

    class Meta:
        ordering = ["-held_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(supervisee=models.F("supervisor")), name="supervision_two_people"),
        ]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on}"


# --- subject access (§1.6, §8.7) -------------------------------------------------


class SubjectAccessRequest(OwnKey, EncryptedModel):
    class SubjectKind(models.TextChoices):
        FAMILY_MEMBER = "family_member", "Family member"
        VOLUNTEER = "volunteer", "Volunteer"
        STAFF = "staff", "Member of staff"
        TRUSTEE = "trustee", "Trustee"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        AWAITING_CLARIFICATION = "awaiting_clarification", "Waiting for clarification"
        IN_PROGRESS = "in_progress", "Identity checked, being prepared"
        RELEASED = "released", "Released"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    # Who the request is about: a member of a family, or a person who signs in.
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    member = models.ForeignKey("families.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requester_name = EncryptedCharField("name of the person asking", max_length=200)
    request_details = EncryptedTextField("what they asked for", blank=True)
    received_on = models.DateField("date received")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    identity_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    identity_evidence = EncryptedCharField("identity evidence seen", max_length=200, blank=True)
    # The clock stops while the scheme waits for clarification (ICO guidance).
    clarification_requested_on = models.DateField(null=True, blank=True, editable=False)
    paused_days = models.PositiveIntegerField(default=0, editable=False)
    extension_months = models.PositiveSmallIntegerField(default=0, editable=False)
    extension_reason = models.CharField(max_length=300, blank=True, editable=False)
    third_party_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = "subject access request"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="sar_number_unique"),
            models.CheckConstraint(condition=Q(extension_months__lte=2), name="sar_extension_at_most_two_months"),
            models.CheckConstraint(
                condition=Q(subject_kind="family_member", family__isnull=False, subject_user__isnull=True)
                | (~Q(subject_kind="family_member") & Q(family__isnull=True, subject_user__isnull=False)),
                name="sar_subject_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def due_on(self) -> datetime.date:
        from .deadlines import sar_due_date

        return sar_due_date(
            received_on=self.received_on,
            extension_months=self.extension_months,
            paused_days=self.paused_days,
        )


class Disclosure(AppendOnlyModel):
    """A release of personal data: here, a subject access response (§8.7)."""

    sar = models.ForeignKey(SubjectAccessRequest, on_delete=models.PROTECT, related_name="disclosures")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    file_kind = models.CharField(max_length=16, choices=FileKind.choices, blank=True)
    file_reference = models.CharField(max_length=32, blank=True)
    recipient = models.CharField(max_length=200, help_text="Who received it: the data subject.")
    legal_basis = models.CharField(max_length=200, default="Right of access, UK GDPR Article 15")
    contents = models.CharField(max_length=500, help_text="Kinds of record released, no personal values.")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"Disclosure for {self.sar.reference}"


# --- retention and destruction (§8.8) -------------------------------------------


class RecordKind(models.TextChoices):
    FAMILY = "family", "Family file"
    SAFEGUARDING = "safeguarding", "Family file with safeguarding records"
    VOLUNTEER = "volunteer", "Volunteer file"
    PERSONNEL = "personnel", "Personnel file"


class RetentionRule(models.Model):
    """Overrides the default retention period of one kind of record (see retention.py)."""

    record_kind = models.CharField(max_length=16, choices=RecordKind.choices, unique=True)
    years = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=300, help_text="The policy or law the period comes from.")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(years__gte=1, years__lte=100), name="retention_years")]

    def __str__(self) -> str:
        return f"{self.get_record_kind_display()}: {self.years} years"


class LegalHold(models.Model):
    """While a hold is in place the file is not destroyed, whatever its retention date."""

    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["file_kind", "file_id"], condition=Q(released_at__isnull=True), name="legal_hold_once"
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold on {self.file_reference}"


class Destruction(models.Model):
    """One file's destruction: proposed, authorised by two different people, carried out."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for two authorisations"
        AUTHORISED = "authorised", "Authorised, waiting to be carried out"
        DONE = "done", "Destroyed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    record_kind = models.CharField(max_length=16, choices=RecordKind.choices)
    retention_from = models.DateField(help_text="Closure or leaving date.")
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    first_authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    first_authorised_at = models.DateTimeField(null=True, blank=True, editable=False)
    second_authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    second_authorised_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "file_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["file_kind", "file_id"], condition=~Q(status="cancelled"), name="destruction_once_per_file"
            ),
            models.CheckConstraint(
                condition=Q(second_authorised_by__isnull=True)
                | ~Q(second_authorised_by=models.F("first_authorised_by")),
                name="destruction_two_different_people",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["authorised", "done"])
                | Q(first_authorised_by__isnull=False, second_authorised_by__isnull=False),
                name="destruction_authorised_twice",
            ),
        ]

    def __str__(self) -> str:
        return f"Destruction of {self.file_reference}"


class DestructionCertificate(AppendOnlyModel):
    """What remains of a destroyed file: reference, kinds of record, dates, and who (§8.8)."""

    destruction = models.OneToOneField(Destruction, on_delete=models.PROTECT, related_name="certificate")
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)
    data_key_id = models.UUIDField(help_text="The destroyed key: a restore keeps it destroyed (docs/backups.md).")
    kinds_of_record = models.CharField(max_length=500)
    retention_from = models.DateField()
    due_on = models.DateField()
    first_authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    second_authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    carried_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-destroyed_at"]

    def __str__(self) -> str:
        return f"Destruction certificate for {self.file_reference}"


# --- breaches (§3.9, §4.4, §5.5) -------------------------------------------------


class Breach(OwnKey, EncryptedModel):
    ICO_DEADLINE = datetime.timedelta(hours=72)

    class Risk(models.TextChoices):
        UNASSESSED = "unassessed", "Not yet assessed"
        UNLIKELY = "unlikely", "Unlikely to result in a risk to people"
        RISK = "risk", "A risk to people's rights and freedoms"
        HIGH = "high", "A high risk: tell the people affected"

    class IcoDecision(models.TextChoices):
        UNDECIDED = "undecided", "Not yet decided"
        REPORT = "report", "Report to the ICO"
        NOT_REPORTABLE = "not_reportable", "Not reportable"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    found_at = models.DateTimeField("when it was found")
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = EncryptedTextField("what happened")
    data_affected = EncryptedTextField("data affected")
    people_affected = EncryptedTextField("people affected (references, not names)", blank=True)
    risk = models.CharField(max_length=16, choices=Risk.choices, default=Risk.UNASSESSED)
    ico_decision = models.CharField(max_length=16, choices=IcoDecision.choices, default=IcoDecision.UNDECIDED)
    ico_decision_reason = models.CharField(max_length=500, blank=True)
    ico_reported_at = models.DateTimeField(null=True, blank=True)
    actions = EncryptedTextField("actions taken", blank=True)
    outcome = EncryptedTextField("outcome (including any disciplinary action, §3.9, §4.4, §5.5)", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta:
        ordering = ["-found_at"]
        verbose_name_plural = "breaches"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="breach_number_unique"),
            models.CheckConstraint(
                condition=Q(ico_reported_at__isnull=True) | Q(ico_decision="report"), name="breach_reported_if_decided"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def ico_deadline(self) -> datetime.datetime:
        return self.found_at + self.ICO_DEADLINE

    def ico_overdue(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.ico_decision != self.IcoDecision.NOT_REPORTABLE
            and self.ico_reported_at is None
            and now > self.ico_deadline
        )
