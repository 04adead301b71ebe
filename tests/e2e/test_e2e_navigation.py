"""The menu on a desktop and on a phone: staff open a group to reach its links, a volunteer's few
links are there at once; the page being shown is marked, and every state passes axe-core (§2.1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.menu import menu_group

PHONE = {"width": 375, "height": 740}


@pytest.mark.e2e
@pytest.mark.policy("2.1")
def test_coordinator_opens_one_menu_group_at_a_time(page, sign_in, axe_check):
    sign_in(page, "coordinator")
    axe_check(page)
    nav = page.get_by_role("navigation", name="Menu")
    groups = nav.locator("details")
    expect(groups.locator("summary")).to_have_text(
        ["Families and groups", "People", "Safeguarding and consent", "Records and reporting", "Reviews and audit"]
    )
    # All closed: the links are not shown until a group is opened.
    expect(nav.get_by_role("link", name="Find a family")).to_be_hidden()

    families = menu_group(page, "Families and groups")
    expect(families.get_by_role("link")).to_have_text(
        ["Families", "Groups", "Find a family", "This week", "Visits agenda"]
    )
    axe_check(page)  # with a group open over the page

    # Opening another group closes the first.
    people = menu_group(page, "People")
    expect(people.get_by_role("link", name="Supervision")).to_be_visible()
    expect(families.get_by_role("link", name="Find a family")).to_be_hidden()

    # Escape closes it and leaves the keyboard on the group's name.
    people.get_by_role("link", name="Supervision").focus()
    page.keyboard.press("Escape")
    expect(people.get_by_role("link", name="Supervision")).to_be_hidden()
    expect(people.locator("summary")).to_be_focused()

    # The keyboard alone opens a group and follows a link.
    page.keyboard.press("Shift+Tab")
    expect(families.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    families.get_by_role("link", name="Find a family").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a family")
    axe_check(page)

    # The page shown is marked in the menu, inside a group marked as the current section.
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.locator("[aria-current=page]")).to_have_count(1)
    families = menu_group(page, "Families and groups")
    expect(families.get_by_role("link", name="Find a family")).to_have_attribute("aria-current", "page")
    expect(nav.locator(".govuk-service-navigation__item--active")).to_contain_text("Families and groups")
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("2.1", "8.3")
def test_volunteer_on_a_phone_reaches_their_pages_from_the_menu(page, sign_in, axe_check):
    page.set_viewport_size(PHONE)
    sign_in(page, "volunteer")
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    axe_check(page)
    nav = page.get_by_role("navigation", name="Menu")
    nav.get_by_role("button", name="Menu").click()
    # Their five links, at once: no groups to open, nothing for staff.
    expect(nav.get_by_role("link")).to_have_text(
        ["Find a family", "My families", "This week", "Supervision", "What I have opened"]
    )
    expect(nav.locator("details")).to_have_count(0)
    axe_check(page)
    box = nav.get_by_role("link", name="Supervision").bounding_box()
    assert box["height"] >= 44  # easy to tap (WCAG 2.5.5)
    nav.get_by_role("link", name="Supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision")
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("2.1")
def test_coordinator_on_a_phone_opens_a_group_in_place(page, sign_in, axe_check):
    page.set_viewport_size(PHONE)
    sign_in(page, "coordinator")
    axe_check(page)
    nav = page.get_by_role("navigation", name="Menu")
    nav.get_by_role("button", name="Menu").click()
    records = menu_group(page, "Records and reporting")
    link = records.get_by_role("link", name="Subject access")
    expect(link).to_be_visible()
    axe_check(page)
    # In place, under the group's name: tall enough to tap (44px, WCAG 2.5.5) and inside the screen.
    box = link.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    axe_check(page)
