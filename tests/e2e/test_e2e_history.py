"""Browser journeys through history pages: from a record's page to who changed what, by name
(§8.2, §8.3). Every page is checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.menu import menu_link


@pytest.mark.e2e
@pytest.mark.policy("8.2", "8.3")
def test_coordinator_reads_the_history_of_a_family_file_and_a_volunteer_file(page, sign_in, axe_check):
    sign_in(page, "coordinator")
    page.goto("/families/WIR-0001/")
    page.get_by_role("link", name="History of changes to this file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of changes")
    # People by name, never by username; changes in words.
    expect(page.get_by_role("cell", name="Cora Prenton").first).to_be_visible()
    expect(page.get_by_role("cell", name="coordinator", exact=True)).to_have_count(0)
    axe_check(page)

    menu_link(page, "People's files").click()
    page.get_by_role("link", name="WIR-V-0001").click()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of changes")
    expect(page.get_by_text("Full name: Vicky Tranmere")).to_be_visible()
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("8.2")
def test_manager_reads_who_held_which_role(page, sign_in, axe_check):
    sign_in(page, "manager")
    menu_link(page, "Roles held").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of changes")
    expect(page.get_by_role("cell", name="Cora Prenton: Coordinator")).to_be_visible()
    axe_check(page)
