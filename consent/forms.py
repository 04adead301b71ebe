"""Forms for statements, consents, communication and disclosures. Text is trimmed; dates use the date input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from families import forms as family_forms
from families.models import Family, Member
from homestart.concurrency import VersionedForm
from homestart.models import Scheme

from .models import Disclosure, LegalBasis, RecipientKind, Scope, told_and_justified
from .transfers import SECTIONS

if TYPE_CHECKING:
    import datetime

    from django_stubs_ext import StrOrPromise

    from homestart.dates import DateField


def date_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = "", described_as: StrOrPromise = ""
) -> DateField:
    """``families.forms.date_field``, its words marked for translation (issue 17.8): the label and
    help are shown in the reader's language."""
    return family_forms.date_field(label, required=required, help_text=help_text, described_as=described_as)


def not_in_future(value: datetime.date | None, label: StrOrPromise) -> datetime.date | None:
    """``families.forms.not_in_future`` with the date named in the reader's language."""
    return family_forms.not_in_future(value, label)


TEXTAREA = forms.Textarea(attrs={"rows": 4})
CONSENT_RECIPIENTS = [
    (k, label)
    for k, label in RecipientKind.choices
    if k in (RecipientKind.REFERRER, RecipientKind.AGENCY, RecipientKind.HEALTH_VISITOR, RecipientKind.NEW_SCHEME)
]
CONSENT_SCOPES = [(k, label) for k, label in Scope.choices if k != Scope.TRANSFER]


class AdultChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.first_name} {obj.last_name}".strip()


def _adults(family: Family):
    return family.members.filter(kind=Member.Kind.ADULT).order_by("created_at")


class StatementForm(forms.Form):
    given_to = AdultChoiceField(
        queryset=Member.objects.none(), label=_("Given to"), empty_label=None, widget=forms.RadioSelect
    )
    given_on = date_field(_("Date given"))
    verbally = forms.BooleanField(
        label=_("I explained Home-Start's position on confidentiality verbally"), required=False
    )
    in_writing = forms.BooleanField(label=_("I gave the family the written information sheet"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, family: Family, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_to"].queryset = _adults(family)

    def clean_given_on(self):
        return not_in_future(self.cleaned_data["given_on"], _("The date given"))

    def clean(self):
        data = super().clean()
        if not data.get("verbally"):
            self.add_error("verbally", _("The family is told verbally as well as in writing (§1.1)."))
        if not data.get("in_writing"):
            self.add_error("in_writing", _("The family is given the information in writing as well (§1.1)."))
        return data


class ConsentForm(forms.Form):
    given_by = AdultChoiceField(
        queryset=Member.objects.none(),
        label=_("Which parent or carer gave consent?"),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(label=_("What may be shared?"), choices=CONSENT_SCOPES, widget=forms.RadioSelect)
    recipient_kind = forms.ChoiceField(label=_("With whom?"), choices=CONSENT_RECIPIENTS, widget=forms.RadioSelect)
    recipient_name = forms.CharField(
        label=_("Name of the agency or scheme"),
        required=False,
        max_length=200,
        help_text=_("Needed for an agency or a new scheme. Leave blank for the referrer or the health visitor."),
    )
    method = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=[("verbal", _("Verbally")), ("written", _("In writing"))],
        widget=forms.RadioSelect,
    )
    given_on = date_field(_("Date given"))
    review_on = date_field(_("Review by"), described_as=_("the review date"))

    def __init__(self, *args, family: Family, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_by"].queryset = _adults(family)

    def clean_given_on(self):
        return not_in_future(self.cleaned_data["given_on"], _("The date given"))

    def clean(self):
        data = super().clean()
        kind = data.get("recipient_kind")
        if kind in (RecipientKind.AGENCY, RecipientKind.NEW_SCHEME) and not data.get("recipient_name"):
            self.add_error("recipient_name", _("Name the agency or scheme the family agreed to."))
        if data.get("given_on") and data.get("review_on") and data["review_on"] < data["given_on"]:
            self.add_error("review_on", _("The review date must be on or after the date consent was given."))
        return data


class WithdrawForm(VersionedForm):
    withdrawn_on = date_field(_("Date the family withdrew consent"), described_as=_("the date of withdrawal"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA, max_length=2000)

    def clean_withdrawn_on(self):
        return not_in_future(self.cleaned_data["withdrawn_on"], _("The date of withdrawal"))


class FamilyToldMixin(forms.Form):
    """§1.5, §2.2: the family is told, or the reason they were not is recorded."""

    family_told = forms.ChoiceField(
        label=_("Was the family told?"), choices=Disclosure.FamilyTold.choices, widget=forms.RadioSelect
    )
    family_told_on = date_field(
        _("Date the family was told"), required=False, described_as=_("the date they were told")
    )
    not_told_reason = forms.CharField(
        label=_("Why the family was not told"),
        required=False,
        widget=TEXTAREA,
        max_length=2000,
        help_text=_("Only where telling them would put a child or vulnerable adult at greater risk of harm."),
    )

    def justification_needed(self, data: dict) -> bool:
        """Whether the form itself knows the sharing is without consent (a chosen legal basis);
        otherwise the service decides, once it knows whether the family consented."""
        return False

    def clean(self):
        data = super().clean()
        if "family_told" not in data:
            return data  # no answer chosen: the field says so already
        errors = told_and_justified(
            family_told=data["family_told"],
            family_told_on=data.get("family_told_on"),
            not_told_reason=data.get("not_told_reason", ""),
            justification=data.get("justification", ""),
            needs_justification=self.justification_needed(data),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class WithoutConsentMixin(FamilyToldMixin):
    """The block every sharing form repeats: the family told or why not (§1.5, §2.2), the
    justification when there is no consent, and, for the safeguarding lead and the manager,
    acting alone in an emergency (the other is told at once). There is no "approved by"
    chooser: without consent, the sharing waits until an approver signs in and approves."""

    justification = forms.CharField(
        label=_("Justification (only when sharing without the family's consent)"),
        required=False,
        widget=TEXTAREA,
        max_length=2000,
        help_text=_(
            "Without consent, nothing is shared until the manager (or, for a safeguarding "
            "concern, the safeguarding lead) approves it; never the person who asks."
        ),
    )
    emergency_reason = forms.CharField(
        label=_("Emergency: act alone"),
        required=False,
        widget=TEXTAREA,
        max_length=2000,
        help_text=_(
            "Only in a safeguarding emergency that cannot wait for approval. Give the reason: it is shared "
            "now, and the safeguarding lead or manager is told at once."
        ),
    )

    def __init__(self, *args, may_act_alone: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_act_alone:
            del self.fields["emergency_reason"]

    def sharing_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "family_told": data["family_told"],
            "family_told_on": data["family_told_on"],
            "not_told_reason": data["not_told_reason"],
            "justification": data.get("justification", ""),
            "emergency_reason": data.get("emergency_reason", ""),
        }


class CommunicationForm(WithoutConsentMixin):
    recipient_kind = forms.ChoiceField(
        label=_("To whom?"),
        widget=forms.RadioSelect,
        choices=[
            (RecipientKind.REFERRER, _("The referrer")),
            (RecipientKind.HEALTH_VISITOR, _("The health visitor")),
            (RecipientKind.AGENCY, _("An agency currently involved with the family")),
        ],
    )
    recipient_name = forms.CharField(label=_("Name of the agency (for an agency)"), required=False, max_length=200)
    scope = forms.ChoiceField(label=_("What kind of information?"), choices=CONSENT_SCOPES, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary of what you shared"), widget=TEXTAREA, max_length=5000)
    shared_on = date_field(_("Date shared"), help_text=_("Without consent: the day it is approved."))
    field_order = [
        "recipient_kind",
        "recipient_name",
        "scope",
        "summary",
        "shared_on",
        "family_told",
        "family_told_on",
        "not_told_reason",
        "justification",
    ]

    def __init__(self, *args, family: Family, **kwargs) -> None:
        super().__init__(*args, **kwargs)

    def clean_shared_on(self):
        return not_in_future(self.cleaned_data["shared_on"], _("The date shared"))

    def clean(self):
        data = super().clean()
        if data.get("recipient_kind") == RecipientKind.AGENCY and not data.get("recipient_name"):
            self.add_error("recipient_name", _("Name the agency."))
        return data


class DisclosureForm(WithoutConsentMixin):
    """A disclosure recorded by the safeguarding lead or the manager (§2.1)."""

    recipient_kind = forms.ChoiceField(
        label=_("To whom?"),
        widget=forms.RadioSelect,
        choices=[
            (k, label) for k, label in RecipientKind.choices if k not in (RecipientKind.COURT, RecipientKind.NEW_SCHEME)
        ],
    )
    recipient_name = forms.CharField(label=_("Recipient's name and organisation"), max_length=200)
    basis = forms.ChoiceField(
        label=_("Legal basis"),
        widget=forms.RadioSelect,
        choices=[(k, label) for k, label in LegalBasis.choices if k != LegalBasis.COURT_ORDER],
    )
    summary = forms.CharField(label=_("Summary of what was shared"), widget=TEXTAREA, max_length=5000)
    shared_on = date_field(_("Date shared"), help_text=_("Without consent: the day it is approved."))
    field_order = [
        "recipient_kind",
        "recipient_name",
        "basis",
        "summary",
        "shared_on",
        "justification",
        "family_told",
        "family_told_on",
        "not_told_reason",
        "emergency_reason",
    ]

    def clean_shared_on(self):
        return not_in_future(self.cleaned_data["shared_on"], _("The date shared"))

    def justification_needed(self, data: dict) -> bool:
        return bool(data.get("basis")) and data["basis"] != LegalBasis.CONSENT


class SchemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class TransferForm(WithoutConsentMixin):
    """§9.2, §9.3: the coordinator chooses where the family goes and what is appropriate to share."""

    destination = forms.ChoiceField(
        label=_("Where is the family going?"),
        widget=forms.RadioSelect,
        choices=[
            ("same", _("A Home-Start scheme that uses this system")),
            ("export", _("A Home-Start scheme on another system (encrypted export)")),
        ],
    )
    to_scheme = SchemeChoiceField(queryset=None, required=False, label=_("Scheme (on this system)"))
    to_scheme_name = forms.CharField(label=_("Scheme's name (on another system)"), required=False, max_length=200)
    passphrase = forms.CharField(
        label=_("Passphrase for the export"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Give it to the new scheme's coordinator by phone, never with the file."),
    )
    sections = forms.MultipleChoiceField(
        label=_("What is appropriate to share?"),
        widget=forms.CheckboxSelectMultiple,
        choices=[],
        help_text=_(
            "Any safeguarding concerns, and what was done about "
            "them, always go with the file (§9.3); this scheme keeps its own copy."
        ),
    )
    summary = forms.CharField(label=_("Summary of what is shared and why"), widget=TEXTAREA, max_length=5000)
    field_order = [
        "destination",
        "to_scheme",
        "to_scheme_name",
        "passphrase",
        "sections",
        "summary",
        "family_told",
        "family_told_on",
        "not_told_reason",
        "justification",
        "emergency_reason",
    ]

    def __init__(self, *args, family: Family, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_scheme"].queryset = Scheme.objects.exclude(pk=family.scheme_id).order_by("name")
        self.fields["sections"].choices = list(SECTIONS.items())

    def clean(self):
        data = super().clean()
        if data.get("destination") == "same" and not data.get("to_scheme"):
            self.add_error("to_scheme", _("Choose the scheme the family is moving to."))
        if data.get("destination") == "export":
            if not data.get("to_scheme_name"):
                self.add_error("to_scheme_name", _("Give the name of the scheme the family is moving to."))
            if len(data.get("passphrase") or "") < 12:
                self.add_error("passphrase", _("Use a passphrase of at least 12 characters."))
        return data


class TransferPackageForm(forms.Form):
    """The package of an approved (or consented) export, sealed under a passphrase given now."""

    passphrase = forms.CharField(
        label=_("Passphrase for the export"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Give it to the new scheme's coordinator by phone, never with the file."),
    )

    def clean_passphrase(self):
        value = self.cleaned_data["passphrase"]
        if len(value) < 12:
            raise forms.ValidationError(_("Use a passphrase of at least 12 characters."))
        return value
