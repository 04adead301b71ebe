"""The gate's readable sections: the scheme's safeguarding lead opens the safeguarding
section of a family file and nothing else of it (§2.1, §8.3)."""

from __future__ import annotations

import pytest

from access_log import gate
from access_log.models import AccessEvent
from homestart.rules import Outcome, Role
from tests.factories import MembershipFactory, UserFactory


@pytest.mark.policy("2.1", "8.3")
def test_safeguarding_lead_opens_and_changes_the_safeguarding_section(family, safeguarding_lead):
    access = gate.open_family(
        user=safeguarding_lead, reference=family.reference, section="safeguarding", for_change=True
    )
    assert access.role == Role.SAFEGUARDING_LEAD and access.reference == family.reference
    assert not access.full and access.may_change_section("safeguarding")
    assert not access.may_read_section("file")
    with pytest.raises(gate.AccessRefused):
        access.file  # noqa: B018 - the whole file is not theirs to read


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("section", ["file", "contact", "members", "visits", "consent", "history"])
def test_safeguarding_lead_is_refused_every_other_section_with_404(family, safeguarding_lead, section):
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=safeguarding_lead, reference=family.reference, section=section)
    event = AccessEvent.objects.filter(user=safeguarding_lead).latest("at")
    assert event.outcome == Outcome.REFUSED and event.reason == "section_not_readable" and event.section == section


@pytest.mark.policy("8.3")
def test_safeguarding_lead_of_another_scheme_does_not_know_the_file(family, sefton):
    lead = UserFactory(username="sef-lead")
    MembershipFactory(user=lead, scheme=sefton, role=Role.SAFEGUARDING_LEAD)
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=lead, reference=family.reference, section="safeguarding")


@pytest.mark.policy("8.3")
def test_staff_read_every_section(family, coordinator, manager):
    for user in (coordinator, manager):
        access = gate.open_family(user=user, reference=family.reference, section="safeguarding", for_change=True)
        assert access.full and access.may_read_section("consent")


@pytest.mark.policy("2.1", "8.5")
def test_assigned_volunteer_may_write_the_safeguarding_section_only_besides_visits(assigned_family, volunteer):
    access = gate.open_family(
        user=volunteer, reference=assigned_family.reference, section="safeguarding", for_change=True
    )
    assert access.may_change_section("safeguarding") and not access.may_change_section("consent")
    with pytest.raises(gate.AccessRefused):
        gate.open_family(user=volunteer, reference=assigned_family.reference, section="consent", for_change=True)


@pytest.mark.policy("2.1", "8.5")
def test_unassigned_volunteer_cannot_open_the_safeguarding_section(family, other_volunteer):
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=other_volunteer, reference=family.reference, section="safeguarding")


@pytest.mark.policy("3.2")
def test_trustee_cannot_open_the_safeguarding_section(family, trustee):
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=trustee, reference=family.reference, section="safeguarding")
