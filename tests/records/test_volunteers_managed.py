"""Volunteers managed (issue 15.4): the volunteer file holds when a volunteer is free, the areas
they reach, their languages, the preparation course, the DBS check and its renewal, training and
the current caseload; the coordinator changes them on the file's form, every change has history;
a volunteer's "My families" shows first names and their next planned visit (§8.5)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families.models import PlannedVisit
from homestart.rules import Action, FileKind
from homestart.writes import save_tracked
from records.models import TrainingRecord, VolunteerFile
from records.models.people import renewal_after
from tests.conftest import CARER_FIRST, CARER_LAST, CHILD_FIRST, VOLUNTEER_NAME
from tests.helpers import field_error, main_content, version_in

TODAY = timezone.localdate


def file_url(file, name: str = "volunteer_file") -> str:
    return reverse(f"records:{name}", kwargs={"reference": file.reference})


def edit_data(file, page: str, **changes) -> dict:
    data = {
        "full_name": VOLUNTEER_NAME,
        "started_on": file.started_on.isoformat(),
        "version": version_in(page),
        "dbs_checked_on": (TODAY() - datetime.timedelta(days=30)).isoformat(),
        "preparation_course_on": (TODAY() - datetime.timedelta(days=200)).isoformat(),
        "areas": "ch41 ch43, CH41",
        "languages": "English,  Polish",
        "availability": ["tue_morning", "thu_afternoon"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.policy("8.3")
def test_the_coordinator_records_what_matching_needs_and_the_file_shows_it_in_words(
    volunteer_file, coordinator, client_for
):
    client = client_for(coordinator)
    page = client.get(file_url(volunteer_file, "volunteer_file_edit")).content.decode()
    response = client.post(file_url(volunteer_file, "volunteer_file_edit"), edit_data(volunteer_file, page))
    assert response.status_code == 302
    file = VolunteerFile.objects.get(pk=volunteer_file.pk)
    assert (file.areas, file.languages, file.availability) == (
        "CH41, CH43",
        "English, Polish",
        "tue_morning,thu_afternoon",
    )
    checked = TODAY() - datetime.timedelta(days=30)
    assert file.dbs_renewal_due == renewal_after(checked) == checked.replace(year=checked.year + 3)
    shown = main_content(client.get(file_url(volunteer_file)).content.decode())
    assert "Tuesday morning and Thursday afternoon" in shown and "tue_morning" not in shown
    assert "No families now" in shown and "Current</strong>" in shown
    # Personal details are sealed with the file's key: not in the table as written.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT areas, languages FROM records_volunteerfile WHERE id = %s", [file.pk.hex])
        row = cursor.fetchone() or ()
    assert "Polish" not in " ".join(map(str, row))
    # History: who changed what.
    history = client.get(file_url(volunteer_file, "volunteer_file_history")).content.decode()
    assert "Areas they can reach" in history or "areas they can reach" in history.lower()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"areas": "CH41, Birkenhead"}, "id_areas", "BIRKENHEAD is not a postcode district"),
        ({"dbs_renewal_due": "2001-01-01"}, "id_dbs_renewal_due", "must be after the date of the check"),
        ({"dbs_checked_on": "2999-01-01"}, "id_dbs_checked_on", "today or in the past"),
        ({"availability": ["someday"]}, "id_availability", "Select a valid choice"),
    ],
    ids=["area", "renewal-before-check", "future-check", "unknown-time"],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    volunteer_file, coordinator, client_for, changes, field, message
):
    client = client_for(coordinator)
    before = VolunteerFile.history.filter(id=volunteer_file.pk).count()
    page = client.get(file_url(volunteer_file, "volunteer_file_edit")).content.decode()
    response = client.post(file_url(volunteer_file, "volunteer_file_edit"), edit_data(volunteer_file, page, **changes))
    assert response.status_code == 200
    assert message in field_error(response.content.decode(), field)
    assert VolunteerFile.history.filter(id=volunteer_file.pk).count() == before


@pytest.mark.policy("8.3")
def test_training_is_recorded_once_however_often_the_form_is_sent(volunteer_file, coordinator, client_for):
    client = client_for(coordinator)
    url = file_url(volunteer_file, "volunteer_training_new")
    token = re.search(r'name="form_once" value="([^"]+)"', client.get(url).content.decode()).group(1)
    data = {
        "course": "Safeguarding children, level 1",
        "completed_on": (TODAY() - datetime.timedelta(days=10)).isoformat(),
        "renew_on": (TODAY() + datetime.timedelta(days=700)).isoformat(),
        "form_once": token,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    (record,) = TrainingRecord.objects.filter(volunteer_file=volunteer_file)
    assert record.recorded_by == coordinator and record.history.count() == 1
    page = main_content(client.get(file_url(volunteer_file)).content.decode())
    assert "Safeguarding children, level 1" in page
    assert AccessEvent.objects.filter(file_id=volunteer_file.pk, action=Action.CHANGE).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"course": "", "completed_on": "2024-01-01"}, "id_course", "Enter the course"),
        ({"course": "First aid", "completed_on": "2999-01-01"}, "id_completed_on", "today or in the past"),
        ({"course": "First aid", "completed_on": "2024-01-01", "renew_on": "2023-01-01"}, "id_renew_on", "after"),
    ],
    ids=["no-course", "future", "renewal-before"],
)
def test_a_training_record_with_bad_input_is_refused(volunteer_file, coordinator, client_for, data, field, message):
    response = client_for(coordinator).post(file_url(volunteer_file, "volunteer_training_new"), data)
    assert response.status_code == 200
    assert message in field_error(response.content.decode(), field)
    assert not TrainingRecord.objects.exists()


def test_the_volunteer_cannot_record_their_own_training(volunteer_file, volunteer, client_for):
    data = {"course": "First aid", "completed_on": "2024-01-01"}
    response = client_for(volunteer).post(file_url(volunteer_file, "volunteer_training_new"), data)
    assert response.status_code in (403, 404)
    assert not TrainingRecord.objects.exists()


@pytest.mark.policy("8.5")
def test_my_families_shows_first_names_and_the_next_planned_visit(assigned_family, volunteer, coordinator, client_for):
    for days, at in ((9, "14:00"), (2, "10:30")):
        save_tracked(
            PlannedVisit(
                family=assigned_family,
                kind=PlannedVisit.Kind.SUPPORT,
                planned_on=TODAY() + datetime.timedelta(days=days),
                planned_at=at,
                visitor=volunteer,
                planned_by=coordinator,
            ),
            actor=coordinator,
        )
    page = main_content(client_for(volunteer).get(reverse("families:my_families")).content.decode())
    assert f"{CARER_FIRST}, {CHILD_FIRST}" in page and CARER_LAST not in page
    soon = TODAY() + datetime.timedelta(days=2)
    assert f"{soon:%A} {soon.day} {soon:%B}, 10:30 (home visit)" in page
    # Reading the first names is reading the file: the listing is recorded.
    assert AccessEvent.objects.filter(
        user=volunteer, file_id=assigned_family.pk, file_kind=FileKind.FAMILY, action=Action.LIST
    ).exists()
