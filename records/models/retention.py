"""Retention periods, legal holds, destructions and their certificates (§8.8)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access_log.models import AppendOnlyModel
from homestart.historical import HistoricalRecords
from homestart.models import Scheme
from homestart.rules import FileKind


class RecordKind(models.TextChoices):
    FAMILY = "family", _("Family file")
    SAFEGUARDING = "safeguarding", _("Family file with safeguarding records")
    VOLUNTEER = "volunteer", _("Volunteer file")
    PERSONNEL = "personnel", _("Personnel file")
    ACCESS_LOG = "access_log", _("Access log (who opened which file), by month")


# The kinds of record that are files of people; the access log is kept by month instead.
FILE_RECORD_KINDS = [RecordKind.FAMILY, RecordKind.SAFEGUARDING, RecordKind.VOLUNTEER, RecordKind.PERSONNEL]


class RetentionRule(models.Model):
    """Overrides the default retention period of one kind of record (see records/retention/periods.py)."""

    record_kind = models.CharField(max_length=16, choices=RecordKind.choices, unique=True)
    years = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=300, help_text=_("The policy or law the period comes from."))
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
        PROPOSED = "proposed", _("Waiting for two authorisations")
        AUTHORISED = "authorised", _("Authorised, waiting to be carried out")
        DONE = "done", _("Destroyed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    record_kind = models.CharField(max_length=16, choices=RecordKind.choices)
    retention_from = models.DateField(help_text=_("Closure or leaving date."))
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
    data_key_id = models.UUIDField(help_text=_("The destroyed key: a restore keeps it destroyed (docs/backups.md)."))
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


class AccessLogHold(models.Model):
    """While in place, no month of the access log between these dates is dropped, whatever
    its retention period (an investigation, a complaint, a claim: §8.8, §9.1)."""

    starts_on = models.DateField()
    ends_on = models.DateField()
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
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="access_log_hold_dates")
        ]

    def __str__(self) -> str:
        return f"Legal hold on the access log from {self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"


class AccessLogAct(models.TextChoices):
    CREATED = "created", _("Month created ahead")
    DETACHED = "detached", _("Month detached from the access log")
    ARCHIVED = "archived", _("Month archived to a file")
    DROPPED = "dropped", _("Month dropped: its events destroyed")
    KEPT_ON_HOLD = "kept_on_hold", _("Kept: under a legal hold")
    REFUSED_WITHIN_PERIOD = "refused_within_period", _("Refused: within the retention period")


class AccessLogRetentionRecord(AppendOnlyModel):
    """What the access log's retention run did to each month (access_log/partitions.py): a
    register, so that a month's disappearance is itself on record (§8.8, §9.1)."""

    at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    act = models.CharField(max_length=32, choices=AccessLogAct.choices)
    month = models.DateField(help_text=_("The first day of the month whose events the act concerns."))
    partition = models.CharField(max_length=63)
    events = models.BigIntegerField(null=True, blank=True)
    archive = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_act_display()}: {self.month:%B %Y}"
