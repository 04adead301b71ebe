"""`make screenshots`: pictures of the product as each role sees it, for the README and for
anyone deciding whether a change looks right.

Not part of the browser suite (the name does not start with test_): run by `make screenshots`,
against the seeded demo on the live server, with the Chromium the browser tests use. Each page
is also checked with axe-core, like every page the browser tests visit. The PNGs go to
docs/screenshots/: <what>-desktop.png (1280×800) and <what>-phone.png (390×844).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Each role's home page: the demo person who holds the role.
HOMES = {
    "coordinator": "coordinator",
    "manager": "manager",
    "volunteer": "volunteer",
    "safeguarding-lead": "safeguarding",
    "trustee": "trustee",
    "spot-check-trustee": "spotcheck",
    "reviewer": "reviewer",
    "auditor": "auditor",
    "administrator": "admin",
}


def _shoot(page, name: str, size: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", HOMES)
def test_home_page(role, size, page, sign_in, axe_check):
    page.set_viewport_size(SIZES[size])
    sign_in(page, HOMES[role])
    axe_check(page)
    _shoot(page, f"home-{role}", size)


@pytest.mark.parametrize("size", SIZES)
def test_referral_form_with_errors_and_a_family_file(size, page, sign_in, axe_check):
    page.set_viewport_size(SIZES[size])
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/families/new/")
    axe_check(page)
    page.locator("main form").last.locator("button[type=submit], input[type=submit]").first.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    _shoot(page, "referral-form-errors", size)
    page.goto("/families/WIR-0001/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
    _shoot(page, "family-file", size)
