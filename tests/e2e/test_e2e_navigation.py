"""The menu on a desktop and on a phone: staff have their daily pages in the bar and the rest
under "More", a volunteer's few links are there at once; the page being shown is marked, and every
state passes axe-core (§2.1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.menu import menu_group

PHONE = {"width": 375, "height": 740}


DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.e2e
@pytest.mark.policy("2.1")
def test_coordinator_reaches_daily_pages_in_one_click_and_the_rest_under_more(page, sign_in, axe_check):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "coordinator")
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing today")
    axe_check(page)
    nav = page.get_by_role("navigation", name="Menu")
    items = nav.locator(".govuk-service-navigation__list > li")
    expect(items).to_have_count(6)
    expect(items.locator("> a")).to_have_text(["Home", "Families", "Visits agenda", "Find a family", "Safeguarding"])
    expect(items.locator("> details > summary")).to_have_text("More")
    # One line at 1280 px: every item's top is the first item's.
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(6))}
    assert len(tops) == 1, tops
    # Closed: the rest are not shown until "More" is opened.
    expect(nav.get_by_role("link", name="Subject access")).to_be_hidden()

    more = menu_group(page, "More")
    expect(more.get_by_role("link", name="Subject access")).to_be_visible()
    axe_check(page)  # with the menu open over the page

    # Escape closes it and leaves the keyboard on "More".
    more.get_by_role("link", name="Subject access").focus()
    page.keyboard.press("Escape")
    expect(more.get_by_role("link", name="Subject access")).to_be_hidden()
    expect(more.locator("summary")).to_be_focused()

    # The keyboard alone opens it and follows a link.
    page.keyboard.press("Enter")
    more.get_by_role("link", name="Groups").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    axe_check(page)

    # The page shown is marked in the menu, and "More" as the current section.
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.locator("[aria-current=page]")).to_have_count(1)
    expect(nav.locator(".govuk-service-navigation__item--active")).to_contain_text("More")

    # A daily page is one click away.
    nav.get_by_role("link", name="Find a family", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a family")
    axe_check(page)
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find a family")).to_have_attribute(
        "aria-current", "page"
    )


@pytest.mark.e2e
@pytest.mark.policy("2.1", "8.3")
def test_volunteer_on_a_phone_reaches_their_pages_from_the_menu(page, sign_in, axe_check):
    page.set_viewport_size(PHONE)
    sign_in(page, "volunteer")
    expect(page.get_by_role("heading", level=1)).to_have_text("This week")
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
def test_coordinator_on_a_phone_opens_more_in_place(page, sign_in, axe_check):
    page.set_viewport_size(PHONE)
    sign_in(page, "coordinator")
    axe_check(page)
    nav = page.get_by_role("navigation", name="Menu")
    button = nav.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Families", exact=True)).to_be_hidden()
    # A disclosure button, by keyboard.
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Families", exact=True)).to_be_visible()
    more = menu_group(page, "More")
    link = more.get_by_role("link", name="Subject access")
    expect(link).to_be_visible()
    axe_check(page)
    # In place, under "More": tall enough to tap (44px, WCAG 2.5.5) and inside the screen.
    box = link.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    axe_check(page)
