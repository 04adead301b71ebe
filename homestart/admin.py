"""Administrators configure schemes, people and memberships here.

Family files are deliberately not registered: personal data is opened only
through the access gate (§7.6), and superusers get no bypass.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Scheme, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["scheme", "line_manager"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "scheme", "line_manager"]
    list_filter = ["role", "scheme"]
    autocomplete_fields = ["user", "scheme", "line_manager"]
    search_fields = ["user__username"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
