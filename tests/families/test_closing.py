"""Closing and reopening support (§8.8): the retention period runs from the closing date; a
closed file is read-only but for safeguarding, consent and subject access; only the scheme
manager reopens it, with a reason, and the retention clock stops; both stay on record."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from families import services
from families.models import ClosureReason, Family, SupportEpisodeEvent
from homestart.rules import FileKind
from records.models import Destruction
from records.retention import selectors as records_selectors
from records.retention import services as records_services
from safeguarding import services as safeguarding_services
from tests.factories import make_family

pytestmark = pytest.mark.policy("8.8")

SUMMARY = "Zanzibarqu felt able to cope again"


def url(name, family):
    return reverse(f"families:{name}", kwargs={"reference": family.reference})


def close(client, family, **overrides):
    data = {"closed_on": str(timezone.localdate()), "reason": ClosureReason.COMPLETED, "summary": SUMMARY}
    return client.post(url("close", family), {**data, **overrides})


def test_the_coordinator_closes_support_with_date_reason_and_summary(assigned_family, coordinator, client_for):
    response = close(client_for(coordinator), assigned_family)
    assert response.status_code == 302 and response["Location"] == url("detail", assigned_family)
    family = Family.objects.with_keys().get(pk=assigned_family.pk)
    assert (family.status, family.closed_on, family.closure_reason) == (
        Family.Status.CLOSED,
        timezone.localdate(),
        ClosureReason.COMPLETED,
    )
    assert family.closing_summary == SUMMARY
    event = family.support_events.get()
    assert (event.kind, event.reason, event.recorded_by) == (SupportEpisodeEvent.Kind.CLOSED, "completed", coordinator)
    html = client_for(coordinator).get(url("detail", family)).content.decode()
    assert "Support ended on" in html and "support completed" in html and SUMMARY in html


@pytest.mark.policy("8.2")
def test_the_ending_summary_is_encrypted_at_rest(assigned_family, coordinator, client_for):
    close(client_for(coordinator), assigned_family)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT closing_summary FROM families_family WHERE id = %s",
            [assigned_family.pk.hex if connection.vendor == "sqlite" else assigned_family.pk],
        )
        (raw,) = cursor.fetchone()
    assert SUMMARY.encode() not in bytes(raw)


@pytest.mark.policy("8.5")
def test_closing_ends_the_volunteers_access(assigned_family, coordinator, volunteer, client_for):
    close(client_for(coordinator), assigned_family)
    client = client_for(volunteer)
    assert client.get(url("detail", assigned_family)).status_code == 404
    assert assigned_family.reference not in client.get(reverse("families:my_families")).content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"reason": ""},
        {"reason": "bored"},
        {"closed_on": ""},
        {"closed_on": "2999-01-01"},
        {"closed_on": "31/02/2024"},
    ],
)
def test_bad_closing_input_is_refused_next_to_the_field_and_changes_nothing(family, coordinator, client_for, bad):
    response = close(client_for(coordinator), family, **bad)
    assert response.status_code == 200
    assert response.context["form"].errors
    family.refresh_from_db()
    assert family.status != Family.Status.CLOSED and not family.support_events.exists()


def test_a_closed_file_refuses_changes_with_a_clear_message(assigned_family, coordinator, client_for):
    client = client_for(coordinator)
    close(client, assigned_family)
    for name in ("contact_edit", "member_new", "visit_new", "assignment_new", "close"):
        response = client.get(url(name, assigned_family), follow=True)
        assert response.redirect_chain[-1][0] == url("detail", assigned_family), name
        assert "the file is read-only" in response.content.decode(), name
    before = Family.objects.get(pk=assigned_family.pk).history.count()
    response = client.post(url("contact_edit", assigned_family), {"address": "x", "postcode": "", "phone": ""})
    assert response.status_code == 302
    assert Family.objects.get(pk=assigned_family.pk).history.count() == before


def test_the_services_refuse_changes_to_a_closed_file(family, coordinator, volunteer):
    services.family_close(family=family, actor=coordinator, closed_on=timezone.localdate(), reason="moved_away")
    with pytest.raises(services.FileClosed):
        services.visit_record(
            family=family, actor=coordinator, kind="support", visited_on=timezone.localdate(), visited_by=coordinator
        )
    with pytest.raises(services.FileClosed):
        services.member_add(family=family, actor=coordinator, kind="child", first_name="New")
    with pytest.raises(services.FileClosed):
        services.volunteer_assign(family=family, actor=coordinator, volunteer=volunteer, starts_on=timezone.localdate())
    with pytest.raises(services.FileClosed):
        services.family_close(family=family, actor=coordinator, closed_on=timezone.localdate(), reason="other")


@pytest.mark.policy("2.1")
def test_a_safeguarding_concern_can_still_be_recorded_on_a_closed_file(family, coordinator, safeguarding_lead):
    services.family_close(family=family, actor=coordinator, closed_on=timezone.localdate(), reason="withdrew")
    access = gate.open_family(
        user=safeguarding_lead, reference=family.reference, section="safeguarding", for_change=True
    )
    concern = safeguarding_services.concern_raise(
        access=access,
        category="neglect",
        observed="Seen after support ended.",
        observed_on=timezone.localdate(),
        actor=safeguarding_lead,
    )
    assert concern.family_id == family.pk


def test_only_the_scheme_manager_reopens_with_a_reason(family, coordinator, manager, client_for):
    services.family_close(family=family, actor=coordinator, closed_on=timezone.localdate(), reason="no_contact")
    assert client_for(coordinator).get(url("reopen", family)).status_code == 403
    with pytest.raises(gate.AccessRefused):
        services.family_reopen(family=family, actor=coordinator, reason="Back in touch")
    client = client_for(manager)
    refused = client.post(url("reopen", family), {"reason": "   "})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert Family.objects.get(pk=family.pk).status == Family.Status.CLOSED
    response = client.post(url("reopen", family), {"reason": "The family asked for support again."})
    assert response.status_code == 302
    family = Family.objects.with_keys().get(pk=family.pk)
    assert (family.status, family.closed_on, family.closure_reason, family.closing_summary) == (
        Family.Status.ACTIVE,
        None,
        "",
        "",
    )
    kinds = list(family.support_events.order_by("recorded_at").values_list("kind", flat=True))
    assert kinds == ["closed", "reopened"]
    html = client.get(url("detail", family)).content.decode()
    assert "Support reopened" in html and "The family asked for support again." in html


@pytest.mark.parametrize(
    "who", ["volunteer", "other_volunteer", "trustee", "sef_coordinator", "outsider", "safeguarding_lead"]
)
def test_others_may_neither_close_nor_reopen(request, assigned_family, client_for, who):
    client = client_for(request.getfixturevalue(who))
    for name in ("close", "reopen"):
        assert client.get(url(name, assigned_family)).status_code in (403, 404), (who, name)
        assert client.post(url(name, assigned_family), {"reason": "completed"}).status_code in (403, 404)
    assert Family.objects.get(pk=assigned_family.pk).status != Family.Status.CLOSED


def test_the_support_records_are_append_only(family, coordinator):
    services.family_close(family=family, actor=coordinator, closed_on=timezone.localdate(), reason="completed")
    event = family.support_events.get()
    with pytest.raises(Exception):  # noqa: B017, PT011 - AppendOnlyError
        event.save()
    with pytest.raises(Exception):  # noqa: B017, PT011
        SupportEpisodeEvent.objects.all().delete()


def test_reopening_stops_the_retention_clock(wirral, coordinator, manager, trustee):
    family = make_family(wirral, coordinator)
    services.family_close(family=family, actor=coordinator, closed_on=datetime.date(2012, 6, 30), reason="completed")
    due = [d.reference for d in records_selectors.due_for_destruction(user=manager)]
    assert family.reference in due
    destruction = records_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=manager)
    services.family_reopen(family=family, actor=manager, reason="Returned to the area")
    assert family.reference not in [d.reference for d in records_selectors.due_for_destruction(user=manager)]
    with pytest.raises(records_services.RetentionError):
        records_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    # The proposal made before the reopening is cancelled, never carried out.
    with pytest.raises(records_services.RetentionError, match="reopened"):
        records_services.destruction_authorise(destruction=destruction, actor=trustee)
    assert Destruction.objects.get(pk=destruction.pk).status == Destruction.Status.CANCELLED
    assert Family.objects.get(pk=family.pk).data_key.destroyed_at is None


def test_the_families_list_shows_open_families_unless_asked(wirral, coordinator, client_for):
    open_one, closed_one = make_family(wirral, coordinator), make_family(wirral, coordinator)
    services.family_close(family=closed_one, actor=coordinator, closed_on=timezone.localdate(), reason="completed")
    client = client_for(coordinator)

    def listed(**params):
        return {f.reference for f in client.get(reverse("families:dashboard"), params).context["families"]}

    assert listed() == {open_one.reference}
    assert listed(show="open") == {open_one.reference}
    assert listed(show="closed") == {closed_one.reference}
    assert listed(show="all") == {open_one.reference, closed_one.reference}
    assert listed(show="nonsense") == {open_one.reference}


def test_the_closing_service_refuses_anyone_but_the_schemes_staff(family, volunteer, sef_coordinator, trustee):
    for actor in (volunteer, sef_coordinator, trustee):
        with pytest.raises(gate.AccessRefused):
            services.family_close(family=family, actor=actor, closed_on=timezone.localdate(), reason="completed")
    assert Family.objects.get(pk=family.pk).status != Family.Status.CLOSED
