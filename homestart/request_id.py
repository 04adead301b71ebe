"""A request id on every request, carried into access events, security log lines
and the response.

A client-supplied ``X-Request-ID`` is believed only behind trusted reverse proxies
(``TRUSTED_PROXY_COUNT`` > 0, the setting that also decides the client address),
whose job it is to set or overwrite the header, and only when it fits a strict
pattern. Otherwise a client could choose the id recorded against its own events
(OWASP ASVS 4.1.3) or smuggle text into log lines (16.4.1); a new id is made instead.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: ContextVar[str] = ContextVar("request_id", default="")
# Letters, digits, dot, underscore and hyphen; starts with a letter or digit; 8-64 long.
_VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")


def current_request_id() -> str:
    return _request_id.get()


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id when a trusted proxy sent a well-formed one, else a new random id."""
    if settings.TRUSTED_PROXY_COUNT > 0:
        incoming = request.headers.get("X-Request-ID", "")
        if _VALID.fullmatch(incoming):
            return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response
