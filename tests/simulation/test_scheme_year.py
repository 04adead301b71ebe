"""A simulated year of a scheme, as a test (§8.8, §9.3): see scheme.py for the model, the rules
and the invariants; conftest.py for the budget."""

from __future__ import annotations

import logging
import os

import pytest
from django.conf import settings
from django.test import override_settings
from hypothesis import seed
from hypothesis.stateful import run_state_machine_as_test

from .conftest import simulation_seed, simulation_settings
from .scheme import STATS, SchemeYear

pytestmark = [
    pytest.mark.policy("8.8", "9.3", "8.3", "8.5", "9.1", "10.1"),
    pytest.mark.usefixtures("templates_not_recorded"),
]


def summary() -> str:
    lines = ["", "A simulated scheme: what it did"]
    for title, counter in (
        ("steps by rule", STATS["rules"]),
        ("pages visited by role", STATS["pages"]),
        ("checks", STATS["checks"]),
        ("findings", STATS["findings"]),
    ):
        lines.append(f"  {title}:")
        lines += [f"    {name:<45} {count:>7}" for name, count in sorted(counter.items())]
    return "\n".join(lines)


# A year's work in a few real seconds: the simulated people search, transfer and export far more often in
# an hour than real ones (homestart/ratelimit.py counts in real time), so the limits are raised for the
# run; the limits themselves are tested in tests/homestart/test_throttling.py.
SIMULATION_RATE_LIMITS = {action: (100_000, seconds) for action, (_, seconds) in settings.RATE_LIMITS.items()}


# Restoring a backup is the operator's work, done as the database owner (docs/backups.md); on PostgreSQL
# with TEST_APP_ROLE the simulation connects as the owner and acts as the application's role
# (SET ROLE) except while it restores (tests/simulation/scheme.py, ``owner``).
@override_settings(RATE_LIMITS=SIMULATION_RATE_LIMITS)
@pytest.mark.heavy
def test_a_year_of_a_scheme_keeps_every_rule(database_owner, db):
    for counter in STATS.values():
        counter.clear()
    # Refused pages (404, 403) are the point of many checks: not worth a log line each.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        chosen = simulation_seed()

        def machine() -> SchemeYear:
            return SchemeYear(app_role=database_owner)

        run_state_machine_as_test(machine if chosen is None else seed(chosen)(machine), settings=simulation_settings())
    finally:
        request_log.setLevel(level)
        if os.environ.get("SIMULATE_REPORT"):
            print(summary())
