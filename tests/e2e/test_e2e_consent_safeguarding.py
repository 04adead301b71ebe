"""Consent at the initial visit, a safeguarding disclosure without consent, and a police request
reaching the trustees (§1.1, §1.2, §2.1, §2.2, §7.3, §10.3)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.dates import copy_date
from tests.e2e.menu import menu_link

GENERAL = re.compile(r"^General information about the kind and level of support")


@pytest.mark.e2e
@pytest.mark.policy("1.1", "1.2", "7.3")
def test_coordinator_records_statement_and_consent_then_sends_general_update(page, sign_in, axe_check):
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/families/WIR-0007/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("^Confidentiality statement, consents")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confidentiality and consent")
    axe_check(page)

    page.get_by_role("button", name="Record the confidentiality statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the confidentiality statement")
    axe_check(page)
    page.get_by_role("group", name="Given to").get_by_role("radio").first.check()
    page.get_by_label("I explained Home-Start's position on confidentiality verbally").check()
    page.get_by_label("I gave the family the written information sheet").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Confidentiality statement recorded.")
    expect(page.get_by_role("cell", name="Verbally and in writing")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Record consent").click()
    axe_check(page)
    page.get_by_role("group", name="Which parent or carer gave consent?").get_by_role("radio").first.check()
    page.get_by_label(GENERAL).check()
    page.get_by_label("The referrer").check()
    page.get_by_label("In writing").check()
    page.get_by_role("button", name="Save consent").click()
    expect(page.get_by_role("alert")).to_contain_text("Consent recorded.")
    expect(page.get_by_text("In force")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Send an update to the referrer or an agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send an update to the referrer or an agency")
    axe_check(page)
    page.get_by_label(GENERAL).check()
    page.get_by_label("Summary of what you shared").fill("Weekly volunteer visits started; family settling in.")
    page.get_by_label("The family was told", exact=True).check()
    copy_date(page, "Date shared", "Date the family was told")
    page.get_by_role("button", name="Record what was shared").click()
    expect(page.get_by_role("alert")).to_contain_text("Communication recorded in the disclosure register.")
    expect(page.get_by_role("cell", name="Weekly volunteer visits started; family settling in.")).to_be_visible()
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("2.1", "2.2")
def test_safeguarding_lead_records_concern_and_discloses_to_childrens_services_without_telling_family(
    page, sign_in, axe_check
):
    sign_in(page, "safeguarding")
    axe_check(page)
    menu_link(page, "Safeguarding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding")
    axe_check(page)
    page.get_by_label("Open a family's safeguarding record").fill("WIR-0008")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding")
    expect(page.get_by_text("WIR-0008")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Raise a concern").click()
    axe_check(page)
    expect(page.locator(".govuk-warning-text").first).to_contain_text("If a child is in immediate danger, call 999")
    all_children = page.get_by_label("All the children")
    if all_children.count():
        all_children.check()
    page.get_by_label("Neglect").check()
    page.get_by_label("What did you see or hear?").fill("The baby was left in a wet nappy all day; no heating on.")
    page.get_by_role("button", name="Record concern").click()
    expect(page.get_by_role("alert")).to_contain_text("Concern recorded.")
    axe_check(page)

    page.get_by_role("link", name="Disclosure register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosure register")
    axe_check(page)
    page.get_by_role("button", name="Record a disclosure").click()
    axe_check(page)
    page.get_by_label("Children's services (local authority)").check()
    page.get_by_label("Recipient's name and organisation").fill("Wirral children's services, duty team")
    page.get_by_label(re.compile("^Welfare and protection of a child")).check()
    page.get_by_label("Summary of what was shared").fill("The concern as recorded and the family's address.")
    page.get_by_label("Justification").fill("A baby at risk of neglect: necessary for the child's protection.")
    page.get_by_label("The family was not told", exact=True).check()
    page.get_by_label("Why the family was not told").fill("Telling mum first could put the baby at greater risk.")
    page.get_by_role("button", name="Record disclosure").click()
    # Without consent it waits for a second person: nothing is shared yet (§2.1, §7.4).
    important = page.get_by_role("region", name="Important")
    expect(important).to_contain_text("Waiting for approval by the safeguarding lead or the manager")
    expect(page.get_by_text("Nothing has been shared outside Home-Start.")).to_be_visible()
    expect(page.get_by_role("link", name="awaiting approval")).to_be_visible()
    axe_check(page)

    # The manager, another person, signs in and approves it on the Approvals page.
    page.get_by_role("button", name="Sign out").click()
    axe_check(page)
    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    waiting = page.get_by_role("table", name="Waiting for your approval, oldest first").locator("tbody tr")
    row = waiting.filter(has_text="WIR-0008")
    expect(row).to_contain_text("Sam Eastham")
    axe_check(page)
    row.get_by_role("link", name="Disclosure without consent").click()
    expect(page.get_by_text("The concern as recorded and the family's address.")).to_be_visible()
    axe_check(page)
    page.get_by_label(re.compile("^Approve")).check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Approved: it has happened, in your name.")
    axe_check(page)
    page.goto("/families/WIR-0008/disclosures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosure register")
    expect(page.get_by_text("No: Telling mum first could put the baby at greater risk.")).to_be_visible()
    expect(page.get_by_text("Welfare and protection of a child or vulnerable adult")).to_be_visible()
    # The register names who approved it and who asked, by name (§2.1).
    approval = page.get_by_text(re.compile("^Approved by Maggie Lingham.* on "))
    expect(approval).to_be_visible()
    expect(approval).to_contain_text("asked by Sam Eastham")
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("10.3")
def test_police_request_reaches_the_trustees(page, browser, sign_in, axe_check, demo, visits):
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/families/WIR-0009/safeguarding/")
    axe_check(page)
    page.get_by_role("button", name="Log a police or court request").click()
    axe_check(page)
    page.get_by_label("Police request").check()
    page.get_by_label("Who asked").fill("DC Harrison, Merseyside Police, 0151 000 0000")
    page.get_by_label("What was asked for").fill("The mother's address history")
    page.get_by_role("button", name="Log request").click()
    expect(page.get_by_role("alert")).to_contain_text("Request logged. The trustees have been told.")
    # The decision itself takes two people: one decides, another approves (§10.3).
    expect(
        page.get_by_text("The safeguarding lead or the manager decides this request, and another of them approves")
    ).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    axe_check(page)
    sign_in(page, "trustee")
    axe_check(page)
    menu_link(page, "Police and court requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Police and court requests")
    expect(page.get_by_role("cell", name="Police request")).to_be_visible()
    expect(page.get_by_text("Harrison")).to_have_count(0)
    expect(page.get_by_text("WIR-0009")).to_have_count(0)
    axe_check(page)
