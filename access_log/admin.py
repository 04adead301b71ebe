from django.contrib import admin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: events hold references and sections, never personal values."""

    list_display = ["at", "user", "role", "file_reference", "section", "action", "outcome", "reason"]
    list_filter = ["outcome", "action", "file_kind"]
    search_fields = ["file_reference", "user__username", "request_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
