"""Confidentiality statements, consents and the disclosure register (§1, §7.2–§7.4, §9.2–§9.3).

Everything personal is part of the family file, encrypted under the family's
data key. Disclosures are the register of every sharing outside Home-Start:
they are never deleted and never edited after they are recorded.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from families.models import Family, FamilyKey, Member
from homestart.fields import EncryptedCharField, EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import AppendOnlyModel, EncryptedModel, PolicyVersion, Scheme


class Scope(models.TextChoices):
    GENERAL = "general", _("General information about the kind and level of support")  # §1.2, §7.3
    SPECIFIC = "specific", _("Specific information")  # §7.4
    SELF_REFERRAL = "self_referral", _("That a self-referred family asked for support, and general information")  # §1.3
    MULTI_AGENCY = "multi_agency", _("Additional information for local multi-agency arrangements")  # §1.4
    TRANSFER = "transfer", _("Information for a new Home-Start scheme")  # §9.2


class RecipientKind(models.TextChoices):
    REFERRER = "referrer", _("The referrer")
    AGENCY = "agency", _("An agency currently involved with the family")
    HEALTH_VISITOR = "health_visitor", _("The health visitor")
    NEW_SCHEME = "new_scheme", _("A new Home-Start scheme")
    CHILDRENS_SERVICES = "childrens_services", _("Children's services (local authority)")
    POLICE = "police", _("The police")
    COURT = "court", _("A court")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("The family's consent")
    SAFEGUARDING = "safeguarding", _("Welfare and protection of a child or vulnerable adult")  # §2.1, §7.4
    DISCLOSABLE_OFFENCE = "disclosable_offence", _("Disclosable offence: drug trafficking or drug money laundering")
    TERRORISM = "terrorism", _("Terrorism")
    COURT_ORDER = "court_order", _("A subpoena or court order")  # §10.2, §10.3


class ConfidentialityStatement(FamilyKey, EncryptedModel):
    """§1.1: the family was given Home-Start's position on confidentiality, verbally and in writing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="confidentiality_statements")
    given_to = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("given to"))
    given_on = models.DateField(_("date given"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verbally = models.BooleanField(_("explained verbally"))
    in_writing = models.BooleanField(_("given the information sheet in writing"))
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-given_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verbally=True, in_writing=True), name="statement_verbally_and_in_writing"
            ),
        ]

    def __str__(self) -> str:
        return f"Confidentiality statement for {self.family_id and self.family.reference}"


class ConsentQuerySet(models.QuerySet):
    def in_force(self, at: datetime.datetime | None = None) -> ConsentQuerySet:
        """Given on or before ``at`` and not withdrawn by then (§1.2: withdrawal stops sharing at once)."""
        at = at or timezone.now()
        return self.filter(given_on__lte=timezone.localdate(at)).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
        )

    def due_for_review(self, on: datetime.date | None = None) -> ConsentQuerySet:
        day = on or timezone.localdate()
        return self.in_force().filter(review_on__lte=day)


class Consent(FamilyKey, EncryptedModel):
    """A parent or carer's consent to share one scope of information with one recipient (§1.2–§1.4)."""

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Verbally")
        WRITTEN = "written", _("In writing")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="consents")
    given_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by"))
    scope = models.CharField(max_length=16, choices=Scope.choices)
    recipient_kind = models.CharField(_("recipient"), max_length=20, choices=RecipientKind.choices)
    recipient_name = EncryptedCharField(
        _("name of the agency or person"),
        max_length=200,
        blank=True,
        help_text=_("Required for an agency or a new scheme; leave blank to mean the referrer or health visitor."),
    )
    method = models.CharField(max_length=8, choices=Method.choices)
    given_on = models.DateField(_("date given"))
    review_on = models.DateField(_("review by"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_on = models.DateField(_("date withdrawn"), null=True, blank=True, editable=False)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    withdrawal_notes = EncryptedTextField(_("notes on the withdrawal"), blank=True)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])
    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(review_on__gte=models.F("given_on")), name="consent_review_after_given"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_recorded_by__isnull=True, withdrawn_on__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_recorded_by__isnull=False, withdrawn_on__isnull=False),
                name="consent_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent ({self.scope}) for {self.family_id and self.family.reference}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self) -> None:
        if self.recipient_kind in (RecipientKind.AGENCY, RecipientKind.NEW_SCHEME) and not self.recipient_name:
            raise ValidationError({"recipient_name": gettext("Name the agency or scheme the family agreed to.")})
        if self.given_by_id and self.family_id and self.given_by.family_id != self.family_id:
            raise ValidationError({"given_by": gettext("Choose a parent or carer of this family.")})
        if self.given_by_id and self.given_by.kind != Member.Kind.ADULT:
            raise ValidationError({"given_by": gettext("Consent is given by a parent or carer.")})


def told_and_justified(
    *,
    family_told: str,
    family_told_on: datetime.date | None,
    not_told_reason: str,
    justification: str | None = None,
    needs_justification: bool = False,
) -> dict[str, str]:
    """The block every sharing records, checked in one place for the forms, the services and
    the register itself: whether the family was told, and when (§1.5), or why not — only where
    telling them would put someone at greater risk (§1.5, §2.2) — and, without the family's
    consent, the justification (§2.1, §7.4). Who approves is never chosen here: the approval
    names them (``access_log.approvals``). Returns the messages by field; none when complete."""
    errors: dict[str, str] = {}
    if family_told not in Disclosure.FamilyTold.values:
        errors["family_told"] = gettext("Say whether the family was told (§1.5, §2.2).")
    elif family_told == Disclosure.FamilyTold.TOLD and not family_told_on:
        errors["family_told_on"] = gettext("Give the date the family was told (§1.5).")
    elif family_told == Disclosure.FamilyTold.NOT_TOLD and not (not_told_reason or "").strip():
        errors["not_told_reason"] = gettext(
            "Record why the family was not told: only where telling them would put a child or "
            "vulnerable adult at greater risk of harm (§1.5, §2.2)."
        )
    if family_told_on and family_told_on > timezone.localdate():
        errors["family_told_on"] = gettext("The date the family was told must be today or in the past.")
    if needs_justification and not (justification or "").strip():
        errors["justification"] = gettext("Justify sharing without the family's consent.")
    return errors


class Disclosure(FamilyKey, EncryptedModel, AppendOnlyModel):
    """One sharing of information about a family outside Home-Start: the disclosure register.

    Append-only (``AppendOnlyModel``, and a trigger on PostgreSQL): an entry is never
    changed or deleted. A mistake is put right by a new entry that ``corrects`` it.

    Complete when recorded: the family was told (when), or the reason they were
    not is recorded (§1.5, §2.2). Every basis other than consent carries a
    justification and the approval of the safeguarding lead or the manager.
    """

    class Channel(models.TextChoices):
        REFERRER_UPDATE = "referrer_update", _("Update to the referrer")  # §7.2, §7.3
        AGENCY = "agency", _("Communication with an agency")  # §7.4
        SAFEGUARDING = "safeguarding", _("Safeguarding referral")  # §2.1
        POLICE = "police", _("Police request")  # §10.3
        COURT = "court", _("Court proceedings")  # §10.2
        TRANSFER = "transfer", _("Transfer to a new scheme")  # §9.2, §9.3

    class FamilyTold(models.TextChoices):
        TOLD = "told", _("The family was told")
        NOT_TOLD = "not_told", _("The family was not told")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="disclosures")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    recipient_kind = models.CharField(_("recipient"), max_length=20, choices=RecipientKind.choices)
    recipient_name = EncryptedCharField(_("recipient's name and organisation"), max_length=200)
    summary = EncryptedTextField(_("summary of what was shared"))
    shared_on = models.DateField(_("date shared"))
    basis = models.CharField(_("legal basis"), max_length=24, choices=LegalBasis.choices)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True)
    # The concern or the police or court request it rests on (safeguarding sits above consent:
    # named by label, not imported; docs/architecture.md).
    concern = models.ForeignKey(
        "safeguarding.Concern", on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True
    )
    request = models.ForeignKey(
        "safeguarding.ExternalRequest", on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True
    )
    justification = EncryptedTextField(_("justification"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Without consent: the approval that made it happen, whose decision names who approved
    # (or who acted alone in an emergency) and when. ``approved_by`` repeats that person.
    approval = models.OneToOneField(
        "access_log.Approval",
        on_delete=models.PROTECT,
        related_name="disclosure",
        null=True,
        blank=True,
        editable=False,
    )
    family_told = models.CharField(max_length=10, choices=FamilyTold.choices)
    family_told_on = models.DateField(_("date the family was told"), null=True, blank=True)
    not_told_reason = EncryptedTextField(
        _("why the family was not told"),
        blank=True,
        help_text=_(
            "Only where telling them would put a child or vulnerable adult at greater risk of harm (§1.5, §2.2)."
        ),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        help_text=_("The earlier entry this one puts right; that entry stays in the register, unchanged."),
    )

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-shared_on", "-recorded_at"]
        constraints = [
            # §1.5, §2.2: told (with the date) or not told (the reason is checked in clean: it is encrypted).
            models.CheckConstraint(
                condition=Q(family_told="told", family_told_on__isnull=False)
                | Q(family_told="not_told", family_told_on__isnull=True),
                name="disclosure_family_told_or_reason",
            ),
            models.CheckConstraint(
                condition=~Q(basis="consent") | Q(consent__isnull=False), name="disclosure_consent_linked"
            ),
            models.CheckConstraint(
                condition=Q(basis="consent") | Q(approved_by__isnull=False), name="disclosure_exception_approved"
            ),
            models.CheckConstraint(
                condition=~Q(basis="safeguarding") | Q(concern__isnull=False), name="disclosure_safeguarding_concern"
            ),
            models.CheckConstraint(
                condition=~Q(basis="court_order") | Q(request__isnull=False), name="disclosure_court_order_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Disclosure about {self.family_id and self.family.reference}"

    def clean(self) -> None:
        errors = told_and_justified(
            family_told=self.family_told,
            family_told_on=self.family_told_on,
            not_told_reason=self.not_told_reason,
            justification=self.justification,
            needs_justification=self.basis != LegalBasis.CONSENT,
        )
        if self.corrects_id and self.family_id and self.corrects.family_id != self.family_id:
            errors["corrects"] = gettext("A correction is about the same family as the entry it corrects.")
        if errors:
            raise ValidationError(errors)


class Transfer(FamilyKey, EncryptedModel):
    """A family moving to another Home-Start scheme (§9.2, §9.3), recorded with its disclosure."""

    class Destination(models.TextChoices):
        SAME_INSTALLATION = "same", _("A scheme using this system")
        EXPORT = "export", _("A scheme on another system (encrypted export)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="transfers_out")
    disclosure = models.OneToOneField(Disclosure, on_delete=models.PROTECT, related_name="transfer")
    destination = models.CharField(max_length=8, choices=Destination.choices)
    to_scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    new_family = models.OneToOneField(
        Family, on_delete=models.PROTECT, related_name="transferred_from", null=True, blank=True
    )
    sections = models.JSONField(default=list, help_text=_("Which parts of the file were shared."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(destination="same") | Q(to_scheme__isnull=False, new_family__isnull=False),
                name="transfer_same_installation_has_new_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Transfer of {self.family_id and self.family.reference}"
