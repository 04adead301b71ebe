"""Plain tests for what the simulation of a scheme's year found (tests/simulation/scheme.py).

Each is the shortest story that shows the failure; a known failure another piece of work is
fixing is marked xfail(strict=True) with the exception it raises today, so the mark must come
off (here and on the simulation) when the fix lands.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import FileKind
from families import services as family_services
from homestart.crypto import KeyUnavailable
from records import services as records_services
from tests.conftest import CARER_FIRST, CARER_LAST


def destroy(family, manager, trustee):
    """Close the family long ago, then propose, authorise twice and carry out its destruction (§8.8)."""
    family_services.family_close(family=family, actor=manager, closed_on=datetime.date(2012, 6, 30))
    destruction = records_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=manager)
    destruction = records_services.destruction_authorise(destruction=destruction, actor=trustee)
    return records_services.destruction_carry_out(destruction=destruction, actor=manager)


@pytest.mark.policy("8.8")
@pytest.mark.xfail(strict=True, raises=KeyUnavailable,
                   reason="Found by the simulation: tombstones for destroyed files are being added.")
def test_families_page_still_opens_after_a_family_is_destroyed(family, coordinator, manager, trustee, client_for):
    destroy(family, manager, trustee)
    response = client_for(coordinator).get(reverse("families:dashboard"))
    assert response.status_code == 200
    assert CARER_FIRST not in response.content.decode() and CARER_LAST not in response.content.decode()


@pytest.mark.policy("8.8")
@pytest.mark.xfail(strict=True, raises=KeyUnavailable,
                   reason="Found by the simulation: tombstones for destroyed files are being added.")
def test_a_destroyed_family_file_answers_a_tombstone_or_not_found(family, coordinator, manager, trustee, client_for):
    destroy(family, manager, trustee)
    response = client_for(coordinator).get(reverse("families:detail", kwargs={"reference": family.reference}))
    assert response.status_code in (200, 404)
    assert CARER_FIRST not in response.content.decode() and CARER_LAST not in response.content.decode()


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
