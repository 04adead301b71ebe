"""Volunteer and personnel files (§8.3, §8.4) and supervision (§4.2, §5.2).

File pages open the file through the access gate; supervision notes are read through a
selector that takes the asker, and each reading is recorded in the supervisee's file log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from access_log import gate, tombstones
from access_log.kinds import SCHEME_STAFF_ROLES, kind_spec
from access_log.selectors import records_of_access
from families.matching import caseloads, families_now, times_in_words
from homestart.concurrency import EditConflict, conflict_form, current_values, row_version
from homestart.forms import form_error
from homestart.history import render_history
from homestart.models import Membership, Scheme, User, has_role, scheme_ids_where, schemes_where
from homestart.once import form_once
from homestart.rules import FileKind, Role, Section
from records.models import PersonnelFile, VolunteerFile
from records.models.people import split_words
from records.people import forms as people_forms
from records.people import selectors, services
from records.people.forms import PersonChoiceForm, SupervisionForm, TrainingRecordForm

# --- volunteer and personnel files (§8.3, §8.4) ------------------------------------


@require_GET
@never_cache
def volunteer_file_list(request: HttpRequest) -> HttpResponse:
    files = selectors.volunteer_files_for(user=request.user).select_related("scheme")
    personnel = selectors.personnel_files_for(user=request.user).select_related("scheme")
    if not files.exists() and not personnel.exists() and not has_role(request.user, SCHEME_STAFF_ROLES):
        raise Http404("No files for this role.")
    return render(
        request,
        "records/file_list.html",
        {
            "files": list(files),
            "personnel": list(personnel),
            "may_open_volunteer": has_role(request.user, SCHEME_STAFF_ROLES),
            "may_open_personnel": Membership.objects.current().filter(line_manager=request.user).exists(),
        },
    )


def _file_page(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    access = gate.open_file(user=request.user, kind=kind, reference=reference)
    file = access.file
    fields = [
        (str(f.verbose_name).capitalize(), _value(file, f))
        for f in file._meta.concrete_fields
        if f.name not in {"id", "scheme", "number", "reference", "person", "data_key", "created_at"}
    ]
    assignments = []
    training: list = []
    caseload = None
    if kind == FileKind.VOLUNTEER:
        # §8.5: only the minimum about the families supported — references and dates.
        assignments = list(
            file.person.assignments.filter(family__scheme=file.scheme).select_related("family__data_key")
        )
        tombstones.attach(FileKind.FAMILY, [a.family for a in assignments])  # a destroyed family, as such (§8.8)
        training = list(file.training_records.select_related("data_key", "recorded_by"))
        caseload = families_now(caseloads(user_ids=[file.person_id]).get(file.person_id, 0))
    return render(
        request,
        "records/file_detail.html",
        {
            "access": access,
            "file": file,
            "fields": fields,
            "assignments": assignments,
            "training": training,
            "caseload": caseload,
            "dbs_current": kind == FileKind.VOLUNTEER and file.dbs_current(timezone.localdate()),
            "kind": kind,
            "volunteer_file": kind == FileKind.VOLUNTEER,
            "may_read_log": access.role in kind_spec(kind).log_roles,
            "records_of_access": records_of_access(kind=kind, file_id=file.pk),
        },
    )


def _value(file, field):
    """A field as the page shows it: choices and free times in words, not codes."""
    if field.choices:
        return getattr(file, f"get_{field.name}_display")()
    if isinstance(file, VolunteerFile) and field.name == "availability":
        return times_in_words(split_words(file.availability))
    return getattr(file, field.name)


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
        back_label=_("Back to %(reference)s") % {"reference": reference},
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
    return getattr(people_forms, (_FILE_CHANGE_FORMS if change else _FILE_FORMS)[kind])


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters()
@form_once
def file_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Open a volunteer file (coordinators, manager) or a personnel file (the line manager)."""
    if kind == FileKind.VOLUNTEER:
        schemes = schemes_where(request.user, SCHEME_STAFF_ROLES)
        people = (
            Membership.objects.current()
            .filter(scheme__in=schemes, role=Role.VOLUNTEER)
            .holders()
            .exclude(pk__in=VolunteerFile.objects.values("person"))
        )
    else:
        people = (
            Membership.objects.current()
            .filter(line_manager=request.user)
            .holders()
            .exclude(pk__in=PersonnelFile.objects.values("person"))
        )
        reports = Membership.objects.current().filter(line_manager=request.user)
        schemes = Scheme.objects.filter(pk__in=reports.values("scheme_id"))
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
            messages.success(request, _("File %(reference)s opened.") % {"reference": file.reference})
            return redirect(_FILE_URLS[kind], reference=file.reference)
    title = _("Open a volunteer file") if kind == FileKind.VOLUNTEER else _("Open a personnel file")
    return render(request, "records/file_form.html", {"forms": [chooser, form], "title": title})


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters()
def file_edit(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    access = gate.open_file(user=request.user, kind=kind, reference=reference, section=Section.FILE, for_change=True)
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
            messages.success(request, _("%(reference)s updated.") % {"reference": reference})
            return redirect(_FILE_URLS[kind], reference=reference)
    return render(
        request,
        "records/file_form.html",
        {"forms": [form], "title": _("Change %(reference)s") % {"reference": reference}},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters()
@form_once
def training_record_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a course a volunteer completed (issue 15.4): whoever may change the file."""
    access = gate.open_file(
        user=request.user, kind=FileKind.VOLUNTEER, reference=reference, section=Section.FILE, for_change=True
    )
    form = TrainingRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_record_add(access=access, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Training recorded in %(reference)s.") % {"reference": reference})
            return redirect("records:volunteer_file", reference=reference)
    return render(
        request,
        "records/file_form.html",
        {"forms": [form], "title": _("Record training in %(reference)s") % {"reference": reference}},
    )


# --- supervision (§4.2, §5.2) -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("notes")
@form_once
def supervision(request: HttpRequest) -> HttpResponse:
    notes = selectors.supervision_notes_for(user=request.user)
    schemes = Scheme.objects.filter(pk__in=scheme_ids_where(request.user, Role.values))
    people = Membership.objects.current().filter(scheme__in=schemes).holders().exclude(pk=request.user.pk)
    supervisable = [
        p.pk
        for p in people
        for scheme in schemes
        if services.supervision_may_supervise(supervisor=request.user, supervisee=p, scheme=scheme)
    ]
    if not notes.exists() and not has_role(request.user, (*SCHEME_STAFF_ROLES, Role.VOLUNTEER)):
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
            messages.success(request, _("Supervision recorded."))
            return redirect("records:supervision")
    notes = list(notes)
    services.supervision_notes_read(notes=notes, actor=request.user)
    return render(request, "records/supervision.html", {"notes": notes, "form": form if supervisable else None})
