"""Forms for case studies, minutes and consultations."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.forms import date_field, not_in_future
from homestart.concurrency import VersionedForm
from homestart.models import User

from .outcome_statistics import year_label


class CaseStudyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, help_text=_("No names or places."))
    draft = forms.CharField(
        label=_("Case study"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Describe the support and its outcomes without names, dates, places or anything else "
            "that could identify the family or anyone in the scheme (§3.3)."
        ),
    )


class CaseStudyDraftForm(VersionedForm, CaseStudyForm):
    """Editing a draft carries the version it was opened on (concurrent edits)."""


class NewCaseStudyForm(CaseStudyForm):
    family_consented = forms.BooleanField(
        label=_("The family consented to their story being used in this way"),
        required=False,
    )
    consent_recorded_on = date_field(_("Date the family gave consent"), described_as=_("the date of consent"))

    def clean_family_consented(self) -> bool:
        if not self.cleaned_data.get("family_consented"):
            raise forms.ValidationError(_("A case study is written only with the family's consent (§7.5)."))
        return True

    def clean_consent_recorded_on(self):
        return not_in_future(self.cleaned_data["consent_recorded_on"], _("The date of consent"))


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("month", _("By month")), ("quarter", _("By quarter"))],
        help_text=_("This quarter and the four before it."),
        required=False,
    )


class YearForm(forms.Form):
    """The financial year of the outcome figures: the current one and the two before it."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args, starts: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(s.year, year_label(s)) for s in starts]


class MeetingForm(forms.Form):
    held_on = date_field(_("Date of meeting"), described_as=_("the date of the meeting"))
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Minute personnel and sensitive operational matters as a confidential item instead (§3.7)."),
    )

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the meeting must be today or in the past."))
        return value


# The largest id a database integer column holds: a larger number sent by a browser is simply
# not one of the choices (SQLite would otherwise fail on it in the ``IN`` lookup).
MAX_ID = 2**63 - 1


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """People chosen by id; an id that cannot exist is an invalid choice, not a server error."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not text.isdigit() or int(text) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return super()._check_values(value)


class ConfidentialItemForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=120, help_text=_("A neutral subject, for example: staffing matter.")
    )
    text = forms.CharField(label=_("Confidential minute"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    circulation = PeopleChoiceField(
        label=_("Who may read it"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person who may read this confidential item."),
            "invalid_choice": _("Choose people from the list."),
        },
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circulation"].queryset = people
        self.fields["circulation"].label_from_instance = lambda u: u.display_name


class ConsultationForm(forms.Form):
    shared_with = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        error_messages={"required": _("Choose who you are consulting.")},
    )
    summary = forms.CharField(
        label=_("De-identified summary of the concern"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The family is not identified (§3.5): no names, dates, places or references."),
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = people
        self.fields["shared_with"].label_from_instance = lambda u: u.display_name
