"""History pages: django-simple-history rows turned into changes a person can read.

Every record that holds personal or decision data keeps history (DESIGN.md, "Data
protection"). ``history_entries`` turns the history rows of one or more sources into
entries, newest first: who (by name, §8.2 — never a username), when, what, and each
changed field in words — its verbose name, choice labels instead of stored codes,
"was X, now Y" where the viewer may see the values, and only "changed" where they may
not (a volunteer reading the history of a concern they raised, §8.5).

Encrypted values in history rows are sealed with the same data key as the record
(homestart/fields.py): a source hands each row that key's holder (the family opened
through the gate, or the file's own key), so no row looks its key up again, and a
destroyed key raises ``homestart.crypto.KeyUnavailable`` — ``render_history`` answers
that with 410 and a short page instead of an error (§8.8).

``render_history`` is the one page every history view renders: the view decides who
may see the record (through the gate, as the record's own page does) and which sources
make its history; this module knows nothing of any app above ``homestart``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .crypto import KeyUnavailable
from .fields import BlindIndexField, EncryptedField

CREATED, CHANGED, DELETED = "+", "~", "-"
ACTIONS = {CREATED: _("Created"), CHANGED: _("Changed"), DELETED: _("Deleted")}
NOT_RECORDED = _("not recorded")


def person_name(user: Any, *, with_role: bool = True) -> str:
    """A person as the history shows them: by name (never a username, which is a login) and, unless
    the line names the role itself, their role (issue 15.5)."""
    if user is None:
        return gettext("The system")
    if not user.get_full_name().strip():
        return gettext("A person with no name recorded")
    return user.name_and_role if with_role else user.display_name


@dataclass(frozen=True)
class Source:
    """Where one kind of row's history comes from, and what the viewer may see of it.

    ``history``: the history rows (e.g. ``Consent.history.filter(family_id=...)``).
    ``label``: what the rows are, in words; a callable gets the history row.
    ``key``: (attribute, object) given to every row before a value is read, so that its
    encrypted fields open with the key the record's page used: ``("family", family)`` for
    a part of a family file, ``("data_key", file.data_key)`` for a row with its own key.
    ``visible``: the fields whose values the viewer may see; None means all of them.
    Others are listed as "changed" without their values.
    ``exclude``: fields never listed (derived or internal ones).
    ``choices``: labels for fields that store a code but declare no choices.
    """

    history: QuerySet
    label: str | Callable[[Any], str]
    key: tuple[str, Any] | None = None
    visible: Collection[str] | None = None
    exclude: Collection[str] = ()
    choices: dict[str, Iterable[tuple[Any, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    field: str
    before: str = ""
    after: str = ""
    shown: bool = True
    created: bool = False  # a value as first recorded: no "was"


@dataclass(frozen=True)
class Entry:
    when: datetime.datetime
    who: str
    what: str
    action: str
    changes: list[Change]
    order: tuple = ()


def _listed_fields(model: type[models.Model], source: Source) -> list[models.Field]:
    """The record's own fields a change can be reported for: not its key, its blind
    indexes (hashes of other fields) or its data key."""
    listed = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in source.exclude or isinstance(f, BlindIndexField):
            continue
        if f.is_relation and f.related_model._meta.label == "homestart.DataKey":
            continue
        listed.append(f)
    return listed


def _value(record: Any, f: models.Field) -> Any:
    # The foreign key's id, not the object (no query); the opened value of an encrypted field.
    return getattr(record, f.attname)


class _Words:
    """Values in words. Related rows are fetched once per related model for the whole page."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = {}
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, f: models.Field, value: Any) -> None:
        if f.is_relation and value is not None:
            self.wanted.setdefault(f.related_model, set()).add(value)

    def fetch(self) -> None:
        for model, ids in self.wanted.items():
            for obj in model._default_manager.filter(pk__in=ids):
                # A person by name; anything else as its __str__, which shows references, never personal data.
                self.found[(model, obj.pk)] = person_name(obj) if hasattr(obj, "get_full_name") else str(obj)

    def say(self, f: models.Field, value: Any, choices: dict[Any, str] | None) -> str:
        if value is None or value == "":
            return str(NOT_RECORDED)
        if f.is_relation:
            return self.found.get((f.related_model, value), gettext("a record no longer held"))
        if choices is not None:
            return choices.get(value, gettext("a value no longer offered"))
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "j F Y, H:i")
        if isinstance(value, datetime.date):
            return date_format(value, "j F Y")
        return str(value)


def _choices_for(f: models.Field, source: Source) -> dict[Any, str] | None:
    if f.name in source.choices:
        return {k: str(v) for k, v in source.choices[f.name]}
    if f.choices:
        return {k: str(v) for k, v in f.flatchoices}
    return None


# Fields without a verbose name of their own: Django names them from the field ("given by"),
# in English. Giving them one in the model would need a migration for no change in English,
# so their names are marked here for the catalogue and translated when the page is built.
DERIVED_NAMES = frozenset(
    {
        gettext_noop("given by"),
        gettext_noop("recorded by"),
        gettext_noop("found by"),
        gettext_noop("raised by"),
        gettext_noop("line manager"),
        gettext_noop("policy version"),
        gettext_noop("grant"),
        gettext_noop("withdrawn recorded by"),
    }
)


def history_entries(*sources: Source) -> list[Entry]:
    """Every recorded change of the sources' rows, newest first, in words.

    One query per source (with the person who made each change), and one per kind of
    related row named in a change. Raises ``KeyUnavailable`` when a value is sealed with
    a destroyed key.
    """
    words = _Words()
    pending: list[tuple[Entry, list[tuple[models.Field, Any, Any, bool, dict | None]]]] = []
    for number, source in enumerate(sources):
        if source.key is not None:
            # A destroyed file's history is destroyed with it (§8.8), even where no row would be opened.
            holder = source.key[1]
            (holder if hasattr(holder, "plaintext_key") else holder.get_data_key()).plaintext_key()
        model = source.history.model.instance_type
        fields = _listed_fields(model, source)
        pk = model._meta.pk.attname  # the record's own id (a history row's pk is its history_id)
        previous: dict[Any, Any] = {}
        rows = source.history.select_related("history_user").order_by("history_date", "history_id")
        for record in rows:
            if source.key is not None:
                setattr(record, *source.key)
            before = previous.get(getattr(record, pk))
            raw: list[tuple[models.Field, Any, Any, bool, dict | None]] = []
            if record.history_type == CREATED:
                # What was recorded, where the viewer may see it.
                for f in fields:
                    if isinstance(f, models.DateTimeField) and not f.editable:
                        continue  # when it was written: the entry's own time
                    new = _value(record, f)
                    if new in (None, "") or (source.visible is not None and f.name not in source.visible):
                        continue
                    words.want(f, new)
                    raw.append((f, None, new, True, _choices_for(f, source)))
            elif record.history_type == CHANGED and before is not None:
                for f in fields:
                    old, new = _value(before, f), _value(record, f)
                    if old == new or (old in (None, "") and new in (None, "")):
                        continue
                    shown = source.visible is None or f.name in source.visible
                    if shown:
                        words.want(f, old)
                        words.want(f, new)
                    raw.append((f, old, new, shown, _choices_for(f, source)))
            previous[getattr(record, pk)] = record
            if record.history_type == CHANGED and before is not None and not raw:
                continue  # saved with nothing the page lists changed (e.g. a derived field)
            label = source.label(record) if callable(source.label) else source.label
            entry = Entry(
                when=record.history_date,
                who=person_name(record.history_user),
                what=label,
                action=str(ACTIONS.get(record.history_type, ACTIONS[CHANGED])),
                changes=[],
                order=(record.history_date, number, record.history_id),
            )
            pending.append((entry, raw))
    words.fetch()
    entries = []
    for entry, raw in pending:
        for f, old, new, shown, choices in raw:
            name = str(f.verbose_name)
            if name in DERIVED_NAMES:
                name = gettext(name)
            name = name[:1].upper() + name[1:]
            if entry.action == str(ACTIONS[CREATED]):
                entry.changes.append(Change(name, after=words.say(f, new, choices), created=True))
            elif shown:
                entry.changes.append(Change(name, words.say(f, old, choices), words.say(f, new, choices)))
            else:
                entry.changes.append(Change(name, shown=False))
        entries.append(entry)
    entries.sort(key=lambda e: e.order, reverse=True)
    return entries


def encrypted_field_names(model: type[models.Model]) -> set[str]:
    """The fields of a model sealed with its data key."""
    return {f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)}


def render_history(
    request: HttpRequest,
    *,
    title: str,
    caption: str,
    back_url: str,
    back_label: str,
    sources: Callable[[], Iterable[Source]],
    note: str = "",
) -> HttpResponse:
    """The history page. ``sources`` is called here, after the view's access decision, so
    that a destroyed key (§8.8) becomes a 410 page rather than a server error."""
    context = {"title": title, "caption": caption, "back_url": back_url, "back_label": back_label, "note": note}
    try:
        entries = history_entries(*sources())
    except KeyUnavailable:
        return render(request, "homestart/history_destroyed.html", context, status=410)
    return render(request, "homestart/history.html", {**context, "entries": entries})
