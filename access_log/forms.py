from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from homestart import dates
from homestart.models import Scheme, User

from .models import RecordOfAccess
from .services import MAX_REVIEW_DAYS, MAX_SAMPLE

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _count_field(
    label: StrOrPromise, initial: int, help_text: StrOrPromise, required: bool = True
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_SAMPLE,
        initial=initial,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )


class ReviewForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.none(), empty_label=None)
    sample_size = _count_field(
        _("Number of family files to sample"), 5, _("Files are drawn at random from the scheme's family files.")
    )
    volunteer_files = _count_field(
        _("Number of volunteer files to sample"),
        2,
        _("Drawn at random from the scheme's volunteer files."),
        required=False,
    )
    personnel_files = _count_field(
        _("Number of personnel files to sample"),
        1,
        _("Drawn at random from the scheme's personnel files (§8.4)."),
        required=False,
    )
    days = forms.IntegerField(
        label=_("Review window, in days"),
        min_value=1,
        max_value=MAX_REVIEW_DAYS,
        initial=14,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        help_text=_("Sampled files can be opened only during this window."),
    )

    def __init__(self, *args, schemes, personnel: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
        if not personnel:
            # A trustee's spot check samples family and volunteer files only (§8.3, §8.4).
            del self.fields["personnel_files"]

    def clean_volunteer_files(self) -> int:
        return self.cleaned_data.get("volunteer_files") or 0

    def clean_personnel_files(self) -> int:
        return self.cleaned_data.get("personnel_files") or 0


class SignatureForm(forms.Form):
    signed_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    declared = forms.BooleanField(label=_("I agree to this declaration"), required=False)


class RecordOfAccessForm(SignatureForm):
    declaration = RecordOfAccess.DECLARATION


class AuditSessionForm(SignatureForm):
    auditor = forms.ModelChoiceField(label=_("External auditor"), queryset=User.objects.none())
    references = forms.CharField(
        label=_("File references"),
        help_text=_(
            "The family or volunteer files the auditor will read, separated by commas or spaces, "
            "for example WIR-0003, WIR-V-0002."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    declared = forms.BooleanField(
        label=_("I will be present throughout the session, which ends after two hours or when I close it"),
        required=False,
    )
    field_order = ["auditor", "references", "signed_name", "declared"]

    def __init__(self, *args, auditors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors
        self.fields["auditor"].label_from_instance = lambda u: u.display_name

    def clean_references(self) -> list[str]:
        refs = [r.upper() for r in re.split(r"[\s,;]+", self.cleaned_data["references"]) if r]
        bad = [r for r in refs if not re.fullmatch(r"[A-Z]{2,5}-(?:[VP]-)?[0-9]{4,}", r)]
        if bad:
            raise forms.ValidationError(
                gettext("These are not file references: %(references)s.") % {"references": ", ".join(bad[:5])}
            )
        if not refs:
            raise forms.ValidationError(_("Enter at least one file reference."))
        return list(dict.fromkeys(refs))


class UndertakingForm(SignatureForm):
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    field_order = ["signed_name", "organisation", "declared"]


class ApprovalDecisionForm(forms.Form):
    """Approve (it happens now) or refuse, with the reason for a refusal."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        widget=forms.RadioSelect,
        choices=[
            ("approve", _("Approve: it happens now, recorded in your name")),
            ("refuse", _("Refuse: nothing happens")),
        ],
        error_messages={"required": _("Choose whether you approve or refuse.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        help_text=_("Needed for a refusal."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("reason"):
            self.add_error("reason", _("Give the reason for refusing."))
        return data


class FileLogFilter(forms.Form):
    """Who opened this file: one person's visits, or those between two dates (§9.1)."""

    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    since = dates.DateField(label=_("From"), required=False)
    until = dates.DateField(label=_("To"), required=False)

    def __init__(self, *args, people: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *((p.pk, p.display_name) for p in people)]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be the same as or after the start date"))
        return cleaned
