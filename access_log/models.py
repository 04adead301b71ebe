"""The record of every opening of a file, allowed or refused (§9.1, §10.1).

Append-only: an event is never changed or deleted by the application, and
holds no personal values — ids, references, sections and purposes only.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Access events are written once and never changed or deleted."""


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Access events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Access events cannot be deleted.")


class FileKind(models.TextChoices):
    FAMILY = "family", "Family file"


class Action(models.TextChoices):
    VIEW = "view", "Opened"
    CHANGE = "change", "Changed"
    CREATE = "create", "Created"
    EXPORT = "export", "Exported"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REFUSED = "refused", "Refused"


class AccessEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events", null=True
    )
    role = models.CharField(max_length=32, blank=True)
    file_kind = models.CharField(max_length=16, choices=FileKind.choices)
    file_id = models.UUIDField(null=True)
    file_reference = models.CharField(max_length=32)
    scheme = models.ForeignKey("homestart.Scheme", on_delete=models.PROTECT, null=True, related_name="+")
    section = models.CharField(max_length=32)
    action = models.CharField(max_length=16, choices=Action.choices)
    purpose = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["file_kind", "file_id", "-at"], name="access_file_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.file_reference} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError("Access events cannot be changed.")
        # Always an INSERT: a new object carrying an existing event's id must fail,
        # not silently overwrite that event (Django would try an UPDATE first).
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Access events cannot be deleted.")
