"""Induction before access: nobody uses the records until they have acknowledged
the current Confidentiality Policy (§3.1, §4.1, §5.1). Publishing a new version
asks everyone again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse

from .models import has_acknowledged_current_policy

database_log = logging.getLogger("homestart.database")
RETRY_AFTER_SECONDS = 30

EXEMPT_PREFIXES = ("/policy/", "/sign-in/", "/sign-out/", "/two-factor/", "/static/", "/language/")


class PolicyAcknowledgementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not has_acknowledged_current_policy(request.user)
        ):
            return redirect_to_policy(request)
        return self.get_response(request)


def redirect_to_policy(request: HttpRequest) -> HttpResponse:
    target = request.get_full_path() if request.method == "GET" else "/"
    return redirect(f"{reverse('policy')}?{urlencode({'next': target})}")


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The "Sorry, there is a problem" page with 503 (try again), for a query PostgreSQL
    cancelled at ``statement_timeout`` or a lost database connection. The page is drawn
    without the request, as Django's own 500 page is: it asks nothing of the database."""
    database_log.warning(
        "database unavailable: %s %s",
        request.method,
        request.path,
        exc_info=(type(exception), exception, exception.__traceback__),
    )
    response = HttpResponse(loader.get_template("500.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view whose query was cancelled or lost its connection answers the error page
    (503) in time, instead of the worker being killed and the connection dropped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError):
            return database_unavailable(request, exception)
        return None
