"""Concerns and requests in admin: references and status only, read-only, never deleted."""

from __future__ import annotations

from django.contrib import admin

from access_log.admin import is_administrator
from consent.admin import ReadOnlyFamilyRecordAdmin

from .models import Concern, ExternalRequest, TrusteeNotice


@admin.register(Concern)
class ConcernAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "category", "status", "raised_at"]
    list_filter = ["category", "status"]
    fields = ["family", "category", "status", "observed_on", "raised_by", "raised_at", "referred_on", "closed_at"]
    readonly_fields = fields


@admin.register(ExternalRequest)
class ExternalRequestAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "kind", "received_on", "has_order", "decision", "basis"]
    list_filter = ["kind", "decision"]
    fields = [
        "family",
        "kind",
        "received_on",
        "has_order",
        "logged_by",
        "decision",
        "basis",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields


@admin.register(TrusteeNotice)
class TrusteeNoticeAdmin(admin.ModelAdmin):
    """A notice to the trustees names the scheme and the kind of request, not a family."""

    list_select_related = ["scheme"]

    def has_module_permission(self, request) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    list_display = ["__str__", "scheme", "kind", "received_on", "emailed_to"]
    fields = ["scheme", "kind", "received_on", "created_at", "emailed_to"]
    readonly_fields = fields
