"""Supervision notes (§4.2, §5.2), the breach register (§3.9, §4.4, §5.5) and
suspicious access raised to the manager."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from access_log import gate
from access_log.models import AccessEvent
from homestart.errors import NotAllowed
from homestart.rules import ActingRole, Action, FileKind, Role, Section
from records.breaches import monitoring
from records.breaches import selectors as breach_selectors
from records.breaches import services as breach_services
from records.models import Breach, SupervisionNote
from records.people import selectors as people_selectors
from records.people import services as people_services
from tests.factories import make_family
from tests.helpers import raw_value


@pytest.mark.policy("5.2")
def test_coordinator_supervises_a_volunteer_and_the_note_is_sealed(volunteer_file, wirral, coordinator, volunteer):
    note = people_services.supervision_record(
        scheme=wirral,
        supervisee=volunteer,
        actor=coordinator,
        held_on=timezone.localdate(),
        notes="Discussed how the family is settling",
        families_discussed="WIR-0001",
    )
    assert b"settling" not in raw_value(SupervisionNote, "notes", note.pk)
    assert note.data_key_id == volunteer_file.data_key_id
    assert note.history.count() == 1


@pytest.mark.policy("4.2")
def test_line_manager_supervises_a_coordinator(personnel_file, wirral, manager, coordinator):
    note = people_services.supervision_record(
        scheme=wirral, supervisee=coordinator, actor=manager, held_on=timezone.localdate(), notes="Caseload review"
    )
    assert note.supervisor == manager


@pytest.mark.policy("4.2", "5.2")
def test_nobody_else_records_supervision(
    volunteer_file, personnel_file, wirral, volunteer, other_volunteer, coordinator, trustee, other_coordinator
):
    cases = [
        (other_volunteer, volunteer),
        (trustee, volunteer),
        (volunteer, coordinator),
        (other_coordinator, coordinator),
        (coordinator, coordinator),
    ]
    for actor, supervisee in cases:
        with pytest.raises(NotAllowed):
            people_services.supervision_record(
                scheme=wirral, supervisee=supervisee, actor=actor, held_on=timezone.localdate(), notes="x"
            )


@pytest.mark.policy("4.2", "5.2")
def test_supervision_notes_are_confidential_to_the_two_parties_and_the_manager(
    volunteer_file,
    wirral,
    coordinator,
    volunteer,
    manager,
    other_volunteer,
    other_coordinator,
    trustee,
    sef_coordinator,
):
    note = people_services.supervision_record(
        scheme=wirral, supervisee=volunteer, actor=coordinator, held_on=timezone.localdate(), notes="x"
    )
    for user in (coordinator, volunteer, manager):
        assert note in people_selectors.supervision_notes_for(user=user)
    for user in (other_volunteer, other_coordinator, trustee, sef_coordinator):
        assert note not in people_selectors.supervision_notes_for(user=user)


def _breach(wirral, actor, **kw):
    return breach_services.breach_record(
        scheme=wirral,
        actor=actor,
        found_at=timezone.now() - datetime.timedelta(hours=2),
        found_by=actor,
        description="A visit sheet left on a bus",
        data_affected="Name and address of one family",
        people_affected="WIR-0001",
        **kw,
    )


@pytest.mark.policy("3.9", "4.4", "5.5")
def test_staff_record_breaches_with_the_72_hour_ico_deadline(wirral, coordinator):
    breach = _breach(wirral, coordinator)
    assert breach.reference == "WIR-BR-0001"
    assert breach.ico_deadline == breach.found_at + datetime.timedelta(hours=72)
    assert not breach.ico_overdue()
    assert breach.ico_overdue(breach.found_at + datetime.timedelta(hours=73))
    assert b"bus" not in raw_value(Breach, "description", breach.pk)


@pytest.mark.policy("3.9", "5.5")
def test_volunteers_and_trustees_do_not_record_breaches_directly(wirral, volunteer, trustee):
    for user in (volunteer, trustee):
        with pytest.raises(NotAllowed):
            _breach(wirral, user)


@pytest.mark.policy("3.9", "4.4")
def test_only_the_manager_decides_on_the_ico_and_closes(wirral, coordinator, manager):
    breach = _breach(wirral, coordinator)
    with pytest.raises(NotAllowed):
        breach_services.breach_update(breach=breach, actor=coordinator, risk=Breach.Risk.RISK)
    with pytest.raises(ValidationError):
        breach_services.breach_update(breach=breach, actor=manager, close=True)
    with pytest.raises(ValidationError):
        breach_services.breach_update(breach=breach, actor=manager, ico_decision=Breach.IcoDecision.NOT_REPORTABLE)
    breach = breach_services.breach_update(
        breach=breach,
        actor=manager,
        risk=Breach.Risk.UNLIKELY,
        ico_decision=Breach.IcoDecision.NOT_REPORTABLE,
        ico_decision_reason="Recovered unopened within the hour",
        outcome="Volunteer reminded of §5.4",
        close=True,
    )
    assert breach.closed_at is not None
    assert breach in breach_selectors.breaches_for(user=manager)
    assert breach in breach_selectors.breaches_for(user=coordinator)


@pytest.mark.policy("3.9")
@override_settings(RECORDS_SUSPICIOUS_ACCESS={"REFUSALS": 3, "OPENINGS": 3})
def test_repeated_refusals_and_many_files_are_raised_to_the_manager(
    family, wirral, coordinator, manager, volunteer, trustee
):
    for _ in range(3):
        with pytest.raises(gate.FileHidden):
            gate.open_family(user=volunteer, reference=family.reference)
    others = [make_family(wirral, coordinator) for _ in range(2)]
    for f in [family, *others]:
        gate.open_family(user=coordinator, reference=f.reference)
    alerts = monitoring.suspicious_access(user=manager)
    assert {(a.person.username, a.kind) for a in alerts} >= {("volunteer", "refusals"), ("coordinator", "many_files")}
    assert monitoring.suspicious_access(user=coordinator) == []
    assert monitoring.suspicious_access(user=trustee) == []


@pytest.mark.policy("3.9")
def test_ordinary_use_raises_nothing(family, coordinator, manager):
    gate.open_family(user=coordinator, reference=family.reference)
    assert monitoring.suspicious_access(user=manager) == []
    assert AccessEvent.objects.filter(file_kind=FileKind.FAMILY).exists()


@pytest.mark.policy("5.2")
def test_reading_supervision_notes_is_recorded_in_the_supervisees_file_log(
    client_for, volunteer_file, wirral, coordinator, volunteer, manager
):
    people_services.supervision_record(
        scheme=wirral, supervisee=volunteer, actor=coordinator, held_on=timezone.localdate(), notes="Private words"
    )
    from django.urls import reverse

    response = client_for(manager).get(reverse("records:supervision"))
    assert "Private words" in response.content.decode()
    read = AccessEvent.objects.get(
        file_kind=FileKind.VOLUNTEER, file_id=volunteer_file.pk, section=Section.SUPERVISION, user=manager
    )
    # Written by the gate, with the request it belongs to (one door to the access log).
    assert (read.action, read.request_id) == (Action.VIEW, response["X-Request-ID"])


@pytest.mark.policy("5.2", "9.1")
def test_the_supervision_log_names_each_reader_as_what_they_are_to_the_notes(
    client_for, volunteer_file, wirral, coordinator, volunteer, manager
):
    """The two parties and the scheme manager read the notes (§4.2, §5.2); the file's access
    log says which of them it was, not one word for all three."""
    people_services.supervision_record(
        scheme=wirral, supervisee=volunteer, actor=coordinator, held_on=timezone.localdate(), notes="Private words"
    )
    from django.urls import reverse

    for reader in (coordinator, volunteer, manager):
        assert "Private words" in client_for(reader).get(reverse("records:supervision")).content.decode()
    roles = dict(
        AccessEvent.objects.filter(
            file_kind=FileKind.VOLUNTEER, file_id=volunteer_file.pk, section=Section.SUPERVISION, action=Action.VIEW
        ).values_list("user", "role")
    )
    assert roles == {
        coordinator.pk: ActingRole.SUPERVISOR,
        volunteer.pk: ActingRole.SUPERVISEE,
        manager.pk: Role.MANAGER,
    }
