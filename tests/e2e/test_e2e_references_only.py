"""The coordinator's dashboard can show references only, for a screen others can see (§8.6)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from families.listing import Page
from families.models import Family, Member
from tests.e2e.menu import menu_link


def carer_names(scheme_code: str) -> list[str]:
    adults = Member.objects.filter(kind=Member.Kind.ADULT, family__scheme__code=scheme_code).select_related(
        "family__data_key"
    )
    return sorted({name for m in adults for name in (m.first_name, m.last_name) if name})


@pytest.mark.e2e
@pytest.mark.policy("8.6")
def test_coordinator_switches_dashboard_to_references_only_and_no_carer_name_is_shown(page, sign_in, axe_check):
    names = carer_names("WIR")
    assert names
    # The list shows open families unless asked for closed ones (§8.8).
    family_count = Family.objects.filter(scheme__code="WIR").exclude(status=Family.Status.CLOSED).count()

    sign_in(page, "coordinator")
    page.goto("/families/")  # from their home (what needs doing today) to the families list
    shown_first = Page(rows=[None] * min(family_count, 25), start=1, total=family_count, exact=family_count <= 25)
    table = page.get_by_role("table", name=f"Families {shown_first.label}")
    expect(table.get_by_role("columnheader")).to_have_text(["Reference", "Parent or carer", "Status", "Volunteer"])
    shown = page.get_by_role("main").inner_text()
    assert any(name in shown for name in names), "the detailed list should show carers' names"
    axe_check(page)

    page.get_by_role("button", name="Show references only").click()
    expect(page.get_by_text("Showing references only")).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_text(["Reference"])
    expect(table.get_by_role("link")).to_have_count(min(family_count, 25))
    axe_check(page)
    body = page.locator("body").inner_text()
    leaked = [name for name in names if name in body]
    assert not leaked, f"carer names shown in references-only mode: {leaked}"

    # The choice holds for the session, until the coordinator switches back.
    menu_link(page, "Families").click()
    expect(page.get_by_role("button", name="Show details")).to_be_visible()
    axe_check(page)
    body = page.locator("body").inner_text()
    assert not [name for name in names if name in body]
