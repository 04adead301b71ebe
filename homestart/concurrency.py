"""Two people changing the same record (§8.2: records kept accurately and securely;
OWASP ASVS 2.3.4, no lost updates).

A form carries the version of the record it was opened on: the id of the record's
latest history row, which django-simple-history writes on every save. The service
that saves checks, under a row lock and in its own transaction, that this is still
the latest version. If someone else saved in between, it raises ``EditConflict`` and
writes nothing; the view shows the form again filled with the record as it now is,
with the message at the top. No column or migration is needed: every model that
holds personal or decision data already keeps its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from .errors import NotAllowed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONFLICT_MESSAGE = _(
    "Someone else changed this record while you were editing it. Nothing you entered was saved: "
    "the form now shows the record as they left it. Check it, and make your change again if it is still needed."
)


class EditConflict(NotAllowed):
    """Someone else saved the record after this person opened it: nothing is overwritten."""

    def __init__(self, message: StrOrPromise = CONFLICT_MESSAGE) -> None:
        super().__init__(message, code="edit_conflict")


def row_version(instance: Any) -> str:
    """The version a form is opened on: the id of the record's latest history row."""
    latest = type(instance).history.filter(id=instance.pk).order_by("-history_id").values("history_id").first()
    return str(latest["history_id"]) if latest else ""


def check_version(instance: Any, expected_version: str | None) -> None:
    """Call first, inside the saving transaction. ``None`` means the caller is not a form
    (a command, a test); a form always sends a string, and an empty or made-up one never
    matches a record that has history."""
    if expected_version is None:
        return
    # Serialise concurrent saves: lock the row (its id is all that needs reading).
    type(instance).objects.select_for_update().filter(pk=instance.pk).values_list("pk", flat=True).first()
    if row_version(instance) != expected_version:
        raise EditConflict()


class VersionedForm(forms.Form):
    """Carries the version of the record the form was opened on. Mix into a Form or a ModelForm."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)


def conflict_form(form_class: type[forms.BaseForm], current: Mapping[str, Any], **kwargs: Any) -> forms.BaseForm:
    """The form filled with the record as it now is (``current``: field values and the new
    ``version``), with the conflict message above its fields and no other error: the values
    are someone else's, as they saved them."""
    form = form_class(initial=dict(current), **kwargs)
    form.full_clean()  # unbound: an empty list of errors, to which the message is added
    form._errors[NON_FIELD_ERRORS] = form.error_class(
        [str(CONFLICT_MESSAGE)], error_class="nonfield", renderer=form.renderer
    )
    return form


def current_values(instance: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The record's values for these form fields as the database now holds them, with its version."""
    instance.refresh_from_db()
    return {**{name: getattr(instance, name) for name in fields}, "version": row_version(instance)}
