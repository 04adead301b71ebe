"""What the concerns of ``records`` share: the refusal they raise, how they save, who
holds which role in a scheme, numbering, and the form messages (§8.3, §8.4)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from homestart.history import Source
from homestart.models import Membership, Scheme, User


class NotPermitted(ValidationError):
    """The actor's role may not do this; shown to them as a message, never a 500."""


def save(instance: Any, *, actor: User | None, update_fields: list[str] | None = None) -> None:
    """Validate and save, naming the actor on the history row."""
    instance.full_clean()
    instance._history_user = actor
    instance.save(update_fields=update_fields)


def roles_here(user: User, scheme: Scheme) -> set[str]:
    """The user's current roles in this scheme."""
    return set(Membership.objects.current().filter(user=user, scheme=scheme).values_list("role", flat=True))


def require_role(user: User, scheme: Scheme, roles: tuple[str, ...], message: str) -> str:
    """The first of ``roles`` the user holds in the scheme, or ``NotPermitted`` with ``message``."""
    here = roles_here(user, scheme)
    role = next((r for r in roles if r in here), None)
    if role is None:
        raise NotPermitted(message)
    return role


def next_number(model: type, scheme: Scheme) -> int:
    """The scheme's next number for a register's row (the scheme row is locked meanwhile)."""
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
    last = model.objects.filter(scheme=scheme).order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def schemes_where(user: User, roles: tuple[str, ...]) -> QuerySet[Scheme]:
    """The schemes in which the user, active, currently holds one of ``roles``."""
    return Scheme.objects.filter(
        memberships__user=user,
        memberships__role__in=roles,
        memberships__ended_at__isnull=True,
        memberships__user__is_active=True,
    ).distinct()


def require_any_scheme(user: User, roles: tuple[str, ...]) -> None:
    """A page for these roles only: anyone else gets 404."""
    if not schemes_where(user, roles).exists():
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
    """ "This field is required." says nothing: name the field instead."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "this").rstrip("?").lower()
            verb = "Choose" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
            field.error_messages["required"] = f"{verb} {label}."
