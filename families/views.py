"""Family pages. Every page that shows or changes a file opens it through the access gate."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import ChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access_log import gate, tombstones
from access_log import selectors as access_selectors
from access_log.kinds import SCHEME_STAFF_ROLES
from access_log.selectors import records_of_access
from homestart.concurrency import EditConflict, conflict_form, current_values, row_version
from homestart.errors import AccessRefused
from homestart.forms import form_error
from homestart.history import render_history
from homestart.models import Scheme, User, has_role
from homestart.once import form_once
from homestart.ratelimit import Action as RateAction
from homestart.ratelimit import rate_limited
from homestart.rules import FileKind, Role, Section

from . import matching, planning, selectors, services
from .forms import (
    AssignForm,
    CloseForm,
    ContactForm,
    GroupForm,
    GroupMemberForm,
    GroupSessionForm,
    MatchForm,
    MemberForm,
    MissedVisitForm,
    NewFamilyForm,
    PlanVisitForm,
    ReopenForm,
    SearchForm,
    VisitForm,
)
from .models import Family, Group, PlannedVisit, Visit, VolunteerAssignment
from .selectors import ListFilter

SESSION_REFERENCES_ONLY = "families.references_only"
SEARCH_SHOWN = 50


@require_GET
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """The coordinator's list of the scheme's families, by reference (§8.6)."""
    roles = selectors.staff_roles_by_scheme(user=request.user)
    # Approvers (managers, safeguarding leads) see what waits for them, and emergencies someone
    # else acted on alone; nobody else is asked (the roles are already known to the request).
    waiting = {}
    if has_role(request.user, (Role.MANAGER, Role.SAFEGUARDING_LEAD)):
        waiting = {
            "approvals_waiting": list(access_selectors.approvals_waiting_for(user=request.user)[:10]),
            "emergency_notices": list(access_selectors.emergency_notices_for(user=request.user)[:3]),
        }
    if not roles:
        if has_role(request.user, Role.VOLUNTEER):
            return redirect("families:my_families")
        return render(request, "families/no_family_access.html", waiting)
    references_only = request.session.get(SESSION_REFERENCES_ONLY, False)
    shown = request.GET.get("show", ListFilter.OPEN)
    shown = ListFilter(shown) if shown in ListFilter.values else ListFilter.OPEN
    # A page by key (?after=WIR-0123, ?before=...), never by OFFSET: the same cost on a
    # scheme's first page and its hundredth, at 1,000 families or 100,000 (issue 18).
    page = selectors.family_page_for_staff(
        user=request.user,
        roles=roles,
        shown=shown,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        at=_position(request.GET.get("at")),
        references_only=references_only,
    )
    # A destroyed family appears as its tombstone (§8.8): nothing of it is read.
    listed = tombstones.attach(FileKind.FAMILY, page.rows)
    if not references_only:
        # The list shows each carer's name: that is reading the file, so it is recorded.
        readable = [family for family in listed if family.tombstone is None]
        gate.record_listing(user=request.user, kind=FileKind.FAMILY, objs=readable, roles=roles)
    return render(
        request,
        "families/dashboard.html",
        {
            "page": page,
            "families": listed,
            "references_only": references_only,
            "shown": shown,
            "filters": ListFilter,
            **waiting,
        },
    )


def _position(value: str | None) -> int:
    """Where a keyset page starts in the list, as its link says (for "26–50 of about N")."""
    return int(value) if value and value.isdigit() and len(value) < 10 else 1


@require_POST
def display_mode(request: HttpRequest) -> HttpResponse:
    """Switch the list between references only (for a screen others can see, §8.6) and details."""
    request.session[SESSION_REFERENCES_ONLY] = request.POST.get("references_only") == "1"
    return redirect("families:dashboard")


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@rate_limited(RateAction.FAMILY_SEARCH, methods=("POST",))
def search(request: HttpRequest) -> HttpResponse:
    """Find a family by reference, surname or postcode.

    The search is POSTed: a surname or postcode never appears in a URL, the
    browser's history or a server's access log (§8.2).
    """
    form = SearchForm(request.POST or None)
    results, more = None, False
    if request.method == "POST" and form.is_valid():
        # At most a page of matches (issue 18): a common surname in a large scheme costs
        # no more than a rare one; the page says so and how to narrow the search.
        results = list(selectors.family_search(user=request.user, term=form.cleaned_data["q"])[: SEARCH_SHOWN + 1])
        more, results = len(results) > SEARCH_SHOWN, results[:SEARCH_SHOWN]
    return render(request, "families/search.html", {"form": form, "results": results, "more": more})


CONFIRM = "yes"


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def family_new(request: HttpRequest) -> HttpResponse:
    """A referral opens a family file (§7.1) in three steps: the form, the answers to check,
    then "Open family file". The last step carries a one-time token: sent twice, one file."""
    # The person's staff schemes from their roles, which the request has already read (and
    # the service asks again): no query of its own (issue 18, cheap creation).
    staffed = selectors.staff_roles_by_scheme(user=request.user)
    if not staffed:
        raise AccessRefused(_("Only coordinators and scheme managers take referrals (§7.2)."))
    schemes = Scheme.objects.filter(pk__in=staffed).order_by("name")
    form = NewFamilyForm(request.POST or None, schemes=schemes, single=len(staffed) == 1)
    if request.method == "POST" and form.is_valid():
        if "change" in request.POST:
            return render(request, "families/new.html", {"form": form})
        if request.POST.get("confirm") != CONFIRM:
            # Check your answers (GOV.UK) before the file is opened: nothing is saved yet.
            return render(request, "families/new_check.html", {"form": form, "confirm": CONFIRM})
        try:
            family = services.family_create_from_referral(
                scheme=form.cleaned_data["scheme"],
                actor=request.user,
                referral=form.referral_data(),
                carer=form.carer_data(),
                address=form.cleaned_data["address"],
                postcode=form.cleaned_data["postcode"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Family file %(reference)s opened from the referral.") % {"reference": family.reference}
            )
            return redirect("families:detail", reference=family.reference)
    return render(request, "families/new.html", {"form": form})


def _refuse_closed(request: HttpRequest, family: Family) -> HttpResponse | None:
    """A closed file is read-only (§8.8): a change page says so and goes back to the file."""
    if family.is_closed:
        messages.error(request, services.closed_message(family))
        return redirect("families:detail", reference=family.reference)
    return None


@require_GET
@never_cache
def family_detail(request: HttpRequest, reference: str) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.FILE)
    if not access.full:
        # The volunteer's minimal view (§8.5): the gate hands over a projection, not the file.
        return render(request, "families/volunteer_view.html", {"family": access.minimal()})
    family = access.family
    return render(
        request,
        "families/detail.html",
        {
            "family": family,
            "access": access,
            "is_staff": access.role in SCHEME_STAFF_ROLES,
            "is_manager": access.role == Role.MANAGER,
            # A closed file is read-only until the scheme manager reopens it (§8.8).
            "may_edit": access.may_change and not family.is_closed,
            "support_events": family.support_events.select_related("recorded_by"),
            "records_of_access": records_of_access(kind=FileKind.FAMILY, file_id=family.pk),
            **selectors.family_file(family=family),
        },
    )


@require_GET
@never_cache
def family_history(request: HttpRequest, reference: str) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.HISTORY, roles=SCHEME_STAFF_ROLES)
    return render_history(
        request,
        title=reference,
        caption=_("Family file %(reference)s") % {"reference": reference},
        back_url=reverse("families:detail", kwargs={"reference": reference}),
        back_label=_("Back to %(reference)s") % {"reference": reference},
        sources=lambda: selectors.family_history(family=access.family),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def contact_edit(request: HttpRequest, reference: str) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.CONTACT, for_change=True)
    family = access.family
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    initial = {
        "address": family.address,
        "postcode": family.postcode,
        "phone": family.phone,
        "version": row_version(family),
    }
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            with gate.changing(access, section=Section.CONTACT):
                services.family_update_contact(family=family, actor=request.user, expected_version=version, **data)
        except EditConflict:
            form = conflict_form(ContactForm, current_values(family, ("address", "postcode", "phone")))
        else:
            messages.success(request, _("Contact details saved."))
            return redirect("families:detail", reference=reference)
    return render(request, "families/contact_form.html", {"family": family, "form": form})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def member_edit(request: HttpRequest, reference: str, member_id: str | None = None) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.MEMBERS, for_change=True)
    family = access.family
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    member = get_object_or_404(family.members, pk=member_id) if member_id else None
    fields = ("kind", "first_name", "last_name", "date_of_birth", "relationship")
    initial = {f: getattr(member, f) for f in fields} if member else {}
    if member and request.method == "GET":
        initial["version"] = row_version(member)  # a POST brings the version it was opened on
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in fields}
        try:
            with gate.changing(access, section=Section.MEMBERS):
                if member:
                    changed = {f: data[f] for f in form.changed_data if f in fields}
                    services.member_update(
                        member=member, actor=request.user, expected_version=form.cleaned_data["version"], **changed
                    )
                else:
                    services.member_add(family=family, actor=request.user, **data)
        except EditConflict:
            form = conflict_form(MemberForm, current_values(member, fields))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Family member saved."))
            return redirect("families:detail", reference=reference)
    return render(request, "families/member_form.html", {"family": family, "form": form, "member": member})


def _planned_visit(request: HttpRequest, access: gate.FileAccess, planned_id: str) -> PlannedVisit:
    """A planned visit of the opened file: any of its own for the scheme's staff, only their own
    for a volunteer (§8.5); anything else is not there (404)."""
    try:
        pk = uuid.UUID(str(planned_id))
    except ValueError:
        raise Http404("No such planned visit.") from None
    planned = get_object_or_404(access.target.planned_visits.select_related("visitor"), pk=pk)
    if not access.full and planned.visitor_id != request.user.pk:
        raise Http404("No such planned visit.")
    return planned


def _after_planned(request: HttpRequest, access: gate.FileAccess) -> HttpResponse:
    """Back to the visitor's week, or, for the scheme's staff, to the agenda."""
    return redirect("families:agenda" if access.full else "families:this_week")


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def visit_new(request: HttpRequest, reference: str) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.VISITS, for_change=True)
    family = access.target
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    # Recording a planned visit (?planned=<id>) completes it: the form starts from the plan.
    planned_id = request.GET.get("planned")
    planned = _planned_visit(request, access, planned_id) if planned_id else None
    if planned is not None and planned.status != PlannedVisit.Status.PLANNED:
        messages.info(
            request, _("This visit was already %(status)s.") % {"status": planned.get_status_display().lower()}
        )
        return _after_planned(request, access)
    if access.full:
        visitors = (
            User.objects.filter(
                Q(memberships__scheme=family.scheme, memberships__role__in=SCHEME_STAFF_ROLES)
                | Q(pk__in=VolunteerAssignment.objects.filter(family=family).values("volunteer"))
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
    else:
        # A volunteer records their own support visits, nothing else (§8.5).
        visitors = User.objects.filter(pk=request.user.pk)
    initial: dict[str, object] = {
        "visited_by": request.user.pk,
        "visited_on": timezone.localdate(),
        "kind": Visit.Kind.SUPPORT,
    }
    if planned is not None:
        initial = {
            "visited_by": planned.visitor_id,
            "visited_on": min(planned.planned_on, timezone.localdate()),
            "kind": planned.visit_kind,
        }
    form = VisitForm(request.POST or None, visitors=visitors, initial=initial, volunteer=not access.full)
    if planned is not None and not access.full:
        # A volunteer records the kind of visit planned for them (a review visit, §1.2).
        kind_field = form.fields["kind"]
        assert isinstance(kind_field, ChoiceField)
        kind_field.choices = [(planned.visit_kind, Visit.Kind(planned.visit_kind).label)]
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.VISITS):
                if planned is not None:
                    planning.planned_visit_record(planned=planned, actor=request.user, **form.cleaned_data)
                else:
                    services.visit_record(family=family, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Visit recorded."))
            if planned is not None:
                return _after_planned(request, access)
            return redirect("families:detail", reference=reference)
    return render(request, "families/visit_form.html", {"family": family, "form": form, "planned": planned})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def visit_plan(request: HttpRequest, reference: str) -> HttpResponse:
    """Plan a visit: the scheme's coordinators and managers for anyone who may visit, a volunteer
    for themselves in a family they support (§8.5); ``?kind=review`` for a review visit (§1.2)."""
    access = gate.open_family(user=request.user, reference=reference, section=Section.VISITS, for_change=True)
    family = access.target
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    kind = request.GET.get("kind", PlannedVisit.Kind.SUPPORT)
    initial = {"visitor": request.user.pk, "kind": kind if kind in PlannedVisit.Kind.values else None}
    form = PlanVisitForm(
        request.POST or None,
        visitors=planning.visitors_for(family=family, actor=request.user),
        volunteer=not access.full,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.VISITS):
                planned = planning.planned_visit_plan(family=family, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s planned for %(day)s at %(time)s.")
                % {
                    "kind": planned.get_kind_display(),
                    "day": date_format(planned.planned_on, "l j F"),
                    "time": f"{planned.planned_at:%H:%M}",
                },
            )
            return _after_planned(request, access)
    return render(request, "families/visit_plan.html", {"family": family, "form": form})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def visit_missed(request: HttpRequest, reference: str, planned_id: str) -> HttpResponse:
    """Mark a planned visit missed, with the reason: its visitor, or the scheme's staff."""
    access = gate.open_family(user=request.user, reference=reference, section=Section.VISITS, for_change=True)
    family = access.target
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    planned = _planned_visit(request, access, planned_id)
    if planned.status != PlannedVisit.Status.PLANNED:
        messages.info(
            request, _("This visit was already %(status)s.") % {"status": planned.get_status_display().lower()}
        )
        return _after_planned(request, access)
    form = MissedVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.VISITS):
                planning.planned_visit_miss(planned=planned, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The visit is marked as missed."))
            return _after_planned(request, access)
    return render(request, "families/visit_missed.html", {"family": family, "form": form, "planned": planned})


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def assignment_new(request: HttpRequest, reference: str) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.ASSIGNMENTS, for_change=True)
    family = access.family
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    volunteers = selectors.volunteers_of(scheme=family.scheme)
    # Choosing a suggestion comes back here with the volunteer chosen in the form.
    form = AssignForm(
        request.POST or None,
        volunteers=volunteers,
        initial={"starts_on": timezone.localdate(), "volunteer": request.GET.get("volunteer")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.ASSIGNMENTS):
                services.volunteer_assign(family=family, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Volunteer assigned."))
            return redirect("families:detail", reference=reference)
    # Suggestions (issue 15.4): ranked by area, language, free times and caseload, with the reason.
    match = MatchForm(request.GET or None)
    wanted = match.cleaned_data if match.is_valid() else {"language": "", "times": []}
    suggested = matching.suggestions(family=family, volunteers=list(volunteers), on=timezone.localdate(), **wanted)
    return render(
        request,
        "families/assignment_form.html",
        {"family": family, "form": form, "match": match, "suggested": suggested, "wanted": wanted},
    )


@require_http_methods(["GET", "POST"])
@never_cache
def assignment_end(request: HttpRequest, reference: str, assignment_id: str) -> HttpResponse:
    access = gate.open_family(user=request.user, reference=reference, section=Section.ASSIGNMENTS, for_change=True)
    family = access.family
    assignment = get_object_or_404(
        family.assignments.select_related("volunteer"), pk=assignment_id, ended_at__isnull=True
    )
    if request.method == "POST":
        with gate.changing(access, section=Section.ASSIGNMENTS):
            services.volunteer_unassign(assignment=assignment, actor=request.user)
        messages.success(request, _("Assignment ended. The volunteer can no longer open this family's file."))
        return redirect("families:detail", reference=reference)
    return render(request, "families/assignment_end.html", {"family": family, "assignment": assignment})


@require_GET
@never_cache
def my_families(request: HttpRequest) -> HttpResponse:
    """A volunteer's current families, by key (issue 18): reference, first names and their next
    planned visit (§8.5, issue 15.4). The first names are read from each file, so the listing is
    recorded."""
    page = selectors.family_page_for_volunteer(
        user=request.user,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        at=_position(request.GET.get("at")),
    )
    families = selectors.with_first_names_and_next_visit(
        families=page.rows, user=request.user, today=timezone.localdate()
    )
    gate.record_listing(
        user=request.user,
        kind=FileKind.FAMILY,
        objs=families,
        roles={family.scheme_id: Role.VOLUNTEER for family in families},
    )
    return render(request, "families/my_families.html", {"families": families, "page": page})


def _staff_group(request: HttpRequest, group_id) -> Group:
    return get_object_or_404(
        Group.objects.filter(scheme__in=selectors.schemes_staffed_by(user=request.user)).select_related("scheme"),
        pk=group_id,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def group_list(request: HttpRequest) -> HttpResponse:
    """The scheme's groups (§6.1); coordinators and managers only."""
    schemes = selectors.schemes_staffed_by(user=request.user)
    if not schemes.exists():
        raise Http404("No such page.")
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(scheme=schemes.first(), actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Group added."))
            return redirect("families:group_detail", group_id=group.pk)
    groups = Group.objects.filter(scheme__in=schemes).select_related("scheme")
    return render(request, "families/group_list.html", {"groups": groups, "form": form})


@require_GET
@never_cache
def group_detail(request: HttpRequest, group_id) -> HttpResponse:
    group = _staff_group(request, group_id)
    return render(
        request,
        "families/group_detail.html",
        {
            "group": group,
            "members": group.members.select_related("family", "added_by"),
            "sessions": group.sessions.prefetch_related("families", "visitors"),
        },
    )


@require_GET
@never_cache
def group_history(request: HttpRequest, group_id) -> HttpResponse:
    """Who changed the group, its families and its sessions (§6.1): the group's own page's
    decision (the scheme's coordinators and manager). Families appear by reference only."""
    group = _staff_group(request, group_id)
    return render_history(
        request,
        title=group.name,
        caption=_("Group"),
        back_url=reverse("families:group_detail", kwargs={"group_id": group.pk}),
        back_label=_("Back to the group"),
        sources=lambda: selectors.group_history(group=group),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def group_member_add(request: HttpRequest, group_id) -> HttpResponse:
    """A family joins a group: its file is opened through the gate to record it (§6.1)."""
    group = _staff_group(request, group_id)
    families = (
        selectors.family_list_for_staff(user=request.user, shown=ListFilter.OPEN)
        .filter(scheme=group.scheme)
        .exclude(group_memberships__group=group)
        .prefetch_related(None)
        .order_by("number")
    )
    form = GroupMemberForm(request.POST or None, families=families)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        access = gate.open_family(
            user=request.user, reference=data.pop("family").reference, section=Section.GROUPS, for_change=True
        )
        try:
            with gate.changing(access, section=Section.GROUPS):
                services.group_member_add(group=group, family=access.family, actor=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(reference)s joined the group.") % {"reference": access.family.reference})
            return redirect("families:group_detail", group_id=group.pk)
    return render(
        request,
        "families/group_form.html",
        {
            "group": group,
            "form": form,
            "heading": "Add a family to the group",
            "submit": "Add family",
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def group_session_new(request: HttpRequest, group_id) -> HttpResponse:
    group = _staff_group(request, group_id)
    # A family whose support was closed no longer attends (§8.8).
    members = Family.objects.filter(group_memberships__group=group).open().order_by("number")
    form = GroupSessionForm(request.POST or None, families=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_record(
                group=group,
                actor=request.user,
                held_on=form.cleaned_data["held_on"],
                families=list(form.cleaned_data["families"]),
                visitors=form.visitors(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session recorded."))
            return redirect("families:group_detail", group_id=group.pk)
    return render(
        request,
        "families/group_form.html",
        {
            "group": group,
            "form": form,
            "heading": "Record a session",
            "submit": "Save session",
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def family_close(request: HttpRequest, reference: str) -> HttpResponse:
    """The coordinator or manager closes support: the retention period starts (§8.8)."""
    access = gate.open_family(
        user=request.user, reference=reference, section=Section.SUPPORT, for_change=True, roles=SCHEME_STAFF_ROLES
    )
    family = access.family
    if (refused := _refuse_closed(request, family)) is not None:
        return refused
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.SUPPORT):
                services.family_close(family=family, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Support for %(reference)s closed. The file is now read-only.") % {"reference": family.reference},
            )
            return redirect("families:detail", reference=reference)
    return render(request, "families/close_form.html", {"family": family, "form": form})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def family_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    """The scheme manager reopens a closed file, with a reason: the retention clock stops (§8.8)."""
    access = gate.open_family(
        user=request.user, reference=reference, section=Section.SUPPORT, for_change=True, roles=(Role.MANAGER,)
    )
    family = access.family
    if not family.is_closed:
        messages.error(request, _("Support for %(reference)s is not closed.") % {"reference": family.reference})
        return redirect("families:detail", reference=reference)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.SUPPORT):
                services.family_reopen(family=family, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Support for %(reference)s reopened.") % {"reference": family.reference})
            return redirect("families:detail", reference=reference)
    return render(request, "families/reopen_form.html", {"family": family, "form": form})


@require_GET
@never_cache
def this_week(request: HttpRequest) -> HttpResponse:
    """The visitor's week, for a phone: their planned visits this week and any overdue, each
    with the family's first names, reference, time and address, and a link to record it.

    The families are those the gate opens for this person now (a volunteer's only while
    assigned, §8.5), chosen in the database; what the page shows of them is recorded, one
    event per family, as a list of the files' visits (§8.3)."""
    today = timezone.localdate()
    visits = list(planning.visits_this_week(user=request.user, on=today).prefetch_related("family__members"))
    families = list({visit.family_id: visit.family for visit in visits}.values())
    if families:
        staff = selectors.staff_roles_by_scheme(user=request.user)
        roles = {family.scheme_id: staff.get(family.scheme_id, Role.VOLUNTEER) for family in families}
        gate.record_listing(user=request.user, kind=FileKind.FAMILY, objs=families, roles=roles, section=Section.VISITS)
    return render(
        request,
        "families/this_week.html",
        {"visits": visits, "today": today, "monday": planning.week_of(today)[0]},
    )


@require_GET
@never_cache
def agenda(request: HttpRequest) -> HttpResponse:
    """The coordinator's agenda: the scheme's planned visits of a week and every overdue one,
    by reference only, no names of families (§8.6)."""
    if not selectors.schemes_staffed_by(user=request.user).exists():
        raise Http404("No such page.")
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today
    monday, next_monday = planning.week_of(day)
    return render(
        request,
        "families/agenda.html",
        {
            **planning.agenda_for(user=request.user, monday=monday, on=today),
            "today": today,
            "monday": monday,
            "sunday": next_monday - datetime.timedelta(days=1),
            "previous": monday - datetime.timedelta(days=7),
            "next": next_monday,
            "this_monday": planning.week_of(today)[0],
        },
    )
