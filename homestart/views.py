from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .models import PolicyVersion
from .services import policy_acknowledge


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
@never_cache
def policy(request: HttpRequest) -> HttpResponse:
    """Read and acknowledge the current Confidentiality Policy (§3.1, §4.1, §5.1)."""
    current = PolicyVersion.current()
    if current is None:
        return render(request, "homestart/no_policy.html", status=503)
    acknowledged = current.acknowledgements.filter(user=request.user).first()
    error = None
    if request.method == "POST":
        if request.POST.get("acknowledge") == "yes":
            policy_acknowledge(user=request.user, version=current)
            messages.success(request, f"Thank you. You acknowledged the Confidentiality Policy ({current.version}).")
            return redirect(_safe_next(request))
        error = "Confirm that you have read the policy and will follow it."
    return render(
        request,
        "homestart/policy.html",
        {"policy": current, "acknowledged": acknowledged, "error": error, "next": _safe_next(request)},
    )
