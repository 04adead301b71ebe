"""Volunteer and personnel files (§8.3, §8.4) and supervision notes (§4.2, §5.2).

Each volunteer or personnel file has its own data key (§8.2): its personal
fields, its history rows and the supervision notes about its person are sealed
with it, so destroying that key at the end of the retention period
crypto-shreds all of them at once (§8.8). References are pseudonymous:
``WIR-V-0007`` for a volunteer file, ``WIR-P-0003`` for a personnel file."""

from __future__ import annotations

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from homestart.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from homestart.historical import HistoricalRecords
from homestart.models import DataKey, EncryptedModel, Scheme

# The scheme's safer-recruitment rule (the Confidentiality Policy has no clause on it): an
# enhanced DBS check is renewed every three years, unless the coordinator records another date.
DBS_RENEWAL_YEARS = 3
POSTCODE_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")


def renewal_after(day: datetime.date, years: int = DBS_RENEWAL_YEARS) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def split_words(text: str) -> list[str]:
    """ "English,  polish; Urdu" -> ["English", "polish", "Urdu"], without repeats."""
    seen: dict[str, str] = {}
    for word in re.split(r"[,;/\n]+", text or ""):
        word = " ".join(word.split())
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    return list(seen.values())


def split_areas(text: str) -> list[str]:
    return [area.upper().replace(" ", "") for area in split_words((text or "").replace(" ", ","))]


class OwnKey:
    """The row (and its history rows) holds its own data key."""

    def get_data_key(self) -> DataKey:
        return self.data_key


class LeavingReason(models.TextChoices):
    """Why a volunteer or member of staff left (§8.8: retention runs from the leaving date).
    Broad on purpose: the details, if any, belong in the file's encrypted notes."""

    STOPPED = "stopped", _("Resigned or stopped volunteering")
    RETIRED = "retired", _("Retired")
    ROLE_ENDED = "role_ended", _("Contract or role ended")
    MOVED_AWAY = "moved_away", _("Moved away")
    OTHER = "other", _("Other")


class PersonFile(OwnKey, EncryptedModel):
    """What volunteer and personnel files share: a person, a scheme, a key, dates."""

    PREFIX = ""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    full_name = EncryptedCharField(_("full name"), max_length=200)
    phone = EncryptedCharField(_("phone"), max_length=32, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    started_on = models.DateField(_("started on"))
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("Retention runs from this date (§8.8).")
    )
    left_reason = models.CharField(_("reason for leaving"), max_length=16, choices=LeavingReason.choices, blank=True)
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

    recruitment = EncryptedTextField(_("recruitment (application, references, checks)"), blank=True)
    training = EncryptedTextField(_("training completed"), blank=True)
    induction = EncryptedTextField(_("induction notes"), blank=True)
    dbs_checked_on = EncryptedDateField(_("enhanced DBS check date"), null=True, blank=True)
    # What matching and reminders need (issue 15.4). Personal details are sealed with the file's
    # key; the renewal date is a plain date, like a consent's review date, so that the daily
    # reminders find what is due in the database without opening every file (§8.6: the
    # reminder names the file's reference only).
    dbs_renewal_due = models.DateField(
        _("DBS check renewal due"),
        null=True,
        blank=True,
        help_text=format_lazy(_("Leave blank for {years} years after the check."), years=DBS_RENEWAL_YEARS),
    )
    preparation_course_on = EncryptedDateField(_("preparation course completed"), null=True, blank=True)
    availability = EncryptedCharField(_("when they are free"), max_length=400, blank=True)
    areas = EncryptedCharField(
        _("areas they can reach"),
        max_length=200,
        blank=True,
        help_text=_("Postcode districts, for example CH41, CH43."),
    )
    languages = EncryptedCharField(
        _("languages they speak"), max_length=200, blank=True, help_text=_("For example English, Polish.")
    )

    history = HistoricalRecords(bases=[OwnKey, models.Model])

    class Meta(PersonFile.Meta):
        abstract = False
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="volunteer_file_number_unique"),
            models.UniqueConstraint(fields=["scheme", "person"], name="volunteer_file_one_per_person"),
        ]

    def clean(self) -> None:
        super().clean()
        self.areas = ", ".join(split_areas(self.areas))
        self.languages = ", ".join(split_words(self.languages))
        bad = [area for area in split_areas(self.areas) if not POSTCODE_DISTRICT.fullmatch(area)]
        if bad:
            raise ValidationError(
                {"areas": _("%(area)s is not a postcode district: write them like CH41, CH43.") % {"area": bad[0]}}
            )
        if self.dbs_checked_on and not self.dbs_renewal_due:
            self.dbs_renewal_due = renewal_after(self.dbs_checked_on)
        if self.dbs_renewal_due and not self.dbs_checked_on:
            raise ValidationError({"dbs_checked_on": _("Enter the date of the DBS check the renewal date belongs to.")})
        if self.dbs_renewal_due and self.dbs_checked_on and self.dbs_renewal_due <= self.dbs_checked_on:
            raise ValidationError({"dbs_renewal_due": _("The renewal date must be after the date of the check.")})

    def dbs_current(self, on: datetime.date) -> bool:
        """A DBS check recorded and not yet due for renewal on ``on`` (the safer-recruitment rule)."""
        if self.dbs_checked_on is None:
            return False
        # A file recorded before renewal dates existed: three years from the check.
        return (self.dbs_renewal_due or renewal_after(self.dbs_checked_on)) > on


class PersonnelFile(PersonFile):
    """A member of staff's personnel file (§8.4)."""

    PREFIX = "P"

    job_title = EncryptedCharField(_("job title"), max_length=200, blank=True)
    employment = EncryptedTextField(_("contract, appraisals and other employment records"), blank=True)

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
    reason = models.CharField(max_length=200, help_text=_("Why a trustee needs to see this file."))
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


class TrainingRecord(KeyFromField, EncryptedModel):
    """A course a volunteer completed, and when it is due for renewal (issue 15.4). Sealed with
    the volunteer file's key, so it is destroyed with the file (§8.8). A renewal is a new
    record; none is deleted. The renewal date is plain, for the reminders (like the DBS one)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    volunteer_file = models.ForeignKey(VolunteerFile, on_delete=models.PROTECT, related_name="training_records")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    course = EncryptedCharField(_("course"), max_length=200)
    completed_on = EncryptedDateField(_("completed on"))
    renew_on = models.DateField(
        _("renewal due"), null=True, blank=True, help_text=_("Leave blank if it is not renewed.")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[KeyFromField, models.Model])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Training record of {self.volunteer_file_id and self.volunteer_file.reference}"

    def clean(self) -> None:
        super().clean()
        self.course = " ".join((self.course or "").split())
        if self.renew_on and self.completed_on and self.renew_on <= self.completed_on:
            raise ValidationError({"renew_on": _("The renewal date must be after the date the course was completed.")})


class SupervisionNote(KeyFromField, EncryptedModel):
    """A supervision session (§4.2, §5.2): a coordinator with their line manager, or
    a volunteer with their coordinator. Sealed with the supervisee's file key, so it
    is destroyed with that file; confidential to the two parties and the manager."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    supervisee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    held_on = models.DateField(_("date of supervision"))
    # Families are named by reference only (§8.6).
    families_discussed = models.CharField(max_length=200, blank=True, help_text=_("Family references, if any."))
    notes = EncryptedTextField(_("notes"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(bases=[KeyFromField, models.Model])

    class Meta:
        ordering = ["-held_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(supervisee=models.F("supervisor")), name="supervision_two_people"),
        ]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on}"
