"""A coordinator plans a review visit from a consent due for review (§1.2); the volunteer sees it
in This week on a phone and records it; the agenda shows it by reference only (§8.6)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consent.models import Consent
from families import services as family_services
from families.models import PlannedVisit, Visit
from homestart.models import User
from tests.e2e.dates import fill_date

PHONE = {"width": 375, "height": 740}


@pytest.mark.e2e
@pytest.mark.policy("1.2", "8.5", "8.6")
def test_coordinator_plans_a_review_visit_and_the_volunteer_records_it_on_a_phone(new_page, sign_in, axe_check):
    today = timezone.localdate()
    consent = Consent.objects.due_for_review(today).select_related("family").order_by("review_on").first()
    family = consent.family
    volunteer = User.objects.get(username="volunteer")
    coordinator = User.objects.get(username="coordinator")
    if not family.assignments.filter(volunteer=volunteer, ended_at__isnull=True).exists():
        family_services.volunteer_assign(
            family=family, actor=coordinator, volunteer=volunteer, starts_on=today - datetime.timedelta(days=1)
        )

    page = new_page()
    sign_in(page, "coordinator")
    axe_check(page)
    page.goto("/consent/reviews/")
    axe_check(page)
    page.get_by_role("link", name=f"Plan the review visit for {family.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a visit")
    expect(page.get_by_label("Review visit")).to_be_checked()
    axe_check(page)
    fill_date(page, "Date", today)  # day, month and year boxes (GOV.UK date input)
    page.get_by_label("Time").fill("16:45")
    page.get_by_label("Who will visit").select_option(label=volunteer.display_name)
    page.get_by_role("button", name="Plan visit").click()

    # The agenda: the reference, the type and the visitor; no family's name (§8.6).
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits agenda")
    expect(page.get_by_role("alert")).to_contain_text("planned for")
    row = page.get_by_role("row").filter(has_text="16:45")
    expect(row).to_contain_text(family.reference)
    expect(row).to_contain_text(volunteer.display_name)
    carer = family.members.order_by("created_at").first()
    assert carer.last_name not in page.get_by_role("main").inner_text()
    axe_check(page)

    # The volunteer, on a phone: This week shows it with first names and address; recording completes it.
    phone = new_page()
    phone.set_viewport_size(PHONE)
    sign_in(phone, "volunteer")
    axe_check(phone)
    phone.goto("/this-week/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This week")
    card = phone.locator(".app-planned-visit").filter(has_text="16:45")
    expect(card).to_contain_text(family.reference)
    expect(card).to_contain_text(carer.first_name)
    expect(card).to_contain_text(family.postcode)
    expect(card).not_to_contain_text(carer.last_name)
    axe_check(phone)
    card.get_by_role("button", name=f"Record this visit to {family.reference}").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Record a visit")
    # One kind open to them, the planned one: not asked (GOV.UK: a question with one answer is sent as it is).
    expect(phone.get_by_role("radio")).to_have_count(0)
    axe_check(phone)
    phone.get_by_label("Notes").fill("Talked through what we share with the health visitor; mum agreed again.")
    phone.get_by_role("button", name="Save visit").click()
    expect(phone).to_have_url(re.compile(r"/this-week/$"))
    expect(phone.get_by_role("alert")).to_contain_text("Visit recorded.")
    expect(phone.locator(".app-planned-visit").filter(has_text="16:45")).to_have_count(0)
    axe_check(phone)

    planned = PlannedVisit.objects.get(family=family, planned_at=datetime.time(16, 45))
    assert planned.status == PlannedVisit.Status.COMPLETED
    assert planned.visit.kind == Visit.Kind.REVIEW and planned.visit.visited_by == volunteer
