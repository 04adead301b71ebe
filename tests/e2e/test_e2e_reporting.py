"""Trustees see figures and anonymous case studies; a case study is released only once
no identifier is left (§3.2, §3.3, §7.5)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from families.models import Family
from tests.e2e.dates import fill_date
from tests.e2e.menu import menu_link


@pytest.mark.e2e
@pytest.mark.policy("3.2", "3.3")
def test_trustee_views_the_statistics_a_chart_and_a_released_case_study(page, sign_in, axe_check):
    sign_in(page, "trustee")
    axe_check(page)
    menu_link(page, "Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    chart = page.get_by_role("img", name=re.compile(r"^Families referred by month"))
    expect(chart).to_be_visible()
    expect(page.locator("#table-referred_closed")).to_contain_text("Total")
    axe_check(page)
    assert "/families/" not in page.content()

    page.get_by_label("By quarter").check()  # two choices: radios, not a select
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name=re.compile(r"^Families referred by quarter"))).to_be_visible()
    axe_check(page)

    menu_link(page, "Case studies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies")
    axe_check(page)
    page.get_by_role("link", name="From isolation to confidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("From isolation to confidence")
    axe_check(page)
    assert not re.search(r"WIR-\d{4}", page.content())


@pytest.mark.e2e
@pytest.mark.policy("3.3", "7.5")
def test_coordinator_writes_a_case_study_fixes_the_flagged_identifiers_and_a_manager_releases_it(
    page, sign_in, axe_check
):
    family = Family.objects.with_keys().get(reference="WIR-0005")
    carer = family.members.filter(kind="adult").first()
    child = family.members.filter(kind="child").first()

    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/families/WIR-0005/")
    axe_check(page)
    page.get_by_role("button", name="Write a case study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a case study")
    axe_check(page)
    page.get_by_label("Title").fill("A new start")
    page.get_by_label("Case study").fill(
        f"{carer.first_name} and {child.first_name} were referred from {family.postcode}. "
        "A volunteer visited every week and the family grew in confidence."
    )
    page.get_by_label(re.compile("The family consented")).check()
    fill_date(page, "Date the family gave consent", datetime.date(2026, 1, 5))
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Case study draft")
    flagged = page.locator("#identifiers li")
    expect(flagged).to_have_count(3)
    expect(page.locator(".app-case-study mark")).to_have_count(3)
    axe_check(page)

    page.get_by_label("Case study", exact=True).fill(
        "A parent and a young child were referred by their health visitor. "
        "A volunteer visited every week and the family grew in confidence."
    )
    page.get_by_role("button", name="Save and check again").click()
    expect(page.locator("#no-identifiers")).to_be_visible()
    axe_check(page)
    # The coordinator asks for the release; the scheme manager, another person, approves it (§3.3).
    page.get_by_role("button", name="Ask for release to trustees and funders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Release of a case study")
    expect(page.get_by_text("awaiting approval")).to_be_visible()
    axe_check(page)
    # The manager signs in on their own and finds it on the Approvals page.
    page.get_by_role("button", name="Sign out").click()
    axe_check(page)
    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    row = page.get_by_role("table", name="Waiting for your approval, oldest first").locator("tbody tr")
    row = row.filter(has_text="WIR-0005").filter(has_text="Release of a case study")
    expect(row).to_contain_text("Cora Prenton")
    axe_check(page)
    row.get_by_role("link", name="Release of a case study").click()
    expect(page.get_by_text("A new start")).to_be_visible()
    axe_check(page)
    page.get_by_label(re.compile("^Approve")).check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Approved: it has happened, in your name.")
    axe_check(page)
    menu_link(page, "Case studies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case studies")
    axe_check(page)
    page.get_by_role("link", name="A new start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A new start")
    axe_check(page)
