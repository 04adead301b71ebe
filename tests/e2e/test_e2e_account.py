"""Your account in the browser: changing your own password, with the error shown
next to the field (§8.2; OWASP ASVS 6.2.2, 6.2.3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD


@pytest.mark.e2e
@pytest.mark.policy("8.2")
def test_volunteer_changes_their_own_password(page, sign_in, axe_check):
    sign_in(page, "volunteer")
    axe_check(page)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    axe_check(page)
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    axe_check(page)

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your current password is not right")
    expect(page.locator("#id_old_password-error")).to_contain_text("Your current password is not right")
    axe_check(page)

    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    axe_check(page)
