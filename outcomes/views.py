"""A family's outcomes: recording its scores and seeing its journey. Opened through the gate."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from access_log import gate
from homestart.errors import AccessRefused
from homestart.forms import form_error
from homestart.models import User
from homestart.once import form_once
from homestart.rules import Section

from . import selectors, services
from .charts import journey_chart
from .forms import AssessmentForm
from .models import Occasion


@require_GET
@never_cache
def family_outcomes(request: HttpRequest, reference: str) -> HttpResponse:
    """The family's journey; the volunteer sees what it chose to work on only (§8.5)."""
    access = gate.open_family(user=request.user, reference=reference, section=Section.OUTCOMES)
    if not access.full:
        return render(
            request,
            "outcomes/volunteer.html",
            {
                "reference": reference,
                "outcomes": selectors.volunteer_outcomes(access=access),
                "may_record": access.may_change_section(Section.OUTCOMES),
            },
        )
    family = access.family
    outcomes = selectors.journey(family=family)
    last = outcomes[-1] if outcomes else None
    return render(
        request,
        "outcomes/family.html",
        {
            "family": family,
            "assessments": outcomes,
            "chart": journey_chart(outcomes),
            "occasions": services.occasions_open(access=access, last=last)
            if access.may_change_section(Section.OUTCOMES)
            else [],
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@form_once
def assessment_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the family's scores at the start, a review or the end of support."""
    access = gate.open_family(user=request.user, reference=reference, section=Section.OUTCOMES, for_change=True)
    family = access.target
    occasions = services.occasions_open(access=access, last=services.last_assessment(family))
    back = "outcomes:family" if access.full else "families:detail"
    if not occasions:
        messages.error(request, _("Support is closed and its final scores are recorded: the file is read-only."))
        return redirect(back, reference=reference)
    wanted = request.GET.get("occasion", "")
    initial = {"assessed_on": timezone.localdate(), "occasion": wanted if wanted in occasions else occasions[0]}
    form = AssessmentForm(request.POST or None, occasions=occasions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_record(
                access=access,
                actor=cast(User, request.user),  # signed in: every page is behind sign-in
                occasion=data["occasion"],
                assessed_on=data["assessed_on"],
                scores=form.scores(),
                needs=data["needs"],
                signposting=data["signposting"],
                signposting_other=data["signposting_other"],
                own_words=data["own_words"],
            )
        except ValidationError as error:
            form_error(form, error)
        except AccessRefused as error:
            messages.error(request, str(error))
            return redirect(back, reference=reference)
        else:
            messages.success(
                request, _("%(occasion)s scores recorded.") % {"occasion": Occasion(data["occasion"]).label}
            )
            return redirect(back, reference=reference)
    return render(
        request,
        "outcomes/assessment_form.html",
        {"family": family, "reference": reference, "form": form, "full": access.full},
    )
