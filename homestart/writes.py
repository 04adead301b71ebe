"""The one way a service saves a record that keeps history (STYLE.md, "Writes are services").

``save_tracked`` validates the whole record — its fields, its own ``clean()``, its
unique and check constraints — then saves it (only ``update_fields`` when given),
and the history row it writes names who made the change (``actor``) and, when
given, why (``reason``). Invalid data raises ``ValidationError`` and nothing is
written.

One economy, which weakens nothing: a relation whose row is already loaded on the
instance (the family the gate opened, its data key) is not read again to prove it
exists — it was read in this transaction, and the database's foreign key holds it.
Every other relation is checked as ``full_clean`` checks it.

The bottom layer: imports no app (DESIGN.md, "Apps").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


def _loaded_relations(instance: models.Model) -> set[str]:
    """Foreign keys whose row is loaded on the instance and is the one the key points to."""
    cache = instance._state.fields_cache
    loaded = set()
    for field in instance._meta.concrete_fields:
        if not field.is_relation or field.name not in cache:
            continue
        related = cache[field.name]
        if related is not None and not related._state.adding and related.pk == getattr(instance, field.attname):
            loaded.add(field.name)
    return loaded


def validate(instance: models.Model) -> None:
    """``full_clean()``, without reading again the related rows already loaded."""
    errors: dict[str, Any] = {}
    try:
        instance.clean_fields(exclude=_loaded_relations(instance))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # As full_clean: a field already in error is not checked again for uniqueness.
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check(exclude=failed)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def save_tracked(
    instance: models.Model, *, actor: Any, update_fields: list[str] | None = None, reason: str | None = None
) -> None:
    """Validate, then save; the history row names ``actor`` (None only for setup and
    system changes) and, when given, ``reason``."""
    validate(instance)
    instance._history_user = actor
    if reason is not None:
        instance._change_reason = reason
    instance.save(update_fields=update_fields)
