"""Browser journeys for the records lifecycle: a subject access request from
registration to release (§1.6, §8.7), and a retention run authorised by two
people (§8.8). Every page is checked with axe-core."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from families.models import Family
from homestart.crypto import KeyUnavailable
from records.models import DestructionCertificate, Disclosure
from tests.e2e.dates import fill_date
from tests.e2e.menu import menu_link


def _sign_out(page, axe_check) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Home-Start records")
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("1.6", "8.7")
def test_subject_access_request_from_registration_to_release(page, sign_in, axe_check):
    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Subject access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    axe_check(page)

    page.get_by_role("button", name="Register a request").click()
    axe_check(page)
    page.get_by_label("Family member").check()
    page.get_by_label("Family reference").fill("WIR-0002")
    page.get_by_label("Name of the person asking").fill("A parent of WIR-0002")
    page.get_by_role("button", name="Register request").click()
    # The date received was left empty: the error is shown, nothing is saved.
    expect(page.get_by_role("alert")).to_contain_text("Enter the date received")
    # The family is known now: the page asks which of its members the request is about.
    expect(page.get_by_role("alert")).to_contain_text("Choose who in the family the request is about.")
    axe_check(page)
    page.get_by_role("group", name="Who in the family the request is about").get_by_role("radio").first.check()
    fill_date(page, "Date received", datetime.date(2025, 1, 31))
    page.get_by_role("button", name="Register request").click()
    expect(page.get_by_text("Check the requester's identity next")).to_be_visible()
    # One calendar month from 31 January: the last day of February.
    expect(page.get_by_text("Friday 28 February 2025")).to_be_visible()
    axe_check(page)

    page.get_by_label("Evidence of identity seen").fill("Passport seen in person")
    page.get_by_role("button", name="Record identity check").click()
    expect(page.get_by_text("Identity check recorded.")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Read and print everything held").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information we hold about")
    expect(page.get_by_text("Who has opened the file (access log)")).to_be_visible()
    expect(page.get_by_text("About other people: review").first).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Back to the request").click()
    axe_check(page)

    page.get_by_role("button", name="Release the response").click()
    axe_check(page)
    page.get_by_label("Given to").fill("The parent, by hand")
    page.get_by_label("I have reviewed the information marked as about other people").check()
    page.get_by_role("button", name="Record the release").click()
    expect(page.get_by_text("recorded as a disclosure").first).to_be_visible()
    axe_check(page)
    assert Disclosure.objects.get().file_reference == "WIR-0002"


@pytest.mark.e2e
@pytest.mark.policy("8.8")
def test_retention_run_authorised_by_two_people(page, sign_in, axe_check):
    # The demo's one family past its retention date (the most recent Wirral file, closed long ago).
    due = Family.objects.filter(scheme__code="WIR", status=Family.Status.CLOSED).order_by("-number").first()
    ref = due.reference
    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Retention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention and secure destruction")
    axe_check(page)
    page.get_by_role("button", name=f"Propose destruction of {ref}").click()
    expect(page.get_by_text(f"{ref} proposed for destruction")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=f"Authorise destruction of {ref}").click()
    expect(page.get_by_text(f"Your authorisation to destroy {ref} is recorded.")).to_be_visible()
    axe_check(page)
    # The same person cannot give the second authorisation.
    page.get_by_role("button", name=f"Authorise destruction of {ref}").click()
    expect(page.get_by_text("A second, different person must authorise this destruction.")).to_be_visible()
    axe_check(page)
    _sign_out(page, axe_check)

    sign_in(page, "trustee")
    axe_check(page)
    menu_link(page, "Retention").click()
    axe_check(page)
    page.get_by_role("button", name=f"Authorise destruction of {ref}").click()
    expect(page.get_by_text(f"Your authorisation to destroy {ref} is recorded.")).to_be_visible()
    axe_check(page)
    _sign_out(page, axe_check)

    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Retention").click()
    axe_check(page)
    page.get_by_role("button", name=f"Destroy now {ref}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Destruction certificates")
    expect(page.get_by_text(f"{ref} destroyed.")).to_be_visible()
    axe_check(page)

    certificate = DestructionCertificate.objects.get()
    assert (certificate.first_authorised_by.username, certificate.second_authorised_by.username) == (
        "manager",
        "trustee",
    )
    with pytest.raises(KeyUnavailable):
        Family.objects.get(pk=due.pk).address  # noqa: B018
