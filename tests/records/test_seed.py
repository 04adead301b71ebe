"""The demo data includes the records lifecycle, and seeding twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from homestart.models import User
from records.models import PersonnelFile, SubjectAccessRequest, SupervisionNote, VolunteerFile
from records.retention import selectors


@pytest.mark.policy("8.8")
def test_demo_has_person_files_an_open_request_and_a_family_past_retention(seeded_demo):
    counts = [m.objects.count() for m in (VolunteerFile, PersonnelFile, SupervisionNote, SubjectAccessRequest)]
    assert counts == [2, 2, 1, 1]
    assert SubjectAccessRequest.objects.get().status == SubjectAccessRequest.Status.RECEIVED
    due = selectors.due_for_destruction(user=User.objects.get(username="manager"))
    assert len(due) == 1 and due[0].reference.startswith("WIR-")
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    assert [m.objects.count() for m in (VolunteerFile, PersonnelFile, SupervisionNote, SubjectAccessRequest)] == counts
