"""Volunteer and personnel files (§8.3, §8.4) and supervision notes (§4.2, §5.2).

Each volunteer or personnel file has its own data key (§8.2): its personal
fields, its history rows and the supervision notes about its person are sealed
with it, so destroying that key at the end of the retention period
crypto-shreds all of them at once (§8.8). References are pseudonymous:
``WIR-V-0007`` for a volunteer file, ``WIR-P-0003`` for a personnel file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from homestart.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from homestart.models import DataKey, EncryptedModel, Scheme


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
