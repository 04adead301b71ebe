"""File kinds the gate can open, and the rules that grant access to each.

A kind is one ``FileKindSpec`` subclass, registered in ``KINDS`` by the app that
owns the files (families/kinds.py, records/people/kinds.py: both above this app, which
imports neither): how to load a file by reference, which scheme it belongs to, the
rules that decide access, and the database filter that lists the files a user may open.

Every rule checks, at the moment of access, both the object permission
(django-guardian, direct foreign-key tables) and the condition behind it —
current membership, active assignment, open review window, open audit
session, signed Record of Access — so an expired grant grants nothing even if
no job has tidied it away.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from homestart.models import User
from homestart.rules import Role

from .models import AuditSession, Review

# Roles that see and change every family file of their own scheme (§8.3).
SCHEME_STAFF_ROLES = (Role.COORDINATOR, Role.MANAGER)


class View(enum.Enum):
    FULL = "full"
    MINIMAL = "minimal"  # the volunteer's view (§8.5)


@dataclass(frozen=True)
class Grant:
    role: str
    view: View
    may_change: bool
    purpose: str
    # Sections the role may change; None means every section.
    writable_sections: frozenset[str] | None = None
    # Sections the role may open at all; None means every section. Outside them the
    # gate answers 404: the role may not know what else the file holds.
    readable_sections: frozenset[str] | None = None
    review: Review | None = None
    session: AuditSession | None = None


@dataclass(frozen=True)
class Pending:
    """Access would be granted once something is signed."""

    reason: str
    role: str
    review: Review | None = None
    session: AuditSession | None = None


class FileKindSpec:
    kind: str
    # The page that shows a file of this kind, by reference.
    url_name: str
    # Who may read the file's own access log ("who opened this file"): the people
    # responsible for the file, by the role their grant names.
    log_roles: tuple[str, ...] = ()

    def load(self, reference: str) -> Any | None:
        raise NotImplementedError

    def reference(self, obj: Any) -> str:
        raise NotImplementedError

    def scheme_id(self, obj: Any) -> int | None:
        raise NotImplementedError

    def url(self, obj: Any) -> str:
        return self.reference_url(self.reference(obj))

    def reference_url(self, reference: str) -> str:
        return reverse(self.url_name, kwargs={"reference": reference})

    def readable_files(self, *, scheme_id: int, reader: User) -> QuerySet:
        """The files of a scheme a review may sample or an audit session may name, as
        ``(pk, reference)`` rows (§9.1, §10.1): never a destroyed file, never the reader's own."""
        raise NotImplementedError

    def decide(self, *, user: User, obj: Any, purpose: str) -> Grant | Pending | str | None:
        raise NotImplementedError

    def minimal_view(self, obj: Any, user: User) -> Any:
        raise NotImplementedError

    def named_for(self, *, reader: User, file_ids: Iterable[Any], by: Review | AuditSession) -> None:
        """A review sample or an audit session now names these files for ``reader`` (§9.1, §10.1).
        A kind whose rules also check an object permission grants it here; the others decide
        from the sample or the session itself."""

    def released_for(self, *, reader: User, file_ids: Iterable[Any], by: Review | AuditSession) -> None:
        """The review or session is closed and no open one names these files for ``reader``:
        what ``named_for`` granted is taken away."""


# Filled by the apps that own the kinds, in ``AppConfig.ready``: family files
# (families/kinds.py), volunteer and personnel files (records/people/kinds.py).
KINDS: dict[str, FileKindSpec] = {}


def kind_spec(kind: str) -> FileKindSpec:
    return KINDS[kind]
