"""Welsh in the browser (issue 17.8): a coordinator chooses Cymraeg on their account page,
the pages speak Welsh (``<html lang="cy">``), the family file and the families list with
them, and, once signed out, the sign-in page still does; the family's information sheet
prints in Welsh. Every page is checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.mark.e2e
@pytest.mark.policy("1.1")
def test_coordinator_switches_to_welsh(page, sign_in, axe_check):
    sign_in(page, "coordinator")
    axe_check(page)
    page.get_by_role("link", name="Your account").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    axe_check(page)

    page.get_by_role("link", name="Change the language", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Language")
    axe_check(page)
    page.get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Save").click()

    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_text("Mae'r tudalennau yn Gymraeg nawr.")).to_be_visible()
    expect(page.get_by_text("Cyfrinachol:")).to_be_visible()
    axe_check(page)

    # The family's information sheet, printed in Welsh.
    page.goto("/families/WIR-0001/consent/information-sheet/?language=cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sut rydyn ni'n cadw eich gwybodaeth yn gyfrinachol")
    expect(page.get_by_role("link", name="English", exact=True)).to_be_visible()
    axe_check(page)

    # The family file and the families list: the header, the menu and the headings in Welsh.
    page.goto("/families/WIR-0001/")
    expect(page.get_by_text("Ffeil teulu", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Aelodau'r teulu")).to_be_visible()
    expect(page.get_by_role("navigation", name="Dewislen")).to_be_visible()
    expect(page.get_by_role("link", name="Yn ôl i'r teuluoedd")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Yn ôl i'r teuluoedd").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teuluoedd")
    axe_check(page)

    # Signed out, the language cookie keeps the sign-in page in Welsh.
    page.get_by_role("button", name="Allgofnodi").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("link", name="English – newid yr iaith")).to_be_visible()
    axe_check(page)
