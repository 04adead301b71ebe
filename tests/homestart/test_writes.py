"""One save helper for every service (homestart.writes.save_tracked): the whole record is
validated before anything is written, and every change leaves a history row naming who
made it and why (STYLE.md, "Writes are services")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from families.models import Member
from homestart.models import Membership, Role, Scheme
from homestart.writes import save_tracked
from tests.factories import SchemeFactory, UserFactory


@pytest.mark.django_db
def test_invalid_data_is_refused_and_nothing_is_written():
    actor = UserFactory()
    with pytest.raises(ValidationError) as refused:
        save_tracked(Scheme(name="Halton", code="halton!"), actor=actor)
    assert "code" in refused.value.message_dict
    assert not Scheme.objects.filter(name="Halton").exists()


@pytest.mark.django_db
def test_an_update_validates_the_whole_record_not_only_the_fields_it_writes():
    """The strictest of the copies it replaced: a field left as it was is checked too."""
    scheme = SchemeFactory()
    actor = UserFactory()
    scheme.code = "bad code"
    scheme.name = "Renamed"
    with pytest.raises(ValidationError):
        save_tracked(scheme, actor=actor, update_fields=["name"])
    scheme.refresh_from_db()
    assert scheme.name != "Renamed"


@pytest.mark.django_db
def test_the_history_row_names_the_actor_and_the_reason():
    actor = UserFactory()
    scheme = Scheme(name="Halton", code="HAL")
    save_tracked(scheme, actor=actor, reason="Set up for the pilot")
    scheme.name = "Halton and Widnes"
    save_tracked(scheme, actor=actor, update_fields=["name"])
    latest, first = scheme.history.all()[:2]
    assert (first.history_user, first.history_change_reason) == (actor, "Set up for the pilot")
    assert (latest.history_user, latest.name) == (actor, "Halton and Widnes")


@pytest.mark.django_db
def test_a_relation_not_loaded_is_checked_and_a_loaded_one_is_not_read_again(family, coordinator):
    membership = Membership(user=coordinator, scheme_id=987654, role=Role.COORDINATOR)
    with pytest.raises(ValidationError) as refused:
        save_tracked(membership, actor=coordinator)
    assert "scheme" in refused.value.message_dict

    member = Member(family=family, kind=Member.Kind.ADULT, first_name="Ada", last_name="Quenby")
    with CaptureQueriesContext(connection) as captured:
        save_tracked(member, actor=coordinator)
    reads = " ".join(q["sql"].split(" WHERE ")[0] for q in captured if q["sql"].startswith("SELECT"))
    assert '"families_family"' not in reads
    assert member.history.get().history_user == coordinator
