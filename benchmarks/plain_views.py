"""Unguarded baselines: the same rows, read the plain Django way, rendered as a
minimal page. No access decision, no access event, no decryption."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from access_log.file_log import page as file_log_page
from access_log.models import RecordOfAccess, Review
from families import listing, selectors
from families.models import Family, Member, VolunteerAssignment
from homestart.fields import EncryptedField
from homestart.models import Membership, Scheme
from homestart.rules import FileKind
from reporting.statistics import scheme_statistics


def _page(rows: list[str]) -> HttpResponse:
    return HttpResponse("<!doctype html><ul>" + "".join(f"<li>{r}</li>" for r in rows) + "</ul>")


def family_list(request: HttpRequest) -> HttpResponse:
    """The same page over the same rows (families, their adults, whether a volunteer is
    assigned), with a plain scheme filter and the carers' names left unread. Whether a
    volunteer is assigned is prefetched for the page's rows: annotated on the whole
    scheme, PostgreSQL hashes every assignment in the country for this plain query
    (its row estimate is 700, not 1), which would flatter the product by comparison."""
    schemes = Membership.objects.filter(user=request.user).values("scheme")
    adults = Member.objects.filter(kind=Member.Kind.ADULT).order_by("created_at")
    families = (
        Family.objects.filter(scheme__in=schemes)
        .select_related("scheme")
        .prefetch_related(
            Prefetch("members", queryset=adults, to_attr="adults"),
            Prefetch("assignments", queryset=VolunteerAssignment.objects.active(), to_attr="current"),
        )
        .order_by("scheme__code", "-number")
    )
    page = Paginator(families, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for family in rows:
        family.has_volunteer = bool(family.current)
    # The product's page object, filled from Django's Paginator (COUNT and OFFSET): the
    # template renders the same rows and links.
    shown = listing.Page(
        rows=rows,
        start=page.start_index(),
        total=page.paginator.count,
        exact=True,
        next_after=rows[-1].reference if page.has_next() else None,
        previous_before=rows[0].reference if page.has_previous() else None,
    )
    context = {"page": shown, "families": rows, "references_only": True, "shown": "all"}
    return render(request, "families/dashboard.html", context)


def _unread(*rows) -> None:
    """Put a placeholder where each encrypted value would be: the page renders the same
    without opening anything (the field's descriptor decrypts only ciphertext)."""
    for row in rows:
        for field in row._meta.concrete_fields:
            if isinstance(field, EncryptedField):
                row.__dict__[field.attname] = "·····"


def family_file(request: HttpRequest, reference: str) -> HttpResponse:
    """The same page (template, rows) without the gate, the access event or decryption."""
    family = get_object_or_404(Family.objects.select_related("scheme", "data_key"), reference=reference)
    context = selectors.family_file(family=family)
    _unread(family, *context["members"], *context["referrals"], *context["visits"])
    return render(
        request,
        "families/detail.html",
        {
            "family": family,
            "access": SimpleNamespace(may_change=True, full=False),
            "is_staff": True,
            "records_of_access": RecordOfAccess.objects.filter(file_kind=FileKind.FAMILY, file_id=family.pk),
            **context,
        },
    )


def my_families(request: HttpRequest) -> HttpResponse:
    ids = VolunteerAssignment.objects.filter(volunteer=request.user, ended_at__isnull=True).values("family")
    families = Family.objects.filter(pk__in=ids).select_related("scheme").order_by("number")
    return render(request, "families/my_families.html", {"families": families})


def review_sample(request: HttpRequest, review_id) -> HttpResponse:
    review = get_object_or_404(Review, pk=review_id)
    return _page([f.file_reference for f in review.files.all()])


def file_log(request: HttpRequest, reference: str) -> HttpResponse:
    family = get_object_or_404(Family, reference=reference)
    page = file_log_page(
        kind=FileKind.FAMILY, file_id=family.pk, made=family.created_at, number=request.GET.get("page")
    )
    return render(request, "access_log/file_log.html", {"reference": reference, "page": page, "kind": FileKind.FAMILY})


def statistics(request: HttpRequest) -> HttpResponse:
    """The same tables for the same scheme, rendered bare: no role check, no charts."""
    scheme = get_object_or_404(Scheme, code=request.GET.get("scheme", ""))
    stats = scheme_statistics(scheme=scheme, period="month", today=timezone.localdate())
    return _page([f"{t.title}: {t.rows}" for t in stats.tables])


class PlainMemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["kind"]


def member_save(request: HttpRequest, member_id) -> HttpResponse:
    """A plain Django edit: a ModelForm saved, a success message, a redirect; no gate,
    no access event, no history, and only a column stored in clear (nothing to encrypt)."""
    member = get_object_or_404(Member, pk=member_id)
    form = PlainMemberForm(request.POST, instance=member)
    if form.is_valid():
        member = form.save(commit=False)
        member.skip_history_when_saving = True
        member.save(update_fields=["kind"])
        messages.success(request, "Family member saved.")
        return redirect("bench_family_list")
    return HttpResponse(status=400)


class PlainReferralForm(forms.Form):
    """The referral form's fields, validated the plain Django way."""

    first_name = forms.CharField()
    last_name = forms.CharField()
    referrer_name = forms.CharField()
    reasons = forms.CharField()
    postcode = forms.CharField()


def family_create(request: HttpRequest) -> HttpResponse:
    """A plain Django create of the same rows as a referral (``plain_create``) and a
    redirect: no one-time token, no history, no access event."""
    form = PlainReferralForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    scheme = get_object_or_404(Scheme, code=request.GET.get("scheme", ""))
    family = plain_create(scheme=scheme, user=request.user, data=form.cleaned_data)
    messages.success(request, f"Family file {family.reference} opened from the referral.")
    return redirect("bench_family_file", reference=family.reference)


def plain_create(*, scheme: Scheme, user, data: dict) -> Family:
    """The same rows as a referral opens — the family with its own data key, the carer, the
    referral — sealed as in production (the fields encrypt on save), and the staff group's
    grant (a plain bulk insert), in one transaction: no history, no access event, no probes."""
    from django.contrib.auth.models import Permission
    from django.db import transaction
    from django.db.models import F

    from families.models import FamilyGroupObjectPermission, Referral
    from homestart.models import DataKey

    with transaction.atomic():
        Scheme.objects.filter(pk=scheme.pk).update(next_family_number=F("next_family_number") + 1)
        scheme.refresh_from_db(fields=["next_family_number"])
        number = scheme.next_family_number - 1
        family = Family(
            scheme=scheme,
            number=number,
            reference=Family.format_reference(scheme.code, number),
            data_key=DataKey.generate(),
            postcode=data["postcode"],
        )
        family.skip_history_when_saving = True
        family.save()
        member = Member(
            family=family, kind=Member.Kind.ADULT, first_name=data["first_name"], last_name=data["last_name"]
        )
        member.skip_history_when_saving = True
        member.save()
        referral = Referral(
            family=family,
            source=Referral.Source.HEALTH_VISITOR,
            referrer_name=data["referrer_name"],
            referred_on=timezone.localdate(),
            reasons=data["reasons"],
            family_consented=True,
            received_by=user,
        )
        referral.skip_history_when_saving = True
        referral.save()
        # The scheme's staff see the file, as in any application with object permissions:
        # otherwise these families would be withheld from the measured coordinator's list.
        FamilyGroupObjectPermission.objects.bulk_create(
            FamilyGroupObjectPermission(group_id=scheme.staff_group_id, permission=p, content_object=family)
            for p in Permission.objects.filter(
                content_type__app_label="families", codename__in=["view_family", "change_family"]
            )
        )
    return family
