from __future__ import annotations

from django import forms
from django.utils import timezone

from families.forms import date_field
from families.models import Member
from homestart.concurrency import VersionedForm
from homestart.models import User

from .models import Breach, PersonnelFile, SubjectAccessRequest, VolunteerFile


class ClearMessages:
    """ "This field is required." says nothing: name the field instead."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "this").rstrip("?").lower()
            verb = "Choose" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
            field.error_messages["required"] = f"{verb} {label}."


class SarForm(ClearMessages, forms.Form):
    subject_kind = forms.ChoiceField(
        label="Who the request is about", choices=SubjectAccessRequest.SubjectKind.choices, widget=forms.RadioSelect
    )
    family_reference = forms.CharField(
        label="Family reference",
        required=False,
        max_length=16,
        help_text="For a family member, for example WIR-0042.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    member = forms.ModelChoiceField(
        label="Who in the family the request is about",
        required=False,
        queryset=Member.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Their own details are given; what is about other people in the family is marked for review.",
    )
    subject_user = forms.ModelChoiceField(
        label="Volunteer, member of staff or trustee",
        required=False,
        queryset=User.objects.none(),
        help_text="For anyone else.",
    )
    requester_name = forms.CharField(label="Name of the person asking", max_length=200)
    request_details = forms.CharField(
        label="What they asked for", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    received_on = date_field("Date received")

    def __init__(self, *args, people, members=None, **kwargs) -> None:
        """``members``: the family's members, once a family reference has been entered
        (read through the gate by the view); until then the choice is not offered."""
        super().__init__(*args, **kwargs)
        self.fields["subject_user"].queryset = people
        self.fields["subject_user"].label_from_instance = lambda u: u.display_name
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members
            self.fields["member"].label_from_instance = lambda m: (
                f"{m.first_name} {m.last_name}".strip() + f" ({m.get_kind_display().lower()})"
            )

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("subject_kind")
        if kind == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER and not data.get("family_reference"):
            self.add_error("family_reference", "Enter the family's reference.")
        if (
            kind == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER
            and "member" in self.fields
            and not data.get("member")
            and "member" not in self.errors
        ):
            self.add_error("member", "Choose who in the family the request is about.")
        if kind and kind != SubjectAccessRequest.SubjectKind.FAMILY_MEMBER and not data.get("subject_user"):
            self.add_error("subject_user", "Choose the person the request is about.")
        return data


class IdentityForm(ClearMessages, forms.Form):
    evidence = forms.CharField(
        label="Evidence of identity seen", max_length=200, help_text="For example: passport checked in person."
    )


class ExtendForm(ClearMessages, forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by", choices=[(1, "1 month"), (2, "2 months")], coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason (told to the requester)", max_length=300)


class ReleaseForm(ClearMessages, forms.Form):
    recipient = forms.CharField(label="Given to", max_length=200, help_text="For example: the requester, by hand.")
    reviewed = forms.BooleanField(
        label="I have reviewed the information marked as about other people, and redacted what must be",
        required=False,
    )

    def clean_reviewed(self) -> bool:
        if not self.cleaned_data.get("reviewed"):
            raise forms.ValidationError("Confirm that the information about other people has been reviewed.")
        return True


class BreachForm(ClearMessages, forms.Form):
    found_on = date_field("Date it was found")
    found_time = forms.TimeField(
        label="Time it was found",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Enter the time, for example 14:30."},
    )
    description = forms.CharField(label="What happened", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    data_affected = forms.CharField(label="Data affected", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    people_affected = forms.CharField(
        label="People affected",
        required=False,
        max_length=2000,
        help_text="References, not names.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreachAssessForm(ClearMessages, VersionedForm):
    risk = forms.ChoiceField(label="Risk", choices=Breach.Risk.choices, widget=forms.RadioSelect)
    ico_decision = forms.ChoiceField(
        label="Report to the ICO?", choices=Breach.IcoDecision.choices, widget=forms.RadioSelect
    )
    ico_decision_reason = forms.CharField(label="Reason for the decision", required=False, max_length=500)
    actions = forms.CharField(
        label="Actions taken", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(
        label="Outcome", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    close = forms.BooleanField(label="Close this breach", required=False)


class SupervisionForm(ClearMessages, forms.Form):
    supervisee = forms.ModelChoiceField(label="Who was supervised", queryset=User.objects.none())
    held_on = date_field("Date of supervision")
    families_discussed = forms.CharField(
        label="Families discussed", required=False, max_length=200, help_text="References only, for example WIR-0042."
    )
    notes = forms.CharField(label="Notes", max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisee"].queryset = people
        self.fields["supervisee"].label_from_instance = lambda u: u.display_name


def _person_file_form(model_class, extra: list[str]):
    from families.forms import DateInput

    class PersonFileForm(ClearMessages, forms.ModelForm):
        class Meta:
            model = model_class
            fields = ["full_name", "phone", "address", "started_on", "left_on", "left_reason", *extra]
            widgets = {
                "started_on": DateInput,
                "left_on": DateInput,
                "dbs_checked_on": DateInput,
                "address": forms.Textarea(attrs={"rows": 3}),
                **{
                    name: forms.Textarea(attrs={"rows": 3})
                    for name in ("recruitment", "training", "induction", "employment")
                },
            }

        def clean(self) -> dict:
            data = super().clean()
            if data.get("left_on") and data.get("started_on") and data["left_on"] < data["started_on"]:
                self.add_error("left_on", "The leaving date must be on or after the start date.")
            if data.get("left_on") and data["left_on"] > timezone.localdate():
                self.add_error("left_on", "The leaving date must be today or in the past.")
            # Leaving starts the file's retention period (§8.8): a date and a reason, together.
            if data.get("left_on") and not data.get("left_reason"):
                self.add_error("left_reason", "Choose why the person left.")
            if data.get("left_reason") and not data.get("left_on") and "left_on" not in self.errors:
                self.add_error("left_on", "Enter the date the person left.")
            return data

    return PersonFileForm


VolunteerFileForm = _person_file_form(VolunteerFile, ["recruitment", "training", "induction", "dbs_checked_on"])
PersonnelFileForm = _person_file_form(PersonnelFile, ["job_title", "employment"])


class VolunteerFileChangeForm(VersionedForm, VolunteerFileForm):
    """Changing a file carries the version it was opened on (concurrent edits)."""


class PersonnelFileChangeForm(VersionedForm, PersonnelFileForm):
    """Changing a file carries the version it was opened on (concurrent edits)."""


class PersonChoiceForm(ClearMessages, forms.Form):
    person = forms.ModelChoiceField(label="Person", queryset=User.objects.none())

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: u.display_name
