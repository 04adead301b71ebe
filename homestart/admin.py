"""Administrators configure schemes, people and memberships here.

Family files are deliberately not registered: personal data is opened only
through the access gate (§7.6), and superusers get no bypass.

Administrators administer; they do not grant access on their own (§7.6, §8.3):
adding a membership, naming a line manager or reactivating an account here only
*asks* for it, and a second person with authority approves it on "Access
requests". Nobody sets another person's password here: "Send a set-password
link" e-mails the person a link that works once, for a few hours.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import form_error
from .models import AccessDecision, AccessRequest, Membership, PolicyVersion, Scheme, User
from .security import NOTHING_DONE, reauthentication_redirect, recent_authentication, recently_authenticated


def person_column(field: str, label: str = ""):
    """A list column naming the person in ``field`` by full name and role (issue 15.5), the way
    every page does (``User.name_and_role``); sign-in names only on the Users pages."""

    @admin.display(description=label or field.replace("_", " ").capitalize(), ordering=field)
    def column(obj) -> str:
        person = getattr(obj, field)
        return person.name_and_role if person is not None else "–"

    column.__name__ = f"{field}_person"
    return column


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


class UserAddForm(forms.ModelForm):
    """A new person: no password chosen by the administrator. They get a set-password
    link by e-mail, which works once (§8.2)."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "The set-password link is sent here."

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]
    actions = ["send_set_password_links"]
    add_form = UserAddForm
    add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email")}),)
    # Groups and permissions are never edited by hand: a group membership would
    # grant access to family files outside the membership services (§8.3). The
    # password is not here either: nobody sets another person's password.
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    # Adding a person or changing whether they may sign in or reach the admin changes
    # who may see what: confirm it is you (ASVS 7.5.1).
    @method_decorator(recent_authentication)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        """Nobody sets another person's password (§8.2): your own is changed on your account page."""
        if str(request.user.pk) == str(id):
            return redirect("password_change")
        raise PermissionDenied("Send the person a set-password link instead.")

    def save_model(self, request, obj, form, change) -> None:
        reactivating = change and "is_active" in form.changed_data and obj.is_active
        if reactivating:
            # Signing in again brings back the person's roles: a second person approves it (§8.3).
            obj.is_active = False
        new_email = None
        if change and "email" in form.changed_data:
            old = User.objects.get(pk=obj.pk)
            if services.email_change_needs_approval(user=old):
                # Set-password links go to this address: a second person approves the change (§8.3).
                new_email, obj.email = obj.email, old.email
        super().save_model(request, obj, form, change)
        if new_email is not None:
            try:
                services.email_change_request(user=obj, email=new_email, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"The e-mail address stays as it was: {text}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    "The new e-mail address was sent for approval. The old one is kept until it is approved.",
                    messages.WARNING,
                )
        if reactivating:
            try:
                services.reactivation_request(user=obj, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"The account stays inactive: {text}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    "Reactivating this account was sent for approval. It stays inactive until approved.",
                    messages.WARNING,
                )
        if not change:
            self._send_link(request, obj)

    def _send_link(self, request, user: User) -> None:
        try:
            services.password_link_send(user=user, actor=request.user, request=request)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, f"A set-password link was e-mailed to {user.display_name}.")

    @admin.action(description="Send a set-password link")
    def send_set_password_links(self, request, queryset):
        if not recently_authenticated(request):
            self.message_user(request, NOTHING_DONE, messages.INFO)
            return reauthentication_redirect(request, request.get_full_path())
        for user in queryset:
            self._send_link(request, user)

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
    list_display = [person_column("user", "Person"), "role", "scheme", person_column("line_manager"), "ended_at"]
    list_select_related = ["user", "scheme", "line_manager"]
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type("MembershipRequestForm", (form,), {"_post_clean": _ask, "request_user": request.user})

    def save_model(self, request, obj, form, change) -> None:
        # Nothing is granted here: the services were asked in the form's clean() (so that a
        # refusal shows next to the field), and a second person approves (§8.3).
        request._access_request, request._changed = form.access_request, form.changed

    def save_related(self, request, form, formsets, change) -> None:
        pass

    def log_addition(self, request, obj, message):
        pass  # no membership yet; the access request is its own (append-only) record

    def log_change(self, request, obj, message):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        return self._sent(request)

    def response_change(self, request, obj):
        return self._sent(request)

    def _sent(self, request):
        access_request = getattr(request, "_access_request", None)
        if access_request is not None:
            self.message_user(
                request,
                f"Sent for approval: {access_request.what}, for "
                f"{access_request.user.display_name}. It takes effect when the "
                "scheme's manager or a trustee (for national roles, another administrator) approves it.",
                messages.WARNING,
            )
        elif getattr(request, "_changed", False):
            self.message_user(request, "The line manager was removed.")
        else:
            self.message_user(request, "Nothing was changed.")
        return HttpResponseRedirect(reverse("admin:homestart_membership_changelist"))

    @admin.action(description="End the selected memberships")
    def end_memberships(self, request, queryset):
        if not recently_authenticated(request):
            # Ending a membership ends access to files: confirm it is you, then choose again.
            self.message_user(request, NOTHING_DONE, messages.INFO)
            return reauthentication_redirect(request, request.get_full_path())
        for membership in queryset.not_ended():
            services.membership_end(membership=membership, actor=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _ask(form) -> None:
    """After the form's own checks: ask for the membership (add page) or the new line
    manager (change page); a refusal is shown next to its field and nothing is written."""
    super(type(form), form)._post_clean()
    form.access_request, form.changed = None, False
    if form.errors:
        return
    data = form.cleaned_data
    try:
        if form.instance.pk is None:
            form.access_request = services.membership_request(
                user=data["user"],
                scheme=data.get("scheme"),
                role=data["role"],
                actor=form.request_user,
                line_manager=data.get("line_manager"),
            )
        elif "line_manager" in form.changed_data:
            form.changed = True
            form.access_request = services.line_manager_request(
                membership=Membership.objects.get(pk=form.instance.pk),
                line_manager=data.get("line_manager"),
                actor=form.request_user,
            )
    except ValidationError as error:
        form_error(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are made on the Membership and Person pages and decided on
    "Access requests" by a second person. Written once, never changed or deleted."""

    list_display = [
        "requested_at",
        "kind",
        person_column("user", "For"),
        "scheme",
        "role",
        person_column("requested_by"),
        "at_setup",
    ]
    list_select_related = ["user", "scheme", "requested_by"]
    list_filter = ["kind", "scheme", "at_setup"]
    readonly_fields = [f.name for f in AccessRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessDecision)
class AccessDecisionAdmin(AccessRequestAdmin):
    list_display = ["decided_at", "request", "outcome", person_column("decided_by")]
    list_select_related = ["request", "decided_by"]
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in AccessDecision._meta.fields]


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
