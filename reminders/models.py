"""The register of reminders sent: each is sent once (DESIGN.md, "Several machines")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homestart.models import AppendOnlyModel


class ReminderKind(models.TextChoices):
    CONSENT_REVIEW = "consent_review", _("Consent review")
    SUBJECT_ACCESS = "subject_access", _("Subject access deadline")
    BREACH = "breach", _("Breach: the 72-hour clock")
    RETENTION = "retention", _("File due for retention")
    APPROVAL = "approval", _("Approval waiting")
    ACCESS_REQUEST = "access_request", _("Access request waiting")
    PLANNED_VISIT = "planned_visit", _("Planned visit tomorrow")
    VISIT_OVERDUE = "visit_overdue", _("Planned visit not recorded")
    DBS_RENEWAL = "dbs_renewal", _("DBS check due for renewal")
    TRAINING_RENEWAL = "training_renewal", _("Training due for renewal")


class ReminderSent(AppendOnlyModel):
    """One reminder e-mailed to one person: what it was about (``key``: kind, object and
    stage, e.g. ``subject_access:<id>:2_days``) and when. Written once; a later run finds it
    and does not send the same reminder again. Holds no personal data of a family (§8.6)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    key = models.CharField(max_length=120)
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="reminder_sent_once")]

    def __str__(self) -> str:
        return f"Reminder {self.key} ({self.sent_on})"
