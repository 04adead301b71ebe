"""Families, their members, referrals, visits and volunteer assignments.

Every personal field is encrypted under the family's own data key (§8.2);
lists and URLs use the pseudonymous reference only (§8.6).
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from homestart.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedTextField,
)
from homestart.historical import HistoricalRecords
from homestart.language import choice_label
from homestart.models import AppendOnlyModel, DataKey, EncryptedModel, FamilyKey, Scheme


class OwnKey:
    """The row holds its own data key (Family and its history rows)."""

    def get_data_key(self) -> DataKey:
        return self.data_key


class FamilyQuerySet(models.QuerySet):
    def with_keys(self) -> FamilyQuerySet:
        return self.select_related("data_key", "scheme")

    # A family destroyed at the end of its retention period (§8.8) is known by its data key
    # alone: the key is destroyed, the row stays as a tombstone (reference, scheme, dates).
    def destroyed(self) -> FamilyQuerySet:
        return self.filter(data_key__destroyed_at__isnull=False)

    def readable(self) -> FamilyQuerySet:
        """Families whose file can still be read: not destroyed."""
        return self.filter(data_key__destroyed_at__isnull=True)

    def open(self) -> FamilyQuerySet:
        return self.exclude(status=Family.Status.CLOSED)

    def closed(self) -> FamilyQuerySet:
        return self.filter(status=Family.Status.CLOSED)


class ClosureReason(models.TextChoices):
    """Why support ended (§8.8: retention counts from the closure)."""

    COMPLETED = "completed", _("Support completed")
    MOVED_AWAY = "moved_away", _("Moved away")
    WITHDREW = "withdrew", _("Family withdrew")
    TRANSFERRED = "transferred", _("Transferred to another scheme or service")
    NO_CONTACT = "no_contact", _("No contact")
    OTHER = "other", _("Other")


class Family(OwnKey, EncryptedModel):
    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="families")
    number = models.PositiveIntegerField(editable=False)
    # The pseudonym shown in lists and URLs: scheme code + sequence number,
    # never derived from personal data (§8.6).
    reference = models.CharField(max_length=16, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REFERRED)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    address = EncryptedTextField(_("address"), blank=True)
    postcode = EncryptedCharField(_("postcode"), max_length=10, blank=True)
    postcode_index = BlindIndexField(source="postcode", domain="postcode")
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True)
    # The postcode district (outcode, e.g. "CH41"), set from the postcode at
    # write time: a non-identifying area for statistics, so that figures never
    # need to decrypt a family's file (§3.2, §8.9).
    area = models.CharField(_("postcode district"), max_length=4, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(
        _("reason support ended"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    closing_summary = EncryptedTextField(_("ending summary"), blank=True)

    history = HistoricalRecords(bases=[OwnKey, models.Model])
    objects = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "number"]
        verbose_name_plural = _("families")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="family_number_unique_in_scheme"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False) | ~Q(status="closed"),
                name="family_closed_has_date",
            ),
        ]
        permissions = [
            ("view_family_minimal", "See the volunteer's minimal view of the family file (§8.5)"),
            ("review_family", "Read the family file in a sampled review (§9.1)"),
            ("audit_family", "Read the family file in a supervised audit session (§10.1)"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_label(self) -> str:
        """``get_status_display()``, at the cost of one look-up a language, not four a row."""
        return choice_label(Family.Status, self.status)

    @property
    def is_closed(self) -> bool:
        return self.status == Family.Status.CLOSED

    @property
    def destroyed_at(self) -> datetime.datetime | None:
        """When the file was destroyed (its data key, §8.8), or None while it can be read."""
        return self.data_key.destroyed_at

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None

    @staticmethod
    def area_of(postcode: str) -> str:
        """The outward code of a UK postcode ("CH41 7QZ" -> "CH41"), or "" if it is not one."""
        compact = "".join(postcode.upper().split())
        if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", compact):
            return ""
        return compact[:-3]

    @staticmethod
    def format_reference(code: str, number: int) -> str:
        return f"{code}-{number:04d}"


class SupportEpisodeEvent(FamilyKey, EncryptedModel, AppendOnlyModel):
    """One closing or reopening of a family's support, kept for good (§8.8).

    Closing starts the retention clock and reopening stops it; the file's own row says
    where the clock stands now, these rows say how it got there and why, in words
    (the ending summary, the reason for reopening) sealed with the family's key.
    Written once: neither changed nor deleted, so a reopened file keeps its past.
    """

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Support closed")
        REOPENED = "reopened", _("Support reopened")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="support_events")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(max_length=16, choices=ClosureReason.choices, blank=True)
    note = EncryptedTextField(_("ending summary or reason for reopening"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="closed") | ~Q(reason=""), name="support_closed_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.family_id and self.family.reference}"


class Member(FamilyKey, EncryptedModel):
    class Kind(models.TextChoices):
        ADULT = "adult", _("Parent or carer")
        CHILD = "child", _("Child")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    first_name = EncryptedCharField(_("first name"), max_length=100)
    last_name = EncryptedCharField(_("last name"), max_length=100, blank=True)
    surname_index = BlindIndexField(source="last_name", domain="surname")
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    relationship = EncryptedCharField(
        _("relationship"), max_length=100, blank=True, help_text=_("For example: mother, grandfather, son.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["kind", "created_at"]

    def __str__(self) -> str:
        return gettext("%(member)s in %(family)s") % {
            "member": self.get_kind_display(),
            "family": self.family_id and self.family.reference,
        }

    def age_on(self, day: datetime.date) -> int | None:
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Referral(FamilyKey, EncryptedModel):
    class Source(models.TextChoices):
        SELF = "self", _("Self-referral")
        HEALTH_VISITOR = "health_visitor", _("Health visitor")
        SOCIAL_CARE = "social_care", _("Social care")
        OTHER_AGENCY = "other_agency", _("Other agency")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="referrals")
    source = models.CharField(max_length=20, choices=Source.choices)
    referrer_name = EncryptedCharField(_("referrer's name"), max_length=200, blank=True)
    referrer_organisation = EncryptedCharField(_("referrer's organisation"), max_length=200, blank=True)
    referrer_contact = EncryptedCharField(_("referrer's phone or email"), max_length=200, blank=True)
    referred_on = models.DateField(_("date of referral"))
    reasons = EncryptedTextField(_("reasons for referral"))
    # §7.1: the scheme accepts referrals only where the family has consented.
    family_consented = models.BooleanField(_("the family consented to the referral"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-referred_on"]
        constraints = [
            models.CheckConstraint(condition=Q(family_consented=True), name="referral_requires_consent"),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.family_id and self.family.reference}"


class Visit(FamilyKey, EncryptedModel):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial visit")
        REVIEW = "review", _("Review visit")
        SUPPORT = "support", _("Support visit")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    visited_on = models.DateField(_("date of visit"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[FamilyKey, models.Model])

    class Meta:
        ordering = ["-visited_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.family_id and self.family.reference}"


class PlannedVisitQuerySet(models.QuerySet):
    def planned(self) -> PlannedVisitQuerySet:
        return self.filter(status=PlannedVisit.Status.PLANNED)

    def overdue(self, on: datetime.date | None = None) -> PlannedVisitQuerySet:
        """Still planned, on a day already past: nobody recorded it nor marked it missed."""
        return self.planned().filter(planned_on__lt=on or timezone.localdate())


class PlannedVisit(FamilyKey, EncryptedModel):
    """A visit (or phone call) planned for a day and time, and who will make it.

    Planned by the scheme's coordinators and manager for any family of the scheme, or by a
    volunteer for a family they support (§8.5). Recording the visit completes it (``visit``
    is the visit recorded); a visit that did not happen is marked missed, with the reason
    sealed with the family's key. A review visit is where consent is sought again (§1.2).
    Every change has history; a planned visit is never deleted.
    """

    class Kind(models.TextChoices):
        # The first three are the kinds of visit recorded (``Visit.Kind``), so that recording a
        # planned visit keeps its kind; a phone call is recorded as a support visit.
        INITIAL = "initial", _("Initial visit")
        REVIEW = "review", _("Review visit (consent is sought again)")
        SUPPORT = "support", _("Home visit")
        PHONE = "phone", _("Phone call")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        COMPLETED = "completed", _("Visit recorded")
        MISSED = "missed", _("Missed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="planned_visits")
    kind = models.CharField(_("type of visit"), max_length=16, choices=Kind.choices)
    planned_on = models.DateField(_("date"))
    planned_at = models.TimeField(_("time"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    missed_reason = EncryptedTextField(_("why the visit did not happen"), blank=True)
    # The visit recorded for it, once it happened.
    visit = models.OneToOneField(
        Visit, on_delete=models.PROTECT, related_name="planned", null=True, blank=True, editable=False
    )
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When and by whom it was recorded or marked missed.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    history = HistoricalRecords(bases=[FamilyKey, models.Model])
    objects = PlannedVisitQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "planned_at"]
        indexes = [
            models.Index(fields=["visitor", "status", "planned_on"], name="planned_visit_visitor_idx"),
            models.Index(fields=["status", "planned_on"], name="planned_visit_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="completed", visit__isnull=False) | (~Q(status="completed") & Q(visit__isnull=True)),
                name="planned_visit_completed_has_visit",
            ),
            models.CheckConstraint(
                condition=Q(status="planned", closed_at__isnull=True)
                | (~Q(status="planned") & Q(closed_at__isnull=False)),
                name="planned_visit_closed_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} planned for {self.family_id and self.family.reference}"

    @property
    def still_planned(self) -> bool:
        return self.status == PlannedVisit.Status.PLANNED

    @property
    def visit_kind(self) -> str:
        """The kind of visit recorded when it happens."""
        return Visit.Kind.SUPPORT if self.kind == PlannedVisit.Kind.PHONE else self.kind

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return self.status == PlannedVisit.Status.PLANNED and self.planned_on < (on or timezone.localdate())


class AssignmentQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> AssignmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(ended_at__isnull=True, starts_on__lte=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day)
        )


class VolunteerAssignment(models.Model):
    """A volunteer supporting a family, from a date until a date or until ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="assignments")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("The last day, if already agreed."))
    # Set when a coordinator ends the assignment: access ends at that moment.
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["family", "volunteer"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_open_per_volunteer",
            ),
        ]

    def __str__(self) -> str:
        return f"Assignment to {self.family_id and self.family.reference}"

    def is_active(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.ended_at is None and self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class FamilyUserObjectPermission(UserObjectPermissionBase):
    """Object permissions on one family for one person: direct foreign keys, not
    guardian's generic table, so they join fast and cannot outlive the family."""

    content_object = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="user_permissions")

    class Meta(UserObjectPermissionBase.Meta):
        # guardian's unique (user, permission, content_object) is the index the gate uses;
        # a second index on the same columns only slowed every grant.
        abstract = False


class FamilyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="group_permissions")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False  # (as above: the unique constraint's index serves the gate)


class Group(models.Model):
    """A group the scheme runs for families, e.g. a weekly stay-and-play (§6.1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120, help_text=_("For example: Tuesday stay and play. No family's name."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="group_name_unique_in_scheme")]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A family in a group, and that confidentiality was explained when it joined (§6.1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="group_memberships")
    joined_on = models.DateField(_("joined on"))
    confidentiality_explained = models.BooleanField(_("confidentiality was explained to the family when it joined"))
    written_information_given = models.BooleanField(_("written information about confidentiality was given"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["joined_on"]
        constraints = [
            models.UniqueConstraint(fields=["group", "family"], name="group_member_once"),
            models.CheckConstraint(
                condition=Q(confidentiality_explained=True, written_information_given=True),
                name="group_member_confidentiality_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_id and self.family.reference} in a group"


class GroupSession(models.Model):
    """One meeting of a group; which families attended and who visited (§6.1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("date of session"))
    families = models.ManyToManyField(Family, related_name="group_sessions", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(m2m_fields=[families])

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Session of {self.group_id and self.group.name} on {self.held_on}"


class GroupVisitor(models.Model):
    """A visitor to a session (e.g. a health visitor), told about confidentiality (§6.1).

    Described by role or organisation, not by name: a visitor is not a family member.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="visitors")
    description = models.CharField(max_length=120, help_text=_("Role or organisation, for example: health visitor."))
    confidentiality_explained = models.BooleanField(_("confidentiality was explained to the visitor"))
    written_information_given = models.BooleanField(_("written information about confidentiality was given"))
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confidentiality_explained=True, written_information_given=True),
                name="group_visitor_confidentiality_explained",
            ),
        ]

    def __str__(self) -> str:
        return self.description
