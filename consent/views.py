"""Consent pages. Every page opens the family file through the access gate: the
"consent" section for the scheme's staff, the "safeguarding" section for the
disclosure register (staff and the safeguarding lead)."""

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

from access_log import approvals, gate
from access_log.kinds import SCHEME_STAFF_ROLES
from access_log.models import Approval
from homestart.concurrency import EditConflict, conflict_form, row_version
from homestart.errors import AccessRefused
from homestart.forms import form_error
from homestart.history import render_history
from homestart.models import PolicyVersion, has_role
from homestart.once import form_once
from homestart.ratelimit import Action as RateAction
from homestart.ratelimit import rate_limited
from homestart.rules import Role, Section
from homestart.security import recent_authentication

from . import family_documents, selectors, services, transfers
from .forms import (
    CommunicationForm,
    ConsentForm,
    DisclosureForm,
    StatementForm,
    TransferForm,
    TransferPackageForm,
    WithdrawForm,
)
from .models import Disclosure, LegalBasis
from .sharing import Recipient

REGISTER_ROLES = (Role.SAFEGUARDING_LEAD, *SCHEME_STAFF_ROLES)


def _open(
    request: HttpRequest,
    reference: str,
    section: str = Section.CONSENT,
    change: bool = False,
    roles: tuple[str, ...] = SCHEME_STAFF_ROLES,
) -> gate.FileAccess:
    return gate.open_family(user=request.user, reference=reference, section=section, for_change=change, roles=roles)


@require_GET
@never_cache
def overview(request: HttpRequest, reference: str) -> HttpResponse:
    access = _open(request, reference)
    communications = selectors.disclosures_for(access=access).filter(
        channel__in=(Disclosure.Channel.REFERRER_UPDATE, Disclosure.Channel.AGENCY)
    )
    return render(
        request,
        "consent/overview.html",
        {
            "family": access.target,
            "access": access,
            "communications": communications,
            "is_coordinator": access.role == Role.COORDINATOR,
            **selectors.consent_file(access=access),
        },
    )


@require_GET
@never_cache
def history(request: HttpRequest, reference: str) -> HttpResponse:
    """Who changed the confidentiality statements and consents, and what: the overview's decision."""
    access = _open(request, reference)
    return render_history(
        request,
        title=_("consent of %(reference)s") % {"reference": reference},
        caption=_("Family file %(reference)s: consent") % {"reference": reference},
        back_url=reverse("consent:overview", kwargs={"reference": reference}),
        back_label=_("Back to consent"),
        sources=lambda: selectors.consent_history(access=access),
    )


def _form_page(request, access, form, *, heading, submit, template="consent/form_page.html", **extra):
    return render(
        request,
        template,
        {
            "family": access.target,
            "form": form,
            "heading": heading,
            "submit": submit,
            "cancel": "consent:overview",
            **extra,
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def statement_new(request: HttpRequest, reference: str) -> HttpResponse:
    """§1.1: record that the family was given the confidentiality statement."""
    access = _open(request, reference, change=True)
    form = StatementForm(request.POST or None, family=access.target, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.statement_record(access=access, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Confidentiality statement recorded."))
            return redirect("consent:overview", reference=reference)
    return _form_page(
        request,
        access,
        form,
        heading=_("Record the confidentiality statement"),
        submit=_("Save"),
        version=PolicyVersion.current(),
        template="consent/statement_form.html",
    )


@require_GET
@never_cache
def information_sheet(request: HttpRequest, reference: str) -> HttpResponse:
    """The printable family information sheet (§1.1, §1.5, §1.6, §2.2), in English or
    Welsh (issue 17.8): ``?language=cy`` prints the family's copy in Welsh."""
    access = _open(request, reference)
    return render(
        request,
        "consent/information_sheet.html",
        {
            "family": access.target,
            "scheme": access.target.scheme,
            "version": PolicyVersion.current(),
            "document_language": family_documents.document_language(request),
        },
    )


@require_GET
@never_cache
def family_copy(request: HttpRequest, reference: str) -> HttpResponse:
    """What the family is given about its consents (§1.2–§1.5): each consent it gave, with
    whom, when it is reviewed, whether it was withdrawn, and how to change its mind; printed
    in English or Welsh (issue 17.8)."""
    access = _open(request, reference)
    consents = selectors.consent_file(access=access)["consents"]
    return render(
        request,
        "consent/family_copy.html",
        {
            "family": access.target,
            "scheme": access.target.scheme,
            "lines": family_documents.consent_lines(consents),
            "today": timezone.localdate(),
            "document_language": family_documents.document_language(request),
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def consent_new(request: HttpRequest, reference: str) -> HttpResponse:
    access = _open(request, reference, change=True)
    today = timezone.localdate()
    form = ConsentForm(
        request.POST or None,
        family=access.target,
        initial={"given_on": today, "review_on": today + datetime.timedelta(days=365)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(access=access, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("consent:overview", reference=reference)
    return _form_page(request, access, form, heading=_("Record consent"), submit=_("Save consent"))


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def consent_withdraw(request: HttpRequest, reference: str, consent_id: str) -> HttpResponse:
    access = _open(request, reference, change=True)
    consent = get_object_or_404(access.target.consents, pk=consent_id)
    if consent.withdrawn and request.method == "GET":
        raise Http404("This consent has already been withdrawn.")
    initial = {"withdrawn_on": timezone.localdate(), "version": row_version(consent)}
    form = WithdrawForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.consent_withdraw(
                access=access, consent=consent, actor=request.user, expected_version=version, **data
            )
        except EditConflict:
            consent.refresh_from_db()
            current = {
                "withdrawn_on": consent.withdrawn_on,
                "notes": consent.withdrawal_notes,
                "version": row_version(consent),
            }
            form = conflict_form(WithdrawForm, current)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Consent withdrawn. Nothing more is shared under it."))
            return redirect("consent:overview", reference=reference)
    return _form_page(
        request,
        access,
        form,
        heading=_("Record that consent was withdrawn"),
        submit=_("Record withdrawal"),
        consent=consent,
        template="consent/withdraw_form.html",
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def communication_new(request: HttpRequest, reference: str) -> HttpResponse:
    """§7.2–§7.4: the coordinator's communication with the referrer or an agency."""
    access = _open(request, reference, change=True, roles=(Role.COORDINATOR,))
    family = access.target
    referrer = services.referrer_of(family)
    form = CommunicationForm(
        request.POST or None, family=family, initial={"shared_on": timezone.localdate(), "recipient_kind": "referrer"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        name = referrer.name if data["recipient_kind"] == referrer.kind else data["recipient_name"]
        sharing = form.sharing_kwargs()
        sharing.pop("emergency_reason")
        try:
            result = services.communication_send(
                access=access,
                recipient=Recipient(data["recipient_kind"], name),
                scope=data["scope"],
                summary=data["summary"],
                shared_on=data["shared_on"],
                actor=request.user,
                **sharing,
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            _sharing_message(request, result, _("Communication recorded in the disclosure register."))
            return redirect("consent:overview", reference=reference)
    return _form_page(
        request,
        access,
        form,
        heading=_("Send an update to the referrer or an agency"),
        submit=_("Record what was shared"),
        referrer=referrer,
        template="consent/communication_form.html",
    )


def _sharing_message(request: HttpRequest, result, done: str) -> None:
    """Done now (with consent), waiting for approval, or acted on alone in an emergency."""
    if not isinstance(result, Approval):
        messages.success(request, done)
    elif approvals.decision_of(result) is not None:
        messages.success(
            request,
            _("Done alone in an emergency: it is in the register, and the safeguarding lead or manager has been told."),
        )
    else:
        messages.info(
            request,
            _(
                "Waiting for approval by %(approvers)s: nothing is "
                "shared until another person approves it. It is listed on their approvals page."
            )
            % {"approvers": approvals.approver_roles_label(result)},
        )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
def transfer_package(request: HttpRequest, reference: str, transfer_id: str) -> HttpResponse:
    """The package of an export transfer that was consented to or approved (§9.2, §9.3): none before."""
    access = _open(request, reference)
    transfer = get_object_or_404(selectors.exports_for(access=access), pk=transfer_id)
    form = TransferPackageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            package = transfers.transfer_package(
                access=access, transfer=transfer, passphrase=form.cleaned_data["passphrase"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            response = HttpResponse(package, content_type="application/octet-stream")
            response["Content-Disposition"] = f'attachment; filename="transfer-{reference}.hst"'
            return response
    return _form_page(
        request,
        access,
        form,
        heading=_("Download the transfer package"),
        submit=_("Download"),
        transfer=transfer,
        template="consent/transfer_package.html",
    )


@require_GET
@never_cache
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Consents due for review, for the coordinator (§1.2)."""
    if not has_role(request.user, SCHEME_STAFF_ROLES):
        raise AccessRefused(_("Only coordinators and managers review consents."))
    return render(
        request, "consent/reviews_due.html", {"consents": selectors.consents_due_for_review(user=request.user)}
    )


@require_GET
@never_cache
def disclosure_register(request: HttpRequest, reference: str) -> HttpResponse:
    access = _open(request, reference, section=Section.SAFEGUARDING, roles=REGISTER_ROLES)
    return render(
        request,
        "consent/disclosures.html",
        {
            "family": access.target,
            "disclosures": selectors.disclosures_for(access=access),
            "may_record": access.role in services.APPROVERS,
            "waiting": selectors.sharing_approvals_for(access=access),
            "exports": selectors.exports_for(access=access) if access.role in SCHEME_STAFF_ROLES else [],
        },
    )


@require_GET
@never_cache
def disclosure_history(request: HttpRequest, reference: str) -> HttpResponse:
    """Changes to the disclosure register: the register's own decision (staff and the safeguarding lead)."""
    access = _open(request, reference, section=Section.SAFEGUARDING, roles=REGISTER_ROLES)
    return render_history(
        request,
        title=_("disclosures of %(reference)s") % {"reference": reference},
        caption=_("Family file %(reference)s: disclosure register") % {"reference": reference},
        back_url=reverse("consent:disclosures", kwargs={"reference": reference}),
        back_label=_("Back to the disclosure register"),
        sources=lambda: selectors.disclosure_history(access=access),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def disclosure_new(request: HttpRequest, reference: str) -> HttpResponse:
    """The safeguarding lead or the manager records a disclosure and approves it (§2.1, §2.2)."""
    access = _open(request, reference, section=Section.SAFEGUARDING, change=True, roles=services.APPROVERS)
    form = DisclosureForm(request.POST or None, initial={"shared_on": timezone.localdate()}, may_act_alone=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        basis = data["basis"]
        try:
            result = services.disclosure_record(
                access=access,
                channel=Disclosure.Channel.SAFEGUARDING
                if basis == LegalBasis.SAFEGUARDING
                else Disclosure.Channel.AGENCY,
                scope="specific",
                recipient=Recipient(data["recipient_kind"], data["recipient_name"]),
                summary=data["summary"],
                shared_on=data["shared_on"],
                exception=basis if basis in (LegalBasis.DISCLOSABLE_OFFENCE, LegalBasis.TERRORISM) else "",
                expect_basis=basis,
                actor=request.user,
                **form.sharing_kwargs(),
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            _sharing_message(request, result, _("Disclosure recorded in the register."))
            return redirect("consent:disclosures", reference=reference)
    return render(
        request,
        "consent/form_page.html",
        {
            "family": access.target,
            "form": form,
            "heading": "Record a disclosure",
            "submit": "Record disclosure",
            "cancel": "consent:disclosures",
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
@rate_limited(RateAction.TRANSFER, methods=("POST",))
@form_once
def transfer_new(request: HttpRequest, reference: str) -> HttpResponse:
    """§9.2, §9.3: transfer to another scheme, here (a linked new file) or elsewhere (a sealed package)."""
    access = _open(request, reference, change=True)
    form = TransferForm(request.POST or None, family=access.target, may_act_alone=access.role == Role.MANAGER)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "access": access,
            "sections": data["sections"],
            "summary": data["summary"],
            "actor": request.user,
            **form.sharing_kwargs(),
        }
        try:
            if data["destination"] == "same":
                transfer = transfers.transfer_to_scheme(to_scheme=data["to_scheme"], **common)
            else:
                transfer, package = transfers.transfer_export(
                    to_scheme_name=data["to_scheme_name"], passphrase=data["passphrase"], **common
                )
        except ValidationError as error:
            form_error(form, error)
        else:
            if isinstance(transfer, Approval):
                _sharing_message(request, transfer, "")
                return redirect("consent:overview", reference=reference)
            if data["destination"] == "same":
                messages.success(
                    request,
                    _("Family file %(reference)s opened in %(scheme)s. The transfer is in the disclosure register.")
                    % {"reference": transfer.new_family.reference, "scheme": transfer.to_scheme.name},
                )
                return redirect("consent:overview", reference=reference)
            response = HttpResponse(package, content_type="application/octet-stream")
            response["Content-Disposition"] = f'attachment; filename="transfer-{reference}.hst"'
            return response
    return _form_page(
        request,
        access,
        form,
        heading=_("Transfer to another scheme"),
        submit=_("Transfer"),
        template="consent/transfer_form.html",
    )
