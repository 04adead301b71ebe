"""The safeguarding lead opens a family's identifying details for a stated referral (§2.1, §8.3).

Only the scheme's safeguarding lead, only while a concern about the family is open, only after
stating the purpose; the opening is an access event with that purpose and section, and the rest
of the file (visits, referral, consents) stays closed to the lead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access_log import gate
from access_log.models import AccessEvent
from homestart.rules import Outcome, Purpose, Section
from safeguarding import services
from tests.conftest import ADDRESS, CARER_FIRST, CARER_LAST, CHILD_FIRST, PHONE, POSTCODE, REFERRER_NAME, VISIT_NOTES
from tests.sharing_fixtures import OBSERVED, TODAY

pytestmark = pytest.mark.policy("2.1")


def _url(family) -> str:
    return reverse("safeguarding:identifying_details", kwargs={"reference": family.reference})


@pytest.fixture
def concern(family, coordinator, open_as):
    return services.concern_raise(
        access=open_as(coordinator, family, "safeguarding", change=True),
        category="neglect",
        observed=OBSERVED,
        observed_on=TODAY(),
        actor=coordinator,
    )


def test_lead_states_the_purpose_then_sees_names_birth_dates_address_and_contact(
    concern, family, safeguarding_lead, client_for
):
    client = client_for(safeguarding_lead)
    form = client.get(_url(family))
    assert form.status_code == 200
    assert CARER_LAST not in form.content.decode() and POSTCODE not in form.content.decode()
    events = AccessEvent.objects.filter(user=safeguarding_lead, section=Section.IDENTIFYING_DETAILS)
    assert not events.exists()

    page = client.post(_url(family), {"purpose": Purpose.SAFEGUARDING_REFERRAL}).content.decode()
    for shown in (CARER_FIRST, CARER_LAST, CHILD_FIRST, POSTCODE, PHONE, ADDRESS.splitlines()[0]):
        assert shown in page
    for hidden in (VISIT_NOTES, REFERRER_NAME, OBSERVED):
        assert hidden not in page
    (event,) = events
    assert (event.purpose, event.outcome, event.role) == (
        Purpose.SAFEGUARDING_REFERRAL,
        Outcome.ALLOWED,
        "safeguarding_lead",
    )


def test_no_purpose_no_details(concern, family, safeguarding_lead, client_for):
    response = client_for(safeguarding_lead).post(_url(family), {})
    assert response.status_code == 200
    assert "Say why you are opening" in response.content.decode() and POSTCODE not in response.content.decode()
    assert not AccessEvent.objects.filter(section=Section.IDENTIFYING_DETAILS).exists()


def test_a_family_without_an_open_concern_stays_closed(family, safeguarding_lead, client_for, open_as, concern):
    services.concern_close(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True), concern=concern, actor=safeguarding_lead
    )
    client = client_for(safeguarding_lead)
    assert client.get(_url(family)).status_code == 404
    assert client.post(_url(family), {"purpose": Purpose.SAFEGUARDING_REFERRAL}).status_code == 404
    with pytest.raises(gate.FileHidden):
        gate.open_family(
            user=safeguarding_lead,
            reference=family.reference,
            section=Section.IDENTIFYING_DETAILS,
            purpose=Purpose.SAFEGUARDING_REFERRAL,
        )


def test_the_rest_of_the_file_stays_closed_to_the_lead(concern, family, safeguarding_lead, client_for):
    client = client_for(safeguarding_lead)
    client.post(_url(family), {"purpose": Purpose.SAFEGUARDING_REFERRAL})
    for name in ("families:detail", "consent:overview", "families:history"):
        assert client.get(reverse(name, kwargs={"reference": family.reference})).status_code == 404, name
    # The referral purpose opens the identifying details and nothing else, not even for reading.
    for section in ("visits", "consent", "file", Section.SAFEGUARDING):
        with pytest.raises(gate.FileHidden):
            gate.open_family(
                user=safeguarding_lead,
                reference=family.reference,
                section=section,
                purpose=Purpose.SAFEGUARDING_REFERRAL,
            )
    access = gate.open_family(
        user=safeguarding_lead,
        reference=family.reference,
        section=Section.IDENTIFYING_DETAILS,
        purpose=Purpose.SAFEGUARDING_REFERRAL,
    )
    assert not access.may_change and not access.full


@pytest.mark.parametrize(
    "who,expected",
    [
        ("coordinator", 403),
        ("manager", 403),
        ("volunteer", 403),
        ("trustee", 404),
        ("sef_coordinator", 404),
        ("outsider", 404),
    ],
)
def test_nobody_else_uses_the_referral_page(request, who, expected, concern, assigned_family, client_for):
    client = client_for(request.getfixturevalue(who))
    assert client.get(_url(assigned_family)).status_code == expected
    assert client.post(_url(assigned_family), {"purpose": Purpose.SAFEGUARDING_REFERRAL}).status_code == expected


def test_another_schemes_lead_gets_404(concern, family, sefton, client_for):
    from homestart.rules import Role
    from tests.conftest import _member

    other_lead = _member(sefton, Role.SAFEGUARDING_LEAD, "sefton_lead")
    assert client_for(other_lead).post(_url(family), {"purpose": Purpose.SAFEGUARDING_REFERRAL}).status_code == 404


def test_the_lead_finds_the_page_from_the_safeguarding_section(concern, family, safeguarding_lead, client_for):
    page = client_for(safeguarding_lead).get(reverse("safeguarding:family", kwargs={"reference": family.reference}))
    assert _url(family) in page.content.decode()
