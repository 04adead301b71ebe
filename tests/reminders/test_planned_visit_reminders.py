"""Reminders of planned visits (issue 15): the visitor the day before, the scheme's coordinators
and manager once a visit is overdue; once each, with references and links only (§8.6)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from families import planning, services
from families.models import PlannedVisit
from reminders.selectors import due_for
from tests.reminders.test_reminders import FAMILY_DATA, receivers, sent_to

TODAY = timezone.localdate


@pytest.fixture
def people(manager, coordinator, safeguarding_lead, volunteer, trustee, sef_coordinator):
    return {
        "manager": manager,
        "coordinator": coordinator,
        "safeguarding_lead": safeguarding_lead,
        "volunteer": volunteer,
        "trustee": trustee,
        "sef_coordinator": sef_coordinator,
    }


def run(on: datetime.date) -> str:
    out = StringIO()
    call_command("send_reminders", "--date", on.isoformat(), stdout=out)
    return out.getvalue()


def planned(family, actor, visitor, *, on: datetime.date, kind=PlannedVisit.Kind.REVIEW) -> PlannedVisit:
    return planning.planned_visit_plan(
        family=family, actor=actor, visitor=visitor, kind=kind, planned_on=on, planned_at=datetime.time(9, 45)
    )


@pytest.mark.policy("1.2", "8.6")
def test_the_visitor_alone_is_reminded_the_day_before_once(assigned_family, people):
    in_two_days = TODAY() + datetime.timedelta(days=2)
    visit = planned(assigned_family, people["coordinator"], people["volunteer"], on=in_two_days)
    run(TODAY())
    assert mail.outbox == []  # two days before: not yet
    run(TODAY() + datetime.timedelta(days=1))
    assert receivers(people) == {"volunteer"}
    (message,) = sent_to(people["volunteer"])
    assert assigned_family.reference in message.body and "review visit tomorrow" in message.body
    assert "09:45" in message.body and reverse("families:this_week") in message.body
    for value in FAMILY_DATA:
        assert value not in f"{message.subject}\n{message.body}"
    run(TODAY() + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1
    assert visit.status == PlannedVisit.Status.PLANNED


@pytest.mark.policy("8.5")
def test_an_unassigned_volunteer_is_not_reminded(assigned_family, assignment, people):
    planned(assigned_family, people["coordinator"], people["volunteer"], on=TODAY() + datetime.timedelta(days=1))
    services.volunteer_unassign(assignment=assignment, actor=people["coordinator"])
    run(TODAY())
    assert not sent_to(people["volunteer"])


@pytest.mark.policy("8.6")
def test_an_overdue_visit_reminds_the_coordinators_and_manager_once_by_reference(assigned_family, people):
    visit = planned(assigned_family, people["coordinator"], people["volunteer"], on=TODAY())
    run(TODAY() + datetime.timedelta(days=2))
    assert receivers(people) == {"coordinator", "manager"}
    (message,) = sent_to(people["coordinator"])
    assert f"{assigned_family.reference}: the review visit planned for" in message.body
    assert reverse("families:agenda") in message.body
    for value in FAMILY_DATA:
        assert value not in f"{message.subject}\n{message.body}"
    run(TODAY() + datetime.timedelta(days=3))
    assert len(mail.outbox) == 2
    # Once recorded or missed, nothing is due.
    planning.planned_visit_miss(planned=visit, actor=people["coordinator"], reason="Family away")
    assert not [item for item in due_for(user=people["coordinator"], on=TODAY() + datetime.timedelta(days=4))]


def test_the_landing_pages_show_the_same(assigned_family, people, client_for):
    planned(assigned_family, people["coordinator"], people["volunteer"], on=TODAY() + datetime.timedelta(days=1))
    page = client_for(people["volunteer"]).get(reverse("families:my_families")).content.decode()
    assert "Due for you" in page and "review visit tomorrow" in page
    other = client_for(people["coordinator"]).get(reverse("families:dashboard")).content.decode()
    assert "review visit tomorrow" not in other
