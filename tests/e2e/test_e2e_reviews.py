"""Spot checks and quality reviews: a sampled file opens only after its Record of Access is signed (§8.3, §9.1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from access_log.models import AccessEvent, Review
from families.models import Family
from homestart.rules import Outcome
from tests.e2e.menu import menu_link

DECLARATION_ERROR = "Confirm the declaration to sign the Record of Access."
# What the reader of a sampled file must never be offered: every change to the file.
CHANGE_ACTIONS = re.compile(r"^(Change|Add|Record a visit|Assign a volunteer|End assignment)")


def expect_read_only(page: Page) -> None:
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=CHANGE_ACTIONS)).to_have_count(0)
    expect(main.get_by_role("button", name=CHANGE_ACTIONS)).to_have_count(0)
    # The access log and history of changes are for the scheme's coordinator and manager.
    expect(main.get_by_role("link", name="Who opened this file")).to_have_count(0)
    expect(main.get_by_role("link", name="History of changes to this file")).to_have_count(0)
    expect(main.get_by_text("You cannot change it.")).to_be_visible()


def expect_signature_on_inside_front_cover(page: Page, *, name: str, role: str, purpose: str) -> None:
    """The Record of Access is the first thing in the file, newest signature first (§9.1)."""
    main = page.get_by_role("main")
    # The file's first section (after any notification banner).
    expect(main.locator("h2.govuk-heading-m").first).to_have_text("Record of Access")
    rows = main.get_by_role("table", name="Record of Access, newest first").locator("tbody tr")
    expect(rows.first.locator("td")).to_have_text([re.compile(r"\d{4}, \d\d:\d\d$"), name, role, purpose])


def sign_in_and_open_reviews(page: Page, sign_in, axe_check, username: str) -> None:
    sign_in(page, username)
    # Reviewers land on their reviews, and see no family file until they open one from a sample (§8.3).
    expect(page.get_by_role("heading", level=2, name="Your reviews")).to_be_visible()
    axe_check(page)
    menu_link(page, "Reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews and spot checks")
    axe_check(page)


@pytest.mark.e2e
@pytest.mark.policy("8.3")
@pytest.mark.policy("9.1")
def test_spot_check_trustee_opens_a_sampled_file_read_only_after_signing_its_record_of_access_and_nothing_else(
    page, sign_in, axe_check
):
    review = Review.objects.open_now().get(reviewer__username="spotcheck")
    sampled = set(review.files.values_list("file_reference", flat=True))
    assert len(sampled) == 3
    outside = Family.objects.filter(scheme__code="WIR").exclude(reference__in=sampled).order_by("number").first()

    sign_in_and_open_reviews(page, sign_in, axe_check, "spotcheck")
    reviews = page.get_by_role("table", name="Your reviews")
    expect(reviews.locator("tbody tr")).to_have_count(1)
    expect(reviews.locator("tbody tr td")).to_have_text(
        ["Home-Start Wirral", "Trustee spot check", re.compile(r" to "), "Open"]
    )

    # A spot-check trustee samples only their own scheme, and one open review at a time.
    page.get_by_role("button", name="Draw a sample").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draw a sample of files")
    expect(page.get_by_label("Scheme").locator("option")).to_have_text(["Home-Start Wirral (WIR)"])
    axe_check(page)
    page.get_by_label("Number of family files to sample").fill("3")
    page.get_by_role("button", name="Draw sample").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You already have an open review of this scheme. Close it first."
    )
    axe_check(page)
    assert Review.objects.filter(reviewer__username="spotcheck").count() == 1

    page.get_by_role("link", name="Back to reviews").click()
    axe_check(page)
    page.get_by_role("link", name="Home-Start Wirral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home-Start Wirral")
    files = page.get_by_role("table", name="Sampled files").locator("tbody tr")
    expect(files).to_have_count(3)
    assert {text.strip() for text in files.locator("td.app-reference").all_inner_texts()} == sampled
    expect(files.locator("td:nth-child(2)")).to_have_text(["Family file"] * 3)
    expect(files.locator("td:nth-child(3)")).to_have_text(["Not signed"] * 3)
    axe_check(page)

    reference = sorted(sampled)[0]
    page.get_by_role("link", name=f"Sign and open {reference}").click()
    expect(page).to_have_url(re.compile(rf"/files/family/{reference}/sign/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the Record of Access")
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("Trustee responsible for spot checks")
    expect(details).to_contain_text("Spot check of files for a safeguarding audit")
    axe_check(page)

    # The declaration must be agreed: without it, nothing is signed and the file stays shut.
    page.get_by_label("Your full name").fill("Pat Lowry")
    page.get_by_role("button", name="Sign and open file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=DECLARATION_ERROR)).to_have_attribute("href", "#id_declared")
    expect(page.locator("#id_declared-error")).to_contain_text(DECLARATION_ERROR)
    expect(page).to_have_title(re.compile(r"^Error: Record of Access"))
    expect(page.get_by_label("Your full name")).to_have_value("Pat Lowry")
    axe_check(page)

    page.get_by_label("I agree to this declaration").check()
    page.get_by_role("button", name="Sign and open file").click()
    expect(page).to_have_url(re.compile(rf"/families/{reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Record of Access signed for {reference}.")
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect_read_only(page)
    expect_signature_on_inside_front_cover(
        page,
        name="Pat Lowry",
        role="Trustee responsible for spot checks",
        purpose="Spot check of files for a safeguarding audit",
    )
    axe_check(page)

    # A file outside the sample does not exist for the trustee, even by its address.
    response = page.goto(f"/families/{outside.reference}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page)
    assert AccessEvent.objects.filter(
        user__username="spotcheck", file_reference=outside.reference, outcome=Outcome.REFUSED
    ).exists()


@pytest.mark.e2e
@pytest.mark.policy("8.3")
@pytest.mark.policy("9.1")
def test_hsuk_reviewer_draws_a_sample_in_another_scheme_and_reads_a_file_after_signing(page, sign_in, axe_check):
    sign_in_and_open_reviews(page, sign_in, axe_check, "reviewer")

    # HSUK reviewers may review any scheme: they choose which.
    page.get_by_role("button", name="Draw a sample").click()
    expect(page.get_by_label("Scheme").locator("option")).to_have_text(
        ["Home-Start Sefton (SEF)", "Home-Start Wirral (WIR)"]
    )
    axe_check(page)
    page.get_by_label("Scheme").select_option(label="Home-Start Sefton (SEF)")
    page.get_by_label("Number of family files to sample").fill("3")
    page.get_by_role("button", name="Draw sample").click()
    expect(page.get_by_role("alert")).to_contain_text("Sample of 3 files drawn.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home-Start Sefton")
    expect(page.locator(".govuk-caption-l")).to_have_text("HSUK quality review")
    references = page.get_by_role("table", name="Sampled files").locator("td.app-reference")
    expect(references).to_have_count(3)
    expect(references).to_have_text([re.compile(r"^SEF-\d{4}$")] * 3)
    axe_check(page)

    reference = references.first.inner_text().strip()
    page.get_by_role("link", name=f"Sign and open {reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the Record of Access")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Quality assurance review")
    axe_check(page)
    page.get_by_label("Your full name").fill("Sam Okoro")
    page.get_by_label("I agree to this declaration").check()
    page.get_by_role("button", name="Sign and open file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.get_by_role("main")).to_contain_text("Home-Start Sefton")
    expect_read_only(page)
    expect_signature_on_inside_front_cover(
        page, name="Sam Okoro", role="HSUK reviewer", purpose="Quality assurance review"
    )
    axe_check(page)

    page.get_by_role("link", name="Back to the review").click()
    row = page.get_by_role("table", name="Sampled files").get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Signed")
    expect(row.get_by_role("link", name=f"Open file {reference}")).to_be_visible()
    axe_check(page)
