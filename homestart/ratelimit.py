"""Per-person limits on searches and exports (§8.2; OWASP ASVS 5.0 V2.4.1, V15.2.2).

A fixed-window counter per person and action in Django's cache: the first use in a
window adds the key (``cache.add`` is atomic), every use increments it (``cache.incr``
is atomic in Redis, the database cache and the local-memory cache), so two requests
at the same moment cannot both slip under the limit. Over the limit, the person sees a
page saying what was limited and when they can go on (429), and a ``rate_limited``
security event is logged once per window.

The limits (``RATE_LIMITS`` in settings) are generous for a day's work and stop a
script or a stolen session from walking through every family or exporting again and
again. With several web processes, set ``REDIS_URL`` so that they share one count
(without it each process counts on its own).
"""

from __future__ import annotations

import enum
import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from .security import security_event


class Action(enum.StrEnum):
    """What is limited; the value names the action in the cache key and the log."""

    FAMILY_SEARCH = "family_search"
    STATISTICS_EXPORT = "statistics_export"
    SUBJECT_ACCESS_DOWNLOAD = "subject_access_download"
    TRANSFER = "transfer"

    @property
    def label(self) -> str:
        return {
            Action.FAMILY_SEARCH: gettext("searches for a family"),
            Action.STATISTICS_EXPORT: gettext("downloads of the statistics"),
            Action.SUBJECT_ACCESS_DOWNLOAD: gettext("subject access responses opened or downloaded"),
            Action.TRANSFER: gettext("transfers to another scheme"),
        }[self]


def _limit(action: Action) -> tuple[int, int]:
    count, seconds = settings.RATE_LIMITS[action.value]
    return int(count), int(seconds)


def rate_hit(*, user_id: int, action: Action, now: float | None = None) -> tuple[bool, int, int]:
    """Count one use; returns (allowed, uses in this window, seconds until the window ends)."""
    limit, window = _limit(action)
    now = time.time() if now is None else now
    number = int(now // window)
    key = f"ratelimit:{action.value}:{user_id}:{number}"
    cache = caches[settings.RATE_LIMIT_CACHE]
    cache.add(key, 0, timeout=window + 60)
    try:
        used = cache.incr(key)
    except ValueError:  # the key expired between add and incr: this use starts it again
        cache.add(key, 1, timeout=window + 60)
        used = 1
    return used <= limit, used, max(1, math.ceil((number + 1) * window - now))


def rate_limited(action: Action, *, methods: tuple[str, ...] = ("GET", "POST")) -> Callable:
    """Limit a view per person: ``@rate_limited(Action.FAMILY_SEARCH, methods=("POST",))``.
    Place it nearest the view, so that only what would be carried out is counted."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods or not request.user.is_authenticated:
                return view(request, *args, **kwargs)
            allowed, used, wait = rate_hit(user_id=request.user.pk, action=action)
            if allowed:
                return view(request, *args, **kwargs)
            limit, window = _limit(action)
            if used == limit + 1:  # once per window: the first refusal
                security_event(
                    "rate_limited",
                    request=request,
                    level=logging.WARNING,
                    action=action.value,
                    limit=limit,
                    window_seconds=window,
                )
            response = render(
                request,
                "homestart/rate_limited.html",
                {
                    "what": action.label,
                    "limit": limit,
                    "window_minutes": max(1, window // 60),
                    "wait_minutes": max(1, math.ceil(wait / 60)),
                },
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response

        return wrapper

    return decorate
