"""The home page: the landing page after signing in, with a part for each role the person holds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors
from .selectors import Part


@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own work first: a volunteer's week, a trustee's Board papers, a reviewer's
    reviews, the safeguarding lead's open concerns; coordinators and managers what is due today.
    A volunteer and nothing else goes straight to their week (or their families)."""
    page = selectors.home_for(user=request.user)  # type: ignore[arg-type]  # behind sign-in
    if page.parts == [Part.VOLUNTEER]:
        return redirect(page.context["week_url"] or "families:my_families")
    return render(request, "home/home.html", {"parts": page.parts, "part": Part, **page.context})
