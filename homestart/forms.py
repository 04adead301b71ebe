from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field with the GOV.UK Design System templates."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields[
                "token"
            ].help_text = "The 6-digit code from your authenticator app, or one of your recovery codes."
            self.fields["token"].widget.attrs["inputmode"] = "text"
        else:
            self.fields["token"].help_text = "The 6-digit code your authenticator app shows."

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    token = forms.CharField(label=_("Code from your authenticator app"), required=False, max_length=16)

    def __init__(self, *args, needs_code: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["token"].required = True
        else:
            del self.fields["token"]


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Change your own password: the current one, then the new one twice, checked by
    the project's password validators (OWASP ASVS 6.2.2, 6.2.3).

    The current password is checked through ``authenticate``, so wrong guesses count
    towards django-axes' lockout like wrong passwords at sign-in (ASVS 6.3.1)."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The two new passwords are not the same. Enter the new password twice.",
    }

    def __init__(self, user, *args, request=None, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password2"].help_text = ""
        for name in ("old_password", "new_password1", "new_password2"):
            self.fields[name].widget.attrs.pop("autofocus", None)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordSetForm(auth_forms.SetPasswordForm):
    """Choose your password from a set-password link (§8.2): twice, checked by the
    project's password validators."""

    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": "The two passwords are not the same. Enter the new password twice.",
    }

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password2"].help_text = ""
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.pop("autofocus", None)


class AccessRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it refused?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why the request is refused."},
    )


def form_error(form: forms.BaseForm, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    """A service's domain error, next to the field it concerns (or above the form).

    A service names its own fields, which a form may call otherwise (``rename``, e.g.
    the service's ``found_at`` is the form's ``found_on``) or not have at all: those
    messages go above the form rather than failing."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = (rename or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class InductionForm(forms.Form):
    """Record an induction on the Confidentiality Policy (§3.1, §4.1, §5.1, §5.3)."""

    person = forms.TypedChoiceField(label=_("Who was inducted"), coerce=int, empty_value=None)
    inducted_as = forms.ChoiceField(label=_("Inducted as"), widget=forms.RadioSelect)
    inducted_on = forms.DateField(
        label=_("Date of the induction"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date of the induction as a real date, for example 27/03/2024."},
    )
    policy_given = forms.BooleanField(label=_("I gave them the Confidentiality Policy and procedure"), required=False)
    duty_explained = forms.BooleanField(
        label=_("I told them to keep the confidentiality of families, volunteers and staff at all times"),
        required=False,
    )
    peer_support_explained = forms.BooleanField(
        label=_("I gave them the peer-support guidance (volunteers)"),
        help_text=_("Volunteers meeting for peer support share nothing that could identify a family (§5.3)."),
        required=False,
    )

    def __init__(self, *args, people: list, kinds: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choose a person")] + [(p.pk, p.display_name) for p in people]
        self.fields["inducted_as"].choices = kinds
        if len(kinds) == 1:
            self.fields["inducted_as"].initial = kinds[0][0]


class LanguageForm(forms.Form):
    """The language the pages speak: English or Welsh (issue 17.8). The names are each in
    their own language, as a language switch shows them."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of the pages"),
            "invalid_choice": _("Choose English or Cymraeg"),
        },
    )
