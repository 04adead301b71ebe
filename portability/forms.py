"""The upload form and the export form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes: read in memory only, never to a temporary file


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of families"),
        help_text=_(
            "A CSV file (UTF-8, as Excel's 'CSV UTF-8' writes it) or an Excel workbook (.xlsx), "
            "up to 5 MB and 3,000 rows. The first row names the columns."
        ),
        error_messages={"required": _("Choose the file to upload."), "empty": _("The chosen file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_LIMIT:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it, or use the import command."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Choose a CSV file or an Excel workbook (.xlsx)."))
        return upload


class ExportForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Passphrase for the archive"),
        required=False,
        strip=False,
        min_length=16,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 16 characters, for example four unrelated words. It is not kept: without it "
            "nobody can open the archive, so store it in your password manager, never with the file."
        ),
        error_messages={"min_length": _("Use a passphrase of at least 16 characters.")},
    )
    passphrase_again = forms.CharField(
        label=_("The passphrase again"), required=False, strip=False, widget=forms.PasswordInput
    )
    recipient = forms.CharField(
        label=_("Or an age public key"),
        required=False,
        help_text=_("Instead of a passphrase: the public key (age1…) of an age identity kept by the scheme."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        passphrase, recipient = data.get("passphrase", ""), data.get("recipient", "").strip()
        if self.errors:
            return data
        if passphrase and recipient:
            raise forms.ValidationError(_("Give a passphrase or an age public key, not both."))
        if not passphrase and not recipient:
            self.add_error("passphrase", _("Give a passphrase (or an age public key) to encrypt the archive with."))
        elif passphrase and passphrase != data.get("passphrase_again"):
            self.add_error("passphrase_again", _("The two passphrases are not the same."))
        elif recipient:
            import pyrage

            try:
                pyrage.x25519.Recipient.from_str(recipient)
            except pyrage.RecipientError:
                self.add_error("recipient", _("This is not an age public key: it starts age1 and is 62 characters."))
        return data
