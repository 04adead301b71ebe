"""Forms for family files. Dates are typed as day, month and year (``homestart.dates``); all text is trimmed."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from homestart import dates
from homestart.concurrency import VersionedForm
from homestart.models import Scheme, User

from . import matching
from .models import ClosureReason, Member, PlannedVisit, Referral, Visit
from .services import require_consent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def date_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = "", described_as: StrOrPromise = ""
) -> dates.DateField:
    """A date as day, month and year (the GOV.UK date input, ``homestart.dates``).

    ``described_as`` names the date in messages when the label alone reads badly ("From")."""
    return dates.DateField(label=label, required=required, help_text=help_text, described_as=described_as)


def clean_postcode(value: str) -> str:
    compact = "".join(value.upper().split())
    if not compact:
        return ""
    match = POSTCODE.match(compact)
    if not match:
        raise forms.ValidationError(_("Enter a real UK postcode, for example CH41 4AB."))
    return f"{match.group(1)} {match.group(2)}"


def not_in_future(value, label: StrOrPromise):
    if value and value > timezone.localdate():
        raise forms.ValidationError(gettext("%(date)s must be today or in the past.") % {"date": label})
    return value


class ContactFormMixin(forms.Form):
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "class": "govuk-input--width-20"}),
    )

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])


class ContactForm(VersionedForm, ContactFormMixin):
    pass


class NewFamilyForm(ContactFormMixin):
    """A referral (§7.1) and the first parent or carer: everything needed to open a file."""

    scheme = forms.ModelChoiceField(queryset=Scheme.objects.none(), label=_("Scheme"), empty_label=None)
    source = forms.ChoiceField(
        label=_("Who referred the family?"), choices=Referral.Source.choices, widget=forms.RadioSelect
    )
    referred_on = date_field(_("Date of referral"))
    referrer_name = forms.CharField(label=_("Referrer's name"), required=False, max_length=200)
    referrer_organisation = forms.CharField(label=_("Referrer's organisation"), required=False, max_length=200)
    referrer_contact = forms.CharField(label=_("Referrer's phone or email"), required=False, max_length=200)
    reasons = forms.CharField(
        label=_("Reasons for referral"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    family_consented = forms.BooleanField(
        label=_("The family has consented to this referral"),
        required=False,
        help_text=_("Home-Start accepts a referral only when the family has agreed to it (§7.1)."),
    )
    first_name = forms.CharField(label=_("Parent or carer's first name"), max_length=100)
    last_name = forms.CharField(label=_("Parent or carer's last name"), max_length=100)
    date_of_birth = date_field(_("Parent or carer's date of birth"), required=False)
    relationship = forms.CharField(
        label=_("Relationship to the children"),
        required=False,
        max_length=100,
        help_text=_("For example: mother, father, grandmother."),
    )

    field_order = [
        "scheme",
        "source",
        "referred_on",
        "referrer_name",
        "referrer_organisation",
        "referrer_contact",
        "reasons",
        "family_consented",
        "first_name",
        "last_name",
        "date_of_birth",
        "relationship",
        "address",
        "postcode",
        "phone",
    ]

    # Each required field says what to do, in its own words (GOV.UK error messages).
    messages = {
        "scheme": _("Select the scheme the family is referred to"),
        "source": _("Select who referred the family"),
        "reasons": _("Enter the reasons for referral"),
        "first_name": _("Enter the parent or carer's first name"),
        "last_name": _("Enter the parent or carer's last name"),
    }

    def __init__(self, *args, schemes, single: bool | None = None, **kwargs) -> None:
        """``single``: whether ``schemes`` is one scheme, when the caller knows it already
        (from the person's roles), so the form does not count them (issue 18)."""
        super().__init__(*args, **kwargs)
        for name, message in self.messages.items():
            self.fields[name].error_messages["required"] = message
        self.fields["scheme"].queryset = schemes
        if (len(schemes) == 1) if single is None else single:
            if not self.is_bound:  # a form sent back carries its scheme already
                self.fields["scheme"].initial = schemes.first().pk
            self.fields["scheme"].widget = forms.HiddenInput()

    def clean_referred_on(self):
        return not_in_future(self.cleaned_data.get("referred_on"), _("The date of referral"))

    def clean_date_of_birth(self):
        return not_in_future(self.cleaned_data.get("date_of_birth"), _("Date of birth"))

    def clean(self):
        cleaned = super().clean()
        try:
            # On the form, not only when the file is opened: the check-your-answers page
            # should not be reached by a referral that cannot be accepted (§7.1).
            require_consent({"family_consented": cleaned.get("family_consented")})
        except forms.ValidationError as error:
            self.add_error(None, error)
        if cleaned.get("source") and cleaned["source"] != Referral.Source.SELF and not cleaned.get("referrer_name"):
            self.add_error("referrer_name", _("Enter the referrer's name, or choose self-referral."))
        return cleaned

    def answers(self) -> list[tuple[str, str, str]]:
        """(field name, question, answer in words) for the check-your-answers page."""
        rows = []
        for name in self.field_order:
            field, value = self.fields[name], self.cleaned_data.get(name)
            if name == "scheme" and field.widget.is_hidden:
                continue
            if isinstance(value, datetime.date):
                text = date_format(value, "j F Y")
            elif isinstance(value, bool):
                text = gettext("Yes") if value else gettext("No")
            elif name == "source":
                text = str(Referral.Source(value).label)
            else:
                text = str(value or "")
            rows.append((name, str(field.label), text or gettext("Not given")))
        return rows

    def hidden_values(self) -> list[tuple[str, str]]:
        """The checked answers, to be sent again with "Open family file": dates whole (ISO), the
        scheme by its number, a box that was not ticked not at all."""
        values = []
        for name in self.field_order:
            value = self.cleaned_data.get(name)
            if value is None or value is False or value == "":
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif value is True:
                value = "on"
            elif isinstance(value, Scheme):
                value = value.pk
            values.append((name, str(value)))
        return values

    def referral_data(self) -> dict:
        d = self.cleaned_data
        keys = [
            "source",
            "referred_on",
            "referrer_name",
            "referrer_organisation",
            "referrer_contact",
            "reasons",
            "family_consented",
        ]
        return {k: d[k] for k in keys}

    def carer_data(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ["first_name", "last_name", "date_of_birth", "relationship"]}


class MemberForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Parent, carer or child?"), choices=Member.Kind.choices, widget=forms.RadioSelect)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    date_of_birth = date_field(_("Date of birth"), required=False)
    relationship = forms.CharField(
        label=_("Relationship"), required=False, max_length=100, help_text=_("For example: mother, grandfather, son.")
    )

    def clean_date_of_birth(self):
        return not_in_future(self.cleaned_data.get("date_of_birth"), _("Date of birth"))


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of visit"), choices=Visit.Kind.choices, widget=forms.RadioSelect)
    visited_on = date_field(_("Date of visit"))
    visited_by = forms.ModelChoiceField(label=_("Who visited"), queryset=User.objects.none())
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("Record only what is needed to support the family."),
    )

    def __init__(self, *args, visitors, volunteer: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_by"].queryset = visitors
        self.fields["visited_by"].label_from_instance = lambda u: u.display_name
        if volunteer:
            self.fields["kind"].choices = [(Visit.Kind.SUPPORT, Visit.Kind.SUPPORT.label)]
            self.fields["visited_by"].widget = forms.HiddenInput()

    def clean_visited_on(self):
        return not_in_future(self.cleaned_data.get("visited_on"), _("The date of the visit"))


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=User.objects.none())
    starts_on = date_field(_("From"), described_as=_("the first day"))
    ends_on = date_field(
        "Until", required=False, help_text=_("The last day, if already agreed."), described_as=_("the last day")
    )

    def __init__(self, *args, volunteers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["volunteer"].label_from_instance = lambda u: u.display_name

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day must be on or after the first day."))
        return cleaned


class MatchForm(forms.Form):
    """What the family would like of a volunteer, for ranking suggestions (issue 15.4). Asked on
    the page, never stored: the family's postcode district comes from its file."""

    language = forms.CharField(
        label=_("Language the family would like"), required=False, max_length=60, help_text=_("For example Polish.")
    )
    times = forms.MultipleChoiceField(
        label=_("When the family would like visits"),
        required=False,
        choices=matching.TIMES,
        widget=forms.CheckboxSelectMultiple,
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Family reference, surname or postcode"),
        max_length=100,
        help_text=_("Exact match only, for example WIR-0042, Smith or CH41 4AB."),
    )


class DisplayModeForm(forms.Form):
    references_only = forms.BooleanField(required=False)


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the group"), max_length=120, help_text=_("For example: Tuesday stay and play.")
    )


class FamilyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.reference  # the pseudonymous reference, never a name (§8.6)


class FamiliesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.reference


class GroupMemberForm(forms.Form):
    family = FamilyChoiceField(
        label=_("Family"),
        queryset=None,
        empty_label=_("Choose a family"),
        error_messages={"required": _("Choose the family joining the group.")},
    )
    joined_on = date_field(_("Date joined"), described_as=_("the date the family joined"))
    confidentiality_explained = forms.BooleanField(
        label=_("Confidentiality was explained to the family when it joined"), required=False
    )
    written_information_given = forms.BooleanField(
        label=_("The family was given written information about confidentiality"), required=False
    )

    def __init__(self, *args, families, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families

    def clean_joined_on(self):
        return not_in_future(self.cleaned_data["joined_on"], _("The date joined"))


class GroupSessionForm(forms.Form):
    held_on = date_field(_("Date of session"), described_as=_("the date of the session"))
    families = FamiliesChoiceField(
        label=_("Families attending"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    visitor = forms.CharField(
        label=_("Visitor"),
        required=False,
        max_length=120,
        help_text=_("Role or organisation, not a name: for example, health visitor."),
    )
    visitor_confidentiality_explained = forms.BooleanField(
        label=_("Confidentiality was explained to the visitor"), required=False
    )
    visitor_written_information_given = forms.BooleanField(
        label=_("The visitor was given written information about confidentiality"), required=False
    )

    def __init__(self, *args, families, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["families"].queryset = families

    def clean_held_on(self):
        return not_in_future(self.cleaned_data["held_on"], _("The date of the session"))

    def visitors(self) -> list[dict]:
        if not self.cleaned_data.get("visitor"):
            return []
        return [
            {
                "description": self.cleaned_data["visitor"],
                "confidentiality_explained": self.cleaned_data["visitor_confidentiality_explained"],
                "written_information_given": self.cleaned_data["visitor_written_information_given"],
            }
        ]


class CloseForm(forms.Form):
    """Closing support (§8.8: the retention period runs from this date)."""

    closed_on = date_field(_("Date support ended"), described_as=_("the date support ended"))
    reason = forms.ChoiceField(
        label=_("Why did support end?"),
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why support ended."),
            "invalid_choice": _("Choose one of the reasons listed."),
        },
    )
    summary = forms.CharField(
        label=_("Ending summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How support ended and what changed for the family. Kept in the family file, encrypted."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].error_messages["required"] = _("Enter the date support ended.")

    def clean_closed_on(self):
        return not_in_future(self.cleaned_data.get("closed_on"), _("The date support ended"))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is support starting again?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why support is starting again.")},
        help_text=_("The file's retention period stops; the closing and this reopening stay on record."),
    )


class PlanVisitForm(forms.Form):
    """Plan a visit: when, who goes and what kind (a review visit seeks consent again, §1.2)."""

    kind = forms.ChoiceField(
        label=_("Type of visit"),
        choices=PlannedVisit.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the type of visit."),
            "invalid_choice": _("Choose one of the types listed."),
        },
    )
    planned_on = date_field(_("Date"), described_as=_("the date of the visit"))
    planned_at = forms.TimeField(
        label=_("Time"),
        input_formats=["%H:%M", "%H.%M"],
        help_text=_("For example, 14:30."),
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
        error_messages={
            "required": _("Enter the time of the visit."),
            "invalid": _("Enter the time as hours and minutes on the 24-hour clock, for example 14:30."),
        },
    )
    visitor = forms.ModelChoiceField(
        label=_("Who will visit"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose who will visit."),
            "invalid_choice": _("Choose one of the people listed."),
        },
    )

    def __init__(self, *args, visitors, volunteer: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitor"].queryset = visitors
        self.fields["visitor"].label_from_instance = lambda u: u.display_name
        if volunteer:
            self.fields["visitor"].widget = forms.HiddenInput()


class MissedVisitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why did the visit not happen?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the visit did not happen.")},
        help_text=_("For example: the family was out, or asked to rearrange. Only what the scheme needs to know."),
    )
