"""Registers without personal data are visible to administrators; files of people
are not registered (they are opened only through the gate, §7.6). Nothing here deletes."""

from django.contrib import admin
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin

from homestart.admin import person_column
from homestart.security import recent_authentication
from records.models import (
    AccessLogHold,
    AccessLogRetentionRecord,
    DestructionCertificate,
    Disclosure,
    LegalHold,
    RetentionRule,
)


class NoDelete:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ConfirmChanges:
    """Changing how long records are kept, or releasing a legal hold, decides what is
    destroyed (§8.8): confirm it is you first."""

    @method_decorator(recent_authentication)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(RetentionRule)
class RetentionRuleAdmin(NoDelete, ConfirmChanges, SimpleHistoryAdmin):
    list_display = ["record_kind", "years", "basis"]


@admin.register(LegalHold)
class LegalHoldAdmin(NoDelete, ConfirmChanges, SimpleHistoryAdmin):
    list_display = ["file_reference", "file_kind", "placed_at", "released_at"]
    readonly_fields = ["file_kind", "file_id", "file_reference", "reason", "placed_by", "placed_at"]

    def has_add_permission(self, request) -> bool:
        return False  # placed by the manager through records.retention.services.legal_hold_place


@admin.register(DestructionCertificate)
class DestructionCertificateAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["file_reference", "file_kind", "destroyed_at", person_column("carried_out_by")]
    list_select_related = ["carried_out_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Disclosure)
class DisclosureAdmin(DestructionCertificateAdmin):
    list_display = ["sar", "file_reference", "released_at", person_column("released_by")]
    list_select_related = ["sar", "released_by"]


@admin.register(AccessLogHold)
class AccessLogHoldAdmin(NoDelete, ConfirmChanges, SimpleHistoryAdmin):
    """A legal hold on months of the access log: the access log's retention run keeps every
    month it overlaps (records/retention/access_log.py, §8.8, §9.1). Released, never deleted."""

    list_display = ["starts_on", "ends_on", "reason", person_column("placed_by"), "placed_at", "released_at"]
    readonly_fields = ["placed_by", "placed_at", "released_by", "released_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.placed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AccessLogRetentionRecord)
class AccessLogRetentionRecordAdmin(DestructionCertificateAdmin):
    list_display = ["at", "act", "month", "events", person_column("actor")]
