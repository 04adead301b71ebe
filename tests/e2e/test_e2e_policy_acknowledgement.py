"""Publishing a new version of the Confidentiality Policy asks everyone to acknowledge it again (§3.1, §4.1, §5.1)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homestart.models import PolicyAcknowledgement, PolicyVersion

NEW_VERSION = "November 2026"
ACKNOWLEDGE_ERROR = "Confirm that you have read the policy and will follow it."


@pytest.mark.e2e
@pytest.mark.policy("3.1")
@pytest.mark.policy("4.1")
@pytest.mark.policy("5.1")
def test_coordinator_must_acknowledge_a_newly_published_policy_before_seeing_any_family(page, sign_in, axe_check):
    PolicyVersion.objects.create(
        version=NEW_VERSION,
        summary="Family files may now be opened only through the records system.",
        published_at=timezone.now(),
    )

    sign_in(page, "coordinator")
    expect(page).to_have_url(re.compile(r"/policy/\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confidentiality Policy")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Version {NEW_VERSION}")
    expect(page.get_by_role("main")).to_contain_text("may now be opened only through the records system")
    # Nothing of any family is on the page until the policy is acknowledged.
    expect(page.get_by_role("main").get_by_text(re.compile(r"WIR-\d{4}"))).to_have_count(0)
    axe_check(page)

    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=ACKNOWLEDGE_ERROR)).to_have_attribute("href", "#acknowledge")
    expect(page.locator("#acknowledge-error")).to_contain_text(ACKNOWLEDGE_ERROR)
    expect(page).to_have_title(re.compile(r"^Error: Confidentiality Policy"))
    axe_check(page)
    assert not PolicyAcknowledgement.objects.filter(user__username="coordinator", version__version=NEW_VERSION).exists()

    page.get_by_label(f"I have read the Confidentiality Policy ({NEW_VERSION}) and I will follow it").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text(f"You acknowledged the Confidentiality Policy ({NEW_VERSION}).")
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing today")
    expect(page.get_by_role("main").get_by_role("link", name="Families", exact=True)).to_be_visible()
    axe_check(page)
    assert PolicyAcknowledgement.objects.filter(user__username="coordinator", version__version=NEW_VERSION).exists()
