"""The policy kept, as the people who oversee it see it (§3.8): a coordinator records a volunteer's
induction (with the peer-support guidance, §5.3), a trustee finds who is inducted and reads how each
clause of the policy is kept and which tests prove it. Every page passes axe-core."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from homestart.models import Induction
from tests.e2e.dates import fill_date
from tests.e2e.menu import menu_link


@pytest.mark.e2e
@pytest.mark.policy("3.8", "5.1", "5.3")
def test_a_coordinator_records_an_induction_and_a_trustee_reads_how_the_policy_is_kept(
    page, new_page, sign_in, axe_check
):
    sign_in(page, "coordinator")
    axe_check(page)
    menu_link(page, "Inductions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inductions in Home-Start Wirral")
    axe_check(page)
    page.get_by_role("button", name="Record the induction").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_role("group", name="Who was inducted").get_by_label("Vicky Tranmere").check()  # a few: radios
    fill_date(page, "Date of the induction", datetime.date.today() - datetime.timedelta(days=1))
    page.get_by_label("I gave them the Confidentiality Policy and procedure").check()
    page.get_by_label("I told them to keep the confidentiality").check()
    page.get_by_label("I gave them the peer-support guidance (volunteers)").check()
    page.get_by_role("button", name="Record the induction").click()
    expect(page.get_by_text("Induction recorded: Vicky Tranmere")).to_be_visible()
    axe_check(page)
    assert Induction.objects.filter(person__username="volunteer", inducted_by__username="coordinator").exists()

    trustee = new_page()
    sign_in(trustee, "trustee")
    axe_check(trustee)
    menu_link(trustee, "Inductions").click()
    expect(trustee.get_by_role("row").filter(has_text="Vicky Tranmere").first).to_contain_text("by Cora Prenton")
    axe_check(trustee)
    menu_link(trustee, "How this system keeps the policy").click()
    expect(trustee.get_by_role("heading", level=1)).to_have_text("How this system keeps the policy")
    axe_check(trustee)
    clause = trustee.locator("#clause-5-3")
    expect(clause).to_contain_text("Volunteers meeting together for peer support do not share information")
    clause.locator("summary").click()
    expect(clause.get_by_text("Volunteers see the peer support guidance beside their families")).to_be_visible()
    axe_check(trustee)
