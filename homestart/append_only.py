"""Registers and logs that are written once: the application refuses every update
and delete (and, on PostgreSQL, so do triggers added by migrations).

Lives at the bottom layer so that every app's registers share one marker:
access events and signatures (access_log), access requests and their decisions
(homestart), disclosures and destruction certificates (records), report events.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(Exception):
    """Access events and signatures are written once and never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Written once; the application refuses every update and delete (and so does
    a PostgreSQL trigger, see the migrations)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError(f"A {self._meta.verbose_name} cannot be changed.")
        # Always an INSERT: a new object carrying an existing row's id must fail,
        # not silently overwrite that row (Django would try an UPDATE first).
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"A {self._meta.verbose_name} cannot be deleted.")
