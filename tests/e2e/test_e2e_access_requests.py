"""Two people for every grant of access (§8.3): the administrator asked for Sefton's coordinator
to cover Wirral; Wirral's manager refuses without a reason (told why), then approves, and the
scheme's "who holds access" page names who asked and who approved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from homestart.models import Membership
from homestart.rules import Role
from tests.e2e.menu import menu_link

User = get_user_model()


@pytest.mark.e2e
@pytest.mark.policy("8.3")
def test_the_manager_approves_the_administrators_request_and_sees_who_holds_access(page, sign_in, axe_check):
    assert (
        not Membership.objects.current()
        .filter(user__username="coordinator2", scheme__code="WIR", role=Role.COORDINATOR)
        .exists()
    )
    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Access requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access requests")
    axe_check(page)
    waiting = page.get_by_role("table", name="Waiting for your approval")
    expect(waiting.locator("tbody tr")).to_have_count(1)
    expect(waiting.locator("tbody tr")).to_contain_text("Coordinator, Home-Start Wirral")

    waiting.get_by_role("link", name="Refuse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refuse an access request")
    axe_check(page)
    page.get_by_role("button", name="Refuse").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the request is refused.")
    axe_check(page)
    page.get_by_role("link", name="Back to access requests").click()
    axe_check(page)

    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: Coordinator, Home-Start Wirral")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your approval.")).to_be_visible()
    axe_check(page)
    assert (
        Membership.objects.current()
        .filter(user__username="coordinator2", scheme__code="WIR", role=Role.COORDINATOR)
        .exists()
    )

    page.get_by_role("link", name="Who holds access to Home-Start Wirral's files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who holds access to Home-Start Wirral's files")
    axe_check(page)
    # People are shown by name, never by username: who holds it, who asked, who approved.
    row = page.get_by_role("row").filter(has_text=_name("coordinator2"))
    expect(row).to_contain_text(_name("admin"))
    expect(row).to_contain_text(_name("manager"))


def _name(username: str) -> str:
    return User.objects.get(username=username).get_full_name()
