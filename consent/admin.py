"""Consents and the disclosure register in admin: references and decisions only, read-only, never
deleted. Personal text is read on the family's pages, through the access gate."""

from __future__ import annotations

from django.contrib import admin

from access_log.admin import FamilyRecordAdmin

from .models import ConfidentialityStatement, Consent, Disclosure, Transfer


class ReadOnlyFamilyRecordAdmin(FamilyRecordAdmin):
    """No personal field is listed or shown: only the family reference and the decision data.
    Through the gate: undertaking first, every list and record opened logged (§7.6)."""

    list_select_related = ["family"]


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
    fields = [
        "family",
        "channel",
        "scope",
        "recipient_kind",
        "basis",
        "shared_on",
        "approved_by",
        "family_told",
        "family_told_on",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields


@admin.register(Transfer)
class TransferAdmin(ReadOnlyFamilyRecordAdmin):
    list_display = ["__str__", "destination", "to_scheme", "created_at"]
    fields = ["family", "destination", "to_scheme", "new_family", "sections", "recorded_by", "created_at"]
    readonly_fields = fields
