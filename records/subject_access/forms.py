"""Forms for subject access requests (§1.6, §8.7)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.forms import date_field
from families.models import Member
from homestart.models import User
from records.common import ClearMessages
from records.models import SubjectAccessRequest


class SarForm(ClearMessages, forms.Form):
    subject_kind = forms.ChoiceField(
        label=_("Who the request is about"), choices=SubjectAccessRequest.SubjectKind.choices, widget=forms.RadioSelect
    )
    family_reference = forms.CharField(
        label=_("Family reference"),
        required=False,
        max_length=16,
        help_text=_("For a family member, for example WIR-0042."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    member = forms.ModelChoiceField(
        label=_("Who in the family the request is about"),
        required=False,
        queryset=Member.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Their own details are given; what is about other people in the family is marked for review."),
    )
    subject_user = forms.ModelChoiceField(
        label=_("Volunteer, member of staff or trustee"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("For anyone else."),
    )
    requester_name = forms.CharField(label=_("Name of the person asking"), max_length=200)
    request_details = forms.CharField(
        label=_("What they asked for"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    received_on = date_field(_("Date received"))

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
            self.add_error("family_reference", _("Enter the family's reference."))
        if (
            kind == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER
            and "member" in self.fields
            and not data.get("member")
            and "member" not in self.errors
        ):
            self.add_error("member", _("Choose who in the family the request is about."))
        if kind and kind != SubjectAccessRequest.SubjectKind.FAMILY_MEMBER and not data.get("subject_user"):
            self.add_error("subject_user", _("Choose the person the request is about."))
        return data


class IdentityForm(ClearMessages, forms.Form):
    evidence = forms.CharField(
        label=_("Evidence of identity seen"), max_length=200, help_text=_("For example: passport checked in person.")
    )


class ExtendForm(ClearMessages, forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"), choices=[(1, _("1 month")), (2, _("2 months"))], coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason (told to the requester)"), max_length=300)


class ReleaseForm(ClearMessages, forms.Form):
    recipient = forms.CharField(
        label=_("Given to"), max_length=200, help_text=_("For example: the requester, by hand.")
    )
    reviewed = forms.BooleanField(
        label=_("I have reviewed the information marked as about other people, and redacted what must be"),
        required=False,
    )

    def clean_reviewed(self) -> bool:
        if not self.cleaned_data.get("reviewed"):
            raise forms.ValidationError(_("Confirm that the information about other people has been reviewed."))
        return True
