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

Two more, which weaken nothing either: uniqueness is not probed for values no person
chose — a new row's primary key drawn from its default (a random UUID, never editable)
and the fields a service names in ``held`` because it set them itself (a family's
reference and number, taken from the scheme's sequence under a lock; a data key just
made). The database's primary key, unique and check constraints still hold every one
of them; a probe could only ever answer "no clash", and cost a statement each.

The bottom layer: imports no app (DESIGN.md, "Apps").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone


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


def _generated_key(instance: models.Model) -> set[str]:
    """The primary key of a new row when its value is drawn from the field's default and
    nobody can edit it (a random UUID): there is nothing a probe could find."""
    pk = instance._meta.pk
    if instance._state.adding and pk is not None and not pk.editable and callable(pk.default):
        return {pk.name}
    return set()


def validate(instance: models.Model, *, held: Collection[str] = ()) -> None:
    """``full_clean()``, without reading again the related rows already loaded, nor
    probing uniqueness for values no person chose (``held`` and a generated key)."""
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
    skip = failed | set(held) | _generated_key(instance)
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check(exclude=skip)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def save_tracked(
    instance: models.Model,
    *,
    actor: Any,
    update_fields: list[str] | None = None,
    reason: str | None = None,
    held: Collection[str] = (),
) -> None:
    """Validate, then save; the history row names ``actor`` (None only for setup and
    system changes) and, when given, ``reason``. ``held`` names fields the calling
    service set itself (never from input): their unique and check constraints are left
    to the database instead of being probed first."""
    validate(instance, held=held)
    # simple-history reads these attributes when it writes the history row.
    instance._history_user = actor  # type: ignore[attr-defined]
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(update_fields=update_fields)


def create_tracked(
    instances: Sequence[models.Model], *, actor: Any, reason: str | None = None, held: Collection[str] = ()
) -> None:
    """New rows of one model, each validated as ``save_tracked`` validates it, inserted in
    one statement and their history rows (who, why: the same as ``save_tracked`` writes)
    in one more. The rows' loaded relations (the family, its key) are handed to their
    history rows, which are sealed with the same key. For rows with no ``save()`` of
    their own beyond the field's (encryption and blind indexes are the fields' own)."""
    if not instances:
        return
    for instance in instances:
        validate(instance, held=held)
    model = type(instances[0])
    model._default_manager.bulk_create(instances)
    history_model = model.history.model  # type: ignore[attr-defined]
    now = timezone.now()
    rows = []
    for instance in instances:
        row = history_model(
            history_date=now,
            history_user=actor,
            history_change_reason=reason,
            history_type="+",
            **{field.attname: getattr(instance, field.attname) for field in history_model.tracked_fields},
        )
        for name, value in instance._state.fields_cache.items():
            field = next((f for f in history_model._meta.concrete_fields if f.name == name and f.is_relation), None)
            if field is not None and getattr(row, field.attname) == getattr(value, "pk", None):
                row._state.fields_cache[name] = value
        rows.append(row)
    history_model._default_manager.bulk_create(rows)
