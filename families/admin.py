"""Family files in Django admin: references only, until the administrator has
signed the confidentiality undertaking (§7.6); then read-only, opened through
the access gate and recorded like every other opening. Superusers get no bypass."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from access_log import gate
from access_log.models import Purpose
from homestart.models import Membership, Role

from .models import Family


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return (
        user.is_active
        and user.is_staff
        and Membership.objects.current().filter(user=user, role=Role.ADMIN, scheme__isnull=True).exists()
    )


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["reference", "scheme", "status"]
    list_filter = ["scheme", "status"]
    search_fields = ["reference"]
    fields = ["reference", "scheme", "status", "created_at", "closed_on", "address", "postcode", "phone"]
    readonly_fields = fields

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

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        family = self.get_object(request, object_id)
        if family is not None:
            # Raises UndertakingRequired (redirect to sign it) or FileHidden; records the opening.
            gate.open_family(
                user=request.user, reference=family.reference, section="admin", purpose=Purpose.ADMINISTRATION
            )
        return super().change_view(request, object_id, form_url, extra_context)
