"""Staff and volunteers keep the confidentiality of families and of each other at all times (§4.3,
§5.4): what the system does for them — a file opens only to those the policy names, and each person
can see every file they opened or were refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access_log.models import AccessEvent, Outcome


@pytest.mark.policy("4.3")
def test_staff_open_only_their_own_schemes_files_and_see_every_opening(
    client_for, coordinator, sef_coordinator, family
):
    detail = reverse("families:detail", kwargs={"reference": family.reference})
    assert client_for(sef_coordinator).get(detail).status_code == 404
    assert AccessEvent.objects.filter(user=sef_coordinator, outcome=Outcome.REFUSED).exists()
    client = client_for(coordinator)
    assert client.get(detail).status_code == 200
    assert family.reference in client.get(reverse("access_log:my_access")).content.decode()


@pytest.mark.policy("5.4")
def test_a_volunteer_opens_neither_another_volunteers_file_nor_a_family_they_do_not_support(
    client_for, other_volunteer, volunteer_file, assigned_family
):
    client = client_for(other_volunteer)
    file_page = reverse("records:volunteer_file", kwargs={"reference": volunteer_file.reference})
    assert client.get(file_page).status_code == 404
    assert client.get(reverse("families:detail", kwargs={"reference": assigned_family.reference})).status_code == 404
    refused = AccessEvent.objects.filter(user=other_volunteer, outcome=Outcome.REFUSED)
    assert refused.count() == 2
