"""A volunteer sees only the families assigned to them, in the minimal view (§8.5)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from families.models import Family, Member


@pytest.mark.e2e
@pytest.mark.policy("8.5")
def test_volunteer_sees_only_their_two_families_in_the_minimal_view_and_records_their_own_visit(
    page, sign_in, axe_check
):
    assigned = sorted(
        Family.objects.filter(
            assignments__volunteer__username="volunteer", assignments__ended_at__isnull=True
        ).values_list("reference", flat=True)
    )
    assert len(assigned) == 2, assigned

    # A mistyped password first: the sign-in page with its error is checked too.
    page.goto("/sign-in/")
    axe_check(page)
    page.get_by_label("Username").fill("volunteer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Please enter a correct username and password")
    expect(page).to_have_title(r"Error: Sign in – Home-Start records")
    axe_check(page)

    sign_in(page, "volunteer")
    expect(page).to_have_url(re.compile(r"/this-week/$"))  # their home: the week's visits (issue 17.2)
    page.goto("/my-families/")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    links = page.locator(".app-family-list").get_by_role("link")
    expect(links).to_have_text(assigned)
    axe_check(page)

    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(assigned[0])
    axe_check(page)
    main = page.get_by_role("main")
    keys = main.locator(".govuk-summary-list__key")
    expect(keys).to_have_text(["Parents and carers", "Children", "Address", "Phone"])
    expect(main.get_by_role("heading", name="Your visit notes")).to_be_visible()
    # The minimal view: nothing of the referral, no history, nothing to change.
    seen = main.inner_text()
    for hidden in ["Reasons", "Referral", "Referred by", "Referrer", "History of changes", "Change contact details"]:
        assert hidden.lower() not in seen.lower(), f"the volunteer's view shows {hidden!r}"
    family = Family.objects.with_keys().get(reference=assigned[0])
    reasons = family.referrals.get().reasons
    assert reasons not in seen

    # What the volunteer needs to visit: children's first names and ages, address, phone (§8.5).
    today = timezone.localdate()
    children = [
        f"{m.first_name}, {m.age_on(today)} year{'' if m.age_on(today) == 1 else 's'}"
        for m in family.members.filter(kind=Member.Kind.CHILD)
    ]
    assert children
    details = main.locator(".govuk-summary-list__value")
    expect(details.nth(1)).to_have_text("\n".join(children))
    for child in family.members.filter(kind=Member.Kind.CHILD):
        assert child.last_name not in details.nth(1).inner_text()
    expect(details.nth(2)).to_contain_text(family.postcode)
    expect(details.nth(2)).to_contain_text(family.address.splitlines()[0])
    expect(details.nth(3).get_by_role("link", name=family.phone)).to_be_visible()
    # Their own visit notes only: the coordinator's initial visit note is not shown.
    notes = main.locator("h2:text-is('Your visit notes') ~ p.govuk-body").filter(has_not_text="safeguarding concern")
    expect(notes.first).to_contain_text("Played with the children")
    assert "Initial visit" not in seen

    page.get_by_role("button", name="Record a visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a visit")
    # A volunteer records support visits made by themselves, nothing else.
    # One kind open to them: not asked (GOV.UK: a question with one answer is sent as it is).
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_label("Who visited")).to_have_count(0)
    axe_check(page)
    page.get_by_label("Notes").fill("Walked to the park together; the youngest is starting nursery next month.")
    page.get_by_role("button", name="Save visit").click()

    expect(page.get_by_role("alert")).to_contain_text("Visit recorded.")
    expect(page.get_by_role("heading", level=1)).to_have_text(assigned[0])
    expect(notes.filter(has_text=re.compile("Played with the children|starting nursery"))).to_have_count(2)
    expect(main).to_contain_text("the youngest is starting nursery next month")
    expect(main.get_by_role("heading", name=re.compile(r"Support visit$")).first).to_be_visible()
    axe_check(page)
