"""Forms for concerns and police and court requests."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.forms import TEXTAREA, WithoutConsentMixin, date_field, not_in_future
from consent.models import LegalBasis
from homestart.concurrency import VersionedForm
from homestart.rules import Purpose

from .models import Concern, ExternalRequest

ALL_CHILDREN = "all"
TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I.%M%p", "%I%p", "%I:%M %p", "%I %p"]


class ConcernForm(forms.Form):
    """A concern (§2.1): which child, what kind, what was seen or heard, and when. The page
    says first what to do if a child is in immediate danger (call 999)."""

    about = forms.ChoiceField(
        label=_("Which child is it about?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the child the concern is about, or all the children")},
    )
    category = forms.ChoiceField(
        label=_("What kind of concern?"),
        choices=Concern.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what kind of concern it is")},
    )
    observed = forms.CharField(
        label=_("What did you see or hear?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text=_("Write down exactly what you saw or heard, and who said it, in their words."),
        error_messages={"required": _("Enter what you saw or heard")},
    )
    observed_on = date_field(_("Date it was seen or heard"), described_as=_("the date it was seen or heard"))
    observed_at = forms.TimeField(
        label=_("Time it was seen or heard"),
        required=False,
        input_formats=TIME_FORMATS,
        help_text=_("For example, 9:30am or 14:30."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter the time as hours and minutes, for example 9:30am or 14:30")},
    )

    def __init__(self, *args, children: list[tuple[object, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not children:
            del self.fields["about"]  # no child on the file: nothing to ask
        else:
            about = cast(forms.ChoiceField, self.fields["about"])
            about.choices = [(str(pk), label) for pk, label in children] + [(ALL_CHILDREN, _("All the children"))]
        self.children = {str(pk) for pk, _ in children}

    def clean_observed_on(self):
        return not_in_future(self.cleaned_data["observed_on"], _("The date"))

    def concern_data(self, members: dict) -> dict:
        """What the service takes: the chosen child (or None for all), the rest as typed."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "about"}
        chosen = self.cleaned_data.get("about")
        data["about_child"] = members.get(chosen) if chosen and chosen != ALL_CHILDREN else None
        return data


class ActionForm(forms.Form):
    action = forms.CharField(label=_("What was done"), widget=TEXTAREA, max_length=5000)
    taken_on = date_field(_("Date"))

    def clean_taken_on(self):
        return not_in_future(self.cleaned_data["taken_on"], _("The date"))


class ReferForm(VersionedForm):
    referred_on = date_field(_("Date referred to the local authority"), described_as=_("the date of the referral"))
    la_reference = forms.CharField(label=_("Local authority reference"), required=False, max_length=100)

    def clean_referred_on(self):
        return not_in_future(self.cleaned_data["referred_on"], _("The date of the referral"))


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of request?"), choices=ExternalRequest.Kind.choices, widget=forms.RadioSelect
    )
    received_on = date_field(_("Date received"))
    requester = forms.CharField(label=_("Who asked"), max_length=200, help_text=_("Name, rank or court, and contact."))
    details = forms.CharField(label=_("What was asked for"), widget=TEXTAREA, max_length=5000)
    order_reference = forms.CharField(label=_("Subpoena or court order reference"), required=False, max_length=200)
    order_made_on = date_field(_("Date of the order"), required=False, described_as=_("the order date"))

    def clean_received_on(self):
        return not_in_future(self.cleaned_data["received_on"], _("The date received"))

    def clean(self):
        data = super().clean()
        if data.get("order_made_on") and not data.get("order_reference"):
            self.add_error("order_reference", _("Give the reference of the order."))
        return data


class OrderForm(VersionedForm):
    order_reference = forms.CharField(label=_("Subpoena or court order reference"), max_length=200)
    order_made_on = date_field(_("Date of the order"), described_as=_("the order date"))

    def clean_order_made_on(self):
        return not_in_future(self.cleaned_data["order_made_on"], _("The order date"))


class RefuseForm(VersionedForm):
    decision_reason = forms.CharField(label=_("Reasons for passing nothing on"), widget=TEXTAREA, max_length=5000)
    emergency_reason = WithoutConsentMixin.base_fields["emergency_reason"]


class DiscloseForm(VersionedForm, WithoutConsentMixin):
    exception = forms.ChoiceField(
        label=_("Basis"),
        widget=forms.RadioSelect,
        choices=[
            ("", _("A recorded safeguarding concern, or the recorded court order")),
            (LegalBasis.DISCLOSABLE_OFFENCE, LegalBasis.DISCLOSABLE_OFFENCE.label),
            (LegalBasis.TERRORISM, LegalBasis.TERRORISM.label),
        ],
        required=False,
    )
    summary = forms.CharField(label=_("Summary of what was passed on"), widget=TEXTAREA, max_length=5000)
    shared_on = date_field(_("Date passed on"), help_text=_("It is passed on when another person approves it."))
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
        return not_in_future(self.cleaned_data["shared_on"], _("The date"))


class ReferralPurposeForm(forms.Form):
    """§2.1: the safeguarding lead states why the family's identifying details are opened."""

    purpose = forms.ChoiceField(
        label=_("Why are you opening the family's identifying details?"),
        widget=forms.RadioSelect,
        choices=[(Purpose.SAFEGUARDING_REFERRAL, _("To refer a child to children's services"))],
        error_messages={"required": _("Say why you are opening the identifying details.")},
        help_text=_("Opening them is recorded in the family's access log, with this purpose."),
    )
