"""An external auditor reads family files only in a session a coordinator opens and attends (§10.1)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from access_log.models import AccessEvent
from homestart.rules import Outcome
from tests.e2e.menu import menu_link

User = get_user_model()
PRESENT = "I will be present throughout the session, which ends after two hours or when I close it"


@pytest.mark.e2e
@pytest.mark.policy("9.1")
@pytest.mark.policy("10.1")
def test_auditor_reads_a_named_file_only_while_the_coordinators_session_is_open(page, new_page, sign_in, axe_check):
    coordinator = page
    sign_in(coordinator, "coordinator")
    axe_check(coordinator)
    menu_link(coordinator, "Audit sessions").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Audit sessions")
    expect(coordinator.get_by_text("No audit sessions.")).to_be_visible()
    axe_check(coordinator)

    coordinator.get_by_role("button", name="Open an audit session").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Open an audit session")
    axe_check(coordinator)
    coordinator.get_by_label("External auditor").select_option(label=_name("auditor"))
    coordinator.get_by_label("File references").fill("WIR-0002, WIR-0003")
    coordinator.get_by_label("Your full name").fill("Chris Doyle")
    coordinator.get_by_label(PRESENT).check()
    coordinator.get_by_role("button", name="Sign and open session").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Audit session opened for two hours.")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Audit session")
    details = coordinator.locator(".govuk-summary-list")
    expect(details).to_contain_text("Chris Doyle")
    files = coordinator.get_by_role("table", name="Files in this session").locator("tbody tr")
    expect(files.locator("td.app-reference")).to_have_text(["WIR-0002", "WIR-0003"])
    expect(files.locator("td:nth-child(2)")).to_have_text(["Not signed", "Not signed"])
    # Only the auditor opens the files; the coordinator's part is to be there.
    expect(files.get_by_role("link")).to_have_count(0)
    axe_check(coordinator)
    session_url = coordinator.url

    # The auditor, on their own device, signs in while the coordinator is present.
    auditor = new_page()
    sign_in(auditor, "auditor")
    expect(auditor.get_by_role("heading", level=2, name="Your audit sessions")).to_be_visible()
    axe_check(auditor)
    menu_link(auditor, "Audit sessions").click()
    sessions = auditor.get_by_role("table", name="Sessions").locator("tbody tr")
    expect(sessions).to_have_count(1)
    expect(sessions.locator("td").nth(2)).to_have_text("Chris Doyle")
    expect(sessions.locator("td").nth(3)).to_have_text(re.compile(r"^Open until \d\d:\d\d$"))
    axe_check(auditor)
    sessions.get_by_role("link").click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Audit session")
    axe_check(auditor)

    auditor.get_by_role("link", name="Sign and open WIR-0002").click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Sign the Record of Access")
    sign_details = auditor.locator(".govuk-summary-list")
    expect(sign_details).to_contain_text("External auditor")
    expect(sign_details).to_contain_text("External audit, in the coordinator's presence")
    expect(sign_details).to_contain_text("Chris Doyle")
    axe_check(auditor)
    auditor.get_by_label("Your full name").fill("Robin Hale")
    auditor.get_by_label("I agree to this declaration").check()
    auditor.get_by_role("button", name="Sign and open file").click()

    expect(auditor).to_have_url(re.compile(r"/families/WIR-0002/$"))
    expect(auditor.get_by_role("heading", level=1)).to_have_text("WIR-0002")
    main = auditor.get_by_role("main")
    expect(main.get_by_text("You cannot change it.")).to_be_visible()
    expect(main.get_by_role("link", name=re.compile(r"^(Change|Add|Record a visit|Assign)"))).to_have_count(0)
    signature = main.get_by_role("table", name="Record of Access, newest first").locator("tbody tr").first
    expect(signature.locator("td")).to_have_text(
        [
            re.compile(r"\d{4}, \d\d:\d\d$"),
            re.compile(rf"^Robin Hale.*in the presence of {_name('coordinator')}"),
            "External auditor",
            "External audit, in the coordinator's presence",
        ]
    )
    axe_check(auditor)
    file_url = auditor.url

    # The coordinator closes the session: the auditor's access ends with it.
    coordinator.goto(session_url)
    expect(files.locator("td:nth-child(2)")).to_have_text(["Signed", "Not signed"])
    axe_check(coordinator)
    coordinator.get_by_role("button", name="Close session").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Audit session closed.")
    expect(coordinator.get_by_role("button", name="Close session")).to_have_count(0)
    axe_check(coordinator)

    response = auditor.goto(file_url)
    assert response is not None and response.status == 404
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(auditor)
    assert AccessEvent.objects.filter(
        user__username="auditor", file_reference="WIR-0002", outcome=Outcome.REFUSED
    ).exists()


def _name(username: str) -> str:
    """People are shown by name, never by username."""
    return User.objects.get(username=username).get_full_name()
