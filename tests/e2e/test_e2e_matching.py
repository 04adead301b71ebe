"""Assigning a volunteer with a suggested match (issue 15.4): the coordinator asks for a language,
the suggestions say why in words, choosing one fills the form, and the family file names the
volunteer by full name and role (issue 15.5)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from families.models import Family
from homestart.models import User


@pytest.mark.e2e
@pytest.mark.policy("8.3")
def test_coordinator_assigns_a_suggested_volunteer(page, sign_in, axe_check):
    family = (
        Family.objects.filter(scheme__code="WIR")
        .exclude(status=Family.Status.CLOSED)
        .exclude(assignments__volunteer__username="volunteer", assignments__ended_at__isnull=True)
        .order_by("number")
        .first()
    )
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto(f"/families/{family.reference}/assignments/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a volunteer")
    axe_check(page)
    page.get_by_text("Match on language and times").click()
    page.get_by_label("Language the family would like").fill("Polish")
    page.get_by_label("Tuesday morning").check()
    page.get_by_role("button", name="Show matches").click()
    first = page.locator("table.govuk-table tbody tr").first
    expect(first).to_contain_text("Vicky Tranmere")
    expect(first).to_contain_text(re.compile(r"speaks Polish, free Tuesday morning, \d famil(y|ies) now", re.I))
    axe_check(page)
    first.get_by_role("link", name=re.compile("Choose")).click()
    vicky = User.objects.get(username="volunteer")
    expect(page.get_by_label("Volunteer", exact=True)).to_have_value(str(vicky.pk))
    axe_check(page)
    page.get_by_role("button", name="Assign volunteer").click()
    expect(page.get_by_role("alert")).to_contain_text("Volunteer assigned.")
    expect(page.get_by_text("Vicky Tranmere").first).to_be_visible()
    axe_check(page)
