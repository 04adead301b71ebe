from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import dates
from .language import field_named, in_english

RADIOS_UP_TO = 5  # GOV.UK: radios, not a select, for a handful of options
DJANGO_REQUIRED = forms.Field.default_error_messages["required"]
QUESTION_WORDS = {"who", "what", "when", "where", "why", "how", "which", "whether", "if", "your", "the", "a", "an"}


def _subject(label: str) -> str:
    """How a message names a field: "Type of visit" → "the type of visit"; "Who visited?" → "who visited".
    In Welsh, by its label in quotation marks (``homestart.language.field_named``)."""
    if not in_english():
        return field_named(label)
    text = label.strip().rstrip("?:").removesuffix("(optional)").strip()
    if len(text) > 1 and not text[1].isupper():
        text = text[:1].lower() + text[1:]
    first = text.split(" ", 1)[0].lower()
    return text if first in QUESTION_WORDS or label.strip().endswith("?") else f"the {text}"


def required_message(field: forms.Field, label: str) -> str:
    """What to do about an empty field, in its own words (GOV.UK error messages):
    "Enter the …" for what is typed, "Select …" for a choice, "Tick …" for a box."""
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        return gettext("Tick the box to confirm: %(label)s") % {"label": label.strip()}
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(widget, ChoiceWidget):
        return _select(label)
    return gettext("Enter %(subject)s") % {"subject": _subject(label)}


def _select(label: str) -> str:
    """ "Select the type of visit": the message of an empty choice, and a select's first option."""
    return gettext("Select %(subject)s") % {"subject": _subject(label)}


def _is_empty_choice(choice: tuple) -> bool:
    return choice[0] in ("", None)


class GovukBoundField(BoundField):
    """Every field of every form, shown the GOV.UK way (the renderer's ``bound_field_class``):

    * an empty required field whose form kept Django's "This field is required." says
      what to do and names the field ("Enter the reasons for referral", "Select who
      referred the family"); a form's own message (``error_messages``) stands;
    * a choice of five options or fewer is radios, not a select; a longer select (and a
      list of people) starts "Select …", never "---------";
    * a required choice with only one option is not asked: it is sent as a hidden value.

    The field is the form's own copy (``BaseForm.__init__`` deep-copies it), so changing
    its widget here changes nothing outside this form. The Django admin's forms are left
    as the admin draws them."""

    def __init__(self, form: forms.BaseForm, field: forms.Field, name: str) -> None:
        self.govuk = not _is_admin_form(form)
        if self.govuk:
            _govuk_choices(field, name)
        super().__init__(form, field, name)

    @property
    def errors(self) -> forms.utils.ErrorList:
        errors = super().errors
        if not self.govuk or not any(e.code == "required" and e.message == DJANGO_REQUIRED for e in errors.as_data()):
            return errors
        message = required_message(self.field, str(self.label))
        return self.form.error_class(
            [message if e.code == "required" and e.message == DJANGO_REQUIRED else e for e in errors.as_data()],
            renderer=self.form.renderer,
        )


def _is_admin_form(form: forms.BaseForm) -> bool:
    """The Django admin's forms (its own, the ones it builds, ours in an admin.py) keep the
    admin's look: its action bar is a select whatever the number of actions."""
    module = type(form).__module__
    return module.startswith("django.") or module.endswith(".admin")


def _govuk_choices(field: forms.Field, name: str) -> None:
    widget = field.widget
    if not isinstance(field, forms.ChoiceField) or isinstance(widget, forms.HiddenInput):
        return
    label = str(field.label or name.replace("_", " ").capitalize())
    if isinstance(field, forms.ModelChoiceField):
        # A list from the database (people, families): it stays a select; counting it
        # would cost a query. Only its empty option is named.
        if field.empty_label == "---------":
            field.empty_label = _select(label)
        return
    choices = list(field.choices)
    real = [c for c in choices if not _is_empty_choice(c)]
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        if len(real) <= RADIOS_UP_TO:
            attrs = {k: v for k, v in widget.attrs.items() if k != "class"}
            field.widget = widget = forms.RadioSelect(attrs=attrs)
            field.choices = choices = real  # no radio for "nothing chosen"
        else:
            prompt = _select(label)
            field.choices = [
                (value, prompt if _is_empty_choice((value, text)) and text == "---------" else text)
                for value, text in choices
            ]
            return
    if isinstance(widget, forms.RadioSelect):
        if any(_is_empty_choice(c) and c[1] == "---------" for c in choices):
            field.choices = real
        if field.required and len(real) == 1:
            # A question with one answer is not a question (GOV.UK): send the answer.
            field.initial = real[0][0]
            field.widget = forms.HiddenInput()


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field with the GOV.UK Design System templates."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
    bound_field_class = GovukBoundField


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
            self.fields["token"].help_text = _(
                "The 6-digit code from your authenticator app, or one of your recovery codes."
            )
            self.fields["token"].widget.attrs["inputmode"] = "text"
        else:
            self.fields["token"].help_text = _("The 6-digit code your authenticator app shows.")

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
        "password_incorrect": _("Your current password is not right. Enter it again."),
        "password_mismatch": _("The two new passwords are not the same. Enter the new password twice."),
    }

    def __init__(self, user, *args, request=None, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["new_password2"].label = _("New password again")
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
        "password_mismatch": _("The two passwords are not the same. Enter the new password twice."),
    }

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].help_text = ""
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.pop("autofocus", None)


class AccessRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it refused?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why the request is refused.")},
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
    inducted_on = dates.DateField(label=_("Date of the induction"))
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
        self.fields["person"].choices = [("", _("Choose a person"))] + [(p.pk, p.display_name) for p in people]
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
