"""Retention and secure destruction (§8.8): a schedule per kind of record, a list of
files due, legal hold, two different people authorising, crypto-shredding that
leaves the access events and a certificate."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from access_log.models import AccessEvent
from families.models import Family, Member
from homestart.crypto import KeyUnavailable
from homestart.errors import NotAllowed
from homestart.rules import FileKind
from records.models import Destruction, DestructionCertificate, RecordKind, RetentionRule
from records.people import services as people_services
from records.retention import periods, selectors
from records.retention import services as retention_services
from tests.factories import make_family

LONG_AGO = datetime.date(2015, 3, 31)


def _close(family: Family, on: datetime.date, actor) -> Family:
    family.status = Family.Status.CLOSED
    family.closed_on = on
    family._history_user = actor
    family.save(update_fields=["status", "closed_on"])
    return family


def _authorised(family, manager, trustee) -> Destruction:
    destruction = retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    retention_services.destruction_authorise(destruction=destruction, actor=manager)
    return retention_services.destruction_authorise(destruction=destruction, actor=trustee)


@pytest.mark.policy("8.8")
def test_documented_defaults_and_a_rule_overrides_them(db):
    assert periods.retention_years(RecordKind.PERSONNEL) == 6
    assert periods.retention_years(RecordKind.SAFEGUARDING) > periods.retention_years(RecordKind.FAMILY)
    RetentionRule.objects.create(record_kind=RecordKind.FAMILY, years=3, basis="Scheme policy 2025")
    assert periods.retention_years(RecordKind.FAMILY) == 3
    assert periods.destroy_after(RecordKind.FAMILY, datetime.date(2020, 2, 29)) == datetime.date(2023, 2, 28)


@pytest.mark.policy("8.8")
def test_due_list_holds_closed_files_past_retention_only(family, wirral, coordinator, manager):
    recent = _close(make_family(wirral, coordinator), timezone.localdate(), coordinator)
    _close(family, LONG_AGO, coordinator)
    due = selectors.due_for_destruction(user=manager)
    assert [d.reference for d in due] == [family.reference]
    assert recent.reference not in [d.reference for d in due]


@pytest.mark.policy("8.8")
def test_due_list_is_for_the_manager_and_trustees_only(family, coordinator, manager, volunteer, trustee):
    _close(family, LONG_AGO, coordinator)
    assert selectors.due_for_destruction(user=trustee)
    assert selectors.due_for_destruction(user=coordinator) == []
    assert selectors.due_for_destruction(user=volunteer) == []


@pytest.mark.policy("8.8")
def test_open_file_or_file_within_retention_cannot_be_proposed(family, manager):
    with pytest.raises(retention_services.RetentionError):
        retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)


@pytest.mark.policy("8.8")
def test_destruction_needs_two_different_authorised_people(family, coordinator, manager, trustee):
    _close(family, LONG_AGO, coordinator)
    destruction = retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    with pytest.raises(NotAllowed):
        retention_services.destruction_authorise(destruction=destruction, actor=coordinator)
    retention_services.destruction_authorise(destruction=destruction, actor=manager)
    with pytest.raises(retention_services.RetentionError):
        retention_services.destruction_authorise(destruction=destruction, actor=manager)
    with pytest.raises(retention_services.RetentionError):
        retention_services.destruction_carry_out(destruction=destruction, actor=manager)
    destruction = retention_services.destruction_authorise(destruction=destruction, actor=trustee)
    assert destruction.status == Destruction.Status.AUTHORISED


@pytest.mark.policy("8.8")
def test_legal_hold_stops_proposal_and_cancels_a_pending_destruction(family, coordinator, manager, trustee):
    _close(family, LONG_AGO, coordinator)
    destruction = _authorised(family, manager, trustee)
    with pytest.raises(NotAllowed):
        retention_services.legal_hold_place(kind=FileKind.FAMILY, obj=family, reason="Claim", actor=coordinator)
    hold = retention_services.legal_hold_place(
        kind=FileKind.FAMILY, obj=family, reason="Insurance claim", actor=manager
    )
    destruction.refresh_from_db()
    assert destruction.status == Destruction.Status.CANCELLED
    with pytest.raises(retention_services.RetentionError):
        retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    assert selectors.due_for_destruction(user=manager)[0].on_hold
    retention_services.legal_hold_release(hold=hold, actor=manager)
    assert retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager).status == "proposed"


@pytest.mark.policy("8.8", "8.2")
def test_destroyed_family_no_longer_decrypts_live_or_history_while_others_do(
    family, wirral, coordinator, manager, trustee
):
    other = make_family(wirral, coordinator, last_name="Keepme", postcode="CH43 9ZZ")
    _close(family, LONG_AGO, coordinator)
    family_id = family.pk
    assert Member.objects.filter(family=family).exclude(surname_index="").exists()
    events_before = AccessEvent.objects.count()

    certificate = retention_services.destruction_carry_out(
        destruction=_authorised(family, manager, trustee), actor=manager
    )

    live = Family.objects.get(pk=family_id)
    with pytest.raises(KeyUnavailable):
        live.address  # noqa: B018
    for member in Member.objects.filter(family_id=family_id):
        with pytest.raises(KeyUnavailable):
            member.first_name  # noqa: B018
    for row in Family.history.filter(id=family_id):
        with pytest.raises(KeyUnavailable):
            row.phone  # noqa: B018
    for row in Member.history.filter(family_id=family_id):
        with pytest.raises(KeyUnavailable):
            row.last_name  # noqa: B018
    # Keyed hashes of the surname and postcode are gone too, live and in history.
    assert set(Member.objects.filter(family_id=family_id).values_list("surname_index", flat=True)) == {""}
    assert set(Member.history.filter(family_id=family_id).values_list("surname_index", flat=True)) == {""}
    assert set(Family.history.filter(id=family_id).values_list("postcode_index", flat=True)) == {""}
    # Other families are untouched.
    kept = Family.objects.get(pk=other.pk)
    assert kept.postcode == "CH43 9ZZ"
    assert Member.objects.get(family=kept).last_name == "Keepme"
    # What remains: access events (plus the destruction's own) and the certificate.
    assert AccessEvent.objects.count() == events_before + 1
    assert certificate.file_reference == family.reference
    assert certificate.first_authorised_by == manager and certificate.second_authorised_by == trustee
    assert certificate.carried_out_by == manager
    assert "visits" in certificate.kinds_of_record


@pytest.mark.policy("8.8")
def test_destroying_a_volunteer_file_shreds_its_supervision_notes(
    volunteer_file, volunteer, coordinator, manager, trustee
):
    note = people_services.supervision_record(
        scheme=volunteer_file.scheme,
        supervisee=volunteer,
        actor=coordinator,
        held_on=timezone.localdate(),
        notes="Talked about boundaries",
    )
    volunteer_file.left_on = LONG_AGO
    volunteer_file.save(update_fields=["left_on"])
    destruction = retention_services.destruction_propose(kind=FileKind.VOLUNTEER, obj=volunteer_file, actor=manager)
    retention_services.destruction_authorise(destruction=destruction, actor=manager)
    retention_services.destruction_authorise(destruction=destruction, actor=trustee)
    retention_services.destruction_carry_out(destruction=destruction, actor=manager)
    from records.models import SupervisionNote

    with pytest.raises(KeyUnavailable):
        SupervisionNote.objects.get(pk=note.pk).notes  # noqa: B018


@pytest.mark.policy("8.8")
def test_retention_command_carries_out_authorised_destructions_idempotently(
    family, wirral, coordinator, manager, trustee
):
    second = _close(make_family(wirral, coordinator), LONG_AGO, coordinator)
    _close(family, LONG_AGO, coordinator)
    _authorised(family, manager, trustee)
    _authorised(second, manager, trustee)
    out = io.StringIO()
    call_command("run_retention", "--as", "manager", stdout=out)
    assert "2 of 2" in out.getvalue()
    assert DestructionCertificate.objects.count() == 2
    again = io.StringIO()
    call_command("run_retention", "--as", "manager", stdout=again)
    assert "Nothing to destroy" in again.getvalue()
    assert DestructionCertificate.objects.count() == 2


@pytest.mark.policy("8.8")
def test_retention_command_resumes_after_interruption(family, wirral, coordinator, manager, trustee, monkeypatch):
    second = _close(make_family(wirral, coordinator), LONG_AGO, coordinator)
    _close(family, LONG_AGO, coordinator)
    _authorised(family, manager, trustee)
    _authorised(second, manager, trustee)
    real = retention_services.destruction_carry_out
    calls = []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(retention_services, "destruction_carry_out", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        call_command("run_retention", "--as", "manager", stdout=io.StringIO())
    assert DestructionCertificate.objects.count() == 1
    monkeypatch.setattr(retention_services, "destruction_carry_out", real)
    out = io.StringIO()
    call_command("run_retention", "--as", "manager", stdout=out)
    assert "1 of 1" in out.getvalue()
    assert DestructionCertificate.objects.count() == 2


@pytest.mark.policy("8.8")
def test_retention_command_proposes_due_files(family, coordinator, manager):
    _close(family, LONG_AGO, coordinator)
    out = io.StringIO()
    call_command("run_retention", "--as", "manager", "--propose", stdout=out)
    assert Destruction.objects.get().status == Destruction.Status.PROPOSED
    assert "Proposed 1" in out.getvalue()


@pytest.mark.policy("8.8")
def test_due_list_costs_a_fixed_number_of_queries(family, wirral, coordinator, manager, django_assert_max_num_queries):
    for extra in [make_family(wirral, coordinator) for _ in range(3)] + [family]:
        _close(extra, LONG_AGO, coordinator)
    with django_assert_max_num_queries(12):
        assert len(selectors.due_for_destruction(user=manager)) == 4


def test_the_access_log_has_no_months_to_drop_on_sqlite(manager):
    """On SQLite the access log is an ordinary table: the access log's retention run does
    nothing and says so (on PostgreSQL: tests/records/test_access_log_partitions.py)."""
    from django.db import connection

    from records.retention import access_log

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL partitions the access log by month")
    assert access_log.run(actor=manager) == []
    out = io.StringIO()
    call_command("access_log_retention", "--as", manager.username, stdout=out)
    assert "not partitioned" in out.getvalue()
    assert periods.retention_years(RecordKind.ACCESS_LOG) == 7
