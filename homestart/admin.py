"""Administrators configure schemes, people and memberships here.

Family files are deliberately not registered: personal data is opened only
through the access gate (§7.6), and superusers get no bypass.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Membership, PolicyVersion, Scheme, User
from .security import NOTHING_DONE, reauthentication_redirect, recent_authentication, recently_authenticated


class MembershipInline(admin.TabularInline):
    """Read-only here: memberships are added and ended on the Membership pages,
    through the services that keep file permissions in step."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["scheme", "role", "line_manager", "created_at", "ended_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]
    # Groups and permissions are never edited by hand: a group membership would
    # grant access to family files outside the membership services (§8.3).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    # Adding a person, changing whether they may sign in or reach the admin, or setting
    # their password changes who may see what: confirm it is you (ASVS 7.5.1).
    @method_decorator(recent_authentication)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    @method_decorator(recent_authentication)
    def user_change_password(self, request, id, form_url=""):
        return super().user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """A group's permissions reach every member (the scheme staff groups hold the
    family-file permissions, §8.3): confirm it is you before changing one."""

    @method_decorator(recent_authentication)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.scheme_ensure_staff_group(scheme=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "scheme", "line_manager", "ended_at"]
    list_filter = ["role", "scheme"]
    autocomplete_fields = ["user", "scheme", "line_manager"]
    search_fields = ["user__username"]
    actions = ["end_memberships"]

    @method_decorator(recent_authentication)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Granting or changing a role changes who may see which files: confirm it is you.
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        # Who holds which role where is fixed once granted; end it and grant a new one.
        return ["user", "scheme", "role", "ended_at"] if obj else ["ended_at"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj._history_user = request.user
            obj.save(update_fields=["line_manager"])
        else:
            services.membership_add(
                user=obj.user, scheme=obj.scheme, role=obj.role, actor=request.user, line_manager=obj.line_manager
            )

    @admin.action(description="End the selected memberships")
    def end_memberships(self, request, queryset):
        if not recently_authenticated(request):
            # Ending a membership ends access to files: confirm it is you, then choose again.
            self.message_user(request, NOTHING_DONE, messages.INFO)
            return reauthentication_redirect(request, request.get_full_path())
        for membership in queryset.filter(ended_at__isnull=True):
            services.membership_end(membership=membership, actor=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(SimpleHistoryAdmin):
    """Publishing a new version asks everyone to acknowledge it again (§3.1, §4.1, §5.1)."""

    list_display = ["version", "published_at"]
    readonly_fields = ["published_by"]

    def save_model(self, request, obj, form, change) -> None:
        obj.published_by = obj.published_by or request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
