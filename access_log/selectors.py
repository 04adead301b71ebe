from __future__ import annotations

from django.db.models import Q, QuerySet

from homestart.models import Membership, Role, User

from .kinds import SCHEME_STAFF_ROLES
from .models import AccessEvent, AuditSession, RecordOfAccess


def file_events(*, kind: str, file_id) -> QuerySet[AccessEvent]:
    """Who opened this file, newest first (index access_file_at)."""
    return AccessEvent.objects.filter(file_kind=kind, file_id=file_id).select_related("user").order_by("-at", "-id")


def events_of(*, user: User) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(user=user).order_by("-at", "-id")


def records_of_access(*, kind: str, file_id) -> QuerySet[RecordOfAccess]:
    """The file's Record of Access, newest first (§9.1)."""
    return RecordOfAccess.objects.filter(file_kind=kind, file_id=file_id).select_related("witnessed_by")


def audit_sessions_for(*, user: User) -> QuerySet[AuditSession]:
    """Sessions the user opened or supervises (coordinators of the scheme) or attends (the auditor)."""
    staff_schemes = Membership.objects.current().filter(user=user, role__in=SCHEME_STAFF_ROLES).values("scheme")
    is_auditor = Membership.objects.current().filter(user=user, role=Role.AUDITOR)
    condition = Q(scheme__in=staff_schemes)
    if is_auditor.exists():
        condition |= Q(auditor=user, scheme__in=is_auditor.values("scheme"))
    return AuditSession.objects.filter(condition)
