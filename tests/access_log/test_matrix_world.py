"""The URL × role matrices' world is built once per test process and copied into each test
(tests/matrix.py, tests/seeded.py): each copy must be the world as built, whatever an
earlier test did to its own, and a test must not mix it with a second cast."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from families.models import Family
from homestart.models import Membership, Scheme, current_roles
from homestart.rules import Role
from tests.factories import SchemeFactory
from tests.matrix import ROLES, UNSAMPLED, WORLD, _load
from tests.seeded import Seeded


def _as_built(world: dict) -> None:
    family, people = world["family"], world["people"]
    assert family.reference == "WIR-0001" and family.status != Family.Status.CLOSED
    assert set(people) == set(ROLES) | set(UNSAMPLED) and people["anonymous"] is None
    assert current_roles(people["coordinator"]) == [(Role.COORDINATOR, family.scheme_id)]
    assert family.assignments.get().volunteer == people["volunteer"]
    assert world["volunteer_file"].person == people["volunteer"]
    assert world["kwargs"]["reference"] == family.reference


def test_every_copy_of_the_world_is_the_world_as_built_whatever_the_last_did_to_its_own(request, db):
    for _ in range(2):  # two tests' copies, one after the other
        with transaction.atomic():
            world = _load(WORLD, request)
            _as_built(world)
            # What a test does to its copy: closes the family, ends the coordinator's role.
            Family.objects.filter(pk=world["family"].pk).update(
                status=Family.Status.CLOSED, closed_on=timezone.localdate()
            )
            Membership.objects.filter(user=world["people"]["coordinator"]).update(ended_at=timezone.now())
            transaction.set_rollback(True)
        assert not Family.objects.exists()


def test_a_test_asking_for_the_world_and_a_named_person_is_told_to_take_them_from_the_world(db):
    request = SimpleNamespace(node=SimpleNamespace(nodeid="t", fixturenames=["world", "coordinator"]))
    with pytest.raises(AssertionError, match=r"take them from the world"):
        _load(WORLD, request)


def test_a_seeding_runs_once_a_day_and_each_load_copies_its_rows(db, monkeypatch):
    seedings = []

    def seed() -> int:
        seedings.append(timezone.localdate())
        return SchemeFactory(name="Home-Start Testshire", code="TST").pk

    seeded = Seeded(seed)
    for _ in range(2):
        with transaction.atomic():
            pk = seeded.load()
            assert Scheme.objects.get(pk=pk).code == "TST"
            transaction.set_rollback(True)
        assert not Scheme.objects.filter(code="TST").exists()
    assert len(seedings) == 1
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    with transaction.atomic():
        seeded.load()
        transaction.set_rollback(True)
    assert seedings[-1] == tomorrow and len(seedings) == 2


def test_the_worlds_pages_come_without_the_test_clients_record_of_templates(world, client_for):
    """The matrices and sweeps read only what a browser gets: the page is whole, and the test
    client kept no copy of every template's context (``templates_not_recorded``)."""
    from django.urls import reverse

    response = client_for(world["people"]["coordinator"]).get(reverse("families:dashboard"))
    assert response.status_code == 200 and world["family"].reference in response.content.decode()
    assert response.context is None and response.templates == []


def test_elsewhere_the_test_client_records_the_templates_a_page_rendered(coordinator, client_for):
    from django.urls import reverse

    response = client_for(coordinator).get(reverse("families:dashboard"))
    assert response.status_code == 200
    assert response.context is not None and "families/dashboard.html" in [t.name for t in response.templates]
