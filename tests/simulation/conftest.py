"""Hypothesis settings for the simulation, chosen by the environment.

* ``ci`` (the default): a fixed budget with a fixed seed (the same run every time) that
  takes under a minute of CPU on SQLite once nothing stops it early.
* ``long``: ``make simulate``; ``SIMULATE_EXAMPLES`` and ``SIMULATE_STEPS`` size it, and
  it is randomized unless ``SIMULATE_SEED`` is given.

Neither keeps a Hypothesis database in the repository: ``ci`` keeps none, ``long`` keeps
its failing examples under ``.local/hypothesis`` (untracked) so the next run replays them.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    # One failure at a time, shrunk.
    "report_multiple_bugs": False,
}

# A fixed seed (SEED below) rather than derandomize=True: both make CI the same run every time, but a
# derandomized run's few examples are the simplest ones (one rule repeated), a seeded run's are varied.
settings.register_profile(
    "simulation-ci",
    max_examples=8,
    stateful_step_count=25,
    derandomize=False,
    database=None,
    print_blob=False,
    # No shrinking in CI: a failure is reported as found, within the budget.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    **COMMON,
)
settings.register_profile(
    "simulation-long",
    max_examples=int(os.environ.get("SIMULATE_EXAMPLES", "20")),
    stateful_step_count=int(os.environ.get("SIMULATE_STEPS", "60")),
    derandomize=False,
    database=DirectoryBasedExampleDatabase(str(Path(__file__).resolve().parents[2] / ".local" / "hypothesis")),
    print_blob=True,
    **COMMON,
)


SEED = 20261205


def simulation_seed() -> int | None:
    """The seed of the run: fixed in CI, ``SIMULATE_SEED`` or random for ``make simulate``."""
    if os.environ.get("SIMULATE_SEED"):
        return int(os.environ["SIMULATE_SEED"])
    return SEED if os.environ.get("SIMULATE_PROFILE", "ci") == "ci" else None


def simulation_settings() -> settings:
    return settings.get_profile("simulation-" + os.environ.get("SIMULATE_PROFILE", "ci"))


def page_budget() -> int:
    """Pages of the rotating walk visited after each step (0: all of them); what a step touched is
    always walked in full. ``SIMULATE_PAGES`` overrides the profile's."""
    default = "0" if os.environ.get("SIMULATE_PROFILE", "ci") == "long" else "8"
    return int(os.environ.get("SIMULATE_PAGES", default))
