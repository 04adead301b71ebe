"""Safeguarding pages. Each opens the family file's "safeguarding" section through the gate:
the scheme's staff and safeguarding lead see everything in it; the family's volunteer
raises a concern and sees only their own submissions (§2, §8.5)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access_log import approvals, gate
from access_log.models import Approval, ApprovalKind
from homestart.concurrency import EditConflict, conflict_form, current_values, row_version
from homestart.errors import AccessRefused
from homestart.forms import form_error
from homestart.history import render_history
from homestart.models import has_role
from homestart.once import form_once
from homestart.rules import Role, Section

from . import selectors, services
from .forms import (
    ActionForm,
    ConcernForm,
    DiscloseForm,
    OrderForm,
    ReferForm,
    ReferralPurposeForm,
    RefuseForm,
    RequestForm,
)
from .models import ExternalRequest


def _open(
    request: HttpRequest, reference: str, change: bool = False, roles: tuple[str, ...] | None = None
) -> gate.FileAccess:
    return gate.open_family(
        user=request.user, reference=reference, section=Section.SAFEGUARDING, for_change=change, roles=roles
    )


@require_GET
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    """The safeguarding lead's (and staff's) open concerns and pending requests, by reference only."""
    if not has_role(request.user, (Role.SAFEGUARDING_LEAD, Role.COORDINATOR, Role.MANAGER)):
        raise AccessRefused(_("Only the safeguarding lead and the scheme's staff see this."))
    return render(
        request,
        "safeguarding/overview.html",
        {
            "concerns": selectors.open_concerns_for(user=request.user),
            "requests": selectors.pending_requests_for(user=request.user),
        },
    )


@require_POST
def go_to_family(request: HttpRequest) -> HttpResponse:
    """Open a family's safeguarding section by its reference (POSTed like the search)."""
    reference = request.POST.get("reference", "").strip().upper()
    if not reference:
        messages.info(request, _("Enter a family reference, for example WIR-0042."))
        return redirect("safeguarding:overview")
    _open(request, reference)
    return redirect("safeguarding:family", reference=reference)


@require_GET
@never_cache
def family(request: HttpRequest, reference: str) -> HttpResponse:
    access = _open(request, reference)
    return render(
        request,
        "safeguarding/family.html",
        {
            "family": access.target,
            "access": access,
            "concerns": selectors.concerns_for(access=access),
            "requests": selectors.requests_for(access=access),
            "is_volunteer": access.role == Role.VOLUNTEER,
            "is_handler": access.role in services.HANDLERS,
            "is_lead": access.role in services.LEADS,
            "may_open_details": access.role == Role.SAFEGUARDING_LEAD and selectors.has_open_concern(access.target),
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def identifying_details(request: HttpRequest, reference: str) -> HttpResponse:
    """§2.1: the safeguarding lead states the purpose, then sees the family's names, dates of birth,
    address and contact, to make a referral; the opening is recorded with that purpose. Only while
    a concern is open; the rest of the file stays closed to the lead."""
    lead = (Role.SAFEGUARDING_LEAD,)
    access = _open(request, reference, roles=lead)
    if not selectors.has_open_concern(access.target):
        raise Http404("No such page.")
    form = ReferralPurposeForm(request.POST if request.method == "POST" else None)
    details = None
    if request.method == "POST" and form.is_valid():
        opened = gate.open_family(
            user=request.user,
            reference=reference,
            section=Section.IDENTIFYING_DETAILS,
            purpose=form.cleaned_data["purpose"],
            roles=lead,
        )
        details = selectors.identifying_details_for(access=opened)
    return render(
        request,
        "safeguarding/identifying_details.html",
        {
            "family": access.target,
            "form": form,
            "details": details,
        },
    )


def _form_page(request, access, form, heading, submit, **extra):
    return render(
        request,
        "consent/form_page.html",
        {
            "family": access.target,
            "form": form,
            "heading": heading,
            "submit": submit,
            "cancel": "safeguarding:family",
            **extra,
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def concern_new(request: HttpRequest, reference: str) -> HttpResponse:
    access = _open(request, reference, change=True)
    children = selectors.children_for_concern(access=access)
    form = ConcernForm(
        request.POST or None,
        initial={"observed_on": timezone.localdate()},
        children=[(pk, label) for pk, (_, label) in children.items()],
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.concern_data({pk: member for pk, (member, _) in children.items()})
            services.concern_raise(access=access, actor=request.user, **data)
        except ValidationError as error:
            form_error(form, error, rename={"about_child": "about"})
        else:
            messages.success(request, _("Concern recorded. The safeguarding lead will follow it up."))
            return redirect("safeguarding:family", reference=reference)
    return render(
        request,
        "safeguarding/concern_form.html",
        {
            "family": access.target,
            "form": form,
            "heading": _("Raise a safeguarding concern"),
            "submit": _("Record concern"),
            "cancel": "safeguarding:family",
        },
    )


@require_GET
@never_cache
def concern_detail(request: HttpRequest, reference: str, concern_id: str) -> HttpResponse:
    access = _open(request, reference)
    concern = get_object_or_404(selectors.concerns_for(access=access), pk=concern_id)
    is_handler = access.role in services.HANDLERS
    return render(
        request,
        "safeguarding/concern.html",
        {
            "family": access.target,
            "concern": concern,
            "is_handler": is_handler,
            "is_lead": access.role in services.LEADS,
            "version": row_version(concern),
            "actions": list(concern.actions.all()) if is_handler else [],
            "about_child": concern.about_child
            and selectors.child_label(concern.about_child, role=access.role, today=timezone.localdate()),
        },
    )


@require_GET
@never_cache
def concern_history(request: HttpRequest, reference: str, concern_id: str) -> HttpResponse:
    """The concern's history: the concern page's decision (a volunteer only for a concern they raised)."""
    access = _open(request, reference)
    concern = get_object_or_404(selectors.concerns_for(access=access), pk=concern_id)
    return render_history(
        request,
        title=_("a concern about %(reference)s") % {"reference": reference},
        caption=_("%(reference)s: safeguarding concern") % {"reference": reference},
        back_url=reverse("safeguarding:concern", kwargs={"reference": reference, "concern_id": concern.pk}),
        back_label=_("Back to the concern"),
        sources=lambda: selectors.concern_history(access=access, concern=concern),
    )


def _edit(request, access, record, form_class, heading, submit, run, initial, done):
    """A form that adds to or changes ``record``. A form with a ``version`` field changes it:
    it carries the version it was opened on, and someone else's save since then is shown
    instead of being overwritten (``homestart.concurrency``)."""
    versioned = "version" in form_class.base_fields
    if versioned:
        initial = {**initial, "version": row_version(record)}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if versioned:
            data["expected_version"] = data.pop("version")
        try:
            run(access=access, actor=request.user, **data)
        except EditConflict:
            shown = [name for name in form_class.base_fields if name != "version" and hasattr(record, name)]
            form = conflict_form(form_class, current_values(record, shown))
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, done)
            return None
    return _form_page(request, access, form, heading, submit)


def _concern_form(request, reference, concern_id, form_class, heading, submit, run, initial=None):
    access = _open(request, reference, change=True, roles=services.HANDLERS)
    concern = get_object_or_404(selectors.concerns_for(access=access), pk=concern_id)
    page = _edit(
        request,
        access,
        concern,
        form_class,
        heading,
        submit,
        functools.partial(run, concern=concern),
        initial or {},
        _("Saved."),
    )
    return page or redirect("safeguarding:concern", reference=reference, concern_id=concern.pk)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def action_new(request: HttpRequest, reference: str, concern_id: str) -> HttpResponse:
    return _concern_form(
        request,
        reference,
        concern_id,
        ActionForm,
        _("Record an action"),
        _("Save action"),
        services.concern_action_add,
        {"taken_on": timezone.localdate()},
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def concern_refer(request: HttpRequest, reference: str, concern_id: str) -> HttpResponse:
    return _concern_form(
        request,
        reference,
        concern_id,
        ReferForm,
        _("Record the referral to the local authority"),
        _("Save referral"),
        services.concern_refer,
        {"referred_on": timezone.localdate()},
    )


@require_POST
def concern_close(request: HttpRequest, reference: str, concern_id: str) -> HttpResponse:
    access = _open(request, reference, change=True, roles=services.LEADS)
    concern = get_object_or_404(selectors.concerns_for(access=access), pk=concern_id)
    try:
        services.concern_close(
            access=access, concern=concern, actor=request.user, expected_version=request.POST.get("version", "")
        )
    except EditConflict:
        messages.error(
            request,
            _(
                "Someone else changed this concern after you opened it, so it was not closed. "
                "Check it below, and close it again if it is still needed."
            ),
        )
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("Concern closed."))
    return redirect("safeguarding:concern", reference=reference, concern_id=concern.pk)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def request_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Log a police or court request; the trustees are told (§10.2, §10.3)."""
    access = _open(request, reference, change=True, roles=services.HANDLERS)
    form = RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            logged = services.request_log(access=access, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Request logged. The trustees have been told."))
            return redirect("safeguarding:request", reference=reference, request_id=logged.pk)
    return _form_page(request, access, form, _("Log a police or court request"), _("Log request"))


@require_GET
@never_cache
def request_detail(request: HttpRequest, reference: str, request_id: str) -> HttpResponse:
    access = _open(request, reference, roles=services.HANDLERS)
    external = get_object_or_404(selectors.requests_for(access=access), pk=request_id)
    decisions = Approval.objects.filter(kind=ApprovalKind.EXTERNAL_REQUEST, subject_id=external.pk).select_related(
        "requested_by", "decision__decided_by"
    )
    waiting = approvals.pending_for(kind=ApprovalKind.EXTERNAL_REQUEST, subject_id=external.pk)
    return render(
        request,
        "safeguarding/request.html",
        {
            "family": access.target,
            "external": external,
            "is_lead": access.role in services.LEADS,
            "pending": external.decision == ExternalRequest.Decision.PENDING and waiting is None,
            "approvals": decisions,
            "waiting": waiting,
        },
    )


@require_GET
@never_cache
def request_history(request: HttpRequest, reference: str, request_id: str) -> HttpResponse:
    """The request's history: the request page's decision (the safeguarding lead and the scheme's staff)."""
    access = _open(request, reference, roles=services.HANDLERS)
    external = get_object_or_404(selectors.requests_for(access=access), pk=request_id)
    return render_history(
        request,
        title=_("a request about %(reference)s") % {"reference": reference},
        caption=_("%(reference)s: %(kind)s") % {"reference": reference, "kind": external.get_kind_display()},
        back_url=reverse("safeguarding:request", kwargs={"reference": reference, "request_id": external.pk}),
        back_label=_("Back to the request"),
        sources=lambda: selectors.request_history(access=access, external=external),
    )


DECISION_WAITS = gettext_lazy(
    "Decision recorded: it waits for approval by another person (the manager, or the "
    "safeguarding lead where a concern is open), unless you acted alone in an emergency."
)


def _request_form(
    request,
    reference,
    request_id,
    form_class,
    heading,
    submit,
    run,
    initial=None,
    done=DECISION_WAITS,
):
    access = _open(request, reference, change=True, roles=services.LEADS)
    external = get_object_or_404(selectors.requests_for(access=access), pk=request_id)
    page = _edit(
        request,
        access,
        external,
        form_class,
        heading,
        submit,
        functools.partial(run, request=external),
        initial or {},
        done,
    )
    return page or redirect("safeguarding:request", reference=reference, request_id=external.pk)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def request_order(request: HttpRequest, reference: str, request_id: str) -> HttpResponse:
    return _request_form(
        request,
        reference,
        request_id,
        OrderForm,
        _("Record a subpoena or court order"),
        _("Save order"),
        services.request_record_order,
        done=_("Order recorded."),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def request_refuse(request: HttpRequest, reference: str, request_id: str) -> HttpResponse:
    def run(*, decision_reason, **kwargs):
        return services.request_refuse(reason=decision_reason, **kwargs)

    return _request_form(request, reference, request_id, RefuseForm, _("Pass nothing on"), _("Record decision"), run)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def request_disclose(request: HttpRequest, reference: str, request_id: str) -> HttpResponse:
    def run(*, decision_reason, **kwargs):
        return services.request_disclose(reason=decision_reason, **kwargs)

    return _request_form(
        request,
        reference,
        request_id,
        DiscloseForm,
        _("Pass information on"),
        _("Record decision"),
        run,
        {"shared_on": timezone.localdate()},
    )


@require_GET
@never_cache
def trustee_notices(request: HttpRequest) -> HttpResponse:
    """What the trustees are told of police and court requests (§10.3)."""
    if not has_role(request.user, Role.TRUSTEE):
        raise AccessRefused(_("Only trustees see these notices."))
    return render(
        request,
        "safeguarding/trustee_notices.html",
        {
            "notices": selectors.trustee_notices_for(user=request.user),
        },
    )
