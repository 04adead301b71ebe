"""Each role lands on its own home: its part is there, and no other role's part is."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from homestart.rules import Role, Section
from safeguarding.models import Concern
from safeguarding.services import concern_raise
from tests.factories import MembershipFactory

PARTS = {
    "today": 'id="home-families"',
    "volunteer": 'id="home-volunteer"',
    "safeguarding": 'id="home-safeguarding"',
    "board": 'id="home-board"',
    "reviews": 'id="home-reviews"',
    "audit": 'id="home-audit"',
    "admin": 'id="home-admin"',
}

# The person (a fixture of tests/conftest.py) and the parts of the home they are shown.
HOMES = [
    ("coordinator", {"today"}),
    ("manager", {"today"}),
    ("safeguarding_lead", {"safeguarding"}),
    ("trustee", {"board"}),
    ("spotcheck", {"board", "reviews"}),
    ("reviewer", {"reviews"}),
    ("auditor", {"audit"}),
    ("admin_user", {"admin"}),
    ("outsider", set()),
]


@pytest.mark.parametrize(("person", "parts"), HOMES)
def test_each_role_lands_on_its_own_home(person, parts, request, client_for):
    user = request.getfixturevalue(person)
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = {part for part, marker in PARTS.items() if marker in html}
    assert shown == parts
    # Nobody but staff lands on the families list's words any more.
    assert "No family files for your role" not in html


def test_sign_in_lands_on_home(trustee, client):
    trustee.set_password("a long enough passphrase")
    trustee.save()
    response = client.post(reverse("login"), {"username": "trustee", "password": "a long enough passphrase"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_volunteer_goes_to_their_week(volunteer, client_for):
    response = client_for(volunteer).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("families:this_week")


def test_a_volunteer_goes_to_their_week_once_the_product_has_one(volunteer, client_for, monkeypatch):
    from home import selectors

    # Stands in for the planned-visits page "families:this_week" (issue 15.1), found by its name.
    monkeypatch.setattr(selectors, "WEEK_URL_NAMES", ("families:no_such_page", "records:supervision"))
    response = client_for(volunteer).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("records:supervision")


def test_a_person_with_several_roles_sees_each_part(coordinator, wirral, client_for):
    MembershipFactory(user=coordinator, scheme=wirral, role=Role.VOLUNTEER)
    MembershipFactory(user=coordinator, scheme=wirral, role=Role.TRUSTEE)
    html = client_for(coordinator).get(reverse("home")).content.decode()
    assert {part for part, marker in PARTS.items() if marker in html} == {"today", "volunteer", "board"}


def test_the_safeguarding_lead_sees_open_concerns_by_reference(safeguarding_lead, family, coordinator, client_for):
    access = gate.open_family(
        user=coordinator, reference=family.reference, section=Section.SAFEGUARDING, for_change=True
    )
    concern_raise(
        access=access,
        category=Concern.Category.PHYSICAL,
        observed="Seen at the visit.",
        observed_on=timezone.localdate(),
        actor=coordinator,
    )
    html = client_for(safeguarding_lead).get(reverse("home")).content.decode()
    assert family.reference in html
    assert "1 open concern" in html
    # References only (§8.6): not the carer's name.
    assert family.members.first().last_name not in html


def test_the_trustee_sees_the_boards_minutes(trustee, wirral, manager, client_for):
    import datetime

    from reporting import services

    services.meeting_record(scheme=wirral, actor=manager, held_on=datetime.date(2026, 11, 3), minutes="Present.")
    html = client_for(trustee).get(reverse("home")).content.decode()
    assert "Board meeting of 3 November 2026" in html


def test_the_board_minutes_link_works_for_a_scheme_without_minutes(sef_coordinator, client_for):
    response = client_for(sef_coordinator).get(reverse("reporting:minutes_list"))
    assert response.status_code == 200
    assert "No Board minutes have been recorded for your scheme yet" in response.content.decode()
