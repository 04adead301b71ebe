"""Answers worked out once per request: who the user is in which scheme, whether
they have acknowledged the policy, whether they have a second factor.

The middleware, the access gate and the navigation all ask these questions on
every page; without this each asked the database again (2-4 queries a page).
The cache lives only for one request (a context variable set by
``RequestCacheMiddleware``), so a membership ended by a manager counts from
the user's next request. Outside a request (services, commands, tests calling
services directly) nothing is cached and every call asks the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_cache: ContextVar[dict[Hashable, object] | None] = ContextVar("request_cache", default=None)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """The value for ``key`` in this request, computed on first use."""
    store = _cache.get()
    if store is None:
        return compute()
    try:
        return store[key]  # type: ignore[return-value]
    except KeyError:
        value = store[key] = compute()
        return value


def forget(*keys: Hashable) -> None:
    """Drop answers this request has just changed (e.g. a policy acknowledged)."""
    store = _cache.get()
    if store is not None:
        for key in keys:
            store.pop(key, None)


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """Answers cached for the length of the block, as for one request: for a command working
    through many rows for one person (an import), where nothing it caches changes meanwhile."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


class RequestCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
