"""Induction before access: nobody uses the records until they have acknowledged
the current Confidentiality Policy (§3.1, §4.1, §5.1). Publishing a new version
asks everyone again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.urls import Resolver404, get_resolver, resolve, reverse

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


error_log = logging.getLogger("django.request")


def _error_page(request: HttpRequest, status: int, exception: BaseException | None = None) -> HttpResponse:
    """The project's own page for ``status`` (templates/404.html, 403.html, 500.html, through
    the URLconf's handlers), as Django draws it with DEBUG off."""
    handler: Callable[..., HttpResponse] = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(status)
    return handler(request) if status == 500 else handler(request, exception)


class FriendlyErrorsMiddleware:
    """The friendly error pages with DEBUG on too (issue 17.7): the demo runs with DEBUG on, and
    a coordinator who follows a link to a file she may not see should read "Page not found",
    not Django's technical page listing every URL of the product. A developer who wants the
    technical pages sets HOMESTART_TECHNICAL_ERRORS=1. With DEBUG off this does nothing:
    Django already answers with the project's pages (403 and 410 are the project's in both).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and not settings.HOMESTART_TECHNICAL_ERRORS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._active():
            # An address that matches no page: Django draws its technical 404 before any
            # view or process_exception runs, so look it up first.
            try:
                resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
            except Resolver404 as exception:
                return _error_page(request, 404, exception)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active() or isinstance(exception, PermissionDenied):
            return None  # 403: the project's page whatever DEBUG says
        if isinstance(exception, Http404):
            return _error_page(request, 404, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return _error_page(request, 400, exception)
        # Logged and signalled as Django does for a 500, then the friendly page.
        error_log.error("Internal Server Error: %s", request.path, exc_info=exception)
        signals.got_request_exception.send(sender=None, request=request)
        return _error_page(request, 500)
