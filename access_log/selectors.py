from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from homestart.models import Membership, User, has_role
from homestart.rules import Role

from .kinds import SCHEME_STAFF_ROLES
from .models import AccessEvent, Approval, ApprovalNotice, AuditSession, RecordOfAccess


def file_events(*, kind: str, file_id, since: datetime.datetime | None = None) -> QuerySet[AccessEvent]:
    """Who opened this file, newest first (index access_file_at). ``since``: when the file
    was made; no event about it is older, and on PostgreSQL the months before it are not
    read at all (partition pruning, access_log/partitions.py). A day's margin for clocks."""
    events = AccessEvent.objects.filter(file_kind=kind, file_id=file_id)
    if since is not None:
        events = events.filter(at__gte=since - datetime.timedelta(days=1))
    return events.select_related("user").order_by("-at", "-id")


def events_of(*, user: User) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(user=user).order_by("-at", "-id")


def records_of_access(*, kind: str, file_id) -> QuerySet[RecordOfAccess]:
    """The file's Record of Access, newest first (§9.1)."""
    return RecordOfAccess.objects.filter(file_kind=kind, file_id=file_id).select_related("witnessed_by")


def audit_sessions_for(*, user: User) -> QuerySet[AuditSession]:
    """Sessions the user opened or supervises (coordinators of the scheme) or attends (the auditor)."""
    staff_schemes = Membership.objects.current().filter(user=user, role__in=SCHEME_STAFF_ROLES).values("scheme")
    condition = Q(scheme__in=staff_schemes)
    if has_role(user, Role.AUDITOR):
        auditing = Membership.objects.current().filter(user=user, role=Role.AUDITOR)
        condition |= Q(auditor=user, scheme__in=auditing.values("scheme"))
    return AuditSession.objects.filter(condition)


def approvals_waiting_for(*, user: User) -> QuerySet[Approval]:
    """Approvals the user may give now: undecided, of a scheme where they are the manager (every
    kind) or the safeguarding lead (those resting on a concern), not asked by themselves."""
    current = Membership.objects.current().filter(user=user)
    condition = Q(scheme__in=current.filter(role=Role.MANAGER).values("scheme")) | Q(
        safeguarding=True, scheme__in=current.filter(role=Role.SAFEGUARDING_LEAD).values("scheme")
    )
    return (
        Approval.objects.filter(condition, decision__isnull=True)
        .exclude(requested_by=user)
        .select_related("family", "requested_by")
        .order_by("requested_at")
    )


def approvals_asked_by(*, user: User) -> QuerySet[Approval]:
    """What the user asked for, newest first, with the decision if there is one."""
    return Approval.objects.filter(requested_by=user).select_related("family", "decision__decided_by")


def emergency_notices_for(*, user: User) -> QuerySet[ApprovalNotice]:
    """Emergencies someone else acted on alone, told to this user (§2.1), newest first."""
    return ApprovalNotice.objects.filter(user=user).select_related(
        "approval__family", "approval__decision__decided_by"
    )[:10]
