"""Forms for the breach register (§3.9, §4.4, §5.5)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.forms import date_field
from homestart.concurrency import VersionedForm
from records.common import ClearMessages
from records.models import Breach


class BreachForm(ClearMessages, forms.Form):
    found_on = date_field(_("Date it was found"))
    found_time = forms.TimeField(
        label=_("Time it was found"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Enter the time, for example 14:30.")},
    )
    description = forms.CharField(label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    data_affected = forms.CharField(label=_("Data affected"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    people_affected = forms.CharField(
        label=_("People affected"),
        required=False,
        max_length=2000,
        help_text=_("References, not names."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreachAssessForm(ClearMessages, VersionedForm):
    risk = forms.ChoiceField(label=_("Risk"), choices=Breach.Risk.choices, widget=forms.RadioSelect)
    ico_decision = forms.ChoiceField(
        label=_("Report to the ICO?"), choices=Breach.IcoDecision.choices, widget=forms.RadioSelect
    )
    ico_decision_reason = forms.CharField(label=_("Reason for the decision"), required=False, max_length=500)
    actions = forms.CharField(
        label=_("Actions taken"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(
        label=_("Outcome"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    close = forms.BooleanField(label=_("Close this breach"), required=False)
