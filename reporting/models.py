"""What trustees and funders see: figures, anonymised case studies, board minutes (§3.2–§3.7, §7.5, §8.9)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access_log.models import AppendOnlyModel
from families.models import FamilyKey, OwnKey
from homestart.fields import EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import EncryptedModel, Scheme


class ReportEvent(AppendOnlyModel):
    """Who read or exported which report, and when: statistics exports (§8.9) and every
    read of board minutes and their confidential items (§3.6, §3.7). Append-only."""

    class Kind(models.TextChoices):
        STATISTICS_EXPORT = "statistics_export", _("Statistics exported (CSV)")
        MINUTES_READ = "minutes_read", _("Minutes read")
        CONFIDENTIAL_ITEM_READ = "confidential_item_read", _("Confidential item read")
        CONSULTATION_READ = "consultation_read", _("Safeguarding consultation read")

    at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_events")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    object_id = models.UUIDField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text=_("For an export: the recipient and period."))

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class CaseStudy(FamilyKey, EncryptedModel):
    """A case study written from a family's file, released to trustees only once anonymous (§3.3, §7.5).

    The draft holds the family's story with whatever identifiers it still contains, so it is
    encrypted under the family's key (destroyed with the file, §8.8). The released text has
    passed the identifier check and a manager's approval: it is anonymous and stored as is,
    so trustees read it without any family file being opened.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RELEASED = "released", _("Released")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="case_studies")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="case_studies")
    title = models.CharField(max_length=120, help_text=_("A title with no name or place in it."))
    draft = EncryptedTextField(_("case study"))
    family_consented = models.BooleanField(_("the family consented to this use of their story"))  # §7.5
    consent_recorded_on = models.DateField(_("date the family gave consent"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    released_text = models.TextField(blank=True, editable=False)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("case studies")
        constraints = [
            models.CheckConstraint(condition=Q(family_consented=True), name="case_study_requires_consent"),
            models.CheckConstraint(
                condition=Q(status="draft", released_at__isnull=True)
                | Q(status="released", released_at__isnull=False, released_by__isnull=False),
                name="case_study_release_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Case study {str(self.pk)[:8]}"


class BoardMeeting(models.Model):
    """Minutes of a Board meeting, shared with scheme staff, advisers and HSUK as requested (§3.6)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="board_meetings")
    held_on = models.DateField(_("date of meeting"))
    minutes = models.TextField(
        _("minutes"),
        help_text=_(
            "The open minutes. Minute personnel and sensitive "
            "operational matters as a confidential item instead (§3.7)."
        ),
    )
    # External advisers to the Board and others the minutes are shared with on request (§3.6).
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[shared_with])

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Board meeting of {self.held_on}"


class ConfidentialItem(OwnKey, EncryptedModel):
    """A confidential Board discussion, minuted separately, read only by its circulation list (§3.7).

    Its text is encrypted under its own key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="confidential_items")
    data_key = models.OneToOneField("homestart.DataKey", on_delete=models.PROTECT, related_name="+", editable=False)
    subject = models.CharField(max_length=120, help_text=_("A neutral subject, for example: staffing matter."))
    text = EncryptedTextField(_("confidential minute"))
    circulation = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[OwnKey, models.Model], m2m_fields=[circulation])

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Confidential item {str(self.pk)[:8]}"


class SafeguardingConsultation(OwnKey, EncryptedModel):
    """A de-identified summary of a concern the safeguarding lead shares with a trustee, a
    specialist adviser or an external expert (§3.5). The family is not identified: the
    summary passed the identifier check before it was shared."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    data_key = models.OneToOneField("homestart.DataKey", on_delete=models.PROTECT, related_name="+", editable=False)
    summary = EncryptedTextField(_("de-identified summary"))
    shared_with = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Safeguarding consultation {str(self.pk)[:8]}"
