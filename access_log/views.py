"""Reviews, Records of Access, audit sessions and access logs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homestart.errors import AccessRefused
from homestart.forms import form_error
from homestart.models import Membership, Scheme, User, has_role, scheme_ids_where
from homestart.once import form_once
from homestart.rules import FileKind, Purpose, Role, Section
from homestart.security import recent_authentication

from . import approvals, file_log, gate, selectors, services
from .forms import (
    ApprovalDecisionForm,
    AuditSessionForm,
    FileLogFilter,
    RecordOfAccessForm,
    ReviewForm,
    UndertakingForm,
)
from .kinds import SCHEME_STAFF_ROLES, Grant, kind_spec
from .models import Approval, ContractorUndertaking, RecordOfAccess, Review

# --- reviews and spot checks (§8.3, §9.1) -----------------------------------


def _review_schemes(user: User):
    if has_role(user, Role.REVIEWER, scheme=None):
        return Scheme.objects.all()
    return Scheme.objects.filter(pk__in=scheme_ids_where(user, Role.SPOT_CHECK_TRUSTEE))


@require_GET
@never_cache
def review_list(request: HttpRequest) -> HttpResponse:
    schemes = _review_schemes(request.user)
    if not schemes.exists():
        raise Http404("No reviews for this role.")
    reviews = Review.objects.filter(reviewer=request.user).select_related("scheme")
    return render(request, "access_log/review_list.html", {"reviews": reviews})


@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
@form_once
def review_new(request: HttpRequest) -> HttpResponse:
    schemes = _review_schemes(request.user)
    if not schemes.exists():
        raise Http404("No reviews for this role.")
    national = has_role(request.user, Role.REVIEWER, scheme=None)
    form = ReviewForm(request.POST or None, schemes=schemes, personnel=national)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_draw_sample(reviewer=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Sample of %(count)s file drawn. Sign the Record of Access to open it.",
                    "Sample of %(count)s files drawn. Sign the Record of Access to open each.",
                    review.sample_size,
                )
                % {"count": review.sample_size},
            )
            return redirect("access_log:review_detail", review_id=review.pk)
    return render(request, "access_log/review_form.html", {"form": form})


@require_GET
@never_cache
def review_detail(request: HttpRequest, review_id) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("scheme"), pk=review_id, reviewer=request.user)
    signed = set(RecordOfAccess.objects.filter(review=review, user=request.user).values_list("file_id", flat=True))
    files = [
        (f, f.file_id in signed, FileKind(f.file_kind).label, kind_spec(f.file_kind).reference_url(f.file_reference))
        for f in review.files.all()
    ]
    return render(request, "access_log/review_detail.html", {"review": review, "files": files})


@require_POST
def review_close(request: HttpRequest, review_id) -> HttpResponse:
    review = get_object_or_404(Review, pk=review_id, reviewer=request.user)
    try:
        services.review_close(review=review, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Review closed. The sampled files can no longer be opened."))
    return redirect("access_log:review_detail", review_id=review.pk)


# --- Record of Access (§9.1, §10.1) ------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def sign_record(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Sign and date the file's Record of Access before opening it in a review or audit."""
    spec = kind_spec(kind)
    obj, outcome = gate.record_of_access_to_sign(
        user=request.user, kind=kind, reference=reference, for_change=request.method == "POST"
    )
    if isinstance(outcome, Grant):
        return redirect(spec.url(obj))
    form = RecordOfAccessForm(request.POST or None, initial={"signed_name": request.user.get_full_name()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_of_access_sign(
                user=request.user,
                kind=kind,
                obj=obj,
                reference=reference,
                scheme_id=spec.scheme_id(obj),
                role=outcome.role,
                review=outcome.review,
                session=outcome.session,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Record of Access signed for %(reference)s.") % {"reference": reference})
            return redirect(spec.url(obj))
    purpose = outcome.review.purpose if outcome.review else Purpose.EXTERNAL_AUDIT
    return render(
        request,
        "access_log/sign.html",
        {
            "form": form,
            "reference": reference,
            "role": Role(outcome.role).label,
            "purpose": Purpose(purpose).label,
            "now": timezone.now(),
            "declaration": RecordOfAccess.DECLARATION,
            "session": outcome.session,
        },
    )


# --- supervised audit sessions (§10.1) ----------------------------------------


def _session_schemes(user: User):
    return Scheme.objects.filter(pk__in=scheme_ids_where(user, SCHEME_STAFF_ROLES))


@require_GET
@never_cache
def audit_session_list(request: HttpRequest) -> HttpResponse:
    schemes = _session_schemes(request.user)
    is_auditor = has_role(request.user, Role.AUDITOR)
    if not schemes.exists() and not is_auditor:
        raise Http404("No audit sessions for this role.")
    sessions = selectors.audit_sessions_for(user=request.user).select_related("scheme", "auditor", "opened_by")
    return render(
        request,
        "access_log/audit_session_list.html",
        {"sessions": sessions, "may_open": schemes.exists()},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@recent_authentication
@form_once
def audit_session_new(request: HttpRequest) -> HttpResponse:
    schemes = list(_session_schemes(request.user))
    if not schemes:
        raise Http404("Only coordinators open audit sessions.")
    auditors = Membership.objects.current().filter(role=Role.AUDITOR, scheme__in=schemes).holders()
    initial = {"signed_name": request.user.get_full_name()}
    form = AuditSessionForm(request.POST or None, auditors=auditors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scheme = next((s for s in schemes if has_role(data["auditor"], Role.AUDITOR, scheme=s)), None)
        try:
            session = services.audit_session_open(
                coordinator=request.user,
                auditor=data["auditor"],
                scheme=scheme,
                references=data["references"],
                signed_name=data["signed_name"],
                declared=data["declared"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Audit session opened for two hours."))
            return redirect("access_log:audit_session_detail", session_id=session.pk)
    return render(request, "access_log/audit_session_form.html", {"form": form})


@require_GET
@never_cache
def audit_session_detail(request: HttpRequest, session_id) -> HttpResponse:
    session = get_object_or_404(
        selectors.audit_sessions_for(user=request.user).select_related("scheme", "auditor", "opened_by"),
        pk=session_id,
    )
    signed = set(
        RecordOfAccess.objects.filter(audit_session=session, user=session.auditor).values_list("file_id", flat=True)
    )
    files = [(f, f.file_id in signed) for f in session.files.all()]
    return render(
        request,
        "access_log/audit_session_detail.html",
        {"session": session, "files": files, "is_auditor": session.auditor_id == request.user.pk},
    )


@require_POST
def audit_session_close(request: HttpRequest, session_id) -> HttpResponse:
    session = get_object_or_404(selectors.audit_sessions_for(user=request.user), pk=session_id)
    try:
        services.audit_session_close(session=session, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Audit session closed. The auditor can no longer open its files."))
    return redirect("access_log:audit_session_detail", session_id=session.pk)


# --- access logs --------------------------------------------------------------


@require_GET
@never_cache
def file_access_log(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Who opened this file: for the people responsible for it — the coordinators and
    manager for a family or volunteer file, the line manager for a personnel file (§8.3, §8.4)."""
    spec = kind_spec(kind)
    access = gate.open_file(
        user=request.user, kind=kind, reference=reference, section=Section.ACCESS_LOG, roles=spec.log_roles
    )
    # Since the file was made (a day's margin in file_log): older months are not read (issue 18.4).
    made = getattr(access.target, "created_at", None)
    form = FileLogFilter(request.GET or None, people=file_log.people_in(kind=kind, file_id=access.target.pk, made=made))
    chosen = form.cleaned_data if form.is_valid() else {}
    page = file_log.page(
        kind=kind,
        file_id=access.target.pk,
        made=made,
        person=chosen.get("person"),
        since=chosen.get("since"),
        until=chosen.get("until"),
        number=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "access_log/file_log.html",
        {
            "access": access,
            "reference": reference,
            "page": page,
            "form": form,
            "filtered": bool(chosen and any(chosen.values())),
            "query": query.urlencode(),
            "kind": kind,
            "file_url": spec.reference_url(reference),
        },
    )


@require_GET
@never_cache
def my_access(request: HttpRequest) -> HttpResponse:
    """What have I opened: every file opening and refusal of the signed-in person."""
    page = Paginator(selectors.events_of(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "access_log/my_access.html", {"page": page})


# --- contractor undertaking (§7.6) --------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def undertaking(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.ADMIN):
        raise Http404("Only administrators sign the undertaking.")
    signed = request.user.undertakings.first()
    form = UndertakingForm(request.POST or None, initial={"signed_name": request.user.get_full_name()})
    if request.method == "POST" and not signed and form.is_valid():
        try:
            services.undertaking_sign(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Undertaking signed. Every record you open is logged."))
            return redirect("admin:index")
    return render(
        request, "access_log/undertaking.html", {"form": form, "signed": signed, "text": ContractorUndertaking.TEXT}
    )


# --- approvals: two people for every power over files -----------------------


def _approval_people(user: User) -> bool:
    """Scheme staff and safeguarding leads ask for and give approvals."""
    return has_role(user, (*SCHEME_STAFF_ROLES, Role.SAFEGUARDING_LEAD))


@require_GET
@never_cache
def approval_list(request: HttpRequest) -> HttpResponse:
    """What waits for the user's approval, what they asked for, and emergencies they were told of
    (by family reference and kind only: the page opens no file)."""
    if not _approval_people(request.user):
        raise Http404("No approvals for this role.")
    return render(
        request,
        "access_log/approval_list.html",
        {
            "waiting": selectors.approvals_waiting_for(user=request.user),
            "asked": selectors.approvals_asked_by(user=request.user)[:50],
            "notices": selectors.emergency_notices_for(user=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def approval_detail(request: HttpRequest, approval_id) -> HttpResponse:
    """What was asked, opened through the gate, and the approver's decision (append-only)."""
    approval = get_object_or_404(Approval.objects.select_related("family", "requested_by"), pk=approval_id)
    handler = approvals.HANDLERS[approval.kind]
    # The person who asked and the approvers' roles; the gate refuses (and records) anyone else.
    roles = (*approvals.approver_roles(approval), approval.requested_role)
    access = gate.open_family(
        user=request.user,
        reference=approval.family.reference,
        section=handler.section,
        for_change=request.method == "POST",
        roles=roles,
    )
    may_decide = approvals.may_decide(approval, request.user) and access.role in approvals.approver_roles(approval)
    told = approval.notices.filter(user=request.user).exists()
    if not (may_decide or told or request.user.pk == approval.requested_by_id):
        raise AccessRefused(_("This approval is for the person who asked and those who approve."))
    decision = approvals.decision_of(approval)
    form = ApprovalDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_decide:
            raise AccessRefused(
                _("This is approved by %(approvers)s, never by the person who asked.")
                % {"approvers": approvals.approver_roles_label(approval)}
            )
        if form.is_valid():
            try:
                approvals.approval_decide(
                    approval=approval,
                    access=access,
                    actor=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Approved: it has happened, in your name.")
                    if form.cleaned_data["decision"] == "approve"
                    else _("Refused: nothing happened."),
                )
                return redirect("access_log:approval", approval_id=approval.pk)
    return render(
        request,
        "access_log/approval_detail.html",
        {
            "approval": approval,
            "rows": handler.describe(approval, approvals.asked(approval)),
            "decision": decision,
            "may_decide": may_decide and decision is None,
            "form": form,
            "approvers": approvals.approver_roles_label(approval),
        },
    )
