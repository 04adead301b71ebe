"""Concerns and requests in admin: references and status only, read-only, never deleted."""

from __future__ import annotations

from django.contrib import admin

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
    fields = ["family", "kind", "received_on", "has_order", "logged_by", "decision", "basis", "decided_by",
              "decided_at"]
    readonly_fields = fields


@admin.register(TrusteeNotice)
class TrusteeNoticeAdmin(ReadOnlyFamilyRecordAdmin):
    list_select_related = ["scheme"]
    list_display = ["__str__", "scheme", "kind", "received_on", "emailed_to"]
    fields = ["scheme", "kind", "received_on", "created_at", "emailed_to"]
    readonly_fields = fields
