"""Sign-in security (§8.2, measured against OWASP ASVS 5.0 Level 2): client IP
behind a proxy, session lifetimes, two-factor sign-in and re-authentication.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import device_classes

from .fixed_query import FixedQuery
from .request_cache import memo
from .request_id import current_request_id

SESSION_STARTED = "security.auth_started"
SESSION_LAST_SEEN = "security.last_seen"
SESSION_REAUTH = "security.reauthenticated_at"
LAST_SEEN_PRECISION = 60  # seconds

EXEMPT_PREFIXES = ("/sign-in/", "/sign-out/", "/two-factor/", "/static/", "/language/")

security_log = logging.getLogger("homestart.security")


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` proxies, the address the
    nearest untrusted hop reported in X-Forwarded-For; otherwise REMOTE_ADDR.
    A client cannot choose its own address by sending the header itself."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def security_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    level: int = logging.INFO,
    **details: str | int | bool,
) -> None:
    """Log one security event (OWASP ASVS 16.2.1, 16.3): what happened, to which user
    (the id only, never a name), from which client address and in which request.

    ``details`` are the product's own words (a reason, a count), never typed input,
    so nothing personal and nothing a client chose reaches the log line. The same
    fields are on the record as ``record.security`` for a structured handler."""
    if user_id is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id = user.pk
    fields: dict[str, object] = {
        "event": event,
        "user_id": user_id if user_id is not None else "-",
        "client": (client_ip(request) if request is not None else "") or "-",
        "request_id": getattr(request, "request_id", "") or current_request_id() or "-",
        **details,
    }
    security_log.log(
        level, "security " + " ".join(f"{name}=%s" for name in fields), *fields.values(), extra={"security": fields}
    )


@receiver(user_logged_in)
def _start_session_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now
        request.session[SESSION_REAUTH] = now


def _to(name: str, request: HttpRequest) -> HttpResponse:
    target = request.get_full_path() if request.method == "GET" else "/"
    return redirect(f"{reverse(name)}?{urlencode({'next': target})}")


class SessionTimeoutMiddleware:
    """Signs people out after 30 minutes without activity, and 12 hours after sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after 30 minutes without activity.")
                    if idle
                    else _("You were signed out because you signed in more than 12 hours ago."),
                )
                return _to("login", request)
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = started
            # Writing the session on every page costs a database write per request;
            # a minute's precision on a 30-minute idle limit is enough.
            if now - last_seen >= LAST_SEEN_PRECISION or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Two-factor sign-in (TOTP) before anything else: asked of everyone who has set it
    up; required of everyone when TWO_FACTOR_REQUIRED (the default with DEBUG off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES) and not user.is_verified():
            if has_second_factor(user):
                return _to("two_factor_verify", request)
            if settings.TWO_FACTOR_REQUIRED:
                return _to("two_factor_setup", request)
        return self.get_response(request)


def has_second_factor(user: Any) -> bool:
    """A confirmed authenticator or recovery codes (asked once per request)."""
    return memo(("has_second_factor", user.pk), lambda: _has_confirmed_device(user))


def _has_confirmed_device(user: Any) -> bool:
    """django-otp's ``user_has_device(user, confirmed=True)`` in one query for every kind of
    device, instead of one query per kind, compiled once (``homestart.fixed_query``): it is
    asked on every request of a person not yet verified in their session."""
    query = _confirmed_devices()
    return query is not None and bool(query.rows(user_id=user.pk))


@functools.cache
def _confirmed_devices() -> FixedQuery | None:
    """The query, built once: django-otp finds the kinds of device by walking every model."""
    from django.contrib.auth import get_user_model

    kinds = list(device_classes())
    if not kinds:
        return None
    User = get_user_model()  # noqa: N806 - a model class

    def build(user_id: int) -> Any:
        first, *others = (
            model.objects.devices_for_user(User(pk=user_id), confirmed=True).values_list("user_id") for model in kinds
        )
        return first.union(*others, all=True)[:1]

    return FixedQuery(build, user_id=User._meta.pk)


def recently_authenticated(request: HttpRequest) -> bool:
    """Signed in, or confirmed it is them, within ``REAUTHENTICATION_WINDOW``."""
    return time.time() - request.session.get(SESSION_REAUTH, 0) <= settings.REAUTHENTICATION_WINDOW


def reauthentication_redirect(request: HttpRequest, back: str) -> HttpResponse:
    """To the confirmation page, which then returns to ``back`` (an address on this site)."""
    return redirect(f"{reverse('reauthenticate')}?{urlencode({'next': back})}")


NOTHING_DONE = _("Nothing was saved or changed yet. Confirm it is you, then do it again.")

Back = str | Callable[..., str] | None


def recent_authentication(
    view: Callable[..., HttpResponse] | None = None,
    *,
    back: Back = None,
    when: Callable[[HttpRequest], bool] | None = None,
) -> Any:
    """Ask for the password (and a code, with two-factor set up) again before an
    export, a destruction or a change of who may see which files (ASVS 7.5).

    A stale GET comes back to the same address once confirmed. A stale POST is never
    carried out, nor replayed afterwards: nothing is saved, the person is told so, and
    once confirmed they return to the page that holds the form to send it again.
    That page is the same address by default (a view that shows its own form on GET);
    ``back`` names it otherwise, as a URL name or a function of the request and the
    view's arguments. Downloads give ``back`` too, so that the person lands on the page
    with the download link rather than staying on the confirmation page.

    ``when`` limits the question to some requests (e.g. only once a person has an
    authenticator, for adding another).

    Use as ``@recent_authentication`` or ``@recent_authentication(back="records:retention")``.
    """
    if view is None:
        return functools.partial(recent_authentication, back=back, when=when)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if recently_authenticated(request) or (when is not None and not when(request)):
            return view(request, *args, **kwargs)
        if back is None:
            target = request.get_full_path()
        elif callable(back):
            target = back(request, *args, **kwargs)
        else:
            target = reverse(back)
        if request.method != "GET":
            messages.info(request, NOTHING_DONE)
        return reauthentication_redirect(request, target)

    return wrapper


def _log_lockout(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    """django-axes locked a username out from an address: logged with the user's id,
    never the username typed (it may be someone's name, or a password typed in the
    wrong box)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user_id = (
        User._default_manager.filter(**{User.USERNAME_FIELD: username}).values_list("pk", flat=True).first()
        if username
        else None
    )
    from .lockout import LockedBy, locked_by

    by = locked_by(request, {settings.AXES_USERNAME_FORM_FIELD: username}) if request is not None else None
    security_event(
        "locked_out",
        request=request,
        user_id=user_id,
        level=logging.WARNING,
        known_user=user_id is not None,
        scope=(by or LockedBy.USERNAME).value,
    )


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes: after 5 wrong passwords for one username from one address, or after
    20 from one address whatever the usernames (homestart/lockout.py)."""
    from django.shortcuts import render

    from .lockout import LockedBy, locked_by

    return render(
        request,
        "homestart/locked_out.html",
        {
            "cooloff_minutes": settings.LOCKOUT_COOLOFF_MINUTES,
            "per_username": settings.AXES_FAILURE_LIMIT,
            "per_address": settings.LOCKOUT_ADDRESS_FAILURE_LIMIT,
            "whole_address": locked_by(request, credentials) == LockedBy.ADDRESS,
        },
        status=429,
    )
