"""Two-factor sign-in in the browser: enrolment with a QR code and recovery codes,
then signing in with a code from the app (§8.2)."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect


def code_for(secret: str, *, later: int = 0) -> str:
    """The code an authenticator app shows for this key, ``later`` seconds from now."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + later
    return f"{totp.token():06d}"


@pytest.mark.e2e
@pytest.mark.policy("8.2")
def test_coordinator_sets_up_two_factor_and_signs_in_with_a_code(page, sign_in, axe_check):
    sign_in(page, "coordinator")
    axe_check(page)
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)

    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is wrong")
    axe_check(page)

    secret = page.locator(".app-secret").inner_text()
    page.wait_for_timeout(1100)  # the wait django-otp imposes after one wrong code
    page.get_by_role("textbox", name="Code").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is set up")
    expect(page.locator(".app-recovery-codes li")).to_have_count(10)
    axe_check(page)
    page.get_by_role("button", name="I have kept my codes safe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing today")
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Home-Start records")
    axe_check(page)
    sign_in(page, "coordinator")
    expect(page).to_have_url(re.compile(r"/two-factor/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    axe_check(page)
    page.get_by_role("textbox", name="Code").fill(code_for(secret, later=30))  # the app's next code
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs doing today")
    expect(page.get_by_role("link", name="Set up two-factor sign-in")).to_have_count(0)
    axe_check(page)
