"""Access events, signatures, reviews and undertakings in Django admin, read-only; and
``FamilyRecordAdmin``, through which every admin page about a family goes (§7.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.http import HttpRequest

from homestart.admin import person_column
from homestart.models import has_role
from homestart.rules import FileKind, Purpose, Role, Section

from . import gate
from .kinds import kind_spec
from .models import AccessEvent, AuditSession, ContractorUndertaking, RecordOfAccess, Review

if TYPE_CHECKING:
    from families.models import Family

UNDERTAKING_FIRST = "Sign the confidentiality undertaking before opening records about families (§7.6)."


def is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and has_role(user, Role.ADMIN, scheme=None)


class FamilyRecordAdmin(admin.ModelAdmin):
    """A record tied to a family, in Django admin: through the access gate (§7.6).

    The administrator signs the contractor undertaking first (the list and the record
    answer with a redirect to sign it); every list records one event per family shown,
    and every record opened is opened through the gate, both for the purpose
    "administration". Read-only, never deleted. Superusers get no bypass."""

    # The field holding the record's family; "" for the family file itself.
    family_field = "family"
    # Record a listing event per family a list shows (not for lists of access events:
    # they hold references only, and logging their reading would log itself).
    record_lists = True

    def family_of(self, obj: Any) -> Family | None:
        return getattr(obj, self.family_field) if self.family_field else obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def _undertaking_first(self, request: HttpRequest) -> None:
        if self.has_view_permission(request) and not ContractorUndertaking.objects.filter(user=request.user).exists():
            messages.warning(request, UNDERTAKING_FIRST)
            raise gate.UndertakingRequired(UNDERTAKING_FIRST)  # answered with a redirect to sign it

    def changelist_view(self, request: HttpRequest, extra_context=None):
        self._undertaking_first(request)
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and self.record_lists:
            families = {f.pk: f for f in map(self.family_of, changelist.result_list) if f is not None}
            gate.record_listing(
                user=request.user,
                kind=FileKind.FAMILY,
                objs=list(families.values()),
                roles={f.scheme_id: Role.ADMIN for f in families.values()},
                purpose=Purpose.ADMINISTRATION,
            )
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        # Whoever asks, the record's family is opened through the gate: someone who is not an
        # administrator gets the gate's 404 (and a recorded refusal), as on every other page.
        obj = self.get_object(request, object_id)
        family = self.family_of(obj) if obj is not None else None
        if family is None:
            self._undertaking_first(request)
        else:
            # Records the opening, or the refusal; raises UndertakingRequired (answered with a
            # redirect to sign it) or FileHidden (404) when the gate refuses.
            try:
                gate.open_family(
                    user=request.user, reference=family.reference, section=Section.ADMIN, purpose=Purpose.ADMINISTRATION
                )
            except gate.UndertakingRequired:
                messages.warning(request, UNDERTAKING_FIRST)
                raise
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._undertaking_first(request)
        return super().history_view(request, object_id, extra_context)


@admin.register(AccessEvent)
class AccessEventAdmin(FamilyRecordAdmin):
    """Read-only: events hold references and sections, never personal values. Events
    about a family file are opened like the family's other records (§7.6)."""

    record_lists = False

    def family_of(self, obj: AccessEvent) -> Family | None:
        if obj.file_kind != FileKind.FAMILY or obj.file_id is None:
            return None
        return kind_spec(FileKind.FAMILY).load(obj.file_reference)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_module_permission(self, request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return admin.ModelAdmin.has_view_permission(self, request, obj)

    list_display = [
        "at",
        person_column("user", "Who"),
        "role",
        "file_reference",
        "section",
        "action",
        "outcome",
        "reason",
    ]
    list_select_related = ["user"]
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
    list_display = ["scheme", "kind", person_column("reviewer"), "opens_at", "closes_at", "closed_at"]
    list_select_related = ["scheme", "reviewer"]
    list_filter = ["kind", "scheme"]


@admin.register(AuditSession)
class AuditSessionAdmin(ReadOnlyAdmin):
    list_display = [
        "scheme",
        person_column("auditor"),
        "coordinator_signed_name",
        "opened_at",
        "expires_at",
        "closed_at",
    ]
    list_select_related = ["scheme", "auditor"]


@admin.register(ContractorUndertaking)
class ContractorUndertakingAdmin(ReadOnlyAdmin):
    list_display = [person_column("user", "Person"), "signed_name", "organisation", "signed_at"]
    list_select_related = ["user"]
