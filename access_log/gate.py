"""The one gate through which every family file is opened (DESIGN.md, "The one gate").

1. decide: may this user perform this action on this file, now?
2. record: an access event, allowed or refused, in the same transaction as the
   read or write it permits;
3. return only what the role may see.

Interim rule of the foundation (replaced by the full gate of the access-gate
issue): coordinators and scheme managers see their own scheme's families
(§8.3); a volunteer sees the families currently assigned to them, in the
minimal view (§8.5); nobody else sees any family file. A file the user may not
know exists answers 404 (never 403, which would confirm it exists); a file they
may see but not change answers 403 on change.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from families.models import Family, VolunteerAssignment
from homestart.models import Membership, Role, User

from .middleware import current_request_id
from .models import AccessEvent, Action, FileKind, Outcome

# Roles that see and change every family file of their own scheme (§8.3).
SCHEME_STAFF_ROLES = (Role.COORDINATOR, Role.MANAGER)


class View(enum.Enum):
    FULL = "full"
    MINIMAL = "minimal"  # the volunteer's view (§8.5)


class FileHidden(Http404):
    """Refused, and the user may not know the file exists: answers 404."""


class NotPermitted(PermissionDenied):
    """Refused: the user may see this file but not do this to it: answers 403."""


@dataclass(frozen=True)
class FamilyAccess:
    family: Family
    user: User
    role: str
    view: View
    may_change: bool

    @property
    def full(self) -> bool:
        return self.view is View.FULL


@dataclass(frozen=True)
class Decision:
    allowed: bool
    role: str = ""
    view: View | None = None
    may_change: bool = False
    reason: str = ""
    hidden: bool = True


def _decide(user: User, family: Family | None, action: str) -> Decision:
    if family is None:
        return Decision(False, reason="no_such_file")
    if not user.is_authenticated or not user.is_active:
        return Decision(False, reason="not_signed_in")
    roles = set(
        Membership.objects.filter(user=user, scheme_id=family.scheme_id).values_list("role", flat=True)
    )
    staff_role = next((r for r in SCHEME_STAFF_ROLES if r in roles), None)
    if staff_role:
        return Decision(True, role=staff_role, view=View.FULL, may_change=True)
    if Role.VOLUNTEER in roles and (
        VolunteerAssignment.objects.active().filter(family=family, volunteer=user).exists()
    ):
        if action == Action.VIEW:
            return Decision(True, role=Role.VOLUNTEER, view=View.MINIMAL)
        return Decision(False, role=Role.VOLUNTEER, reason="volunteer_view_only", hidden=False)
    return Decision(False, role=next(iter(sorted(roles)), ""), reason="no_access_to_file")


def _record(
    *, user: User, reference: str, family: Family | None, decision: Decision, action: str, section: str, purpose: str
) -> AccessEvent:
    return AccessEvent.objects.create(
        user=user if user.is_authenticated else None,
        role=decision.role,
        file_kind=FileKind.FAMILY,
        file_id=family.pk if family else None,
        file_reference=reference[:32],
        scheme_id=family.scheme_id if family else None,
        section=section,
        action=action,
        purpose=purpose,
        outcome=Outcome.ALLOWED if decision.allowed else Outcome.REFUSED,
        reason=decision.reason,
        request_id=current_request_id(),
    )


def _load(reference: str) -> Family | None:
    return Family.objects.with_keys().filter(reference=reference).first()


def open_family(
    *, user: User, reference: str, section: str = "file", purpose: str = "casework", for_change: bool = False
) -> FamilyAccess:
    """Open a family file, recording the opening; refuse with 404 or 403.

    ``for_change``: the user is opening a page to change the file; someone who
    may see it but not change it gets 403, and the refusal is recorded.
    """
    family = _load(reference)
    action = Action.CHANGE if for_change else Action.VIEW
    decision = _decide(user, family, action)
    if not decision.allowed:
        _record(
            user=user, reference=reference, family=family, decision=decision,
            action=action, section=section, purpose=purpose,
        )
        if decision.hidden:
            raise FileHidden("No such family file.")
        raise NotPermitted("You may see this family file but not change it.")
    _record(
        user=user, reference=reference, family=family, decision=decision,
        action=Action.VIEW, section=section, purpose=purpose,
    )
    return FamilyAccess(
        family=family, user=user, role=decision.role, view=decision.view, may_change=decision.may_change
    )


@contextlib.contextmanager
def changing(access: FamilyAccess, *, section: str, purpose: str = "casework") -> Iterator[Family]:
    """Change an opened file: the access event and the change commit together or not at all."""
    if not access.may_change:
        raise NotPermitted("You may see this family file but not change it.")
    decision = Decision(True, role=access.role, view=access.view, may_change=True)
    with transaction.atomic():
        _record(
            user=access.user, reference=access.family.reference, family=access.family, decision=decision,
            action=Action.CHANGE, section=section, purpose=purpose,
        )
        yield access.family


def record_creation(*, user: User, family: Family, role: str, purpose: str = "referral") -> AccessEvent:
    """A new family file was created (called inside the creating transaction)."""
    decision = Decision(True, role=role, view=View.FULL, may_change=True)
    return _record(
        user=user, reference=family.reference, family=family, decision=decision,
        action=Action.CREATE, section="file", purpose=purpose,
    )
