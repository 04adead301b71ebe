"""Family files in Django admin: references only, until the administrator has
signed the confidentiality undertaking (§7.6); then read-only, opened through
the access gate and recorded like every other opening. Superusers get no bypass."""

from __future__ import annotations

from django.contrib import admin

from access_log.admin import FamilyRecordAdmin

from .models import Family


@admin.register(Family)
class FamilyAdmin(FamilyRecordAdmin):
    family_field = ""
    list_display = ["reference", "scheme", "status"]
    list_filter = ["scheme", "status"]
    search_fields = ["reference"]
    fields = ["reference", "scheme", "status", "created_at", "closed_on", "address", "postcode", "phone"]
    readonly_fields = fields
