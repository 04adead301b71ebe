"""Subject access requests (§1.6, §8.7): the register, each request's page and its
clock, the assembled response (printable and JSON) and its release as a disclosure.
The register is read through a selector that takes the asker."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access_log import gate
from families.models import Family
from homestart.history import render_history
from homestart.models import Membership, schemes_where
from homestart.once import form_once
from homestart.ratelimit import Action as RateAction
from homestart.ratelimit import rate_limited
from homestart.rules import Section
from homestart.security import recent_authentication
from records.common import own_key_history, require_any_scheme
from records.models import SubjectAccessRequest
from records.subject_access import selectors, services
from records.subject_access.assemble import sar_assemble
from records.subject_access.forms import ExtendForm, IdentityForm, ReleaseForm, SarForm

# --- subject access requests (§1.6, §8.7) ------------------------------------------


@require_GET
@never_cache
def sar_list(request: HttpRequest) -> HttpResponse:
    require_any_scheme(request.user, services.SAR_ROLES)
    return render(request, "records/sar_list.html", {"sars": selectors.sars_for(user=request.user)})


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("requester_name", "request_details")
@form_once
def sar_new(request: HttpRequest) -> HttpResponse:
    schemes = schemes_where(request.user, services.SAR_ROLES)
    if not schemes.exists():
        raise Http404("Not for this role.")
    # Anyone the scheme has not ended a role of, signing in or not (a deactivated account
    # still has the right of access, §8.7).
    people = Membership.objects.not_ended().filter(scheme__in=schemes).holders()
    family, members = None, None
    if request.method == "POST" and request.POST.get("subject_kind") == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER:
        reference = request.POST.get("family_reference", "").strip().upper()
        family = Family.objects.filter(reference=reference, scheme__in=schemes).first() if reference else None
        if family is not None:
            # Offering the family's members to choose from reads the file: through the gate.
            try:
                access = gate.open_family(user=request.user, reference=family.reference, section=Section.SUBJECT_ACCESS)
            except (gate.FileHidden, gate.AccessRefused):
                family = None
            else:
                members = access.file.members.all()
    form = SarForm(request.POST or None, people=people, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["subject_kind"] == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER and family is None:
            form.add_error("family_reference", _("No family file of your scheme has this reference."))
        if form.is_valid():
            is_family = data["subject_kind"] == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER
            scheme = family.scheme if is_family else schemes.filter(memberships__user=data["subject_user"]).first()
            try:
                sar = services.sar_register(
                    scheme=scheme,
                    actor=request.user,
                    subject_kind=data["subject_kind"],
                    requester_name=data["requester_name"],
                    request_details=data["request_details"],
                    received_on=data["received_on"],
                    family=family if is_family else None,
                    member=data.get("member") if is_family else None,
                    subject_user=None if is_family else data["subject_user"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Request %(reference)s registered. Check the requester's identity next.")
                    % {"reference": sar.reference},
                )
                return redirect("records:sar_detail", sar_id=sar.pk)
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": _("Register a subject access request"),
            "button": _("Register request"),
            "back": "records:sar_list",
        },
    )


def _sar(request: HttpRequest, sar_id) -> SubjectAccessRequest:
    return get_object_or_404(selectors.sars_for(user=request.user).select_related("data_key"), pk=sar_id)


@require_GET
@never_cache
def sar_detail(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    return render(
        request,
        "records/sar_detail.html",
        {
            "sar": sar,
            "today": timezone.localdate(),
            "identity_form": IdentityForm(),
            "extend_form": ExtendForm(),
        },
    )


@require_GET
@never_cache
def sar_history(request: HttpRequest, sar_id) -> HttpResponse:
    """The request's history: the request page's decision (the scheme's staff)."""
    sar = _sar(request, sar_id)
    return render_history(
        request,
        title=sar.reference,
        caption=_("Subject access request %(reference)s") % {"reference": sar.reference},
        back_url=reverse("records:sar_detail", kwargs={"sar_id": sar.pk}),
        back_label=_("Back to the request"),
        sources=lambda: own_key_history(record=sar, label=_("Subject access request")),
    )


def _sar_action(request: HttpRequest, sar: SubjectAccessRequest, action, success: str, **kwargs) -> HttpResponse:
    try:
        action(sar=sar, actor=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("records:sar_detail", sar_id=sar.pk)


@require_POST
@sensitive_post_parameters("evidence")
def sar_identity(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "records/sar_detail.html",
            {
                "sar": sar,
                "today": timezone.localdate(),
                "identity_form": form,
                "extend_form": ExtendForm(),
            },
        )
    return _sar_action(
        request,
        sar,
        services.sar_record_identity_check,
        _("Identity check recorded."),
        evidence=form.cleaned_data["evidence"],
    )


@require_POST
def sar_clarification(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    if sar.clarification_requested_on is None:
        return _sar_action(request, sar, services.sar_request_clarification, _("The clock is stopped."))
    return _sar_action(request, sar, services.sar_clarification_received, _("The clock has restarted."))


@require_POST
def sar_extend(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "records/sar_detail.html",
            {
                "sar": sar,
                "today": timezone.localdate(),
                "identity_form": IdentityForm(),
                "extend_form": form,
            },
        )
    return _sar_action(request, sar, services.sar_extend, _("Due date extended."), **form.cleaned_data)


@require_GET
@never_cache
@recent_authentication
@rate_limited(RateAction.SUBJECT_ACCESS_DOWNLOAD)
def sar_document(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    package = sar_assemble(sar=sar, actor=request.user)
    return render(request, "records/sar_document.html", {"sar": sar, "package": package})


@require_GET
@never_cache
@recent_authentication(back=lambda request, sar_id: reverse("records:sar_detail", kwargs={"sar_id": sar_id}))
@rate_limited(RateAction.SUBJECT_ACCESS_DOWNLOAD)
def sar_json(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    package = sar_assemble(sar=sar, actor=request.user)
    response = HttpResponse(package.to_json(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{sar.reference}.json"'
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
def sar_release(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.sar_third_party_reviewed(sar=sar, actor=request.user)
                services.sar_release(
                    sar=sar,
                    actor=request.user,
                    recipient=form.cleaned_data["recipient"],
                    contents="Everything held, as assembled: file, history, access log",
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Response to %(reference)s released and recorded as a disclosure.") % {"reference": sar.reference},
            )
            return redirect("records:sar_detail", sar_id=sar.pk)
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": f"Release the response to {sar.reference}",
            "button": "Record the release",
            "back": "records:sar_list",
        },
    )
