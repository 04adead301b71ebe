"""The family's own scores: the volunteer records them at a review, seeing only the needs the
family chose (§8.5); the coordinator sees the journey chart on the file; the trustee sees the
outcome figures, suppressed, with their chart (§3.2, §8.9). Axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.e2e
@pytest.mark.policy("8.5", "3.2", "8.9")
def test_scores_recorded_at_a_review_show_on_the_journey_and_in_the_trustees_figures(page, sign_in, axe_check):
    sign_in(page, "volunteer")
    axe_check(page)
    page.goto("/families/WIR-0002/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("^The needs the family chose")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the family wants help with")
    expect(page.get_by_text("Feeling less isolated")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Record the family's scores").click()
    axe_check(page)
    page.get_by_role("button", name="Save scores").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a score from 0 to 5 for parenting skills.")
    axe_check(page)
    for area, score in [
        ("Parenting skills", "3"),
        ("Parental well-being", "4"),
        ("Children's well-being", "3"),
        ("Family management", "2"),
    ]:
        group = page.get_by_role("group", name=f"{area}: how well is the family coping?")
        group.get_by_label(score, exact=True).check()
    page.get_by_label("Children's routines").check()
    page.get_by_role("button", name="Save scores").click()
    expect(page.get_by_role("alert")).to_contain_text("Review scores recorded.")
    axe_check(page)

    page.context.clear_cookies()
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/families/WIR-0002/")
    expect(page.locator("#chart-journey")).to_be_visible()
    journey = page.locator("#table-journey")
    expect(journey).to_contain_text("Start of support")
    expect(journey).to_contain_text("Review")
    axe_check(page)

    page.context.clear_cookies()
    sign_in(page, "trustee")
    axe_check(page)
    page.goto("/statistics/outcomes/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes")
    expect(page.locator("#chart-improved")).to_be_visible()
    expect(page.locator("#table-outcome_signposting")).to_contain_text("fewer than 5")
    expect(page.get_by_role("link", name=re.compile("^Download these tables"))).to_be_visible()
    axe_check(page)
