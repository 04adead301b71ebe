"""A coordinator opens a family file from a referral (the empty form's messages, the answers
checked, then the file opened), records a visit and finds the family again."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.dates import date_group, fill_date
from tests.e2e.menu import menu_link

CONSENT_ERROR = "The scheme accepts a referral only when the family has consented to it (§7.1)."
# Invented contact details, outside the demo's outcodes so the search has one answer.
POSTCODE_ENTERED = "CH47 3BW"
POSTCODE_SEARCHED = "ch473bw"
EMPTY_FORM_ERRORS = [
    "Select who referred the family",
    "Enter the date of referral",
    "Enter the reasons for referral",
    "Enter the parent or carer's first name",
    "Enter the parent or carer's last name",
]


@pytest.mark.e2e
@pytest.mark.policy("7.1")
@pytest.mark.policy("8.2")
def test_coordinator_opens_family_file_only_with_consent_then_records_visit_and_finds_it_by_postcode(
    page, sign_in, axe_check
):
    sign_in(page, "coordinator")
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing today")
    axe_check(page)
    page.get_by_role("main").get_by_role("link", name="Families", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Families")
    axe_check(page)

    page.get_by_role("button", name="New family from a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New family from a referral")
    axe_check(page)

    # Sent empty: each missing answer is named in its own words, and linked to its field.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in EMPTY_FORM_ERRORS:
        expect(summary.get_by_role("link", name=message, exact=True)).to_be_visible()
    expect(summary).not_to_contain_text("This field is required")
    axe_check(page)
    summary.get_by_role("link", name="Enter the date of referral", exact=True).click()
    expect(date_group(page, "Date of referral").get_by_label("Day", exact=True)).to_be_focused()

    referred_on = datetime.date.today() - datetime.timedelta(days=3)
    page.get_by_label("Health visitor").check()
    fill_date(page, "Date of referral", referred_on)
    page.get_by_label("Referrer's name").fill("Morag Ellison")
    page.get_by_label("Referrer's organisation").fill("Health visiting team")
    page.get_by_label("Reasons for referral").fill("Twins aged four months; mum would like support getting out.")
    page.get_by_label("Parent or carer's first name").fill("Tamsin")
    page.get_by_label("Parent or carer's last name").fill("Greenhalgh")
    page.get_by_label("Relationship to the children").fill("mother")
    page.get_by_label("Address").fill("27 Lighthouse Walk\nHoylake")
    page.get_by_label("Postcode").fill(POSTCODE_ENTERED)
    consent = page.get_by_label("The family has consented to this referral")
    expect(consent).not_to_be_checked()

    # §7.1: without the family's consent the referral goes no further.
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    summary_link = summary.get_by_role("link", name=re.compile(re.escape(CONSENT_ERROR)))
    expect(summary_link).to_have_attribute("href", "#id_family_consented")
    expect(page.locator("#id_family_consented-error")).to_contain_text(CONSENT_ERROR)
    expect(consent).to_have_attribute("aria-describedby", re.compile(r"id_family_consented-error"))
    expect(page).to_have_title(re.compile(r"^Error: New family from a referral"))
    # What was typed is kept, so the coordinator only has to tick the box.
    expect(page.get_by_label("Parent or carer's last name")).to_have_value("Greenhalgh")
    expect(date_group(page, "Date of referral").get_by_label("Year", exact=True)).to_have_value(str(referred_on.year))
    axe_check(page)

    summary_link.click()
    expect(consent).to_be_focused()
    consent.check()
    page.get_by_role("button", name="Continue").click()

    # Check your answers: nothing is saved until "Open family file".
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the referral before the family file is opened")
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text("Greenhalgh")
    expect(answers).to_contain_text(f"{referred_on.day} {referred_on:%B %Y}")
    axe_check(page)
    open_file = page.get_by_role("button", name="Open family file")
    expect(open_file).to_have_attribute("data-prevent-double-click", "true")
    open_file.click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^WIR-00\d\d$"))
    reference = heading.inner_text()
    expect(page).to_have_url(re.compile(rf"/families/{reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Family file {reference} opened from the referral.")
    expect(page.get_by_role("cell", name="Tamsin Greenhalgh")).to_be_visible()
    expect(page.get_by_text(POSTCODE_ENTERED, exact=True)).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Record a visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a visit")
    axe_check(page)
    page.get_by_label("Review visit").check()
    page.get_by_label("Notes").fill("Met mum and the twins; agreed weekly visits on Tuesdays.")
    page.get_by_role("button", name="Save visit").click()
    expect(page.get_by_role("alert")).to_contain_text("Visit recorded.")
    visits = page.get_by_role("table", name="Visits")
    expect(visits.get_by_role("row").filter(has_text="Review visit")).to_contain_text(
        "agreed weekly visits on Tuesdays"
    )
    axe_check(page)

    menu_link(page, "Find a family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a family")
    axe_check(page)
    page.get_by_label("Family reference, surname or postcode").fill(POSTCODE_SEARCHED)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("1 family found")
    expect(page.get_by_role("main").get_by_role("link", name=reference)).to_be_visible()
    axe_check(page)
