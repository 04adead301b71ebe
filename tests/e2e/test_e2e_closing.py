"""Closing support from the family file, and the scheme manager reopening it (§8.8)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from families.models import Family


@pytest.mark.e2e
@pytest.mark.policy("8.8")
def test_coordinator_closes_support_and_the_manager_reopens_it(page, sign_in, axe_check):
    family = Family.objects.exclude(status=Family.Status.CLOSED).filter(scheme__code="WIR").order_by("number").first()
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto(f"/families/{family.reference}/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("^Close support")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close support")
    axe_check(page)
    page.get_by_role("button", name="Close support").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose why support ended.")
    axe_check(page)
    page.get_by_label("Family withdrew").check()
    page.get_by_label("Ending summary").fill("The family decided they no longer needed support.")
    page.get_by_role("button", name="Close support").click()
    expect(page.get_by_role("alert")).to_contain_text("The file is now read-only.")
    expect(page.get_by_text(re.compile("^Support ended on"))).to_be_visible()
    expect(page.get_by_role("button", name="Record a visit")).to_have_count(0)
    axe_check(page)
    page.goto(f"/families/{family.reference}/visits/new/")
    expect(page.get_by_role("region", name="Important")).to_contain_text("the file is read-only")
    expect(page).to_have_url(re.compile(rf"/families/{family.reference}/$"))
    axe_check(page)

    page.context.clear_cookies()
    sign_in(page, "manager")
    axe_check(page)
    page.goto(f"/families/{family.reference}/")
    axe_check(page)
    page.get_by_role("button", name="Reopen support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reopen support")
    axe_check(page)
    page.get_by_label("Why is support starting again?").fill("The family asked for support again.")
    page.get_by_role("button", name="Reopen support").click()
    expect(page.get_by_role("alert")).to_contain_text("reopened")
    page.get_by_text("Support closed and reopened").click()
    expect(page.get_by_text("The family asked for support again.")).to_be_visible()
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("8.8")
def test_a_destroyed_family_appears_as_its_tombstone(page, sign_in, axe_check):
    from homestart.models import User
    from records.retention import selectors
    from tests.records.destroy import destroy_family

    manager = User.objects.get(username="manager")
    family = Family.objects.get(pk=selectors.due_for_destruction(user=manager)[0].file_id)
    certificate = destroy_family(
        family,
        coordinator=User.objects.get(username="coordinator"),
        manager=manager,
        trustee=User.objects.get(username="trustee"),
    )
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/families/")  # from their home to the families list
    axe_check(page)
    page.get_by_role("link", name="Closed families").click()
    expect(page.get_by_text(f"destruction certificate no. {certificate.pk}")).to_be_visible()
    axe_check(page)
    response = page.goto(f"/families/{family.reference}/")
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{family.reference} was destroyed")
    axe_check(page)
