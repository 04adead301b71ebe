"""What the import and the export keep: which rows came in (by a keyed hash of their id in
the old system), the uploaded file while it waits for the manager's confirmation (sealed,
and shredded after), and the register of whole-scheme exports (each one a disclosure)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.models import Family
from homestart.historical import HistoricalRecords
from homestart.models import AppendOnlyModel, DataKey, Scheme
from records.models import VolunteerFile


class ImportKind(models.TextChoices):
    FAMILIES = "families", _("Families")
    VOLUNTEERS = "volunteers", _("Volunteers")


class ImportedRecord(AppendOnlyModel):
    """One row brought in, matched on its next import by the id it had in the old system.

    The id is kept only as a keyed hash (HMAC under ``BLIND_INDEX_KEY``, per scheme): it is
    an identifier that links the family to records held elsewhere, so it is personal data;
    it is only ever compared, never shown, so no plaintext is needed. Written once.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    external_id_index = models.CharField(max_length=32, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    volunteer_file = models.ForeignKey(VolunteerFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "kind", "external_id_index"], name="imported_record_once_per_scheme"
            ),
            models.CheckConstraint(
                condition=Q(family__isnull=False) | Q(volunteer_file__isnull=False), name="imported_record_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"Imported {self.get_kind_display().lower()} row"


class PendingImport(models.Model):
    """An uploaded file between its preview and the manager's confirmation.

    The bytes are sealed under a data key of their own in the key store, never written to
    disk in plaintext (the upload is read in memory); once imported or abandoned the key is
    destroyed, so what stays in the database, its write-ahead log or a backup cannot be read
    (the same crypto-shredding as a destroyed file, §8.8). Confirmation locks the row:
    sending it twice imports once.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for confirmation")
        IMPORTED = "imported", _("Imported")
        ABANDONED = "abandoned", _("Abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ImportKind.choices, default=ImportKind.FAMILIES)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    file_type = models.CharField(max_length=8)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    sealed = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the import did, in counts only (no personal values).
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_there = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    # Who uploaded and confirmed or abandoned it, when; never the sealed bytes themselves.
    history = HistoricalRecords(excluded_fields=["sealed"])

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"Import of {self.uploaded_at:%Y-%m-%d %H:%M}"

    def get_data_key(self) -> DataKey:
        return self.data_key

    def aad(self) -> bytes:
        return b"portability.pendingimport|" + self.pk.bytes


class SchemeExport(AppendOnlyModel):
    """The register of whole-scheme exports: each download of the scheme's records is a
    disclosure of every file in it, recorded with who, when, what (counts, never values) and
    the archive's fingerprint. Written once, never changed (append-only)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(default=timezone.now, editable=False)
    recipient = models.CharField(max_length=200, help_text=_("Who received the archive."))
    legal_basis = models.CharField(
        max_length=200, default="The scheme, as data controller, taking its own records (UK GDPR Art. 5(1)(f), 32)"
    )
    encryption = models.CharField(max_length=64)
    contents = models.CharField(max_length=500, help_text=_("Kinds and counts of records, no personal values."))
    families = models.PositiveIntegerField()
    volunteers = models.PositiveIntegerField()
    sha256 = models.CharField(_("SHA-256 of the archive"), max_length=64)

    class Meta:
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return f"Export of {self.scheme_id and self.scheme.code} on {self.exported_at:%Y-%m-%d}"
