"""Plain tests for what the simulation of a scheme's year found (tests/simulation/scheme.py).

Each is the shortest story that shows the failure, kept as a plain test of the fixed behaviour.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from families import services as family_services
from families.models import ClosureReason
from homestart.rules import FileKind, Role
from records.retention import services as records_services
from tests.conftest import CARER_FIRST, CARER_LAST, _member
from tests.factories import SchemeFactory


def destroy(family, manager, trustee):
    """Close the family long ago, then propose, authorise twice and carry out its destruction (§8.8)."""
    family_services.family_close(
        family=family,
        actor=manager,
        closed_on=datetime.date(2012, 6, 30),
        reason=ClosureReason.COMPLETED,
        today=datetime.date(2012, 6, 30),
    )
    destruction = records_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=manager)
    destruction = records_services.destruction_authorise(destruction=destruction, actor=trustee)
    return records_services.destruction_carry_out(destruction=destruction, actor=manager)


@pytest.mark.policy("8.8")
def test_families_page_still_opens_after_a_family_is_destroyed(family, coordinator, manager, trustee, client_for):
    """Found by the simulation: the Families page answered 500 (KeyUnavailable) once a family was
    destroyed. It lists the closed families with the destroyed one as its tombstone row, no name."""
    destroy(family, manager, trustee)
    client = client_for(coordinator)
    assert client.get(reverse("families:dashboard")).status_code == 200
    response = client.get(reverse("families:dashboard") + "?show=closed")
    html = response.content.decode()
    assert response.status_code == 200
    assert family.reference in html and "destroyed" in html.lower()
    assert CARER_FIRST not in html and CARER_LAST not in html


@pytest.mark.policy("8.8")
def test_a_destroyed_family_file_answers_its_tombstone_or_not_found(family, coordinator, manager, trustee, client_for):
    """Found by the simulation: the destroyed family's own page answered 500. Someone who could have
    opened it is told it is gone (410, its tombstone); someone who never could gets 404, as for a file
    that never existed (§8.8)."""
    destroy(family, manager, trustee)
    url = reverse("families:detail", kwargs={"reference": family.reference})
    gone = client_for(coordinator).get(url)
    assert gone.status_code == 410
    html = gone.content.decode()
    assert family.reference in html and "destroyed" in html.lower()
    assert CARER_FIRST not in html and CARER_LAST not in html
    stranger = client_for(_member(SchemeFactory(name="Home-Start Sefton", code="SEF"), Role.COORDINATOR, "sefton"))
    hidden = stranger.get(url)
    assert hidden.status_code == 404
    assert family.reference not in hidden.content.decode() and CARER_FIRST not in hidden.content.decode()


@pytest.mark.policy("8.8")
def test_the_simulation_clock_moves_every_reader_of_djangos_time_together():
    """The clock the simulation uses (tests/simulation/clock.py): timezone.now(), localdate() and a model
    field's default move by what was added, and real datetimes are still datetimes to Django."""
    from access_log.models import AccessEvent
    from tests.simulation.clock import Clock

    start = datetime.datetime(2030, 3, 1, 12, 0, tzinfo=datetime.UTC)
    with Clock(start) as clock:
        assert abs(timezone.now() - start) < datetime.timedelta(minutes=1)
        clock.advance(datetime.timedelta(days=40))
        assert timezone.localdate() == datetime.date(2030, 4, 10)
        default = AccessEvent._meta.get_field("at").get_default()
        assert default.date() == datetime.date(2030, 4, 10)
        assert timezone.is_aware(datetime.datetime.now(datetime.UTC))
        assert timezone.template_localtime(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)).year == 2030
    assert timezone.now().year != 2030


@pytest.mark.policy("8.5", "8.6")
@pytest.mark.usefixtures("templates_not_recorded")
def test_the_simulation_plays_planned_visits_through(database_owner, db):
    """The simulation's planned-visit rules, in a fixed order (a random run may reach them seldom):
    planned by the volunteer and by the coordinator, recorded, missed, and the volunteer's week after
    their assignment ends; every person walks their pages and the invariants hold after each step."""
    from tests.simulation.scheme import SchemeYear

    machine = SchemeYear(app_role=database_owner)
    try:
        machine.a_scheme_and_its_people()
        machine.everything_holds()
        machine.a_family_is_referred()
        machine.volunteer_assigned(pick=0, who=0)
        machine.everything_holds()
        family = next(f for f in machine._wir(open_=True) if f.volunteers)
        pick = machine._wir(open_=True).index(family)
        machine.visit_planned(pick=pick, by_volunteer=True, review=False, days=0)
        machine.visit_planned(pick=pick, by_volunteer=False, review=True, days=1)
        machine.everything_holds()
        assert len(family.planned) == 2
        machine.planned_visit_recorded(pick=0)
        machine.everything_holds()
        machine.planned_visit_missed(pick=0)
        machine.everything_holds()
        assert not family.planned
        machine.visit_planned(pick=pick, by_volunteer=True, review=False, days=2)
        machine.assignment_ended(pick=0)
        machine.everything_holds()
        machine.planned_visit_recorded(pick=0)  # by the coordinator now: the volunteer may not (§8.5)
        machine.everything_holds()
    finally:
        machine.teardown()
