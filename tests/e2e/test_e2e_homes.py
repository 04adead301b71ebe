"""Each role's home, as each demo person lands on it after signing in, at desktop and phone size:
their own work and not another role's, with 0 axe-core violations at both sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Demo person -> (the page's heading, the part of their home they must see).
HOMES = {
    "coordinator": ("What needs doing today", "Families"),
    "manager": ("What needs doing today", "Families"),
    "safeguarding": ("Your work", "Open concerns"),
    "trustee": ("Your work", "The Board"),
    "spotcheck": ("Your work", "Your reviews"),
    "reviewer": ("Your work", "Your reviews"),
    "auditor": ("Your work", "Your audit sessions"),
    "admin": ("Your work", "Administration"),
}
PARTS = {part for _, part in HOMES.values()}


@pytest.mark.e2e
def test_each_role_lands_on_its_own_home_at_desktop_and_phone_size(new_page, sign_in, axe_check):
    for person, (heading, part) in HOMES.items():
        page = new_page()
        page.set_viewport_size(DESKTOP)
        sign_in(page, person)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        parts = page.locator("main h2.govuk-heading-m")
        expect(parts.filter(has_text=part)).to_have_count(1)
        shown = set(parts.all_inner_texts()) & PARTS
        others = {p for p in PARTS if p != part and not (person == "spotcheck" and p == "The Board")}
        assert not shown & others, (person, shown)
        axe_check(page)
        page.set_viewport_size(PHONE)
        axe_check(page)
        page.context.close()
    # A volunteer's home is their week (issue 15.1, 17.2).
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, "volunteer")
    expect(page.get_by_role("heading", level=1)).to_have_text("This week")
    axe_check(page)
