"""DBS checks and training due for renewal (issue 15.4): reminded to the scheme's coordinators and
manager and to the volunteer, a month before the date and once it has passed; each once; by the
file's reference and the date only — no name, area, language or course (§8.6)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from homestart.rules import FileKind, Section
from records.models import VolunteerFile
from records.people import services as records_services
from reminders.models import ReminderKind, ReminderSent
from reminders.selectors import RENEWAL_NOTICE_DAYS, due_for
from tests.conftest import VOLUNTEER_NAME

TODAY = timezone.localdate
COURSE = "Makaton signing for families"


def run(on: datetime.date | None = None) -> str:
    out = StringIO()
    call_command("send_reminders", *(["--date", on.isoformat()] if on else []), stdout=out)
    return out.getvalue()


def sent_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


@pytest.fixture
def renewing(volunteer_file):
    """The volunteer's DBS check is due for renewal in ten days; areas and languages recorded."""
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(dbs_renewal_due=TODAY() + datetime.timedelta(days=10))
    file = VolunteerFile.objects.get(pk=volunteer_file.pk)
    file.areas, file.languages = "CH41", "Polish"
    file.save()
    return file


@pytest.mark.policy("8.6")
def test_a_dbs_check_due_for_renewal_reminds_the_staff_and_the_volunteer_once(
    renewing, manager, coordinator, volunteer, trustee, sef_coordinator
):
    run()
    assert {p.username for p in (manager, coordinator, volunteer, trustee, sef_coordinator) if sent_to(p)} == {
        "manager",
        "coordinator",
        "volunteer",
    }
    (staff,) = sent_to(coordinator)
    assert f"{renewing.reference}: DBS check is due for renewal by" in staff.body
    assert reverse("records:volunteer_file", kwargs={"reference": renewing.reference}) in staff.body
    (own,) = sent_to(volunteer)
    assert "Your DBS check is due for renewal by" in own.body and "talk to your coordinator" in own.body
    # Nothing of the file but its reference and the date.
    for message in mail.outbox:
        for secret in (VOLUNTEER_NAME, "CH41", "Polish", "Two references"):
            assert secret not in f"{message.subject}\n{message.body}"
    sent = len(mail.outbox)
    run()
    run(TODAY() + datetime.timedelta(days=5))
    assert len(mail.outbox) == sent, "reminded once while it is due"
    # Once it has lapsed: once more, saying the volunteer cannot be assigned.
    run(TODAY() + datetime.timedelta(days=11))
    assert "the volunteer cannot be assigned until it is renewed" in sent_to(coordinator)[-1].body
    assert "Your DBS check lapsed on" in sent_to(volunteer)[-1].body
    assert len(mail.outbox) == sent + 3
    assert set(ReminderSent.objects.values_list("kind", flat=True)) == {ReminderKind.DBS_RENEWAL}


def test_a_dbs_check_not_yet_due_or_of_someone_who_left_is_not_reminded(volunteer_file):
    due = TODAY() + datetime.timedelta(days=RENEWAL_NOTICE_DAYS + 1)
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(dbs_renewal_due=due)
    run()
    assert mail.outbox == []
    VolunteerFile.objects.filter(pk=volunteer_file.pk).update(left_on=TODAY())
    run(TODAY() + datetime.timedelta(days=5))
    assert mail.outbox == []


@pytest.mark.policy("8.6")
def test_training_due_for_renewal_is_reminded_without_naming_the_course_and_a_renewal_supersedes_it(
    volunteer_file, coordinator, volunteer, client_for
):
    access = gate.open_file(
        user=coordinator,
        kind=FileKind.VOLUNTEER,
        reference=volunteer_file.reference,
        section=Section.FILE,
        for_change=True,
    )
    records_services.training_record_add(
        access=access,
        actor=coordinator,
        course=COURSE,
        completed_on=TODAY() - datetime.timedelta(days=700),
        renew_on=TODAY() + datetime.timedelta(days=20),
    )
    items = [item.text for item in due_for(user=coordinator)]
    assert f"{volunteer_file.reference}: training is due for renewal by" in " ".join(items)
    assert [item.text for item in due_for(user=volunteer)][0].startswith("Your training is due for renewal")
    run()
    assert sent_to(coordinator) and sent_to(volunteer)
    assert all(COURSE not in m.body for m in mail.outbox)
    # The course is done again: the new record, renewed in two years, is all that counts.
    records_services.training_record_add(
        access=access,
        actor=coordinator,
        course=COURSE.upper(),
        completed_on=TODAY(),
        renew_on=TODAY() + datetime.timedelta(days=730),
    )
    assert [item for item in due_for(user=coordinator) if item.kind == ReminderKind.TRAINING_RENEWAL] == []
    page = client_for(volunteer).get(reverse("families:my_families")).content.decode()
    assert "Your training" not in page


def test_the_volunteers_landing_page_shows_their_own_dbs_renewal(renewing, volunteer, other_volunteer, client_for):
    page = client_for(volunteer).get(reverse("families:my_families")).content.decode()
    assert "Due for you" in page and "Your DBS check is due for renewal by" in page
    other = client_for(other_volunteer).get(reverse("families:my_families")).content.decode()
    assert "Your DBS check" not in other
