"""Board minutes shared appropriately (§3.6); confidential items for their circulation list only (§3.7)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from homestart.rules import Role
from reporting import services
from reporting.models import ReportEvent
from tests.conftest import _member

pytestmark = pytest.mark.policy("3.6", "3.7")

SECRET = "Discussed a staffing capability matter in detail"


@pytest.fixture
def meeting(wirral, manager):
    return services.meeting_record(
        scheme=wirral,
        actor=manager,
        held_on=timezone.localdate() - datetime.timedelta(days=3),
        minutes="Referrals rose this quarter. The Board approved the budget.",
    )


@pytest.fixture
def second_trustee(wirral):
    return _member(wirral, Role.TRUSTEE, "trustee2")


@pytest.fixture
def item(meeting, manager, trustee):
    return services.confidential_item_add(
        meeting=meeting,
        actor=manager,
        subject="Staffing matter",
        text=SECRET,
        circulation=[trustee],
    )


def detail(meeting):
    return reverse("reporting:minutes_detail", kwargs={"meeting_id": meeting.pk})


@pytest.mark.parametrize("who", ["trustee", "manager", "coordinator", "safeguarding_lead", "spotcheck"])
def test_the_board_and_scheme_staff_read_the_open_minutes(request, meeting, client_for, who):
    response = client_for(request.getfixturevalue(who)).get(detail(meeting))
    assert response.status_code == 200
    assert "The Board approved the budget" in response.content.decode()


@pytest.mark.parametrize("who", ["volunteer", "sef_coordinator", "reviewer", "auditor", "outsider"])
def test_others_cannot_read_the_minutes_unless_shared_with_them(request, meeting, client_for, who):
    assert client_for(request.getfixturevalue(who)).get(detail(meeting)).status_code == 404


def test_minutes_shared_with_hsuk_on_request_are_readable_by_that_reviewer(meeting, client_for, reviewer):
    meeting.shared_with.add(reviewer)
    assert client_for(reviewer).get(detail(meeting)).status_code == 200


def test_a_confidential_item_is_read_only_by_its_circulation_list(
    item, meeting, client_for, trustee, manager, second_trustee, coordinator
):
    for reader in (trustee, manager):  # the manager who minuted it is always on the list
        assert SECRET in client_for(reader).get(detail(meeting)).content.decode()
    for other in (second_trustee, coordinator):
        html = client_for(other).get(detail(meeting)).content.decode()
        assert SECRET not in html and "Staffing matter" not in html


def test_the_confidential_text_is_encrypted(item):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM reporting_confidentialitem")
        assert SECRET.encode() not in bytes(cursor.fetchone()[0])


def test_every_read_is_recorded(item, meeting, client_for, trustee, second_trustee):
    client_for(trustee).get(detail(meeting))
    client_for(second_trustee).get(detail(meeting))
    reads = ReportEvent.objects.filter(kind=ReportEvent.Kind.MINUTES_READ, object_id=meeting.pk)
    assert set(reads.values_list("user__username", flat=True)) == {"trustee", "trustee2"}
    item_reads = ReportEvent.objects.filter(kind=ReportEvent.Kind.CONFIDENTIAL_ITEM_READ, object_id=item.pk)
    assert list(item_reads.values_list("user__username", flat=True)) == ["trustee"]


def test_a_confidential_item_needs_a_circulation_list(meeting, manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.confidential_item_add(meeting=meeting, actor=manager, subject="S", text="T", circulation=[])


def test_only_the_manager_records_minutes(wirral, trustee, coordinator, client_for, manager):
    with pytest.raises(services.AccessRefused):
        services.meeting_record(scheme=wirral, actor=trustee, held_on=timezone.localdate(), minutes="x")
    assert client_for(coordinator).get(reverse("reporting:minutes_new")).status_code == 404
    response = client_for(manager).post(
        reverse("reporting:minutes_new"),
        {
            "held_on": timezone.localdate().isoformat(),
            "minutes": "Quarterly meeting.",
        },
    )
    assert response.status_code == 302


def test_the_manager_adds_a_confidential_item_through_the_page(meeting, client_for, manager, trustee, coordinator):
    url = reverse("reporting:confidential_item_new", kwargs={"meeting_id": meeting.pk})
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(manager).get(url).status_code == 200
    empty = client_for(manager).post(url, {"subject": "S", "text": "T"})
    assert "Choose at least one person" in empty.content.decode()
    response = client_for(manager).post(
        url, {"subject": "Staffing matter", "text": SECRET, "circulation": [trustee.pk]}
    )
    assert response.status_code == 302
    assert meeting.confidential_items.get().circulation.filter(pk=trustee.pk).exists()


def test_minutes_and_circulation_lists_have_history(meeting, item, trustee, manager):
    assert meeting.history.count() == 1
    latest = item.history.first()  # the circulation list is recorded with the item
    assert set(latest.circulation.values_list("user_id", flat=True)) == {trustee.pk, manager.pk}


def test_report_events_cannot_be_changed_or_deleted(meeting, client_for, trustee):
    from access_log.models import AppendOnlyError

    client_for(trustee).get(detail(meeting))
    event = ReportEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ReportEvent.objects.update(detail="changed")


def test_on_postgresql_the_database_refuses_to_rewrite_a_report_event(database_owner, meeting, client_for, trustee):
    # As the owner: the trigger refuses even them (the application role has no UPDATE at all).
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    client_for(trustee).get(detail(meeting))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reporting_reportevent SET detail = 'changed'")


@pytest.mark.policy("3.7")
@pytest.mark.parametrize("sent", ["99999999999999999999999", "-1", "1e3", "x"])
def test_an_impossible_person_in_the_circulation_list_is_an_error_next_to_the_field(
    meeting, client_for, manager, trustee, sent
):
    """Found by the hostile-input sweep: a number larger than any id made SQLite fail (a 500)."""
    url = reverse("reporting:confidential_item_new", kwargs={"meeting_id": meeting.pk})
    response = client_for(manager).post(url, {"subject": "S", "text": "T", "circulation": [trustee.pk, sent]})
    assert response.status_code == 200
    assert "Choose people from the list." in response.content.decode()
    assert not meeting.confidential_items.exists()
