"""``HistoricalRecords`` for every model that keeps history: django-simple-history's, with
its manager's class made once.

simple-history reaches a model's history through a descriptor that builds a new manager
*class* on every access (``HistoryManager.from_queryset(HistoricalQuerySet)``, which walks
the queryset class's members), and it accesses it on every save to write the history
row. That cost 0.3 ms a save, a tenth of the time of a bulk import. Here the class is
built once per (manager, queryset) pair and reused; each access still gets a new manager
instance bound to its model or row, as before.
"""

from __future__ import annotations

from typing import Any, ClassVar

from simple_history import manager as history_manager
from simple_history import models as history_models


class HistoryManager(history_manager.HistoryManager):
    _classes: ClassVar[dict[tuple[type, type, str | None], type]] = {}

    @classmethod
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> Any:
        key = (cls, queryset_class, class_name)
        if key not in HistoryManager._classes:
            HistoryManager._classes[key] = super().from_queryset(queryset_class, class_name)
        return HistoryManager._classes[key]


class HistoricalRecords(history_models.HistoricalRecords):
    """``HistoricalRecords`` whose history manager class is built once (above)."""

    def __init__(self, *args, history_manager: type = HistoryManager, **kwargs) -> None:
        super().__init__(*args, history_manager=history_manager, **kwargs)
