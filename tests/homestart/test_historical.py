"""Every model that keeps history does so through ``homestart.historical.HistoricalRecords``,
whose history manager class is built once instead of on every save (§8.2: every change keeps
history, so every save pays for it)."""

from __future__ import annotations

import pytest
from simple_history.models import registered_models

from families.models import Family
from homestart.historical import HistoryManager
from tests.factories import make_family


def _descriptor(model):
    return model.__dict__[model._meta.simple_history_manager_attribute]


@pytest.mark.policy("8.2")
def test_every_model_keeping_history_uses_the_projects_historical_records():
    others = sorted(
        model._meta.label
        for model in registered_models.values()
        # many-to-many fields' history tables are registered too; their model's manager covers them
        if hasattr(model._meta, "simple_history_manager_attribute")
        and not issubclass(_descriptor(model).manager_class, HistoryManager)
    )
    assert others == [], f"use homestart.historical.HistoricalRecords (not simple-history's own) in {others}"


@pytest.mark.policy("8.2")
def test_the_history_manager_class_is_built_once_and_a_rows_history_is_still_its_own(family, coordinator):
    assert type(Family.history) is type(Family.history)
    assert type(family.history) is type(Family.history)
    other = make_family(family.scheme, coordinator, last_name="Other")
    family.save()
    assert family.history.count() == Family.history.filter(id=family.pk).count() >= 2
    assert other.history.count() == 1
    assert Family.history.count() >= family.history.count() + other.history.count()
