"""The record of every opening of a file, allowed or refused (§9.1, §10.1).

Append-only: an event is never changed or deleted by the application, and
holds no personal values — ids, references, sections and purposes only.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from homestart.fields import EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import (  # noqa: F401 (the append-only names are re-exported)
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    EncryptedModel,
    FamilyKey,
)
from homestart.rules import Action, FileKind, Outcome, Purpose, Refusal, Section, role_label

# The marker and base of every register lives in ``homestart.models`` (the bottom
# layer, so that every app can use it); these names stay importable from here.
AccessEventQuerySet = AppendOnlyQuerySet


class AccessEvent(AppendOnlyModel):
    at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events", null=True
    )
    role = models.CharField(max_length=32, blank=True)
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField(null=True)
    file_reference = models.CharField(max_length=32)
    scheme = models.ForeignKey("homestart.Scheme", on_delete=models.PROTECT, null=True, related_name="+")
    section = models.CharField(max_length=32)
    action = models.CharField(max_length=16, choices=Action.choices)
    purpose = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["file_kind", "file_id", "-at", "-id"], name="access_file_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.file_reference} ({self.outcome})"

    # The event in words, for the access log pages (codes stay in the database).
    role_label = property(lambda self: role_label(self.role) if self.role else "")
    section_label = property(lambda self: _label(Section, self.section))
    purpose_label = property(lambda self: _label(Purpose, self.purpose))
    reason_label = property(lambda self: _label(Refusal, self.reason))
    refused = property(lambda self: self.outcome == Outcome.REFUSED)


def _label(choices: type[models.TextChoices], value: str) -> str:
    return choices(value).label if value in choices.values else value.replace("_", " ")


class WindowQuerySet(models.QuerySet):
    """A window of access that opens, ends at a set time, and may be closed early: a
    review's sample (§9.1) or an audit session (§10.1). The one statement of "open now",
    for queries (``open_now``) and for a row already loaded (``window_is_open``)."""

    opens: str
    ends: str

    def open_now(self, at: datetime.datetime | None = None) -> WindowQuerySet:
        now = at or timezone.now()
        return self.filter(closed_at__isnull=True, **{f"{self.opens}__lte": now, f"{self.ends}__gt": now})

    @classmethod
    def window_is_open(cls, window: Any, at: datetime.datetime | None = None) -> bool:
        now = at or timezone.now()
        return window.closed_at is None and getattr(window, cls.opens) <= now < getattr(window, cls.ends)

    @classmethod
    def window_status(cls, window: Any, at: datetime.datetime | None = None) -> str:
        """The window in words, for lists: open, ended, closed (early) or not yet open."""
        now = at or timezone.now()
        if window.closed_at is not None:
            return gettext("Closed")
        if cls.window_is_open(window, now):
            return gettext("Open")
        return gettext("Not yet open") if now < getattr(window, cls.opens) else gettext("Ended")


class ReviewQuerySet(WindowQuerySet):
    opens, ends = "opens_at", "closes_at"


class Review(models.Model):
    """A spot check by the scheme's trustee, or an HSUK quality review: a random
    sample of a scheme's files, open for a window of time (§8.3, §9.1)."""

    class Kind(models.TextChoices):
        SPOT_CHECK = "spot_check", _("Trustee spot check")
        QUALITY_REVIEW = "quality_review", _("HSUK quality review")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    scheme = models.ForeignKey("homestart.Scheme", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    sample_size = models.PositiveSmallIntegerField()
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="review_window_positive"),
            models.CheckConstraint(condition=Q(sample_size__gte=1), name="review_sample_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.scheme.code}"

    @property
    def purpose(self) -> str:
        return Purpose.SPOT_CHECK if self.kind == self.Kind.SPOT_CHECK else Purpose.QUALITY_REVIEW

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        return ReviewQuerySet.window_is_open(self, at)

    @property
    def status(self) -> str:
        return ReviewQuerySet.window_status(self)


class SampledFile(AppendOnlyModel):
    """One file drawn into a review's sample: fixed once drawn (§9.1)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="files")
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)

    class Meta:
        ordering = ["file_reference"]
        constraints = [
            models.UniqueConstraint(fields=["review", "file_kind", "file_id"], name="sample_file_once"),
        ]
        indexes = [models.Index(fields=["file_kind", "file_id"], name="sample_file")]

    def __str__(self) -> str:
        return self.file_reference


class AuditSessionQuerySet(WindowQuerySet):
    opens, ends = "opened_at", "expires_at"


class AuditSession(models.Model):
    """A supervised session in which an external auditor reads named family files
    in the coordinator's presence; it ends when closed or after two hours (§10.1)."""

    DURATION = datetime.timedelta(hours=2)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey("homestart.Scheme", on_delete=models.PROTECT, related_name="audit_sessions")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_sessions")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The coordinator's signature: who is present, and that they agreed to be.
    coordinator_signed_name = models.CharField(max_length=200)
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()
    objects = AuditSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("opened_at")), name="audit_window_positive"),
        ]

    def __str__(self) -> str:
        return f"Audit session in {self.scheme.code}"

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        return AuditSessionQuerySet.window_is_open(self, at)

    @property
    def status(self) -> str:
        return AuditSessionQuerySet.window_status(self)


class AuditSessionFile(AppendOnlyModel):
    """One file named for an audit session: fixed once the session is opened (§10.1)."""

    session = models.ForeignKey(AuditSession, on_delete=models.PROTECT, related_name="files")
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)

    class Meta:
        ordering = ["file_reference"]
        constraints = [
            models.UniqueConstraint(fields=["session", "file_kind", "file_id"], name="audit_file_once"),
        ]
        indexes = [models.Index(fields=["file_kind", "file_id"], name="audit_file")]

    def __str__(self) -> str:
        return self.file_reference


class RecordOfAccess(AppendOnlyModel):
    """The Record of Access Form "on the inside front cover" of a file (§9.1, §10.1):
    name, role, purpose, date and time, and the declaration signed."""

    DECLARATION = (
        "I am opening this file only for the purpose stated. I will keep everything I read "
        "confidential in line with the Home-Start Confidentiality Policy, and I will not copy, "
        "share or remove any information that could identify the family."
    )

    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField()
    file_reference = models.CharField(max_length=32)
    scheme = models.ForeignKey("homestart.Scheme", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records_of_access")
    signed_name = models.CharField(_("name"), max_length=200)
    role = models.CharField(max_length=32)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    declaration = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    review = models.ForeignKey(Review, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures")
    audit_session = models.ForeignKey(
        AuditSession, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    # §10.1: the coordinator in whose presence an external auditor reads the file.
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Record of Access signature")
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["file_kind", "file_id", "-signed_at"], name="roa_file_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(review__isnull=True) | Q(audit_session__isnull=True), name="roa_one_occasion"
            ),
        ]

    def __str__(self) -> str:
        return f"Record of Access for {self.file_reference}"

    @property
    def role_label(self) -> str:
        """The role as the Record of Access shows it ("HSUK reviewer", not "reviewer")."""
        return role_label(self.role)


class ContractorUndertaking(AppendOnlyModel):
    """A contractor's (e.g. an IT engineer's) signed undertaking of strict
    confidentiality before any personal data is shown to them (§7.6)."""

    TEXT = (
        "I will access personal and sensitive information only where my work for the scheme makes it "
        "unavoidable, keep it strictly confidential, not copy or disclose it, and report any breach at once."
    )

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="undertakings")
    signed_name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"Undertaking by {self.user}"


class ApprovalKind(models.TextChoices):
    """The powers over files that one person asks for and another approves (DESIGN, "Two people")."""

    DISCLOSURE = "disclosure", _("Disclosure without consent")
    TRANSFER = "transfer", _("Transfer to another scheme without consent")
    EXTERNAL_REQUEST = "external_request", _("Decision on a police or court request")
    CASE_STUDY = "case_study", _("Release of a case study")


# The clauses behind each kind, quoted by the "Why?" on the approval's page.
APPROVAL_CLAUSES = {
    ApprovalKind.DISCLOSURE: ("2.1", "7.4"),
    ApprovalKind.TRANSFER: ("9.3",),
    ApprovalKind.EXTERNAL_REQUEST: ("10.2", "10.3"),
    ApprovalKind.CASE_STUDY: ("3.3", "7.5"),
}


class Approval(FamilyKey, EncryptedModel, AppendOnlyModel):
    """A request that waits for a second person: what is asked is kept, sealed under the family's
    key, and happens only when another person holding the right role approves it. Written once;
    its outcome is an ``ApprovalDecision``. The approver is never the person who asked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ApprovalKind.choices)
    scheme = models.ForeignKey("homestart.Scheme", on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="approvals")
    # The police or court request, or the case study, the approval decides on.
    subject_id = models.UUIDField(null=True, blank=True)
    # Rests on a safeguarding concern (§2.1): the safeguarding lead may approve as well as the
    # manager, and it may be acted on alone in an emergency.
    safeguarding = models.BooleanField(default=False)
    # What is asked, as JSON, sealed under the family's key.
    payload = EncryptedTextField(_("what is asked"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_role = models.CharField(max_length=32)
    requested_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["scheme", "kind", "-requested_at"], name="approval_scheme_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.family_id and self.family.reference}"

    @property
    def why_clauses(self) -> tuple[str, ...]:
        return APPROVAL_CLAUSES[ApprovalKind(self.kind)] if self.kind in ApprovalKind.values else ()


class ApprovalDecision(EncryptedModel, AppendOnlyModel):
    """The outcome of an approval: approved or refused by a second person, or acted on alone in
    an emergency by the person who asked (safeguarding only, with a reason). One per approval."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        EMERGENCY = "emergency", _("Emergency: acted on alone")

    # A UUID made before saving: the reason is sealed with the row's id as associated data.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    approval = models.OneToOneField(Approval, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_role = models.CharField(max_length=32)
    decided_at = models.DateTimeField(default=timezone.now, editable=False)
    # Sealed under the family's key: a refusal's or an emergency's reason may name people.
    reason = EncryptedTextField("reason", blank=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.decided_at:%Y-%m-%d %H:%M}"

    def get_data_key(self):
        return self.approval.family.data_key


class ApprovalNotice(AppendOnlyModel):
    """Someone was told at once that another acted alone in an emergency (on their page and by e-mail)."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_notices")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Emergency notice {self.pk}"
