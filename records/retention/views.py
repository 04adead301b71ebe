"""Retention and destruction (§8.8): the files due, legal holds, two authorisations,
carrying a destruction out, and the certificates. Read through selectors that take the asker."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from homestart.models import has_role, schemes_where
from homestart.rules import Role
from homestart.security import recent_authentication
from records.common import require_any_scheme
from records.models import Destruction, DestructionCertificate
from records.retention import selectors, services

# --- retention and destruction (§8.8) ----------------------------------------------


@require_GET
@never_cache
def retention_due(request: HttpRequest) -> HttpResponse:
    require_any_scheme(request.user, services.DESTRUCTION_ROLES)
    return render(
        request,
        "records/retention.html",
        {
            "due": selectors.due_for_destruction(user=request.user),
            "destructions": selectors.destructions_for(user=request.user).exclude(status=Destruction.Status.CANCELLED),
            "is_manager": has_role(request.user, Role.MANAGER),
            "holds": selectors.legal_holds_for(user=request.user),
        },
    )


@require_POST
@recent_authentication(back="records:retention")
def retention_propose(request: HttpRequest) -> HttpResponse:
    require_any_scheme(request.user, services.DESTRUCTION_ROLES)
    due = {(d.kind, str(d.file_id)): d for d in selectors.due_for_destruction(user=request.user)}
    found = due.get((request.POST.get("kind", ""), request.POST.get("file_id", "")))
    if found is None:
        raise Http404("Not due.")
    try:
        services.destruction_propose(
            kind=found.kind, obj=services._file_for(found.kind, found.file_id), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(reference)s proposed for destruction. Two people must authorise it.") % {"reference": found.reference},
        )
    return redirect("records:retention")


@require_POST
@recent_authentication(back="records:retention")
def retention_hold(request: HttpRequest) -> HttpResponse:
    """The manager places a legal hold on a file due for destruction: it is then kept (§8.8)."""
    require_any_scheme(request.user, (Role.MANAGER,))
    due = {(d.kind, str(d.file_id)): d for d in selectors.due_for_destruction(user=request.user)}
    found = due.get((request.POST.get("kind", ""), request.POST.get("file_id", "")))
    if found is None:
        raise Http404("Not due.")
    try:
        services.legal_hold_place(
            kind=found.kind,
            obj=services._file_for(found.kind, found.file_id),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(reference)s is on legal hold and will not be destroyed.") % {"reference": found.reference}
        )
    return redirect("records:retention")


@require_POST
@recent_authentication(back="records:retention")
def retention_hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(selectors.legal_holds_for(user=request.user), pk=hold_id)
    try:
        services.legal_hold_release(hold=hold, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The legal hold on %(reference)s is released.") % {"reference": hold.file_reference}
        )
    return redirect("records:retention")


def _destruction(request: HttpRequest, destruction_id) -> Destruction:
    return get_object_or_404(selectors.destructions_for(user=request.user), pk=destruction_id)


@require_POST
@recent_authentication(back="records:retention")
def destruction_authorise(request: HttpRequest, destruction_id) -> HttpResponse:
    destruction = _destruction(request, destruction_id)
    try:
        services.destruction_authorise(destruction=destruction, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your authorisation to destroy %(reference)s is recorded.") % {"reference": destruction.file_reference},
        )
    return redirect("records:retention")


@require_POST
@recent_authentication(back="records:retention")
def destruction_carry_out(request: HttpRequest, destruction_id) -> HttpResponse:
    destruction = _destruction(request, destruction_id)
    if not has_role(request.user, Role.MANAGER, scheme=destruction.scheme_id):
        raise Http404("Not for this role.")
    try:
        services.destruction_carry_out(destruction=destruction, actor=request.user)
    except ValidationError as error:
        # Not destroyed: back to the retention page, where the request still waits.
        messages.error(request, " ".join(error.messages))
        return redirect("records:retention")
    messages.success(
        request, _("%(reference)s destroyed. Its certificate is below.") % {"reference": destruction.file_reference}
    )
    return redirect("records:certificates")


@require_GET
@never_cache
def certificates(request: HttpRequest) -> HttpResponse:
    require_any_scheme(request.user, services.DESTRUCTION_ROLES)
    schemes = schemes_where(request.user, services.DESTRUCTION_ROLES)
    found = DestructionCertificate.objects.filter(destruction__scheme__in=schemes).select_related(
        "first_authorised_by", "second_authorised_by", "carried_out_by"
    )
    return render(request, "records/certificates.html", {"certificates": found})
