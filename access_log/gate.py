"""The one gate through which every file is opened (DESIGN.md, "The one gate").

1. decide: may this user perform this action on this file, for this purpose, now?
   (acknowledged current policy; current membership and role; object permission
   from django-guardian; active assignment, review window or audit session;
   a signed Record of Access where the role needs one)
2. record: an access event, allowed or refused, in the same transaction as the
   read or write it permits (refusals are written on their own, so that they
   survive the refused request);
3. return only what the role may see: the volunteer gets a minimal projection
   of the family file, never the file itself (§8.5).

The gate is generic over file kinds: a kind (``kinds.py``) says how to load a
file by reference and which rules grant access to it. Superusers get no bypass:
permissions are read from the object-permission tables, never through
``user.has_perm``.

A file the user may not know exists answers 404 (never 403, which would confirm
it exists); a file they may see but not change answers 403 on change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connections, router, transaction
from django.db.models import AutoField
from django.http import Http404
from django.utils.translation import gettext

from homestart.errors import AccessRefused
from homestart.models import User, has_acknowledged_current_policy
from homestart.request_id import current_request_id
from homestart.rules import Action, FileKind, Outcome, Purpose, Refusal, Section, role_label

from .kinds import Grant, Pending, View, kind_spec
from .models import AccessEvent
from .tombstones import FileDestroyed, is_destroyed, tombstone

__all__ = [
    "AccessRefused",
    "AcknowledgementRequired",
    "FileAccess",
    "FileDestroyed",
    "FileHidden",
    "SignatureRequired",
    "UndertakingRequired",
    "View",
    "changing",
    "open_family",
    "open_file",
    "record_allowed",
    "record_creation",
    "record_of_access_to_sign",
    "record_listing",
]


class FileHidden(Http404):
    """Refused, and the user may not know the file exists: answers 404."""


class AcknowledgementRequired(AccessRefused):
    """The user has not acknowledged the current Confidentiality Policy (§3.1, §4.1, §5.1)."""


class SignatureRequired(AccessRefused):
    """The file is in the user's sample or session, but the Record of Access is unsigned (§9.1, §10.1)."""

    def __init__(self, pending: Pending, kind: str, reference: str) -> None:
        super().__init__(gettext("Sign the Record of Access before opening this file."))
        self.pending = pending
        self.kind = kind
        self.reference = reference


class UndertakingRequired(AccessRefused):
    """An administrator must sign the confidentiality undertaking first (§7.6)."""


class FileAccess:
    """An opened file, and what the role opening it may see and do."""

    def __init__(self, *, kind: str, obj: Any, user: User, grant: Grant) -> None:
        self.kind = kind
        self._obj = obj
        self.user = user
        self.grant = grant

    role = property(lambda self: self.grant.role)
    view = property(lambda self: self.grant.view)
    purpose = property(lambda self: self.grant.purpose)
    purpose_label = property(lambda self: Purpose(self.grant.purpose).label)

    @property
    def role_label(self) -> str:
        """The role in words ("Coordinator", "Line manager"), for the page, not the code."""
        return role_label(self.grant.role)

    reference = property(lambda self: kind_spec(self.kind).reference(self._obj))

    @property
    def full(self) -> bool:
        return self.grant.view is View.FULL

    @property
    def may_change(self) -> bool:
        return self.grant.may_change

    def may_change_section(self, section: str) -> bool:
        return self.grant.may_change and (
            self.grant.writable_sections is None or section in self.grant.writable_sections
        )

    def may_read_section(self, section: str) -> bool:
        return self.grant.readable_sections is None or section in self.grant.readable_sections

    @property
    def file(self) -> Any:
        """The whole file: only for roles with the full view."""
        if not self.full:
            raise AccessRefused(gettext("This role sees only the minimal view of the file (§8.5)."))
        return self._obj

    # Family files are the only kind the family pages open.
    family = file

    @property
    def target(self) -> Any:
        """The object a permitted change is made to (for services, inside ``changing``)."""
        return self._obj

    def minimal(self) -> Any:
        return kind_spec(self.kind).minimal_view(self._obj, self.user)


def _record(
    *,
    user: User,
    kind: str,
    reference: str,
    obj: Any,
    role: str,
    action: str,
    section: str,
    purpose: str,
    allowed: bool,
    reason: str = "",
) -> AccessEvent:
    spec = kind_spec(kind)
    # A section or purpose outside homestart.rules fails here, loudly (ValueError), instead of
    # becoming an event that nobody searching the access log finds (§9.1).
    section, purpose = Section(section), Purpose(purpose)
    return AccessEvent.objects.create(
        user=user if user.is_authenticated else None,
        role=role,
        file_kind=kind,
        file_id=obj.pk if obj is not None else None,
        file_reference=reference[:32],
        scheme_id=spec.scheme_id(obj) if obj is not None else None,
        section=section,
        action=action,
        purpose=purpose,
        outcome=Outcome.ALLOWED if allowed else Outcome.REFUSED,
        reason=reason,
        request_id=current_request_id(),
    )


def open_file(
    *,
    user: User,
    kind: str,
    reference: str,
    section: str = Section.FILE,
    purpose: str = Purpose.CASEWORK,
    for_change: bool = False,
    roles: tuple[str, ...] | None = None,
) -> FileAccess:
    """Open a file, recording the opening; refuse with 404, 403 or a redirect to sign first.

    ``for_change``: the user is opening a page to change ``section`` of the file;
    someone who may see the file but not change that section gets 403.
    ``roles``: only these roles may open this section (e.g. the file's access log).
    """
    spec = kind_spec(kind)
    action = Action.CHANGE if for_change else Action.VIEW

    def refuse(reason: str, obj: Any = None, role: str = "") -> None:
        _record(
            user=user,
            kind=kind,
            reference=reference,
            obj=obj,
            role=role,
            action=action,
            section=section,
            purpose=purpose,
            allowed=False,
            reason=reason,
        )

    if not user.is_authenticated or not user.is_active:
        raise FileHidden("No such file.")
    if not has_acknowledged_current_policy(user):
        refuse(Refusal.POLICY_NOT_ACKNOWLEDGED)
        raise AcknowledgementRequired(gettext("Acknowledge the current Confidentiality Policy first."))
    obj = spec.load(reference)
    if obj is None:
        refuse(Refusal.NO_SUCH_FILE)
        raise FileHidden("No such file.")
    outcome = spec.decide(user=user, obj=obj, purpose=purpose)
    if isinstance(outcome, Grant):
        if outcome.readable_sections is not None and section not in outcome.readable_sections:
            # The rest of the file is not theirs to know about: as if it did not exist.
            refuse(Refusal.SECTION_NOT_READABLE, obj, outcome.role)
            raise FileHidden("No such file.")
        _refuse_if_destroyed(kind, obj, refuse, outcome.role)
        if roles is not None and outcome.role not in roles:
            refuse(Refusal.SECTION_NOT_FOR_ROLE, obj, outcome.role)
            raise AccessRefused(gettext("Your role may not open this part of the file."))
        if for_change and not (
            outcome.may_change and (outcome.writable_sections is None or section in outcome.writable_sections)
        ):
            refuse(Refusal.READ_ONLY_ACCESS, obj, outcome.role)
            raise AccessRefused(gettext("You may see this file but not change it."))
        _record(
            user=user,
            kind=kind,
            reference=reference,
            obj=obj,
            role=outcome.role,
            action=Action.VIEW,
            section=section,
            purpose=outcome.purpose,
            allowed=True,
        )
        return FileAccess(kind=kind, obj=obj, user=user, grant=outcome)
    if isinstance(outcome, Pending):
        _refuse_if_destroyed(kind, obj, refuse, outcome.role)
        refuse(outcome.reason, obj, outcome.role)
        if outcome.reason == Refusal.UNDERTAKING_UNSIGNED:
            raise UndertakingRequired(gettext("Sign the confidentiality undertaking first (§7.6)."))
        raise SignatureRequired(outcome, kind, reference)
    refuse(Refusal.NO_ACCESS_TO_FILE, obj, outcome or "")
    raise FileHidden("No such file.")


def _refuse_if_destroyed(kind: str, obj: Any, refuse: Any, role: str) -> None:
    """Someone who could have opened the file, had it not been destroyed at the end of its
    retention period, is told so: its tombstone, 410 Gone (§8.8). Nothing of it is read."""
    if is_destroyed(obj):
        refuse(Refusal.FILE_DESTROYED, obj, role)
        raise FileDestroyed(tombstone(kind, obj))


def record_of_access_to_sign(
    *, user: User, kind: str, reference: str, for_change: bool = False
) -> tuple[Any, Grant | Pending]:
    """The file whose Record of Access this user is about to sign (§9.1, §10.1), and why.

    Returns ``(file, Pending)`` when the file is in the user's open sample, review or
    audit session and the Record is unsigned, or ``(file, Grant)`` when they may already
    open the whole file (nothing to sign). Anyone else gets 404, and the refusal is
    recorded like ``open_file``'s: who, which file, their role, the reason; no contents.
    """
    spec = kind_spec(kind)
    action = Action.CHANGE if for_change else Action.VIEW

    def refuse(reason: str, obj: Any = None, role: str = "") -> None:
        destroyed(reason, obj, role)
        raise FileHidden("No such file.")

    def destroyed(reason: str, obj: Any, role: str) -> None:
        # Recorded as refused. For a destroyed file there is nothing left to sign for: the
        # caller shows the tombstone instead (§8.8); ``refuse`` answers 404.
        _record(
            user=user,
            kind=kind,
            reference=reference,
            obj=obj,
            role=role,
            action=action,
            section=Section.RECORD_OF_ACCESS,
            purpose=Purpose.CASEWORK,
            allowed=False,
            reason=reason,
        )

    if not user.is_authenticated or not user.is_active:
        raise FileHidden("No such file.")
    obj = spec.load(reference)
    if obj is None:
        refuse(Refusal.NO_SUCH_FILE)
    outcome = spec.decide(user=user, obj=obj, purpose=Purpose.CASEWORK)
    if isinstance(outcome, Grant):
        if outcome.readable_sections is None:
            _refuse_if_destroyed(kind, obj, destroyed, outcome.role)
            return obj, outcome
        # Part of the file only (a volunteer, the safeguarding lead): nothing here for them to sign.
        refuse(Refusal.SECTION_NOT_READABLE, obj, outcome.role)
    if isinstance(outcome, Pending):
        if outcome.reason == Refusal.RECORD_OF_ACCESS_UNSIGNED:
            _refuse_if_destroyed(kind, obj, destroyed, outcome.role)
            return obj, outcome
        refuse(outcome.reason, obj, outcome.role)
    # No open sample, review or audit session holding this file.
    refuse(Refusal.NO_ACCESS_TO_FILE, obj, outcome or "")


def open_family(**kwargs: Any) -> FileAccess:
    return open_file(kind=FileKind.FAMILY, **kwargs)


@contextlib.contextmanager
def changing(access: FileAccess, *, section: str) -> Iterator[Any]:
    """Change an opened file: the access event and the change commit together or not at all."""
    if not access.may_change_section(section):
        raise AccessRefused(gettext("You may see this file but not change it."))
    with transaction.atomic():
        _record(
            user=access.user,
            kind=access.kind,
            reference=access.reference,
            obj=access.target,
            role=access.role,
            action=Action.CHANGE,
            section=section,
            purpose=access.purpose,
            allowed=True,
        )
        yield access.target


def record_listing(
    *,
    user: User,
    kind: str,
    objs: list[Any],
    roles: dict[int, str],
    purpose: str = Purpose.CASEWORK,
    action: str = Action.LIST,
    section: str | None = None,
) -> None:
    """A list showed personal data (e.g. the carer's name) of these files, or (``action``
    ``Action.EXPORT``) an export carried them out: one event per file, written in one
    query. ``roles`` maps scheme id to the lister's role; ``section`` names the part of the
    files the list showed, where it is not the list itself (a visitor's week shows the
    visits' addresses)."""
    if section is None:
        section = Section.LIST if action == Action.LIST else Section.FILE
    spec = kind_spec(kind)
    request_id = current_request_id()
    events = [
        AccessEvent(
            user=user,
            role=roles.get(spec.scheme_id(obj), ""),
            file_kind=kind,
            file_id=obj.pk,
            file_reference=spec.reference(obj),
            scheme_id=spec.scheme_id(obj),
            section=Section(section),
            action=action,
            purpose=purpose,
            outcome=Outcome.ALLOWED,
            request_id=request_id,
        )
        for obj in objs
    ]
    _insert_events(events)


def _insert_events(events: list[AccessEvent]) -> None:
    """Write the events in one INSERT. ``bulk_create`` wraps its INSERT in a transaction
    of its own (BEGIN and COMMIT: two more round trips to the database on every list page,
    issue 18) in case it needs several; one statement is atomic by itself (every row or
    none), so when the events fit in one and no transaction is open, the INSERT is sent
    alone. Inside a transaction, or when several statements are needed, ``bulk_create``."""
    if not events:
        return
    db = router.db_for_write(AccessEvent)
    connection = connections[db]
    fields = [f for f in AccessEvent._meta.concrete_fields if not isinstance(f, AutoField)]
    if connection.in_atomic_block or connection.ops.bulk_batch_size(fields, events) < len(events):
        AccessEvent.objects.using(db).bulk_create(events)
        return
    # QuerySet._insert: the one INSERT bulk_create itself sends (Django's own, unlisted in its
    # type stubs), with each field's value prepared as bulk_create prepares it.
    AccessEvent.objects.using(db)._insert(events, fields=fields, using=db)  # type: ignore[attr-defined]


def record_creation(*, user: User, kind: str, obj: Any, role: str, purpose: str = Purpose.CASEWORK) -> AccessEvent:
    """A new file was created (called inside the creating transaction)."""
    spec = kind_spec(kind)
    return _record(
        user=user,
        kind=kind,
        reference=spec.reference(obj),
        obj=obj,
        role=role,
        action=Action.CREATE,
        section=Section.FILE,
        purpose=purpose,
        allowed=True,
    )


def record_allowed(
    *, user: User, kind: str, obj: Any, role: str, action: str, section: str, purpose: str
) -> AccessEvent:
    """A part of a file read or changed under a rule of its own, which the caller has just
    applied, rather than the file kind's: supervision notes (the two parties and the scheme
    manager, §4.2, §5.2) and a destruction (authorised by two people, §8.8). Recorded like
    any opening — who, which file, which part, the request — in the caller's transaction."""
    spec = kind_spec(kind)
    return _record(
        user=user,
        kind=kind,
        reference=spec.reference(obj),
        obj=obj,
        role=role,
        action=action,
        section=section,
        purpose=purpose,
        allowed=True,
    )
