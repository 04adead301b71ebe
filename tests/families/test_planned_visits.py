"""Planned visits (issue 15): planned by the scheme's staff, or by a volunteer for a family they
support (§8.5); the visitor's week with names and addresses through the gate; the coordinator's
agenda by reference only (§8.6); a review visit planned from a consent due for review (§1.2)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families import planning, services
from families.models import PlannedVisit, Visit
from homestart.errors import AccessRefused, NotAllowed
from homestart.once import FIELD, new_token
from homestart.rules import Action, Outcome, Role, Section
from tests.conftest import ADDRESS, CARER_FIRST, CARER_LAST, CHILD_FIRST, _member
from tests.factories import make_family

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
YESTERDAY = TODAY - datetime.timedelta(days=1)


def plan(family, actor, visitor, *, on=TOMORROW, kind=PlannedVisit.Kind.SUPPORT, at=datetime.time(14, 30)):
    return planning.planned_visit_plan(
        family=family, actor=actor, visitor=visitor, kind=kind, planned_on=on, planned_at=at
    )


def overdue(family, actor, visitor, *, days=3, kind=PlannedVisit.Kind.SUPPORT):
    """A visit planned ``days`` ago and never recorded (planned then, so not refused as past)."""
    planned = plan(family, actor, visitor, kind=kind)
    PlannedVisit.objects.filter(pk=planned.pk).update(planned_on=TODAY - datetime.timedelta(days=days))
    planned.refresh_from_db()
    return planned


def plan_url(family, **query):
    url = reverse("families:visit_plan", kwargs={"reference": family.reference})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def record_url(planned):
    return reverse("families:visit_new", kwargs={"reference": planned.family.reference}) + f"?planned={planned.pk}"


def missed_url(planned):
    return reverse("families:visit_missed", kwargs={"reference": planned.family.reference, "planned_id": planned.pk})


def form(**fields):
    return {FIELD: new_token(), **fields}


# Planning: who may (§8.5), and bad input.


@pytest.mark.policy("8.5")
def test_volunteer_plans_their_own_visit_to_a_family_they_support(assigned_family, volunteer, client_for):
    response = client_for(volunteer).post(
        plan_url(assigned_family),
        form(kind="support", planned_on=TOMORROW.isoformat(), planned_at="10:15", visitor=volunteer.pk),
    )
    assert response.status_code == 302 and response["Location"] == reverse("families:this_week")
    planned = PlannedVisit.objects.get()
    assert (planned.visitor, planned.planned_by, planned.planned_at) == (volunteer, volunteer, datetime.time(10, 15))
    assert planned.history.count() == 1


@pytest.mark.policy("8.5")
def test_volunteer_cannot_plan_for_someone_else(assigned_family, volunteer, coordinator):
    with pytest.raises(NotAllowed) as caught:
        plan(assigned_family, volunteer, coordinator)
    assert "their own visits" in str(caught.value.message_dict["visitor"])
    assert not PlannedVisit.objects.exists()


@pytest.mark.policy("8.5")
def test_unassigned_volunteer_and_other_roles_cannot_plan(
    assigned_family, other_volunteer, trustee, safeguarding_lead, sef_coordinator, client_for, volunteer
):
    data = form(kind="support", planned_on=TOMORROW.isoformat(), planned_at="10:15", visitor=volunteer.pk)
    for person in (other_volunteer, trustee, sef_coordinator):
        assert client_for(person).get(plan_url(assigned_family)).status_code == 404
        assert client_for(person).post(plan_url(assigned_family), data).status_code == 404
    # The safeguarding lead opens the safeguarding section only.
    assert client_for(safeguarding_lead).get(plan_url(assigned_family)).status_code == 404
    for person in (other_volunteer, trustee, sef_coordinator, safeguarding_lead):
        with pytest.raises(AccessRefused):
            plan(assigned_family, person, volunteer)
    assert not PlannedVisit.objects.exists()


def test_coordinator_plans_for_the_familys_volunteer_but_not_for_an_unassigned_one(
    assigned_family, coordinator, volunteer, other_volunteer
):
    plan(assigned_family, coordinator, volunteer)
    with pytest.raises(NotAllowed) as caught:
        plan(assigned_family, coordinator, other_volunteer)
    assert "volunteer supporting this family" in str(caught.value.message_dict["visitor"])
    assert PlannedVisit.objects.count() == 1


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"planned_on": YESTERDAY.isoformat()}, "planned_on", "today or later"),
        ({"planned_at": "25:00"}, "planned_at", "24-hour clock"),
        ({"planned_at": "half past two"}, "planned_at", "24-hour clock"),
        ({"planned_at": ""}, "planned_at", "Enter the time"),
        ({"planned_on": "2026-02-30"}, "planned_on", "real date"),
        ({"kind": "tea"}, "kind", "Choose one of the types"),
    ],
    ids=["past", "hour", "words", "no-time", "no-such-day", "kind"],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    assigned_family, coordinator, volunteer, client_for, fields, field, message
):
    data = {"kind": "review", "planned_on": TOMORROW.isoformat(), "planned_at": "14:30", "visitor": volunteer.pk}
    response = client_for(coordinator).post(plan_url(assigned_family), form(**{**data, **fields}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not PlannedVisit.objects.exists()


def test_a_plan_sent_twice_is_made_once(assigned_family, coordinator, volunteer, client_for):
    client = client_for(coordinator)
    data = form(kind="review", planned_on=TOMORROW.isoformat(), planned_at="14:30", visitor=volunteer.pk)
    first = client.post(plan_url(assigned_family), data)
    second = client.post(plan_url(assigned_family), data)
    assert first.status_code == second.status_code == 302
    assert PlannedVisit.objects.count() == 1


def test_a_closed_file_refuses_planning(assigned_family, coordinator, volunteer, client_for):
    services.family_close(family=assigned_family, actor=coordinator, closed_on=TODAY, reason="completed")
    with pytest.raises(services.FileClosed):
        plan(assigned_family, coordinator, coordinator)
    response = client_for(coordinator).get(plan_url(assigned_family))
    assert response.status_code == 302
    assert not PlannedVisit.objects.exists()


# Recording and missing.


@pytest.mark.policy("1.2", "8.5")
def test_volunteer_records_a_planned_review_visit_and_it_is_completed(
    assigned_family, coordinator, volunteer, client_for
):
    planned = plan(assigned_family, coordinator, volunteer, kind=PlannedVisit.Kind.REVIEW, on=TODAY)
    client = client_for(volunteer)
    page = client.get(record_url(planned))
    assert page.status_code == 200
    assert page.context["form"].initial["kind"] == Visit.Kind.REVIEW
    data = form(kind="review", visited_on=TODAY.isoformat(), visited_by=volunteer.pk, notes="Consent reviewed.")
    first = client.post(record_url(planned), data)
    second = client.post(record_url(planned), data)
    assert first.status_code == second.status_code == 302
    planned.refresh_from_db()
    visit = Visit.objects.get(family=assigned_family, kind=Visit.Kind.REVIEW)
    assert (planned.status, planned.visit, planned.closed_by) == (PlannedVisit.Status.COMPLETED, visit, volunteer)
    assert visit.visited_by == volunteer
    # Recorded once: it is no longer planned, and the form says so rather than saving again.
    again = client.post(record_url(planned), form(**{k: v for k, v in data.items() if k != FIELD}))
    assert again.status_code == 302
    assert Visit.objects.filter(kind=Visit.Kind.REVIEW).count() == 1


@pytest.mark.policy("8.5")
def test_volunteer_cannot_record_or_miss_someone_elses_planned_visit(
    assigned_family, coordinator, volunteer, client_for
):
    planned = plan(assigned_family, coordinator, coordinator)
    client = client_for(volunteer)
    assert client.get(record_url(planned)).status_code == 404
    assert client.post(missed_url(planned), {"reason": "Out"}).status_code == 404
    with pytest.raises(AccessRefused):
        planning.planned_visit_miss(planned=planned, actor=volunteer, reason="Out")
    planned.refresh_from_db()
    assert planned.status == PlannedVisit.Status.PLANNED


def test_a_missed_visit_needs_a_reason_and_keeps_it_sealed(assigned_family, coordinator, volunteer, client_for):
    planned = overdue(assigned_family, coordinator, volunteer)
    client = client_for(volunteer)
    empty = client.post(missed_url(planned), {"reason": "  "})
    assert empty.status_code == 200 and "Say why" in empty.content.decode()
    done = client.post(missed_url(planned), {"reason": "Nobody was in"})
    assert done.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.missed_reason) == (PlannedVisit.Status.MISSED, "Nobody was in")
    with connection.cursor() as cursor:
        cursor.execute("SELECT missed_reason FROM families_plannedvisit")
        (stored,) = cursor.fetchone()
    assert "Nobody" not in str(stored)
    with pytest.raises(planning.PlannedVisitClosed):
        planning.planned_visit_miss(planned=planned, actor=coordinator, reason="Again")


def test_bad_planned_visit_ids_are_not_found(assigned_family, volunteer, client_for):
    url = reverse("families:visit_new", kwargs={"reference": assigned_family.reference})
    assert client_for(volunteer).get(url + "?planned=nonsense").status_code == 404
    assert client_for(volunteer).get(url + "?planned=8c4f8a5e-5b7e-4a55-9d38-6b1a1c3f4e11").status_code == 404


# The visitor's week.


@pytest.mark.policy("8.5")
def test_this_week_shows_first_names_address_and_overdue_and_records_the_opening(
    assigned_family, coordinator, volunteer, client_for
):
    late = overdue(assigned_family, coordinator, volunteer)
    soon = plan(assigned_family, coordinator, volunteer, on=TODAY)
    later = plan(assigned_family, coordinator, volunteer, on=TODAY + datetime.timedelta(days=14))
    before = AccessEvent.objects.count()
    response = client_for(volunteer).get(reverse("families:this_week"))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["visits"]) == [late, soon]
    assert later not in response.context["visits"]
    assert CARER_FIRST in html and CHILD_FIRST in html and ADDRESS.splitlines()[0] in html
    assert CARER_LAST not in html  # first names only (§8.5)
    assert "Overdue" in html and record_url(soon) in html.replace("&amp;", "&")
    (event,) = AccessEvent.objects.all()[: AccessEvent.objects.count() - before]
    assert (event.user, event.role, event.action, event.section, event.outcome, event.file_reference) == (
        volunteer,
        Role.VOLUNTEER,
        Action.LIST,
        Section.VISITS,
        Outcome.ALLOWED,
        assigned_family.reference,
    )


@pytest.mark.policy("8.5")
def test_this_week_drops_a_family_once_the_volunteer_is_unassigned(
    assigned_family, assignment, coordinator, volunteer, client_for
):
    plan(assigned_family, coordinator, volunteer, on=TODAY)
    services.volunteer_unassign(assignment=assignment, actor=coordinator)
    response = client_for(volunteer).get(reverse("families:this_week"))
    assert list(response.context["visits"]) == []
    assert ADDRESS.splitlines()[0] not in response.content.decode()
    assert not AccessEvent.objects.filter(user=volunteer, section=Section.VISITS).exists()


# The coordinator's agenda (§8.6).


@pytest.mark.policy("8.6")
def test_agenda_shows_references_and_no_family_names(assigned_family, coordinator, volunteer, client_for):
    late = overdue(assigned_family, coordinator, volunteer, days=10)
    soon = plan(assigned_family, coordinator, volunteer, on=TODAY)
    response = client_for(coordinator).get(reverse("families:agenda"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["overdue"] == [late] and soon in response.context["week"]
    assert assigned_family.reference in html and volunteer.display_name in html
    for personal in (CARER_FIRST, CARER_LAST, CHILD_FIRST, ADDRESS.splitlines()[0]):
        assert personal not in html
    assert not AccessEvent.objects.filter(user=coordinator, section__in=[Section.VISITS, Section.LIST]).exists()


def test_agenda_filters_by_week(assigned_family, coordinator, volunteer, client_for):
    in_two_weeks = TODAY + datetime.timedelta(days=14)
    later = plan(assigned_family, coordinator, volunteer, on=in_two_weeks)
    client = client_for(coordinator)
    this_week = client.get(reverse("families:agenda"))
    assert later not in this_week.context["week"]
    that_week = client.get(reverse("families:agenda") + f"?week={in_two_weeks.isoformat()}")
    assert that_week.context["week"] == [later]
    assert that_week.context["monday"] == planning.week_of(in_two_weeks)[0]
    nonsense = client.get(reverse("families:agenda") + "?week=soon")
    assert nonsense.status_code == 200 and nonsense.context["monday"] == planning.week_of(TODAY)[0]


@pytest.mark.policy("8.6")
def test_agenda_is_for_the_schemes_staff_only(
    assigned_family, coordinator, volunteer, trustee, sef_coordinator, client_for
):
    plan(assigned_family, coordinator, volunteer, on=TODAY)
    for person in (volunteer, trustee):
        assert client_for(person).get(reverse("families:agenda")).status_code == 404
    other = client_for(sef_coordinator).get(reverse("families:agenda"))
    assert (
        other.status_code == 200
        and other.context["week"] == []
        and assigned_family.reference not in (other.content.decode())
    )


# Query counts: the same whatever the number of visits.


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_this_week_and_agenda_queries_do_not_grow_with_the_visits(
    wirral, assigned_family, coordinator, volunteer, client_for
):
    def add_family():
        family = make_family(wirral, coordinator)
        services.volunteer_assign(family=family, actor=coordinator, volunteer=volunteer, starts_on=YESTERDAY)
        plan(family, coordinator, volunteer, on=TODAY)
        overdue(family, coordinator, volunteer)

    add_family()
    week = {"volunteer": client_for(volunteer), "coordinator": client_for(coordinator)}
    urls = {"volunteer": reverse("families:this_week"), "coordinator": reverse("families:agenda")}
    first = {who: _count(week[who], urls[who]) for who in week}
    for _ in range(3):
        add_family()
    again = {who: _count(week[who], urls[who]) for who in week}
    assert first == again
    assert first == {"volunteer": 8, "coordinator": 8}


def test_a_coordinator_who_visits_sees_their_own_week(assigned_family, coordinator, client_for):
    plan(assigned_family, coordinator, coordinator, on=TODAY)
    response = client_for(coordinator).get(reverse("families:this_week"))
    assert len(response.context["visits"]) == 1
    assert AccessEvent.objects.filter(user=coordinator, section=Section.VISITS, role=Role.COORDINATOR).count() == 1


def test_the_family_file_shows_its_planned_visits(assigned_family, coordinator, volunteer, client_for):
    plan(assigned_family, coordinator, volunteer, kind=PlannedVisit.Kind.PHONE)
    html = client_for(coordinator).get(reverse("families:detail", kwargs={"reference": assigned_family.reference}))
    assert "Phone call" in html.content.decode()


def test_staff_of_another_scheme_is_not_a_visitor(assigned_family, coordinator, sefton):
    stranger = _member(sefton, Role.MANAGER, "sefmanager")
    with pytest.raises(NotAllowed):
        plan(assigned_family, coordinator, stranger)


@pytest.mark.policy("1.2")
def test_a_consent_due_for_review_offers_to_plan_the_review_visit(assigned_family, coordinator, volunteer, client_for):
    from tests.reminders.test_reminders import consent_due

    consent_due(assigned_family, coordinator, review_on=TODAY)
    client = client_for(coordinator)
    page = client.get(reverse("consent:reviews_due")).content.decode().replace("&amp;", "&")
    link = plan_url(assigned_family, kind="review")
    assert link in page
    form_page = client.get(link)
    assert form_page.context["form"].initial["kind"] == PlannedVisit.Kind.REVIEW
    plan(assigned_family, coordinator, volunteer, kind=PlannedVisit.Kind.REVIEW)
    page = client.get(reverse("consent:reviews_due")).content.decode().replace("&amp;", "&")
    assert link not in page and f"Planned for {TOMORROW:%-d %b %Y}" in page
