"""What remains of a destroyed file, wherever it would have appeared (§8.8).

A file destroyed at the end of its retention period keeps its row (reference,
scheme, dates) but its data key is gone: nothing personal can be read. Pages,
lists and exports show its tombstone instead: the reference, "destroyed", the
date and the number of its destruction certificate. The certificates are kept
by the records app, which registers the one function that finds them
(``register``, called from ``records.apps``); this module, below it, only asks.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string

# (kind, file ids) -> {file id: (certificate number, destroyed at)}
CertificateFinder = Callable[[str, list[Any]], dict[Any, tuple[int, datetime.datetime]]]
_finder: CertificateFinder | None = None


def register(finder: CertificateFinder) -> None:
    global _finder  # noqa: PLW0603 - one registration at start-up (records.apps)
    _finder = finder


@dataclass(frozen=True)
class Tombstone:
    kind: str
    reference: str
    destroyed_at: datetime.datetime | None
    certificate: int | None


def is_destroyed(obj: Any) -> bool:
    """A file is destroyed when its data key is (the one mark of §8.8's crypto-shredding)."""
    key = getattr(obj, "data_key", None)
    return key is not None and key.destroyed_at is not None


def tombstones(kind: str, objs: Iterable[Any]) -> dict[Any, Tombstone]:
    """The tombstones of the destroyed files among ``objs``, by file id, in one query."""
    destroyed = [obj for obj in objs if is_destroyed(obj)]
    if not destroyed:
        return {}
    found = _finder(kind, [obj.pk for obj in destroyed]) if _finder else {}
    result = {}
    for obj in destroyed:
        number, when = found.get(obj.pk, (None, obj.data_key.destroyed_at))
        result[obj.pk] = Tombstone(kind=kind, reference=obj.reference, destroyed_at=when, certificate=number)
    return result


def tombstone(kind: str, obj: Any) -> Tombstone | None:
    return tombstones(kind, [obj]).get(obj.pk)


def attach(kind: str, objs: Iterable[Any]) -> list[Any]:
    """Give each object of a list its ``tombstone`` (None unless destroyed), for templates."""
    objs = list(objs)
    found = tombstones(kind, objs)
    for obj in objs:
        obj.tombstone = found.get(obj.pk)
    return objs


class FileDestroyed(Http404):
    """The user could have opened this file, but it was destroyed: answers 410 with its
    tombstone (``TombstoneMiddleware``). Who could not have seen it still gets 404; and
    a caller that does not expect it falls back to 404 too, never to a server error."""

    def __init__(self, tomb: Tombstone) -> None:
        super().__init__(f"{tomb.reference} was destroyed.")
        self.tombstone = tomb


def tombstone_response(request: Any, exc: FileDestroyed) -> Any:
    html = render_to_string("snippets/tombstone_page.html", {"tombstone": exc.tombstone}, request=request)
    return HttpResponse(html, status=410)


class TombstoneMiddleware:
    """Turns ``FileDestroyed`` raised by the gate into the tombstone page, status 410 Gone."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_exception(self, request: Any, exception: Exception) -> Any:
        if isinstance(exception, FileDestroyed):
            return tombstone_response(request, exception)
        return None
