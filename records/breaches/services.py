"""Writes for the breach register (§3.9, §4.4, §5.5): staff record a breach; the scheme
manager assesses it, decides on reporting to the ICO and closes it."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homestart.concurrency import check_version
from homestart.models import DataKey, Scheme, User
from homestart.rules import Role
from homestart.writes import save_tracked
from records.common import next_number, require_role
from records.models import Breach

BREACH_ROLES = (Role.MANAGER, Role.COORDINATOR, Role.SAFEGUARDING_LEAD)


@transaction.atomic
def breach_record(
    *,
    scheme: Scheme,
    actor: User,
    found_at: datetime.datetime,
    found_by: User,
    description: str,
    data_affected: str,
    people_affected: str = "",
) -> Breach:
    require_role(actor, scheme, BREACH_ROLES, _("Only the scheme's staff record breaches; tell your coordinator."))
    if found_at > timezone.now():
        raise ValidationError({"found_at": _("When it was found cannot be in the future.")})
    number = next_number(Breach, scheme)
    breach = Breach(
        scheme=scheme,
        number=number,
        reference=f"{scheme.code}-BR-{number:04d}",
        data_key=DataKey.generate(),
        found_at=found_at,
        found_by=found_by,
        description=description,
        data_affected=data_affected,
        people_affected=people_affected,
        recorded_by=actor,
    )
    save_tracked(breach, actor=actor)
    return breach


BREACH_UPDATABLE = {"risk", "ico_decision", "ico_decision_reason", "ico_reported_at", "actions", "outcome"}


@transaction.atomic
def breach_update(
    *, breach: Breach, actor: User, close: bool = False, expected_version: str | None = None, **fields: Any
) -> Breach:
    """Assess the risk, decide on reporting to the ICO, record actions and outcome: the manager only.
    ``expected_version`` as in ``person_file_update``."""
    require_role(actor, breach.scheme, (Role.MANAGER,), _("Only the scheme manager assesses and closes breaches."))
    check_version(breach, expected_version)
    unknown = set(fields) - BREACH_UPDATABLE
    if unknown:
        raise TypeError(f"breach_update: cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(breach, name, value)
    if fields.get("ico_decision") == Breach.IcoDecision.NOT_REPORTABLE and not breach.ico_decision_reason.strip():
        raise ValidationError({"ico_decision_reason": _("Record why the breach is not reportable.")})
    if close:
        if breach.ico_decision == Breach.IcoDecision.UNDECIDED:
            raise ValidationError({"ico_decision": _("Decide whether to report to the ICO before closing.")})
        breach.closed_at = timezone.now()
    save_tracked(breach, actor=actor)
    return breach
