"""Consents and the disclosure register in admin: references and decisions only, read-only, never
deleted. Personal text is read on the family's pages, through the access gate."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from families.admin import _is_administrator

from .models import ConfidentialityStatement, Consent, Disclosure, Transfer


class ReadOnlyFamilyRecordAdmin(admin.ModelAdmin):
    """No personal field is listed or shown: only the family reference and the decision data."""

    list_select_related = ["family"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ConfidentialityStatement)
class StatementAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "given_on", "policy_version"]
    fields = ["family", "given_on", "verbally", "in_writing", "policy_version", "recorded_by", "created_at"]
    readonly_fields = fields


@admin.register(Consent)
class ConsentAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "scope", "recipient_kind", "given_on", "review_on", "withdrawn_on"]
    list_filter = ["scope", "recipient_kind"]
    fields = ["family", "scope", "recipient_kind", "method", "given_on", "review_on", "withdrawn_on", "recorded_by"]
    readonly_fields = fields


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "channel", "recipient_kind", "basis", "shared_on", "family_told"]
    list_filter = ["channel", "basis", "family_told"]
    fields = ["family", "channel", "scope", "recipient_kind", "basis", "shared_on", "approved_by", "family_told",
              "family_told_on", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Transfer)
class TransferAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "destination", "to_scheme", "created_at"]
    fields = ["family", "destination", "to_scheme", "new_family", "sections", "recorded_by", "created_at"]
    readonly_fields = fields
