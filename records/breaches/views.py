"""The breach register (§3.9, §4.4, §5.5), with the suspicious access raised to the
scheme manager. Read through selectors that take the asker."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from homestart.concurrency import EditConflict, conflict_form, current_values, row_version
from homestart.forms import form_error
from homestart.history import render_history
from homestart.models import has_role, schemes_where
from homestart.once import form_once
from homestart.rules import Role
from records.breaches import monitoring, selectors, services
from records.breaches.forms import BreachAssessForm, BreachForm
from records.common import own_key_history, require_any_scheme
from records.models import Breach

# --- breaches (§3.9, §4.4, §5.5) ---------------------------------------------------


@require_GET
@never_cache
def breach_list(request: HttpRequest) -> HttpResponse:
    require_any_scheme(request.user, services.BREACH_ROLES)
    return render(
        request,
        "records/breach_list.html",
        {
            "breaches": selectors.breaches_for(user=request.user),
            "alerts": monitoring.suspicious_access(user=request.user),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("description", "data_affected", "people_affected")
@form_once
def breach_new(request: HttpRequest) -> HttpResponse:
    schemes = schemes_where(request.user, services.BREACH_ROLES)
    if not schemes.exists():
        raise Http404("Not for this role.")
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found_at = timezone.make_aware(datetime.datetime.combine(data.pop("found_on"), data.pop("found_time")))
        try:
            breach = services.breach_record(
                scheme=schemes.first(), actor=request.user, found_at=found_at, found_by=request.user, **data
            )
        except ValidationError as error:
            form_error(form, error, rename={"found_at": "found_on"})
        else:
            messages.success(
                request,
                _("Breach %(reference)s recorded. The manager has been told.") % {"reference": breach.reference},
            )
            return redirect("records:breach_detail", breach_id=breach.pk)
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": _("Record a breach of confidentiality"),
            "button": _("Record breach"),
            "back": "records:breach_list",
        },
    )


@require_GET
@never_cache
def breach_history(request: HttpRequest, breach_id) -> HttpResponse:
    """The breach's history: the breach page's decision (staff and the safeguarding lead)."""
    breach = get_object_or_404(selectors.breaches_for(user=request.user).select_related("data_key"), pk=breach_id)
    return render_history(
        request,
        title=breach.reference,
        caption=_("Breach of confidentiality %(reference)s") % {"reference": breach.reference},
        back_url=reverse("records:breach_detail", kwargs={"breach_id": breach.pk}),
        back_label=_("Back to the breach"),
        sources=lambda: own_key_history(record=breach, label=_("Breach")),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("actions", "outcome")
def breach_detail(request: HttpRequest, breach_id) -> HttpResponse:
    breach = get_object_or_404(selectors.breaches_for(user=request.user), pk=breach_id)
    is_manager = has_role(request.user, Role.MANAGER, scheme=breach.scheme_id)
    fields = ("risk", "ico_decision", "ico_decision_reason", "actions", "outcome")
    initial = {**{f: getattr(breach, f) for f in fields}, "version": row_version(breach)}
    form = BreachAssessForm(request.POST or None, initial=initial) if is_manager else None
    if request.method == "POST":
        if form is None:
            raise Http404("Not for this role.")
        if form.is_valid():
            data = dict(form.cleaned_data)
            close, version = data.pop("close"), data.pop("version")
            if data["ico_decision"] == Breach.IcoDecision.REPORT and breach.ico_reported_at is None:
                data["ico_reported_at"] = timezone.now()
            try:
                services.breach_update(breach=breach, actor=request.user, close=close, expected_version=version, **data)
            except EditConflict:
                form = conflict_form(BreachAssessForm, current_values(breach, fields))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Breach updated."))
                return redirect("records:breach_detail", breach_id=breach.pk)
    return render(request, "records/breach_detail.html", {"breach": breach, "form": form, "now": timezone.now()})
