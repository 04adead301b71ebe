"""Forms for concerns and police and court requests."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.forms import TEXTAREA, WithoutConsentMixin
from consent.models import LegalBasis
from families.forms import date_field, not_in_future
from homestart.concurrency import VersionedForm
from homestart.rules import Purpose

from .models import Concern, ExternalRequest


class ConcernForm(forms.Form):
    category = forms.ChoiceField(
        label="What kind of concern?", choices=Concern.Category.choices, widget=forms.RadioSelect
    )
    observed = forms.CharField(
        label="What was seen or said",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="Write down exactly what you saw or heard, and who said it.",
    )
    observed_on = date_field("When it was seen or said", described_as="the date it was seen or said")

    def clean_observed_on(self):
        return not_in_future(self.cleaned_data["observed_on"], "The date")


class ActionForm(forms.Form):
    action = forms.CharField(label=_("What was done"), widget=TEXTAREA, max_length=5000)
    taken_on = date_field("Date")

    def clean_taken_on(self):
        return not_in_future(self.cleaned_data["taken_on"], "The date")


class ReferForm(VersionedForm):
    referred_on = date_field("Date referred to the local authority", described_as="the date of the referral")
    la_reference = forms.CharField(label=_("Local authority reference (optional)"), required=False, max_length=100)

    def clean_referred_on(self):
        return not_in_future(self.cleaned_data["referred_on"], "The date of the referral")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of request?"), choices=ExternalRequest.Kind.choices, widget=forms.RadioSelect
    )
    received_on = date_field("Date received")
    requester = forms.CharField(label=_("Who asked"), max_length=200, help_text=_("Name, rank or court, and contact."))
    details = forms.CharField(label=_("What was asked for"), widget=TEXTAREA, max_length=5000)
    order_reference = forms.CharField(
        label=_("Subpoena or court order reference (if there is one)"), required=False, max_length=200
    )
    order_made_on = date_field("Date of the order (if there is one)", required=False, described_as="the order date")

    def clean_received_on(self):
        return not_in_future(self.cleaned_data["received_on"], "The date received")

    def clean(self):
        data = super().clean()
        if data.get("order_made_on") and not data.get("order_reference"):
            self.add_error("order_reference", _("Give the reference of the order."))
        return data


class OrderForm(VersionedForm):
    order_reference = forms.CharField(label=_("Subpoena or court order reference"), max_length=200)
    order_made_on = date_field("Date of the order", described_as="the order date")

    def clean_order_made_on(self):
        return not_in_future(self.cleaned_data["order_made_on"], "The order date")


class RefuseForm(VersionedForm):
    decision_reason = forms.CharField(label=_("Reasons for passing nothing on"), widget=TEXTAREA, max_length=5000)
    emergency_reason = WithoutConsentMixin.base_fields["emergency_reason"]


class DiscloseForm(VersionedForm, WithoutConsentMixin):
    exception = forms.ChoiceField(
        label=_("Basis"),
        widget=forms.RadioSelect,
        choices=[
            ("", "A recorded safeguarding concern (§2.1), or the recorded court order"),
            (LegalBasis.DISCLOSABLE_OFFENCE, LegalBasis.DISCLOSABLE_OFFENCE.label),
            (LegalBasis.TERRORISM, LegalBasis.TERRORISM.label),
        ],
        required=False,
    )
    summary = forms.CharField(label=_("Summary of what was passed on"), widget=TEXTAREA, max_length=5000)
    shared_on = date_field("Date passed on", help_text="It is passed on when another person approves it.")
    decision_reason = forms.CharField(label=_("Reasons for the decision"), widget=TEXTAREA, max_length=5000)
    field_order = [
        "exception",
        "summary",
        "shared_on",
        "decision_reason",
        "family_told",
        "family_told_on",
        "not_told_reason",
        "emergency_reason",
    ]

    def __init__(self, *args, **kwargs) -> None:
        # Only the safeguarding lead and the manager open this form: both may act alone in an emergency.
        super().__init__(*args, may_act_alone=True, **kwargs)
        del self.fields["justification"]  # the reasons for the decision justify it

    def clean_shared_on(self):
        return not_in_future(self.cleaned_data["shared_on"], "The date")


class ReferralPurposeForm(forms.Form):
    """§2.1: the safeguarding lead states why the family's identifying details are opened."""

    purpose = forms.ChoiceField(
        label=_("Why are you opening the family's identifying details?"),
        widget=forms.RadioSelect,
        choices=[(Purpose.SAFEGUARDING_REFERRAL, "To refer a child to children's services (§2.1)")],
        error_messages={"required": "Say why you are opening the identifying details."},
        help_text=_("Opening them is recorded in the family's access log, with this purpose."),
    )
