"""Induction before access: nobody uses the records until they have acknowledged
the current Confidentiality Policy (§3.1, §4.1, §5.1). Publishing a new version
asks everyone again."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from access_log import gate

from .models import has_acknowledged_current_policy

EXEMPT_PREFIXES = ("/policy/", "/sign-in/", "/sign-out/", "/two-factor/", "/static/")


class PolicyAcknowledgementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not has_acknowledged_current_policy(request.user)
        ):
            return _to_policy(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Refusals the gate answers with a next step rather than an error page."""
        if isinstance(exception, gate.AcknowledgementRequired):
            return _to_policy(request)
        if isinstance(exception, gate.SignatureRequired):
            url = reverse("access_log:sign", kwargs={"kind": exception.kind, "reference": exception.reference})
            return redirect(url)
        if isinstance(exception, gate.UndertakingRequired):
            return redirect("access_log:undertaking")
        return None


def _to_policy(request: HttpRequest) -> HttpResponse:
    target = request.get_full_path() if request.method == "GET" else "/"
    return redirect(f"{reverse('policy')}?{urlencode({'next': target})}")
