from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field with the GOV.UK Design System templates."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false",
                   "class": "govuk-input--width-10"}
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["token"].help_text = (
                "The 6-digit code from your authenticator app, or one of your recovery codes."
            )
            self.fields["token"].widget.attrs["inputmode"] = "text"
        else:
            self.fields["token"].help_text = "The 6-digit code your authenticator app shows."

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    token = forms.CharField(label="Code from your authenticator app", required=False, max_length=16)

    def __init__(self, *args, needs_code: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["token"].required = True
        else:
            del self.fields["token"]
