"""Safeguarding concerns and external requests (§2, §10.2, §10.3).

Everything personal here is part of the family file and is encrypted under the
family's data key: crypto-shredding the family destroys it too (§8.2, §8.8).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.models import Family, FamilyKey, Member
from homestart.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import EncryptedModel, Scheme


class Concern(FamilyKey, EncryptedModel):
    """A concern for the welfare or safety of a child or vulnerable adult (§2.1, §2.3)."""

    class Category(models.TextChoices):
        NEGLECT = "neglect", _("Neglect")
        PHYSICAL = "physical", _("Physical abuse")
        EMOTIONAL = "emotional", _("Emotional abuse")
        SEXUAL = "sexual", _("Sexual abuse")
        CSE = "cse", _("Child sexual exploitation")  # §2.3
        DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse")
        VULNERABLE_ADULT = "vulnerable_adult", _("Concern for a vulnerable adult")
        OTHER = "other", _("Other concern for a child's welfare or safety")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REFERRED = "referred", _("Referred to the local authority")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="concerns")
    category = models.CharField(max_length=20, choices=Category.choices)
    observed = EncryptedTextField(_("what was seen or said"))
    observed_on = models.DateField(_("when it was seen or said"))
    observed_at = models.TimeField(_("time it was seen or said"), null=True, blank=True)
    # The child the concern is about; empty: all the children (or the family as a whole).
    about_child = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("child it is about")
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    referred_on = models.DateField(_("date referred to the local authority"), null=True, blank=True)
    la_reference = EncryptedCharField(_("local authority reference"), max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set on a concern that came with a transferred file (§9.2, §9.3): the scheme and
    # reference it was recorded under, and from another system who recorded it there.
    carried_from = EncryptedCharField(_("carried with the file from"), max_length=300, blank=True, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="referred") | Q(referred_on__isnull=False), name="concern_referred_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="concern_closed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"Concern about {self.family_id and self.family.reference}"


class ConcernAction(FamilyKey, EncryptedModel):
    """Something done about a concern: only the safeguarding lead and scheme staff see these."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="actions")
    action = EncryptedTextField(_("what was done"))
    taken_on = models.DateField(_("date"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    carried_from = EncryptedCharField(_("carried with the file from"), max_length=300, blank=True, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["taken_on", "created_at"]

    def __str__(self) -> str:
        return f"Action on a concern about {self.family_id and self.family.reference}"


class ExternalRequest(FamilyKey, EncryptedModel):
    """A request from the police (§10.3) or for evidence in court proceedings (§10.2)."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police request")  # §10.3
        COURT = "court", _("Court proceedings")  # §10.2

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        REFUSED = "refused", _("Nothing passed on")
        DISCLOSED = "disclosed", _("Information passed on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="external_requests")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    received_on = models.DateField(_("date received"))
    requester = EncryptedCharField(_("who asked"), max_length=200, help_text=_("Name, rank or court, and contact."))
    details = EncryptedTextField(_("what was asked for"))
    # §10.2, §10.3: a subpoena or court order requiring disclosure, when there is one.
    order_reference = EncryptedCharField(_("subpoena or court order reference"), max_length=200, blank=True)
    order_made_on = EncryptedDateField(_("date of the order"), null=True, blank=True)
    has_order = models.BooleanField(_("a subpoena or court order is recorded"), default=False)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now, editable=False)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    basis = models.CharField(_("basis"), max_length=24, blank=True)
    decision_reason = EncryptedTextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-received_on", "-logged_at"]
        constraints = [
            # Nothing is passed without a basis (§10.3) ...
            models.CheckConstraint(
                condition=~Q(decision="disclosed") | ~Q(basis=""), name="request_disclosed_has_basis"
            ),
            # ... and court evidence only against a recorded subpoena or order (§10.2).
            models.CheckConstraint(
                condition=~Q(decision="disclosed", kind="court") | Q(basis="court_order", has_order=True),
                name="court_evidence_only_under_order",
            ),
            models.CheckConstraint(
                condition=~Q(basis="court_order") | Q(has_order=True), name="court_order_basis_needs_order"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_at__isnull=False), name="request_decision_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} about {self.family_id and self.family.reference}"


class TrusteeNotice(models.Model):
    """What the trustees are told of a police or court request (§10.3): no personal data,
    not even the family's reference; the request itself stays on the family file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="trustee_notices")
    request = models.OneToOneField(ExternalRequest, on_delete=models.PROTECT, related_name="trustee_notice")
    kind = models.CharField(max_length=8, choices=ExternalRequest.Kind.choices)
    received_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    emailed_to = models.PositiveIntegerField(default=0, help_text=_("How many trustees were emailed."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} received {self.received_on:%d %b %Y}"
