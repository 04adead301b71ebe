"""Forms for volunteer and personnel files (§8.3, §8.4) and supervision (§4.2, §5.2)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.forms import date_field
from families.matching import TIMES
from homestart import dates
from homestart.concurrency import VersionedForm
from homestart.models import User
from records.common import ClearMessages
from records.models import PersonnelFile, TrainingRecord, VolunteerFile
from records.models.people import split_words


class SupervisionForm(ClearMessages, forms.Form):
    supervisee = forms.ModelChoiceField(label=_("Who was supervised"), queryset=User.objects.none())
    held_on = date_field(_("Date of supervision"))
    families_discussed = forms.CharField(
        label=_("Families discussed"),
        required=False,
        max_length=200,
        help_text=_("References only, for example WIR-0042."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisee"].queryset = people
        self.fields["supervisee"].label_from_instance = lambda u: u.display_name


def _person_file_form(model_class, extra: list[str]):
    class PersonFileForm(ClearMessages, forms.ModelForm):
        class Meta:
            model = model_class
            fields = ["full_name", "phone", "address", "started_on", "left_on", "left_reason", *extra]
            # Dates as day, month and year (``homestart.dates``); ``dbs_checked_on`` is an
            # EncryptedDateField, whose form field is already one.
            field_classes = {
                "started_on": dates.DateField,
                "left_on": dates.DateField,
                "dbs_renewal_due": dates.DateField,
            }
            widgets = {
                "address": forms.Textarea(attrs={"rows": 3}),
                **{
                    name: forms.Textarea(attrs={"rows": 3})
                    for name in ("recruitment", "training", "induction", "employment")
                },
            }

        def clean(self) -> dict:
            data = super().clean()
            for name in ("dbs_checked_on", "preparation_course_on"):
                if data.get(name) and data[name] > timezone.localdate():
                    self.add_error(name, _("The date must be today or in the past."))
            if data.get("left_on") and data.get("started_on") and data["left_on"] < data["started_on"]:
                self.add_error("left_on", _("The leaving date must be on or after the start date."))
            if data.get("left_on") and data["left_on"] > timezone.localdate():
                self.add_error("left_on", _("The leaving date must be today or in the past."))
            # Leaving starts the file's retention period (§8.8): a date and a reason, together.
            if data.get("left_on") and not data.get("left_reason"):
                self.add_error("left_reason", _("Choose why the person left."))
            if data.get("left_reason") and not data.get("left_on") and "left_on" not in self.errors:
                self.add_error("left_on", _("Enter the date the person left."))
            return data

    return PersonFileForm


class TimesWidget(forms.CheckboxSelectMultiple):
    """When a volunteer is free, kept in the file as codes separated by commas."""

    def format_value(self, value):
        return split_words(value) if isinstance(value, str) else super().format_value(value)


class TimesField(forms.MultipleChoiceField):
    widget = TimesWidget

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=TIMES, required=False, **kwargs)

    def to_python(self, value):
        return split_words(value) if isinstance(value, str) else super().to_python(value)

    def clean(self, value) -> str:
        chosen = set(super().clean(value))
        return ",".join(code for code, _ in TIMES if code in chosen)


_VOLUNTEER_FIELDS = [
    "recruitment",
    "preparation_course_on",
    "training",
    "induction",
    "dbs_checked_on",
    "dbs_renewal_due",
    "availability",
    "areas",
    "languages",
]


class VolunteerFileForm(_person_file_form(VolunteerFile, _VOLUNTEER_FIELDS)):
    """Matching needs the areas, languages and free times (issue 15.4); the DBS renewal date
    defaults to three years after the check (``DBS_RENEWAL_YEARS``)."""

    availability = TimesField(label=_("When they are free"), help_text=_("Days and parts of the day."))


PersonnelFileForm = _person_file_form(PersonnelFile, ["job_title", "employment"])


class VolunteerFileChangeForm(VersionedForm, VolunteerFileForm):
    """Changing a file carries the version it was opened on (concurrent edits)."""


class PersonnelFileChangeForm(VersionedForm, PersonnelFileForm):
    """Changing a file carries the version it was opened on (concurrent edits)."""


class PersonChoiceForm(ClearMessages, forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: u.display_name


class TrainingRecordForm(ClearMessages, forms.ModelForm):
    """A course a volunteer completed (issue 15.4); a renewal is recorded as a new course."""

    class Meta:
        model = TrainingRecord
        fields = ["course", "completed_on", "renew_on"]
        field_classes = {"renew_on": dates.DateField}  # completed_on is encrypted: already day, month and year

    def clean_completed_on(self):
        day = self.cleaned_data.get("completed_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date must be today or in the past."))
        return day
