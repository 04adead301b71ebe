"""A volunteer sees only the families assigned to them, in the minimal view (§8.5)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from families.models import Family


@pytest.mark.e2e
@pytest.mark.policy("8.5")
def test_volunteer_sees_only_their_two_families_and_no_referral_details(page, sign_in, axe_check):
    assigned = sorted(
        Family.objects.filter(
            assignments__volunteer__username="volunteer", assignments__ended_at__isnull=True
        ).values_list("reference", flat=True)
    )
    assert len(assigned) == 2, assigned

    # A mistyped password first: the sign-in page with its error is checked too.
    page.goto("/sign-in/")
    axe_check(page)
    page.get_by_label("Username").fill("volunteer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_title(r"Error: Sign in – Home-Start records")
    axe_check(page)

    sign_in(page, "volunteer")
    expect(page).to_have_url(re.compile(r"/my-families/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    links = page.locator(".app-family-list").get_by_role("link")
    expect(links).to_have_text(assigned)
    axe_check(page)

    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(assigned[0])
    axe_check(page)
    main = page.get_by_role("main")
    keys = main.locator(".govuk-summary-list__key")
    expect(keys).to_have_text(["Parents and carers", "Children", "Address", "Phone"])
    expect(main.get_by_role("heading", name="Your visit notes")).to_be_visible()
    # The minimal view: nothing of the referral, no history, nothing to change.
    seen = main.inner_text()
    for hidden in ["Reasons", "Referral", "Referred by", "Referrer", "History of changes", "Change contact details"]:
        assert hidden.lower() not in seen.lower(), f"the volunteer's view shows {hidden!r}"
    family = Family.objects.with_keys().get(reference=assigned[0])
    reasons = family.referrals.get().reasons
    assert reasons not in seen
