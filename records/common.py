"""What the concerns of ``records`` share: the refusal a role check raises, numbering, and
the form messages (§8.3, §8.4). Saving, roles and refusals are homestart's, as for every app."""

from __future__ import annotations

from django.http import Http404

from homestart.errors import NotAllowed
from homestart.forms import DJANGO_REQUIRED, required_message
from homestart.history import Source
from homestart.models import Scheme, User, has_role, role_in


def require_role(user: User, scheme: Scheme, roles: tuple[str, ...], message: str) -> str:
    """The first of ``roles`` the user holds in the scheme now, or ``NotAllowed`` with ``message``
    (shown on the form)."""
    role = role_in(user, roles, scheme=scheme)
    if role is None:
        raise NotAllowed(message)
    return role


def next_number(model: type, scheme: Scheme) -> int:
    """The scheme's next number for a register's row (the scheme row is locked meanwhile)."""
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
    last = model.objects.filter(scheme=scheme).order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def require_any_scheme(user: User, roles: tuple[str, ...]) -> None:
    """A page for these roles only: anyone else gets 404."""
    if not has_role(user, roles):
        raise Http404("Not for this role.")


def own_key_history(*, record, label: str) -> list[Source]:
    """Where a subject access request's or a breach's history comes from: the record, sealed
    with its own key (§1.6, §8.7; §3.9, §4.4, §5.5)."""
    return [
        Source(
            type(record).history.filter(id=record.pk),
            label,
            key=("data_key", record.data_key),
            exclude={"scheme", "number", "reference", "created_at"},
        ),
    ]


class ClearMessages:
    """ "This field is required." says nothing: name the field instead, in the words every
    form uses (``homestart.forms.required_message``), also in ``form.errors``. A field with
    its own message (a date's "Enter the date received") keeps it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.error_messages.get("required") == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(field, str(field.label or name))
