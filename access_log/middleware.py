"""The gate's refusals that have a next step are answered with that step, not an error page:
acknowledge the current policy (§3.1, §4.1, §5.1), sign the Record of Access (§9.1, §10.1),
sign the confidentiality undertaking (§7.6)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from homestart.middleware import redirect_to_policy

from . import gate


class GateRefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Refusals the gate answers with a next step rather than an error page."""
        if isinstance(exception, gate.AcknowledgementRequired):
            return redirect_to_policy(request)
        if isinstance(exception, gate.SignatureRequired):
            url = reverse("access_log:sign", kwargs={"kind": exception.kind, "reference": exception.reference})
            return redirect(url)
        if isinstance(exception, gate.UndertakingRequired):
            return redirect("access_log:undertaking")
        return None
