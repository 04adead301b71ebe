"""Unguarded baselines: the same rows, read the plain Django way, rendered as a
minimal page. No access decision, no access event, no decryption."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from access_log.models import AccessEvent, Review
from families.models import Family, VolunteerAssignment
from homestart.models import Membership


def _page(rows: list[str]) -> HttpResponse:
    return HttpResponse("<!doctype html><ul>" + "".join(f"<li>{r}</li>" for r in rows) + "</ul>")


def family_list(request: HttpRequest) -> HttpResponse:
    """The same page, by reference only (nothing to decrypt), with a plain scheme filter."""
    schemes = Membership.objects.filter(user=request.user).values("scheme")
    families = Family.objects.filter(scheme__in=schemes).select_related("scheme").order_by("scheme__code", "-number")
    page = Paginator(families, 25).get_page(request.GET.get("page"))
    return render(request, "families/dashboard.html", {"page": page, "references_only": True})


def family_file(request: HttpRequest, reference: str) -> HttpResponse:
    family = get_object_or_404(Family.objects.select_related("scheme"), reference=reference)
    rows = [family.reference, family.status]
    rows += [f"{m.kind} {m.created_at:%Y}" for m in family.members.all()]
    rows += [f"{r.source} {r.referred_on}" for r in family.referrals.all()]
    rows += [f"{v.kind} {v.visited_on}" for v in family.visits.all()]
    rows += [f"{a.starts_on}" for a in family.assignments.all()]
    return _page(rows)


def my_families(request: HttpRequest) -> HttpResponse:
    ids = VolunteerAssignment.objects.filter(volunteer=request.user, ended_at__isnull=True).values("family")
    families = Family.objects.filter(pk__in=ids).select_related("scheme").order_by("number")
    return render(request, "families/my_families.html", {"families": families})


def review_sample(request: HttpRequest, review_id) -> HttpResponse:
    review = get_object_or_404(Review, pk=review_id)
    return _page([f.file_reference for f in review.files.all()])


def file_log(request: HttpRequest, reference: str) -> HttpResponse:
    family = get_object_or_404(Family, reference=reference)
    events = AccessEvent.objects.filter(file_kind="family", file_id=family.pk).select_related("user")
    page = Paginator(events.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "access_log/file_log.html", {"reference": reference, "page": page, "kind": "family"})
