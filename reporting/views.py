"""Pages for trustees and funders (figures, released case studies), for staff writing case
studies from a family's file (through the gate), for Board minutes and consultations.

No page here links to a family file: a trustee's path ends at a number (§3.2)."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access_log import gate, tombstones
from access_log.kinds import SCHEME_STAFF_ROLES
from homestart.concurrency import EditConflict, conflict_form, current_values, row_version
from homestart.errors import AccessRefused
from homestart.history import render_history
from homestart.models import Membership, Scheme, has_role
from homestart.once import form_once
from homestart.ratelimit import Action as RateAction
from homestart.ratelimit import rate_limited
from homestart.rules import FileKind, Role, Section
from homestart.security import recent_authentication

from . import selectors, services
from .charts import bar_chart
from .forms import (
    CaseStudyDraftForm,
    ConfidentialItemForm,
    ConsultationForm,
    MeetingForm,
    NewCaseStudyForm,
    PeriodForm,
    YearForm,
)
from .identifiers import find_identifiers, highlight, known_identifiers
from .models import CaseStudy, ReportEvent
from .outcome_statistics import outcome_statistics, years
from .statistics import Period, scheme_statistics


def _scheme(request: HttpRequest, roles: tuple[str, ...]) -> tuple[Scheme, list[Scheme]]:
    schemes = list(selectors.schemes_where(user=request.user, roles=roles))
    if not schemes:
        raise Http404("No such page.")
    code = request.GET.get("scheme", "")
    chosen = next((s for s in schemes if s.code == code), schemes[0])
    return chosen, schemes


def _period(request: HttpRequest) -> str:
    form = PeriodForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["period"]:
        return form.cleaned_data["period"]
    return Period.MONTH


@require_GET
@never_cache
def statistics(request: HttpRequest) -> HttpResponse:
    """Anonymised figures with small numbers suppressed (§3.2, §8.9)."""
    scheme, schemes = _scheme(request, selectors.FIGURES_ROLES)
    period = _period(request)
    stats = scheme_statistics(scheme=scheme, period=period, today=timezone.localdate())
    trend = stats.table("referred_closed")
    supported = stats.table("supported")
    charts = [
        {
            "id": "chart-referred",
            "title": _("Families referred"),
            "heading": _("Families referred by month") if period == Period.MONTH else _("Families referred by quarter"),
            "table": trend,
            "chart": bar_chart(labels=trend.row_labels, cells=[row[0] for row in trend.result.body()]),
        },
        {
            "id": "chart-supported",
            "title": _("Families supported by a volunteer"),
            "heading": _("Families supported by a volunteer by month")
            if period == Period.MONTH
            else _("Families supported by a volunteer by quarter"),
            "table": supported,
            "chart": bar_chart(labels=supported.row_labels, cells=[row[0] for row in supported.result.body()]),
        },
    ]
    return render(
        request,
        "reporting/statistics.html",
        {
            "scheme": scheme,
            "schemes": schemes,
            "stats": stats,
            "charts": charts,
            "period_form": PeriodForm(initial={"period": period}),
            "period": period,
        },
    )


@require_GET
@never_cache
@recent_authentication(back=lambda request: f"{reverse('reporting:statistics')}?{request.GET.urlencode()}")
@rate_limited(RateAction.STATISTICS_EXPORT)
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """The same suppressed tables as a CSV file for funders (§8.9); every export is recorded."""
    scheme, _schemes = _scheme(request, selectors.FIGURES_ROLES)
    period = _period(request)
    stats = scheme_statistics(scheme=scheme, period=period, today=timezone.localdate())
    services.report_event_record(
        user=request.user, scheme=scheme, kind=ReportEvent.Kind.STATISTICS_EXPORT, detail=f"period={period}"
    )
    response, _writer = _tables_csv(f"{scheme.code}-statistics-{period}.csv", stats.tables)
    return response


def _tables_csv(filename: str, tables) -> tuple[HttpResponse, Any]:
    """A download of suppressed tables, one line per cell (table, row, column, value); the
    writer is returned for rows the caller adds after the tables."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["table", "row", "column", "value"])
    for table in tables:
        for label, cells in table.rows:
            for header, cell in zip(table.headers, cells, strict=True):
                writer.writerow([table.title, label, header, str(cell)])
    return response, writer


def _year(request: HttpRequest) -> tuple[datetime.date, YearForm]:
    starts = years(today=timezone.localdate())
    form = YearForm(request.GET or None, starts=starts)
    chosen = form.cleaned_data["year"] if form.is_valid() and form.cleaned_data["year"] else starts[0].year
    return next(s for s in starts if s.year == chosen), YearForm(initial={"year": chosen}, starts=starts)


@require_GET
@never_cache
def outcome_statistics_page(request: HttpRequest) -> HttpResponse:
    """How families' own scores changed over their support, anonymised and suppressed (§3.2, §8.9)."""
    scheme, schemes = _scheme(request, selectors.FIGURES_ROLES)
    year, year_form = _year(request)
    stats = outcome_statistics(scheme=scheme, year=year)
    change = stats.table("outcome_change")
    chart = {
        "id": "chart-improved",
        "title": _("Families whose own score improved"),
        "heading": _("Families whose own score improved by area"),
        "table": change,
        "chart": bar_chart(labels=change.row_labels, cells=[row[0] for row in change.result.body()]),
    }
    return render(
        request,
        "reporting/outcome_statistics.html",
        {"scheme": scheme, "schemes": schemes, "stats": stats, "item": chart, "year_form": year_form, "year": year},
    )


@require_GET
@never_cache
@recent_authentication(back=lambda request: f"{reverse('reporting:outcome_statistics')}?{request.GET.urlencode()}")
@rate_limited(RateAction.STATISTICS_EXPORT)
def outcome_statistics_csv(request: HttpRequest) -> HttpResponse:
    """The same suppressed outcome figures as a CSV file for funders (§8.9); every export is recorded."""
    scheme, _schemes = _scheme(request, selectors.FIGURES_ROLES)
    year, _form = _year(request)
    stats = outcome_statistics(scheme=scheme, year=year)
    services.report_event_record(
        user=request.user, scheme=scheme, kind=ReportEvent.Kind.STATISTICS_EXPORT, detail=f"outcomes={year.year}"
    )
    response, writer = _tables_csv(f"{scheme.code}-outcomes-{year.year}.csv", stats.tables)
    for summary in stats.summary:
        writer.writerow([SUMMARY_TITLE, summary.area, "Share improving", summary.share_improving])
        writer.writerow([SUMMARY_TITLE, summary.area, "Average change", summary.average_change])
    return response


SUMMARY_TITLE = "Share improving and average change"


@require_GET
@never_cache
def case_study_list(request: HttpRequest) -> HttpResponse:
    released = selectors.released_case_studies(user=request.user)
    drafts = list(selectors.draft_case_studies(user=request.user).select_related("family__data_key"))
    # A draft whose family was destroyed went with it (its text was sealed with the family's key, §8.8).
    tombstones.attach(FileKind.FAMILY, [study.family for study in drafts])
    if not has_role(request.user, selectors.FIGURES_ROLES):
        raise Http404("No such page.")
    return render(request, "reporting/case_study_list.html", {"released": released, "drafts": drafts})


@require_GET
@never_cache
def case_study_detail(request: HttpRequest, study_id) -> HttpResponse:
    """A released case study: anonymous text only, no link to the family (§3.3)."""
    study = get_object_or_404(selectors.released_case_studies(user=request.user), pk=study_id)
    may_see_history = has_role(request.user, selectors.CASE_STUDY_WRITERS, scheme=study.scheme)
    return render(request, "reporting/case_study_detail.html", {"study": study, "may_see_history": may_see_history})


@require_GET
@never_cache
def case_study_history(request: HttpRequest, study_id) -> HttpResponse:
    """A case study's drafts and release: the scheme's staff, with the family file opened through
    the gate as the draft page opens it; trustees see the released text only (§3.3)."""
    study = get_object_or_404(selectors.case_studies_written_in(user=request.user), pk=study_id)
    access = gate.open_family(
        user=request.user, reference=study.family.reference, section=Section.CASE_STUDIES, roles=SCHEME_STAFF_ROLES
    )
    study.family = access.family
    back = "reporting:case_study_detail" if study.status == study.Status.RELEASED else "reporting:case_study_edit"
    return render_history(
        request,
        title=study.title,
        caption=_("Case study"),
        back_url=reverse(back, kwargs={"study_id": study.pk}),
        back_label=_("Back to the case study"),
        sources=lambda: selectors.case_study_history(study=study),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def case_study_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Write a case study from a family's file, opened through the gate (§7.5)."""
    access = gate.open_family(
        user=request.user, reference=reference, section=Section.CASE_STUDIES, for_change=True, roles=SCHEME_STAFF_ROLES
    )
    family = access.family
    form = NewCaseStudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with gate.changing(access, section=Section.CASE_STUDIES):
                study = services.case_study_create(family=family, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Case study saved as a draft. Check it for identifiers before release."))
            return redirect("reporting:case_study_edit", study_id=study.pk)
    return render(request, "reporting/case_study_new.html", {"family": family, "form": form})


def _open_draft(request: HttpRequest, study_id, *, for_change: bool, roles) -> tuple[CaseStudy, gate.FileAccess]:
    study = get_object_or_404(selectors.draft_case_studies(user=request.user), pk=study_id)
    access = gate.open_family(
        user=request.user,
        reference=study.family.reference,
        section=Section.CASE_STUDIES,
        for_change=for_change,
        roles=roles,
    )
    study.family = access.family
    return study, access


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
def case_study_edit(request: HttpRequest, study_id) -> HttpResponse:
    """The draft with every identifier highlighted; a manager releases it when none is left (§3.3)."""
    study, access = _open_draft(request, study_id, for_change=True, roles=SCHEME_STAFF_ROLES)
    version = row_version(study)
    form = CaseStudyDraftForm(
        request.POST or None, initial={"title": study.title, "draft": study.draft, "version": version}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            with gate.changing(access, section=Section.CASE_STUDIES):
                services.case_study_update(
                    study=study, actor=request.user, expected_version=data.pop("version"), **data
                )
        except EditConflict:
            form = conflict_form(CaseStudyDraftForm, current_values(study, ("title", "draft")))
            study.family, version = access.family, form.initial["version"]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Case study saved."))
            return redirect("reporting:case_study_edit", study_id=study.pk)
    known = known_identifiers(scheme=study.scheme)  # decrypted once for the three checks below
    in_title = find_identifiers(study.title, scheme=study.scheme, known=known)
    in_draft = find_identifiers(study.draft, scheme=study.scheme, known=known)
    return render(
        request,
        "reporting/case_study_edit.html",
        {
            "study": study,
            "form": form,
            "found": in_title + in_draft,
            "highlighted_title": highlight(study.title, in_title),
            "highlighted": highlight(study.draft, in_draft),
            "waiting": services.release_waiting(study),
            "version": version,  # the release asked for is of the text shown, and no later one
        },
    )


@require_POST
def case_study_release(request: HttpRequest, study_id) -> HttpResponse:
    """Ask for the release (§3.3): the scheme manager, another person, approves it on the approvals page."""
    study, access = _open_draft(request, study_id, for_change=True, roles=SCHEME_STAFF_ROLES)
    try:
        approval = services.case_study_release_request(
            study=study, access=access, actor=request.user, expected_version=request.POST.get("version", "")
        )
    except EditConflict:
        messages.error(
            request,
            _(
                "Someone else changed this draft after you opened it, so it was not released. "
                "Read the text below as it is now, and release it again if it is still right."
            ),
        )
        return redirect("reporting:case_study_edit", study_id=study.pk)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("reporting:case_study_edit", study_id=study.pk)
    messages.info(
        request,
        _(
            "Release asked for: the scheme manager (not you) approves it before trustees see it. "
            "The draft cannot change meanwhile."
        ),
    )
    return redirect("access_log:approval", approval_id=approval.pk)


@require_GET
@never_cache
def minutes_list(request: HttpRequest) -> HttpResponse:
    meetings = selectors.meetings_visible_to(user=request.user).select_related("scheme")
    may_write = has_role(request.user, selectors.MINUTES_WRITERS)
    # The Board's readers see the list even before their scheme's first minutes are recorded
    # (a coordinator of a scheme without minutes followed the menu's link to a 404).
    if not (has_role(request.user, selectors.MINUTES_READERS) or meetings.exists()):
        raise Http404("No such page.")
    return render(request, "reporting/minutes_list.html", {"meetings": meetings, "may_write": may_write})


@require_GET
@never_cache
def minutes_detail(request: HttpRequest, meeting_id) -> HttpResponse:
    """The open minutes, and only the confidential items whose circulation names the reader (§3.6, §3.7).
    Every read is recorded."""
    meeting = get_object_or_404(selectors.meetings_visible_to(user=request.user), pk=meeting_id)
    items = list(selectors.confidential_items_for(user=request.user, meeting=meeting))
    services.report_event_record(
        user=request.user, scheme=meeting.scheme, kind=ReportEvent.Kind.MINUTES_READ, object_id=meeting.pk
    )
    for item in items:
        services.report_event_record(
            user=request.user, scheme=meeting.scheme, kind=ReportEvent.Kind.CONFIDENTIAL_ITEM_READ, object_id=item.pk
        )
    may_write = has_role(request.user, selectors.MINUTES_WRITERS, scheme=meeting.scheme)
    return render(
        request, "reporting/minutes_detail.html", {"meeting": meeting, "items": items, "may_write": may_write}
    )


def _board_people(scheme: Scheme):
    return (
        Membership.objects.current()
        .filter(scheme=scheme, role__in=selectors.MINUTES_READERS)
        .holders()
        .order_by("username")
    )


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def minutes_new(request: HttpRequest) -> HttpResponse:
    scheme, _schemes = _scheme(request, selectors.MINUTES_WRITERS)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_record(scheme=scheme, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Minutes saved."))
        return redirect("reporting:minutes_detail", meeting_id=meeting.pk)
    return render(
        request,
        "reporting/form_page.html",
        {
            "form": form,
            "heading": _("Record Board minutes"),
            "submit": _("Save minutes"),
            "back": ("reporting:minutes_list", None, _("Back to Board minutes")),
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def confidential_item_new(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = get_object_or_404(selectors.meetings_visible_to(user=request.user), pk=meeting_id)
    if not has_role(request.user, selectors.MINUTES_WRITERS, scheme=meeting.scheme):
        raise AccessRefused(_("Only the scheme manager records Board minutes."))
    form = ConfidentialItemForm(request.POST or None, people=_board_people(meeting.scheme))
    if request.method == "POST" and form.is_valid():
        services.confidential_item_add(
            meeting=meeting,
            actor=request.user,
            subject=form.cleaned_data["subject"],
            text=form.cleaned_data["text"],
            circulation=list(form.cleaned_data["circulation"]),
        )
        messages.success(request, _("Confidential item saved; only its circulation list can read it."))
        return redirect("reporting:minutes_detail", meeting_id=meeting.pk)
    return render(
        request,
        "reporting/form_page.html",
        {
            "form": form,
            "heading": "Add a confidential item",
            "submit": "Save confidential item",
            "back": ("reporting:minutes_detail", meeting.pk, "Back to the minutes"),
        },
    )


@require_GET
@never_cache
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = list(selectors.consultations_for(user=request.user))
    is_lead = has_role(request.user, Role.SAFEGUARDING_LEAD)
    consultee = has_role(request.user, selectors.CONSULTEE_ROLES)
    if not (is_lead or consultee or consultations):
        raise Http404("No such page.")
    for consultation in consultations:
        services.report_event_record(
            user=request.user,
            scheme=consultation.scheme,
            kind=ReportEvent.Kind.CONSULTATION_READ,
            object_id=consultation.pk,
        )
    return render(request, "reporting/consultation_list.html", {"consultations": consultations, "is_lead": is_lead})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def consultation_new(request: HttpRequest) -> HttpResponse:
    """The safeguarding lead consults a trustee or adviser; the family is not identified (§3.5)."""
    scheme, _schemes = _scheme(request, (Role.SAFEGUARDING_LEAD,))
    people = (
        Membership.objects.current()
        .filter(Q(scheme=scheme, role__in=selectors.CONSULTEE_ROLES) | Q(scheme__isnull=True, role=Role.REVIEWER))
        .holders()
        .order_by("username")
    )
    form = ConsultationForm(request.POST or None, people=people)
    found = []
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_share(scheme=scheme, actor=request.user, **form.cleaned_data)
        except services.IdentifiersFound as error:
            found = error.found
            form.add_error("summary", error.messages[0])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Summary shared."))
            return redirect("reporting:consultation_list")
    summary = form.data.get("summary", "") if form.is_bound else ""
    return render(
        request,
        "reporting/consultation_new.html",
        {
            "form": form,
            "found": found,
            "highlighted": highlight(summary, found) if found else "",
        },
    )
