"""Volunteer and personnel files for the records tests."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from homestart.models import Role, User
from records import services
from records.models import PersonnelFile, VolunteerFile
from tests.conftest import _member

VOLUNTEER_NAME = "Ottoline Pembury"
STAFF_NAME = "Cressida Vantongeren"


@pytest.fixture
def volunteer_file(wirral, coordinator, volunteer) -> VolunteerFile:
    return services.volunteer_file_create(
        scheme=wirral, person=volunteer, actor=coordinator, full_name=VOLUNTEER_NAME,
        started_on=timezone.localdate() - datetime.timedelta(days=400),
        training="Preparation course, 2024", recruitment="Two references received",
    )


@pytest.fixture
def personnel_file(wirral, manager, coordinator) -> PersonnelFile:
    return services.personnel_file_create(
        scheme=wirral, person=coordinator, actor=manager, full_name=STAFF_NAME,
        started_on=timezone.localdate() - datetime.timedelta(days=900), job_title="Coordinator",
        employment="Annual appraisal: strong safeguarding practice",
    )


@pytest.fixture
def other_coordinator(wirral, manager) -> User:
    return _member(wirral, Role.COORDINATOR, "coordinator3", line_manager=manager)
