"""Subject access requests and the disclosures that answer them (§1.6, §8.7)."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access_log.models import AppendOnlyModel
from homestart.fields import EncryptedCharField, EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import DataKey, EncryptedModel, Scheme
from homestart.rules import FileKind

from .people import OwnKey


class SubjectAccessRequest(OwnKey, EncryptedModel):
    class SubjectKind(models.TextChoices):
        FAMILY_MEMBER = "family_member", _("Family member")
        VOLUNTEER = "volunteer", _("Volunteer")
        STAFF = "staff", _("Member of staff")
        TRUSTEE = "trustee", _("Trustee")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        AWAITING_CLARIFICATION = "awaiting_clarification", _("Waiting for clarification")
        IN_PROGRESS = "in_progress", _("Identity checked, being prepared")
        RELEASED = "released", _("Released")

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
    requester_name = EncryptedCharField(_("name of the person asking"), max_length=200)
    request_details = EncryptedTextField(_("what they asked for"), blank=True)
    received_on = models.DateField(_("date received"))
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    identity_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    identity_evidence = EncryptedCharField(_("identity evidence seen"), max_length=200, blank=True)
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
        verbose_name = _("subject access request")
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
        from records.deadlines import sar_due_date

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
    recipient = models.CharField(max_length=200, help_text=_("Who received it: the data subject."))
    legal_basis = models.CharField(max_length=200, default="Right of access, UK GDPR Article 15")
    contents = models.CharField(max_length=500, help_text=_("Kinds of record released, no personal values."))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"Disclosure for {self.sar.reference}"
