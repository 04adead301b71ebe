"""Fixtures for the records tests (the volunteer and personnel files are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from homestart.models import User
from homestart.rules import Role
from tests.conftest import _member
from tests.matrix import matrix_world, retention_world, world  # noqa: F401 - the URL × role matrix's fixtures


@pytest.fixture
def other_coordinator(wirral, manager) -> User:
    return _member(wirral, Role.COORDINATOR, "coordinator3", line_manager=manager)
