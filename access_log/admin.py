from django.contrib import admin

from .models import AccessEvent, AuditSession, ContractorUndertaking, RecordOfAccess, Review


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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecordOfAccess)
class RecordOfAccessAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "file_reference", "signed_name", "role", "purpose"]
    list_filter = ["purpose"]
    search_fields = ["file_reference"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "kind", "reviewer", "opens_at", "closes_at", "closed_at"]
    list_filter = ["kind", "scheme"]


@admin.register(AuditSession)
class AuditSessionAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "auditor", "coordinator_signed_name", "opened_at", "expires_at", "closed_at"]


@admin.register(ContractorUndertaking)
class ContractorUndertakingAdmin(ReadOnlyAdmin):
    list_display = ["user", "signed_name", "organisation", "signed_at"]
