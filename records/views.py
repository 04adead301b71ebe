"""Volunteer and personnel files, supervision, subject access, retention and breaches.

File pages open the file through the access gate; registers (requests, destructions,
breaches) are read through selectors that take the asker.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access_log import gate, tombstones
from access_log.kinds import SCHEME_STAFF_ROLES, kind_spec
from access_log.selectors import records_of_access
from families.models import Family
from homestart.concurrency import EditConflict, conflict_form, current_values, row_version
from homestart.forms import form_error
from homestart.history import render_history
from homestart.models import Membership, Scheme, User
from homestart.once import form_once
from homestart.ratelimit import Action as RateAction
from homestart.ratelimit import rate_limited
from homestart.rules import FileKind, Role
from homestart.security import recent_authentication

from . import monitoring, selectors, services
from .forms import BreachAssessForm, BreachForm, ExtendForm, IdentityForm, ReleaseForm, SarForm, SupervisionForm
from .models import (
    Breach,
    Destruction,
    DestructionCertificate,
    PersonnelFile,
    SubjectAccessRequest,
    VolunteerFile,
)
from .sar import sar_assemble


def _schemes(user: User, roles: tuple[str, ...]):
    return selectors._schemes(user, roles)


def _require_any(user: User, roles: tuple[str, ...]) -> None:
    if not _schemes(user, roles).exists():
        raise Http404("Not for this role.")


# --- volunteer and personnel files (§8.3, §8.4) ------------------------------------


@require_GET
@never_cache
def volunteer_file_list(request: HttpRequest) -> HttpResponse:
    files = selectors.volunteer_files_for(user=request.user).select_related("scheme")
    personnel = selectors.personnel_files_for(user=request.user).select_related("scheme")
    if not files.exists() and not personnel.exists() and not _schemes(request.user, SCHEME_STAFF_ROLES).exists():
        raise Http404("No files for this role.")
    return render(
        request,
        "records/file_list.html",
        {
            "files": list(files),
            "personnel": list(personnel),
            "may_open_volunteer": _schemes(request.user, SCHEME_STAFF_ROLES).exists(),
            "may_open_personnel": Membership.objects.current().filter(line_manager=request.user).exists(),
        },
    )


def _file_page(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    access = gate.open_file(user=request.user, kind=kind, reference=reference)
    file = access.file
    fields = [
        (
            str(f.verbose_name).capitalize(),
            getattr(file, f"get_{f.name}_display")() if f.choices else getattr(file, f.name),
        )
        for f in file._meta.concrete_fields
        if f.name not in {"id", "scheme", "number", "reference", "person", "data_key", "created_at"}
    ]
    assignments = []
    if kind == FileKind.VOLUNTEER:
        # §8.5: only the minimum about the families supported — references and dates.
        assignments = list(
            file.person.assignments.filter(family__scheme=file.scheme).select_related("family__data_key")
        )
        tombstones.attach(FileKind.FAMILY, [a.family for a in assignments])  # a destroyed family, as such (§8.8)
    return render(
        request,
        "records/file_detail.html",
        {
            "access": access,
            "file": file,
            "fields": fields,
            "assignments": assignments,
            "kind": kind,
            "may_read_log": access.role in kind_spec(kind).log_roles,
            "records_of_access": records_of_access(kind=kind, file_id=file.pk),
        },
    )


@require_GET
@never_cache
def volunteer_file(request: HttpRequest, reference: str) -> HttpResponse:
    return _file_page(request, FileKind.VOLUNTEER, reference)


@require_GET
@never_cache
def personnel_file(request: HttpRequest, reference: str) -> HttpResponse:
    return _file_page(request, FileKind.PERSONNEL, reference)


def _file_history(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """A file's history: the file page's decision, through the gate, recorded like an opening."""
    access = gate.open_file(user=request.user, kind=kind, reference=reference)
    file = access.file
    return render_history(
        request,
        title=reference,
        caption=f"{FileKind(kind).label} {reference}",
        back_url=reverse(_FILE_URLS[kind], kwargs={"reference": reference}),
        back_label=f"Back to {reference}",
        sources=lambda: selectors.person_file_history(file=file),
    )


@require_GET
@never_cache
def volunteer_file_history(request: HttpRequest, reference: str) -> HttpResponse:
    return _file_history(request, FileKind.VOLUNTEER, reference)


@require_GET
@never_cache
def personnel_file_history(request: HttpRequest, reference: str) -> HttpResponse:
    return _file_history(request, FileKind.PERSONNEL, reference)


_FILE_FORMS = {FileKind.VOLUNTEER: "VolunteerFileForm", FileKind.PERSONNEL: "PersonnelFileForm"}
_FILE_CHANGE_FORMS = {FileKind.VOLUNTEER: "VolunteerFileChangeForm", FileKind.PERSONNEL: "PersonnelFileChangeForm"}
_FILE_URLS = {FileKind.VOLUNTEER: "records:volunteer_file", FileKind.PERSONNEL: "records:personnel_file"}


def _file_form(kind: str, change: bool = False):
    from . import forms as record_forms

    return getattr(record_forms, (_FILE_CHANGE_FORMS if change else _FILE_FORMS)[kind])


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters()
@form_once
def file_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Open a volunteer file (coordinators, manager) or a personnel file (the line manager)."""
    from .forms import PersonChoiceForm

    if kind == FileKind.VOLUNTEER:
        schemes = _schemes(request.user, SCHEME_STAFF_ROLES)
        people = (
            User.objects.filter(
                memberships__scheme__in=schemes, memberships__role=Role.VOLUNTEER, memberships__ended_at__isnull=True
            )
            .exclude(pk__in=VolunteerFile.objects.values("person"))
            .distinct()
        )
    else:
        people = (
            User.objects.filter(memberships__line_manager=request.user, memberships__ended_at__isnull=True)
            .exclude(pk__in=PersonnelFile.objects.values("person"))
            .distinct()
        )
        schemes = Scheme.objects.filter(memberships__line_manager=request.user).distinct()
    if not schemes.exists():
        raise Http404("Not for this role.")
    chooser = PersonChoiceForm(request.POST or None, people=people)
    form = _file_form(kind)(request.POST or None)
    if request.method == "POST" and chooser.is_valid() and form.is_valid():
        person = chooser.cleaned_data["person"]
        scheme = schemes.filter(memberships__user=person).first()
        create = services.volunteer_file_create if kind == FileKind.VOLUNTEER else services.personnel_file_create
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            file = create(scheme=scheme, person=person, actor=request.user, **fields)
        except ValidationError as error:
            # An error about the person belongs beside the person chooser.
            form_error(chooser if "person" in getattr(error, "error_dict", {}) else form, error)
        else:
            messages.success(request, f"File {file.reference} opened.")
            return redirect(_FILE_URLS[kind], reference=file.reference)
    title = "Open a volunteer file" if kind == FileKind.VOLUNTEER else "Open a personnel file"
    return render(request, "records/file_form.html", {"forms": [chooser, form], "title": title})


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters()
def file_edit(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    access = gate.open_file(user=request.user, kind=kind, reference=reference, section="file", for_change=True)
    form_class = _file_form(kind, change=True)
    file = access.file
    form = form_class(request.POST or None, instance=file, initial={"version": row_version(file)})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.person_file_update(
                access=access, actor=request.user, expected_version=form.cleaned_data["version"], **fields
            )
        except EditConflict:
            form = conflict_form(form_class, current_values(file, form_class.Meta.fields), instance=file)
        else:
            messages.success(request, f"{reference} updated.")
            return redirect(_FILE_URLS[kind], reference=reference)
    return render(request, "records/file_form.html", {"forms": [form], "title": f"Change {reference}"})


# --- supervision (§4.2, §5.2) -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("notes")
@form_once
def supervision(request: HttpRequest) -> HttpResponse:
    notes = selectors.supervision_notes_for(user=request.user)
    memberships = Membership.objects.current().filter(user=request.user)
    schemes = Scheme.objects.filter(pk__in=memberships.values("scheme"))
    people = (
        User.objects.filter(memberships__scheme__in=schemes, memberships__ended_at__isnull=True, is_active=True)
        .exclude(pk=request.user.pk)
        .distinct()
    )
    supervisable = [
        p.pk
        for p in people
        for scheme in schemes
        if services.supervision_may_supervise(supervisor=request.user, supervisee=p, scheme=scheme)
    ]
    if not notes.exists() and not _schemes(request.user, (*SCHEME_STAFF_ROLES, Role.VOLUNTEER)).exists():
        raise Http404("No supervision for this role.")
    form = SupervisionForm(request.POST or None, people=User.objects.filter(pk__in=supervisable))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scheme = next(
            s
            for s in schemes
            if services.supervision_may_supervise(supervisor=request.user, supervisee=data["supervisee"], scheme=s)
        )
        try:
            services.supervision_record(scheme=scheme, actor=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Supervision recorded.")
            return redirect("records:supervision")
    notes = list(notes)
    services.supervision_notes_read(notes=notes, actor=request.user)
    return render(request, "records/supervision.html", {"notes": notes, "form": form if supervisable else None})


# --- subject access requests (§1.6, §8.7) ------------------------------------------


@require_GET
@never_cache
def sar_list(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, services.SAR_ROLES)
    return render(request, "records/sar_list.html", {"sars": selectors.sars_for(user=request.user)})


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("requester_name", "request_details")
@form_once
def sar_new(request: HttpRequest) -> HttpResponse:
    schemes = _schemes(request.user, services.SAR_ROLES)
    if not schemes.exists():
        raise Http404("Not for this role.")
    people = User.objects.filter(memberships__scheme__in=schemes, memberships__ended_at__isnull=True).distinct()
    family, members = None, None
    if request.method == "POST" and request.POST.get("subject_kind") == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER:
        reference = request.POST.get("family_reference", "").strip().upper()
        family = Family.objects.filter(reference=reference, scheme__in=schemes).first() if reference else None
        if family is not None:
            # Offering the family's members to choose from reads the file: through the gate.
            try:
                access = gate.open_family(user=request.user, reference=family.reference, section="subject_access")
            except (gate.FileHidden, gate.NotPermitted):
                family = None
            else:
                members = access.file.members.all()
    form = SarForm(request.POST or None, people=people, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["subject_kind"] == SubjectAccessRequest.SubjectKind.FAMILY_MEMBER and family is None:
            form.add_error("family_reference", "No family file of your scheme has this reference.")
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
                messages.success(request, f"Request {sar.reference} registered. Check the requester's identity next.")
                return redirect("records:sar_detail", sar_id=sar.pk)
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": "Register a subject access request",
            "button": "Register request",
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
        caption=f"Subject access request {sar.reference}",
        back_url=reverse("records:sar_detail", kwargs={"sar_id": sar.pk}),
        back_label="Back to the request",
        sources=lambda: selectors.own_key_history(record=sar, label="Subject access request"),
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
        "Identity check recorded.",
        evidence=form.cleaned_data["evidence"],
    )


@require_POST
def sar_clarification(request: HttpRequest, sar_id) -> HttpResponse:
    sar = _sar(request, sar_id)
    if sar.clarification_requested_on is None:
        return _sar_action(request, sar, services.sar_request_clarification, "The clock is stopped.")
    return _sar_action(request, sar, services.sar_clarification_received, "The clock has restarted.")


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
    return _sar_action(request, sar, services.sar_extend, "Due date extended.", **form.cleaned_data)


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
            messages.success(request, f"Response to {sar.reference} released and recorded as a disclosure.")
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


# --- retention and destruction (§8.8) ----------------------------------------------


@require_GET
@never_cache
def retention_due(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, services.DESTRUCTION_ROLES)
    return render(
        request,
        "records/retention.html",
        {
            "due": selectors.due_for_destruction(user=request.user),
            "destructions": selectors.destructions_for(user=request.user).exclude(status=Destruction.Status.CANCELLED),
            "is_manager": _schemes(request.user, (Role.MANAGER,)).exists(),
            "holds": selectors.legal_holds_for(user=request.user),
        },
    )


@require_POST
@recent_authentication(back="records:retention")
def retention_propose(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, services.DESTRUCTION_ROLES)
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
        messages.success(request, f"{found.reference} proposed for destruction. Two people must authorise it.")
    return redirect("records:retention")


@require_POST
@recent_authentication(back="records:retention")
def retention_hold(request: HttpRequest) -> HttpResponse:
    """The manager places a legal hold on a file due for destruction: it is then kept (§8.8)."""
    _require_any(request.user, (Role.MANAGER,))
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
        messages.success(request, f"{found.reference} is on legal hold and will not be destroyed.")
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
        messages.success(request, f"The legal hold on {hold.file_reference} is released.")
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
        messages.success(request, f"Your authorisation to destroy {destruction.file_reference} is recorded.")
    return redirect("records:retention")


@require_POST
@recent_authentication(back="records:retention")
def destruction_carry_out(request: HttpRequest, destruction_id) -> HttpResponse:
    destruction = _destruction(request, destruction_id)
    if not _schemes(request.user, (Role.MANAGER,)).filter(pk=destruction.scheme_id).exists():
        raise Http404("Not for this role.")
    try:
        services.destruction_carry_out(destruction=destruction, actor=request.user)
    except ValidationError as error:
        # Not destroyed: back to the retention page, where the request still waits.
        messages.error(request, " ".join(error.messages))
        return redirect("records:retention")
    messages.success(request, f"{destruction.file_reference} destroyed. Its certificate is below.")
    return redirect("records:certificates")


@require_GET
@never_cache
def certificates(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, services.DESTRUCTION_ROLES)
    schemes = _schemes(request.user, services.DESTRUCTION_ROLES)
    found = DestructionCertificate.objects.filter(destruction__scheme__in=schemes).select_related(
        "first_authorised_by", "second_authorised_by", "carried_out_by"
    )
    return render(request, "records/certificates.html", {"certificates": found})


# --- breaches (§3.9, §4.4, §5.5) ---------------------------------------------------


@require_GET
@never_cache
def breach_list(request: HttpRequest) -> HttpResponse:
    _require_any(request.user, services.BREACH_ROLES)
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
    schemes = _schemes(request.user, services.BREACH_ROLES)
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
            messages.success(request, f"Breach {breach.reference} recorded. The manager has been told.")
            return redirect("records:breach_detail", breach_id=breach.pk)
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": "Record a breach of confidentiality",
            "button": "Record breach",
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
        caption=f"Breach of confidentiality {breach.reference}",
        back_url=reverse("records:breach_detail", kwargs={"breach_id": breach.pk}),
        back_label="Back to the breach",
        sources=lambda: selectors.own_key_history(record=breach, label="Breach"),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("actions", "outcome")
def breach_detail(request: HttpRequest, breach_id) -> HttpResponse:
    breach = get_object_or_404(selectors.breaches_for(user=request.user), pk=breach_id)
    is_manager = _schemes(request.user, (Role.MANAGER,)).filter(pk=breach.scheme_id).exists()
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
                messages.success(request, "Breach updated.")
                return redirect("records:breach_detail", breach_id=breach.pk)
    return render(request, "records/breach_detail.html", {"breach": breach, "form": form, "now": timezone.now()})
