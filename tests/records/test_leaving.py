"""A volunteer or member of staff leaving: the date and the reason, recorded on their file,
start its retention period (§8.8)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from records.deadlines import add_months
from records.models import LeavingReason, VolunteerFile
from records.retention import selectors
from tests.records.test_concurrent_edits import _file_post

pytestmark = pytest.mark.policy("8.8")


def edit(client, file, **changes):
    url = reverse("records:volunteer_file_edit", args=[file.reference])
    version = client.get(url).context["forms"][0]["version"].value()
    return client.post(url, _file_post(file, version=version, started_on="2010-01-04", **changes))


def test_recording_a_volunteer_leaving_starts_the_retention_period(volunteer_file, coordinator, manager, client_for):
    left = datetime.date(2015, 3, 31)
    response = edit(
        client_for(coordinator), volunteer_file, left_on=left.isoformat(), left_reason=LeavingReason.MOVED_AWAY
    )
    assert response.status_code == 302
    file = VolunteerFile.objects.get(pk=volunteer_file.pk)
    assert (file.left_on, file.left_reason) == (left, LeavingReason.MOVED_AWAY)
    due = {d.reference: d.due_on for d in selectors.due_for_destruction(user=manager)}
    assert due[file.reference] == add_months(left, 6 * 12)
    html = client_for(coordinator).get(reverse("records:volunteer_file", args=[file.reference])).content.decode()
    assert "Moved away" in html and "moved_away" not in html


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"left_on": "2020-01-01"}, "left_reason"),
        ({"left_reason": LeavingReason.RETIRED}, "left_on"),
        ({"left_on": "2999-01-01", "left_reason": LeavingReason.RETIRED}, "left_on"),
        ({"left_on": "2020-01-01", "left_reason": "sacked"}, "left_reason"),
    ],
)
def test_a_leaving_date_and_reason_go_together(volunteer_file, coordinator, client_for, changes, field):
    before = volunteer_file.history.count()
    response = edit(client_for(coordinator), volunteer_file, **changes)
    assert response.status_code == 200
    assert field in response.context["forms"][0].errors
    assert volunteer_file.history.count() == before
    assert VolunteerFile.objects.get(pk=volunteer_file.pk).left_on is None


def test_a_file_whose_person_has_not_left_is_not_due(volunteer_file, manager):
    assert volunteer_file.reference not in [d.reference for d in selectors.due_for_destruction(user=manager)]
    assert timezone.localdate()  # the file stays until a leaving date is recorded
