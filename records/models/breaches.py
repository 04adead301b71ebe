"""The breach register (§3.9, §4.4, §5.5), each breach sealed with its own key."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homestart.fields import EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import DataKey, EncryptedModel, Scheme

from .people import OwnKey


class Breach(OwnKey, EncryptedModel):
    ICO_DEADLINE = datetime.timedelta(hours=72)

    class Risk(models.TextChoices):
        UNASSESSED = "unassessed", _("Not yet assessed")
        UNLIKELY = "unlikely", _("Unlikely to result in a risk to people")
        RISK = "risk", _("A risk to people's rights and freedoms")
        HIGH = "high", _("A high risk: tell the people affected")

    class IcoDecision(models.TextChoices):
        UNDECIDED = "undecided", _("Not yet decided")
        REPORT = "report", _("Report to the ICO")
        NOT_REPORTABLE = "not_reportable", _("Not reportable")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    found_at = models.DateTimeField(_("when it was found"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = EncryptedTextField(_("what happened"))
    data_affected = EncryptedTextField(_("data affected"))
    people_affected = EncryptedTextField(_("people affected (references, not names)"), blank=True)
    risk = models.CharField(max_length=16, choices=Risk.choices, default=Risk.UNASSESSED)
    ico_decision = models.CharField(max_length=16, choices=IcoDecision.choices, default=IcoDecision.UNDECIDED)
    ico_decision_reason = models.CharField(max_length=500, blank=True)
    ico_reported_at = models.DateTimeField(null=True, blank=True)
    actions = EncryptedTextField(_("actions taken"), blank=True)
    outcome = EncryptedTextField(_("outcome (including any disciplinary action)"), blank=True)  # §3.9, §4.4, §5.5
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta:
        ordering = ["-found_at"]
        verbose_name_plural = _("breaches")
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
